#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vsphere_cluster_ha_info
short_description: Read a vSphere cluster's HA settings, hosts, VMs, datastores and its capacity model
version_added: 0.1.0
description:
  - Returns the cluster's HA settings in the vocabulary of M(clusterops.ha.vsphere_cluster_ha), the hosts (with their
    HA agent state), the VMs, the datastores, vSAN facts, admission-control status, and RV(capacity_model) for the
    failover-capacity engine.
  - Everything is read with one PropertyCollector C(RetrieveContents) call over a container view (plus login and
    logout), so the number of SOAP calls does not depend on the number of hosts or VMs.
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.vsphere
  - clusterops.ha.vsphere.ACTIONGROUP_VSPHERE
attributes:
  check_mode:
    description: A read-only module; it runs the same in check mode.
    support: full
  diff_mode:
    description: Nothing is changed, so there is no diff.
    support: none
options:
  datacenter:
    description: Name or MoID of the datacenter holding the cluster.
    type: str
    required: true
    aliases: [datacenter_name]
  cluster:
    description: Name or MoID of the cluster.
    type: str
    required: true
    aliases: [cluster_name]
  host_reserved_mb:
    description:
      - MiB per host that VMs can never use (ESXi itself, agents), reported as C(reserved_mb) of every host in
        RV(capacity_model).
      - vCenter has no cheap per-host figure for this, so it is stated here rather than guessed; 0 by default.
    type: int
    default: 0
  vsan_failures_to_tolerate:
    description:
      - Failures to tolerate of the vSAN default storage policy, written to RV(capacity_model) as the vSAN
        datastore's C(storage[].failures_tolerated) (objects stay accessible after that many host, or fault domain,
        failures). vSAN's own default policy tolerates 1.
      - The policy lives in the storage policy service (SPBM), which this module does not read; state it when
        your default policy differs. Ignored without vSAN.
    type: int
    default: 1
notes:
  - In RV(capacity_model) a VM counts as HA-protected unless its effective restart priority is C(disabled), whether
    or not HA is on right now (the model is meant to be checked before enabling HA). Templates are left out.
  - vSAN VMkernel addresses come from the hosts' VMkernel traffic-type assignment (C(config.virtualNicManagerInfo)).
seealso:
  - module: clusterops.ha.vsphere_cluster_ha
'''

EXAMPLES = r'''
- name: Read HA facts and the capacity model
  clusterops.ha.vsphere_cluster_ha_info:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    datacenter: DC1
    cluster: prod-a
    host_reserved_mb: 4096
  register: ha_info

- name: Check N+1 with the capacity engine
  ansible.builtin.debug:
    msg: "{{ ha_info.capacity_model | clusterops.ha.failover_capacity(host_failures=1) }}"
'''

RETURN = r'''
cluster:
  description: The cluster with its datacenter, vSAN state and resource summary.
  returned: always
  type: dict
  sample: {name: prod-a, moid: domain-c8, datacenter: DC1, datacenter_moid: datacenter-2, vsan_enabled: false,
           total_memory_mb: 786432, effective_memory_mb: 760000, num_hosts: 3, num_effective_hosts: 3}
ha_config:
  description: HA settings in the option vocabulary of M(clusterops.ha.vsphere_cluster_ha).
  returned: always
  type: dict
admission_control_status:
  description:
    - What vCenter reports about admission control now (current failover level and free failover resources).
    - C(current_failover_level) comes from C(summary.admissionControlInfo), which reports it for the slot policy only
      (null otherwise); the older C(summary.currentFailoverLevel) is deprecated since vSphere API 4.0.
  returned: always
  type: dict
  sample: {enabled: true, policy: percentage, current_failover_level: 1, current_cpu_failover_percent: 66, current_memory_failover_percent: 60}
hosts:
  description: Hosts of the cluster.
  returned: always
  type: list
  elements: dict
  sample: [{name: esx1, moid: host-21, connection_state: connected, maintenance: false, memory_mb: 262144,
            memory_usage_mb: 80000, das_state: master, vsan_vmkernel_addresses: [198.51.100.11],
            vsan_vmkernel_networks: [198.51.100.0/24]}]
vms:
  description: VMs on the cluster's hosts (templates included, flagged).
  returned: always
  type: list
  elements: dict
  sample: [{name: web1, moid: vm-42, host: esx1, power_state: poweredOn, memory_mb: 8192, reservation_mb: 0,
            overhead_mb: 60, restart_priority: medium, template: false}]
