# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HA datacenter options (ha shutdown_policy, crs, fencing) from and to /cluster/options (pure).

crs follows pve-cluster's DataCenterConfig.pm: `ha=dynamic` and ha-auto-rebalance* from 9.1.2;
threshold and margin are 0-1 fractions in 9.1.2-9.1.4 and percent from 9.1.5. The module always
speaks percent and converts; threshold, margin and hold-duration are numbers (12.5 is valid).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import split_list, to_bool
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import has, needs, require


CRS_KEYS = dict(ha='ha', ha_rebalance_on_start='ha-rebalance-on-start', ha_auto_rebalance='ha-auto-rebalance',
                ha_auto_rebalance_threshold='ha-auto-rebalance-threshold', ha_auto_rebalance_method='ha-auto-rebalance-method',
                ha_auto_rebalance_hold_duration='ha-auto-rebalance-hold-duration', ha_auto_rebalance_margin='ha-auto-rebalance-margin')


CRS_DEFAULTS = dict(ha='basic', ha_rebalance_on_start=False, ha_auto_rebalance=False, ha_auto_rebalance_threshold=30,
                    ha_auto_rebalance_method='bruteforce', ha_auto_rebalance_hold_duration=3, ha_auto_rebalance_margin=10)


CRS_BOOL = ('ha_rebalance_on_start', 'ha_auto_rebalance')


CRS_NUMBERS = ('ha_auto_rebalance_threshold', 'ha_auto_rebalance_hold_duration', 'ha_auto_rebalance_margin')


# Stored as fractions before pve-cluster 9.1.5; the module shows and takes percent.
CRS_PERCENT = ('ha_auto_rebalance_threshold', 'ha_auto_rebalance_margin')


def number(value):
    """12.5 stays 12.5, 30.0 becomes 30: PVE's numbers without float noise."""
    value = round(float(value), 6)
    return int(value) if value.is_integer() else value


def fractions(packages):
    """True when the cluster stores threshold and margin as 0-1 fractions (pve-cluster 9.1.2-9.1.4)."""
    return bool(packages) and has(packages, 'crs_auto_rebalance') and not has(packages, 'crs_percent')


# Ranges of the numeric crs keys (pve-cluster src/PVE/DataCenterConfig.pm, crs format, at 9.1.6): refused locally.
CRS_RANGES = dict(ha_auto_rebalance_threshold=(0, 100), ha_auto_rebalance_hold_duration=(0, None),
                  ha_auto_rebalance_margin=(0, 100))


OPTION_DEFAULTS = dict(shutdown_policy='conditional', fencing='watchdog')


def parse_property_string(value):
    """{key: value} from 'k=v,k2=v2' or an already parsed dict (GET returns objects, older ones strings)."""
    if isinstance(value, dict):
        return dict(value)
    out = {}
    for part in split_list(value):
        key, _sep, val = part.partition('=')
        out[key.strip()] = val.strip()
    return out


def normalize_cluster_ha(options, packages=None):
    """Canonical HA datacenter options from GET /cluster/options, with PVE's defaults filled in."""
    ha = parse_property_string(options.get('ha'))
    crs_raw = parse_property_string(options.get('crs'))
    crs = {}
    for name, key in CRS_KEYS.items():
        value = crs_raw.get(key)
        if value is None:
            crs[name] = CRS_DEFAULTS[name]
        elif name in CRS_BOOL:
            crs[name] = to_bool(value)
        elif name in CRS_NUMBERS:
            crs[name] = number(float(value) * 100) if name in CRS_PERCENT and fractions(packages) else number(value)
        else:
            crs[name] = str(value)
    return dict(shutdown_policy=ha.get('shutdown_policy') or OPTION_DEFAULTS['shutdown_policy'], crs=crs,
                fencing=options.get('fencing') or OPTION_DEFAULTS['fencing'])


def desired_cluster_ha(params, current):
    """The options after the change: unset options keep their current value."""
    after = dict(current, crs=dict(current['crs']))
    if params.get('shutdown_policy') is not None:
        after['shutdown_policy'] = params['shutdown_policy']
    if params.get('fencing') is not None:
        after['fencing'] = params['fencing']
    for name, value in (params.get('crs') or {}).items():
        if value is not None:
            after['crs'][name] = number(value) if name in CRS_NUMBERS else value
    return after


