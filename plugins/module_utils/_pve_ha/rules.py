# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HA rules (PVE 9): canonical form, desired form, write parameters and the per-type checks (pure).

Canonical rule: {name, type, resources: [sid...], nodes: {node: priority}, strict, affinity, comment, enabled}.
GET omits defaults (strict 0, comment ""); PVE ignores disable=0, so re-enabling a rule and
clearing an option go through `delete=`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha import feasibility
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import has, require
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import (
    changed_fields, check_nodes_exist, format_nodes, merge_desired, normalize_sid, parse_nodes, sort_sids, split_list, to_bool)

# Options that only node-affinity rules have.
NODE_ONLY = ('nodes', 'strict')


def normalize_rule(api):
    """Canonical rule from a GET /cluster/ha/rules entry (fills the defaults PVE omits)."""
    rule = dict(name=api.get('rule'), type=api.get('type'), resources=sort_sids(split_list(api.get('resources'))),
                comment=api.get('comment') or '', enabled=not to_bool(api.get('disable')))
    if rule['type'] == 'node-affinity':
        rule.update(nodes=parse_nodes(api.get('nodes'), 'nodes', from_pve=True), strict=to_bool(api.get('strict')),
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
    """POST or PUT parameters for a rule; `type` and `resources` are always sent, re-enabling uses delete=disable.

    `affinity` of a node-affinity rule is sent only when it is not the default (pve-ha-manager < 5.2.5 has
    no such property; rules.check_rule_support refuses `negative` there).
    """
    creating = before is None
    params, delete = dict(type=after['type']), []
    keys = ['resources', 'comment', 'enabled', 'affinity']
    if after['type'] == 'node-affinity':
        keys += ['nodes', 'strict']
    for key in keys:
        value = after.get(key)
        # `resources` goes with every PUT: pve-ha-manager 5.1.2-5.1.3 fail a rule update without it.
        if not creating and before.get(key) == value and key != 'resources':
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
            if value and (after['type'] == 'resource-affinity' or value != 'positive'):
                params['affinity'] = value
            elif after['type'] == 'node-affinity' and not creating:
                delete.append('affinity')
        elif value:
            params[key] = value
        elif not creating:
            delete.append(key)
    if delete:
        params['delete'] = ','.join(delete)
    return params


def check_rule_support(after, packages):
    """Refuse, before any write, what the installed pve-ha-manager cannot store."""
    if after['type'] == 'node-affinity' and after.get('affinity') == 'negative':
        require(packages, 'node_affinity_affinity', "affinity: negative on node-affinity rule '%s'" % after['name'])


def merges_positive_rules(packages):
    """pve-ha-manager >= 5.0.7 checks connected positive rules as one (unknown version: assume it does)."""
    return not packages or has(packages, 'merged_positive_checks')


def validate_rule(after, managed_sids, cluster_nodes, other_rules, nodes_known=None, merged=True):
    """Errors for the rule as it would be after the change (pure); other_rules are canonical.

    Refuses what PVE's feasibility checks refuse (feasibility.py) for this rule, in their order.
    nodes_known: the nodes PVE counts for negative rules (manager_status node_status; [] before a first
    CRM master); None: the cluster nodes. merged: pve-ha-manager >= 5.0.7 merges connected positive rules.
    """
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
    elif after.get('affinity') not in ('positive', 'negative'):
        raise HaInputError("affinity is required for resource-affinity rule '%s'; set positive or negative." % name)
    if not after.get('enabled', True):
        return  # PVE checks no disabled rule
    others = [other for other in other_rules if other['name'] != name]
    known = nodes_known if nodes_known is not None else (cluster_nodes or [])
    found = feasibility.problems(others + [after], known, merged).get(name)
    if found:
        check, detail = found[0]
        raise HaInputError(PROBLEM_TEXT[check](after, detail))


def _more_than_nodes(after, detail):
    if not detail['nodes']:
        return ("negative rule '%s' cannot be created yet: PVE counts the nodes its HA manager knows, and no CRM "
                "master is active yet (one starts within about a minute after the first HA resources exist), so "
                "PVE refuses every negative rule until then; re-run the task once `ha-manager status` shows a "
                "master." % after['name'])
    return ("resources of negative rule '%s' lists %d resources but the cluster has %d nodes; keep at most one "
            "resource per node." % (after['name'], detail['count'], detail['nodes']))


def _multi_priority(after, detail):
    if after['type'] == 'node-affinity':
        return ("resources of node-affinity rule '%s' are in resource-affinity rule '%s', and PVE forbids such "
                "resources in a node-affinity rule with several priorities; give all nodes one priority or remove "
                "them from '%s'." % (after['name'], detail['other'], detail['other']))
    return ("resources of rule '%s' are in node-affinity rule '%s' with several priorities, which PVE forbids for "
            "resources of a resource-affinity rule; give that rule's nodes one priority or leave them out here."
            % (after['name'], detail['other']))


# One sentence per PVE feasibility check, naming the rules involved and the fix.
PROBLEM_TEXT = {
    'node_affinity_shared': lambda after, d: (
        "resources %s are already in node-affinity rule '%s'; a resource may be in only one node-affinity rule, "
        "so remove it there first." % (', '.join(d['shared']), d['other'])),
    'too_few': lambda after, d: "resources of resource-affinity rule '%s' must list at least 2 resources." % after['name'],
    'more_than_nodes': _more_than_nodes,
    'overlap': lambda after, d: (
        "resources of rule '%s' share two or more resources with %s rule '%s' (positive rules that share resources "
        "count as one); positive and negative rules may not overlap like that." % (after['name'], d['affinity'], d['other'])),
    'multi_priority': _multi_priority,
    'positive_spread': lambda after, d: (
        "rule '%s': the resources kept together by positive rule(s) %s are spread over node-affinity rules %s, and "
        "PVE allows one node-affinity rule per positive resource set; put them into one node-affinity rule."
        % (after['name'], ', '.join(d['positive']), ', '.join(d['node_rules']))),
    'negative_confined': lambda after, d: (
        "rule '%s': node-affinity rule(s) %s confine the resources %s of negative rule '%s' to %d node(s) (%s), fewer "
        "than resources; add nodes to the node-affinity rules or take resources out of the negative rule."
        % (after['name'], ', '.join(d['node_rules']), ', '.join(d['resources']), d['negative'], len(d['nodes']),
           ', '.join(d['nodes']))),
}


def plan_rule(rules, params, types=None, managed_sids=None, cluster_nodes=None, packages=None, nodes_known=None):
    """The commands that converge one rule (PVE 9, migrated).

    rules: every canonical rule as read; params: the module's options (name, type, resources,
    nodes, strict, affinity, comment, enabled, state); types: {vmid: 'vm'|'ct'} for bare VMIDs;
    managed_sids: the HA resources; cluster_nodes: node names; packages: installed package versions
    (versions.package_versions; None: not checked); nodes_known: the nodes in manager_status (see
    validate_rule). Returns dict(before, after, commands).
    """
    name = params['name']
    current = next((r for r in rules if r['name'] == name), None)
    if params.get('state') == 'absent':
        commands = [dict(op='delete', kind='rule', id=name, params={})] if current else []
        return dict(before=current, after=None, commands=commands)
    rule_type = params.get('type') or (current or {}).get('type')
    if rule_type is None:
        raise HaInputError("type is required to create rule '%s'; set node-affinity or resource-affinity." % name)
    if current and params.get('type') and params['type'] != current['type']:
        raise HaInputError("type of rule '%s' is %s and PVE cannot change it; remove the rule with state=absent and "
                           "create it again, or keep type %s." % (name, current['type'], current['type']))
    if rule_type == 'resource-affinity':
        given = [key for key in NODE_ONLY if params.get(key) is not None]
        if given:
            raise HaInputError("%s applies only to node-affinity rules; drop it from resource-affinity rule '%s'."
                               % (given[0], name))
    desired = desired_rule(dict(params, type=rule_type), types)
    after = merge_desired(current, desired, dict(rule_defaults(rule_type), name=name))
    if packages is not None:
        check_rule_support(after, packages)
    validate_rule(after, managed_sids, cluster_nodes, rules, nodes_known=nodes_known, merged=merges_positive_rules(packages))
    commands = []
    if current is None:
        commands.append(dict(op='create', kind='rule', id=name, params=dict(rule_write_params(None, after), rule=name)))
    elif changed_fields(current, after):
        commands.append(dict(op='update', kind='rule', id=name, params=rule_write_params(current, after)))
    return dict(before=current, after=after, commands=commands)
