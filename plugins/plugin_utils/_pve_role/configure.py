# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The writes of one proxmox_ha run, as the arguments of its module tasks (in write order).

Order: groups (clusters with the groups API) -> resources -> the groups' rules (migrated PVE 9)
-> proxmox_ha_rules (PVE refuses rules over unmanaged resources) -> group removals ->
datacenter options. Check mode writes nothing, so objects this run would create do not exist
for the later tasks' validation: a group membership PVE 8 could not accept yet is left out of
the resources task, and rules needing resources this run would create are deferred (reported
in the summary as "after the new HA resources").
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import groups as g
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import rules as r
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.desired import projected_resources


def resources_config(info, desired, check_mode):
    """`config` of the bulk resources task.

    On a migrated cluster `group` is membership of rule ha-group-<group>; PVE cannot store that rule
    without resources, so for a rule that does not exist yet the membership is left out here and the
    rule is created with its members right after the resources.
    """
    platform = d.platform(info)
    existing_rules = d.current_rules(info)
    existing_groups = d.current_groups(info)
    out = []
    for item in desired:
        group = item.get('group')
        if group and platform['groups_migrated'] and d.group_rule_name(group) not in existing_rules:
            item = dict((key, value) for key, value in item.items() if key != 'group')
        elif group and check_mode and not platform['groups_migrated'] and group not in existing_groups:
            item = dict((key, value) for key, value in item.items() if key != 'group')
        out.append(item)
    return out


def datacenter_options(shutdown_policy='', crs_mode='', fencing=''):
    """Arguments of the datacenter options task; an empty value leaves the cluster's value alone."""
    out = {}
    if shutdown_policy:
        out['shutdown_policy'] = shutdown_policy
    if crs_mode:
        out['crs'] = {'ha': crs_mode}
    if fencing:
        out['fencing'] = fencing
    return out


def deferred_rules(info, rule_entries, check_mode):
    """Names of rules whose resources are not HA resources yet (check mode only)."""
    if not check_mode:
        return []
    existing = set(d.current_resources(info))
    return [entry['name'] for entry in rule_entries if not set(r.rule_sids(info, entry)) <= existing]


def configure_plan(info, desired, groups, rules, mode, check_mode=False, nofailback=True, shutdown_policy='',
                   crs_mode='', fencing=''):
    """Everything the configure tasks loop over or pass on; see the module docstring for the order."""
    platform = d.platform(info)
    parsed_groups = g.role_groups(groups)
    rule_entries = [entry for entry, _desired in r.role_rules(info, rules)]
    config = resources_config(info, desired, check_mode)
    group_rules, empty_groups = [], []
    if platform['groups_migrated']:
        rules_after, empty_groups = g.group_rules(info, parsed_groups, projected_resources(info, desired, mode))
        group_rules = [g.rule_task(rule) for rule in rules_after]
    deferred = deferred_rules(info, group_rules + d.present(rule_entries), check_mode)
    return dict(
        groups=[] if platform['groups_migrated'] else g.group_tasks(parsed_groups, nofailback),
        resources_config=config,
        converge_resources=bool(config) or mode == 'overridden',
        group_rules=[rule for rule in group_rules if rule['name'] not in deferred],
        empty_groups=empty_groups,
        rules=[entry for entry in rule_entries if entry['name'] not in deferred],
        deferred_rules=deferred,
        absent_groups=[group['name'] for group in parsed_groups if group['state'] == 'absent'],
        options=datacenter_options(shutdown_policy, crs_mode, fencing))
