# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's cluster facts come from the info module's result as it is, real vSAN networks included."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.facts import cluster_facts
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import (
    plain_info, vsan_host, vsan_info)


def test_vsan_network_is_the_reported_one_not_an_assumed_24():
    facts = cluster_facts(vsan_info(prefix=26))
    assert facts['vsan'] is True
    assert facts['vsan_networks'] == ['192.168.50.0/26']
    assert facts['vsan_vmkernel_addresses'] == ['192.168.50.11', '192.168.50.12', '192.168.50.13']
    assert facts['vsan_hosts_without_network'] == []


def test_a_22_stays_a_22():
    assert cluster_facts(vsan_info(prefix=22))['vsan_networks'] == ['192.168.48.0/22']


def test_hosts_datastores_and_heartbeat_candidates():
    info = vsan_info()
    info['hosts'][1]['maintenance'] = True
    info['hosts'][2]['connection_state'] = 'notResponding'
    facts = cluster_facts(info)
    assert facts['hosts'] == {'vsan01.lab.local': 'connected', 'vsan02.lab.local': 'maintenance',
                              'vsan03.lab.local': 'notResponding'}
    assert facts['connected_hosts'] == ['vsan01.lab.local']
    assert facts['heartbeat_candidates'] == ['shared-nfs01']  # not the vSAN one, not the local one
    assert facts['vsan_datastores'] == ['vsanDatastore']


def test_connected_hosts_without_a_readable_vsan_network_are_named():
    info = vsan_info(hosts=[vsan_host(1, '192.168.50.11', '192.168.50.0/26'), vsan_host(2, '192.168.50.12', None),
                            vsan_host(3, None, None, maintenance=True)])
    facts = cluster_facts(info)
    assert facts['vsan_networks'] == ['192.168.50.0/26']
    assert facts['vsan_hosts_without_network'] == ['vsan02.lab.local']


def test_keys_the_info_module_may_add_are_ignored_and_ipv6_networks_kept():
    info = vsan_info()
    info['hosts'][0]['vsan_vmkernel_networks'].append('2001:db8:50::/64')
    info['hosts'][0]['vsan_witness_vmkernel_networks'] = ['10.26.0.0/24']
    info['hosts'][0]['vsan_traffic'] = {'vmk1': 'vsan'}
    info['vsan']['witness_networks'] = ['10.26.0.0/24']
    info['vsan']['networks'].append('not a network')
    facts = cluster_facts(info)
    assert facts['vsan_networks'] == ['192.168.50.0/26', '2001:db8:50::/64']


def test_cluster_without_vsan():
    facts = cluster_facts(plain_info())
    assert facts['vsan'] is False
    assert facts['vsan_networks'] == [] and facts['vsan_hosts_without_network'] == []
    assert facts['heartbeat_candidates'] == ['shared-nfs01', 'shared-vmfs01']


def test_an_empty_result_gives_empty_facts():
    assert cluster_facts({}) == {'vsan': False, 'hosts': {}, 'connected_hosts': [], 'heartbeat_candidates': [],
                                 'vsan_datastores': [], 'vsan_vmkernel_addresses': [], 'vsan_networks': [],
                                 'vsan_hosts_without_network': [], 'host_monitoring': None, 'restart_priority': None,
                                 'datastore_mounts': {}, 'datastores_mounts_unreadable': [], 'vsan_network_problems': []}
