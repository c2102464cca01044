# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Info results of clusterops.ha.proxmox_cluster_ha_info for the proxmox_ha role's decision tests.

The shapes follow the module's RETURN; the cluster is the simulators' pve9-3node / pve8-3node:
three 64 GiB nodes, guests 100-105 (104 a container), a daily backup job for all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._pve_capacity_model import placement_constraints

NODES = ('pve1', 'pve2', 'pve3')
GUESTS = [(100, 'vm', 'web1', 'pve1', 8192), (101, 'vm', 'db1', 'pve1', 8192), (102, 'vm', 'web2', 'pve2', 8192),
          (103, 'vm', 'db2', 'pve2', 8192), (104, 'ct', 'dns1', 'pve3', 4096), (105, 'vm', 'app1', 'pve3', 12288)]


def resource(sid, state='started', group=None, failback=True):
    return dict(sid=sid, state=state, group=group, max_restart=1, max_relocate=1, failback=failback, comment='')


def rule(name, rule_type='node-affinity', resources=(), nodes=None, strict=False, affinity=None, enabled=True):
    out = dict(name=name, type=rule_type, resources=sorted(resources), comment='', enabled=enabled)
    if rule_type == 'node-affinity':
        out.update(nodes=dict(nodes or {}), strict=strict, affinity=affinity or 'positive')
    else:
        out.update(affinity=affinity)
    return out


def group(name, nodes, restricted=False, nofailback=False):
    return dict(name=name, nodes=dict(nodes), restricted=restricted, nofailback=nofailback, comment='')


def info(major=9, migrated=True, resources=(), rules=(), groups=(), memory=None, quorate=True, offline=(),
         storage_shared=True, backup_all=True):
    """An info result; constraints in capacity_model come from the groups/rules as the module maps them."""
    resources = [dict(r) for r in resources]
    if migrated:
        by_sid = {}
        for entry in rules:
            if entry['name'].startswith('ha-group-'):
                for sid in entry['resources']:
                    by_sid[sid] = entry['name'][len('ha-group-'):]
        for res in resources:
            res['group'] = by_sid.get(res['sid'])
    members = [(g, [r['sid'] for r in resources if r['group'] == g['name']]) for g in groups]
    constraints = placement_constraints(members, list(rules), NODES)
    memory = memory or dict((node, 65536) for node in NODES)
    state = dict((r['sid'], r['state']) for r in resources)
    guests, model_guests = [], []
    for vmid, kind, name, node, mem in GUESTS:
        sid = '%s:%d' % (kind, vmid)
        guests.append(dict(id=sid, vmid=vmid, type=kind, name=name, node=node, running=True, memory_mb=mem,
                           template=False, ha_state=state.get(sid),
                           disks=[dict(key='scsi0' if kind == 'vm' else 'rootfs',
                                       storage='ceph-rbd' if storage_shared else 'local-lvm', shared=storage_shared)]))
        model_guest = dict(id=sid, name=name, host=node, running=True, ha=state.get(sid) == 'started', memory_mb=mem,
                           reservation_mb=0, overhead_mb=0)
        model_guest.update(constraints.get(sid, {}))
        model_guests.append(model_guest)
    return dict(
        pve=dict(version='%d.0.10' % major if major >= 9 else '8.4.1', major=major, groups_migrated=migrated),
        cluster=dict(name='lab%d' % major, quorate=quorate, nodes=3, nodes_online=3 - len(offline)),
        nodes=[dict(name=n, online=n not in offline, memory_total_mb=memory[n], memory_used_mb=0, ha_state='online')
               for n in NODES],
        guests=guests, groups=[] if migrated else list(groups), rules=list(rules), resources=resources,
        options=dict(shutdown_policy='conditional', fencing='watchdog', crs=dict(ha='basic')),
        storage=[dict(storage='ceph-rbd', type='rbd', shared=True, content='images'),
                 dict(storage='local-lvm', type='lvmthin', shared=False, content='images')],
        backup_jobs=[dict(id='backup-daily', schedule='02:00', enabled=True, storage='pbs', all=backup_all, vmid=None,
                          pool=None)],
        capacity_model=dict(platform='proxmox', cluster='lab%d' % major,
                            hosts=[dict(name=n, memory_mb=memory[n], reserved_mb=0,
                                        state='offline' if n in offline else 'online') for n in NODES],
                            guests=model_guests))


def pve9(**kwargs):
    return info(9, True, **kwargs)


def pve8(**kwargs):
    return info(8, False, **kwargs)


def pve9_unmigrated(**kwargs):
    return info(9, False, **kwargs)


def guest(model, sid):
    return next(g for g in model['guests'] if g['id'] == sid)
