# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure normalisation, validation, diff and planning of Proxmox VE HA objects.

No I/O and no Ansible import: every function takes and returns plain data so that unit
tests can call it directly. Canonical forms (what `before`/`after` show):

- group:    {name, nodes: {node: priority}, restricted, nofailback, comment}
- rule:     {name, type, resources: [sid...], nodes: {node: priority}, strict, affinity, comment, enabled}
- resource: {sid, state, group, max_restart, max_relocate, failback, comment}

PVE quirks handled here: node lists come back in random order and drop `:0`; GET omits
defaults (strict 0, comment "", failback 1, max_* 1); `enabled` is `started`; a bare
VMID means vm:/ct: by lookup; booleans are 0/1; a false `disable` is ignored by PVE, so
re-enabling a rule and clearing any option go through `delete=`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

GROUP_RULE_PREFIX = 'ha-group-'
RESOURCE_STATES = ('started', 'stopped', 'disabled', 'ignored')
RESOURCE_DEFAULTS = dict(state='started', group=None, max_restart=1, max_relocate=1, failback=True, comment='')
SID_RE = re.compile(r'^(?:(vm|ct):)?(\d+)$')
NODE_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$')


class HaInputError(ValueError):
    """Bad user input; the message is one sentence naming the option and the fix."""


# PVE's 'pve-configid' format, which HA group and rule IDs must match.
CONFIG_ID = re.compile(r'[A-Za-z][A-Za-z0-9_\-]+\Z')


def check_config_id(value, option):
    """Refuse an ID PVE would reject, before any request is made."""
    if not CONFIG_ID.match(value or ''):
        raise HaInputError("%s %r is not a valid PVE ID; start with a letter and use only ASCII letters, digits, '-' "
                           "and '_' (at least 2 characters), e.g. 'web-tier'." % (option, value))


# --------------------------------------------------------------------------- scalars

def to_bool(value):
    """PVE 0/1, '0'/'1', booleans and None (False) as a Python bool."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    return str(value).strip().lower() in ('1', 'true', 'yes', 'on')


def to_int(value, default):
    """An integer from PVE data, or the default when PVE omitted it."""
    if value is None or value == '':
        return default
    return int(value)


def split_list(value):
    """A PVE comma list (or a Python list) as a list of stripped non-empty strings."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value).split(',')
    return [str(item).strip() for item in items if str(item).strip()]


# --------------------------------------------------------------------------- nodes

def parse_node_entry(entry, option='nodes'):
    """(node, priority) from 'n1', 'n1:2' or {'node': 'n1', 'priority': 2}."""
    if isinstance(entry, dict):
        unknown = set(entry) - set(('node', 'priority'))
        if unknown or 'node' not in entry:
            raise HaInputError("%s entry %r must have the keys node and optionally priority; write it as "
                               "{node: pve1, priority: 2} or 'pve1:2'." % (option, entry))
        node, priority = str(entry['node']).strip(), entry.get('priority')
    else:
        node, _sep, priority = str(entry).strip().partition(':')
        node = node.strip()
        priority = priority.strip() if _sep else None
    if not NODE_RE.match(node):
        raise HaInputError("%s entry %r has no valid node name; use the cluster node name, e.g. 'pve1' or 'pve1:2'."
                           % (option, entry))
    if priority is None or priority == '':
        return node, 0
    if isinstance(priority, bool) or not re.match(r'^\d+$', str(priority).strip()):
        raise HaInputError("%s entry %r has priority %r, which is not a non-negative integer; write node:priority "
                           "with a whole number >= 0, e.g. '%s:2'." % (option, entry, priority, node))
    return node, int(str(priority).strip())


def parse_nodes(value, option='nodes'):
    """{node: priority} from a user list or a PVE 'n1:2,n2' string; rejects duplicates."""
    nodes = {}
    for entry in (value if isinstance(value, (list, tuple)) else split_list(value)):
        node, priority = parse_node_entry(entry, option)
        if node in nodes:
            raise HaInputError("%s lists node '%s' twice; give each node once." % (option, node))
        nodes[node] = priority
    return dict(sorted(nodes.items()))


def format_nodes(nodes):
    """PVE node list string, sorted by name; priority 0 written as the bare name like PVE does."""
    return ','.join(node if not prio else '%s:%d' % (node, prio) for node, prio in sorted(nodes.items()))


# --------------------------------------------------------------------------- sids

