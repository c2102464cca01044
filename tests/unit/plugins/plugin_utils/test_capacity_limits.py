# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quorum, storage, fault domains and the maintenance question (one verdict with its reason)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.maintenance import check_maintenance_order
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError, normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import with_report

__metaclass__ = type

GIB = 1024


def cluster(platform, nodes, node_gib=256, guests_per_node=2, guest_gib=8, **extra):
    prefix = 'pve' if platform == 'proxmox' else 'esx'
    model = {'platform': platform, 'cluster': 'c',
             'hosts': [{'name': '%s%d' % (prefix, i), 'memory_mb': node_gib * GIB} for i in range(1, nodes + 1)],
             'guests': [{'id': 'vm:%d%02d' % (i, j), 'host': '%s%d' % (prefix, i), 'memory_mb': guest_gib * GIB}
                        for i in range(1, nodes + 1) for j in range(guests_per_node)]}
    model.update(extra)
    return model


def factor(result, name):
    return next(row['tolerated'] for row in result['factors'] if row['factor'] == name)


# --- the done-when cases ------------------------------------------------------------

def test_three_node_proxmox_tolerates_one_limited_by_quorum():
    result = with_report(evaluate(cluster('proxmox', 3)))
    assert result['tolerated_host_failures'] == 1
    assert result['limited_by'] == 'quorum'
    assert result['quorum'] == {'expected_votes': 3, 'qdevice_votes': 0, 'quorum': 2, 'votes_present': 3,
                                'tolerated': 1, 'unit_votes': [1, 1, 1]}
    assert 'tolerates 1 host failure(s) (limited by quorum: quorum 1, memory 1 or more' in result['summary']


def test_four_node_proxmox_refuses_two_failures_naming_quorum():
    result = with_report(evaluate(cluster('proxmox', 4), host_failures=2))
    assert result['ok'] is False
    assert result['limited_by'] == 'quorum'
    assert result['refusal'] == ('quorum: losing 2 host(s) can leave 2 of 4 expected votes, below the quorum of 3, and '
                                 'PVE HA recovers nothing without quorum; add a node or a QDevice vote, or ask for at most 1.')
    assert result['summary'].endswith(result['refusal'])
    assert factor(result, 'memory') >= 2  # memory alone would have allowed it


def test_four_node_proxmox_with_a_qdevice_passes_two_failures_when_memory_allows():
    result = evaluate(cluster('proxmox', 4, quorum={'qdevice_votes': 1}), host_failures=2)
    assert result['ok'] is True and result['tolerated_host_failures'] == 2
    assert result['quorum']['expected_votes'] == 5 and result['quorum']['quorum'] == 3


def test_four_node_proxmox_with_a_qdevice_still_refuses_when_memory_does_not_allow():
    result = evaluate(cluster('proxmox', 4, node_gib=32, guests_per_node=3, quorum={'qdevice_votes': 1}), host_failures=2)
    assert result['ok'] is False and result['limited_by'] == 'memory' and result['refusal'] is None


def test_vsan_ftt1_on_four_hosts_tolerates_one_limited_by_storage():
    model = cluster('vsphere', 4, storage=[{'name': 'vsanDatastore', 'failures_tolerated': 1, 'failure_domain': 'host',
                                            'guests': 'all'}])
    result = with_report(evaluate(model, host_failures=2))
    assert result['tolerated_host_failures'] == 1 and result['limited_by'] == 'storage'
    assert result['quorum'] is None  # vSphere HA has no majority rule
    assert result['refusal'].startswith("storage 'vsanDatastore' survives 1 host failure(s) (failures_tolerated 1 over its "
                                        "host failure domain)")
    assert 'raise its redundancy' in result['summary']


def test_ceph_size_3_min_size_2_tolerates_one():
    model = cluster('proxmox', 5, storage=[{'name': 'ceph-vm', 'failures_tolerated': 3 - 2}])
    result = evaluate(model)
    assert result['tolerated_host_failures'] == 1 and result['limited_by'] == 'storage'
    assert factor(result, 'quorum') == 2


# --- storage details -----------------------------------------------------------------------

def test_storage_without_ha_guests_does_not_limit():
    model = cluster('vsphere', 4, storage=[{'name': 'iso', 'failures_tolerated': 0, 'guests': []}])
    result = evaluate(model)
    assert result['storage'] == [] and result['limited_by'] == 'memory'


def test_storage_listing_some_guests_counts_only_running_ha_ones():
    model = cluster('vsphere', 4, storage=[{'name': 'old', 'failures_tolerated': 0, 'guests': ['vm:100']}])
    model['guests'][0]['ha'] = False
    assert evaluate(model)['storage'] == []
    model['guests'][0]['ha'] = True
    assert evaluate(model)['tolerated_host_failures'] == 0


def test_an_offline_host_uses_up_the_storage_budget():
    model = cluster('vsphere', 4, storage=[{'name': 'vsan', 'failures_tolerated': 1}])
    model['hosts'][3]['state'] = 'offline'
    model['guests'] = [g for g in model['guests'] if g['host'] != 'esx4']
    result = evaluate(model)
    assert result['storage'][0]['tolerated'] == 0 and result['tolerated_host_failures'] == 0


def test_storage_errors_name_the_field():
    with pytest.raises(CapacityModelError, match=r"storage\[0\].failure_domain is 'rack' for storage 's'; use host or fault_domain"):
        normalize_model(cluster('vsphere', 3, storage=[{'name': 's', 'failures_tolerated': 1, 'failure_domain': 'rack'}]))
    with pytest.raises(CapacityModelError, match=r"storage\[0\].guests names unknown guest 'vm:9'"):
        normalize_model(cluster('vsphere', 3, storage=[{'name': 's', 'failures_tolerated': 1, 'guests': ['vm:9']}]))


