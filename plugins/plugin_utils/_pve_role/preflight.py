# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The proxmox_ha role's preflight: the seed document's preconditions as named checks, and the
role input the run could not apply - both found before any write, in check mode too.

preflight() returns {checks, lines, refusal, warnings}: `checks` are the shared check records
(plugin_utils/_checks.py) and `lines` their printout; `refusal` is '' or the one message that stops the role (first what the
run could not apply, then failed checks); `warnings` are sentences to show without stopping.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import check, check_lines, refusal_message
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import groups as g
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import rules as r
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.desired import ha_protected_sids, projected_resources

CHECK_NAMES = ('min_nodes', 'quorum', 'nodes_online', 'identical_memory', 'shared_storage', 'backup_coverage')


# --------------------------------------------------------------------------- the seed's preconditions

def check_min_nodes(info, action, min_nodes):
    names = sorted(node['name'] for node in info.get('nodes') or [])
    return check('min_nodes', len(names) >= min_nodes, action, '%d node(s), at least %d needed' % (len(names), min_nodes),
                 {'nodes': names})


def check_quorum(info, action):
    quorate = bool((info.get('cluster') or {}).get('quorate'))
    return check('quorum', quorate, action, 'cluster is quorate' if quorate else 'cluster is not quorate',
                 {'quorate': quorate})


def check_nodes_online(info, action):
    nodes = info.get('nodes') or []
    offline = sorted(node['name'] for node in nodes if not node.get('online'))
    maintenance = sorted(host['name'] for host in info['capacity_model'].get('hosts') or []
                         if host.get('state') == 'maintenance')
    down = offline + maintenance
    return check('nodes_online', not down, action,
                 'all %d nodes online' % len(nodes) if not down else 'not online: %s' % ', '.join(down),
                 {'offline': offline, 'maintenance': maintenance})


def check_identical_memory(info, action, tolerance_percent):
    hosts = dict((host['name'], host) for host in info['capacity_model'].get('hosts') or [])
    memory = {}
    for node in info.get('nodes') or []:
        value = node.get('memory_total_mb')
        memory[node['name']] = int(value if value is not None else hosts.get(node['name'], {}).get('memory_mb', 0))
    largest = max(memory.values()) if memory else 0
    smallest = min(memory.values()) if memory else 0
    spread = 100.0 * (largest - smallest) / largest if largest > 0 else 0.0
    return check('identical_memory', spread <= tolerance_percent, action,
                 'node memory differs by %.1f%% (tolerance %.1f%%)' % (spread, tolerance_percent),
                 {'memory_mb': memory, 'spread_percent': round(spread, 2)})


def check_shared_storage(info, action, ha_sids):
    shared = dict((entry['storage'], bool(entry.get('shared'))) for entry in info.get('storage') or [])
    guests = dict((guest['id'], guest) for guest in info.get('guests') or [])
    local = {}
    for sid in ha_sids:
        disks = [('%s on %s' % (disk.get('key') or 'disk', disk['storage']))
                 for disk in (guests.get(sid) or {}).get('disks') or []
                 if not (disk['shared'] if disk.get('shared') is not None else shared.get(disk['storage'], False))]
        if disks:
            local[sid] = disks
    return check('shared_storage', not local, action,
                 'all disks of %d HA guest(s) on shared storage' % len(ha_sids) if not local
                 else '%d HA guest(s) have disks on local storage' % len(local),
                 {'local_disks': local, 'ha_guests': list(ha_sids)})


def backup_covers(job, vmid, guest):
    """vzdump's selection: all minus exclude, a vmid list, or a pool."""
    listed = [item.strip() for item in str(job.get('vmid') or '').split(',')]
    excluded = [item.strip() for item in str(job.get('exclude') or '').split(',')]
    if job.get('all') and vmid not in excluded:
        return True
    return vmid in listed or bool(job.get('pool') and job['pool'] == (guest or {}).get('pool'))


def check_backup_coverage(info, action, ha_sids):
    jobs = [job for job in info.get('backup_jobs') or [] if job.get('enabled') is None or job.get('enabled')]
    guests = dict((guest['id'], guest) for guest in info.get('guests') or [])
    uncovered = [sid for sid in ha_sids
                 if not any(backup_covers(job, sid.split(':')[-1], guests.get(sid)) for job in jobs)]
    return check('backup_coverage', not uncovered, action,
                 'every HA guest is in an enabled backup job' if not uncovered
                 else '%d HA guest(s) in no enabled backup job' % len(uncovered),
                 {'uncovered': uncovered, 'enabled_jobs': [job.get('id') for job in jobs]})


