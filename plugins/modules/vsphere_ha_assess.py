#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: vsphere_ha_assess
short_description: Read a vSphere cluster and decide what the vsphere_ha role will do, before any write
version_added: 0.1.0
description:
  - Runs M(clusterops.ha.vsphere_cluster_ha_info) and decides, from its result, everything the
    R(clusterops.ha.vsphere_ha,ansible_collections.clusterops.ha.docsite.vsphere_ha_role) role decides before its
    write - the cluster facts (vSAN, hosts, heartbeat candidates, vSAN networks), the preflight checks, the N+k
    capacity verdict and the HA settings to apply, admission control included.
  - Writes nothing, in check mode or not. The role calls it once; it can be run alone to see what the role would do.
  - Only the decisions are returned. The info result (every VM of the cluster) stays inside the action, so a
    cluster of 10,000 VMs does not become a host variable that later tasks template again.
author:
  - clusterops.ha maintainers (@clusterops)
extends_documentation_fragment:
  - clusterops.ha.vsphere
  - clusterops.ha.vsphere.ACTIONGROUP_VSPHERE
attributes:
  check_mode:
    description: Reads only; the result is the same in check mode.
    support: full
  diff_mode:
    description: Nothing is changed, so there is no diff.
    support: none
  action:
    description: Runs on the controller as an action plugin and executes the info module on the task's host.
    support: full
options:
  datacenter:
    description: Datacenter of the cluster, used when O(variables) has no C(datacenter) (so C(module_defaults) for the
      action group can set it once).
    type: str
    aliases: [datacenter_name]
  cluster:
    description: The cluster, used when O(variables) has no C(cluster).
    type: str
    aliases: [cluster_name]
  variables:
    description:
      - The role variables without their C(vsphere_ha_) prefix, as the role's C(vars/main.yml) collects them
        (C(datacenter) and C(cluster) are required here or in O(datacenter) and O(cluster); every other one takes the
        role's default).
      - They are typed as the role's argument spec declares them; a value that cannot be used fails the task with one
        sentence naming the variable.
    type: dict
    required: true
notes:
  - Runs the info module with the connection options of this task, so C(module_defaults) for the action group
    C(clusterops.ha.vsphere) apply to it as to the modules.
seealso:
  - module: clusterops.ha.vsphere_cluster_ha_info
  - module: clusterops.ha.vsphere_cluster_ha
'''

EXAMPLES = r'''
- name: See what the vsphere_ha role would do on this cluster, without writing
  clusterops.ha.vsphere_ha_assess:
    hostname: vcenter.example.org
    username: automation@vsphere.local
    password: "{{ vault_vcenter_password }}"
    variables:
      datacenter: DC1
      cluster: Cluster1
      host_failures: 1
  register: assessment

- name: Show the checks and the capacity verdict
  ansible.builtin.debug:
    msg: "{{ assessment.preflight.lines + [assessment.capacity.summary | default('not evaluated: ' + assessment.preflight.refusal)] }}"
'''

RETURN = r'''
facts:
  description: What the role reads from the cluster - C(vsan), C(hosts), C(connected_hosts), C(heartbeat_candidates),
    C(vsan_networks), C(vsan_vmkernel_addresses) and the other keys of the role's cluster facts.
  returned: always
  type: dict
planned:
  description: The HA settings the preflight judged (admission control not yet settled).
  returned: always
  type: dict
preflight:
  description: The preflight - C(checks), C(lines), C(warnings) and C(refusal) (empty, or the sentence that stops the
    role before any write).
  returned: always
  type: dict
capacity:
  description: The N+k verdict, as P(clusterops.ha.failover_capacity#filter) returns it (with C(summary) and C(report)).
    Null when the preflight refuses.
  returned: always
  type: dict
options:
  description: The settings to apply with M(clusterops.ha.vsphere_cluster_ha), admission control included. Null when
    the preflight refuses or RV(options_error) is set.
  returned: always
  type: dict
options_error:
  description: Empty, or the sentence why the settings cannot be settled (for example admission control
    C(from_capacity) without a capacity figure); the role fails with it after the capacity gate.
  returned: always
  type: str
'''
