# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Map Proxmox VE reads to the platform-neutral capacity_model (docs/capacity-model.md).

Pure: takes the already-read API data (plain dicts) and returns plain data.

Decisions (documented in docs/modules/proxmox.md):
- hosts[].memory_mb is the node's `maxmem` rounded down to MiB; reserved_mb is the
  caller's `host_reserved_mb` (default 0): PVE reports no per-node reservation, so the
  operator states it (hypervisor, Ceph OSDs, ZFS ARC) instead of the module guessing.
- guests[].memory_mb is the configured memory (`maxmem`) rounded up to MiB; reservation_mb
  is the balloon minimum when the guest config was read and sets one below memory, else 0;
  overhead_mb is 0 (PVE does not report per-guest overhead).
- ha is true only for HA resources whose requested state is started.
- allowed_hosts come from restricted groups / strict node-affinity rules, host_priority
  from their node priorities, anti_affinity labels from enabled negative resource-affinity
  rules and keep_together labels from enabled positive ones (the label is the rule name).
  Disabled rules and rules the API marks with `errors` are ignored, as PVE's CRM drops them.
- hosts[].votes from /cluster/config/nodes (quorum_votes), quorum from those votes plus the
  QDevice (/cluster/config/qdevice: ffsplit gives 1 vote, LMS nodes - 1; it counts as present
  only while its State is Connected); crs from /cluster/options; cpus from /cluster/resources
  maxcpu; occupies_host from the HA manager's service state (error, freeze, ... hold the node).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._model_common import dedupe_anti_affinity, mib_down, mib_up


def host_state(node_entry, manager_node_status):
    """online | maintenance | offline from /cluster/resources and the HA manager's node_status."""
    if node_entry.get('status') != 'online':
        return 'offline'
    if (manager_node_status or {}).get(node_entry['node']) == 'maintenance':
        return 'maintenance'
    return 'online'


# HA manager service states in which a service holds its node (pve-ha-manager src/PVE/HA/Usage.pm,
# get_used_service_nodes): affinity partners and the scheduler's load count it there.
OCCUPYING_STATES = ('started', 'request_stop', 'fence', 'freeze', 'error', 'recovery', 'migrate', 'relocate')


def placement_constraints(groups, rules, host_names=(), dropped_rules=()):
    """{sid: {allowed_hosts?, host_priority?, anti_affinity?, keep_together?}} from canonical groups+resource map or rules.

    groups: list of (canonical group, [member sids]); rules: canonical rules (PVE 9); host_names: every
    node, needed to turn a negative node-affinity rule ("anywhere but these") into allowed/preferred hosts;
    dropped_rules: names of rules GET /cluster/ha/rules marks with errors (the CRM ignores them).
    """
    out = {}
    for group, members in groups or []:
        for sid in members:
            entry = out.setdefault(sid, {})
            if group['restricted']:
                entry['allowed_hosts'] = sorted(group['nodes'])
            entry['host_priority'] = dict(group['nodes'])
    for rule in rules or []:
        if not rule.get('enabled', True) or rule['name'] in dropped_rules:
            continue
        for sid in rule['resources']:
            entry = out.setdefault(sid, {})
            if rule['type'] == 'node-affinity' and rule.get('affinity', 'positive') == 'positive':
                if rule.get('strict'):
                    entry['allowed_hosts'] = sorted(rule['nodes'])
                entry['host_priority'] = dict(rule['nodes'])
            elif rule['type'] == 'node-affinity':
                others = sorted(set(host_names) - set(rule['nodes']))
                if rule.get('strict'):
                    entry['allowed_hosts'] = others
                # Unlisted hosts rank below listed ones, so listing the others prefers them.
                entry['host_priority'] = dict((host, 0) for host in others)
            elif rule['type'] == 'resource-affinity' and rule.get('affinity') == 'negative':
                entry.setdefault('anti_affinity', []).append(rule['name'])
            elif rule['type'] == 'resource-affinity' and rule.get('affinity') == 'positive':
                entry['keep_together'] = sorted(set(entry.get('keep_together', []) + [rule['name']]))
    return dedupe_anti_affinity(out)


def rules_with_errors(raw_rules):
    """Names of the rules GET /cluster/ha/rules reports as infeasible (an `errors` member)."""
    return [item['name'] for item in ignored_rules(raw_rules)]


def ignored_rules(raw_rules):
    """[{name, reason}] of the rules GET /cluster/ha/rules marks infeasible: the CRM ignores them
    (pve-ha-manager API2/HA/Rules.pm index: `errors` is {property: joined messages})."""
    out = []
    for raw in sorted((r for r in raw_rules or [] if r.get('errors')), key=lambda r: str(r.get('rule'))):
        errors = raw['errors']
        reason = '; '.join('%s: %s' % (key, errors[key]) for key in sorted(errors)) if isinstance(errors, dict) else str(errors)
        out.append(dict(name=raw.get('rule'), reason=reason))
    return out


def quorum_votes(config_nodes, qdevice_status):
    """({node: votes}, quorum mapping) from /cluster/config/nodes and /cluster/config/qdevice."""
    votes = {}
    for entry in config_nodes or []:
        name = entry.get('name') or entry.get('node')
        if name:
            votes[name] = int(entry.get('quorum_votes') or 1)
    configured = 0
    present = 0
    if qdevice_status:
        algorithm = str(qdevice_status.get('Algorithm', '')).lower()
        configured = max(len(votes) - 1, 1) if 'lms' in algorithm else 1
        present = configured if str(qdevice_status.get('State', '')).lower().startswith('connected') else 0
    return votes, dict(expected_votes=sum(votes.values()) + configured, qdevice_votes=present)


