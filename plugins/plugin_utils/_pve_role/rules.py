# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha_rules (PVE 9): parsed with the rule module's own canonical form, and the rules after the run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d

RULE_KEYS = ('name', 'type', 'resources', 'nodes', 'strict', 'affinity', 'comment', 'enabled')


def role_rules(info, rules):
    """[(entry, canonical desired rule)] of proxmox_ha_rules; refuses a name given twice and bad sids or nodes."""
    out, seen = [], set()
    types = d.guest_types(info)
    current = d.current_rules(info)
    for index, entry in enumerate(rules or []):
        entry = d.given(entry)
        name = entry.get('name')
        d.check_config_id(name, '%s[%d].name' % (d.RULES_VAR, index))
        if name in seen:
            raise d.HaInputError("%s lists rule '%s' twice; give each rule once." % (d.RULES_VAR, name))
        seen.add(name)
        params = dict((key, entry.get(key)) for key in RULE_KEYS)
        # The rule module keeps the type of an existing rule; a new one must give it.
        params['type'] = params['type'] or (current.get(name) or {}).get('type')
        if params['type'] is None and (entry.get('state') or 'present') == 'present':
            raise d.HaInputError("%s[%d] (%s) needs type to create the rule; set node-affinity or resource-affinity."
                                 % (d.RULES_VAR, index, name))
        try:
            desired = d.desired_rule(params, types)
        except d.HaInputError as exc:
            raise d.HaInputError('%s[%d] (%s): %s' % (d.RULES_VAR, index, name, exc))
        out.append((dict(entry, state=entry.get('state') or 'present'), desired))
    return out


def projected_rules(info, parsed_rules):
    """{name: canonical rule} of the cluster's rules once proxmox_ha_rules is applied (groups' rules aside)."""
    out = d.current_rules(info)
    for entry, desired in parsed_rules:
        if entry['state'] == 'absent':
            out.pop(desired['name'], None)
            continue
        current = out.get(desired['name'])
        out[desired['name']] = dict(d.merge_desired(current, desired, d.rule_defaults(desired['type'])),
                                    name=desired['name'])
    return out


def rule_sids(info, entry):
    """The sids an entry of proxmox_ha_rules names, normalised with the cluster's guest types when possible."""
    types = d.guest_types(info)
    out = []
    for raw in entry.get('resources') or []:
        try:
            out.append(d.normalize_sid(raw, types))
        except d.HaInputError:
            out.append(str(raw))
    return out
