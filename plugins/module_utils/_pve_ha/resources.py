# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HA resources: canonical form, desired form, write parameters and the plan that converges them (pure).

Canonical resource: {sid, state, group, max_restart, max_relocate, failback, auto_rebalance, comment}; GET
omits defaults (failback 1, auto-rebalance 1, max_* 1) and `enabled` is `started`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import changed_fields, format_nodes, normalize_sid, sort_sids, to_bool, to_int
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import group_rule_name, plan_group_rule_membership
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import has, needs


RESOURCE_STATES = ('started', 'stopped', 'disabled', 'ignored')


RESOURCE_DEFAULTS = dict(state='started', group=None, max_restart=1, max_relocate=1, failback=True, auto_rebalance=True,
                         comment='')

# Boolean resource flags that default on: PVE stores only the off value, so on is written as delete=.
DEFAULT_ON_FLAGS = dict(failback='failback', auto_rebalance='auto-rebalance')


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
                failback=True if api.get('failback') is None else to_bool(api.get('failback')),
                auto_rebalance=True if api.get('auto-rebalance') is None else to_bool(api.get('auto-rebalance')),
                comment=api.get('comment') or '')


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
                            failback=item.get('failback'), auto_rebalance=item.get('auto_rebalance'),
                            comment=item.get('comment')))
    return desired


def check_resource_features(desired, packages):
    """Refuse, before any write, options the cluster's pve-ha-manager does not have, naming the version needed.

    Per-resource auto-rebalance is pve-ha-manager 5.2.3 (PVE 9.2; the version is inferred, see
    docs/simulators/proxmox.md); older versions answer 400 "property is not defined in schema".
    """
    for index, item in enumerate(desired):
        if item.get('auto_rebalance') is not None and not has(packages, 'resource_auto_rebalance'):
            raise HaInputError("config[%d].auto_rebalance of %s needs %s; this cluster runs pve-ha-manager %s. Drop "
                               "auto_rebalance or upgrade." % (index, item['sid'], needs('resource_auto_rebalance'),
                                                               (packages or {}).get('pve-ha-manager') or 'an unknown version'))


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
    keys = ['state', 'max_restart', 'max_relocate', 'comment', 'auto_rebalance']
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
        if key in DEFAULT_ON_FLAGS:
            if value:
                delete.append(DEFAULT_ON_FLAGS[key])
            else:
                params[DEFAULT_ON_FLAGS[key]] = 0
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


