# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parsing of PVE HA scalars, node lists, service IDs and config IDs, and the generic field diff (pure).

No I/O and no Ansible import in this package: every function takes and returns plain data.
PVE quirks handled here: node lists come back in random order and drop `:0`; booleans are
0/1; a bare VMID means vm:/ct: by lookup of the guest type.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError


SID_RE = re.compile(r'^(?:(vm|ct):)?(\d+)$')


# PVE's pve-ha-node format (HA/Tools.pm): no dots, so 'pve1.lab' is refused by PVE as well.
NODE_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$')


# PVE's 'pve-configid' format, which HA group and rule IDs must match.
CONFIG_ID = re.compile(r'[A-Za-z][A-Za-z0-9_\-]+\Z')


def check_config_id(value, option):
    """Refuse an ID PVE would reject, before any request is made."""
    if not CONFIG_ID.match(value or ''):
        raise HaInputError("%s %r is not a valid PVE ID; start with a letter and use only ASCII letters, digits, '-' "
                           "and '_' (at least 2 characters), e.g. 'web-tier'." % (option, value))


def to_bool(value):
    """PVE 0/1, '0'/'1', booleans and None (False) as a Python bool."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, (int, float)):
        return value != 0
    return str(value).strip().lower() in ('1', 'true', 'yes', 'on')


def to_int(value, default):
    """An integer from PVE data, or the default when PVE omitted it."""
    if value is None or value == '':
        return default
    return int(value)


def split_list(value):
    """A PVE comma list (or a Python list) as a list of stripped non-empty strings."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        items = str(value).split(',')
    return [str(item).strip() for item in items if str(item).strip()]


def parse_node_entry(entry, option='nodes'):
    """(node, priority) from 'n1', 'n1:2' or {'node': 'n1', 'priority': 2}."""
    if isinstance(entry, dict):
        unknown = set(entry) - set(('node', 'priority'))
        if unknown or 'node' not in entry:
            raise HaInputError("%s entry %r must have the keys node and optionally priority; write it as "
                               "{node: pve1, priority: 2} or 'pve1:2'." % (option, entry))
        node, priority = str(entry['node']).strip(), entry.get('priority')
    else:
        node, _sep, priority = str(entry).strip().partition(':')
        node = node.strip()
        priority = priority.strip() if _sep else None
    if not NODE_RE.match(node):
        raise HaInputError("%s entry %r has no valid node name; use the cluster node name (letters, digits and '-', "
                           "no domain), e.g. 'pve1' or 'pve1:2'." % (option, entry))
    if priority is None or priority == '':
        return node, 0
    if isinstance(priority, bool) or not re.match(r'^\d+$', str(priority).strip()):
        raise HaInputError("%s entry %r has priority %r, which is not a non-negative integer; write node:priority "
                           "with a whole number >= 0, e.g. '%s:2'." % (option, entry, priority, node))
    return node, int(str(priority).strip())


def parse_nodes(value, option='nodes', from_pve=False):
    """{node: priority} from a user list or a PVE 'n1:2,n2' string; rejects duplicates in user input.

    from_pve: a group PVE stored may list one node twice ('pve1:2,pve1'; PVE accepts it). Reading must
    not fail on it; the highest priority counts, since which entry PVE's migration keeps is hash order.
    """
    nodes = {}
    for entry in (value if isinstance(value, (list, tuple)) else split_list(value)):
        node, priority = parse_node_entry(entry, option)
        if node in nodes:
            if not from_pve:
                raise HaInputError("%s lists node '%s' twice; give each node once." % (option, node))
            priority = max(priority, nodes[node])
        nodes[node] = priority
    return dict(sorted(nodes.items()))


def format_nodes(nodes):
    """PVE node list string, sorted by name; priority 0 written as the bare name like PVE does."""
    return ','.join(node if not prio else '%s:%d' % (node, prio) for node, prio in sorted(nodes.items()))


def guest_types(cluster_resources):
    """{vmid: 'vm'|'ct'} and {vmid: node} from GET /cluster/resources (type qemu/lxc entries)."""
    types, nodes = {}, {}
    for item in cluster_resources or []:
        if item.get('type') in ('qemu', 'lxc') and item.get('vmid') is not None:
            vmid = int(item['vmid'])
            types[vmid] = 'vm' if item['type'] == 'qemu' else 'ct'
            nodes[vmid] = item.get('node')
    return types, nodes


def normalize_sid(value, types=None, option='sid'):
    """'vm:100' from 'vm:100', 'ct:101', '100' or 100; checks the VMID exists when types is given."""
    text = str(value).strip()
    match = SID_RE.match(text)
    if not match:
        raise HaInputError("%s %r is malformed; write vm:<vmid>, ct:<vmid> or a bare VMID such as 100." % (option, value))
    kind, vmid = match.group(1), int(match.group(2))
    if types is not None:
        actual = types.get(vmid)
        if actual is None:
            raise HaInputError("%s %r names VMID %d, which does not exist in the cluster; use the ID of an existing "
                               "VM or container." % (option, value, vmid))
        if kind and kind != actual:
            raise HaInputError("%s %r says %s but guest %d is a %s; write %s:%d." % (
                option, value, kind, vmid, 'container' if actual == 'ct' else 'VM', actual, vmid))
        kind = actual
    return '%s:%d' % (kind or 'vm', vmid)


def sid_sort_key(sid):
    kind, _sep, vmid = sid.partition(':')
    return (int(vmid) if vmid.isdigit() else 0, kind)


def sort_sids(sids):
    return sorted(set(sids), key=sid_sort_key)


def changed_fields(before, after):
    """Names of fields whose values differ (both canonical)."""
    return sorted(key for key in set(before or {}) | set(after or {}) if (before or {}).get(key) != (after or {}).get(key))


def merge_desired(current, desired, defaults):
    """The object after applying desired (None = keep) over current, or over defaults when creating."""
    merged = dict(defaults if current is None else current)
    for key, value in desired.items():
        if value is not None:
            merged[key] = value
    return merged


def check_nodes_exist(nodes, cluster_nodes, option):
    if cluster_nodes is None:
        return
    unknown = sorted(set(nodes) - set(cluster_nodes))
    if unknown:
        raise HaInputError("%s names unknown node(s) %s; use cluster node names (%s)." % (
            option, ', '.join(unknown), ', '.join(sorted(cluster_nodes))))


def version_at_least(version_string, wanted):
    parts = [int(p) for p in re.findall(r'\d+', str(version_string or ''))[:2]]
    while len(parts) < 2:
        parts.append(0)
    return tuple(parts) >= tuple(wanted)
