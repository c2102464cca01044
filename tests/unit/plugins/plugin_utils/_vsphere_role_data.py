# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared inputs of the vsphere_ha role tests: info module results shaped as the module returns them today."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'roles', 'vsphere_ha')
BASE_VARIABLES = {'datacenter': 'DC-VSAN', 'cluster': 'VSAN-Cluster'}


def variables(**overrides):
    result = dict(BASE_VARIABLES)
    result.update(overrides)
    return result


def vsan_host(index, address, network, state='connected', maintenance=False):
    return {'name': 'vsan%02d.lab.local' % index, 'moid': 'host-%d' % index, 'connection_state': state,
            'maintenance': maintenance, 'memory_mb': 262144, 'das_state': None,
            'vsan_vmkernel_addresses': [address] if address else [],
            'vsan_vmkernel_networks': [network] if network else []}


def vsan_info(prefix=26, hosts=None, datastores=None):
    """A vSAN cluster's info result; vSAN vmk1 on 192.168.50.0/<prefix> (hosts .11-.13)."""
    network = '192.168.50.0/%d' % prefix if prefix else None
    if prefix and prefix < 24:
        network = '192.168.48.0/%d' % prefix
    hosts = hosts if hosts is not None else [vsan_host(i, '192.168.50.%d' % (10 + i), network) for i in (1, 2, 3)]
    addresses = dict((h['name'], h['vsan_vmkernel_addresses']) for h in hosts if h['vsan_vmkernel_addresses'])
    everyone = sorted(h['name'] for h in hosts)
    return {
        'changed': False,
        'cluster': {'name': 'VSAN-Cluster', 'moid': 'domain-c1', 'datacenter': 'DC-VSAN', 'vsan_enabled': True},
        'ha_config': {'enabled': True, 'host_monitoring': True, 'restart_priority': 'medium'},
        'hosts': hosts,
        'datastores': datastores if datastores is not None else [
            {'name': 'vsanDatastore', 'moid': 'datastore-1', 'type': 'vsan', 'shared': True, 'vsan': True, 'mounted_by': everyone},
            {'name': 'shared-nfs01', 'moid': 'datastore-2', 'type': 'NFS', 'shared': True, 'vsan': False, 'mounted_by': everyone},
            {'name': 'local-01', 'moid': 'datastore-3', 'type': 'VMFS', 'shared': False, 'vsan': False,
             'mounted_by': everyone[:1]},
        ],
        'vsan': {'enabled': True, 'vmkernel_addresses': addresses,
                 'networks': sorted(set(n for h in hosts for n in h['vsan_vmkernel_networks'])),
                 'networks_readable': True, 'problems': []},
        'capacity_model': {'platform': 'vsphere', 'hosts': [], 'guests': []},
    }


def plain_info():
    """A cluster without vSAN: three hosts, two shared VMFS/NFS datastores."""
    info = vsan_info(prefix=None, hosts=[vsan_host(i, None, None) for i in (1, 2, 3)])
    info['cluster']['vsan_enabled'] = False
    info['vsan'] = {'enabled': False, 'vmkernel_addresses': {}, 'networks': [], 'networks_readable': False, 'problems': []}
    everyone = sorted(h['name'] for h in info['hosts'])
    info['datastores'] = [
        {'name': 'shared-vmfs01', 'moid': 'datastore-1', 'type': 'VMFS', 'shared': True, 'vsan': False, 'mounted_by': everyone},
        {'name': 'shared-nfs01', 'moid': 'datastore-2', 'type': 'NFS', 'shared': True, 'vsan': False, 'mounted_by': everyone},
    ]
    return copy.deepcopy(info)
