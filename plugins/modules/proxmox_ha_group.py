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
    desired_group, normalize_group, plan_group, plan_group_members)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import check_config_id, guest_types, normalize_sid, sort_sids
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.requests import first_digest, to_requests
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import normalize_resource
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import group_rule_name, plan_group_as_rule


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


def find_group(groups, name):
    for item in groups or []:
        if item.get('group') == name:
            return normalize_group(item)
    return None


def plan_groups_api(pm, desired, reread):
    """Read /cluster/ha/groups (PVE 8, or PVE 9 before migration) and plan."""
    state = pm.client.ha_state()
    groups = pm.client.get('cluster/ha/groups') if reread else state['groups']
    current = find_group(groups, desired['name'])
    users = ()
    if pm.params['state'] == 'absent' and current:
        users = sort_sids(r['sid'] for r in pm.client.get('cluster/ha/resources') or [] if r.get('group') == desired['name'])
    cluster_nodes = pm.client.node_names() if pm.params['state'] == 'present' and desired.get('nodes') else None
    planned = plan_group(current, desired, pm.params['state'], cluster_nodes, users)
    if pm.params['state'] == 'present' and pm.params.get('resources') is not None:
        resources_raw = pm.client.get('cluster/ha/resources') or []
        members = desired_members(pm, set(r['sid'] for r in resources_raw))
        planned['commands'] = planned['commands'] + plan_group_members(desired['name'], members, resources_raw)
    return dict(planned, writes=to_requests(planned['commands'], dict(group=first_digest(groups))))


def plan_rules_api(pm, desired):
    """Read the ha-group-<name> node-affinity rule (PVE 9 after migration) and the resources, and plan."""
    rules_raw = pm.client.get('cluster/ha/rules') or []
    rules = [normalize_rule(r) for r in rules_raw]
    rule = next((r for r in rules if r['name'] == group_rule_name(desired['name'])), None)
    resources_raw = pm.client.get('cluster/ha/resources') or []
    failbacks = dict((r['sid'], r['failback']) for r in (normalize_resource(item) for item in resources_raw))
    needs_nodes = pm.params['state'] == 'present' and (rule is not None or desired.get('nodes'))
    cluster_nodes = pm.client.node_names() if needs_nodes else None
    members = desired_members(pm, set(failbacks))
    planned = plan_group_as_rule(rule, desired, pm.params['state'], failbacks, cluster_nodes, rules, members)
    for warning in planned['warnings']:
        pm.warn(warning)
    # Only the rule carries a digest: the member failback PUTs follow it (as before the planners existed).
    return dict(planned, writes=to_requests(planned['commands'], dict(rule=first_digest(rules_raw))))


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
    out.update(pm.result_facts())
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
