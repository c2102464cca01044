# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the PVE and vSphere capacity-model builders share (pure, private to the collection).

MiB rounding of byte counts, the anti-affinity label list of a placement entry, and the
check of the caller's host_reserved_mb: one copy each, so both platforms agree.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

MIB = 1024 * 1024


def mib_down(value):
    """Bytes as whole MiB, rounded down (host capacity: never promise memory that is not there)."""
    return int(value or 0) // MIB


def mib_up(value):
    """Bytes as whole MiB, rounded up (guest demand: never under-count what must be restarted)."""
    return -(-int(value or 0) // MIB)


def dedupe_anti_affinity(constraints):
    """Sort each entry's anti_affinity labels and drop repeats, in place; returns constraints."""
    for entry in constraints.values():
        if 'anti_affinity' in entry:
            entry['anti_affinity'] = sorted(set(entry['anti_affinity']))
    return constraints


def check_host_reserved_mb(value):
    """Refuse a negative host_reserved_mb before any request."""
    if value is not None and value < 0:
        raise HaInputError('host_reserved_mb is %d; set it to 0 or more MiB.' % value)
