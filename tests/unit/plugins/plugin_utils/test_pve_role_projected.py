# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: the capacity model of the cluster as the run leaves it (what the N+k gate judges)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.projected import projected_model
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import (
    group, guest, pve8, pve9, resource, rule)

RUNNING = [{'sid': sid} for sid in ('vm:100', 'vm:101', 'vm:102', 'vm:103', 'ct:104', 'vm:105')]


def test_strict_negative_node_affinity_narrows_allowed_hosts():
    """Drift (issue 11 #2): the old template mapped only positive rules, so the gate saw no restriction."""
    rules = [{'name': 'not-pve1', 'type': 'node-affinity', 'affinity': 'negative', 'strict': True,
              'nodes': ['pve1'], 'resources': ['vm:100', '104']}]
    model = projected_model(pve9(), RUNNING, [], rules, 'merged')
    assert guest(model, 'vm:100')['allowed_hosts'] == ['pve2', 'pve3']
    assert guest(model, 'ct:104')['allowed_hosts'] == ['pve2', 'pve3']
    assert guest(model, 'ct:104')['host_priority'] == {'pve2': 0, 'pve3': 0}
    assert 'allowed_hosts' not in guest(model, 'vm:101')


def test_non_strict_negative_rule_only_prefers_the_other_nodes():
    rules = [{'name': 'avoid', 'type': 'node-affinity', 'affinity': 'negative', 'nodes': ['pve3'], 'resources': ['105']}]
    entry = guest(projected_model(pve9(), RUNNING, [], rules, 'merged'), 'vm:105')
    assert 'allowed_hosts' not in entry and entry['host_priority'] == {'pve1': 0, 'pve2': 0}


