# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Group <-> rule translation on migrated PVE 9, where a group is node-affinity rule ha-group-<name> (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import changed_fields, merge_desired, sort_sids
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import GROUP_DEFAULTS, check_group_unused, validate_group
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import rule_write_params, validate_rule


GROUP_RULE_PREFIX = 'ha-group-'


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
                                   "has no rule '%s'; add the resources without group first, then create the group with "
                                   "clusterops.ha.proxmox_ha_group and its members in resources (e.g. resources: [%s])."
                                   % (new, sid, name, sid))
            wanted.setdefault(name, set()).add(sid)
            touched.add(name)
    # Validate every touched rule against the rules as they will be, and send removals before additions:
    # PVE checks each PUT against the stored rules, so a resource must leave its old rule first.
    future = dict((name, dict(rule, resources=sort_sids(wanted[name])) if name in touched else rule)
                  for name, rule in rules.items())
    removals, additions = [], []
    for name in sorted(touched):
        rule = rules[name]
        sids = sort_sids(wanted[name])
        if sids == rule['resources']:
            continue
        if sids:
            validate_rule(future[name], None, None, [r for r in future.values() if r['name'] != name and r['resources']])
            command = dict(op='update', kind='rule', id=name, params=dict(type='node-affinity', resources=','.join(sids)))
            (additions if set(sids) - set(rule['resources']) else removals).append(command)
        else:
            # PVE refuses a rule without resources; its own purge deletes such rules too.
            removals.append(dict(op='delete', kind='rule', id=name, params={}))
    return removals + additions


def group_by_sid_from_rules(rules):
    """{sid: group name} from ha-group-<g> node-affinity rules (the migrated view of `group`)."""
    out = {}
    for rule in rules or []:
        group = group_from_rule_name(rule['name'])
        if group is not None and rule['type'] == 'node-affinity':
            for sid in rule['resources']:
                out[sid] = group
    return out


def plan_group_as_rule(rule, desired, state, failbacks, cluster_nodes=None, rules=(), members=None):
    """The commands that converge one group on a migrated PVE 9: its node-affinity rule ha-group-<name>.

    rule: the canonical ha-group-<name> rule or None; desired: desired_group() (or {name});
    failbacks: {sid: failback} of every HA resource (nofailback is failback off on every member);
    cluster_nodes: node names; rules: every canonical rule; members: the group's resources exactly (the
    module's `resources`; None keeps them). Returns dict(before, after, commands, translated, warnings);
    a new group without members cannot be a rule yet, so creating one is pending.
    """
    name = group_rule_name(desired['name'])
    current = rule_as_group(rule, failbacks) if rule else None
    translated = dict(rule=name, pending=False)
    if state == 'absent':
        # A migrated group is a rule that always has members, so it is in use while it exists: removing it would
        # silently drop their placement, where PVE 8 refuses (issue 16, M3).
        check_group_unused(desired['name'], rule['resources'] if rule else ())
        commands = [dict(op='delete', kind='rule', id=name, params={})] if rule else []
        return dict(before=current, after=None, commands=commands, translated=translated, warnings=[])
    validate_group(desired, current, cluster_nodes if desired.get('nodes') else None, state)
    after = merge_desired(current, desired, dict(GROUP_DEFAULTS, name=desired['name']))
    if rule is None and not members:
        translated.update(pending=True, strict=after['restricted'], nodes=after['nodes'], resources=[])
        warning = ("HA groups on this PVE 9 cluster were migrated to rules and rule '%s' cannot exist without resources; "
                   "give the group's members in resources (they must be HA resources already) to create it." % name)
        return dict(before=None, after=None, commands=[], translated=translated, warnings=[warning])
    after_rule = group_as_rule(after, members if members is not None else rule['resources'], rule)
    validate_rule(after_rule, set(failbacks), cluster_nodes, list(rules))
    commands = []
    if rule is None:
        commands.append(dict(op='create', kind='rule', id=name, params=dict(rule_write_params(None, after_rule), rule=name)))
    elif changed_fields(rule, after_rule):
        commands.append(dict(op='update', kind='rule', id=name, params=rule_write_params(rule, after_rule)))
    if desired.get('nofailback') is not None:
        for sid in after_rule['resources']:
            if failbacks.get(sid, True) == desired['nofailback']:
                params = dict(failback=0) if desired['nofailback'] else dict(delete='failback')
                commands.append(dict(op='update', kind='resource', id=sid, params=params))
    translated.update(strict=after_rule['strict'], nodes=after_rule['nodes'], resources=after_rule['resources'])
    return dict(before=current, after=after, commands=commands, translated=translated, warnings=[])
