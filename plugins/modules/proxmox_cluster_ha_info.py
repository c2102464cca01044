#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: proxmox_cluster_ha_info
short_description: Read everything about a Proxmox VE cluster's HA, plus its failover-capacity model
version_added: 0.1.0
description:
  - Returns the PVE version and whether HA groups were migrated to rules, quorum, nodes, guests (with the storage of
    their disks and whether it is shared), HA groups or rules, HA resources, the HA manager status, datacenter HA
    options, storage, backup jobs, and RV(capacity_model) in the shape the collection's capacity engine reads.
  - Reads only. On PVE 8 and on PVE 9 before migration groups are read; after migration rules are.
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.proxmox
  - clusterops.ha.proxmox.ACTIONGROUP_PROXMOX
attributes:
  check_mode:
    description: Reads only, so check mode changes nothing.
    support: full
  diff_mode:
    description: Returns no diff.
    support: none
options:
  host_reserved_mb:
    description:
      - MiB of each node's memory that guests can never use (PVE itself, Ceph OSDs, ZFS ARC). PVE reports no such
        figure, so it is stated here and copied into every host's C(reserved_mb) of RV(capacity_model).
    type: int
    default: 0
  gather_guest_disks:
    description:
      - List the guests' disks from storage content (C(GET /nodes/{node}/storage/{storage}/content)) - one GET per
        shared storage and one per node and local storage that holds C(images) or C(rootdir), so the number of reads
        does not grow with the number of guests. Each disk's C(key) is then the volume name (C(vm-100-disk-0)).
      - Ignored when O(gather_guest_config=true), which lists disks from each guest's config instead.
      - Local storage of a node that is not online cannot be listed; its guests' local disks are then missing and a
        warning says so.
    type: bool
    default: true
  gather_guest_config:
    description:
      - Read each guest's config (one GET per guest) to list its disks by config key (C(scsi0), C(rootfs)) and
        to take the VM balloon minimum as C(reservation_mb) in RV(capacity_model).
      - Off by default (it used to be on) because these reads grow with the number of guests; without it
        C(reservation_mb) is 0 and disks come from O(gather_guest_disks).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Read the HA state and the capacity model
  clusterops.ha.proxmox_cluster_ha_info:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    host_reserved_mb: 4096
  register: pve_ha

- name: Check N+1 with the collection's filter
  ansible.builtin.assert:
    that: (pve_ha.capacity_model | clusterops.ha.failover_capacity).ok
'''

RETURN = r'''
pve:
  description: PVE version, major release and whether HA groups were migrated to rules.
  returned: always
  type: dict
  sample: {version: "9.0.3", major: 9, groups_migrated: true}
cluster:
  description: Cluster name and quorum.
  returned: always
  type: dict
  sample: {name: lab, quorate: true, nodes: 3, nodes_online: 3}
nodes:
  description: Nodes with online state and memory in MiB.
  returned: always
  type: list
  elements: dict
  sample: [{name: pve1, online: true, memory_total_mb: 65536, memory_used_mb: 8192, ha_state: online}]
guests:
  description:
    - VMs and containers with configured memory and HA state.
    - C(disks) (C(key), C(storage), C(shared)) and C(storage_shared) only when O(gather_guest_disks) or
      O(gather_guest_config) is on.
  returned: always
  type: list
  elements: dict
  sample: [{id: "vm:100", vmid: 100, type: vm, name: web1, node: pve1, running: true, memory_mb: 2048,
            ha_state: started, disks: [{key: vm-100-disk-0, storage: ceph, shared: true}], storage_shared: true}]
groups:
  description: HA groups (canonical); empty after migration.
  returned: always
  type: list
  elements: dict
  sample: [{name: web, nodes: {pve1: 2}, restricted: false, nofailback: true, comment: ""}]
ignored_rules:
  description:
    - The rules PVE marks infeasible (C(errors) in C(GET /cluster/ha/rules)), with the reason. The HA manager ignores
      them, so they are left out of RV(capacity_model)'s placement constraints and named in RV(findings).
  returned: always
  type: list
  elements: dict
  sample: [{name: apart, reason: "resources: rule shares two or more resources with another rule"}]
rules:
  description: HA rules (canonical); empty on PVE 8 and before migration.
  returned: always
  type: list
  elements: dict
  sample: [{name: ha-group-web, type: node-affinity, resources: ["vm:100"], nodes: {pve1: 2}, strict: false,
            affinity: positive, comment: "", enabled: true}]
resources:
  description: HA resources (canonical; on migrated clusters C(group) is derived from C(ha-group-*) rules).
  returned: always
  type: list
  elements: dict
  sample: [{sid: "vm:100", state: started, group: web, max_restart: 1, max_relocate: 1, failback: true, comment: ""}]
