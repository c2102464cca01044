# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the Ceph -> capacity_model storage mapping (_pve_ceph) and its effect on the verdict."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _pve_ceph as ceph
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate

CRUSH = '''# begin crush map
# types
type 0 osd
type 1 host
type 2 chassis
type 3 rack
type 11 root

# rules
rule replicated_rule {
\tid 0
\ttype replicated
\tstep take default
\tstep chooseleaf firstn 0 type host
\tstep emit
}
rule by-osd {
\tid 1
\ttype replicated
\tstep take default class ssd
\tstep choose firstn 0 type osd
\tstep emit
}
rule by-rack {
\tid 2
\ttype replicated
\tstep take default
\tstep chooseleaf firstn 0 type rack   # one replica per rack
\tstep emit
}
rule two-per-host {
\tid 3
\ttype replicated
\tstep take default
\tstep choose firstn 2 type host
\tstep chooseleaf firstn 2 type osd
\tstep emit
}
# end crush map
'''


def pool(name, size=3, min_size=2, rule=0, rule_name='replicated_rule', **extra):
    item = dict(pool=1, pool_name=name, size=size, min_size=min_size, crush_rule=rule, type='replicated')
    if rule_name:
        item['crush_rule_name'] = rule_name
    item.update(extra)
    return item


def test_only_enabled_rbd_storage_on_the_clusters_own_ceph_counts():
    cfg = [{'storage': 'ceph-vm', 'type': 'rbd', 'pool': 'vmpool'},
           {'storage': 'rbd-default', 'type': 'rbd'},
           {'storage': 'ec', 'type': 'rbd', 'pool': 'ec-meta', 'data-pool': 'ec-data'},
           {'storage': 'far', 'type': 'rbd', 'pool': 'x', 'monhost': '10.0.0.1 10.0.0.2'},
           {'storage': 'off', 'type': 'rbd', 'pool': 'y', 'disable': 1},
           {'storage': 'nfs', 'type': 'nfs'}, {'storage': 'fs', 'type': 'cephfs'}]
    assert ceph.internal_rbd_pools(cfg) == {'ceph-vm': ['vmpool'], 'rbd-default': ['rbd'],
                                            'ec': ['ec-meta', 'ec-data']}


def test_crush_map_rules_map_to_their_last_choose_type():
    types, domains, names = ceph.parse_crush_map(CRUSH)
    assert types == {'osd': 0, 'host': 1, 'chassis': 2, 'rack': 3, 'root': 11}
    assert domains == {'replicated_rule': 'host', 'by-osd': 'osd', 'by-rack': 'rack', 'two-per-host': 'osd'}
    assert names == {0: 'replicated_rule', 1: 'by-osd', 2: 'by-rack', 3: 'two-per-host'}


@pytest.mark.parametrize('size,min_size,domain,expected', [
    (3, 2, 'host', 1), (3, 1, 'host', 2), (2, 2, 'host', 0), (4, 2, 'host', 2),
    (3, 2, 'rack', 1), (3, 1, 'chassis', 2),  # bigger buckets: replicas still on distinct hosts
    (3, 2, 'osd', 0), (3, 1, 'osd', 0),  # replicas may share a host: nothing guaranteed
    (3, 2, 'unknown-type', 0), (3, 2, None, 0),
])
def test_host_failures_tolerated(size, min_size, domain, expected):
    types, _domains, _names = ceph.parse_crush_map(CRUSH)
    assert ceph.host_failures_tolerated(size, min_size, domain, types)[0] == expected


