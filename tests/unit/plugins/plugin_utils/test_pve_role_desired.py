# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: the HA resources it converges and the resources the cluster holds after the run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.desired import (
    desired_resources, ha_protected_sids, projected_resources, removed_sids)
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import pve8, pve9, resource


def test_container_given_as_bare_vmid_stays_a_container():
    """Drift (issue 11 #1, issue 16 L10): the old template made "104" vm:104, which the module then refused."""
    items = desired_resources(pve9(), [{'sid': '104'}, {'sid': 100}])
    assert [item['sid'] for item in items] == ['ct:104', 'vm:100']


def test_wrong_guest_type_and_unknown_vmid_are_refused_naming_the_entry():
    with pytest.raises(HaInputError, match=r"proxmox_ha_resources\[0\].sid 'vm:104' says vm but guest 104 is a container"):
        desired_resources(pve9(), [{'sid': 'vm:104'}])
    with pytest.raises(HaInputError, match=r"proxmox_ha_resources\[1\].sid '999'.*does not exist"):
        desired_resources(pve9(), [{'sid': '100'}, {'sid': '999'}])


def test_same_resource_twice_is_refused():
    with pytest.raises(HaInputError, match='lists vm:100 twice'):
        desired_resources(pve9(), [{'sid': '100'}, {'sid': 'vm:100'}])


def test_defaults_fill_in_and_explicit_fields_win():
    items = desired_resources(pve9(), [{'sid': '100', 'state': 'stopped', 'failback': True, 'group': None}],
                              resource_state='started', nofailback=True)
    assert items == [{'sid': 'vm:100', 'state': 'stopped', 'failback': True}]
    assert desired_resources(pve9(), [{'sid': '101'}], resource_state='disabled', nofailback=True) == [
        {'sid': 'vm:101', 'state': 'disabled', 'failback': False}]


def test_pve8_resources_have_no_failback_even_when_given():
    assert desired_resources(pve8(), [{'sid': '100', 'failback': False}]) == [{'sid': 'vm:100', 'state': 'started'}]


def test_protect_running_guests_adds_the_unlisted_ones_after_the_listed():
    items = desired_resources(pve9(), [{'sid': '105', 'max_relocate': 2}], protect_running_guests=True, nofailback=False)
    assert [item['sid'] for item in items] == ['vm:105', 'ct:104', 'vm:100', 'vm:101', 'vm:102', 'vm:103']
    assert items[0] == {'sid': 'vm:105', 'state': 'started', 'failback': True, 'max_relocate': 2}


def test_stopped_guests_are_not_protected():
    info = pve9()
    info['capacity_model']['guests'][0]['running'] = False
    sids = [item['sid'] for item in desired_resources(info, [], protect_running_guests=True)]
    assert 'vm:100' not in sids and len(sids) == 5


@pytest.mark.parametrize('mode, removed', [('merged', []), ('replaced', []), ('overridden', ['vm:101', 'vm:103'])])
def test_overridden_removes_every_unlisted_resource(mode, removed):
    info = pve9(resources=[resource('vm:100'), resource('vm:101'), resource('vm:103')])
    desired = [{'sid': 'vm:100', 'state': 'started'}]
    assert removed_sids(info, desired, mode) == removed
    assert sorted(projected_resources(info, desired, mode)) == sorted({'vm:100', 'vm:101', 'vm:103'} - set(removed))


def test_ha_protected_are_the_started_resources_after_the_run():
    info = pve9(resources=[resource('vm:100'), resource('vm:101'), resource('vm:102', state='stopped')])
    desired = [{'sid': 'vm:101', 'state': 'stopped'}, {'sid': 'ct:104', 'state': 'enabled'}]
    assert ha_protected_sids(info, desired, 'merged') == ['vm:100', 'ct:104']
    assert ha_protected_sids(info, desired, 'overridden') == ['ct:104']