def guest_types(cluster_resources):
    """{vmid: 'vm'|'ct'} and {vmid: node} from GET /cluster/resources (type qemu/lxc entries)."""
    types, nodes = {}, {}
    for item in cluster_resources or []:
        if item.get('type') in ('qemu', 'lxc') and item.get('vmid') is not None:
            vmid = int(item['vmid'])
            types[vmid] = 'vm' if item['type'] == 'qemu' else 'ct'
            nodes[vmid] = item.get('node')
    return types, nodes


def normalize_sid(value, types=None, option='sid'):
    """'vm:100' from 'vm:100', 'ct:101', '100' or 100; checks the VMID exists when types is given."""
    text = str(value).strip()
    match = SID_RE.match(text)
    if not match:
        raise HaInputError("%s %r is malformed; write vm:<vmid>, ct:<vmid> or a bare VMID such as 100." % (option, value))
    kind, vmid = match.group(1), int(match.group(2))
    if types is not None:
        actual = types.get(vmid)
        if actual is None:
            raise HaInputError("%s %r names VMID %d, which does not exist in the cluster; use the ID of an existing "
                               "VM or container." % (option, value, vmid))
        if kind and kind != actual:
            raise HaInputError("%s %r says %s but guest %d is a %s; write %s:%d." % (
                option, value, kind, vmid, 'container' if actual == 'ct' else 'VM', actual, vmid))
        kind = actual
    return '%s:%d' % (kind or 'vm', vmid)


def sid_sort_key(sid):
    kind, _sep, vmid = sid.partition(':')
    return (int(vmid) if vmid.isdigit() else 0, kind)


def sort_sids(sids):
    return sorted(set(sids), key=sid_sort_key)


# --------------------------------------------------------------------------- generic diff

def changed_fields(before, after):
    """Names of fields whose values differ (both canonical)."""
    return sorted(key for key in set(before or {}) | set(after or {}) if (before or {}).get(key) != (after or {}).get(key))


def merge_desired(current, desired, defaults):
    """The object after applying desired (None = keep) over current, or over defaults when creating."""
    merged = dict(defaults if current is None else current)
    for key, value in desired.items():
        if value is not None:
            merged[key] = value
    return merged


def first_digest(items):
    """The config digest PVE attaches to list entries (one SHA1 of the whole file)."""
    for item in items or []:
        if isinstance(item, dict) and item.get('digest'):
            return item['digest']
    return None


# --------------------------------------------------------------------------- groups

GROUP_DEFAULTS = dict(nodes={}, restricted=False, nofailback=False, comment='')


def normalize_group(api):
    """Canonical group from a GET /cluster/ha/groups entry."""
    return dict(name=api.get('group'), nodes=parse_nodes(api.get('nodes'), 'nodes'),
                restricted=to_bool(api.get('restricted')), nofailback=to_bool(api.get('nofailback')),
                comment=api.get('comment') or '')


def desired_group(params):
    """Canonical desired group from module params; None means 'keep what PVE has'."""
    nodes = params.get('nodes')
    return dict(name=params['name'], nodes=parse_nodes(nodes, 'nodes') if nodes is not None else None,
                restricted=params.get('restricted'), nofailback=params.get('nofailback'), comment=params.get('comment'))


def group_write_params(before, after):
    """POST (before None) or PUT parameters that turn before into after; falsy options go to delete=."""
    creating = before is None
    params, delete = {}, []
    for key in ('nodes', 'restricted', 'nofailback', 'comment'):
        if not creating and before.get(key) == after.get(key):
            continue
        value = after.get(key)
        if key == 'nodes':
            params['nodes'] = format_nodes(value)
        elif value:
            params[key] = 1 if value is True else value
        elif not creating:
            delete.append(key)
    if delete:
        params['delete'] = ','.join(delete)
    return params


def validate_group(desired, current, cluster_nodes, state):
    """Errors for a group request before any write (pure)."""
    if state == 'absent':
        return
    if current is None and not desired.get('nodes'):
        raise HaInputError("nodes is required to create HA group '%s'; list at least one cluster node." % desired['name'])
    check_nodes_exist(desired.get('nodes') or {}, cluster_nodes, 'nodes')


def check_nodes_exist(nodes, cluster_nodes, option):
    if cluster_nodes is None:
        return
    unknown = sorted(set(nodes) - set(cluster_nodes))
    if unknown:
        raise HaInputError("%s names unknown node(s) %s; use cluster node names (%s)." % (
            option, ', '.join(unknown), ', '.join(sorted(cluster_nodes))))


