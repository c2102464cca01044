# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vsphere_ha role's closing summary: what changed (cluster, hosts' HA agents, per-VM overrides),
what was applied and checked, capacity."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import check_lines
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables


def _capacity_line(capacity, host_failures):
    verdict = (capacity or {}).get('summary') or 'not evaluated'
    if host_failures < 1:
        # "Capacity OK" for N+0 would read as protection; it is none.
        return ('Capacity: NO FAILOVER PROTECTION - vsphere_ha_host_failures is %d (N+%d), so no host failure was '
                'checked or planned for; gate: %s' % (host_failures, host_failures, verdict))
    return 'Capacity: ' + verdict


def _host_line(result, check_mode):
    """What "Reconfigure for vSphere HA" did on each host (the module's host_reconfigure)."""
    plan = result.get('host_reconfigure')
    if not isinstance(plan, dict):
        return 'Hosts reconfigured for HA: none (no result from vsphere_cluster_ha)'
    hosts = plan.get('hosts') or []
    if not hosts:
        return 'Hosts reconfigured for HA: none (%s)' % (plan.get('reason') or 'mode %s' % plan.get('mode'))
    each = []
    for host in hosts:
        text = '%s %s' % (host.get('name'), host.get('result'))
        if host.get('message'):
            text += ' (%s)' % host['message']
        each.append(text)
    return '%s (%s): %s' % ('Hosts that would be reconfigured for HA' if check_mode else 'Hosts reconfigured for HA',
                            plan.get('reason'), '; '.join(each))


def _overrides_line(overrides_result, variables, check_mode):
    if not variables['vm_overrides']:
        return 'VM overrides: none given (vsphere_ha_vm_overrides)'
    overrides_result = overrides_result or {}
    if overrides_result.get('skipped') or not overrides_result:
        return 'VM overrides: not applied'
    parts = ['%s %s' % (word, ', '.join(overrides_result.get(key) or []))
             for key, word in (('added', 'added'), ('updated', 'updated'), ('removed', 'removed'))
             if overrides_result.get(key)]
    if not parts:
        return 'VM overrides: %d VM(s) already as asked' % len(variables['vm_overrides'])
    return '%s (merged): %s' % ('VM overrides that would change' if check_mode else 'VM overrides', '; '.join(parts))


def summary_lines(facts, variables, options, checks, result=None, capacity=None, check_mode=False, overrides_result=None):
    """The lines the role prints last (and leaves as the fact vsphere_ha_summary)."""
    variables = role_variables(variables)
    result = result or {}
    # reconfigure_hosts is an action, not a setting: its result has a line of its own.
    settings = dict((k, v) for k, v in options.items() if k != 'reconfigure_hosts')
    # The module is also changed when it only reconfigured hosts; that has its own line.
    if result.get('changed') and result.get('changed_fields'):
        change = 'HA settings in one reconfigure (%s)' % ', '.join(result['changed_fields'])
    else:
        change = 'nothing'
    admission = options.get('admission_control')
    return [
        'Cluster %s in %s%s%s' % (variables['cluster'], variables['datacenter'], ' (vSAN)' if facts.get('vsan') else '',
                                  ' - CHECK MODE, nothing was written' if check_mode else ''),
        ('Would change: ' if check_mode else 'Changed: ') + change,
        'Applied settings: ' + json.dumps(settings),
        _capacity_line(capacity, variables['host_failures']),
        'Admission control: ' + (json.dumps(admission) if admission is not None else 'left as it is'),
        _host_line(result, check_mode),
        _overrides_line(overrides_result, variables, check_mode),
        'Checks:',
    ] + check_lines(checks)