# --- quorum details ------------------------------------------------------------------------

def test_two_node_cluster_tolerates_nothing_without_a_qdevice():
    assert evaluate(cluster('proxmox', 2))['tolerated_host_failures'] == 0
    assert evaluate(cluster('proxmox', 2, quorum={'qdevice_votes': 1}))['tolerated_host_failures'] == 1


def test_uneven_votes_lose_the_biggest_voters_first():
    model = cluster('proxmox', 4)
    model['hosts'][0]['votes'] = 3  # 6 votes, quorum 4: losing pve1 leaves 3
    result = evaluate(model)
    assert result['quorum']['tolerated'] == 0 and result['tolerated_host_failures'] == 0
    assert result['refusal'].startswith('quorum: losing 1 host(s) can leave 3 of 6 expected votes, below the quorum of 4')


def test_a_cluster_without_quorum_now_tolerates_nothing():
    model = cluster('proxmox', 3)
    model['hosts'][1]['state'] = 'offline'
    model['hosts'][2]['state'] = 'offline'
    model['guests'] = [g for g in model['guests'] if g['host'] == 'pve1']
    assert evaluate(model, host_failures=0)['quorum']['tolerated'] == -1


def test_votes_are_validated():
    with pytest.raises(CapacityModelError, match=r"hosts\[0\].votes must be a non-negative integer, got -1"):
        normalize_model(cluster('proxmox', 3, hosts=[{'name': 'a', 'memory_mb': 1, 'votes': -1}]))


# --- fault domains ---------------------------------------------------------------------------

def racks(model, size):
    for i, h in enumerate(model['hosts']):
        h['fault_domain'] = 'rack%d' % (i // size)
    return model


def test_declared_racks_are_evaluated_as_units():
    model = racks(cluster('proxmox', 6), 2)
    result = with_report(evaluate(model, domain_failures=1))
    domains = result['fault_domains']
    assert domains['domains'] == {'rack0': ['pve1', 'pve2'], 'rack1': ['pve3', 'pve4'], 'rack2': ['pve5', 'pve6']}
    assert domains['tolerated_domain_failures'] == 1 and domains['limited_by'] == 'quorum'
    assert result['ok'] is True
    assert '## Fault domains: 1 failure(s) tolerated' in result['report']


def test_losing_a_rack_that_memory_cannot_absorb_is_refused():
    # 4 hosts in 2 racks, each host 62 % full: one host down fits, a whole rack does not.
    model = racks(cluster('vsphere', 4, node_gib=64, guests_per_node=5, guest_gib=8), 2)
    result = with_report(evaluate(model, domain_failures=1))
    assert result['tolerated_host_failures'] >= 1
    assert result['fault_domains']['tolerated_domain_failures'] == 0
    assert result['fault_domains']['first_failing']['failed_domains'] == ['rack0']
    assert result['ok'] is False
    assert '1 fault-domain failure(s) requested, 0 tolerated' in result['summary']


def test_fault_domain_storage_counts_domains_not_hosts():
    model = racks(cluster('vsphere', 6), 2)
    model['storage'] = [{'name': 'vsan', 'failures_tolerated': 1, 'failure_domain': 'fault_domain'}]
    result = evaluate(model, domain_failures=1)
    assert result['fault_domains']['storage'][0]['tolerated'] == 1
    model['storage'][0]['failure_domain'] = 'host'  # two hosts per rack exceed FTT=1 over hosts
    assert evaluate(model, domain_failures=1)['fault_domains']['storage'][0]['tolerated'] == 0


def test_no_domains_declared_means_no_domain_section():
    assert evaluate(cluster('proxmox', 3))['fault_domains'] is None


# --- the maintenance question ----------------------------------------------------------------

def test_rolling_maintenance_on_four_nodes_keeps_n_plus_one_with_memory_to_spare():
    verdict = check_maintenance_order(cluster('proxmox', 5), ['pve1', 'pve2'], host_failures=1)
    assert verdict['ok'] is True and [s['in_maintenance'] for s in verdict['steps']] == [['pve1'], ['pve2']]
    assert verdict['summary'].startswith('Maintenance order OK (rolling): every step keeps N+1')


def test_maintenance_on_three_nodes_cannot_keep_n_plus_one_because_of_quorum():
    verdict = check_maintenance_order(cluster('proxmox', 3), ['pve1'], host_failures=1)
    step = verdict['steps'][0]
    assert verdict['ok'] is False and verdict['first_failing_step'] == 1
    assert step['tolerated_host_failures'] == 0 and step['limited_by'] == 'quorum'
    assert 'add a node or a QDevice vote' in verdict['summary']


def test_cumulative_maintenance_fails_where_memory_runs_out():
    model = cluster('vsphere', 4, node_gib=64, guests_per_node=4, guest_gib=8)
    assert check_maintenance_order(model, ['esx1', 'esx2'], mode='rolling')['ok'] is True
    verdict = check_maintenance_order(model, ['esx1', 'esx2'], mode='cumulative')
    assert verdict['ok'] is False and verdict['first_failing_step'] == 2
    assert verdict['steps'][1]['limited_by'] == 'memory'


def test_maintenance_input_is_validated():
    with pytest.raises(CapacityModelError, match="order names unknown host 'pve9'"):
        check_maintenance_order(cluster('proxmox', 3), ['pve9'])
    with pytest.raises(CapacityModelError, match="mode must be 'rolling' or 'cumulative'"):
        check_maintenance_order(cluster('proxmox', 3), ['pve1'], mode='all')
    with pytest.raises(CapacityModelError, match="maintenance names unknown host 'x'"):
        evaluate(cluster('proxmox', 3), maintenance=['x'])