# --------------------------------------------------------------------------- rules

def normalize_rule(api):
    """Canonical rule from a GET /cluster/ha/rules entry (fills the defaults PVE omits)."""
    rule = dict(name=api.get('rule'), type=api.get('type'), resources=sort_sids(split_list(api.get('resources'))),
                comment=api.get('comment') or '', enabled=not to_bool(api.get('disable')))
    if rule['type'] == 'node-affinity':
        rule.update(nodes=parse_nodes(api.get('nodes')), strict=to_bool(api.get('strict')),
                    affinity=api.get('affinity') or 'positive')
    else:
        rule.update(affinity=api.get('affinity'))
    return rule


def rule_defaults(rule_type):
    base = dict(resources=[], comment='', enabled=True, type=rule_type)
    if rule_type == 'node-affinity':
        base.update(nodes={}, strict=False, affinity='positive')
    else:
        base.update(affinity=None)
    return base


def desired_rule(params, types=None):
    """Canonical desired rule from module params; None = keep."""
    resources = params.get('resources')
    nodes = params.get('nodes')
    desired = dict(name=params['name'], type=params.get('type'),
                   resources=sort_sids([normalize_sid(r, types, 'resources') for r in resources]) if resources is not None else None,
                   comment=params.get('comment'), enabled=params.get('enabled'), affinity=params.get('affinity'))
    if params.get('type') == 'node-affinity':
        desired.update(nodes=parse_nodes(nodes, 'nodes') if nodes is not None else None, strict=params.get('strict'))
    if params.get('resources') is not None and len(desired['resources']) != len(resources):
        raise HaInputError("resources lists the same resource twice; give each resource once.")
    return desired


def rule_write_params(before, after):
    """POST or PUT parameters for a rule; `type` is always sent, re-enabling uses delete=disable."""
    creating = before is None
    params, delete = dict(type=after['type']), []
    keys = ['resources', 'comment', 'enabled', 'affinity']
    if after['type'] == 'node-affinity':
        keys += ['nodes', 'strict']
    for key in keys:
        value = after.get(key)
        if not creating and before.get(key) == value:
            continue
        if key == 'resources':
            params['resources'] = ','.join(value)
        elif key == 'nodes':
            params['nodes'] = format_nodes(value)
        elif key == 'enabled':
            # PVE drops disable=0, so only delete=disable re-enables a rule.
            if not value:
                params['disable'] = 1
            elif not creating:
                delete.append('disable')
        elif key == 'strict':
            if value:
                params['strict'] = 1
            elif not creating:
                delete.append('strict')
        elif key == 'affinity':
            if value and (after['type'] == 'resource-affinity' or value != 'positive' or not creating):
                params['affinity'] = value
        elif value:
            params[key] = value
        elif not creating:
            delete.append(key)
    if delete:
        params['delete'] = ','.join(delete)
    return params


