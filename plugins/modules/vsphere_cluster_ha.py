#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: vsphere_cluster_ha
short_description: Configure vSphere HA (das) on a cluster, idempotently and in one reconfigure task
version_added: 0.1.0
description:
  - Sets the vSphere HA settings of one cluster with a single C(ReconfigureComputeResource_Task) (C(modify=true), so
    nothing outside the changed settings is touched).
  - Every option is optional; an option left unset leaves that setting as it is on the cluster.
  - Isolation addresses, the default isolation address, the isolation shutdown timeout and the number of heartbeat
    datastores per host are first-class, validated options; other C(das.*) and C(fdm.*) keys go in O(advanced_options).
  - All bad input is refused with one sentence naming the option before anything is written.
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
    description: Returns the HA settings before and after (in the option vocabulary of this module).
    support: full
options:
  datacenter:
    description: Name or MoID of the datacenter holding the cluster; the cluster lookup is scoped to it.
    type: str
    required: true
    aliases: [datacenter_name]
  cluster:
    description: Name or MoID (for example C(domain-c8)) of the cluster.
    type: str
    required: true
    aliases: [cluster_name]
  enabled:
    description: Turn vSphere HA on or off.
    type: bool
  host_monitoring:
    description: Host monitoring (network heartbeats between the HA agents); off during network maintenance.
    type: bool
  isolation_addresses:
    description:
      - IPv4/IPv6 addresses a host pings to decide whether it is isolated, at most 10, written to
        C(das.isolationaddress0) onwards in list order.
      - Keys with higher indices left from before are removed. An empty list removes all of them.
      - On vSAN clusters use addresses on the vSAN network together with O(use_default_isolation_address=false).
        On a vSAN cluster an address outside the vSAN VMkernel networks (read from the hosts' C(vsan) traffic-type
        assignment, not from witness-traffic adapters) is refused, and so is any address when a connected host's
        vSAN address cannot be read (see O(vsan_network_check)).
    type: list
    elements: str
  use_default_isolation_address:
    description: Whether the management network's default gateway is also used as an isolation address (C(das.usedefaultisolationaddress)).
    type: bool
  isolation_response:
    description: Cluster default host isolation response. (C(clusterIsolationResponse) exists only as a per-VM value.)
    type: str
    choices: [none, powerOff, shutdown]
  isolation_shutdown_timeout:
    description: Seconds to wait for a guest shutdown before powering the VM off (C(das.isolationshutdowntimeout)); used with O(isolation_response=shutdown).
    type: int
  restart_priority:
    description: Cluster default VM restart priority.
    type: str
    choices: [disabled, lowest, low, medium, high, highest]
  heartbeat_datastores:
    description:
      - Heartbeat datastore selection. The policy and the list are always set together.
      - Datastores must belong to the cluster, be shared, and not be vSAN datastores.
      - C(userSelectedDs) with an empty list turns datastore heartbeating off.
    type: dict
    suboptions:
      policy:
        description: How vCenter picks heartbeat datastores.
        type: str
        required: true
        choices: [userSelectedDs, allFeasibleDs, allFeasibleDsWithUserPreference]
      datastores:
        description: Datastore names; must be empty with C(allFeasibleDs).
        type: list
        elements: str
        default: []
  heartbeat_datastores_per_host:
    description: Number of heartbeat datastores per host, 2 to 5 (C(das.heartbeatdsperhost)).
    type: int
  admission_control:
    description:
      - Admission control. Omit it to leave admission control as it is.
      - A policy that matches the stored one while admission control is off counts as a change (it is switched on).
    type: dict
    suboptions:
      policy:
        description: C(disabled) switches admission control off and keeps the stored policy.
        type: str
        required: true
        choices: [disabled, slots, percentage, dedicated_hosts]
      failover_level:
        description: Number of host failures to tolerate (1 when switching policy and unset); less than the number of hosts.
        type: int
      cpu_percent:
        description: CPU percentage reserved for failover, 0-100 (policy C(percentage)); implies O(admission_control.auto_compute=false).
        type: int
      memory_percent:
        description: Memory percentage reserved for failover, 0-100 (policy C(percentage)); implies O(admission_control.auto_compute=false).
        type: int
      auto_compute:
        description:
          - Let vCenter compute the percentages from O(admission_control.failover_level) (policy C(percentage)).
          - Always sent explicitly. Defaults to true when switching to C(percentage) without percentages.
        type: bool
      hosts:
        description: Dedicated failover hosts, by name; they must be hosts of the cluster (policy C(dedicated_hosts)).
        type: list
        elements: str
      performance_tolerance:
        description: Performance degradation VMs tolerate during a failover, 0-100 (100 turns the warning off; needs DRS).
        type: int
  vm_monitoring:
    description: VM and application monitoring (VMware Tools heartbeats) and its timers.
    type: dict
    suboptions:
      mode:
        description: Monitoring mode.
        type: str
        choices: [vmMonitoringDisabled, vmMonitoringOnly, vmAndAppMonitoring]
      failure_interval:
        description: Seconds without heartbeat before a VM is reset.
        type: int
      min_up_time:
        description: Seconds after power-on before monitoring starts.
        type: int
      max_failures:
        description: Resets allowed within O(vm_monitoring.max_failure_window).
        type: int
      max_failure_window:
        description: Window in seconds for O(vm_monitoring.max_failures); -1 for no window.
        type: int
  apd_response:
    description: Response to a datastore in All Paths Down. VM Component Protection is switched on when this or O(pdl_response) acts.
    type: str
    choices: [disabled, warning, restartConservative, restartAggressive]
  apd_delay:
    description: Seconds after the APD timeout before VMs are terminated (C(vmTerminateDelayForAPDSec)).
    type: int
  apd_reaction:
    description: What to do with VMs when the APD condition clears before the delay ends.
    type: str
    choices: [none, reset]
  pdl_response:
    description: Response to a datastore in Permanent Device Loss.
    type: str
    choices: [disabled, warning, restartAggressive]
  advanced_options:
    description:
      - Other vSphere HA advanced options (C(das.*) and C(fdm.*) keys) as a dict.
      - Values are sent as strings, booleans as C(true)/C(false). Keys are compared case-insensitively.
      - A key whose value is null is removed. Keys managed by a first-class option above are refused.
    type: dict
  advanced_options_purge:
    description:
      - Remove every advanced option not listed in O(advanced_options). Keys managed by first-class options are kept.
    type: bool
    default: false
  reconfigure_hosts:
    description:
      - Run "Reconfigure for vSphere HA" (C(ReconfigureHostForDAS_Task)) on every connected host that is not in
        maintenance mode, so the HA agents pick up the cluster's settings. The agents do not re-read isolation
        addresses on their own; VMware's guidance for vSAN clusters is to reconfigure them after vSAN network changes.
      - C(isolation_changed) runs it when this run changed O(isolation_addresses) or O(use_default_isolation_address);
        C(always) runs it on every run (the task is then always changed); C(never) does not.
      - Nothing runs while vSphere HA is off. In check mode the hosts are listed as C(not run (check mode)).
      - The tasks run at the same time; the result per host is in RV(host_reconfigure). A host that fails makes the
        module fail after the others finished, with C(changed=true).
    type: str
    default: never
    choices: [never, isolation_changed, always]
  vsan_network_check:
    description:
      - On vSAN clusters, check O(isolation_addresses) against the vSAN VMkernel networks and refuse addresses
        off them; fail when the vSAN network cannot be read.
      - Set false only when vCenter cannot report a host's vSAN network and you checked the addresses yourself.
    type: bool
    default: true
