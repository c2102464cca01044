# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two proxmox_ha role steps that come after the writes: verify and summarise.

Everything decided before the writes comes from the action clusterops.ha.proxmox_ha_assess (one
task, so the cluster's guests never pass through host variables); these filters take its result.
The logic lives in plugins/plugin_utils/_pve_role/. Documentation lives in one sidecar file per
filter (proxmox_ha_<step>.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import summary, verify


def proxmox_ha_verify(readback, assessment, mode='merged'):
    return verify.run_mismatches(readback, assessment or {}, mode or 'merged')


def proxmox_ha_summary(assessment, cluster_name, check_mode, results, host_failures=1):
    return summary.summary_lines(assessment, cluster_name, bool(check_mode), results, int(host_failures))


class FilterModule(object):
    """Filters of the proxmox_ha role."""

    def filters(self):
        return dict(proxmox_ha_verify=proxmox_ha_verify,
                    proxmox_ha_summary=proxmox_ha_summary)