def test_positive_strict_rule_and_negative_resource_affinity():
    rules = [{'name': 'db-apart', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': ['vm:101', '103']},
             {'name': 'web', 'type': 'node-affinity', 'strict': True, 'nodes': ['pve1:2', 'pve2'], 'resources': ['100']}]
    model = projected_model(pve9(), RUNNING, [], rules, 'merged')
    assert guest(model, 'vm:101')['anti_affinity'] == ['db-apart'] == guest(model, 'vm:103')['anti_affinity']
    assert guest(model, 'vm:100')['allowed_hosts'] == ['pve1', 'pve2']
    assert guest(model, 'vm:100')['host_priority'] == {'pve1': 2, 'pve2': 0}


def test_positive_resource_affinity_keeps_guests_together():
    rules = [{'name': 'together', 'type': 'resource-affinity', 'affinity': 'positive', 'resources': ['100', '102']}]
    model = projected_model(pve9(), RUNNING, [], rules, 'merged')
    assert guest(model, 'vm:100')['keep_together'] == ['together'] == guest(model, 'vm:102')['keep_together']
    gone = projected_model(pve9(resources=[resource('vm:100'), resource('vm:102')],
                                rules=[rule('together', 'resource-affinity', ['vm:100', 'vm:102'], affinity='positive')]),
                           [], [], [{'name': 'together', 'state': 'absent'}], 'merged')
    assert 'keep_together' not in guest(gone, 'vm:100')


def test_disabled_and_absent_rules_give_no_constraint():
    info = pve9(resources=[resource('vm:100')],
                rules=[rule('pin', resources=['vm:100'], nodes={'pve1': 0}, strict=True)])
    assert guest(info['capacity_model'], 'vm:100')['allowed_hosts'] == ['pve1']
    gone = projected_model(info, [], [], [{'name': 'pin', 'state': 'absent'}], 'merged')
    assert 'allowed_hosts' not in guest(gone, 'vm:100')
    off = projected_model(info, [], [], [{'name': 'pin', 'enabled': False}], 'merged')
    assert 'allowed_hosts' not in guest(off, 'vm:100')


def test_an_unchanged_cluster_projects_to_its_own_model():
    info = pve9(resources=[resource('vm:100', group='web'), resource('vm:101')],
                rules=[rule('ha-group-web', resources=['vm:100'], nodes={'pve1': 2, 'pve2': 1}, strict=True),
                       rule('apart', 'resource-affinity', ['vm:100', 'vm:101'], affinity='negative')])
    assert projected_model(info, [], [], [], 'merged') == info['capacity_model']
    info8 = pve8(resources=[resource('vm:100', group='web')], groups=[group('web', {'pve1': 1}, restricted=True)])
    assert projected_model(info8, [], [], [], 'merged') == info8['capacity_model']


def test_pve8_group_of_the_role_restricts_its_members():
    groups = [{'name': 'web', 'nodes': ['pve1:2', 'pve2:1'], 'restricted': True}]
    model = projected_model(pve8(), [{'sid': 'vm:100', 'group': 'web'}], groups, [], 'merged')
    assert guest(model, 'vm:100')['allowed_hosts'] == ['pve1', 'pve2'] and guest(model, 'vm:100')['ha'] is True


def test_group_entry_without_restricted_keeps_the_current_strictness_in_the_model():
    """M4 as the gate sees it: the rule stays strict, so the guest stays confined."""
    info = pve9(resources=[resource('vm:100', group='web')],
                rules=[rule('ha-group-web', resources=['vm:100'], nodes={'pve1': 2, 'pve2': 1}, strict=True)])
    model = projected_model(info, [{'sid': 'vm:100', 'group': 'web'}], [{'name': 'web', 'nodes': ['pve1:2', 'pve2:1']}],
                            [], 'merged')
    assert guest(model, 'vm:100')['allowed_hosts'] == ['pve1', 'pve2']


def test_migrated_group_rule_is_projected_with_its_new_members():
    groups = [{'name': 'web', 'nodes': ['pve1:2', 'pve2:1'], 'restricted': True}]
    model = projected_model(pve9(), [{'sid': '100', 'group': 'web'}, {'sid': '102', 'group': 'web'}], groups, [], 'merged')
    assert guest(model, 'vm:102')['allowed_hosts'] == ['pve1', 'pve2']


def test_a_guest_moved_out_of_its_group_loses_the_group_constraint():
    info = pve9(resources=[resource('vm:100'), resource('vm:102')],
                rules=[rule('ha-group-web', resources=['vm:100', 'vm:102'], nodes={'pve1': 0}, strict=True)])
    model = projected_model(info, [{'sid': '102', 'group': ''}], [], [], 'merged')
    assert 'allowed_hosts' not in guest(model, 'vm:102') and guest(model, 'vm:100')['allowed_hosts'] == ['pve1']


@pytest.mark.parametrize('mode, ha', [('merged', True), ('replaced', True), ('overridden', False)])
def test_overridden_mode_drops_the_unlisted_resources_from_the_gate(mode, ha):
    """M11: the model assumed merged, so a run deleting HA resources was judged with them."""
    info = pve9(resources=[resource('vm:100'), resource('vm:101'), resource('vm:103')])
    model = projected_model(info, [{'sid': 'vm:100'}], [], [], mode)
    assert guest(model, 'vm:100')['ha'] is True
    assert guest(model, 'vm:101')['ha'] is ha and guest(model, 'vm:103')['ha'] is ha


def test_requested_states_set_the_ha_flag():
    model = projected_model(pve9(resources=[resource('vm:100')]),
                            [{'sid': 'vm:100', 'state': 'stopped'}, {'sid': '101', 'state': 'enabled'}], [], [], 'merged')
    assert guest(model, 'vm:100')['ha'] is False and guest(model, 'vm:101')['ha'] is True


def test_bad_rule_input_is_one_sentence():
    with pytest.raises(HaInputError, match=r"proxmox_ha_rules\[0\] \(x1\): .*nodes entry 'pve1:x'"):
        projected_model(pve9(), [], [], [{'name': 'x1', 'type': 'node-affinity', 'nodes': ['pve1:x'], 'resources': ['100']}],
                        'merged')
