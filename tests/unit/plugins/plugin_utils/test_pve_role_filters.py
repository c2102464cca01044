# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The proxmox_ha role's filters: registered names, argument coercion, one-sentence errors."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.filter.proxmox_ha_role import FilterModule
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import pve8, pve9

FILTERS = FilterModule().filters()


def test_every_decision_has_its_filter():
    assert sorted(FILTERS) == ['proxmox_ha_configure_plan', 'proxmox_ha_desired_resources', 'proxmox_ha_platform',
                               'proxmox_ha_preflight', 'proxmox_ha_projected_model', 'proxmox_ha_summary',
                               'proxmox_ha_verify']


def test_platform():
    assert FILTERS['proxmox_ha_platform'](pve9()) == dict(version='9.0.10', major=9, groups_migrated=True, rules=True,
                                                          failback=True)
    assert FILTERS['proxmox_ha_platform'](pve8())['rules'] is False


def test_bad_input_is_an_ansible_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match=r'^proxmox_ha_desired_resources: proxmox_ha_resources\[0\].sid'):
        FILTERS['proxmox_ha_desired_resources'](pve9(), [{'sid': 'web1'}])
    with pytest.raises(AnsibleFilterError, match=r"^proxmox_ha_configure_plan: proxmox_ha_groups lists group 'web' twice"):
        FILTERS['proxmox_ha_configure_plan'](pve9(), [], [{'name': 'web'}, {'name': 'web'}], [])


def test_role_variables_arrive_as_strings_and_are_coerced():
    """Role variables of type int/float may reach a filter as strings (extra vars, surveys)."""
    result = FILTERS['proxmox_ha_preflight'](pve9(), [], [], [], min_nodes='4', memory_tolerance_percent='5',
                                             host_failures='0')
    assert result['refusal'].startswith('Preflight refused HA on this cluster: min_nodes: 3 node(s), at least 4 needed')
    assert 'NO failover protection' in result['warnings'][-1]


def test_the_chain_of_one_run():
    info = pve9()
    desired = FILTERS['proxmox_ha_desired_resources'](info, [{'sid': '104', 'group': 'dns'}], nofailback=True)
    groups = [{'name': 'dns', 'nodes': ['pve3:2', 'pve1'], 'restricted': True}]
    assert FILTERS['proxmox_ha_preflight'](info, desired, groups, [])['refusal'] == ''
    model = FILTERS['proxmox_ha_projected_model'](info, desired, groups, [])
    assert [g['allowed_hosts'] for g in model['guests'] if g['id'] == 'ct:104'] == [['pve1', 'pve3']]
    plan = FILTERS['proxmox_ha_configure_plan'](info, desired, groups, [], shutdown_policy='migrate')
    assert plan['group_rules'][0]['resources'] == ['ct:104'] and plan['options'] == {'shutdown_policy': 'migrate'}
    assert FILTERS['proxmox_ha_verify'](info, desired, plan['options']) == [
        'ct:104: no HA resource after the run', 'shutdown_policy migrate asked, cluster reports conditional']
    lines = FILTERS['proxmox_ha_summary'](info, 'sim', False, {}, desired, plan, None, [])
    assert lines[1] == 'Changed: nothing' and lines[-1] == 'Checks:'
