# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: everything decided before the first write, from one info result (assess)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.filter.proxmox_ha_role import FilterModule
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.assess import assess
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.domain import HaInputError
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import pve9, resource

FILTERS = FilterModule().filters()
ALL = ('vm:100', 'vm:101', 'vm:102', 'vm:103', 'ct:104', 'vm:105')


def test_only_the_steps_after_the_writes_are_filters():
    assert sorted(FILTERS) == ['proxmox_ha_summary', 'proxmox_ha_verify']


def test_the_chain_of_one_run():
    groups = [{'name': 'dns', 'nodes': ['pve3:2', 'pve1'], 'restricted': True}]
    result = assess(pve9(), dict(resources=[{'sid': '104', 'group': 'dns'}], groups=groups, shutdown_policy='migrate'))
    assert result['platform'] == dict(version='9.0.10', major=9, groups_migrated=True, rules=True, failback=True)
    assert result['refusal'] == '' and result['desired_count'] == 1 and result['cluster_name'] == 'lab9'
    # The capacity verdict is of the cluster as the run leaves it: ct:104 HA and held to pve1/pve3.
    assert result['capacity']['ok'] is True and result['capacity']['summary']
    plan = result['plan']
    assert plan['group_rules'][0]['resources'] == ['ct:104'] and plan['options'] == {'shutdown_policy': 'migrate'}
    assert plan['converge_resources'] is True and [item['sid'] for item in plan['resources_config']] == ['ct:104']
    assert [item['sid'] for item in result['expected']] == ['ct:104']
    assert result['gathered_mismatches'] == ['ct:104: no HA resource after the run',
                                             'shutdown_policy migrate asked, cluster reports conditional']
    lines = FILTERS['proxmox_ha_summary'](result, 'sim', False, {})
    assert lines[1] == 'Changed: nothing' and lines[2].startswith('Capacity: ') and lines[3] == 'Checks:'


def test_resources_already_as_asked_are_not_sent_again():
    """The no-op run at scale: the module's planner finds nothing to write, so the task is skipped."""
    info = pve9(resources=[resource(sid, failback=False) for sid in ALL])
    result = assess(info, dict(protect_running_guests=True))
    assert result['desired_count'] == 6
    assert result['plan']['converge_resources'] is False and result['plan']['resources_config'] == []
    assert result['expected'] == [] and result['gathered_mismatches'] == []


def test_one_changed_field_is_enough_to_run_the_resources_task():
    info = pve9(resources=[resource(sid, failback=False) for sid in ALL])
    result = assess(info, dict(protect_running_guests=True, nofailback=False))
    assert result['plan']['converge_resources'] is True and len(result['plan']['resources_config']) == 6


def test_a_preflight_refusal_stops_before_capacity_and_plan():
    result = assess(pve9(), dict(min_nodes='4', host_failures='0'))
    assert result['refusal'].startswith('Preflight refused HA on this cluster: min_nodes: 3 node(s), at least 4 needed')
    assert 'NO failover protection' in result['check_warnings'][-1]
    assert result['capacity'] is None and result['plan'] is None and result['expected'] == []


def test_bad_role_input_is_one_sentence_naming_the_variable():
    with pytest.raises(HaInputError, match=r'^proxmox_ha_resources\[0\].sid'):
        assess(pve9(), dict(resources=[{'sid': 'web1'}]))
    result = assess(pve9(), dict(groups=[{'name': 'web'}, {'name': 'web'}]))
    assert "proxmox_ha_groups lists group 'web' twice" in result['refusal']


def test_unset_inputs_take_the_role_defaults():
    assert assess(pve9(), dict(mode=None, resources=None))['plan']['converge_resources'] is False
