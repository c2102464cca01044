# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter clusterops.ha.cluster_summaries: every cluster's role summary of one play, side by side.

Documentation lives in the sidecar file cluster_summaries.yml.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SUMMARY_VARIABLES = ('proxmox_ha_summary', 'vsphere_ha_summary')
REFUSED = 'REFUSED or failed - its reason is printed above; nothing was written after the refusal'


def cluster_summaries(hosts, hostvars):
    """{host: summary lines} for each host; a host whose role stopped early gets the REFUSED sentence."""
    out = {}
    for host in hosts or []:
        variables = hostvars[host] if host in hostvars else {}
        summary = None
        for name in SUMMARY_VARIABLES:
            if name in variables:
                summary = variables[name]
                break
        out[host] = summary if summary is not None else REFUSED
    return out


class FilterModule(object):
    """Filters of clusterops.ha."""

    def filters(self):
        return {'cluster_summaries': cluster_summaries}
