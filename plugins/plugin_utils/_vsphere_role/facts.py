# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The few cluster facts the vsphere_ha role decides on, from vsphere_cluster_ha_info's result.

vSAN on or off, each host's state, the cluster's current host monitoring and default restart
priority, the datastores that can carry heartbeats and the vSAN networks. The vSAN networks
are the ones the info module read from each host's vSAN traffic-type VMkernel adapters with
their own masks (``hosts[].vsan_vmkernel_networks``, ``vsan.networks``; ``vsan.problems``
when a host's could not be read): nothing is assumed about their size.

A datastore can carry heartbeats when it is not vSAN and at least two hosts OF THIS CLUSTER
mount it (vSphere's definition of a shared heartbeat datastore), from the info module's
``datastores[].mounted_by``; ``multipleHostAccess`` alone may count hosts of other clusters.
A fact the info module did not return is None (or listed as unreadable), so the checks can
fail closed and say what could not be read. Keys the info module may add later are ignored.
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


def _datastores(info, host_names):
    """(vSAN datastores, heartbeat candidates, {datastore: cluster hosts mounting it}, datastores whose mounts are unknown)."""
    vsan_datastores, candidates, mounts, unreadable = [], [], {}, []
    for datastore in info.get('datastores') or []:
        name = datastore.get('name')
        if datastore.get('vsan') or str(datastore.get('type') or '').lower() == 'vsan':
            vsan_datastores.append(name)
            continue
        if datastore.get('mounted_by') is None:
            # Only worth reporting when it might be shared; a local datastore is no candidate anyway.
            if datastore.get('shared'):
                unreadable.append(name)
            continue
        mounts[name] = sorted(set(str(h) for h in datastore['mounted_by']) & host_names)
        if len(mounts[name]) >= 2:
            candidates.append(name)
    return sorted(vsan_datastores), sorted(candidates), mounts, sorted(unreadable)


def _ha_setting(info, key):
    """The cluster's current HA setting ``key`` as the info module read it; None when it was not returned."""
    ha_config = info.get('ha_config')
    return ha_config.get(key) if isinstance(ha_config, dict) else None


def cluster_facts(info):
    """vsphere_cluster_ha_info result -> the role's facts (plain data, sorted lists)."""
    info = info or {}
    hosts = [h for h in info.get('hosts') or [] if isinstance(h, dict)]
    vsan_info = info.get('vsan') or {}
    vsan = bool((info.get('cluster') or {}).get('vsan_enabled')) or bool(vsan_info.get('enabled'))
    states = dict((h.get('name'), host_state(h)) for h in hosts)
    vsan_datastores, candidates, mounts, unreadable = _datastores(info, set(states))
    networks, without_network = _vsan_networks(info, hosts)
    return {
        'vsan': vsan,
        'hosts': states,
        'connected_hosts': sorted(name for name, state in states.items() if state == 'connected'),
        'host_monitoring': _ha_setting(info, 'host_monitoring'),
        'restart_priority': _ha_setting(info, 'restart_priority'),
        'heartbeat_candidates': candidates,
        'datastore_mounts': mounts,
        'datastores_mounts_unreadable': unreadable,
        'vsan_datastores': vsan_datastores,
        'vsan_vmkernel_addresses': _vsan_addresses(info, hosts),
        'vsan_networks': networks,
        'vsan_hosts_without_network': without_network if vsan else [],
        'vsan_network_problems': [str(p) for p in vsan_info.get('problems') or []] if vsan else [],
    }