def validate_cluster_ha(after, version_string, packages=None, before=None):
    """Errors for the datacenter options as they would be after the change (pure).

    packages: installed versions (versions.package_versions); a key the cluster's pve-cluster lacks
    is refused when the task would change it, naming the version needed. Ranges are in the module's
    units (percent), whatever pve-cluster stores.
    """
    for name, (low, high) in sorted(CRS_RANGES.items()):
        value = after['crs'][name]
        if value < low or (high is not None and value > high):
            raise HaInputError('crs.%s is %s; set it to a value between %s and %s.' % (
                name, value, low, high) if high is not None else 'crs.%s is %s; set it to %s or more.' % (name, value, low))
    auto = [name for name in CRS_KEYS if name.startswith('ha_auto_rebalance_') and after['crs'][name] != CRS_DEFAULTS[name]]
    if auto and not after['crs']['ha_auto_rebalance']:
        raise HaInputError("crs.%s only applies with crs.ha_auto_rebalance; set ha_auto_rebalance: true or drop it." % auto[0])
    changed = [name for name in CRS_KEYS if before is None or before['crs'][name] != after['crs'][name]]
    if after['crs']['ha_auto_rebalance'] and after['crs']['ha'] == 'basic' and \
            ('ha_auto_rebalance' in changed or 'ha' in changed):
        raise HaInputError("crs.ha_auto_rebalance does nothing with crs.ha basic (PVE rebalances with static or dynamic "
                           "load only); set crs.ha: static or dynamic.")
    if after['crs']['ha'] == 'dynamic' and 'ha' in changed and not has(packages, 'crs_dynamic'):
        raise HaInputError("crs.ha dynamic needs %s (this cluster runs PVE %s, pve-cluster %s); use basic or static."
                           % (needs('crs_dynamic'), version_string, (packages or {}).get('pve-cluster') or 'unknown'))
    for name in changed:
        if name.startswith('ha_auto_rebalance'):
            require(packages, 'crs_auto_rebalance', 'crs.%s' % name)


def unmanaged_crs(options):
    """The crs keys this collection does not manage (from a newer PVE, say) as {key: value}, kept on every rewrite."""
    managed = set(CRS_KEYS.values())
    return dict((key, value) for key, value in parse_property_string(options.get('crs')).items() if key not in managed)


def cluster_ha_write_params(before, after, keep_crs=None, packages=None):
    """PUT /cluster/options parameters: property strings for set values, delete= where all is default.

    keep_crs: unmanaged crs keys (unmanaged_crs()) written back unchanged whenever crs is rewritten.
    packages: threshold and margin go out as fractions on pve-cluster 9.1.2-9.1.4.
    """
    params, delete = {}, []
    if before['shutdown_policy'] != after['shutdown_policy']:
        if after['shutdown_policy'] == OPTION_DEFAULTS['shutdown_policy']:
            delete.append('ha')
        else:
            params['ha'] = 'shutdown_policy=%s' % after['shutdown_policy']
    if before['crs'] != after['crs']:
        parts = []
        for name, key in CRS_KEYS.items():
            value = after['crs'][name]
            if value == CRS_DEFAULTS[name]:
                continue
            if name in CRS_PERCENT and fractions(packages):
                value = number(value / 100.0)
            parts.append('%s=%s' % (key, int(value) if isinstance(value, bool) else value))
        parts.extend('%s=%s' % (key, value) for key, value in sorted((keep_crs or {}).items()))
        if parts:
            params['crs'] = ','.join(parts)
        else:
            delete.append('crs')
    if before['fencing'] != after['fencing']:
        if after['fencing'] == OPTION_DEFAULTS['fencing']:
            delete.append('fencing')
        else:
            params['fencing'] = after['fencing']
    if delete:
        params['delete'] = ','.join(delete)
    return params


# What GET /cluster/options returns without Sys.Audit on '/' (pve-manager PVE/API2/Cluster.pm get_options):
# only these keys of datacenter.cfg, plus the computed allowed-tags.
UNAUDITED_OPTION_KEYS = ('console', 'tag-style', 'allowed-tags')
HA_OPTION_KEYS = ('ha', 'crs', 'fencing')


def options_need_permission_check(options):
    """True when GET /cluster/options showed none of ha, crs, fencing: either they are all at their defaults,
    or the API user lacks Sys.Audit on '/' and PVE hid them; only GET /access/permissions tells which."""
    return not any(key in (options or {}) for key in HA_OPTION_KEYS)


def check_options_readable(root_permissions):
    """Refuse when the user cannot read the HA options: PVE then returns them as absent, and defaults would be
    shown (and written) in their place. root_permissions: GET /access/permissions?path=/ ({path: {priv: 1}})."""
    if not (root_permissions or {}).get('/', {}).get('Sys.Audit'):
        raise HaInputError("the API user or token has no Sys.Audit on '/', so PVE hides ha, crs and fencing in GET "
                           "/cluster/options and their values cannot be read; grant Sys.Audit on / (e.g. the "
                           "PVEAuditor role, to the token too when it has privilege separation). Nothing was written.")
