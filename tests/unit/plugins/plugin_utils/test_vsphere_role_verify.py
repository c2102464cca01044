# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's verdict on the read-back and its closing summary."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.filter.vsphere_ha_role import FilterModule
from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import check
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.summary import summary_lines
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.verify import VERIFIED, verification
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import variables


def test_readback_without_change_is_verified():
    assert verification({'changed': False}) == {'ok': True, 'verified': True, 'message': VERIFIED}


def test_readback_that_would_change_fails_with_the_difference():
    found = verification({'changed': True, 'diff': {'before': {'enabled': False}, 'after': {'enabled': True}}})
    assert found['ok'] is False
    assert found['message'].startswith('The cluster does not match after the run; still different: {"after"')


def test_skipped_readback_is_no_verdict():
    found = verification({'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'})
    assert found['ok'] is True and found['verified'] is False and found['message'].startswith('Not verified')


OPTIONS = {'enabled': True, 'admission_control': {'policy': 'percentage', 'cpu_percent': 34, 'memory_percent': 34,
                                                  'auto_compute': False}}
CHECKS = [check('min_hosts', True, 'fail', '3 connected host(s), at least 2 needed')]
GATE = {'summary': 'Failover capacity OK: the cluster tolerates 2 host failure(s) (1 requested, view configured).'}


def test_summary_of_a_real_run():
    lines = summary_lines({'vsan': True}, variables(), OPTIONS, CHECKS,
                          {'changed': True, 'changed_fields': ['enabled', 'option']}, GATE, False)
    assert lines == [
        'Cluster VSAN-Cluster in DC-VSAN (vSAN)',
        'Changed: HA settings in one reconfigure (enabled, option)',
        'Applied settings: {"enabled": true, "admission_control": {"policy": "percentage", "cpu_percent": 34, '
        '"memory_percent": 34, "auto_compute": false}}',
        'Capacity: ' + GATE['summary'],
        'Admission control: {"policy": "percentage", "cpu_percent": 34, "memory_percent": 34, "auto_compute": false}',
        'Hosts reconfigured for HA: none (no result from vsphere_cluster_ha)',
        'VM overrides: none given (vsphere_ha_vm_overrides)',
        'Checks:',
        'PASS     min_hosts 3 connected host(s), at least 2 needed',
    ]


def test_summary_in_check_mode_without_admission_control():
    lines = summary_lines({'vsan': False}, variables(), {'enabled': True}, CHECKS, {'changed': False}, None, True)
    assert lines[0] == 'Cluster VSAN-Cluster in DC-VSAN - CHECK MODE, nothing was written'
    assert lines[1] == 'Would change: nothing'
    assert lines[3] == 'Capacity: not evaluated'
    assert lines[4] == 'Admission control: left as it is'


def test_summary_says_plainly_that_n_plus_0_is_no_failover_protection():
    # L9: with the check on warn, "Capacity OK" alone would read as protection.
    lines = summary_lines({'vsan': False}, variables(host_failures=0, check_failover_protection='warn'), OPTIONS,
                          CHECKS, {'changed': True}, GATE, False)
    assert lines[3].startswith('Capacity: NO FAILOVER PROTECTION - vsphere_ha_host_failures is 0 (N+0)')


def test_filters_turn_bad_input_into_one_filter_error():
    filters = FilterModule().filters()
    assert sorted(filters) == ['vsphere_ha_role_variables', 'vsphere_ha_summary_lines', 'vsphere_ha_verification']
    with pytest.raises(AnsibleFilterError, match='^vsphere_ha_role_variables: vsphere_ha_cluster is empty'):
        filters['vsphere_ha_role_variables']({'datacenter': 'DC1', 'cluster': ''})


# --- issue 14: what was done on each host, the per-VM overrides

HOST_PLAN = {'mode': 'isolation_changed', 'reason': 'changed: isolation_addresses', 'hosts': [
    {'name': 'esx1', 'moid': 'host-1', 'result': 'reconfigured', 'task': 'task-1'},
    {'name': 'esx2', 'moid': 'host-2', 'result': 'skipped', 'message': 'host is in maintenance mode'}]}


def test_summary_says_what_was_done_on_each_host():
    options = dict(OPTIONS, reconfigure_hosts='isolation_changed')
    lines = summary_lines({'vsan': True}, variables(), options, CHECKS,
                          {'changed': True, 'changed_fields': ['option'], 'host_reconfigure': HOST_PLAN}, GATE, False)
    assert 'Hosts reconfigured for HA (changed: isolation_addresses): esx1 reconfigured; esx2 skipped (host is in ' \
           'maintenance mode)' in lines
    # reconfigure_hosts is an action, not a setting the cluster stores.
    assert 'reconfigure_hosts' not in [line for line in lines if line.startswith('Applied settings')][0]


def test_summary_in_check_mode_says_the_hosts_would_be_reconfigured():
    plan = {'mode': 'isolation_changed', 'reason': 'changed: isolation_addresses',
            'hosts': [{'name': 'esx1', 'moid': 'host-1', 'result': 'not run (check mode)'}]}
    lines = summary_lines({'vsan': True}, variables(), OPTIONS, CHECKS, {'changed': True, 'host_reconfigure': plan}, GATE, True)
    assert 'Hosts that would be reconfigured for HA (changed: isolation_addresses): esx1 not run (check mode)' in lines
    assert lines[1] == 'Would change: nothing'  # no HA setting: only the hosts


def test_summary_says_why_no_host_was_reconfigured():
    plan = {'mode': 'isolation_changed', 'reason': 'no isolation setting changed', 'hosts': []}
    lines = summary_lines({'vsan': True}, variables(), OPTIONS, CHECKS, {'changed': False, 'host_reconfigure': plan}, GATE)
    assert 'Hosts reconfigured for HA: none (no isolation setting changed)' in lines


def test_summary_names_the_vm_overrides_added_and_updated():
    given = variables(vm_overrides=[{'vm': 'db01', 'restart_priority': 'highest'}, {'vm': 'web01', 'restart_priority': 'low'}])
    result = {'changed': True, 'added': ['db01'], 'updated': ['web01'], 'removed': []}
    lines = summary_lines({'vsan': False}, given, OPTIONS, CHECKS, {'changed': False}, GATE, False, result)
    assert 'VM overrides (merged): added db01; updated web01' in lines
    lines = summary_lines({'vsan': False}, given, OPTIONS, CHECKS, {'changed': False}, GATE, False,
                          {'changed': False, 'added': [], 'updated': [], 'removed': []})
    assert 'VM overrides: 2 VM(s) already as asked' in lines


def test_overrides_readback_that_would_change_fails_naming_the_vms():
    found = verification({'changed': False}, {'changed': True, 'added': [], 'updated': ['db01']})
    assert found == {'ok': False, 'verified': False,
                     'message': 'The per-VM overrides do not match after the run; still different for VM(s): db01.'}
    assert verification({'changed': False}, {'changed': False})['message'] == VERIFIED + ' So does every per-VM override.'
    assert verification({'changed': False}, {'skipped': True}) == verification({'changed': False})
