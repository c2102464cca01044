#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: proxmox_ha_resources
short_description: Converge many Proxmox VE HA resources in one task
version_added: 0.1.0
description:
  - Manages the HA resources (C(/cluster/ha/resources)) of a cluster from one list, with the network resource module
    states - V(merged), V(replaced), V(overridden), V(deleted) and V(gathered).
  - Reads all resources with one GET, then sends only the writes that are needed - creates and updates first, then
    rule changes, then deletions.
  - On a PVE 9 cluster whose groups were migrated to rules, C(group) keeps working - it is membership of the
    node-affinity rule C(ha-group-<group>) that PVE's migration created (see RV(translated_to_rule)).
  - B(O(state=overridden) removes every HA resource that is not in O(config)) - an empty list removes HA from every
    guest. Run it with C(--check --diff) first.
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.proxmox
  - clusterops.ha.proxmox.ACTIONGROUP_PROXMOX
attributes:
  check_mode:
    description: Plans the changes and makes no write request.
    support: full
  diff_mode:
    description: Shows all HA resources before and after, keyed by SID.
    support: full
options:
  config:
    description:
      - The HA resources. Fields left out keep their current value with O(state=merged); with V(replaced) and
        V(overridden) they are reset to PVE's defaults.
    type: list
    elements: dict
    suboptions:
      sid:
        description: C(vm:100), C(ct:101) or a bare VMID (its type is looked up).
        type: str
        required: true
      state:
        description: Requested state. V(enabled) is PVE's alias of V(started).
        type: str
        choices: [started, stopped, disabled, ignored, enabled]
      group:
        description: HA group; V("") removes the resource from its group.
        type: str
      max_restart:
        description: Restart attempts on the same node (PVE default 1).
        type: int
      max_relocate:
        description: Relocation attempts to other nodes (PVE default 1).
        type: int
      failback:
        description: Move back to a higher-priority node when it returns (PVE 9 only; default V(true)).
        type: bool
      auto_rebalance:
        description:
          - Whether the CRS automatic rebalancing may move this resource (PVE default V(true)); V(false) keeps it
            where it is when C(crs.ha-auto-rebalance) rebalances the cluster.
          - Needs pve-ha-manager 5.2.3 or later (PVE 9.2); on older versions the task fails before any write,
            naming the version needed. Reads back as V(true) where PVE has no such option.
        type: bool
      comment:
        description: Description; V("") removes it.
        type: str
  remove_orphaned_rules:
    description:
      - Allow removals that delete or invalidate HA rules nobody named in this task - a rule whose only resources
        are deleted (PVE's purge deletes it), a resource-affinity rule left with one resource, or on a migrated PVE 9
        the rule C(ha-group-<group>) whose last member leaves (its nodes, priorities, strict and comment go with it).
      - With V(false) such a task is refused before any write, naming the rules; with V(true) it warns for each.
        RV(rule_changes) and C(--diff) show what happens to the rules either way.
    type: bool
    default: false
  state:
    description:
      - V(merged) creates and updates the listed resources; V(replaced) makes each listed resource exactly as given;
        V(overridden) does that and B(deletes every HA resource not listed); V(deleted) removes the listed resources;
        V(gathered) only reads.
    type: str
    choices: [merged, replaced, overridden, deleted, gathered]
    default: merged
'''

EXAMPLES = r'''
- name: Protect three guests, pinned to the hardened group
  clusterops.ha.proxmox_ha_resources:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    config:
      - {sid: vm:100, group: web, max_relocate: 2}
      - {sid: 101, state: started, group: web}
      - {sid: ct:200, state: stopped}

- name: Make the HA resource list exactly this (removes every other HA resource!)
  clusterops.ha.proxmox_ha_resources:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    state: overridden
    config:
      - {sid: vm:100, group: web}

- name: Read all HA resources
  clusterops.ha.proxmox_ha_resources:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    state: gathered
  register: ha_resources
'''

RETURN = r'''
before:
  description: All HA resources before the task, canonical (defaults filled in, C(enabled) shown as C(started)).
  returned: unless state is gathered
  type: list
  elements: dict
  sample: [{sid: "vm:100", state: started, group: null, max_restart: 1, max_relocate: 1, failback: true, auto_rebalance: true, comment: ""}]
after:
  description: All HA resources as the task leaves them (as they would be, in check mode).
  returned: unless state is gathered
  type: list
  elements: dict
  sample: [{sid: "vm:100", state: started, group: web, max_restart: 1, max_relocate: 2, failback: true, auto_rebalance: true, comment: ""}]
gathered:
  description: All HA resources, canonical.
  returned: when state is gathered
  type: list
  elements: dict
  sample: [{sid: "vm:100", state: started, group: web, max_restart: 1, max_relocate: 1, failback: true, auto_rebalance: true, comment: ""}]
commands:
  description: The write requests planned (in check mode) or sent, in order.
  returned: unless state is gathered
  type: list
  elements: dict
  sample: [{method: POST, path: cluster/ha/resources, params: {sid: "vm:100", group: web}}]
rule_changes:
  description:
    - What the removals do to HA rules, per rule - C(effect) is V(deleted), V(invalidated) (a resource-affinity rule
      left with one resource, which PVE ignores) or V(reduced); C(removed) the SIDs that leave it; C(before) and
      C(after) the rule (C(after) null when deleted); C(group) the HA group a deleted C(ha-group-*) rule held.
  returned: unless state is gathered
  type: list
  elements: dict
  sample: [{rule: pin, type: node-affinity, effect: deleted, removed: ["vm:101"], before: {name: pin}, after: null}]
translated_to_rule:
  description: On PVE 9 with migrated groups, the C(ha-group-*) rules whose resource lists this task changed (or would).
  returned: when groups are migrated
  type: list
  elements: str
  sample: [ha-group-web]
pve:
  description: PVE version, major release and whether HA groups were migrated to rules.
  returned: always
  type: dict
  sample: {version: "9.0.3", major: 9, groups_migrated: true}
requests:
  description: Counts of read and write requests and retries this task made.
  returned: always
  type: dict
  sample: {read: 5, write: 2, retries: 0}
'''

from ansible_collections.clusterops.ha.plugins.module_utils._pve_client import PveModule
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import guest_types, sort_sids, to_bool
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.requests import first_digest, to_requests
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import (
    check_error_states, check_resource_features, check_rule_removals, desired_resources, failback_overridden, normalize_resource,
    plan_resources, validate_resources)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import apt_path, has, package_versions
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import group_by_sid_from_rules


def read_current(pm, state):
    """Canonical resources by sid, canonical rules (migrated clusters) and the raw digests."""
    raw = pm.client.get('cluster/ha/resources') or []
    rules_raw = (pm.client.get('cluster/ha/rules') or []) if state['groups_migrated'] else []
    rules = [normalize_rule(r) for r in rules_raw]
    group_by_sid = group_by_sid_from_rules(rules) if state['groups_migrated'] else None
    current = dict((r['sid'], normalize_resource(r, group_by_sid)) for r in raw)
    return current, rules, first_digest(raw), first_digest(rules_raw)


def plan(pm, desired):
    state = pm.client.ha_state()
    current, rules, res_digest, rule_digest = read_current(pm, state)
    with_failback = state['major'] >= 9
    groups = None if state['groups_migrated'] else [g.get('group') for g in state['groups'] or []]
    validate_resources(desired, groups, state['groups_migrated'], rules, with_failback)
    # pve-ha-manager < 5.0.7 deletes a resource without taking it out of the rules: do it here.
    packages = package_versions(pm.client.get(apt_path(pm.client.node_names())))
    check_resource_features(desired, packages)
    purge_rules = bool(rules) and not has(packages, 'delete_purge')
    planned = plan_resources(current, desired, pm.params['state'], translate_groups=state['groups_migrated'],
                             rules=rules, with_failback=with_failback, purge_rules=purge_rules)
    if any(cmd['kind'] == 'resource' and cmd['op'] == 'update' for cmd in planned['commands']):
        manager = (pm.client.get('cluster/ha/status/manager_status') or {}).get('manager_status') or {}
        check_error_states(planned['commands'], dict(
            (sid, (status or {}).get('state')) for sid, status in (manager.get('service_status') or {}).items()))
    # Refused before any write (check mode too) unless remove_orphaned_rules allows it (issue 16, M1/M2).
    rule_warnings = check_rule_removals(planned['rule_changes'], pm.params['remove_orphaned_rules'], pm.params['state'])
    writes = to_requests(planned['commands'], dict(resource=res_digest, rule=rule_digest))
    rules_touched = sorted(cmd['id'] for cmd in planned['commands'] if cmd['kind'] == 'rule')
    overridden = []
    if with_failback and not state['groups_migrated']:
        overridden = failback_overridden(desired, current, dict(
            (g.get('group'), to_bool(g.get('nofailback'))) for g in state['groups'] or []))
    return dict(before=as_list(planned['before']), after=as_list(planned['after']), writes=writes, rules=rules_touched,
                purged=planned['purged'], overridden=overridden, rule_changes=planned['rule_changes'],
                rule_warnings=rule_warnings)


def as_list(by_sid):
    return [by_sid[sid] for sid in sort_sids(by_sid)]


def work(pm):
    params = pm.params
    state = pm.client.ha_state()
    if params['state'] == 'gathered':
        current, _rules, _d1, _d2 = read_current(pm, state)
        return dict(changed=False, gathered=as_list(current), **pm.result_facts())
    if params['state'] == 'deleted' and not params['config']:
        raise HaInputError("config is empty, so state=deleted would remove nothing; list the resources to delete, or "
                           "use state=overridden with config: [] to remove every HA resource.")
    if params['config'] is None:
        raise HaInputError("config is required with state=%s; list the HA resources." % params['state'])
    types, _nodes = guest_types(pm.client.get('cluster/resources', type='vm'))
    desired = desired_resources(params['config'], types)
    result = pm.converge(lambda: plan(pm, desired))
    for warning in result.get('overridden') or []:
        pm.warn(warning)
    for warning in result.get('rule_warnings') or []:
        pm.warn(warning)
    if result.get('purged'):
        pm.warn("this PVE has no purge on delete (pve-ha-manager < 5.0.7), so the module changes the rules itself as "
                "purge would (%s deleted)." % ', '.join(result['purged']))
    out = dict(changed=bool(result['writes']), before=result['before'], after=result['after'], commands=result['writes'],
               rule_changes=result.get('rule_changes') or [])
    if state['groups_migrated']:
        out['translated_to_rule'] = result['rules']
    if pm.diff_mode:
        # Ansible renders a diff side only from a mapping or a string, so key the lists by sid.
        out['diff'] = dict(before=keyed_by_sid(result['before']), after=keyed_by_sid(result['after']))
        if result.get('rule_changes'):
            # The side effects on rules, keyed like the resources so both sides show them.
            out['diff']['before']['rules'] = dict((c['rule'], c['before']) for c in result['rule_changes'])
            out['diff']['after']['rules'] = dict((c['rule'], c['after']) for c in result['rule_changes'] if c['after'])
    out.update(pm.result_facts())
    return out


def keyed_by_sid(resources):
    return dict((item['sid'], item) for item in resources or [])


def main():
    pm = PveModule(
        dict(config=dict(type='list', elements='dict', options=dict(
            sid=dict(type='str', required=True),
            state=dict(type='str', choices=['started', 'stopped', 'disabled', 'ignored', 'enabled']),
            group=dict(type='str'),
            max_restart=dict(type='int'),
            max_relocate=dict(type='int'),
            failback=dict(type='bool'),
            auto_rebalance=dict(type='bool'),
            comment=dict(type='str'))),
            remove_orphaned_rules=dict(type='bool', default=False),
            state=dict(type='str', choices=['merged', 'replaced', 'overridden', 'deleted', 'gathered'], default='merged')),
        supports_check_mode=True,
    )
    pm.run(work)


if __name__ == '__main__':
    main()
