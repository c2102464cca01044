#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: proxmox_ha_assess
short_description: Read a Proxmox VE cluster and decide what the proxmox_ha role will do, before any write
version_added: 0.1.0
description:
  - Runs M(clusterops.ha.proxmox_cluster_ha_info) and decides, from its result, everything the
    R(clusterops.ha.proxmox_ha,ansible_collections.clusterops.ha.docsite.proxmox_ha_role) role decides before
    its first write - the HA resources to converge, the preflight checks, the N+k capacity verdict of the cluster
    as the run will leave it, and the writes in order.
  - Writes nothing, in check mode or not. The role calls it once; it can be run alone to see what the role would do.
  - Only the decisions are returned. The info result (every guest of the cluster) stays inside the action, so a
    cluster of 10,000 guests does not become a host variable that later tasks template again and again.
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.proxmox
  - clusterops.ha.proxmox.ACTIONGROUP_PROXMOX
attributes:
  check_mode:
    description: Reads only; the result is the same in check mode, except that the plan defers what check mode cannot
      write yet (C(plan.deferred_rules)).
    support: full
  diff_mode:
    description: Nothing is changed, so there is no diff.
    support: none
  action:
    description: Runs on the controller as an action plugin and executes the info module on the task's host.
    support: full
options:
  host_reserved_mb:
    description: MiB per node kept back for the host itself (see M(clusterops.ha.proxmox_cluster_ha_info)).
    type: int
    default: 0
  resources:
    description: C(proxmox_ha_resources) of the role - HA resources, as M(clusterops.ha.proxmox_ha_resources) takes them.
    type: list
    elements: dict
    default: []
  groups:
    description: C(proxmox_ha_groups) of the role.
    type: list
    elements: dict
    default: []
  rules:
    description: C(proxmox_ha_rules) of the role.
    type: list
    elements: dict
    default: []
  mode:
    description: C(proxmox_ha_resources_mode) of the role - the resources task's O(clusterops.ha.proxmox_ha_resources#module:state).
    type: str
    choices: [merged, replaced, overridden]
    default: merged
  protect_running_guests:
    description: Make every running guest an HA resource as well.
    type: bool
    default: false
  resource_state:
    description: Requested state of the HA resources the role adds.
    type: str
    default: started
  nofailback:
    description: The seed's nofailback advice (V(true) - C(failback=0) on PVE 9 resources, C(nofailback) on PVE 8 groups).
    type: bool
    default: true
  shutdown_policy:
    description: Datacenter HA shutdown policy to set; V("") leaves it alone.
    type: str
    default: ""
  crs_mode:
    description: Datacenter CRS HA scheduler to set; V("") leaves it alone.
    type: str
    default: ""
  fencing:
    description: Datacenter HA fencing mode to set; V("") leaves it alone.
    type: str
    default: ""
  check_actions:
    description: What a failed preflight check does, per check (C(min_nodes), C(quorum), C(nodes_online),
      C(identical_memory), C(shared_storage), C(backup_coverage)) - V(fail), V(warn) or V(ignore).
    type: dict
    default: {}
  min_nodes:
    description: Fewest nodes the C(min_nodes) check accepts.
    type: int
    default: 3
  memory_tolerance_percent:
    description: Largest memory spread between nodes the C(identical_memory) check accepts, in percent.
    type: float
    default: 5
  host_failures:
    description: k of N+k - the simultaneous node failures the capacity verdict is asked about.
    type: int
    default: 1
  capacity_view:
    description: V(configured) or V(reserved) memory (see R(ha_capacity,ansible_collections.clusterops.ha.docsite.ha_capacity_role)).
    type: str
    choices: [configured, reserved]
    default: configured
  capacity_reserve_percent:
    description: Percent of each node's usable memory that must stay free after a failover.
    type: float
    default: 0
notes:
  - Runs the info module with the connection options of this task, so C(module_defaults) for the action group
    C(clusterops.ha.proxmox) apply to it as to the modules.
  - Role input the cluster cannot take (a bare VMID no guest has, a group listed twice, ...) fails the task with one
    sentence naming the role variable; nothing is written either way.
seealso:
  - module: clusterops.ha.proxmox_cluster_ha_info
  - module: clusterops.ha.proxmox_ha_resources
'''

EXAMPLES = r'''
- name: See what the proxmox_ha role would do on this cluster, without writing
  clusterops.ha.proxmox_ha_assess:
    api_host: pve1.example.org
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token_secret }}"
    protect_running_guests: true
    host_failures: 1
  register: assessment

- name: Show the checks and the capacity verdict
  ansible.builtin.debug:
    msg: "{{ assessment.lines + [assessment.capacity.summary | default('not evaluated: ' + assessment.refusal)] }}"
'''

RETURN = r'''
platform:
  description: What the cluster supports - C(version), C(major), C(groups_migrated), C(rules), C(failback).
  returned: always
  type: dict
cluster_name:
  description: The cluster's name as PVE reports it (empty for a single node).
  returned: always
  type: str
desired_count:
  description: Number of HA resources the run converges.
  returned: always
  type: int
checks:
  description: The preflight check records (C(name), C(status), C(summary), C(evidence), ...).
  returned: always
  type: list
  elements: dict
lines:
  description: The checks as printable lines.
  returned: always
  type: list
  elements: str
check_warnings:
  description: Checks configured to warn that did not pass, and settings that weaken the run (the role prints them).
  returned: always
  type: list
  elements: str
refusal:
  description: Empty, or the one sentence that stops the role before any write (input it cannot apply, then failed checks).
  returned: always
  type: str
capacity:
  description: The N+k verdict of the cluster as the run leaves it, as P(clusterops.ha.failover_capacity#filter)
    returns it (with C(summary) and C(report)). Null when RV(refusal) is set, because the role stops there.
  returned: always
  type: dict
plan:
  description:
    - The configure tasks' arguments in write order - C(groups), C(resources_config), C(converge_resources),
      C(group_rules), C(empty_groups), C(rules), C(deferred_rules), C(absent_groups), C(options).
    - C(converge_resources) is false when the resources module's own planner, applied to the gathered state, finds
      nothing to write; C(resources_config) is then empty. Null when RV(refusal) is set.
  returned: always
  type: dict
expected:
  description: The HA resource entries to verify after the resources task ran (empty when it does not run).
  returned: always
  type: list
  elements: dict
gathered_mismatches:
  description: Differences between what was asked and the state gathered before the run (used to verify a run
    in which no write task changed anything).
  returned: always
  type: list
  elements: str
'''
