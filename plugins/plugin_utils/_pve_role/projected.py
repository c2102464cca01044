# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The capacity model of the cluster as the run leaves it - what the N+k gate must judge.

Starts from the info module's capacity_model and recomputes, for every guest, the HA flag
(from the resources as the resources task in this mode leaves them: overridden removes the
unlisted ones) and the placement constraints (from the groups and rules as the run leaves
them), with placement_constraints - the very function the info module maps the cluster with.
So a strict negative node-affinity rule narrows allowed_hosts here as it will on the cluster.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import groups as g
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import rules as r
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.desired import projected_resources


def projected_model(info, desired, groups, rules, mode):
    """capacity_model with each guest's ha flag and constraints as they will be after the run."""
    model = info['capacity_model']
    after = projected_resources(info, desired, mode)
    parsed_groups = g.role_groups(groups)
    projected_rules = r.projected_rules(info, r.role_rules(info, rules))
    if d.platform(info)['groups_migrated']:
        projected_rules = dict((name, rule) for name, rule in projected_rules.items() if d.group_from_rule_name(name) is None)
        projected_rules.update(g.projected_group_rules(info, parsed_groups, after))
        group_entries = []
    else:
        members = g.group_members(after)
        group_entries = [(group, members.get(name, [])) for name, group in sorted(g.projected_groups(info, parsed_groups).items())]
    constraints = d.placement_constraints(group_entries, [projected_rules[name] for name in sorted(projected_rules)],
                                          d.host_names(info))
    guests = []
    for guest in model.get('guests') or []:
        projected = dict((key, value) for key, value in guest.items() if key not in d.CONSTRAINT_KEYS)
        resource = after.get(guest['id'])
        projected['ha'] = resource is not None and resource['state'] == 'started'
        projected.update(constraints.get(guest['id'], {}))
        guests.append(projected)
    return dict(model, guests=guests)
