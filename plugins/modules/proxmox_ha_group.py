#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: proxmox_ha_group
short_description: Manage a Proxmox VE HA group, on PVE 8 and on PVE 9 after groups became rules
version_added: 0.1.0
description:
  - Creates, updates or removes one HA group (C(/cluster/ha/groups)).
  - On a PVE 9 cluster whose groups were migrated to rules, manages the equivalent node-affinity rule the way PVE's own
    migration does it instead, and says so in RV(translated_to_rule) - rule C(ha-group-<name>), C(strict) =
    O(restricted), and each member resource's C(failback) = not O(nofailback). PVE cannot store a rule without
    resources, so on such a cluster give the members in O(resources) to create the group; without them a new group is
    reported as pending (see the collection's Proxmox guide).
  - Node lists are compared as sets with priorities, so order, C(node:0) versus C(node), and omitted defaults never
    cause a change.
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.proxmox
  - clusterops.ha.proxmox.ACTIONGROUP_PROXMOX
attributes:
  check_mode:
    description: Plans the change and makes no write request.
    support: full
  diff_mode:
    description: Shows the group before and after.
    support: full
options:
  name:
    description: Group ID.
    type: str
    required: true
  nodes:
    description:
      - Member nodes, each a node name, C(node:priority), or a dict with C(node) and C(priority) (higher is preferred).
      - Required to create a group; ignored for O(state=absent).
    type: list
    elements: raw
  restricted:
    description: Resources may run only on member nodes. PVE's default is V(false).
    type: bool
  nofailback:
    description:
      - Do not move resources back when a higher-priority node returns. PVE's default is V(false); the collection's
        hardening role sets it to V(true).
    type: bool
  comment:
    description: Description; V("") removes it.
    type: str
  resources:
    description:
      - The group's members, exactly (HA resources as C(vm:<id>), C(ct:<id>) or a bare VMID); omitted keeps the
        membership as it is. Each must already be an HA resource (add it with M(clusterops.ha.proxmox_ha_resources)).
      - On PVE 9 with migrated groups they become the resources of rule C(ha-group-<name>), which is how a new group
        can be created there at all; on PVE 8 (and PVE 9 before migration) each member's C(group) is set, and
        resources that leave the group get no group.
      - A second identical run changes nothing on both.
    type: list
    elements: str
  state:
    description: Whether the group exists.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Prefer pve1, then pve2; never fail back automatically
  clusterops.ha.proxmox_ha_group:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    name: web
    nodes: [pve1:2, pve2:1, pve3]
    restricted: false
    nofailback: true

- name: A new group with its members (works on PVE 8 and on PVE 9 after groups became rules)
  clusterops.ha.proxmox_ha_group:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    name: db
    nodes: [pve2:2, pve3]
    restricted: true
    resources: [vm:201, vm:202]

- name: Remove a group (nodes are not needed)
  clusterops.ha.proxmox_ha_group:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    name: old
    state: absent
'''

RETURN = r'''
before:
  description: The group before the task (null when it did not exist).
  returned: always
  type: dict
  sample: {name: web, nodes: {pve1: 2, pve2: 1}, restricted: false, nofailback: false, comment: ""}
after:
  description: The group as the task leaves it (as it would be, in check mode; null when absent).
  returned: always
  type: dict
  sample: {name: web, nodes: {pve1: 2, pve2: 1, pve3: 0}, restricted: false, nofailback: true, comment: ""}
commands:
  description: The write requests planned (in check mode) or sent, in order.
  returned: always
  type: list
  elements: dict
  sample: [{method: PUT, path: cluster/ha/groups/web, params: {nofailback: 1, digest: "0a1b"}}]
translated_to_rule:
  description:
    - Set on a PVE 9 cluster with migrated groups - the node-affinity rule that stands for the group.
    - C(pending) is true when the rule could not exist yet because no resource is in the group.
  returned: when groups are migrated
  type: dict
  sample: {rule: ha-group-web, strict: false, resources: ["vm:100"], pending: false}
pve:
  description: PVE version, major release and whether HA groups were migrated to rules.
  returned: always
  type: dict
  sample: {version: "9.0.3", major: 9, groups_migrated: true}
requests:
  description: Counts of read and write requests and retries this task made.
  returned: always
  type: dict
  sample: {read: 3, write: 1, retries: 0}
'''

from ansible_collections.clusterops.ha.plugins.module_utils._pve_client import PveModule
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import (
    GROUP_DEFAULTS, desired_group, group_write_params, normalize_group, validate_group)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import (
    changed_fields, check_config_id, guest_types, merge_desired, normalize_sid, sort_sids)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.requests import first_digest
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import normalize_resource
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule, rule_write_params, validate_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import group_as_rule, group_rule_name, rule_as_group


def desired_members(pm, managed):
    """The `resources` option as sorted SIDs (None: keep), each an existing HA resource."""
    if pm.params.get('resources') is None or pm.params['state'] == 'absent':
        return None
    types, _nodes = guest_types(pm.client.get('cluster/resources', type='vm'))
    sids = [normalize_sid(item, types, 'resources') for item in pm.params['resources']]
    if len(set(sids)) != len(sids):
        raise HaInputError("resources lists the same resource twice; give each resource once.")
    missing = [sid for sid in sort_sids(sids) if sid not in managed]
    if missing:
        raise HaInputError("resources %s are not HA resources yet; add them with clusterops.ha.proxmox_ha_resources "
                           "first, then give them here as members of group '%s'." % (', '.join(missing), pm.params['name']))
    return sort_sids(sids)


def member_writes(name, members, resources_raw):
    """PVE 8 (and unmigrated PVE 9) membership: PUT group=<name> on joiners, delete=group on leavers."""
    writes = []
    for item in sorted(resources_raw, key=lambda r: r['sid']):
        inside = item.get('group') == name
        if item['sid'] in members and not inside:
            writes.append(dict(method='PUT', path='cluster/ha/resources/%s' % item['sid'], params=dict(group=name)))
        elif item['sid'] not in members and inside:
            writes.append(dict(method='PUT', path='cluster/ha/resources/%s' % item['sid'], params=dict(delete='group')))
    return writes


def find_group(groups, name):
    for item in groups or []:
        if item.get('group') == name:
            return normalize_group(item)
    return None


def plan_groups_api(pm, desired, reread):
    """Plan against /cluster/ha/groups (PVE 8, or PVE 9 before migration)."""
    state = pm.client.ha_state()
    groups = pm.client.get('cluster/ha/groups') if reread else state['groups']
    current = find_group(groups, desired['name'])
    writes = []
    if pm.params['state'] == 'absent':
        after = None
        if current:
            # PVE refuses to delete a group that resources still use; say which, before writing anything.
            users = sort_sids(r['sid'] for r in pm.client.get('cluster/ha/resources') or [] if r.get('group') == desired['name'])
            if users:
                raise HaInputError("HA group '%s' is still used by %s; move them out first (proxmox_ha_resources with "
                                   "group: '' or another group), then remove the group." % (desired['name'], ', '.join(users)))
            writes.append(dict(method='DELETE', path='cluster/ha/groups/%s' % desired['name'], params={}))
    else:
        validate_group(desired, current, pm.client.node_names() if desired.get('nodes') else None, 'present')
        after = merge_desired(current, desired, dict(GROUP_DEFAULTS, name=desired['name']))
        if current is None:
            params = dict(group_write_params(None, after), group=desired['name'])
            writes.append(dict(method='POST', path='cluster/ha/groups', params=params))
        elif changed_fields(current, after):
            params = group_write_params(current, after)
            digest = first_digest(groups)
            if digest:
                params['digest'] = digest
            writes.append(dict(method='PUT', path='cluster/ha/groups/%s' % desired['name'], params=params))
        if pm.params.get('resources') is not None:
            resources_raw = pm.client.get('cluster/ha/resources') or []
            members = desired_members(pm, set(r['sid'] for r in resources_raw))
            writes.extend(member_writes(desired['name'], members, resources_raw))
    return dict(before=current, after=after, writes=writes)


def plan_rules_api(pm, desired):
    """Plan against the ha-group-<name> node-affinity rule (PVE 9 after migration)."""
    rules_raw = pm.client.get('cluster/ha/rules')
    rules = [normalize_rule(r) for r in rules_raw or []]
    name = group_rule_name(desired['name'])
    rule = next((r for r in rules if r['name'] == name), None)
    resources = [normalize_resource(r) for r in pm.client.get('cluster/ha/resources') or []]
    failbacks = dict((r['sid'], r['failback']) for r in resources)
    current = rule_as_group(rule, failbacks) if rule else None
    writes, translated = [], dict(rule=name, pending=False)
    if pm.params['state'] == 'absent':
        after = None
        if rule:
            writes.append(dict(method='DELETE', path='cluster/ha/rules/%s' % name, params={}))
        return dict(before=current, after=after, writes=writes, translated=translated)
    validate_group(desired, current, pm.client.node_names() if desired.get('nodes') else None, 'present')
    after = merge_desired(current, desired, dict(GROUP_DEFAULTS, name=desired['name']))
    members = desired_members(pm, set(failbacks))
    if rule is None and not members:
        translated.update(pending=True, strict=after['restricted'], nodes=after['nodes'], resources=[])
        pm.warn("HA groups on this PVE 9 cluster were migrated to rules and rule '%s' cannot exist without resources; "
                "give the group's members in resources (they must be HA resources already) to create it."
                % name)
        return dict(before=None, after=None, writes=[], translated=translated)
    after_rule = group_as_rule(after, members if members is not None else rule['resources'], rule)
    validate_rule(after_rule, set(failbacks), pm.client.node_names(), rules)
    if rule is None:
        writes.append(dict(method='POST', path='cluster/ha/rules',
                           params=dict(rule_write_params(None, after_rule), rule=name)))
    elif changed_fields(rule, after_rule):
        params = rule_write_params(rule, after_rule)
        digest = first_digest(rules_raw)
        if digest:
            params['digest'] = digest
        writes.append(dict(method='PUT', path='cluster/ha/rules/%s' % name, params=params))
    if desired.get('nofailback') is not None:
        for sid in after_rule['resources']:
            if failbacks.get(sid, True) == desired['nofailback']:
                params = dict(failback=0) if desired['nofailback'] else dict(delete='failback')
                writes.append(dict(method='PUT', path='cluster/ha/resources/%s' % sid, params=params))
    translated.update(strict=after_rule['strict'], nodes=after_rule['nodes'], resources=after_rule['resources'])
    return dict(before=current, after=after, writes=writes, translated=translated)


def work(pm):
    check_config_id(pm.params['name'], 'name')
    desired = desired_group(pm.params) if pm.params['state'] == 'present' else dict(name=pm.params['name'])
    state = pm.client.ha_state()
    reads = {'first': True}

    def plan():
        if state['groups_migrated']:
            return plan_rules_api(pm, desired)
        result = plan_groups_api(pm, desired, reread=not reads['first'])
        reads['first'] = False
        return result

    result = pm.converge(plan)
    out = dict(changed=bool(result['writes']), before=result['before'], after=result['after'],
               commands=result['writes'])
    if 'translated' in result:
        out['translated_to_rule'] = result['translated']
    if pm.diff_mode:
        out['diff'] = dict(before=result['before'] or {}, after=result['after'] or {})
    return out


def main():
    pm = PveModule(
        dict(name=dict(type='str', required=True),
             nodes=dict(type='list', elements='raw'),
             restricted=dict(type='bool'),
             nofailback=dict(type='bool'),
             comment=dict(type='str'),
             resources=dict(type='list', elements='str'),
             state=dict(type='str', choices=['present', 'absent'], default='present')),
        supports_check_mode=True,
    )
    pm.run(work)


if __name__ == '__main__':
    main()
