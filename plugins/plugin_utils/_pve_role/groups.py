# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha_groups: parsed once, as HA groups (PVE 8) or as the node-affinity rules they become.

On a PVE 9 cluster whose groups were migrated each group is the rule ha-group-<name> that PVE's
own migration makes of it (group_as_rule): strict = restricted, the nodes with their priorities,
the members as resources. An option the entry leaves out keeps the current rule's value, as the
groups API keeps it on PVE 8. PVE cannot store a rule without resources, so a group without
members is left out (and reported).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d


def role_groups(groups):
    """Canonical entries of proxmox_ha_groups; refuses bad IDs, bad nodes and a name given twice."""
    out, seen = [], set()
    for index, entry in enumerate(groups or []):
        entry = d.given(entry)
        name = entry.get('name')
        d.check_config_id(name, '%s[%d].name' % (d.GROUPS_VAR, index))
        if name in seen:
            raise d.HaInputError("%s lists group '%s' twice; give each group once (merge the two entries), otherwise "
                                 "every run applies both in turn." % (d.GROUPS_VAR, name))
        seen.add(name)
        nodes = entry.get('nodes')
        out.append(dict(name=name, state=entry.get('state') or 'present',
                        nodes=d.parse_nodes(nodes, '%s[%d].nodes' % (d.GROUPS_VAR, index)) if nodes is not None else None,
                        restricted=entry.get('restricted'), nofailback=entry.get('nofailback'), comment=entry.get('comment')))
    return out


def existing_group_names(info):
    """Groups the cluster has: from the groups API, or the ha-group-<name> rules after migration."""
    if d.platform(info)['groups_migrated']:
        return sorted(name for name in (d.group_from_rule_name(rule) for rule in d.current_rules(info)) if name)
    return sorted(d.current_groups(info))


def node_list(nodes):
    """{node: priority} as the modules' `nodes` list ('pve1:2', 'pve2')."""
    return d.format_nodes(nodes).split(',') if nodes else []


def group_tasks(groups, nofailback):
    """Arguments of the group module for each present group (clusters with the groups API)."""
    out = []
    for group in d.present(groups):
        args = dict(name=group['name'], nofailback=nofailback if group['nofailback'] is None else group['nofailback'])
        if group['nodes'] is not None:
            args['nodes'] = node_list(group['nodes'])
        for key in ('restricted', 'comment'):
            if group[key] is not None:
                args[key] = group[key]
        out.append(args)
    return out


def group_members(after):
    """{group name: sorted sids} of the resources as they are after the resources task."""
    members = {}
    for sid, res in after.items():
        if res.get('group'):
            members.setdefault(res['group'], []).append(sid)
    return dict((name, d.sort_sids(sids)) for name, sids in members.items())


def group_rules(info, groups, after):
    """(rules, empty): each present group as its ha-group-<name> rule, and the groups left out without members."""
    rules, empty = [], []
    current = d.current_rules(info)
    members = group_members(after)
    for group in d.present(groups):
        sids = members.get(group['name'], [])
        if not sids:
            empty.append(group['name'])
            continue
        rules.append(d.group_as_rule(group, sids, current.get(d.group_rule_name(group['name']))))
    return rules, empty


def rule_task(rule):
    """Arguments of the rule module for a group's rule."""
    return dict(name=rule['name'], type='node-affinity', nodes=node_list(rule['nodes']), strict=rule['strict'],
                resources=list(rule['resources']), comment=rule['comment'])


def projected_group_rules(info, groups, after):
    """{name: rule} of every ha-group-<name> rule after the run: members follow the resources' group."""
    current = d.current_rules(info)
    members = group_members(after)
    out = {}
    for name, rule in current.items():
        group = d.group_from_rule_name(name)
        if group is not None and members.get(group):
            out[name] = dict(rule, resources=members[group])
    for rule in group_rules(info, groups, after)[0]:
        out[rule['name']] = rule
    for group in groups:
        if group['state'] == 'absent':
            out.pop(d.group_rule_name(group['name']), None)
    return out


def projected_groups(info, groups):
    """{name: canonical group} after the group tasks (clusters with the groups API)."""
    out = d.current_groups(info)
    for group in groups:
        if group['state'] == 'absent':
            out.pop(group['name'], None)
            continue
        wanted = dict((key, group[key]) for key in ('nodes', 'restricted', 'nofailback', 'comment'))
        out[group['name']] = dict(d.merge_desired(out.get(group['name']), wanted, d.GROUP_DEFAULTS), name=group['name'])
    return out
