# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The decisions of the clusterops.ha.proxmox_ha role, one filter per decision.

Each filter takes the info result of clusterops.ha.proxmox_cluster_ha_info (plus role
variables) and returns plain data; the logic lives in plugins/plugin_utils/_pve_role/.
Documentation lives in one sidecar file per filter (proxmox_ha_<decision>.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import configure, desired, domain, preflight
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import projected, summary, verify


def _decide(name, function, *args, **kwargs):
    """Bad role input becomes one AnsibleFilterError sentence naming the variable."""
    try:
        return function(*args, **kwargs)
    except domain.HaInputError as exc:
        raise AnsibleFilterError('%s: %s' % (name, exc))


def proxmox_ha_platform(info):
    return domain.platform(info)


def proxmox_ha_desired_resources(info, resources, protect_running_guests=False, resource_state='started', nofailback=True):
    return _decide('proxmox_ha_desired_resources', desired.desired_resources, info, resources,
                   protect_running_guests=bool(protect_running_guests), resource_state=resource_state,
                   nofailback=bool(nofailback))


def proxmox_ha_preflight(info, desired_resources, groups, rules, mode='merged', actions=None, min_nodes=3,
                         memory_tolerance_percent=5.0, host_failures=1):
    return _decide('proxmox_ha_preflight', preflight.preflight, info, desired_resources, groups, rules, mode,
                   actions or {}, min_nodes=int(min_nodes), memory_tolerance_percent=float(memory_tolerance_percent),
                   host_failures=int(host_failures))


def proxmox_ha_projected_model(info, desired_resources, groups, rules, mode='merged'):
    return _decide('proxmox_ha_projected_model', projected.projected_model, info, desired_resources, groups, rules, mode)


def proxmox_ha_configure_plan(info, desired_resources, groups, rules, mode='merged', check_mode=False, nofailback=True,
                              shutdown_policy='', crs_mode='', fencing=''):
    return _decide('proxmox_ha_configure_plan', configure.configure_plan, info, desired_resources, groups, rules, mode,
                   check_mode=bool(check_mode), nofailback=bool(nofailback), shutdown_policy=shutdown_policy or '',
                   crs_mode=crs_mode or '', fencing=fencing or '')


def proxmox_ha_verify(after, desired_resources, options, mode='merged', gathered=None):
    return verify.mismatches(verify.state_to_verify(after, gathered), desired_resources, options or {}, mode)


def proxmox_ha_summary(info, cluster_name, check_mode, results, desired_resources, plan, capacity, checks, host_failures=1):
    return summary.summary_lines(info, cluster_name, bool(check_mode), results, desired_resources, plan or {},
                                 capacity or {}, checks or [], int(host_failures))


class FilterModule(object):
    """Filters of the proxmox_ha role."""

    def filters(self):
        return dict(proxmox_ha_platform=proxmox_ha_platform,
                    proxmox_ha_desired_resources=proxmox_ha_desired_resources,
                    proxmox_ha_preflight=proxmox_ha_preflight,
                    proxmox_ha_projected_model=proxmox_ha_projected_model,
                    proxmox_ha_configure_plan=proxmox_ha_configure_plan,
                    proxmox_ha_verify=proxmox_ha_verify,
                    proxmox_ha_summary=proxmox_ha_summary)