def validate_rule(after, managed_sids, cluster_nodes, other_rules):
    """Errors for the rule as it would be after the change (pure); other_rules are canonical."""
    name = after['name']
    if not after.get('resources'):
        raise HaInputError("resources is required for rule '%s'; list the HA resources it applies to." % name)
    unmanaged = [sid for sid in after['resources'] if managed_sids is not None and sid not in managed_sids]
    if unmanaged:
        raise HaInputError("resources %s are not HA resources yet; add them with clusterops.ha.proxmox_ha_resources "
                           "before rule '%s' uses them." % (', '.join(unmanaged), name))
    if after['type'] == 'node-affinity':
        if not after.get('nodes'):
            raise HaInputError("nodes is required for node-affinity rule '%s'; list at least one node." % name)
        check_nodes_exist(after['nodes'], cluster_nodes, 'nodes')
        for other in other_rules:
            if other['name'] != name and other['type'] == 'node-affinity' and other.get('enabled', True):
                shared = sorted(set(other['resources']) & set(after['resources']))
                if shared:
                    raise HaInputError("resources %s are already in node-affinity rule '%s'; a resource may be in only "
                                       "one node-affinity rule, so remove it there first." % (', '.join(shared), other['name']))
        if len(set(after['nodes'].values())) > 1:
            for other in other_rules:
                shared = sorted(set(other['resources']) & set(after['resources']))
                if other['name'] != name and other['type'] == 'resource-affinity' and other.get('enabled', True) and shared:
                    raise HaInputError("resources %s are in resource-affinity rule '%s', and PVE forbids such resources in a "
                                       "node-affinity rule with several priorities; give all nodes one priority or remove "
                                       "them from '%s'." % (', '.join(shared), other['name'], other['name']))
    else:
        if after.get('affinity') not in ('positive', 'negative'):
            raise HaInputError("affinity is required for resource-affinity rule '%s'; set positive or negative." % name)
        if len(after['resources']) < 2:
            raise HaInputError("resources of resource-affinity rule '%s' must list at least 2 resources." % name)
        if after['affinity'] == 'negative' and cluster_nodes is not None and len(after['resources']) > len(cluster_nodes):
            raise HaInputError("resources of negative rule '%s' lists %d resources but the cluster has %d nodes; keep "
                               "at most one resource per node." % (name, len(after['resources']), len(cluster_nodes)))
        for other in other_rules:
            if (other['name'] != name and other['type'] == 'resource-affinity' and other.get('affinity') != after['affinity']
                    and len(set(other['resources']) & set(after['resources'])) >= 2):
                raise HaInputError("resources of rule '%s' share two or more resources with %s rule '%s'; positive and "
                                   "negative rules may not overlap like that." % (name, other['affinity'], other['name']))
            shared = sorted(set(other['resources']) & set(after['resources']))
            if (other['type'] == 'node-affinity' and other.get('enabled', True) and shared
                    and len(set(other.get('nodes', {}).values())) > 1):
                raise HaInputError("resources %s are in node-affinity rule '%s' with several priorities, which PVE forbids "
                                   "for resources of a resource-affinity rule; give that rule's nodes one priority or "
                                   "leave them out here." % (', '.join(shared), other['name']))


# --------------------------------------------------------------------------- group <-> rule translation

def group_rule_name(group):
    return GROUP_RULE_PREFIX + group


def group_from_rule_name(rule_name):
    return rule_name[len(GROUP_RULE_PREFIX):] if rule_name and rule_name.startswith(GROUP_RULE_PREFIX) else None


def group_as_rule(group, resources, current_rule=None):
    """The node-affinity rule PVE's own migration makes of a group: ha-group-<name>, strict = restricted."""
    comment = group.get('comment')
    if comment is None:
        comment = current_rule['comment'] if current_rule else "Generated from HA group '%s'." % group['name']
    return dict(name=group_rule_name(group['name']), type='node-affinity', resources=sort_sids(resources),
                nodes=group['nodes'] if group.get('nodes') is not None else (current_rule or {}).get('nodes', {}),
                strict=group['restricted'] if group.get('restricted') is not None else (current_rule or {}).get('strict', False),
                affinity='positive', comment=comment,
                enabled=current_rule['enabled'] if current_rule else True)


def rule_as_group(rule, failbacks):
    """The group view of a translated rule; nofailback is true when every member has failback off."""
    members = [failbacks.get(sid, True) for sid in rule['resources']]
    return dict(name=group_from_rule_name(rule['name']), nodes=rule.get('nodes', {}), restricted=rule.get('strict', False),
                nofailback=bool(members) and not any(members), comment=rule.get('comment', ''))


# --------------------------------------------------------------------------- resources

def normalize_resource(api, group_by_sid=None):
    """Canonical resource from a GET /cluster/ha/resources entry; enabled is started."""
    state = api.get('state') or 'started'
    if state == 'enabled':
        state = 'started'
    sid = api.get('sid')
    group = api.get('group') or None
    if group_by_sid is not None:
        group = group_by_sid.get(sid)
    return dict(sid=sid, state=state, group=group, max_restart=to_int(api.get('max_restart'), 1),
                max_relocate=to_int(api.get('max_relocate'), 1),
                failback=True if api.get('failback') is None else to_bool(api.get('failback')), comment=api.get('comment') or '')


def desired_resources(items, types):
    """Canonical desired resources from the module's config list; rejects duplicates and bad sids."""
    desired, seen = [], set()
    for index, item in enumerate(items or []):
        sid = normalize_sid(item.get('sid'), types, 'config[%d].sid' % index)
        if sid in seen:
            raise HaInputError("config lists %s twice; give each resource once." % sid)
        seen.add(sid)
        for key in ('max_restart', 'max_relocate'):
            if item.get(key) is not None and item[key] < 0:
                raise HaInputError("config[%d].%s is %d; use a whole number >= 0." % (index, key, item[key]))
        state = item.get('state')
        desired.append(dict(sid=sid, state='started' if state == 'enabled' else state, group=item.get('group'),
                            max_restart=item.get('max_restart'), max_relocate=item.get('max_relocate'),
                            failback=item.get('failback'), comment=item.get('comment')))
    return desired