def plan_resources(current, desired, state, translate_groups=False, rules=None, with_failback=True, purge_rules=False):
    """The writes that converge HA resources (pure).

    current: {sid: canonical resource}; desired: canonical list; state: merged|replaced|overridden|deleted.
    With translate_groups (migrated PVE 9) `group` is membership of node-affinity rule ha-group-<name>,
    so rule updates are planned too. purge_rules (pve-ha-manager < 5.0.7, whose DELETE has no purge):
    the module takes deleted resources out of the other rules itself, as PVE's purge would. Returns
    dict(before, after, commands, purged) where commands are ordered safely: resource creates/updates,
    then rule changes, then resource deletes; purged names the rules a purge deletes.
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
    held = held_until_rule(creates, after, rules) if translate_groups else []
    for sid in creates:
        params = resource_write_params(None, after[sid], with_group=not translate_groups, with_failback=with_failback)
        if sid in held:
            params['state'] = 'ignored'
        commands.append(dict(op='create', kind='resource', id=sid, params=dict(params, sid=sid)))
    for sid in updates:
        params = resource_write_params(current[sid], after[sid], with_group=not translate_groups, with_failback=with_failback)
        if params:
            commands.append(dict(op='update', kind='resource', id=sid, params=params))
    if translate_groups:
        commands.extend(plan_group_rule_membership(current, after, rules))
        commands.extend(dict(op='update', kind='resource', id=sid, params=dict(state='started')) for sid in held)
    purged = []
    effects = purge_effects(deletes, rules)
    if purge_rules and deletes:
        purge, purged = plan_purge(effects)
        commands.extend(purge)
        effects = [dict(e, effect='deleted', after=None) if e['effect'] == 'invalidated' else e for e in effects]
    in_rules = set(sid for e in effects for sid in e['removed'])
    for sid in deletes:
        # PVE purges by default; naming it shows in `commands` that this DELETE changes rules too.
        params = dict(purge=1) if sid in in_rules and not purge_rules else {}
        commands.append(dict(op='delete', kind='resource', id=sid, params=params))
    rule_changes = effects + emptied_group_rules(commands, rules)
    return dict(before=current, after=after, commands=commands, purged=purged,
                rule_changes=sorted(rule_changes, key=lambda e: e['rule']))


def held_until_rule(creates, after, rules):
    """New resources to create as `ignored` and start only once their strict ha-group-* rule holds them.

    On a migrated cluster a resource's group is a rule PUT after the resource exists; a resource created
    `started` in between is added by the CRM on its node and may be started there or, with
    rebalance-on-start, anywhere, outside its strict rule. The CRM adds no `ignored` resource
    (pve-ha-manager HA/Manager.pm, `manage`, "add new service"), so holding it there until the rule
    names it closes that window. Stopped and disabled resources are started nowhere and need no hold.
    """
    held = []
    for sid in creates:
        res = after[sid]
        rule = rules.get(group_rule_name(res['group'])) if res.get('group') else None
        if rule and rule.get('strict') and res.get('state') == 'started':
            held.append(sid)
    return held


def purge_effects(deleted, rules):
    """What deleting these SIDs does to the rules other than ha-group-* (pure).

    PVE's purge (pve-ha-manager 5.0.7, Config.pm delete_service_from_config) takes each deleted SID out
    of every rule and deletes a rule left without resources; a resource-affinity rule left with one
    resource stays, ineffective (ResourceAffinity.pm check_resource_affinity_resources_count).
    Returns [dict(rule, type, effect deleted|invalidated|reduced, removed, before, after)].
    """
    effects = []
    gone = set(deleted or ())
    for name in sorted(rules or {}):
        rule = rules[name]
        if rule['name'].startswith('ha-group-') or not gone & set(rule['resources']):
            continue  # ha-group-* membership is planned by plan_group_rule_membership
        left = sort_sids(set(rule['resources']) - gone)
        if not left:
            effect = 'deleted'
        elif rule['type'] == 'resource-affinity' and len(left) < 2:
            effect = 'invalidated'
        else:
            effect = 'reduced'
        effects.append(dict(rule=name, type=rule['type'], effect=effect, removed=sort_sids(gone & set(rule['resources'])),
                            before=rule, after=None if effect == 'deleted' else dict(rule, resources=left)))
    return effects


def plan_purge(effects):
    """Purge done by the module, for versions without it: a rule left empty, or a resource-affinity rule
    left with one resource (PVE would refuse that update), is deleted; other rules lose the SIDs."""
    commands, deleted_rules = [], []
    for effect in effects:
        if effect['effect'] == 'reduced':
            commands.append(dict(op='update', kind='rule', id=effect['rule'], params=dict(
                type=effect['type'], resources=','.join(effect['after']['resources']))))
        else:
            commands.append(dict(op='delete', kind='rule', id=effect['rule'], params={}))
            deleted_rules.append(effect['rule'])
    return commands, deleted_rules


def emptied_group_rules(commands, rules):
    """ha-group-<g> rules the plan deletes because their last member left (the group's definition goes with them)."""
    out = []
    for cmd in commands:
        if cmd['kind'] == 'rule' and cmd['op'] == 'delete' and cmd['id'].startswith('ha-group-') and cmd['id'] in rules:
            rule = rules[cmd['id']]
            out.append(dict(rule=cmd['id'], type=rule['type'], effect='deleted', removed=list(rule['resources']),
                            before=rule, after=None, group=cmd['id'][len('ha-group-'):]))
    return out


def rule_removal_problem(change):
    """One clause saying what a planned removal does to a rule the user did not name."""
    if change.get('group'):
        before = change['before']
        return ("deletes rule '%s' with HA group '%s''s definition (nodes %s, strict %s) as %s was its last member; to keep "
                "it, recreate it later with clusterops.ha.proxmox_ha_group name: %s, nodes: %s, restricted: %s, resources: [...]"
                % (change['rule'], change['group'], format_nodes(before.get('nodes') or {}) or 'none',
                   str(bool(before.get('strict'))).lower(), ', '.join(change['removed']), change['group'],
                   format_nodes(before.get('nodes') or {}) or '[]', str(bool(before.get('strict'))).lower()))
    if change['effect'] == 'deleted':
        return "deletes %s rule '%s' (%s was all it held)" % (change['type'], change['rule'], ', '.join(change['removed']))
    return ("leaves resource-affinity rule '%s' with only %s, which PVE ignores (ineffective)"
            % (change['rule'], ', '.join(change['after']['resources'])))


def check_rule_removals(rule_changes, allowed, state):
    """Refuse removals that delete or invalidate rules unless remove_orphaned_rules allows it; else warn (pure).

    Returns the warnings to show. Reduced rules (others keep them valid) only warn.
    """
    lossy = [c for c in rule_changes if c['effect'] in ('deleted', 'invalidated')]
    if lossy and not allowed:
        raise HaInputError("state=%s %s; set remove_orphaned_rules: true to allow it, or change the resources or rules "
                           "first." % (state, ', and '.join(rule_removal_problem(c) for c in lossy)))
    warnings = ["this task %s." % rule_removal_problem(c) for c in lossy]
    for change in rule_changes:
        if change['effect'] == 'reduced':
            warnings.append("rule '%s' loses %s (removed HA resources leave every rule)." % (change['rule'], ', '.join(change['removed'])))
    return warnings


def check_error_states(commands, crm_states):
    """PVE accepts no update of a resource in `error` state except state=disabled (Resources.pm check_service_state)."""
    for cmd in commands:
        if cmd['kind'] == 'resource' and cmd['op'] == 'update' and crm_states.get(cmd['id']) == 'error' \
                and cmd['params'].get('state') != 'disabled':
            raise HaInputError("%s is in error state, and PVE accepts no change to it but state: disabled ('must be "
                               "disabled and fixed first'); set state: disabled for it, fix the guest, then set the "
                               "state you want." % cmd['id'])


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


def failback_overridden(desired, current, group_nofailback):
    """Warnings for failback values the HA manager overwrites (pure).

    On a PVE 9 cluster whose groups are not migrated yet, the CRM sets every group member's failback
    from the group's nofailback each round (Groups.pm migrate_groups_to_resources), so a failback that
    disagrees with the group does not last. group_nofailback: {group: nofailback} of the groups.
    """
    warnings = []
    for item in desired:
        member_of = item.get('group') or ((current or {}).get(item['sid']) or {}).get('group')
        if item.get('failback') is None or member_of not in group_nofailback:
            continue
        if item['failback'] == group_nofailback[member_of]:
            warnings.append("failback %s of %s does not last: until this PVE 9 cluster migrates its HA groups, the HA "
                            "manager sets it from group '%s''s nofailback every round; set nofailback on the group "
                            "instead." % (str(item['failback']).lower(), item['sid'], member_of))
    return warnings


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
