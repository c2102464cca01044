#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: proxmox_cluster_ha
short_description: Set the Proxmox VE datacenter HA options (shutdown policy, CRS, fencing)
version_added: 0.1.0
description:
  - Sets the HA-related datacenter options of C(/cluster/options) - C(ha) (shutdown policy), C(crs) (cluster resource
    scheduling) and C(fencing).
  - Compares parsed values with PVE's defaults filled in, so a value equal to the default is no change; setting an
    option back to its default removes it with C(delete=), as the GUI does.
  - Options left out keep their current value.
  - Reading the options needs C(Sys.Audit) on C(/). Without it PVE leaves C(ha), C(crs) and C(fencing) out of
    C(GET /cluster/options), so when none of them is shown the module asks C(GET /access/permissions) and fails
    before any write if the privilege is missing, instead of taking PVE's defaults for the current values.
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
    description: Shows the options before and after.
    support: full
options:
  shutdown_policy:
    description: What HA does with its resources when a node shuts down or reboots. PVE's default is V(conditional).
    type: str
    choices: [freeze, failover, conditional, migrate]
  crs:
    description: Cluster resource scheduling for HA.
    type: dict
    suboptions:
      ha:
        description: Scheduler mode (V(dynamic) needs pve-cluster 9.1.2 or later, PVE 9.1). PVE's default is V(basic).
        type: str
        choices: [basic, static, dynamic]
      ha_rebalance_on_start:
        description: Pick the best node when a resource is started. Default V(false).
        type: bool
      ha_auto_rebalance:
        description:
          - Rebalance running resources automatically. Default V(false).
          - This and every other C(ha_auto_rebalance*) option need pve-cluster 9.1.2 or later (PVE 9.1); the task
            refuses them, before any write, on older clusters.
          - PVE rebalances only with C(ha=static) or C(ha=dynamic); with V(basic) it does nothing.
        type: bool
      ha_auto_rebalance_threshold:
        description:
          - Imbalance (percent, 0-100, decimals allowed) that starts an automatic rebalance. Default 30.
          - pve-cluster 9.1.2-9.1.4 store it as a 0-1 fraction; the module converts, so always give percent.
        type: float
      ha_auto_rebalance_method:
        description: How the target is chosen. Default V(bruteforce).
        type: str
        choices: [bruteforce, topsis]
      ha_auto_rebalance_hold_duration:
        description: HA rounds the imbalance must last (decimals allowed). Default 3.
        type: float
      ha_auto_rebalance_margin:
        description:
          - Minimum improvement (percent, 0-100, decimals allowed) for a move. Default 10.
          - Converted to a 0-1 fraction on pve-cluster 9.1.2-9.1.4, like O(crs.ha_auto_rebalance_threshold).
        type: float
  fencing:
    description: Fencing mode. PVE marks V(hardware) and V(both) experimental; the default is V(watchdog).
    type: str
    choices: [watchdog, hardware, both]
'''

EXAMPLES = r'''
- name: Migrate HA guests away on reboot, place them by static load
  clusterops.ha.proxmox_cluster_ha:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    shutdown_policy: migrate
    crs:
      ha: static
      ha_rebalance_on_start: true

- name: Back to PVE's defaults (sends delete=ha,crs)
  clusterops.ha.proxmox_cluster_ha:
    api_host: pve1.example.com
    api_token_id: automation@pve!ha
    api_token_secret: "{{ vault_pve_token }}"
    shutdown_policy: conditional
    crs: {ha: basic, ha_rebalance_on_start: false}
'''

RETURN = r'''
before:
  description: The HA options before the task, PVE's defaults filled in.
  returned: always
  type: dict
  sample: {shutdown_policy: conditional, fencing: watchdog, crs: {ha: basic, ha_rebalance_on_start: false}}
after:
  description: The HA options as the task leaves them (as they would be, in check mode).
  returned: always
  type: dict
  sample: {shutdown_policy: migrate, fencing: watchdog, crs: {ha: static, ha_rebalance_on_start: true}}
commands:
  description: The write requests planned (in check mode) or sent.
  returned: always
  type: list
  elements: dict
  sample: [{method: PUT, path: cluster/options, params: {ha: shutdown_policy=migrate, crs: "ha=static,ha-rebalance-on-start=1"}}]
pve:
  description: PVE version, major release and whether HA groups were migrated to rules.
  returned: always
  type: dict
  sample: {version: "9.0.3", major: 9, groups_migrated: true}
requests:
  description: Counts of read and write requests and retries this task made.
  returned: always
  type: dict
  sample: {read: 2, write: 1, retries: 0}
'''

from ansible_collections.clusterops.ha.plugins.module_utils._pve_client import PveModule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.options import (
    check_options_readable, cluster_ha_write_params, desired_cluster_ha, normalize_cluster_ha, options_need_permission_check,
    unmanaged_crs, validate_cluster_ha)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import apt_path, package_versions


def plan(pm):
    state = pm.client.ha_state()
    options = pm.client.get('cluster/options') or {}
    if options_need_permission_check(options):
        # Without Sys.Audit on / PVE leaves ha, crs and fencing out: defaults would be a wrong diff and write.
        check_options_readable(pm.client.get('access/permissions', path='/'))
    packages = package_versions(pm.client.get(apt_path(pm.client.node_names())))
    before = normalize_cluster_ha(options, packages)
    after = desired_cluster_ha(pm.params, before)
    validate_cluster_ha(after, state['version'], packages, before)
    writes = []
    if before != after:
        params = cluster_ha_write_params(before, after, keep_crs=unmanaged_crs(options), packages=packages)
        writes.append(dict(method='PUT', path='cluster/options', params=params))
    return dict(before=before, after=after, writes=writes)


def work(pm):
    result = pm.converge(lambda: plan(pm))
    out = dict(changed=bool(result['writes']), before=result['before'], after=result['after'], commands=result['writes'])
    if pm.diff_mode:
        out['diff'] = dict(before=result['before'], after=result['after'])
    out.update(pm.result_facts())
    return out


def main():
    pm = PveModule(
        dict(shutdown_policy=dict(type='str', choices=['freeze', 'failover', 'conditional', 'migrate']),
             crs=dict(type='dict', options=dict(
                 ha=dict(type='str', choices=['basic', 'static', 'dynamic']),
                 ha_rebalance_on_start=dict(type='bool'),
                 ha_auto_rebalance=dict(type='bool'),
                 ha_auto_rebalance_threshold=dict(type='float'),
                 ha_auto_rebalance_method=dict(type='str', choices=['bruteforce', 'topsis']),
                 ha_auto_rebalance_hold_duration=dict(type='float'),
                 ha_auto_rebalance_margin=dict(type='float'))),
             fencing=dict(type='str', choices=['watchdog', 'hardware', 'both'])),
        supports_check_mode=True,
    )
    pm.run(work)


if __name__ == '__main__':
    main()
