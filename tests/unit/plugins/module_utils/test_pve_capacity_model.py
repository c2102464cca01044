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


def storage_entry(storage, node, shared=0, content='images,rootdir', status='available'):
    return {'type': 'storage', 'storage': storage, 'node': node, 'shared': shared, 'content': content, 'status': status}


def test_content_listings_list_shared_storage_once_and_local_storage_per_node():
    resources = [storage_entry('ceph', node, shared=1) for node in ('pve2', 'pve1', 'pve3')]
    resources += [storage_entry('local-lvm', node) for node in ('pve1', 'pve2', 'pve3')]
    resources += [storage_entry('local', 'pve1', content='iso,vztmpl,backup'),
                  storage_entry('pbs', 'pve1', shared=1, content='backup')]
    listings, unreadable = cm.content_listings(resources)
    assert listings == [('pve1', 'ceph', True), ('pve1', 'local-lvm', False), ('pve2', 'local-lvm', False),
                        ('pve3', 'local-lvm', False)]
    assert unreadable == []


def test_content_listings_do_not_grow_with_guests():
    nodes = ['pve%d' % i for i in range(1, 5)]
    base = [storage_entry('ceph', n, shared=1) for n in nodes] + [storage_entry('local-lvm', n) for n in nodes]
    guests = [{'type': 'qemu', 'vmid': 1000 + i, 'node': nodes[i % 4]} for i in range(5000)]
    assert cm.content_listings(base) == cm.content_listings(base + guests)
    assert len(cm.content_listings(base + guests)[0]) == 1 + len(nodes)


def test_content_listings_skip_unavailable_storage():
    resources = [storage_entry('ceph', 'pve1', shared=1, status='unknown'), storage_entry('ceph', 'pve2', shared=1),
                 storage_entry('local-lvm', 'pve1', status='unknown'), storage_entry('local-lvm', 'pve2')]
    listings, unreadable = cm.content_listings(resources)
    assert listings == [('pve2', 'ceph', True), ('pve2', 'local-lvm', False)]
    assert unreadable == [('pve1', 'local-lvm')]


def test_guest_disks_from_content_by_owner_vmid():
    listings = [
        (('pve1', 'ceph', True), [
            {'volid': 'ceph:vm-100-disk-0', 'content': 'images', 'vmid': 100},
            {'volid': 'ceph:vm-104-disk-0', 'content': 'rootdir', 'vmid': 104},
            {'volid': 'ceph:vm-777-disk-0', 'content': 'images', 'vmid': 777},   # no such guest (orphan)
        ]),
        (('pve1', 'local', False), [
            {'volid': 'local:iso/debian.iso', 'content': 'iso'},
            {'volid': 'local:backup/vzdump-qemu-100.vma.zst', 'content': 'backup', 'vmid': 100},
        ]),
        (('pve1', 'local-lvm', False), [{'volid': 'local-lvm:vm-100-disk-1', 'content': 'images', 'vmid': '100'}]),
    ]
    disks = cm.guest_disks_from_content(listings, {100: 'vm', 104: 'ct'})
    assert disks == {
        'vm:100': [{'key': 'vm-100-disk-0', 'storage': 'ceph', 'shared': True},
                   {'key': 'vm-100-disk-1', 'storage': 'local-lvm', 'shared': False}],
        'ct:104': [{'key': 'vm-104-disk-0', 'storage': 'ceph', 'shared': True}],
    }


def test_guest_disks_from_content_counts_a_volume_seen_twice_once():
    volume = {'volid': 'ceph:vm-100-disk-0', 'content': 'images', 'vmid': 100}
    disks = cm.guest_disks_from_content([(('pve1', 'ceph', True), [volume]), (('pve2', 'ceph', True), [volume])],
                                        {100: 'vm'})
    assert disks == {'vm:100': [{'key': 'vm-100-disk-0', 'storage': 'ceph', 'shared': True}]}
