# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installed PVE package versions and the features they bring (pure).

GET /nodes/{node}/apt/versions lists the packages; `OldVersion` is the installed version and
`Version` the candidate (pve-manager API2/APT.pm). /version alone only gives pve-manager's.
Every gate names its package and version, so a refusal can say exactly what the cluster needs.
Sources: docs/simulators/proxmox.md.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

# feature: (package, first version, the PVE release that ships it)
FEATURES = {
    'delete_purge': ('pve-ha-manager', (5, 0, 7), 'PVE 9.1'),
    'merged_positive_checks': ('pve-ha-manager', (5, 0, 7), 'PVE 9.1'),
    'resource_auto_rebalance': ('pve-ha-manager', (5, 2, 3), 'PVE 9.2'),
    'node_affinity_affinity': ('pve-ha-manager', (5, 2, 5), 'PVE 9.2'),
    'crs_dynamic': ('pve-cluster', (9, 1, 2), 'PVE 9.1'),
    'crs_auto_rebalance': ('pve-cluster', (9, 1, 2), 'PVE 9.1'),
    'crs_percent': ('pve-cluster', (9, 1, 5), 'PVE 9.2'),
}


def vtuple(version):
    """(5, 0, 7) from '5.0.7' (Debian suffixes ignored); () when unknown."""
    return tuple(int(part) for part in re.findall(r'\d+', str(version or '').split('~', maxsplit=1)[0])[:3])


def apt_path(node_names):
    """The GET path for the package versions of the first cluster node."""
    return 'nodes/%s/apt/versions' % sorted(node_names)[0]


def package_versions(apt_list):
    """{package: installed version} from GET /nodes/{node}/apt/versions."""
    out = {}
    for item in apt_list or []:
        if isinstance(item, dict) and item.get('Package'):
            out[item['Package']] = str(item.get('OldVersion') or item.get('Version') or '')
    return out


def has(packages, feature):
    """True when the installed package has the feature; unknown versions count as not having it."""
    package, first, _release = FEATURES[feature]
    installed = vtuple((packages or {}).get(package))
    return bool(installed) and installed >= first


def needs(feature):
    """'pve-ha-manager 5.2.5 or later (PVE 9.2)' for a refusal message."""
    package, first, release = FEATURES[feature]
    return '%s %s or later (%s)' % (package, '.'.join(str(p) for p in first), release)


def require(packages, feature, what):
    """Refuse `what` before any write when the cluster lacks the feature, naming the version needed."""
    if not has(packages, feature):
        package = FEATURES[feature][0]
        raise HaInputError("%s needs %s; this cluster runs %s %s." % (
            what, needs(feature), package, (packages or {}).get(package) or 'an unknown version'))