def seed_checks(info, ha_sids, actions, min_nodes=3, memory_tolerance_percent=5.0):
    """The six checks in their fixed order; actions: {check name: fail|warn|skip}."""
    action = dict((name, (actions or {}).get(name, 'fail')) for name in CHECK_NAMES)
    return [check_min_nodes(info, action['min_nodes'], int(min_nodes)),
            check_quorum(info, action['quorum']),
            check_nodes_online(info, action['nodes_online']),
            check_identical_memory(info, action['identical_memory'], float(memory_tolerance_percent)),
            check_shared_storage(info, action['shared_storage'], ha_sids),
            check_backup_coverage(info, action['backup_coverage'], ha_sids)]


# --------------------------------------------------------------------------- what the run could not apply

def platform_problems(info, rules):
    """proxmox_ha_rules needs PVE 9 with the groups migrated: PVE refuses rule writes before that."""
    platform = d.platform(info)
    if not rules:
        return []
    if not platform['rules']:
        return ['%s needs PVE 9 but this cluster runs PVE %s; use %s instead, or upgrade the cluster first.'
                % (d.RULES_VAR, platform['major'], d.GROUPS_VAR)]
    if not platform['groups_migrated']:
        return ['%s needs the HA groups migrated to rules, but this PVE %s cluster has not migrated them yet '
                '(groups_migrated is false) and PVE refuses rule changes until it has; bring all nodes online so the '
                'migration runs, or leave %s empty and use %s until then.'
                % (d.RULES_VAR, platform['version'], d.RULES_VAR, d.GROUPS_VAR)]
    return []


def group_problems(info, parsed_groups, desired, after):
    """A group the run would create without nodes, a resource naming a group that will not exist, or a group
    removed while resources still use it after the resources task (the group module refuses that, late)."""
    problems = []
    members = g.group_members(after)
    for group in parsed_groups:
        if group['state'] == 'absent':
            try:
                d.check_group_unused(group['name'], members.get(group['name'], []))
            except d.HaInputError as exc:
                problems.append('%s: %s' % (d.GROUPS_VAR, exc))
    existing = set(g.existing_group_names(info))
    for group in d.present(parsed_groups):
        if group['name'] not in existing and not group['nodes']:
            problems.append("%s entry '%s' has no nodes, and the group does not exist yet; list its nodes (the real "
                            "run would be refused only after other writes)." % (d.GROUPS_VAR, group['name']))
    removed = set(group['name'] for group in parsed_groups if group['state'] == 'absent')
    known = (existing | set(group['name'] for group in d.present(parsed_groups))) - removed
    for item in desired:
        if item.get('group') in removed:
            problems.append("%s gives %s group '%s', which %s removes (state absent); move the resource to another "
                            "group or keep the group." % (d.RESOURCES_VAR, item['sid'], item['group'], d.GROUPS_VAR))
        elif item.get('group') and item['group'] not in known:
            problems.append("%s gives %s group '%s', which neither exists nor is in %s; add the group there or fix "
                            "the name." % (d.RESOURCES_VAR, item['sid'], item['group'], d.GROUPS_VAR))
    return problems


def input_problems(info, desired, groups, rules, mode):
    """Every sentence about role input this cluster cannot take, each found before any write."""
    problems = platform_problems(info, rules)
    parsed_groups = []
    try:
        parsed_groups = g.role_groups(groups)
    except d.HaInputError as exc:
        problems.append(str(exc))
    try:
        r.role_rules(info, rules)
    except d.HaInputError as exc:
        problems.append(str(exc))
    after = {}
    try:
        after = projected_resources(info, desired, mode)
    except d.HaInputError as exc:
        problems.append(str(exc))
    return problems + group_problems(info, parsed_groups, desired, after)


def capacity_warnings(host_failures):
    if int(host_failures) <= 0:
        return ['proxmox_ha_host_failures is 0 (N+0): the capacity gate checks no node failure, so a pass gives NO '
                'failover protection; set it to 1 (the seed\'s N+1) or more.']
    return []


def preflight(info, desired, groups, rules, mode, actions, min_nodes=3, memory_tolerance_percent=5.0, host_failures=1):
    """{checks, lines, refusal, warnings} for this run, before any write."""
    problems = input_problems(info, desired, groups, rules, mode)
    try:
        ha_sids = ha_protected_sids(info, desired, mode)
    except d.HaInputError:
        ha_sids = []
    checks = seed_checks(info, ha_sids, actions, min_nodes, memory_tolerance_percent)
    if problems:
        refusal = ('The role cannot apply its input to this cluster: %s Nothing has been written; fix the role '
                   'variables.' % ' '.join(problems))
    else:
        refusal = refusal_message(checks, 'proxmox_ha')
    warnings = ['%s: %s; evidence: %s' % (c['name'], c['summary'], json.dumps(c['evidence'], sort_keys=True))
                for c in checks if c['status'] == 'warn']
    return dict(checks=checks, lines=check_lines(checks), refusal=refusal, warnings=warnings + capacity_warnings(host_failures))
