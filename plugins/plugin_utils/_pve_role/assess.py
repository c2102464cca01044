# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the proxmox_ha role decides before its first write, from one info result.

The action plugin clusterops.ha.proxmox_ha_plan reads the cluster and calls assess(); the role's
later tasks only use what it returns. The info result itself (every guest of the cluster) stays
in the action: handing 10,000 guests from task to task through host variables costs seconds of
templating per task, which is what made the role slow at scale, not the decisions.

The steps are the ones the role's filters expose one by one (desired resources, preflight,
projected capacity model, N+k verdict, configure plan), so each is tested once, as a function.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import with_report
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import configure, desired, domain as d
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import preflight, projected, verify

DEFAULTS = dict(resources=[], groups=[], rules=[], mode='merged', protect_running_guests=False,
                resource_state='started', nofailback=True, shutdown_policy='', crs_mode='', fencing='',
                check_actions={}, min_nodes=3, memory_tolerance_percent=5.0, host_failures=1,
                capacity_view='configured', capacity_reserve_percent=0.0)


def resource_writes(info, config, mode):
    """The resource writes the resources task would send for `config` - the module's own planner on the gathered state."""
    platform = d.platform(info)
    canonical = d.canonical_resources(config, d.guest_types(info))
    return d.plan_resources(d.current_resources(info), canonical, mode, translate_groups=platform['groups_migrated'],
                            rules=info.get('rules') or [], with_failback=platform['failback'])['commands']


def assess(info, inputs, check_mode=False):
    """The role's decisions as plain data; raises domain.HaInputError for role input it cannot use.

    Returns platform, cluster_name, desired_count, the preflight (checks, lines, check_warnings,
    refusal), capacity (the N+k verdict with its report; None when the preflight refuses, because
    the role stops there), plan (the configure tasks' arguments), expected (the resource entries
    verified after a write: those the resources task sends, else none) and gathered_mismatches
    (the verification of the state gathered before the run, used when no write task changed anything).
    """
    given = dict(DEFAULTS, **dict((key, value) for key, value in (inputs or {}).items() if value is not None))
    mode = given['mode']
    wanted = desired.desired_resources(info, given['resources'], protect_running_guests=bool(given['protect_running_guests']),
                                       resource_state=given['resource_state'], nofailback=bool(given['nofailback']))
    checked = preflight.preflight(info, wanted, given['groups'], given['rules'], mode, given['check_actions'],
                                  min_nodes=int(given['min_nodes']),
                                  memory_tolerance_percent=float(given['memory_tolerance_percent']),
                                  host_failures=int(given['host_failures']))
    capacity = None
    plan = None
    if not checked['refusal']:
        model = projected.projected_model(info, wanted, given['groups'], given['rules'], mode)
        capacity = with_report(evaluate(model, host_failures=int(given['host_failures']), view=given['capacity_view'],
                                        reserve_percent=float(given['capacity_reserve_percent'])))
        plan = configure.configure_plan(info, wanted, given['groups'], given['rules'], mode, check_mode=bool(check_mode),
                                        nofailback=bool(given['nofailback']), shutdown_policy=given['shutdown_policy'] or '',
                                        crs_mode=given['crs_mode'] or '', fencing=given['fencing'] or '')
        # A resources task the module would answer with "nothing to do" is not run: the same planner said so here.
        if plan['converge_resources'] and not resource_writes(info, plan['resources_config'], mode):
            plan['converge_resources'] = False
        if not plan['converge_resources']:
            plan['resources_config'] = []
    options = (plan or {}).get('options') or {}
    return dict(
        platform=d.platform(info),
        cluster_name=(info.get('cluster') or {}).get('name') or '',
        desired_count=len(wanted),
        checks=checked['checks'], lines=checked['lines'], check_warnings=checked['warnings'], refusal=checked['refusal'],
        capacity=capacity,
        plan=plan,
        expected=wanted if plan and plan['converge_resources'] else [],
        gathered_mismatches=verify.mismatches(info, wanted, options, mode) if plan else [])
