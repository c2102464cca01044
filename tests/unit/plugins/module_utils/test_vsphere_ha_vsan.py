# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vSAN network detection from the hosts' traffic-type assignment, and the isolation-address check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_ha as ha


def vnic(nic_type, device, ipv4=None, mask=None, ipv6=()):
    ip = {'_type': 'HostIpConfig', 'dhcp': False}
    if ipv4:
        ip.update(ipAddress=ipv4, subnetMask=mask)
    if ipv6:
        ip['ipV6Config'] = {'ipV6Address': [{'ipAddress': a, 'prefixLength': p} for a, p in ipv6]}
    return {'device': device, 'key': '%s.key-vim.host.VirtualNic-%s' % (nic_type, device), 'spec': {'ip': ip}}


def host(name, vsan=None, witness=None, management=('vmk0', '10.30.0.11', '255.255.255.0'), state='connected'):
    """A host as read with config.virtualNicManagerInfo; vsan/witness: (device, ipv4, mask, ipv6 list)."""
    adapters = {'vmk0': management[1:]}
    for entry in (vsan, witness):
        if entry:
            adapters[entry[0]] = entry[1:]
    configs = []
    for nic_type, chosen in (('management', management[0]), ('vsan', vsan and vsan[0]), ('vsanWitness', witness and witness[0])):
        candidates = []
        for device, facts in sorted(adapters.items()):
            ipv6 = facts[2] if len(facts) > 2 else ()
            candidates.append(vnic(nic_type, device, facts[0], facts[1], ipv6))
        configs.append({'nicType': nic_type, 'candidateVnic': candidates,
                        'selectedVnic': ['%s.key-vim.host.VirtualNic-%s' % (nic_type, chosen)] if chosen else []})
    return {'name': name, 'runtime.connectionState': state,
            'config.virtualNicManagerInfo': {'_type': 'HostVirtualNicManagerInfo', 'netConfig': configs}}


TWO_NODE = [
    host('robo01', vsan=('vmk1', '172.16.10.1', '255.255.255.248'), witness=('vmk0', '10.30.0.11', '255.255.255.0')),
    host('robo02', vsan=('vmk1', '172.16.10.2', '255.255.255.248'), witness=('vmk0', '10.30.0.12', '255.255.255.0')),
]


def test_witness_traffic_on_the_management_vmknic_is_not_the_vsan_network():
    facts = ha.vsan_network_facts(TWO_NODE)
    assert facts == {'networks': ['172.16.10.0/29'], 'addresses': {'robo01': ['172.16.10.1'], 'robo02': ['172.16.10.2']},
                     'problems': []}


def test_a_management_network_isolation_address_is_refused_on_a_witness_cluster():
    with pytest.raises(ha.HaInputError, match=r'^isolation_addresses entry 10\.30\.0\.1 is not on the vSAN network of cluster ROBO \(172\.16\.10\.0/29\)'):
        ha.check_vsan_isolation_addresses(['10.30.0.1'], ha.vsan_network_facts(TWO_NODE), 'ROBO')
    ha.check_vsan_isolation_addresses(['172.16.10.6'], ha.vsan_network_facts(TWO_NODE), 'ROBO')


def test_the_real_mask_decides_the_network():
    hosts = [host('esx1', vsan=('vmk2', '192.168.50.11', '255.255.254.0'))]
    facts = ha.vsan_network_facts(hosts)
    assert facts['networks'] == ['192.168.50.0/23']
    ha.check_vsan_isolation_addresses(['192.168.51.254'], facts, 'C')


def test_an_ipv6_only_vsan_network_is_read_and_link_local_addresses_are_skipped():
    hosts = [host('esx1', vsan=('vmk1', None, None, [('fe80::1', 64), ('fd00:50::b', 64)]))]
    facts = ha.vsan_network_facts(hosts)
    assert facts == {'networks': ['fd00:50::/64'], 'addresses': {'esx1': ['fd00:50::b']}, 'problems': []}
    ha.check_vsan_isolation_addresses(['fd00:50::1'], facts, 'C')
    with pytest.raises(ha.HaInputError, match='not on the vSAN network'):
        ha.check_vsan_isolation_addresses(['192.168.50.1'], facts, 'C')


def test_unreadable_vsan_addresses_fail_closed_with_the_reason():
    hosts = [host('esx1', vsan=('vmk1', '192.168.60.11', '255.255.255.0')),
             {'name': 'esx3', 'runtime.connectionState': 'connected'}]
    facts = ha.vsan_network_facts(hosts)
    assert facts['problems'] == ['vCenter reports no VMkernel traffic-type assignment (config.virtualNicManagerInfo) for host esx3']
    with pytest.raises(ha.HaInputError) as err:
        ha.check_vsan_isolation_addresses(['192.168.60.1'], facts, 'UR')
    assert 'cannot be checked against the vSAN network of cluster UR because vCenter reports no VMkernel' in str(err.value)


def test_no_vmknic_tagged_for_vsan_is_a_problem_not_an_empty_pass():
    facts = ha.vsan_network_facts([host('esx1')])
    assert facts['problems'] == ['no VMkernel adapter of host esx1 is tagged for vSAN traffic']
    with pytest.raises(ha.HaInputError, match='cannot be checked'):
        ha.check_vsan_isolation_addresses(['10.30.0.1'], facts, 'C')


def test_disconnected_hosts_are_left_out():
    hosts = TWO_NODE + [{'name': 'gone', 'runtime.connectionState': 'notResponding'}]
    assert ha.vsan_network_facts(hosts)['problems'] == []


def test_the_planner_refuses_through_check_against_cluster():
    cluster = {'name': 'ROBO', 'vsan_enabled': True, 'hosts': {}, 'datastores': {},
               'vsan_network': ha.vsan_network_facts(TWO_NODE)}
    with pytest.raises(ha.HaInputError, match='not on the vSAN network'):
        ha.plan({}, {'isolation_addresses': ['10.30.0.1']}, cluster, {}, {})