def resource_after(current, desired, replace):
    """The resource after the change: merged keeps unset fields, replaced resets them to PVE's defaults."""
    base = dict(RESOURCE_DEFAULTS, sid=desired['sid']) if (current is None or replace) else current
    after = dict(base)
    for key, value in desired.items():
        if value is not None:
            after[key] = value
    if after.get('group') == '':
        after['group'] = None
    return after


def resource_write_params(before, after, with_group=True, with_failback=True):
    """POST (before None) or PUT parameters for one resource (sid excluded); defaults go to delete=."""
    creating = before is None
    params, delete = {}, []
    keys = ['state', 'max_restart', 'max_relocate', 'comment']
    if with_group:
        keys.append('group')
    if with_failback:
        keys.append('failback')
    for key in keys:
        value = after.get(key)
        if not creating and before.get(key) == value:
            continue
        if creating and value == RESOURCE_DEFAULTS[key]:
            continue
        if key == 'failback':
            if value:
                delete.append('failback')
            else:
                params['failback'] = 0
        elif key in ('group', 'comment'):
            if value:
                params[key] = value
            else:
                delete.append(key)
        else:
            params[key] = value
    if creating:
        delete = []
    if delete:
        params['delete'] = ','.join(sorted(delete))
    return params


def plan_resources(current, desired, state, translate_groups=False, rules=None, with_failback=True):
    """The writes that converge HA resources (pure).

    current: {sid: canonical resource}; desired: canonical list; state: merged|replaced|overridden|deleted.
    With translate_groups (migrated PVE 9) `group` is membership of node-affinity rule ha-group-<name>,
    so rule updates are planned too. Returns dict(before, after, commands) where commands are ordered
    safely: resource creates/updates, then rule changes, then resource deletes.
    """
    rules = dict((r['name'], r) for r in (rules or []))
    after = dict((sid, dict(res)) for sid, res in current.items())
    creates, updates, deletes = [], [], []
    if state == 'deleted':
        for item in desired:
            if item['sid'] in after:
                deletes.append(item['sid'])
                del after[item['sid']]
    else:
        replace = state in ('replaced', 'overridden')
        for item in desired:
            before = current.get(item['sid'])
            new = resource_after(before, item, replace)
            after[item['sid']] = new
            if before is None:
                creates.append(item['sid'])
            elif changed_fields(before, new):
                updates.append(item['sid'])
        if state == 'overridden':
            listed = set(item['sid'] for item in desired)
            for sid in sort_sids(current):
                if sid not in listed:
                    deletes.append(sid)
                    del after[sid]
    if translate_groups:
        inherit_group_failback(current, desired, after, rules)
    commands = []
    for sid in creates:
        params = resource_write_params(None, after[sid], with_group=not translate_groups, with_failback=with_failback)
        commands.append(dict(op='create', kind='resource', id=sid, params=dict(params, sid=sid)))
    for sid in updates:
        params = resource_write_params(current[sid], after[sid], with_group=not translate_groups, with_failback=with_failback)
        if params:
            commands.append(dict(op='update', kind='resource', id=sid, params=params))
    if translate_groups:
        commands.extend(plan_group_rule_membership(current, after, rules))
    for sid in deletes:
        commands.append(dict(op='delete', kind='resource', id=sid, params={}))
    return dict(before=current, after=after, commands=commands)


def inherit_group_failback(current, desired, after, rules):
    """A resource joining ha-group-<g> takes the group's nofailback (failback off when every member has it off).

    That is what `group:` meant before migration; an explicit failback in the item wins.
    """
    explicit = set(item['sid'] for item in desired if item.get('failback') is not None)
    for sid, res in after.items():
        group = res.get('group')
        if not group or sid in explicit or (current.get(sid) or {}).get('group') == group:
            continue
        rule = rules.get(group_rule_name(group))
        members = [current[m]['failback'] for m in (rule or {}).get('resources', []) if m in current and m != sid]
        if members and not any(members):
            res['failback'] = False


