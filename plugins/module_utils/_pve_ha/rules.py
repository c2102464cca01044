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
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import (
    check_nodes_exist, format_nodes, normalize_sid, parse_nodes, sort_sids, split_list, to_bool)


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
    others = [other for other in other_rules if other['name'] != name]
    RULE_TYPE_CHECKS[after['type']](after, cluster_nodes, others)


def _shared(rule, other):
    return sorted(set(other['resources']) & set(rule['resources']))


def _several_priorities(rule):
    return len(set((rule.get('nodes') or {}).values())) > 1


def _check_node_affinity(after, cluster_nodes, others):
    name = after['name']
    if not after.get('nodes'):
        raise HaInputError("nodes is required for node-affinity rule '%s'; list at least one node." % name)
    check_nodes_exist(after['nodes'], cluster_nodes, 'nodes')
    for other in others:
        if other['type'] == 'node-affinity' and other.get('enabled', True) and _shared(after, other):
            raise HaInputError("resources %s are already in node-affinity rule '%s'; a resource may be in only "
                               "one node-affinity rule, so remove it there first." % (', '.join(_shared(after, other)), other['name']))
    if _several_priorities(after):
        for other in others:
            if other['type'] == 'resource-affinity' and other.get('enabled', True) and _shared(after, other):
                raise HaInputError("resources %s are in resource-affinity rule '%s', and PVE forbids such resources in a "
                                   "node-affinity rule with several priorities; give all nodes one priority or remove "
                                   "them from '%s'." % (', '.join(_shared(after, other)), other['name'], other['name']))


def _check_resource_affinity(after, cluster_nodes, others):
    name = after['name']
    if after.get('affinity') not in ('positive', 'negative'):
        raise HaInputError("affinity is required for resource-affinity rule '%s'; set positive or negative." % name)
    if len(after['resources']) < 2:
        raise HaInputError("resources of resource-affinity rule '%s' must list at least 2 resources." % name)
    if after['affinity'] == 'negative' and cluster_nodes is not None and len(after['resources']) > len(cluster_nodes):
        raise HaInputError("resources of negative rule '%s' lists %d resources but the cluster has %d nodes; keep "
                           "at most one resource per node." % (name, len(after['resources']), len(cluster_nodes)))
    for other in others:
        if (other['type'] == 'resource-affinity' and other.get('affinity') != after['affinity']
                and len(_shared(after, other)) >= 2):
            raise HaInputError("resources of rule '%s' share two or more resources with %s rule '%s'; positive and "
                               "negative rules may not overlap like that." % (name, other['affinity'], other['name']))
        if other['type'] == 'node-affinity' and other.get('enabled', True) and _shared(after, other) and _several_priorities(other):
            raise HaInputError("resources %s are in node-affinity rule '%s' with several priorities, which PVE forbids "
                               "for resources of a resource-affinity rule; give that rule's nodes one priority or "
                               "leave them out here." % (', '.join(_shared(after, other)), other['name']))


# The checks that depend on the rule type, one entry per type PVE knows.
RULE_TYPE_CHECKS = {'node-affinity': _check_node_affinity, 'resource-affinity': _check_resource_affinity}
