# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: the seed's preconditions and the role input the cluster cannot take, before any write."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.preflight import preflight, seed_checks
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import (
    group, pve8, pve9, pve9_unmigrated, resource, rule)

CHECK_NAMES = ('min_nodes', 'quorum', 'nodes_online', 'identical_memory', 'shared_storage', 'backup_coverage')
ALL_FAIL = dict((name, 'fail') for name in CHECK_NAMES)


def by_name(checks):
    return dict((c['name'], c) for c in checks)


def run(info, desired=(), groups=(), rules=(), mode='merged', **kwargs):
    return preflight(info, list(desired), list(groups), list(rules), mode, ALL_FAIL, **kwargs)


def test_a_healthy_cluster_passes_every_check_in_order():
    result = run(pve9(), [{'sid': 'vm:100', 'state': 'started'}])
    assert [c['name'] for c in result['checks']] == list(ALL_FAIL)
    assert all(c['status'] == 'pass' for c in result['checks']) and result['refusal'] == '' and result['warnings'] == []
    assert result['lines'][0].startswith('PASS     min_nodes')
    assert by_name(result['checks'])['shared_storage']['summary'] == 'all disks of 1 HA guest(s) on shared storage'


def test_min_nodes_quorum_and_offline_nodes():
    checks = by_name(seed_checks(pve9(quorate=False, offline=('pve3',)), [], ALL_FAIL, min_nodes=4))
    assert checks['min_nodes']['summary'] == '3 node(s), at least 4 needed' and checks['min_nodes']['status'] == 'fail'
    assert checks['quorum']['summary'] == 'cluster is not quorate'
    assert checks['nodes_online']['summary'] == 'not online: pve3'


def test_memory_spread_against_the_tolerance():
    info = pve9(memory={'pve1': 65536, 'pve2': 65536, 'pve3': 61440})
    check = by_name(seed_checks(info, [], ALL_FAIL, memory_tolerance_percent=5))['identical_memory']
    assert check['status'] == 'fail' and check['evidence']['spread_percent'] == 6.25
    assert by_name(seed_checks(info, [], ALL_FAIL, memory_tolerance_percent=7))['identical_memory']['status'] == 'pass'


def test_local_disks_and_backup_coverage_of_the_ha_guests():
    checks = by_name(seed_checks(pve9(storage_shared=False, backup_all=False), ['vm:100'], ALL_FAIL))
    assert checks['shared_storage']['evidence']['local_disks'] == {'vm:100': ['scsi0 on local-lvm']}
    assert checks['backup_coverage']['evidence']['uncovered'] == ['vm:100']


def test_backup_job_by_vmid_list_and_exclusions():
    info = pve9()
    info['backup_jobs'] = [dict(id='a', enabled=True, all=True, vmid=None, exclude='100'),
                           dict(id='b', enabled=False, all=False, vmid='101'), dict(id='c', all=False, vmid='102,103')]
    uncovered = by_name(seed_checks(info, ['vm:100', 'vm:101', 'vm:102', 'vm:103'], ALL_FAIL))['backup_coverage']
    assert uncovered['evidence'] == {'uncovered': ['vm:100'], 'enabled_jobs': ['a', 'c']}


def test_warn_and_skip_actions():
    checks = by_name(seed_checks(pve9(quorate=False), [], dict(ALL_FAIL, quorum='warn', min_nodes='skip'), min_nodes=9))
    assert checks['quorum']['status'] == 'warn' and checks['min_nodes']['status'] == 'skipped'
    result = preflight(pve9(quorate=False), [], [], [], 'merged', dict(ALL_FAIL, quorum='warn'))
    assert result['refusal'] == '' and result['warnings'][0].startswith('quorum: cluster is not quorate; evidence:')


def test_failed_check_refuses_with_the_shared_message():
    assert run(pve9(), min_nodes=4)['refusal'].startswith('Preflight refused HA on this cluster: min_nodes: 3 node(s)')


def test_overridden_mode_checks_only_what_stays_protected():
    """M11: a resource the run deletes is no HA guest after the run; its local disk must not refuse it."""
    info = pve9(resources=[resource('vm:100'), resource('vm:101')], storage_shared=False)
    merged = by_name(run(info, [{'sid': 'vm:100', 'state': 'stopped'}])['checks'])['shared_storage']
    overridden = by_name(run(info, [{'sid': 'vm:100', 'state': 'stopped'}], mode='overridden')['checks'])['shared_storage']
    assert merged['evidence']['ha_guests'] == ['vm:101'] and overridden['evidence']['ha_guests'] == []


