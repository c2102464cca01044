# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HA groups (PVE 8 and unmigrated PVE 9): canonical form, desired form, write parameters, checks (pure).

Canonical group (what `before`/`after` show): {name, nodes: {node: priority}, restricted, nofailback, comment}.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import (
    changed_fields, check_nodes_exist, format_nodes, merge_desired, parse_nodes, to_bool)


GROUP_DEFAULTS = dict(nodes={}, restricted=False, nofailback=False, comment='')


def normalize_group(api):
    """Canonical group from a GET /cluster/ha/groups entry."""
    return dict(name=api.get('group'), nodes=parse_nodes(api.get('nodes'), 'nodes', from_pve=True),
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
    if desired.get('nodes') is not None and not desired['nodes']:
        # PVE 8 accepts nodes='' on an update and the group then places its resources nowhere.
        raise HaInputError("nodes of HA group '%s' is empty; list at least one cluster node, or leave nodes out to keep "
                           "the current ones." % desired['name'])
    check_nodes_exist(desired.get('nodes') or {}, cluster_nodes, 'nodes')


def check_group_unused(name, users):
    """Refuse to remove a group that resources still use, on every PVE version (PVE 8 refuses it itself)."""
    if users:
        raise HaInputError("HA group '%s' is still used by %s; move them out first (proxmox_ha_resources with "
                           "group: '' or another group), then remove the group." % (name, ', '.join(users)))


def plan_group(current, desired, state, cluster_nodes=None, users=()):
    """The commands that converge one group on /cluster/ha/groups (PVE 8, unmigrated PVE 9).

    current: canonical group or None; desired: desired_group() (or {name} for absent);
    cluster_nodes: node names to check against (None skips the check); users: sids whose
    group it is. Returns dict(before, after, commands).
    """
    name = desired['name']
    if state == 'absent':
        if current is None:
            return dict(before=None, after=None, commands=[])
        check_group_unused(name, users)
        return dict(before=current, after=None, commands=[dict(op='delete', kind='group', id=name, params={})])
    validate_group(desired, current, cluster_nodes, state)
    after = merge_desired(current, desired, dict(GROUP_DEFAULTS, name=name))
    commands = []
    if current is None:
        commands.append(dict(op='create', kind='group', id=name, params=dict(group_write_params(None, after), group=name)))
    elif changed_fields(current, after):
        commands.append(dict(op='update', kind='group', id=name, params=group_write_params(current, after)))
    return dict(before=current, after=after, commands=commands)


def plan_group_members(name, members, resources):
    """PVE 8 (and unmigrated PVE 9) membership as commands: group=<name> on joiners, delete=group on leavers.

    members: the group's resources exactly (sorted SIDs); resources: GET /cluster/ha/resources entries.
    """
    commands = []
    for item in sorted(resources, key=lambda r: r['sid']):
        inside = item.get('group') == name
        if item['sid'] in members and not inside:
            commands.append(dict(op='update', kind='resource', id=item['sid'], params=dict(group=name)))
        elif item['sid'] not in members and inside:
            commands.append(dict(op='update', kind='resource', id=item['sid'], params=dict(delete='group')))
    return commands
