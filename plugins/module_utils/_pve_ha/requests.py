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


# The config file (API path) each kind of planned command writes.
KIND_PATHS = dict(resource='cluster/ha/resources', rule='cluster/ha/rules', group='cluster/ha/groups')


def command_to_request(command):
    """The HTTP request (method, path without /api2/json, params) for a planned command."""
    base = KIND_PATHS[command['kind']]
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


def to_requests(commands, digests):
    """The requests for planned commands, each config file's digest attached to its first write.

    The one place digests are attached: digests is {kind: digest of that kind's file as read}.
    """
    requests = [command_to_request(command) for command in commands]
    for kind, digest in sorted((digests or {}).items()):
        requests = with_first_digest(requests, KIND_PATHS[kind], digest)
    return requests
