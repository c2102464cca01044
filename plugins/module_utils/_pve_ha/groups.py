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
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import check_nodes_exist, format_nodes, parse_nodes, to_bool


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
    check_nodes_exist(desired.get('nodes') or {}, cluster_nodes, 'nodes')