def plan_group_rule_membership(current, after, rules):
    """Rule writes that make ha-group-<g> rules hold exactly the resources whose group is g."""
    members = {}
    for rule in rules.values():
        if group_from_rule_name(rule['name']) is not None:
            members[rule['name']] = set(rule['resources'])
    wanted = dict((name, set(sids)) for name, sids in members.items())
    touched = set()
    for sid in set(current) | set(after):
        old = (current.get(sid) or {}).get('group')
        new = (after.get(sid) or {}).get('group')
        if old == new and sid in after:
            continue
        if old:
            wanted.setdefault(group_rule_name(old), set()).discard(sid)
            touched.add(group_rule_name(old))
        if new and sid in after:
            name = group_rule_name(new)
            if name not in rules:
                raise HaInputError("group '%s' of %s does not exist: this PVE 9 cluster has migrated groups to rules and "
                                   "has no rule '%s'; create the group first with clusterops.ha.proxmox_ha_group (it "
                                   "becomes that rule once a member resource exists) or use proxmox_ha_rule." % (new, sid, name))
            wanted.setdefault(name, set()).add(sid)
            touched.add(name)
    commands = []
    for name in sorted(touched):
        rule = rules[name]
        sids = sort_sids(wanted[name])
        if sids == rule['resources']:
            continue
        if sids:
            validate_rule(dict(rule, resources=sids), None, None, [r for r in rules.values() if r['name'] != name])
            commands.append(dict(op='update', kind='rule', id=name,
                                 params=dict(type='node-affinity', resources=','.join(sids))))
        else:
            # PVE refuses a rule without resources; its own purge deletes such rules too.
            commands.append(dict(op='delete', kind='rule', id=name, params={}))
    return commands


def validate_resources(desired, groups, translate_groups, rules, with_failback):
    """Cross-object checks before any write (pure)."""
    for item in desired:
        if item.get('failback') is not None and not with_failback:
            raise HaInputError("failback of %s needs PVE 9; on PVE 8 set nofailback on the HA group instead." % item['sid'])
        group = item.get('group')
        if not group:
            continue
        if translate_groups:
            if group_rule_name(group) not in dict((r['name'], r) for r in rules or []):
                continue  # reported by plan_group_rule_membership with the full sentence
        elif groups is not None and group not in groups:
            raise HaInputError("group '%s' of %s does not exist; create it with clusterops.ha.proxmox_ha_group first or "
                               "fix the name (known groups: %s)." % (group, item['sid'], ', '.join(sorted(groups)) or 'none'))


def group_by_sid_from_rules(rules):
    """{sid: group name} from ha-group-<g> node-affinity rules (the migrated view of `group`)."""
    out = {}
    for rule in rules or []:
        group = group_from_rule_name(rule['name'])
        if group is not None and rule['type'] == 'node-affinity':
            for sid in rule['resources']:
                out[sid] = group
    return out


# --------------------------------------------------------------------------- datacenter options

CRS_KEYS = dict(ha='ha', ha_rebalance_on_start='ha-rebalance-on-start', ha_auto_rebalance='ha-auto-rebalance',
                ha_auto_rebalance_threshold='ha-auto-rebalance-threshold', ha_auto_rebalance_method='ha-auto-rebalance-method',
                ha_auto_rebalance_hold_duration='ha-auto-rebalance-hold-duration', ha_auto_rebalance_margin='ha-auto-rebalance-margin')
CRS_DEFAULTS = dict(ha='basic', ha_rebalance_on_start=False, ha_auto_rebalance=False, ha_auto_rebalance_threshold=30,
                    ha_auto_rebalance_method='bruteforce', ha_auto_rebalance_hold_duration=3, ha_auto_rebalance_margin=10)
CRS_BOOL = ('ha_rebalance_on_start', 'ha_auto_rebalance')
OPTION_DEFAULTS = dict(shutdown_policy='conditional', fencing='watchdog')


def parse_property_string(value):
    """{key: value} from 'k=v,k2=v2' or an already parsed dict (GET returns objects, older ones strings)."""
    if isinstance(value, dict):
        return dict(value)
    out = {}
    for part in split_list(value):
        key, _sep, val = part.partition('=')
        out[key.strip()] = val.strip()
    return out


