# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Map vSphere reads to the platform-neutral capacity_model (docs/capacity-model.md).

Pure: takes the plain data of one PropertyCollector read and returns plain data.

Decisions (documented in docs/modules/vsphere.md):
- hosts[].memory_mb is ``summary.hardware.memorySize`` rounded down to MiB. reserved_mb is
  the caller's ``host_reserved_mb`` (default 0): vCenter reports no per-host figure for
  "memory available to VMs" that can be read cheaply (the cluster only reports a total
  ``effectiveMemory``), so the operator states the ESXi overhead instead of the module
  spreading a cluster total over hosts.
- state: ``maintenance`` when in maintenance mode, ``online`` when connected, else ``offline``.
- guests[].memory_mb is ``config.hardware.memoryMB``, reservation_mb
  ``config.memoryAllocation.reservation`` and overhead_mb
  ``summary.quickStats.consumedOverheadMemory`` (all MiB already). Templates are skipped.
- ha is false when the VM's effective restart priority is ``disabled`` (per-VM override in
  configurationEx.dasVmConfig first, then the cluster default; vSphere's default is medium),
  true otherwise. It does
  not depend on HA being enabled now: the model is meant to be checked before enabling.
- allowed_hosts come from enabled mandatory VM-host rules ("must run on" a host group;
  "must not run on" removes hosts), host_priority from enabled non-mandatory "should run
  on" rules (priority 1), anti_affinity labels from enabled VM-VM anti-affinity rules
  (the label is the rule name).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._model_common import dedupe_anti_affinity, mib_down

DEFAULT_RESTART_PRIORITY = 'medium'


def host_state(host):
    if host.get('runtime.inMaintenanceMode'):
        return 'maintenance'
    if host.get('runtime.connectionState') == 'connected':
        return 'online'
    return 'offline'


def effective_restart_priority(config, vm_moid):
    """The restart priority HA applies to one VM: its override, else the cluster default.

    ``config`` is the cluster's configurationEx: the per-VM overrides are its ``dasVmConfig``
    (ClusterConfigInfoEx), the default is ``dasConfig.defaultVmSettings``.
    """
    config = config or {}
    default = ((config.get('dasConfig') or {}).get('defaultVmSettings') or {}).get('restartPriority') or DEFAULT_RESTART_PRIORITY
    for override in config.get('dasVmConfig') or []:
        if override.get('key') != vm_moid:
            continue
        settings = override.get('dasSettings') or {}
        priority = settings.get('restartPriority') or override.get('restartPriority')
        if priority and priority != 'clusterRestartPriority':
            return priority
    return default


def _groups(config):
    vm_groups, host_groups = {}, {}
    for group in config.get('group') or []:
        if group.get('_type') == 'ClusterVmGroup':
            vm_groups[group.get('name')] = group.get('vm') or []
        elif group.get('_type') == 'ClusterHostGroup':
            host_groups[group.get('name')] = group.get('host') or []
    return vm_groups, host_groups


def placement_constraints(config, host_names):
    """{vm moid: {allowed_hosts?, host_priority?, anti_affinity?}} from DRS rules and groups.

    ``config`` is the cluster's configurationEx as plain data; ``host_names`` maps host MoIDs to names.
    """
    vm_groups, host_groups = _groups(config)
    all_hosts = set(host_names.values())
    out = {}
    for rule in config.get('rule') or []:
        if rule.get('enabled') is False:
            continue
        kind = rule.get('_type')
        if kind == 'ClusterAntiAffinityRuleSpec':
            for vm in rule.get('vm') or []:
                out.setdefault(vm, {}).setdefault('anti_affinity', []).append(rule.get('name'))
        elif kind == 'ClusterVmHostRuleInfo':
            affine = set(host_names.get(h, h) for h in host_groups.get(rule.get('affineHostGroupName'), []))
            anti = set(host_names.get(h, h) for h in host_groups.get(rule.get('antiAffineHostGroupName'), []))
            for vm in vm_groups.get(rule.get('vmGroupName'), []):
                entry = out.setdefault(vm, {})
                if rule.get('mandatory'):
                    allowed = set(entry.get('allowed_hosts', all_hosts))
                    if rule.get('affineHostGroupName'):
                        allowed &= affine
                    allowed -= anti
                    entry['allowed_hosts'] = sorted(allowed)
                elif affine:
                    priority = entry.setdefault('host_priority', {})
                    for name in affine:
                        priority[name] = 1
    return dedupe_anti_affinity(out)


def fault_domain(host):
    """The vSAN fault domain a host belongs to (``vsanHostConfig.faultDomainInfo.name``), or None."""
    return ((host.get('config.vsanHostConfig.faultDomainInfo') or {}).get('name')) or None


def vsan_storage(config, hosts, datastores, failures_to_tolerate):
    """The vSAN datastore as a capacity-model storage entry (all guests depend on it), or [] without vSAN.

    vSAN places an object's replicas in different fault domains when fault domains are set,
    else on different hosts, so an object with failures-to-tolerate n survives n of those.
    """
    if not ((config.get('vsanConfigInfo') or {}).get('enabled')):
        return []
    names = [d.get('name') for d in datastores or [] if str(d.get('summary.type') or '').lower() == 'vsan'] or ['vsanDatastore']
    domain = 'fault_domain' if any(fault_domain(h) for h in hosts) else 'host'
    return [{'name': name, 'failures_tolerated': int(failures_to_tolerate), 'failure_domain': domain, 'guests': 'all'}
            for name in names]


def capacity_model(cluster_name, config, hosts, vms, host_reserved_mb=0, datastores=None, vsan_failures_to_tolerate=1):
    """The capacity_model of one cluster.

    ``config``: configurationEx as plain data; ``hosts``/``vms``/``datastores``: PropertyCollector
    entries (see vsphere_cluster_ha_info for the property paths read).
    """
    host_names = dict((h['_moid'], h.get('name', h['_moid'])) for h in hosts)
    das = config.get('dasConfig') or {}
    constraints = placement_constraints(config, host_names)
    model_hosts = [{
        'name': host_names[h['_moid']],
        'memory_mb': mib_down(h.get('summary.hardware.memorySize')),
        'reserved_mb': int(host_reserved_mb or 0),
        'state': host_state(h),
    } for h in hosts]
    for entry, host in zip(model_hosts, hosts):
        if fault_domain(host):
            entry['fault_domain'] = fault_domain(host)
    guests = []
    for vm in vms:
        if vm.get('config.template'):
            continue
        guest = {
            'id': vm['_moid'],
            'name': vm.get('name', vm['_moid']),
            'host': host_names.get(vm.get('runtime.host'), vm.get('runtime.host')),
            'running': vm.get('runtime.powerState') == 'poweredOn',
            'ha': effective_restart_priority(config, vm['_moid']) != 'disabled',
            'memory_mb': int(vm.get('config.hardware.memoryMB') or 0),
            'reservation_mb': int(vm.get('config.memoryAllocation.reservation') or 0),
            'overhead_mb': int(vm.get('summary.quickStats.consumedOverheadMemory') or 0),
        }
        guest.update(constraints.get(vm['_moid'], {}))
        guests.append(guest)
    model = {'platform': 'vsphere', 'cluster': cluster_name, 'hosts': model_hosts, 'guests': guests}
    storage = vsan_storage(config, hosts, datastores, vsan_failures_to_tolerate)
    if storage:
        model['storage'] = storage
    return model
