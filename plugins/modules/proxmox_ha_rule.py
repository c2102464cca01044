#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: proxmox_ha_rule
short_description: Manage a Proxmox VE 9 HA rule (node-affinity or resource-affinity)
version_added: 0.1.0
description:
  - Creates, updates, enables, disables or removes one HA rule (C(/cluster/ha/rules), PVE 9).
  - Re-enabling sends C(delete=disable) (PVE ignores C(disable=0)); clearing an option sends C(delete=).
  - Checks before any write what PVE would refuse - unknown nodes, resources that are not HA resources, a resource in
    two node-affinity rules, a resource-affinity rule with fewer than 2 resources, a negative rule with more resources
    than nodes.
  - On PVE 8, and on a PVE 9 cluster whose HA groups are not migrated yet, fails with one sentence and writes nothing.
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
    description: Shows the rule before and after.
    support: full
options:
  name:
    description: Rule ID.
    type: str
    required: true
  type:
    description: Rule type. Required to create a rule; an existing rule's type cannot change (remove it first).
    type: str
    choices: [node-affinity, resource-affinity]
  resources:
    description: HA resources (C(vm:100), C(ct:101) or a bare VMID). Required to create a rule.
    type: list
    elements: str
  nodes:
    description:
      - O(type=node-affinity) only. Nodes as names, C(node:priority) or dicts with C(node) and C(priority).
    type: list
    elements: raw
  strict:
    description: O(type=node-affinity) only. Resources may run only on O(nodes). PVE's default is V(false).
    type: bool
  affinity:
    description:
      - V(positive) keeps resources together (resource-affinity) or on O(nodes) (node-affinity); V(negative) keeps
        them apart or off O(nodes). Required for resource-affinity rules.
    type: str
    choices: [positive, negative]
  comment:
    description: Description; V("") removes it.
    type: str
  enabled:
    description: Whether the rule is in force. PVE's default is V(true).
    type: bool
  state:
    description: Whether the rule exists.
    type: str
    choices: [present, absent]
    default: present
'''

EXAMPLES = r'''
- name: Keep the two database VMs on different nodes
  clusterops.ha.proxmox_ha_rule:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    name: db-apart
    type: resource-affinity
    affinity: negative
    resources: [vm:201, vm:202]

- name: Run the web tier only on pve1 and pve2, preferring pve1
  clusterops.ha.proxmox_ha_rule:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    name: web-nodes
    type: node-affinity
    nodes: [pve1:2, pve2:1]
    strict: true
    resources: [100, 101]

- name: Re-enable a rule
  clusterops.ha.proxmox_ha_rule:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    name: web-nodes
    enabled: true
'''

RETURN = r'''
before:
  description: The rule before the task (null when it did not exist).
  returned: always
  type: dict
  sample: {name: db-apart, type: resource-affinity, affinity: negative, resources: ["vm:201", "vm:202"], comment: "", enabled: false}
after:
  description: The rule as the task leaves it (as it would be, in check mode; null when absent).
  returned: always
  type: dict
  sample: {name: db-apart, type: resource-affinity, affinity: negative, resources: ["vm:201", "vm:202"], comment: "", enabled: true}
commands:
  description: The write requests planned (in check mode) or sent, in order.
  returned: always
  type: list
  elements: dict
  sample: [{method: PUT, path: cluster/ha/rules/db-apart, params: {type: resource-affinity, delete: disable, digest: "0a1b"}}]
pve:
  description: PVE version, major release and whether HA groups were migrated to rules.
  returned: always
  type: dict
  sample: {version: "9.0.3", major: 9, groups_migrated: true}
requests:
  description: Counts of read and write requests and retries this task made.
  returned: always
  type: dict
  sample: {read: 4, write: 1, retries: 0}
'''

from ansible_collections.clusterops.ha.plugins.module_utils._pve_client import PveModule
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import check_config_id, guest_types
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.requests import first_digest, to_requests
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule, plan_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import apt_path, package_versions


def check_support(state):
    if not state['rules_supported']:
        raise HaInputError("proxmox_ha_rule needs PVE 9 (this cluster runs %s); on PVE 8 use "
                           "clusterops.ha.proxmox_ha_group instead." % state['version'])
    if not state['groups_migrated']:
        raise HaInputError("This PVE 9 cluster has not migrated its HA groups to rules yet, so PVE refuses rule "
                           "changes; bring all nodes online so the migration runs, or manage the groups with "
                           "clusterops.ha.proxmox_ha_group.")


def plan(pm):
    rules_raw = pm.client.get('cluster/ha/rules') or []
    rules = [normalize_rule(r) for r in rules_raw]
    types = managed = nodes = packages = known = None
    if pm.params['state'] == 'present':
        types, _nodes = guest_types(pm.client.get('cluster/resources', type='vm'))
        managed = set(r['sid'] for r in pm.client.get('cluster/ha/resources') or [])
        nodes = pm.client.node_names()
        packages = package_versions(pm.client.get(apt_path(nodes)))
        # PVE counts the nodes its HA manager knows (none before a first CRM master) for negative rules.
        manager = (pm.client.get('cluster/ha/status/manager_status') or {}).get('manager_status') or {}
        known = sorted(manager.get('node_status') or {})
    planned = plan_rule(rules, pm.params, types, managed, nodes, packages=packages, nodes_known=known)
    return dict(planned, writes=to_requests(planned['commands'], dict(rule=first_digest(rules_raw))))


def work(pm):
    check_config_id(pm.params['name'], 'name')
    check_support(pm.client.ha_state())
    result = pm.converge(lambda: plan(pm))
    out = dict(changed=bool(result['writes']), before=result['before'], after=result['after'], commands=result['writes'])
    if pm.diff_mode:
        out['diff'] = dict(before=result['before'] or {}, after=result['after'] or {})
    out.update(pm.result_facts())
    return out


def main():
    pm = PveModule(
        dict(name=dict(type='str', required=True),
             type=dict(type='str', choices=['node-affinity', 'resource-affinity']),
             resources=dict(type='list', elements='str'),
             nodes=dict(type='list', elements='raw'),
             strict=dict(type='bool'),
             affinity=dict(type='str', choices=['positive', 'negative']),
             comment=dict(type='str'),
             enabled=dict(type='bool'),
             state=dict(type='str', choices=['present', 'absent'], default='present')),
        supports_check_mode=True,
    )
    pm.run(work)


if __name__ == '__main__':
    main()
