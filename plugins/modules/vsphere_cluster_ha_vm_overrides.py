#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vsphere_cluster_ha_vm_overrides
short_description: Per-VM vSphere HA overrides (restart priority, isolation response, VM monitoring, APD/PDL) for many VMs at once
version_added: 0.2.0
description:
  - Sets, replaces, removes or reads the per-VM vSphere HA overrides of one cluster (the cluster's C(dasVmConfig)).
  - All changes of one run go to vCenter in ONE C(ReconfigureComputeResource_Task) (C(dasVmConfigSpec), C(modify=true)),
    whatever the number of VMs; a run that changes nothing makes no write call.
  - VM names (or MoIDs) that are not in the cluster are refused before anything is written, all of them in one message.
  - Every setting of an override is a value or C(cluster_default) (the VM follows the cluster's setting).
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.vsphere
  - clusterops.ha.vsphere.ACTIONGROUP_VSPHERE
attributes:
  check_mode:
    description: Reads only; reports what would change and makes no write call.
    support: full
  diff_mode:
    description: Returns the overrides before and after, by VM name.
    support: full
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
  state:
    description:
      - C(merged) sets the given settings of the listed VMs and keeps their other settings (a VM without an override
        gets one, its other settings C(cluster_default)).
      - C(replaced) makes the override of each listed VM exactly the given settings (settings not given become
        C(cluster_default)); other VMs are left alone.
      - C(overridden) is C(replaced), and removes the overrides of every VM not listed.
      - C(deleted) removes the overrides of the listed VMs (give only C(vm)).
      - C(gathered) reads the overrides and changes nothing (O(overrides) is ignored).
    type: str
    default: merged
    choices: [merged, replaced, overridden, deleted, gathered]
  overrides:
    description: One entry per VM.
    type: list
    elements: dict
    default: []
    suboptions:
      vm:
        description: VM name or MoID; a name shared by several VMs of the cluster is refused (give the MoID).
        type: str
        required: true
      restart_priority:
        description: Restart priority; C(disabled) means HA does not restart this VM (it is then not HA-protected).
        type: str
        choices: [cluster_default, disabled, lowest, low, medium, high, highest]
      isolation_response:
        description: What the VM's host does with the VM when the host is isolated.
        type: str
        choices: [cluster_default, none, powerOff, shutdown]
      vm_monitoring:
        description: VM monitoring mode for this VM (the cluster's timers apply).
        type: str
        choices: [cluster_default, vmMonitoringDisabled, vmMonitoringOnly, vmAndAppMonitoring]
      apd_response:
        description: Response to All Paths Down on the VM's datastore (VM Component Protection).
        type: str
        choices: [cluster_default, disabled, warning, restartConservative, restartAggressive]
      apd_delay:
        description: Seconds after the APD timeout before the VM is terminated; C(cluster_default) or 0 and more.
        type: raw
      apd_reaction:
        description: What to do when APD clears before the delay ends.
        type: str
        choices: [cluster_default, none, reset]
      pdl_response:
        description: Response to Permanent Device Loss.
        type: str
        choices: [cluster_default, disabled, warning, restartAggressive]
notes:
  - The overrides act only while VM Component Protection and VM monitoring are on at the cluster level
    (see M(clusterops.ha.vsphere_cluster_ha)).
  - Before writing, the module reads the overrides again; if they changed since its first read it fails with
    C(error_kind=conflict) and writes nothing.
seealso:
  - module: clusterops.ha.vsphere_cluster_ha
  - module: clusterops.ha.vsphere_cluster_ha_info
'''

EXAMPLES = r'''
- name: Databases first, test VMs never restarted
  clusterops.ha.vsphere_cluster_ha_vm_overrides:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    datacenter: DC1
    cluster: prod-a
    overrides:
      - {vm: db01, restart_priority: highest, isolation_response: shutdown}
      - {vm: db02, restart_priority: highest, isolation_response: shutdown, pdl_response: restartAggressive}
      - {vm: test01, restart_priority: disabled}

- name: Exactly these overrides, no others
  clusterops.ha.vsphere_cluster_ha_vm_overrides:
    datacenter: DC1
    cluster: prod-a
    state: overridden
    overrides:
      - {vm: db01, restart_priority: highest}

- name: Read them
  clusterops.ha.vsphere_cluster_ha_vm_overrides:
    datacenter: DC1
    cluster: prod-a
    state: gathered
  register: ha_overrides
'''

RETURN = r'''
cluster:
  description: The cluster.
  returned: always
  type: dict
  sample: {name: prod-a, moid: domain-c8, datacenter: DC1, datacenter_moid: datacenter-2}
overrides:
  description: The overrides after the run (read back from vCenter when something was changed), sorted by VM name.
  returned: always
  type: list
  elements: dict
  sample: [{vm: db01, moid: vm-42, restart_priority: highest, isolation_response: shutdown, vm_monitoring: cluster_default,
            apd_response: cluster_default, apd_delay: cluster_default, apd_reaction: cluster_default, pdl_response: cluster_default}]
added:
  description: VMs that got an override.
  returned: always
  type: list
  elements: str
updated:
  description: VMs whose override changed.
  returned: always
  type: list
  elements: str
removed:
  description: VMs whose override was removed.
  returned: always
  type: list
  elements: str
diff:
  description: Overrides before and after, by VM name.
  returned: when diff mode is on
  type: dict
task:
  description: MoID of the reconfigure task, when one ran.
  returned: when changed and not in check mode
  type: str
'''

from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_client import (
    VSphereError, VSphereModule, from_plain, read_cluster)
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_vm_overrides import (
    CHOICES, CLUSTER_DEFAULT, STATES, OverrideInputError, current_overrides, plan)


class OverridesConflictError(VSphereError):
    """The overrides changed between this run's read and its write."""

    kind = 'conflict'


def module_args():
    entry = dict(
        vm=dict(type='str', required=True),
        apd_delay=dict(type='raw'),
    )
    for name, values in CHOICES.items():
        entry[name] = dict(type='str', choices=[CLUSTER_DEFAULT] + list(values))
    return dict(
        datacenter=dict(type='str', required=True, aliases=['datacenter_name']),
        cluster=dict(type='str', required=True, aliases=['cluster_name']),
        state=dict(type='str', default='merged', choices=list(STATES)),
        overrides=dict(type='list', elements='dict', default=[], options=entry),
    )


def read_overrides(client, cluster_moid):
    config = client.retrieve_object('ClusterComputeResource', cluster_moid, ['configurationEx']).get('configurationEx') or {}
    return config.get('dasVmConfig') or []


def apd_delay_of(value):
    """The raw apd_delay option -> int or cluster_default (strings of digits from YAML or Jinja become ints)."""
    if value is None or value == CLUSTER_DEFAULT or isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return value


def with_references(client, spec):
    """Turn the VM MoIDs of a dasVmConfigSpec entry into managed-object references."""
    spec = dict(spec)
    if 'removeKey' in spec:
        spec['removeKey'] = client.moref('VirtualMachine', spec['removeKey'])
    if 'info' in spec:
        spec['info'] = dict(spec['info'], key=client.moref('VirtualMachine', spec['info']['key']))
    return spec


def reconfigure(client, cluster_moid, specs):
    """ONE ReconfigureComputeResource_Task(modify=True) carrying every per-VM change; returns the task MoID."""
    config = from_plain({'_type': 'ClusterConfigSpecEx', 'dasVmConfigSpec': [with_references(client, s) for s in specs]}, client.stub)
    cluster = client.moref('ClusterComputeResource', cluster_moid)
    task = client.call(lambda: cluster.ReconfigureComputeResource_Task(config, True))
    client.wait_for_task(task._moId)
    return task._moId


def as_list(by_name, moids):
    return [dict(vm=name, moid=moids.get(name), **settings) for name, settings in sorted(by_name.items())]


def run(module, client):
    params = module.params
    inventory = read_cluster(client, params['datacenter'], params['cluster'], ['name'], [], vm_paths=['config.template'])
    cluster = inventory['cluster']
    vm_names = dict((vm['_moid'], vm.get('name')) for vm in inventory['vms'] if not vm.get('config.template'))
    moids = dict((name, moid) for moid, name in vm_names.items())
    das_vm_config = (cluster.get('configurationEx') or {}).get('dasVmConfig') or []
    overrides = [dict(o, apd_delay=apd_delay_of(o.get('apd_delay'))) for o in params['overrides']]
    decided = plan(das_vm_config, overrides, params['state'], vm_names)
    result = {
        'changed': decided['spec'] is not None,
        'cluster': {'name': cluster.get('name'), 'moid': cluster['_moid'], 'datacenter': inventory['datacenter'].get('name'),
                    'datacenter_moid': inventory['datacenter']['_moid']},
        'overrides': as_list(decided['after'], moids),
        'added': decided['added'], 'updated': decided['updated'], 'removed': decided['removed'],
    }
    if decided['spec'] is not None and not module.check_mode:
        if read_overrides(client, cluster['_moid']) != das_vm_config:
            raise OverridesConflictError('The HA overrides of cluster %s changed after this run read them, so nothing was written; '
                                         'run again to plan against them.' % cluster.get('name'))
        result['task'] = reconfigure(client, cluster['_moid'], decided['spec'])
        actual = current_overrides(read_overrides(client, cluster['_moid']))
        result['overrides'] = as_list(dict((vm_names.get(m, m), o) for m, o in actual.items()), moids)
    if module.diff_mode:
        after = dict((o['vm'], dict((k, v) for k, v in o.items() if k not in ('vm', 'moid'))) for o in result['overrides'])
        result['diff'] = {'before': decided['before'], 'after': after}
    return result


def main():
    module = VSphereModule(module_args(), input_errors=(OverrideInputError,), supports_check_mode=True)
    module.run(lambda client: run(module, client))


if __name__ == '__main__':
    main()
