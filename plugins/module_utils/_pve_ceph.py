# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Map the cluster's own (hyper-converged) Ceph pools to capacity_model storage entries.

Pure: takes the already-read API data (plain dicts, the CRUSH map text) and returns plain data.

Decisions (docs/capacity-model.md, "Ceph on Proxmox"):
- Only RBD storages without `monhost` count: they use the cluster's own Ceph, whose OSDs die with its
  nodes. External Ceph (monhost set), NFS, iSCSI are not affected by the cluster's host failures.
- A pool stops I/O when fewer than `min_size` replicas of a placement group are up, so it survives
  `size - min_size` losses of its CRUSH failure domain (the type of the rule's last choose step).
- Host or a larger bucket type (chassis, rack, ...): every replica is on a different host, so it survives
  `size - min_size` host failures. OSD (or any type below host, or a rule that cannot be read): several
  replicas may share a host, so no host failure is guaranteed: 0.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# pve-storage RBDPlugin: the pool option defaults to 'rbd'.
DEFAULT_RBD_POOL = 'rbd'
_RULE_START = re.compile(r'^rule\s+(\S+)\s*\{')
_CHOOSE_STEP = re.compile(r'^step\s+choose\w*\s+\w+\s+-?\d+\s+type\s+(\S+)')
_TYPE_LINE = re.compile(r'^type\s+(\d+)\s+(\S+)')


def internal_rbd_pools(storage_cfg):
    """{storage id: [pool, data pool?]} of enabled RBD storages on the cluster's own Ceph (no monhost)."""
    out = {}
    for entry in storage_cfg or []:
        if entry.get('type') != 'rbd' or entry.get('monhost') or str(entry.get('disable') or '0') not in ('0', ''):
            continue
        pools = [str(entry.get('pool') or DEFAULT_RBD_POOL)]
        # An erasure-coded RBD storage keeps its data in `data-pool` and only metadata in `pool`: both matter.
        if entry.get('data-pool') and entry['data-pool'] not in pools:
            pools.append(str(entry['data-pool']))
        out[entry['storage']] = pools
    return out


def parse_crush_map(text):
    """({type name: type id}, {rule name: failure-domain type}, {rule id: rule name}) from a decompiled CRUSH map.

    The failure domain of a rule is the bucket type of its last `step choose*` (chooseleaf type host -> host).
    """
    types, domains, names = {}, {}, {}
    rule = None
    for raw in str(text or '').splitlines():
        line = raw.split('#', 1)[0].strip()
        if rule is None:
            match = _TYPE_LINE.match(line)
            if match:
                types[match.group(2)] = int(match.group(1))
                continue
            match = _RULE_START.match(line)
            if match:
                rule = match.group(1)
                domains[rule] = None
            continue
        if line == '}':
            rule = None
            continue
        parts = line.split()
        if len(parts) == 2 and parts[0] in ('id', 'ruleset') and parts[1].lstrip('-').isdigit():
            names.setdefault(int(parts[1]), rule)
        match = _CHOOSE_STEP.match(line)
        if match:
            domains[rule] = match.group(1)
    return types, domains, names


def host_failures_tolerated(size, min_size, domain, types):
    """(failures tolerated over hosts, why) for a pool of `size`/`min_size` whose rule spreads over `domain`."""
    spare = max(int(size) - int(min_size), 0)
    if domain is None:
        return 0, 'its CRUSH rule could not be read, so no host failure is guaranteed'
    host_id = types.get('host')
    domain_id = types.get(domain)
    if domain == 'host' or (host_id is not None and domain_id is not None and domain_id > host_id):
        return spare, 'size %d - min_size %d over failure domain %s' % (size, min_size, domain)
    return 0, ('failure domain %s lets replicas share a host, so no host failure is guaranteed (size %d, '
               'min_size %d)' % (domain, size, min_size))


def storage_users(guests, pools_by_storage, model_guest_ids):
    """{storage id: sorted guest ids with a disk on it}, or None when the guests' disks were not gathered."""
    if not any('disks' in guest for guest in guests):
        return None
    users = dict((storage, set()) for storage in pools_by_storage)
    for guest in guests:
        if guest['id'] not in model_guest_ids:
            continue
        for disk in guest.get('disks') or []:
            if disk.get('storage') in users:
                users[disk['storage']].add(guest['id'])
    return dict((storage, sorted(ids)) for storage, ids in users.items())


def _guest_list(ids, model_guest_ids):
    """'all' when every guest of the model is listed (the same meaning, and what unknown disks give)."""
    return 'all' if model_guest_ids and set(ids) >= set(model_guest_ids) else ids


def storage_entries(pools, crush_text, pools_by_storage, users, model_guest_ids=()):
    """(capacity_model storage entries, problems) for the pools the internal RBD storages use.

    pools: GET /nodes/{node}/ceph/pool; crush_text: GET /nodes/{node}/ceph/crush (None if unreadable);
    users: storage_users() output (None = every guest may depend on it); model_guest_ids: every guest of the
    model, so that a pool every guest uses says `all`.
    """
    types, domains, rule_names = parse_crush_map(crush_text)
    by_name = dict((str(p.get('pool_name')), p) for p in pools or [])
    storages_by_pool = {}
    for storage in sorted(pools_by_storage):
        for pool in pools_by_storage[storage]:
            storages_by_pool.setdefault(pool, []).append(storage)
    entries, problems = [], []
    for pool_name in sorted(storages_by_pool):
        storages = storages_by_pool[pool_name]
        pool = by_name.get(pool_name)
        if pool is None:
            problems.append("Ceph pool '%s' of storage %s is not in the cluster's pool list; it is left out of "
                            "the capacity model." % (pool_name, ', '.join(storages)))
            continue
        rule = pool.get('crush_rule_name') or rule_names.get(pool.get('crush_rule'))
        domain = domains.get(rule) if crush_text is not None else None
        size, min_size = int(pool.get('size') or 0), int(pool.get('min_size') or 0)
        tolerated, why = host_failures_tolerated(size, min_size, domain, types)
        if domain is None:
            problems.append("The CRUSH rule of Ceph pool '%s' could not be read; it is taken to survive no host "
                            "failure. Give the token Sys.Audit on / to read the CRUSH map." % pool_name)
        elif tolerated == 0 and domain != 'host' and size > min_size:
            problems.append("Ceph pool '%s': %s." % (pool_name, why))
        entry = dict(name=pool_name, failures_tolerated=tolerated, failure_domain='host',
                     size=size, min_size=min_size, crush_rule=rule, crush_failure_domain=domain,
                     storages=storages)
        if users is None:
            entry['guests'] = 'all'
        else:
            entry['guests'] = _guest_list(sorted(set(sid for storage in storages for sid in users.get(storage, []))),
                                          model_guest_ids)
        entries.append(entry)
    return entries, problems
