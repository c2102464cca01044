# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""clusterops.ha.cluster_summaries: every cluster of the site play side by side."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.filter.cluster_summaries import REFUSED, cluster_summaries


def test_each_platform_summary_and_the_refused_host():
    hostvars = {'pve9': {'proxmox_ha_summary': ['Cluster lab9']}, 'vc': {'vsphere_ha_summary': ['Cluster C1']},
                'pve8': {'proxmox_ha_info': {}}}
    assert cluster_summaries(['pve9', 'vc', 'pve8', 'gone'], hostvars) == {
        'pve9': ['Cluster lab9'], 'vc': ['Cluster C1'], 'pve8': REFUSED, 'gone': REFUSED}
    assert REFUSED.startswith('REFUSED or failed')