def normalize_cluster_ha(options):
    """Canonical HA datacenter options from GET /cluster/options, with PVE's defaults filled in."""
    ha = parse_property_string(options.get('ha'))
    crs_raw = parse_property_string(options.get('crs'))
    crs = {}
    for name, key in CRS_KEYS.items():
        value = crs_raw.get(key)
        if value is None:
            crs[name] = CRS_DEFAULTS[name]
        elif name in CRS_BOOL:
            crs[name] = to_bool(value)
        elif isinstance(CRS_DEFAULTS[name], int):
            crs[name] = int(float(value))
        else:
            crs[name] = str(value)
    return dict(shutdown_policy=ha.get('shutdown_policy') or OPTION_DEFAULTS['shutdown_policy'], crs=crs,
                fencing=options.get('fencing') or OPTION_DEFAULTS['fencing'])


def desired_cluster_ha(params, current):
    """The options after the change: unset options keep their current value."""
    after = dict(current, crs=dict(current['crs']))
    if params.get('shutdown_policy') is not None:
        after['shutdown_policy'] = params['shutdown_policy']
    if params.get('fencing') is not None:
        after['fencing'] = params['fencing']
    for name, value in (params.get('crs') or {}).items():
        if value is not None:
            after['crs'][name] = value
    return after


def validate_cluster_ha(after, version_string):
    """Errors for the datacenter options as they would be after the change (pure)."""
    auto = [name for name in CRS_KEYS if name.startswith('ha_auto_rebalance_') and after['crs'][name] != CRS_DEFAULTS[name]]
    if auto and not after['crs']['ha_auto_rebalance']:
        raise HaInputError("crs.%s only applies with crs.ha_auto_rebalance; set ha_auto_rebalance: true or drop it." % auto[0])
    if after['crs']['ha'] == 'dynamic' and not version_at_least(version_string, (9, 2)):
        raise HaInputError("crs.ha dynamic needs PVE 9.2 or later (this cluster runs %s); use basic or static." % version_string)


def version_at_least(version_string, wanted):
    parts = [int(p) for p in re.findall(r'\d+', str(version_string or ''))[:2]]
    while len(parts) < 2:
        parts.append(0)
    return tuple(parts) >= tuple(wanted)


def cluster_ha_write_params(before, after):
    """PUT /cluster/options parameters: property strings for set values, delete= where all is default."""
    params, delete = {}, []
    if before['shutdown_policy'] != after['shutdown_policy']:
        if after['shutdown_policy'] == OPTION_DEFAULTS['shutdown_policy']:
            delete.append('ha')
        else:
            params['ha'] = 'shutdown_policy=%s' % after['shutdown_policy']
    if before['crs'] != after['crs']:
        parts = []
        for name, key in CRS_KEYS.items():
            value = after['crs'][name]
            if value == CRS_DEFAULTS[name]:
                continue
            parts.append('%s=%s' % (key, int(value) if isinstance(value, bool) else value))
        if parts:
            params['crs'] = ','.join(parts)
        else:
            delete.append('crs')
    if before['fencing'] != after['fencing']:
        if after['fencing'] == OPTION_DEFAULTS['fencing']:
            delete.append('fencing')
        else:
            params['fencing'] = after['fencing']
    if delete:
        params['delete'] = ','.join(delete)
    return params


# --------------------------------------------------------------------------- requests

def command_to_request(command):
    """The HTTP request (method, path without /api2/json, params) for a planned command."""
    base = 'cluster/ha/resources' if command['kind'] == 'resource' else 'cluster/ha/rules'
    if command['op'] == 'create':
        return dict(method='POST', path=base, params=command['params'])
    if command['op'] == 'update':
        return dict(method='PUT', path='%s/%s' % (base, command['id']), params=command['params'])
    return dict(method='DELETE', path='%s/%s' % (base, command['id']), params=command['params'])


def with_first_digest(requests, kind_path, digest):
    """Attach digest to the first write of the config file under kind_path, when that write is a PUT.

    The digest proves nobody changed the file since our read, and it is only true until the
    file's first write, ours included: a POST or DELETE earlier in the same run already changed
    it, so a later PUT carrying the digest would fail as a stale edit of our own making.
    """
    if not digest:
        return requests
    out = []
    done = False
    for req in requests:
        touches_file = req['path'] == kind_path or req['path'].startswith(kind_path + '/')
        if not done and touches_file:
            if req['method'] == 'PUT':
                req = dict(req, params=dict(req['params'], digest=digest))
            done = True
        out.append(req)
    return out