notes:
  - Before writing, the module reads the HA settings again; if they changed since its first read (another run, a
    user), it fails with C(error_kind=conflict) and writes nothing. Of C(defaultVmSettings) only the changed parts are
    sent, so a concurrent change to another part is not reverted.
  - RV(ha_config) also reports C(advanced_options_empty) (keys vCenter keeps with an empty value) and
    C(advanced_options_duplicates) (keys stored twice in different case; a run that manages such a key converges it to
    the first spelling).
  - Isolation addresses that can never detect isolation (loopback, unspecified, broadcast, multicast) are refused, and
    so is leaving no isolation address at all (an empty list with O(use_default_isolation_address=false)).
  - Removing advanced options is not documented by VMware. The module sends the full merged option list, reads it
    back, and sends the keys still present again with an empty value; see the collection's vSphere docs for what
    was verified where.
  - vSAN datastores cannot be heartbeat datastores. On vSAN clusters keeping only the default isolation address
    gives a warning (the recommended setup uses isolation addresses on the vSAN network).
seealso:
  - module: clusterops.ha.vsphere_cluster_ha_info
'''

EXAMPLES = r'''
- name: Harden HA on a vSAN cluster
  clusterops.ha.vsphere_cluster_ha:
    hostname: vcenter.example.com
    username: administrator@vsphere.local
    password: "{{ vcenter_password }}"
    ca_path: /etc/pki/vcenter-ca.pem
    datacenter: DC1
    cluster: prod-a
    enabled: true
    host_monitoring: true
    isolation_addresses: [192.0.2.10, 192.0.2.11]
    use_default_isolation_address: false
    isolation_response: powerOff
    restart_priority: medium
    admission_control:
      policy: percentage
      failover_level: 1
      auto_compute: true
    apd_response: restartConservative
    pdl_response: restartAggressive