def test_one_entry_per_pool_with_the_guests_whose_disks_are_there():
    pools_by_storage = {'ceph-vm': ['vmpool'], 'ceph-vm2': ['vmpool'], 'scratch': ['scratch']}
    guests = [{'id': 'vm:100', 'disks': [{'storage': 'ceph-vm'}]},
              {'id': 'vm:101', 'disks': [{'storage': 'ceph-vm2'}, {'storage': 'local-lvm'}]},
              {'id': 'vm:102', 'disks': [{'storage': 'local-lvm'}]},
              {'id': 'vm:900', 'disks': [{'storage': 'ceph-vm'}]}]  # a template: not in the model
    users = ceph.storage_users(guests, pools_by_storage, {'vm:100', 'vm:101', 'vm:102'})
    entries, problems = ceph.storage_entries(
        [pool('vmpool'), pool('scratch', size=2, min_size=1, rule=1, rule_name='by-osd')], CRUSH,
        pools_by_storage, users)
    assert [(e['name'], e['failures_tolerated'], e['failure_domain'], e['guests'], e['storages'])
            for e in entries] == [('scratch', 0, 'host', [], ['scratch']),
                                  ('vmpool', 1, 'host', ['vm:100', 'vm:101'], ['ceph-vm', 'ceph-vm2'])]
    assert problems == ["Ceph pool 'scratch': failure domain osd lets replicas share a host, so no host failure "
                        "is guaranteed (size 2, min_size 1)."]


def test_a_pool_every_guest_uses_says_all():
    users = {'ceph-vm': ['vm:100', 'vm:101']}
    entries, _problems = ceph.storage_entries([pool('vmpool')], CRUSH, {'ceph-vm': ['vmpool']}, users,
                                              {'vm:100', 'vm:101'})
    assert entries[0]['guests'] == 'all'
    entries, _problems = ceph.storage_entries([pool('vmpool')], CRUSH, {'ceph-vm': ['vmpool']}, users,
                                              {'vm:100', 'vm:101', 'vm:102'})
    assert entries[0]['guests'] == ['vm:100', 'vm:101']


def test_unknown_disks_mean_every_guest_and_unreadable_rules_mean_zero():
    pools_by_storage = {'ceph-vm': ['vmpool']}
    assert ceph.storage_users([{'id': 'vm:100'}], pools_by_storage, {'vm:100'}) is None
    entries, problems = ceph.storage_entries([pool('vmpool', rule_name=None)], None, pools_by_storage, None)
    assert entries[0]['guests'] == 'all' and entries[0]['failures_tolerated'] == 0
    assert 'could not be read' in problems[0]
    # Without crush_rule_name the rule is found by its id in the CRUSH map.
    entries, problems = ceph.storage_entries([pool('vmpool', rule=2, rule_name=None)], CRUSH, pools_by_storage, None)
    assert (entries[0]['crush_rule'], entries[0]['failures_tolerated'], problems) == ('by-rack', 1, [])


def test_a_pool_missing_from_the_listing_is_left_out_with_a_problem():
    entries, problems = ceph.storage_entries([pool('other')], CRUSH, {'ceph-vm': ['vmpool']}, None)
    assert entries == [] and "Ceph pool 'vmpool' of storage ceph-vm" in problems[0]


def five_node_model(storage):
    hosts = [dict(name='pve%d' % i, memory_mb=65536) for i in range(1, 6)]
    guests = [dict(id='vm:%d' % (100 + i), host='pve%d' % (1 + i % 5), memory_mb=4096) for i in range(10)]
    return dict(platform='proxmox', hosts=hosts, guests=guests, storage=storage)


@pytest.mark.parametrize('min_size,tolerated,limited_by', [(2, 1, 'storage'), (1, 2, 'quorum')])
def test_the_verdict_follows_the_pool(min_size, tolerated, limited_by):
    """size 3 / min_size 2 limits a 5-node cluster to 1 host failure; min_size 1 lets storage survive 2."""
    entries, _problems = ceph.storage_entries([pool('vmpool', min_size=min_size)], CRUSH, {'ceph-vm': ['vmpool']},
                                              {'ceph-vm': ['vm:100', 'vm:101']})
    result = evaluate(five_node_model(entries), host_failures=1)
    assert [(row['name'], row['tolerated']) for row in result['storage']] == [('vmpool', 3 - min_size)]
    storage_row = next(row for row in result['factors'] if row['factor'] == 'storage')
    assert storage_row['tolerated'] == 3 - min_size
    assert (result['tolerated_host_failures'], result['limited_by']) == (tolerated, limited_by)
    refusal = evaluate(five_node_model(entries), host_failures=2)['refusal']
    assert (refusal is not None and 'vmpool' in refusal) == (min_size == 2)
