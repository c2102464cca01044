# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Red-team findings of issue 16 on the PVE planners (M3, M10, L13, L14): pure, plain data in and out."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import desired_group, normalize_group, plan_group
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.options import (
    cluster_ha_write_params, desired_cluster_ha, normalize_cluster_ha, unmanaged_crs, validate_cluster_ha)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import plan_group_as_rule

WEB = normalize_group({'group': 'web', 'nodes': 'pve1:2,pve2', 'restricted': 1})
WEB_RULE = normalize_rule({'rule': 'ha-group-web', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1:2,pve2',
                           'strict': 1})


def test_m3_migrated_group_in_use_is_refused_like_on_pve8():
    with pytest.raises(HaInputError, match="HA group 'web' is still used by vm:100; move them out first"):
        plan_group_as_rule(WEB_RULE, dict(name='web'), 'absent', {'vm:100': True})
    with pytest.raises(HaInputError, match="HA group 'web' is still used by vm:100; move them out first"):
        plan_group(WEB, dict(name='web'), 'absent', users=['vm:100'])
    assert plan_group_as_rule(None, dict(name='web'), 'absent', {})['commands'] == []


@pytest.mark.parametrize('current', [WEB, None])
def test_m10_empty_node_list_is_refused_for_existing_and_new_groups(current):
    desired = desired_group(dict(name='web', nodes=[], restricted=None, nofailback=None, comment=None))
    with pytest.raises(HaInputError, match="nodes"):
        plan_group(current, desired, 'present', ['pve1', 'pve2'])


def test_m10_empty_node_list_is_refused_on_migrated_clusters_too():
    desired = desired_group(dict(name='web', nodes=[], restricted=None, nofailback=None, comment=None))
    with pytest.raises(HaInputError, match="nodes of HA group 'web' is empty"):
        plan_group_as_rule(WEB_RULE, desired, 'present', {'vm:100': True}, ['pve1', 'pve2'], [WEB_RULE])


@pytest.mark.parametrize('crs, fragment', [
    (dict(ha_auto_rebalance=True, ha_auto_rebalance_threshold=101), 'crs.ha_auto_rebalance_threshold is 101'),
    (dict(ha_auto_rebalance=True, ha_auto_rebalance_margin=-1), 'crs.ha_auto_rebalance_margin is -1'),
    (dict(ha_auto_rebalance=True, ha_auto_rebalance_hold_duration=-5), 'crs.ha_auto_rebalance_hold_duration is -5'),
])
def test_l13_crs_numbers_out_of_pve_range_are_refused_locally(crs, fragment):
    after = desired_cluster_ha(dict(crs=crs), normalize_cluster_ha({}))
    with pytest.raises(HaInputError, match=fragment):
        validate_cluster_ha(after, '9.1.2')


def test_l14_unknown_crs_keys_survive_a_rewrite():
    options = {'crs': 'ha=static,ha-future-knob=7'}
    before = normalize_cluster_ha(options)
    assert unmanaged_crs(options) == {'ha-future-knob': '7'}
    after = desired_cluster_ha(dict(crs=dict(ha='basic')), before)
    assert cluster_ha_write_params(before, after, unmanaged_crs(options)) == {'crs': 'ha-future-knob=7'}
    after = desired_cluster_ha(dict(crs=dict(ha_rebalance_on_start=True)), before)
    assert cluster_ha_write_params(before, after, unmanaged_crs(options)) == {
        'crs': 'ha=static,ha-rebalance-on-start=1,ha-future-knob=7'}