def balloon_min_mb(config, memory_mb):
    """The balloon minimum of a VM config in MiB when it is set and below memory, else 0."""
    try:
        balloon = int(str((config or {}).get('balloon', 0)).rsplit('=', maxsplit=1)[-1])
    except ValueError:
        return 0
    return balloon if 0 < balloon < memory_mb else 0


def build_capacity_model(cluster_name, cluster_resources, ha_resources, constraints, host_reserved_mb=0,
                         manager_node_status=None, guest_configs=None, node_votes=None, quorum=None, crs=None,
                         service_status=None):
    """The capacity_model dict from /cluster/resources, canonical HA resources and constraints.

    node_votes/quorum come from quorum_votes(), crs is the datacenter's CRS mode, service_status the HA
    manager's per-service status ({sid: {state, node}}); each is added to the model only when given.
    """
    hosts, guests = [], []
    ha_state = dict((res['sid'], res['state']) for res in ha_resources or [])
    for item in cluster_resources or []:
        if item.get('type') == 'node':
            host = dict(name=item['node'], memory_mb=mib_down(item.get('maxmem')),
                        reserved_mb=int(host_reserved_mb or 0), state=host_state(item, manager_node_status))
            if item.get('maxcpu'):
                host['cpus'] = int(item['maxcpu'])
            if node_votes and item['node'] in node_votes:
                host['votes'] = node_votes[item['node']]
            hosts.append(host)
    for item in cluster_resources or []:
        if item.get('type') not in ('qemu', 'lxc') or item.get('template'):
            continue
        sid = '%s:%d' % ('vm' if item['type'] == 'qemu' else 'ct', int(item['vmid']))
        memory_mb = mib_up(item.get('maxmem'))
        config = (guest_configs or {}).get(sid)
        guest = dict(id=sid, name=item.get('name') or sid, host=item.get('node'), running=item.get('status') == 'running',
                     ha=ha_state.get(sid) == 'started', memory_mb=memory_mb,
                     reservation_mb=balloon_min_mb(config, memory_mb) if item['type'] == 'qemu' else 0, overhead_mb=0)
        if item.get('maxcpu') is not None:
            guest['cpus'] = float(item['maxcpu'])
        crm = (service_status or {}).get(sid) or {}
        if crm.get('state') and crm.get('node') == guest['host']:
            holds = crm['state'] in OCCUPYING_STATES
            if holds != guest['running']:
                guest['occupies_host'] = holds
        guest.update(constraints.get(sid, {}))
        guests.append(guest)
    model = dict(platform='proxmox', hosts=hosts, guests=guests)
    if cluster_name:
        model['cluster'] = cluster_name
    if quorum:
        model['quorum'] = quorum
    if crs:
        model['crs'] = crs
    return model


# Storage content types that hold guest disks: VM images and container root/mount-point volumes
# (pve-storage src/PVE/Storage/Plugin.pm, list_volumes).
GUEST_DISK_CONTENT = ('images', 'rootdir')


def content_listings(cluster_resources):
    """[(node, storage, shared)] to list so that every guest disk is seen once, from /cluster/resources.

    /cluster/resources has one `storage` entry per node a storage is enabled on. A shared storage shows the
    same volumes from every node, so it is listed once, from its first available node; a local storage is
    listed on every node where it is available. The count grows with nodes x storages, never with guests.
    Returns (listings, unreadable): unreadable are (node, storage) pairs of local storage not available
    (node offline), whose disks cannot be listed.
    """
    listings, unreadable, shared_done = [], [], set()
    for item in sorted((r for r in cluster_resources or [] if r.get('type') == 'storage'),
                       key=lambda r: (str(r.get('storage')), str(r.get('node')))):
        content = set(str(item.get('content') or '').split(','))
        if not content & set(GUEST_DISK_CONTENT):
            continue
        shared = str(item.get('shared')) in ('1', 'True', 'true')
        available = item.get('status') == 'available'
        if shared:
            if available and item['storage'] not in shared_done:
                shared_done.add(item['storage'])
                listings.append((item['node'], item['storage'], True))
        elif available:
            listings.append((item['node'], item['storage'], False))
        else:
            unreadable.append((item['node'], item['storage']))
    return listings, unreadable


def guest_disks_from_content(volumes_by_listing, guest_types):
    """{sid: [{key, storage, shared}]} from storage content listings.

    volumes_by_listing: [((node, storage, shared), [content items])]; guest_types: {vmid: 'vm' | 'ct'}.
    Only image/rootdir volumes with an owning vmid that is a known guest count; `key` is the volume name.
    """
    out = {}
    for (_node, storage, shared), volumes in volumes_by_listing:
        for volume in volumes or []:
            if volume.get('content') not in GUEST_DISK_CONTENT or volume.get('vmid') is None:
                continue
            vmid = int(volume['vmid'])
            if vmid not in guest_types:
                continue
            name = str(volume.get('volid') or '').split(':', 1)[-1]
            disks = out.setdefault('%s:%d' % (guest_types[vmid], vmid), [])
            disk = dict(key=name, storage=storage, shared=bool(shared))
            if disk not in disks:
                disks.append(disk)
    for disks in out.values():
        disks.sort(key=lambda d: (d['storage'], d['key']))
    return out