- name: Heartbeat datastores and an advanced option, connection from module_defaults
  module_defaults:
    group/clusterops.ha.vsphere:
      hostname: vcenter.example.com
      username: administrator@vsphere.local
      password: "{{ vcenter_password }}"
  clusterops.ha.vsphere_cluster_ha:
    datacenter: DC1
    cluster: domain-c8
    heartbeat_datastores:
      policy: allFeasibleDsWithUserPreference
      datastores: [nfs-01, nfs-02]
    heartbeat_datastores_per_host: 2
    advanced_options:
      das.ignoreRedundantNetWarning: true
'''

RETURN = r'''
cluster:
  description: The cluster that was configured.
  returned: always
  type: dict
  sample: {name: prod-a, moid: domain-c8, datacenter: DC1, datacenter_moid: datacenter-2}
ha_config:
  description: The HA settings after the run (read back from vCenter when something was changed), in this module's option vocabulary.
  returned: always
  type: dict
  sample:
    enabled: true
    host_monitoring: true
    isolation_addresses: [192.0.2.10]
    use_default_isolation_address: false
    isolation_response: powerOff
    restart_priority: medium
    admission_control: {enabled: true, policy: percentage, failover_level: 1, auto_compute: true}
    advanced_options: {}
changed_fields:
  description: The top-level C(ClusterDasConfigInfo) fields sent to vCenter (or that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [defaultVmSettings, option]
diff:
  description: Before and after HA settings.
  returned: when diff mode is on
  type: dict
task:
  description: MoID of the reconfigure task, when one ran.
  returned: when changed and not in check mode
  type: str
host_reconfigure:
  description: What O(reconfigure_hosts) did, with the reason and the result per host.
  returned: always
  type: dict
  contains:
    mode:
      description: The O(reconfigure_hosts) value.
      type: str
    reason:
      description: Why the hosts were (or were not) reconfigured.
      type: str
    hosts:
      description:
        - One entry per host of the cluster when hosts are reconfigured, else empty.
        - C(result) is C(reconfigured), C(failed), C(skipped) (not connected or in maintenance mode, see C(message))
          or C(not run (check mode)); C(task) is the host's task MoID.
      type: list
      elements: dict
  sample: {mode: isolation_changed, reason: "changed: isolation_addresses",
           hosts: [{name: esx1, moid: host-21, result: reconfigured, task: task-301}]}
blank_value_retry:
  description: Advanced option keys that were still present after the reconfigure and were sent again with an empty value.
  returned: when such a retry ran
  type: list
  elements: str
options_present_but_empty:
  description: Advanced option keys this run removed that vCenter kept with an empty value (see RV(ha_config)).
  returned: when vCenter kept removed keys with an empty value
  type: list
  elements: str
'''

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_client import (
    VSphereError, VSphereModule, read_cluster)
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_ha import (
    ADMISSION_POLICIES, APD_REACTIONS, APD_RESPONSES, HEARTBEAT_POLICIES, ISOLATION_RESPONSES, PDL_RESPONSES,
    RESTART_PRIORITIES, VM_MONITORING_MODES, blank_options_spec, empty_option_keys, normalize_current,
    RECONFIGURE_HOSTS_MODES, plan, plan_host_reconfigure, unapplied, vsan_network_facts)

HOST_PATHS = ['name', 'runtime.connectionState', 'runtime.inMaintenanceMode', 'config.virtualNicManagerInfo']
DATASTORE_PATHS = ['summary.type', 'summary.multipleHostAccess']


def module_args():
    return dict(
        datacenter=dict(type='str', required=True, aliases=['datacenter_name']),
        cluster=dict(type='str', required=True, aliases=['cluster_name']),
        enabled=dict(type='bool'),
        host_monitoring=dict(type='bool'),
        isolation_addresses=dict(type='list', elements='str'),
        use_default_isolation_address=dict(type='bool'),
        isolation_response=dict(type='str', choices=list(ISOLATION_RESPONSES)),
        isolation_shutdown_timeout=dict(type='int'),
        restart_priority=dict(type='str', choices=list(RESTART_PRIORITIES)),
        heartbeat_datastores=dict(type='dict', options=dict(
            policy=dict(type='str', required=True, choices=list(HEARTBEAT_POLICIES)),
            datastores=dict(type='list', elements='str', default=[]),
        )),
        heartbeat_datastores_per_host=dict(type='int'),
        admission_control=dict(type='dict', options=dict(
            policy=dict(type='str', required=True, choices=list(ADMISSION_POLICIES)),
            failover_level=dict(type='int'),
            cpu_percent=dict(type='int'),
            memory_percent=dict(type='int'),
            auto_compute=dict(type='bool'),
            hosts=dict(type='list', elements='str'),
            performance_tolerance=dict(type='int'),
        )),
        vm_monitoring=dict(type='dict', options=dict(
            mode=dict(type='str', choices=list(VM_MONITORING_MODES)),
            failure_interval=dict(type='int'),
            min_up_time=dict(type='int'),
            max_failures=dict(type='int'),
            max_failure_window=dict(type='int'),
        )),
        apd_response=dict(type='str', choices=list(APD_RESPONSES)),
        apd_delay=dict(type='int'),
        apd_reaction=dict(type='str', choices=list(APD_REACTIONS)),
        pdl_response=dict(type='str', choices=list(PDL_RESPONSES)),
        advanced_options=dict(type='dict'),
        advanced_options_purge=dict(type='bool', default=False),
        vsan_network_check=dict(type='bool', default=True),
        reconfigure_hosts=dict(type='str', default='never', choices=list(RECONFIGURE_HOSTS_MODES)),
    )


def cluster_context(inventory, vsan_network_check=True):
    """The inventory facts the pure planner needs: names -> MoIDs, datastore kinds, vSAN."""
    config = inventory['cluster'].get('configurationEx') or {}
    vsan_enabled = bool((config.get('vsanConfigInfo') or {}).get('enabled'))
    return {
        'name': inventory['cluster'].get('name'),
        'vsan_enabled': vsan_enabled,
        'vsan_network': vsan_network_facts(inventory['hosts']) if vsan_enabled and vsan_network_check else None,
        'hosts': dict((h.get('name'), h['_moid']) for h in inventory['hosts']),
        'datastores': dict((d.get('name'), {
            'moid': d['_moid'],
            'type': d.get('summary.type'),
            'shared': bool(d.get('summary.multipleHostAccess')),
        }) for d in inventory['datastores']),
    }


def read_das(client, cluster_moid):
    config = client.retrieve_object('ClusterComputeResource', cluster_moid, ['configurationEx']).get('configurationEx') or {}
    return config.get('dasConfig') or {}


class HaConflictError(VSphereError):
    """The cluster's HA settings changed between this run's read and its write."""

    kind = 'conflict'


def check_unchanged(client, cluster_moid, cluster_name, planned_das):
    """Re-read just before writing: a change by someone else since the plan was made is reported, never overwritten."""
    now = read_das(client, cluster_moid)
    if now != planned_das:
        fields = sorted(k for k in set(now) | set(planned_das) if now.get(k) != planned_das.get(k))
        raise HaConflictError('The HA settings of cluster %s changed after this run read them (%s), so nothing was written; '
                              'run again to plan against the new settings.' % (cluster_name, ', '.join(fields)), conflict_fields=fields)


def apply(client, cluster_moid, decided):
    """Run the reconfigure task, then verify: keys that survived removal get one blank-value retry."""
    task = client.reconfigure_das(cluster_moid, decided['spec'])
    task_result = {'task': task}
    das = read_das(client, cluster_moid)
    present = set(option_keys(das))
    stubborn = [key for key in decided['removed_keys'] if key in present]
    if stubborn:
        try:
            client.reconfigure_das(cluster_moid, blank_options_spec(stubborn))
        except VSphereError as exc:
            # The first task did change the cluster: say so instead of a bare failure.
            raise VSphereError('vCenter applied the HA change (task %s), but removing the advanced options %s afterwards failed: %s'
                               % (task, ', '.join(stubborn), exc.message), changed=True, task=task, not_removed=stubborn,
                               changed_fields=sorted(k for k in decided['spec'] if k != '_type'))
        das = read_das(client, cluster_moid)
        task_result['blank_value_retry'] = stubborn
    kept_empty = [key for key in decided['removed_keys'] if key in empty_option_keys(das)]
    if kept_empty:
        task_result['options_present_but_empty'] = kept_empty
    return das, task_result


def reconfigure_hosts(client, planned):
    """Start ReconfigureHostForDAS_Task on every pending host, then wait for each; record the result per host."""
    started = []
    for entry in planned:
        if entry['result'] != 'pending':
            continue
        try:
            task = client.call(lambda moid=entry['moid']: client.moref('HostSystem', moid).ReconfigureHostForDAS_Task())
            entry['task'] = task._moId
            started.append(entry)
        except VSphereError as exc:
            entry.update(result='failed', message=exc.message)
    for entry in started:
        try:
            client.wait_for_task(entry['task'])
            entry['result'] = 'reconfigured'
        except VSphereError as exc:
            entry.update(result='failed', message=exc.message)
    return planned


def option_keys(das):
    return [item.get('key') for item in das.get('option') or [] if item.get('value') not in (None, '')]


def run(module, client):
    params = module.params
    inventory = read_cluster(client, params['datacenter'], params['cluster'], HOST_PATHS, DATASTORE_PATHS)
    context = cluster_context(inventory, params['vsan_network_check'])
    host_names = dict((moid, name) for name, moid in context['hosts'].items())
    datastore_names = dict((d['moid'], name) for name, d in context['datastores'].items())
    current_das = (inventory['cluster'].get('configurationEx') or {}).get('dasConfig') or {}
    decided = plan(current_das, params, context, host_names, datastore_names)
    warnings = list(decided['warnings'])
    result = {
        'changed': decided['spec'] is not None,
        'cluster': {
            'name': inventory['cluster'].get('name'),
            'moid': inventory['cluster']['_moid'],
            'datacenter': inventory['datacenter'].get('name'),
            'datacenter_moid': inventory['datacenter']['_moid'],
        },
        'changed_fields': sorted(k for k in (decided['spec'] or {}) if k != '_type'),
        'ha_config': decided['after'],
    }
    if decided['spec'] is not None and not module.check_mode:
        check_unchanged(client, inventory['cluster']['_moid'], context['name'], current_das)
        das, extra = apply(client, inventory['cluster']['_moid'], decided)
        actual = normalize_current(das, host_names, datastore_names)
        if extra.get('options_present_but_empty'):
            warnings.append('vCenter kept the advanced options %s with an empty value instead of removing them; they are reported '
                            'in ha_config.advanced_options_empty.' % ', '.join(extra['options_present_but_empty']))
        missing = [key for key in unapplied(decided['after'], actual) if key != 'advanced_options_empty']
        if missing:
            warnings.append('vCenter did not keep these settings as sent: %s; compare ha_config with the request.' % ', '.join(missing))
        result['ha_config'] = actual
        result.update(extra)
    host_plan = plan_host_reconfigure(params['reconfigure_hosts'], decided['before'], result['ha_config'], [
        {'name': h.get('name'), 'moid': h['_moid'], 'connection_state': h.get('runtime.connectionState'),
         'maintenance': bool(h.get('runtime.inMaintenanceMode'))} for h in inventory['hosts']])
    if any(h['result'] == 'pending' for h in host_plan['hosts']):
        result['changed'] = True
        if module.check_mode:
            for entry in host_plan['hosts']:
                if entry['result'] == 'pending':
                    entry['result'] = 'not run (check mode)'
        else:
            reconfigure_hosts(client, host_plan['hosts'])
    result['host_reconfigure'] = host_plan
    if module.diff_mode:
        result['diff'] = {'before': decided['before'], 'after': result['ha_config']}
        if host_plan['hosts']:
            # The side effect on the hosts, shown only when there is one.
            result['diff'] = {'before': dict(decided['before'], hosts_reconfigured=[]),
                              'after': dict(result['ha_config'], hosts_reconfigured=sorted(
                                  h['name'] for h in host_plan['hosts'] if h['result'] != 'skipped'))}
    failed = [h['name'] for h in host_plan['hosts'] if h['result'] == 'failed']
    if failed:
        raise VSphereError('The HA settings were applied, but reconfiguring vSphere HA failed on %s: %s; run "Reconfigure for vSphere HA" '
                           'on those hosts or run again.' % (', '.join(failed), '; '.join(
                               '%s: %s' % (h['name'], h['message']) for h in host_plan['hosts'] if h['result'] == 'failed')),
                           changed=True, host_reconfigure=host_plan, ha_config=result['ha_config'])
    result['warnings'] = warnings
    return result


def main():
    module = VSphereModule(module_args(), input_errors=(HaInputError,), supports_check_mode=True)
    module.run(lambda client: run(module, client))


if __name__ == '__main__':
    main()
