# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Planned commands as HTTP requests, and the config digest that guards them (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def first_digest(items):
    """The config digest PVE attaches to list entries (one SHA1 of the whole file)."""
    for item in items or []:
        if isinstance(item, dict) and item.get('digest'):
            return item['digest']
    return None


def command_to_request(command):
    """The HTTP request (method, path without /api2/json, params) for a planned command."""
    base = 'cluster/ha/resources' if command['kind'] == 'resource' else 'cluster/ha/rules'
    if command['op'] == 'create':
        return dict(method='POST', path=base, params=command['params'])
    if command['op'] == 'update':
        return dict(method='PUT', path='%s/%s' % (base, command['id']), params=command['params'])
    return dict(method='DELETE', path='%s/%s' % (base, command['id']), params=command['params'])


def with_first_digest(requests, kind_path, digest):
    """Attach digest to the first write of the config file under kind_path, when that write is a PUT.

    The digest proves nobody changed the file since our read, and it is only true until the
    file's first write, ours included: a POST or DELETE earlier in the same run already changed
    it, so a later PUT carrying the digest would fail as a stale edit of our own making.
    """
    if not digest:
        return requests
    out = []
    done = False
    for req in requests:
        touches_file = req['path'] == kind_path or req['path'].startswith(kind_path + '/')
        if not done and touches_file:
            if req['method'] == 'PUT':
                req = dict(req, params=dict(req['params'], digest=digest))
            done = True
        out.append(req)
    return out
