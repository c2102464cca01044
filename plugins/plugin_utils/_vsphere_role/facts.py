# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The few cluster facts the vsphere_ha role decides on, from vsphere_cluster_ha_info's result.

vSAN on or off, each host's state, the datastores that can carry heartbeats (shared, not
vSAN) and the vSAN networks. The vSAN networks are the ones the info module read from each
vSAN VMkernel adapter's own address and subnet mask (``hosts[].vsan_vmkernel_networks``,
``vsan.networks``): nothing is assumed about their size. Keys the info module may add later
are ignored.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress


def _network(text):
    """A CIDR string -> ip_network, or None when it is not one."""
    try:
        return ipaddress.ip_network(str(text).strip(), strict=False)
    except ValueError:
        return None


def network_order(network):
    return (network.version, network.network_address, network.prefixlen)


def host_state(host):
    """'maintenance', or vCenter's connection state ('connected' when not reported)."""
    if host.get('maintenance'):
        return 'maintenance'
    return host.get('connection_state') or 'connected'


def _vsan_networks(info, hosts):
    """(sorted CIDR strings, connected hosts with no readable vSAN network)."""
    found = set()
    without = []
    for host in hosts:
        networks = [n for n in (_network(text) for text in host.get('vsan_vmkernel_networks') or []) if n]
        found.update(networks)
        if not networks and host_state(host) == 'connected':
            without.append(host.get('name'))
    for text in (info.get('vsan') or {}).get('networks') or []:
        network = _network(text)
        if network:
            found.add(network)
    return [str(n) for n in sorted(found, key=network_order)], sorted(without)


def _vsan_addresses(info, hosts):
    addresses = set()
    for host in hosts:
        addresses.update(str(a) for a in host.get('vsan_vmkernel_addresses') or [])
    for host_addresses in ((info.get('vsan') or {}).get('vmkernel_addresses') or {}).values():
        addresses.update(str(a) for a in host_addresses or [])
    return sorted(addresses)


def cluster_facts(info):
    """vsphere_cluster_ha_info result -> the role's facts (plain data, sorted lists)."""
    info = info or {}
    hosts = [h for h in info.get('hosts') or [] if isinstance(h, dict)]
    vsan = bool((info.get('cluster') or {}).get('vsan_enabled')) or bool((info.get('vsan') or {}).get('enabled'))
    states = dict((h.get('name'), host_state(h)) for h in hosts)
    vsan_datastores, candidates = [], []
    for datastore in info.get('datastores') or []:
        if datastore.get('vsan') or str(datastore.get('type') or '').lower() == 'vsan':
            vsan_datastores.append(datastore.get('name'))
        elif datastore.get('shared'):
            candidates.append(datastore.get('name'))
    networks, without_network = _vsan_networks(info, hosts)
    return {
        'vsan': vsan,
        'hosts': states,
        'connected_hosts': sorted(name for name, state in states.items() if state == 'connected'),
        'heartbeat_candidates': sorted(candidates),
        'vsan_datastores': sorted(vsan_datastores),
        'vsan_vmkernel_addresses': _vsan_addresses(info, hosts),
        'vsan_networks': networks,
        'vsan_hosts_without_network': without_network if vsan else [],
    }
