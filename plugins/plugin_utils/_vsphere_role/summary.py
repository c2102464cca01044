# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vsphere_ha role's closing summary: what changed, what was applied and checked, capacity."""

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


def summary_lines(facts, variables, options, checks, result=None, capacity=None, check_mode=False):
    """The lines the role prints last (and leaves as the fact vsphere_ha_summary)."""
    variables = role_variables(variables)
    result = result or {}
    if result.get('changed'):
        change = 'HA settings in one reconfigure (%s)' % ', '.join(result.get('changed_fields') or [])
    else:
        change = 'nothing'
    admission = options.get('admission_control')
    return [
        'Cluster %s in %s%s%s' % (variables['cluster'], variables['datacenter'], ' (vSAN)' if facts.get('vsan') else '',
                                  ' - CHECK MODE, nothing was written' if check_mode else ''),
        ('Would change: ' if check_mode else 'Changed: ') + change,
        'Applied settings: ' + json.dumps(options),
        _capacity_line(capacity, variables['host_failures']),
        'Admission control: ' + (json.dumps(admission) if admission is not None else 'left as it is'),
        'Checks:',
    ] + check_lines(checks)