def test_rules_on_pve8_are_refused():
    refusal = run(pve8(), rules=[{'name': 'x1', 'type': 'resource-affinity'}])['refusal']
    assert 'proxmox_ha_rules needs PVE 9 but this cluster runs PVE 8' in refusal and 'Nothing has been written' in refusal


def test_rules_before_the_groups_migration_are_refused():
    """M5: preflight checked only the major version; the run wrote a group and resources, then failed."""
    refusal = run(pve9_unmigrated(), rules=[{'name': 'db-apart', 'type': 'resource-affinity', 'affinity': 'negative',
                                             'resources': ['vm:101', 'vm:103']}])['refusal']
    assert 'groups_migrated is false' in refusal and 'proxmox_ha_rules' in refusal
    assert run(pve9_unmigrated())['refusal'] == ''


def test_duplicate_group_names_are_refused():
    """L12: two entries of one group were applied in turn every run (always changed)."""
    groups = [{'name': 'web', 'nodes': ['pve1'], 'restricted': True}, {'name': 'web', 'nodes': ['pve1'], 'restricted': False}]
    for info in (pve8(), pve9()):
        assert "lists group 'web' twice" in run(info, groups=groups)['refusal']


def test_duplicate_rule_names_are_refused():
    rules = [{'name': 'r1', 'type': 'resource-affinity'}, {'name': 'r1', 'type': 'resource-affinity'}]
    assert "lists rule 'r1' twice" in run(pve9(), rules=rules)['refusal']


@pytest.mark.parametrize('make_info', [pve9, pve8])
def test_new_group_without_nodes_is_refused_in_check_mode_too(make_info):
    """M6: on migrated PVE 9 the rule was deferred in check mode, and the real run failed after writes."""
    refusal = run(make_info(), [{'sid': 'vm:100', 'group': 'web'}], groups=[{'name': 'web'}])['refusal']
    assert "proxmox_ha_groups entry 'web' has no nodes" in refusal


def test_existing_group_without_nodes_is_fine():
    info = pve9(resources=[resource('vm:100')], rules=[rule('ha-group-web', resources=['vm:100'], nodes={'pve1': 0})])
    assert run(info, [{'sid': 'vm:100', 'group': 'web'}], groups=[{'name': 'web', 'restricted': True}])['refusal'] == ''


def test_resource_naming_an_unknown_group_is_refused():
    refusal = run(pve9(), [{'sid': 'vm:100', 'group': 'db'}])['refusal']
    assert "gives vm:100 group 'db', which neither exists nor is in proxmox_ha_groups" in refusal


def test_resource_naming_a_group_the_run_removes_is_refused():
    refusal = run(pve8(), [{'sid': 'vm:100', 'group': 'web'}], groups=[{'name': 'web', 'state': 'absent'}])['refusal']
    assert "gives vm:100 group 'web', which proxmox_ha_groups removes (state absent)" in refusal


@pytest.mark.parametrize('make_info', [pve9, pve8])
def test_group_removed_while_resources_still_use_it_is_refused_unless_they_move_out(make_info):
    if make_info is pve9:
        info = pve9(resources=[resource('vm:100')], rules=[rule('ha-group-web', resources=['vm:100'], nodes={'pve1': 0})])
    else:
        info = pve8(resources=[resource('vm:100', group='web')], groups=[group('web', {'pve1': 0})])
    absent = [{'name': 'web', 'state': 'absent'}]
    assert "HA group 'web' is still used by vm:100" in run(info, groups=absent)['refusal']
    assert run(info, [{'sid': 'vm:100', 'group': ''}], groups=absent)['refusal'] == ''


def test_new_rule_without_type_is_refused():
    assert 'needs type to create the rule' in run(pve9(), rules=[{'name': 'r1', 'resources': ['100']}])['refusal']


def test_host_failures_zero_is_said_plainly():
    """L9: N+0 reported "Capacity OK" with nothing checked."""
    assert 'NO failover protection' in run(pve9(), host_failures=0)['warnings'][-1]
    assert run(pve9(), host_failures=1)['warnings'] == []
