# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: groups as groups or as rules, and the writes of one run in order."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.configure import configure_plan, datacenter_options
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.groups import role_groups
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import (
    group, pve8, pve9, resource, rule)

WEB = {'name': 'web', 'nodes': ['pve1:2', 'pve2:1'], 'restricted': False}


def plan(info, desired, groups=(), rules=(), mode='merged', check_mode=False, **kwargs):
    return configure_plan(info, list(desired), list(groups), list(rules), mode, check_mode, **kwargs)


def test_role_groups_parse_nodes_and_refuse_bad_ids():
    assert role_groups([WEB])[0]['nodes'] == {'pve1': 2, 'pve2': 1}
    with pytest.raises(HaInputError, match=r"proxmox_ha_groups\[0\].name '1web'"):
        role_groups([{'name': '1web', 'nodes': ['pve1']}])
    with pytest.raises(HaInputError, match=r"proxmox_ha_groups\[0\].nodes lists node 'pve1' twice"):
        role_groups([{'name': 'web', 'nodes': ['pve1', 'pve1:2']}])


def test_pve8_groups_are_group_tasks_with_the_role_nofailback():
    groups = [WEB, {'name': 'db', 'nofailback': False, 'state': 'present', 'nodes': ['pve3']},
              {'name': 'old', 'state': 'absent'}]
    result = plan(pve8(), [{'sid': 'vm:100', 'group': 'web'}], groups, nofailback=True)
    assert result['groups'] == [dict(name='web', nodes=['pve1:2', 'pve2:1'], restricted=False, nofailback=True),
                                dict(name='db', nodes=['pve3'], nofailback=False)]
    assert result['group_rules'] == [] and result['absent_groups'] == ['old']


def test_migrated_group_becomes_its_rule_with_the_members():
    result = plan(pve9(), [{'sid': 'vm:100', 'group': 'web'}, {'sid': 'vm:102', 'group': 'web'}], [WEB])
    assert result['groups'] == []
    assert result['group_rules'] == [dict(name='ha-group-web', type='node-affinity', nodes=['pve1:2', 'pve2:1'],
                                          strict=False, resources=['vm:100', 'vm:102'],
                                          comment="Generated from HA group 'web'.")]
    # The rule does not exist yet: the membership is left out of the resources task, the rule brings it.
    assert result['resources_config'] == [{'sid': 'vm:100'}, {'sid': 'vm:102'}]


def test_group_without_restricted_keeps_the_current_strict_rule():
    """M4: the old template sent strict=false (delete=strict) when the entry left restricted out."""
    info = pve9(resources=[resource('vm:100')],
                rules=[rule('ha-group-web', resources=['vm:100'], nodes={'pve1': 2, 'pve2': 1}, strict=True)])
    result = plan(info, [{'sid': 'vm:100', 'group': 'web'}], [{'name': 'web', 'nodes': ['pve1:2', 'pve2:1']}])
    assert result['group_rules'][0]['strict'] is True
    assert plan(info, [{'sid': 'vm:100', 'group': 'web'}], [dict(WEB)])['group_rules'][0]['strict'] is False


def test_group_without_nodes_keeps_the_current_nodes():
    info = pve9(resources=[resource('vm:100')], rules=[rule('ha-group-web', resources=['vm:100'], nodes={'pve3': 1})])
    assert plan(info, [], [{'name': 'web'}])['group_rules'][0]['nodes'] == ['pve3:1']


def test_current_members_stay_unless_moved_out():
    info = pve9(resources=[resource('vm:100'), resource('vm:102')],
                rules=[rule('ha-group-web', resources=['vm:100', 'vm:102'], nodes={'pve1': 0})])
    assert plan(info, [], [WEB])['group_rules'][0]['resources'] == ['vm:100', 'vm:102']
    assert plan(info, [{'sid': 'vm:102', 'group': ''}], [WEB])['group_rules'][0]['resources'] == ['vm:100']


def test_overridden_mode_does_not_keep_deleted_members_in_the_group_rule():
    """M11: a member the resources task deletes cannot stay in the rule (PVE refuses unmanaged resources)."""
    info = pve9(resources=[resource('vm:100'), resource('vm:102')],
                rules=[rule('ha-group-web', resources=['vm:100', 'vm:102'], nodes={'pve1': 0})])
    result = plan(info, [{'sid': 'vm:100', 'group': 'web'}], [WEB], mode='overridden')
    assert result['group_rules'][0]['resources'] == ['vm:100'] and result['converge_resources'] is True


def test_group_without_members_is_left_out_and_reported():
    result = plan(pve9(), [], [WEB])
    assert result['group_rules'] == [] and result['empty_groups'] == ['web']


def test_check_mode_defers_rules_over_resources_the_run_creates():
    rules = [{'name': 'db-apart', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': ['101', 'vm:103']},
             {'name': 'gone', 'state': 'absent'}]
    desired = [{'sid': 'vm:100', 'group': 'web'}, {'sid': 'vm:101'}, {'sid': 'vm:103'}]
    checked = plan(pve9(), desired, [WEB], rules, check_mode=True)
    assert checked['deferred_rules'] == ['ha-group-web', 'db-apart']
    assert checked['group_rules'] == [] and [r['name'] for r in checked['rules']] == ['gone']
    real = plan(pve9(), desired, [WEB], rules)
    assert real['deferred_rules'] == [] and [r['name'] for r in real['rules']] == ['db-apart', 'gone']
    existing = pve9(resources=[resource('vm:101'), resource('vm:103')])
    assert plan(existing, desired[1:], [], rules, check_mode=True)['deferred_rules'] == []


def test_pve8_check_mode_leaves_out_membership_of_a_group_the_run_creates():
    desired = [{'sid': 'vm:100', 'group': 'web'}, {'sid': 'vm:101', 'group': 'db'}]
    info = pve8(groups=[group('db', {'pve3': 0})])
    assert plan(info, desired, [WEB], check_mode=True)['resources_config'] == [{'sid': 'vm:100'}, desired[1]]
    assert plan(info, desired, [WEB])['resources_config'] == desired


def test_nothing_to_converge_unless_overridden():
    assert plan(pve9(), [])['converge_resources'] is False
    assert plan(pve9(), [], mode='overridden')['converge_resources'] is True


def test_datacenter_options_leave_empty_values_alone():
    assert datacenter_options('migrate', '', '') == {'shutdown_policy': 'migrate'}
    assert datacenter_options('', 'static', 'hardware') == {'crs': {'ha': 'static'}, 'fencing': 'hardware'}
    assert plan(pve9(), [], shutdown_policy='migrate')['options'] == {'shutdown_policy': 'migrate'}
