# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PVE domain functions the proxmox_ha role's decisions build on, imported in one place.

The role decides with the same parsing, canonical forms and planners as the modules, so a
role decision can never drift from what the module then does. Also: what the info result
says about the cluster (platform, guest types, current objects), which every decision reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# pylint: disable=unused-import
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError  # noqa: F401
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import (  # noqa: F401
    check_config_id, format_nodes, merge_desired, normalize_sid, parse_nodes, sort_sids)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import GROUP_DEFAULTS, check_group_unused  # noqa: F401
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import (  # noqa: F401
    desired_resources as canonical_resources, plan_resources)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import desired_rule, rule_defaults  # noqa: F401
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import (  # noqa: F401
    group_as_rule, group_from_rule_name, group_rule_name)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_capacity_model import placement_constraints  # noqa: F401
# pylint: enable=unused-import

# Role variables whose entries the decisions read, named in error sentences.
RESOURCES_VAR = 'proxmox_ha_resources'
GROUPS_VAR = 'proxmox_ha_groups'
RULES_VAR = 'proxmox_ha_rules'
CONSTRAINT_KEYS = ('allowed_hosts', 'host_priority', 'anti_affinity', 'keep_together')


def given(entry):
    """The entry without keys whose value is None: the role's argument spec may fill unset options with None."""
    return dict((key, value) for key, value in (entry or {}).items() if value is not None)


def platform(info):
    """What the cluster supports: PVE 8 has HA groups; PVE 9 rules and per-resource failback."""
    pve = info.get('pve') or {}
    major = int(pve.get('major') or 0)
    return dict(version=pve.get('version'), major=major, groups_migrated=bool(pve.get('groups_migrated')),
                rules=major >= 9, failback=major >= 9)


def guest_types(info):
    """{vmid: 'vm'|'ct'} from the info result's guests, so a bare VMID keeps its guest type."""
    return dict((int(guest['vmid']), guest['type']) for guest in info.get('guests') or []
                if guest.get('vmid') is not None and guest.get('type') in ('vm', 'ct'))


def current_resources(info):
    """{sid: canonical HA resource} as the info module read them."""
    return dict((res['sid'], dict(res)) for res in info.get('resources') or [])


def current_rules(info):
    """{name: canonical rule} as the info module read them (empty on PVE 8 and before migration)."""
    return dict((rule['name'], dict(rule)) for rule in info.get('rules') or [])


def current_groups(info):
    """{name: canonical group} (empty after migration)."""
    return dict((group['name'], dict(group)) for group in info.get('groups') or [])


def host_names(info):
    return sorted(host['name'] for host in (info.get('capacity_model') or {}).get('hosts') or [])


def present(entries):
    """Entries whose state is present (the default)."""
    return [entry for entry in entries or [] if (entry.get('state') or 'present') == 'present']
