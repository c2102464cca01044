# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines the proxmox_ha role ends with: the cluster, what changed (or would), capacity, checks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import check_lines
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d


def changed_items(*loop_results):
    """Names (item.name, or the item itself) of the changed iterations of registered loop results, first seen first."""
    names = []
    for registered in loop_results:
        for result in (registered or {}).get('results') or []:
            item = result.get('item')
            name = item.get('name') if isinstance(item, dict) else item
            if result.get('changed') and name is not None and name not in names:
                names.append(name)
    return names


def resources_part(result, desired_count):
    """'HA resources (N managed)', plus the removals the task made (overridden mode), when it changed."""
    if not (result or {}).get('changed'):
        return []
    after = set(res['sid'] for res in result.get('after') or [])
    removed = d.sort_sids(res['sid'] for res in result.get('before') or [] if res['sid'] not in after)
    text = 'HA resources (%d managed' % desired_count
    if removed:
        text += ', %d removed: %s' % (len(removed), ', '.join(removed))
    return [text + ')']


def capacity_line(capacity, host_failures):
    summary = (capacity or {}).get('summary') or 'not evaluated'
    if int(host_failures) <= 0:
        return ('Capacity: N+0 - NO failover protection (proxmox_ha_host_failures is 0, so no node failure was '
                'checked): %s' % summary)
    return 'Capacity: %s' % summary


def summary_lines(assessment, cluster_name, check_mode, results, host_failures=1):
    """assessment: the proxmox_ha_assess result; results: the registered write results
    {groups, group_rules, group_removals, rules, resources, options}."""
    platform = assessment['platform']
    plan = assessment.get('plan') or {}
    results = results or {}
    head = 'Cluster %s: PVE %s%s%s' % (
        assessment.get('cluster_name') or cluster_name, platform['version'],
        ' (groups migrated to rules)' if platform['groups_migrated'] else ' (HA groups)',
        ' - CHECK MODE, nothing was written' if check_mode else '')
    parts = []
    groups = changed_items(results.get('groups'), results.get('group_rules'), results.get('group_removals'))
    if groups:
        parts.append('groups ' + ', '.join(groups))
    rules = changed_items(results.get('rules'))
    if rules:
        parts.append('rules ' + ', '.join(rules))
    parts += resources_part(results.get('resources'), assessment['desired_count'])
    if (results.get('options') or {}).get('changed'):
        parts.append('datacenter HA options')
    if plan.get('deferred_rules'):
        parts.append('rules %s (after the new HA resources)' % ', '.join(plan['deferred_rules']))
    lines = [head, ('Would change: ' if check_mode else 'Changed: ') + ('; '.join(parts) or 'nothing'),
             capacity_line(assessment.get('capacity'), host_failures)]
    if plan.get('empty_groups'):
        lines.append('Groups without member resources (PVE 9 keeps a group only as a rule over resources, so none '
                     'exists for them): %s' % ', '.join(plan['empty_groups']))
    return lines + ['Checks:'] + check_lines(assessment['checks'])