vm_overrides:
  description:
    - Per-VM HA overrides in the vocabulary of M(clusterops.ha.vsphere_cluster_ha_vm_overrides), sorted by VM name.
    - A VM whose restart priority is C(disabled) is not HA-protected in RV(capacity_model).
  returned: always
  type: list
  elements: dict
  sample: [{vm: web01, moid: vm-44, restart_priority: disabled, isolation_response: cluster_default, vm_monitoring: cluster_default,
            apd_response: cluster_default, apd_delay: cluster_default, apd_reaction: cluster_default, pdl_response: cluster_default}]
datastores:
  description:
    - Datastores of the cluster.
    - C(mounted_by) lists the hosts of this cluster that have the datastore mounted and accessible
      (C(shared) is vCenter's C(multipleHostAccess), which may count hosts of other clusters).
  returned: always
  type: list
  elements: dict
  sample: [{name: nfs-01, moid: datastore-11, type: NFS, shared: true, vsan: false, mounted_by: [esx1, esx2]}]
vsan:
  description:
    - vSAN state, the vSAN VMkernel addresses per host and their networks (IPv4 and IPv6, with the adapters' real masks).
    - The addresses come from each connected host's traffic-type assignment (VMkernel adapters tagged C(vsan);
      adapters tagged only for vSAN witness traffic are not vSAN network addresses).
    - C(networks_readable) is false and C(problems) says why when vSAN is on and a connected host's vSAN address
      cannot be read; checks against the vSAN network must then fail closed.
  returned: always
  type: dict
  sample: {enabled: true, vmkernel_addresses: {esx1: [198.51.100.11]}, networks: [198.51.100.0/24],
           networks_readable: true, problems: []}
capacity_model:
  description:
    - The platform-neutral capacity model (see the collection's docs/capacity-model.md).
    - On vSAN clusters it adds C(storage) (the vSAN datastore with C(failures_tolerated), C(failure_domain)
      C(fault_domain) when vSAN fault domains are set, else C(host), and C(guests) C(all)) and C(hosts[].fault_domain).
  returned: always
  type: dict
'''

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._model_common import check_host_reserved_mb, mib_down
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_capacity_model import capacity_model, effective_restart_priority
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_client import VSphereModule, read_cluster
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_ha import (
    normalize_current, vsan_network_facts, vsan_vmkernels)
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_vm_overrides import current_overrides

CLUSTER_PATHS = ['summary']
HOST_PATHS = [
    'runtime.connectionState', 'runtime.inMaintenanceMode', 'runtime.dasHostState', 'summary.hardware.memorySize',
    'summary.quickStats.overallMemoryUsage', 'config.virtualNicManagerInfo', 'config.vsanHostConfig.faultDomainInfo',
]
DATASTORE_PATHS = ['summary.type', 'summary.multipleHostAccess', 'host']
VM_PATHS = [
    'runtime.powerState', 'config.hardware.memoryMB', 'config.memoryAllocation.reservation',
    'summary.quickStats.consumedOverheadMemory', 'config.template',
]


def module_args():
    return dict(
        datacenter=dict(type='str', required=True, aliases=['datacenter_name']),
        cluster=dict(type='str', required=True, aliases=['cluster_name']),
        host_reserved_mb=dict(type='int', default=0),
        vsan_failures_to_tolerate=dict(type='int', default=1),
    )


def host_facts(host):
    das_state = host.get('runtime.dasHostState') or {}
    vmkernels, dummy = vsan_vmkernels(host)
    return {
        'name': host.get('name'),
        'moid': host['_moid'],
        'connection_state': host.get('runtime.connectionState'),
        'maintenance': bool(host.get('runtime.inMaintenanceMode')),
        'memory_mb': mib_down(host.get('summary.hardware.memorySize')),
        'memory_usage_mb': host.get('summary.quickStats.overallMemoryUsage'),
        'das_state': das_state.get('state'),
        'vsan_vmkernel_addresses': [entry['address'] for entry in vmkernels],
        'vsan_vmkernel_networks': sorted(set(entry['network'] for entry in vmkernels)),
    }


def vm_facts(vm, host_names, config):
    return {
        'name': vm.get('name'),
        'moid': vm['_moid'],
        'host': host_names.get(vm.get('runtime.host'), vm.get('runtime.host')),
        'power_state': vm.get('runtime.powerState'),
        'memory_mb': vm.get('config.hardware.memoryMB'),
        'reservation_mb': vm.get('config.memoryAllocation.reservation'),
        'overhead_mb': vm.get('summary.quickStats.consumedOverheadMemory'),
        'restart_priority': effective_restart_priority(config, vm['_moid']),
        'template': bool(vm.get('config.template')),
    }


def datastore_facts(datastore, host_names):
    kind = datastore.get('summary.type')
    mounts = [m for m in datastore.get('host') or [] if m.get('key') in host_names]
    return {
        'name': datastore.get('name'),
        'moid': datastore['_moid'],
        'type': kind,
        'shared': bool(datastore.get('summary.multipleHostAccess')),
        'vsan': str(kind or '').lower() == 'vsan',
        # multipleHostAccess may count hosts of other clusters; HA wants two hosts of this one.
        'mounted_by': sorted(host_names[m['key']] for m in mounts
                             if (m.get('mountInfo') or {}).get('mounted', True) is not False
                             and (m.get('mountInfo') or {}).get('accessible', True) is not False),
    }


def admission_status(ha_config, summary):
    info = summary.get('admissionControlInfo') or {}
    return {
        'enabled': ha_config['admission_control']['enabled'],
        'policy': ha_config['admission_control']['policy'],
        # summary.currentFailoverLevel is deprecated since API 4.0; the slot policy reports it here.
        'current_failover_level': info.get('currentFailoverLevel'),
        'current_cpu_failover_percent': info.get('currentCpuFailoverResourcesPercent'),
        'current_memory_failover_percent': info.get('currentMemoryFailoverResourcesPercent'),
    }


def run(module, client):
    params = module.params
    inventory = read_cluster(client, params['datacenter'], params['cluster'], HOST_PATHS, DATASTORE_PATHS,
                             cluster_paths=CLUSTER_PATHS, vm_paths=VM_PATHS)
    cluster = inventory['cluster']
    config = cluster.get('configurationEx') or {}
    das = config.get('dasConfig') or {}
    summary = cluster.get('summary') or {}
    host_names = dict((h['_moid'], h.get('name')) for h in inventory['hosts'])
    vm_names = dict((vm['_moid'], vm.get('name')) for vm in inventory['vms'])
    datastore_names = dict((d['_moid'], d.get('name')) for d in inventory['datastores'])
    ha_config = normalize_current(das, host_names, datastore_names)
    hosts = [host_facts(h) for h in inventory['hosts']]
    vsan_enabled = bool((config.get('vsanConfigInfo') or {}).get('enabled'))
    vsan_network = vsan_network_facts(inventory['hosts']) if vsan_enabled else {'problems': []}
    return {
        'changed': False,
        'cluster': {
            'name': cluster.get('name'),
            'moid': cluster['_moid'],
            'datacenter': inventory['datacenter'].get('name'),
            'datacenter_moid': inventory['datacenter']['_moid'],
            'vsan_enabled': vsan_enabled,
            'total_memory_mb': mib_down(summary.get('totalMemory')),
            'effective_memory_mb': summary.get('effectiveMemory'),
            'num_hosts': summary.get('numHosts'),
            'num_effective_hosts': summary.get('numEffectiveHosts'),
        },
        'ha_config': ha_config,
        'admission_control_status': admission_status(ha_config, summary),
        'hosts': hosts,
        'vms': [vm_facts(vm, host_names, config) for vm in inventory['vms']],
        'vm_overrides': [dict(vm=vm_names.get(moid, moid), moid=moid, **override)
                         for moid, override in sorted(current_overrides(config.get('dasVmConfig')).items(),
                                                      key=lambda item: vm_names.get(item[0], item[0]))],
        'datastores': [datastore_facts(d, host_names) for d in inventory['datastores']],
        'vsan': {
            'enabled': vsan_enabled,
            'vmkernel_addresses': dict((h['name'], h['vsan_vmkernel_addresses']) for h in hosts if h['vsan_vmkernel_addresses']),
            'networks': sorted(set(n for h in hosts for n in h['vsan_vmkernel_networks'])),
            'networks_readable': vsan_enabled and not vsan_network['problems'],
            'problems': vsan_network['problems'],
        },
        'capacity_model': capacity_model(cluster.get('name'), config, inventory['hosts'], inventory['vms'],
                                         host_reserved_mb=params['host_reserved_mb'], datastores=inventory['datastores'],
                                         vsan_failures_to_tolerate=params['vsan_failures_to_tolerate']),
    }


def check_input(module):
    """Input checks before connecting."""
    check_host_reserved_mb(module.params['host_reserved_mb'])
    if module.params['vsan_failures_to_tolerate'] < 0:
        raise HaInputError('vsan_failures_to_tolerate is %d; set it to 0 or more.' % module.params['vsan_failures_to_tolerate'])


def main():
    module = VSphereModule(module_args(), supports_check_mode=True)
    module.run(lambda client: run(module, client), check=check_input)


if __name__ == '__main__':
    main()