manager_status:
  description: The HA manager status as PVE returns it (C(/cluster/ha/status/manager_status)).
  returned: always
  type: dict
  sample: {manager_status: {master_node: pve1, node_status: {pve1: online}}}
options:
  description: Datacenter HA options with defaults filled in.
  returned: always
  type: dict
  sample: {shutdown_policy: conditional, fencing: watchdog, crs: {ha: basic}}
storage:
  description: Storage definitions with their shared flag.
  returned: always
  type: list
  elements: dict
  sample: [{storage: ceph, type: rbd, shared: true, content: images}]
backup_jobs:
  description: Scheduled backup jobs (C(/cluster/backup)).
  returned: always
  type: list
  elements: dict
  sample: [{id: backup-1, schedule: "21:00", enabled: true, storage: pbs, all: true, vmid: null}]
capacity_model:
  description:
    - The failover-capacity model (see the collection's docs/capacity-model.md) - hosts with C(memory_mb) and
      C(reserved_mb) (= O(host_reserved_mb)), guests with configured memory, HA flag and placement constraints.
    - C(storage) lists the pools of the cluster's own Ceph behind RBD storage (no C(monhost)) when HA resources
      exist - C(failures_tolerated) is C(size - min_size) over hosts when the pool's CRUSH rule spreads replicas
      over hosts or larger buckets, 0 when it spreads them over OSDs; C(guests) are the guests with a disk there.
      It costs two reads (C(GET /nodes/{node}/ceph/pool) and C(/ceph/crush)), whatever the number of guests.
  returned: always
  type: dict
  sample: {platform: proxmox, cluster: lab, hosts: [{name: pve1, memory_mb: 65536, reserved_mb: 0, state: online}],
           guests: [{id: "vm:100", name: web1, host: pve1, running: true, ha: true, memory_mb: 2048,
                     reservation_mb: 0, overhead_mb: 0}]}
findings:
  description: Plain-language problems seen while reading (fewer than 3 nodes, HA guests on local storage, no quorum).
  returned: always
  type: list
  elements: str
  sample: ["vm:100 is an HA resource but its disk scsi0 is on non-shared storage local-lvm."]
requests:
  description: Counts of read requests this task made.
  returned: always
  type: dict
  sample: {read: 12, write: 0, retries: 0}
'''

import re

from ansible_collections.clusterops.ha.plugins.module_utils._pve_client import PveModule, PveApiError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import normalize_group
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.options import normalize_cluster_ha
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import apt_path, package_versions
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import to_bool
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import normalize_resource
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import group_by_sid_from_rules
from ansible_collections.clusterops.ha.plugins.module_utils import _pve_capacity_model as cm
from ansible_collections.clusterops.ha.plugins.module_utils import _pve_ceph as ceph
from ansible_collections.clusterops.ha.plugins.module_utils._model_common import check_host_reserved_mb, mib_down, mib_up

QEMU_DISK_RE = re.compile(r'^(scsi|sata|ide|virtio|efidisk|tpmstate|unused)\d+$')
LXC_DISK_RE = re.compile(r'^(rootfs|mp\d+|unused\d+)$')


def guest_disks(kind, config, shared_by_storage):
    """[{key, storage, shared}] from a guest config; CD-ROMs, 'none' and bind mounts are skipped."""
    disks = []
    pattern = QEMU_DISK_RE if kind == 'vm' else LXC_DISK_RE
    for key in sorted(config or {}):
        if not pattern.match(key):
            continue
        value = str(config[key])
        volume = value.split(',', maxsplit=1)[0]
        if 'media=cdrom' in value or volume in ('none', 'cdrom') or ':' not in volume or volume.startswith('/'):
            continue
        storage = volume.split(':', 1)[0]
        disks.append(dict(key=key, storage=storage, shared=bool(shared_by_storage.get(storage, False))))
    return disks


def optional_get(pm, path, default):
    """A read that some clusters lack (permissions, older PVE): fall back instead of failing the task."""
    try:
        return pm.client.get(path)
    except PveApiError as exc:
        if exc.kind in ('client', 'permission', 'server'):
            pm.warn('Could not read /%s: %s' % (path, exc.message))
            return default
        raise


def content_disks(pm, resources_raw, guests):
    """{sid: disks} from storage content: one GET per shared storage and per node x local storage."""
    listings, unreadable = cm.content_listings(resources_raw)
    for node, storage in unreadable:
        pm.warn('Could not list storage %s on node %s (not available): disks of its guests there are not '
                'listed.' % (storage, node))
    volumes = [(listing, optional_get(pm, 'nodes/%s/storage/%s/content' % listing[:2], []) or [])
               for listing in listings]
    return cm.guest_disks_from_content(volumes, dict((g['vmid'], g['type']) for g in guests))


def attach_content_disks(pm, resources_raw, guests, disk_bytes, shared):
    """guest['disks'] from storage content; guests with a disk the listing did not show fall back to their config."""
    disks_by_sid = content_disks(pm, resources_raw, guests)
    unseen = [g for g in guests if g['id'] not in disks_by_sid and g['node'] and disk_bytes.get(g['id'])]
    if unseen:
        # The content listing hides volumes the token may not see (VM.Config.Disk): read those configs.
        pm.warn('Storage content showed no disk of %d guest(s) with a disk (e.g. %s): their configs were read '
                'instead; give the token VM.Config.Disk or set gather_guest_config.' % (len(unseen), unseen[0]['id']))
    unseen_ids = set(g['id'] for g in unseen)
    for guest in guests:
        if guest['id'] in unseen_ids:
            kind = 'qemu' if guest['type'] == 'vm' else 'lxc'
            config = optional_get(pm, 'nodes/%s/%s/%d/config' % (guest['node'], kind, guest['vmid']), {}) or {}
            guest['disks'] = guest_disks(guest['type'], config, shared)
        else:
            guest['disks'] = disks_by_sid.get(guest['id'], [])


def ceph_storage(pm, storage_cfg, resources_raw, guests, ha_resources, model_guest_ids):
    """(capacity_model storage entries, findings) for the cluster's own Ceph pools behind RBD storage.

    Reads only when an RBD storage without monhost exists and HA resources exist: GET ceph/pool and
    GET ceph/crush on the first online node that answers (Ceph may not be installed on every node).
    """
    pools_by_storage = ceph.internal_rbd_pools(storage_cfg)
    if not pools_by_storage or not ha_resources:
        return [], []
    online = sorted(r['node'] for r in resources_raw if r.get('type') == 'node' and r.get('status') == 'online')
    last_error = 'no node online'
    for node in online:
        try:
            pools = pm.client.get('nodes/%s/ceph/pool' % node) or []
        except PveApiError as exc:
            if exc.kind not in ('client', 'permission', 'server'):
                raise
            last_error = exc.message
            continue
        crush = optional_get(pm, 'nodes/%s/ceph/crush' % node, None)
        entries, problems = ceph.storage_entries(pools, crush, pools_by_storage,
                                                 ceph.storage_users(guests, pools_by_storage, model_guest_ids),
                                                 model_guest_ids)
        for problem in problems:
            pm.warn(problem)
        return entries, problems
    message = ('Could not read the Ceph pools of RBD storage %s (%s): their resilience is not in the capacity '
               'model; give the token Sys.Audit on /.' % (', '.join(sorted(pools_by_storage)),
                                                          last_error))
    pm.warn(message)
    return [], [message]


def work(pm):
    client = pm.client
    state = client.ha_state()
    status = client.get('cluster/status') or []
    resources_raw = client.get('cluster/resources') or []
    ha_raw = client.get('cluster/ha/resources') or []
    rules, raw_rules = [], []
    if state['groups_migrated']:
        raw_rules = client.get('cluster/ha/rules') or []
        rules = [normalize_rule(r) for r in raw_rules]
    groups = [normalize_group(g) for g in state['groups'] or []]
    manager = optional_get(pm, 'cluster/ha/status/manager_status', {}) or {}
    packages = package_versions(optional_get(pm, apt_path(client.node_names()), []) or [])
    options = normalize_cluster_ha(optional_get(pm, 'cluster/options', {}) or {}, packages)
    storage_cfg = optional_get(pm, 'storage', []) or []
    backups = optional_get(pm, 'cluster/backup', []) or []

    group_by_sid = group_by_sid_from_rules(rules) if state['groups_migrated'] else None
    ha_resources = [normalize_resource(r, group_by_sid) for r in ha_raw]
    ha_by_sid = dict((r['sid'], r) for r in ha_resources)
    shared = dict((s.get('storage'), to_bool(s.get('shared'))) for s in storage_cfg)
    for item in resources_raw:
        if item.get('type') == 'storage' and item.get('storage') not in shared:
            shared[item['storage']] = to_bool(item.get('shared'))

    cluster_entry = next((s for s in status if s.get('type') == 'cluster'), {})
    node_status = ((manager.get('manager_status') or {}).get('node_status')) or {}
    nodes = [dict(name=n['node'], online=n.get('status') == 'online', memory_total_mb=mib_down(n.get('maxmem')),
                  memory_used_mb=mib_up(n.get('mem')), ha_state=node_status.get(n['node']))
             for n in resources_raw if n.get('type') == 'node']
    guests, configs, findings, disk_bytes = [], {}, [], {}
    for item in resources_raw:
        if item.get('type') not in ('qemu', 'lxc'):
            continue
        kind = 'vm' if item['type'] == 'qemu' else 'ct'
        sid = '%s:%d' % (kind, int(item['vmid']))
        guest = dict(id=sid, vmid=int(item['vmid']), type=kind, name=item.get('name'), node=item.get('node'),
                     running=item.get('status') == 'running', memory_mb=mib_up(item.get('maxmem')),
                     template=bool(item.get('template')),
                     ha_state=ha_by_sid[sid]['state'] if sid in ha_by_sid else None)
        disk_bytes[sid] = item.get('maxdisk') or 0
        if pm.params['gather_guest_config'] and item.get('node'):
            path = 'nodes/%s/%s/%d/config' % (item['node'], item['type'], int(item['vmid']))
            configs[sid] = optional_get(pm, path, {}) or {}
            guest['disks'] = guest_disks(kind, configs[sid], shared)
        guests.append(guest)
    if pm.params['gather_guest_disks'] and not pm.params['gather_guest_config']:
        attach_content_disks(pm, resources_raw, guests, disk_bytes, shared)
    for guest in guests:
        if 'disks' not in guest:
            continue
        guest['storage_shared'] = all(d['shared'] for d in guest['disks'])
        if guest['id'] in ha_by_sid:
            for disk in guest['disks']:
                if not disk['shared']:
                    findings.append('%s is an HA resource but its disk %s is on non-shared storage %s.'
                                    % (guest['id'], disk['key'], disk['storage']))
    if len(nodes) < 3:
        findings.append('The cluster has %d node(s); PVE HA needs at least 3 for quorum after a failure.' % len(nodes))
    if cluster_entry and not to_bool(cluster_entry.get('quorate')):
        findings.append('The cluster is not quorate; HA cannot recover anything until quorum returns.')

    members = dict((g['name'], []) for g in groups)
    for res in ha_resources:
        if not state['groups_migrated'] and res.get('group') in members:
            members[res['group']].append(res['sid'])
    # Rules PVE marks infeasible are ignored by the CRM: no placement constraint, reported instead.
    ignored = cm.ignored_rules(raw_rules)
    for item in ignored:
        findings.append("Rule '%s' is ignored by the HA manager because PVE marks it infeasible (%s); fix or remove it."
                        % (item['name'], item['reason']))
    constraints = cm.placement_constraints([(g, members[g['name']]) for g in groups], rules, [n['name'] for n in nodes],
                                           [item['name'] for item in ignored])
    votes, quorum = cm.quorum_votes(optional_get(pm, 'cluster/config/nodes', []) or [],
                                    optional_get(pm, 'cluster/config/qdevice', {}) or {})
    model = cm.build_capacity_model(cluster_entry.get('name'), resources_raw, ha_resources, constraints,
                                    pm.params['host_reserved_mb'], node_status, configs, node_votes=votes,
                                    quorum=quorum if votes else None, crs=options['crs']['ha'],
                                    service_status=(manager.get('manager_status') or {}).get('service_status'))
    ceph_entries, ceph_findings = ceph_storage(pm, storage_cfg, resources_raw, guests, ha_resources,
                                               set(g['id'] for g in model['guests']))
    if ceph_entries:
        model['storage'] = model.get('storage', []) + ceph_entries
    findings.extend(ceph_findings)
    return dict(
        changed=False,
        cluster=dict(name=cluster_entry.get('name'), quorate=to_bool(cluster_entry.get('quorate')),
                     nodes=len(nodes), nodes_online=sum(1 for n in nodes if n['online'])),
        nodes=nodes, guests=guests, groups=groups, rules=rules, ignored_rules=ignored, resources=ha_resources,
        manager_status=manager,
        options=options,
        storage=[dict(storage=s.get('storage'), type=s.get('type'), shared=to_bool(s.get('shared')),
                      content=s.get('content')) for s in storage_cfg],
        backup_jobs=[dict(id=b.get('id'), schedule=b.get('schedule') or b.get('starttime'),
                          enabled=b.get('enabled') is None or to_bool(b.get('enabled')), storage=b.get('storage'),
                          all=to_bool(b.get('all')), vmid=b.get('vmid'), pool=b.get('pool')) for b in backups],
        capacity_model=model, findings=findings, **pm.result_facts())


def main():
    pm = PveModule(
        dict(host_reserved_mb=dict(type='int', default=0),
             gather_guest_disks=dict(type='bool', default=True),
             gather_guest_config=dict(type='bool', default=False)),
        supports_check_mode=True,
    )
    pm.run(work, check=lambda m: check_host_reserved_mb(m.params['host_reserved_mb']))


if __name__ == '__main__':
    main()
