# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the PVE -> capacity_model mapping (_pve_capacity_model)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils import _pve_capacity_model as cm
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import normalize_group
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import normalize_resource
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule

GIB = 1024 ** 3
RESOURCES = [
    {'type': 'node', 'node': 'pve1', 'status': 'online', 'maxmem': 64 * GIB + 123},
    {'type': 'node', 'node': 'pve2', 'status': 'online', 'maxmem': 64 * GIB},
    {'type': 'node', 'node': 'pve3', 'status': 'offline'},
    {'type': 'qemu', 'vmid': 100, 'node': 'pve1', 'name': 'web1', 'status': 'running', 'maxmem': 8 * GIB + 1},
    {'type': 'lxc', 'vmid': 104, 'node': 'pve2', 'name': 'dns1', 'status': 'stopped', 'maxmem': 512 * 1024 * 1024},
    {'type': 'qemu', 'vmid': 900, 'node': 'pve1', 'name': 'tmpl', 'status': 'stopped', 'maxmem': GIB, 'template': 1},
    {'type': 'storage', 'storage': 'ceph', 'node': 'pve1'},
]


def test_hosts_and_guests_in_contract_units():
    model = cm.build_capacity_model('lab', RESOURCES, [normalize_resource({'sid': 'vm:100'})], {}, host_reserved_mb=2048,
                                    manager_node_status={'pve2': 'maintenance'})
    assert model['platform'] == 'proxmox' and model['cluster'] == 'lab'
    assert model['hosts'] == [dict(name='pve1', memory_mb=65536, reserved_mb=2048, state='online'),
                              dict(name='pve2', memory_mb=65536, reserved_mb=2048, state='maintenance'),
                              dict(name='pve3', memory_mb=0, reserved_mb=2048, state='offline')]
    web, dns = model['guests']
    assert web == dict(id='vm:100', name='web1', host='pve1', running=True, ha=True, memory_mb=8193, reservation_mb=0, overhead_mb=0)
    assert dns['id'] == 'ct:104' and dns['ha'] is False and dns['running'] is False and dns['memory_mb'] == 512
    assert all(g['id'] != 'vm:900' for g in model['guests'])  # templates never run


def test_only_started_ha_resources_are_protected():
    resources = [normalize_resource({'sid': 'vm:100', 'state': 'ignored'})]
    model = cm.build_capacity_model('lab', RESOURCES, resources, {})
    assert model['guests'][0]['ha'] is False


def test_constraints_from_restricted_group_and_rules():
    group = normalize_group({'group': 'web', 'nodes': 'pve1:2,pve2', 'restricted': 1})
    rules = [normalize_rule({'rule': 'db-apart', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': 'vm:101,vm:102'}),
             normalize_rule({'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:103', 'nodes': 'pve3', 'strict': 1}),
             normalize_rule({'rule': 'pref', 'type': 'node-affinity', 'resources': 'vm:104', 'nodes': 'pve1:5,pve2'}),
             normalize_rule({'rule': 'off', 'type': 'node-affinity', 'resources': 'vm:105', 'nodes': 'pve1', 'strict': 1,
                             'disable': 1})]
    out = cm.placement_constraints([(group, ['vm:100'])], rules)
    assert out['vm:100'] == {'allowed_hosts': ['pve1', 'pve2'], 'host_priority': {'pve1': 2, 'pve2': 0}}
    assert out['vm:101'] == {'anti_affinity': ['db-apart']}
    assert out['vm:103'] == {'allowed_hosts': ['pve3'], 'host_priority': {'pve3': 0}}
    assert out['vm:104'] == {'host_priority': {'pve1': 5, 'pve2': 0}}
    assert 'vm:105' not in out  # disabled rules do not constrain


def test_balloon_minimum_is_the_reservation():
    assert cm.balloon_min_mb({'balloon': '2048'}, 8192) == 2048
    assert cm.balloon_min_mb({'balloon': 0}, 8192) == 0
    assert cm.balloon_min_mb({}, 8192) == 0
    assert cm.balloon_min_mb({'balloon': 8192}, 8192) == 0


def test_negative_node_affinity_means_anywhere_but():
    rules = [normalize_rule({'rule': 'not-pve1', 'type': 'node-affinity', 'affinity': 'negative', 'resources': 'vm:100',
                             'nodes': 'pve1', 'strict': 1}),
             normalize_rule({'rule': 'avoid-pve2', 'type': 'node-affinity', 'affinity': 'negative', 'resources': 'vm:101',
                             'nodes': 'pve2'})]
    out = cm.placement_constraints([], rules, ['pve1', 'pve2', 'pve3'])
    assert out['vm:100'] == {'allowed_hosts': ['pve2', 'pve3'], 'host_priority': {'pve2': 0, 'pve3': 0}}
    assert out['vm:101'] == {'host_priority': {'pve1': 0, 'pve3': 0}}
