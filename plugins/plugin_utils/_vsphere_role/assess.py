# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything the vsphere_ha role decides before its write, from one info result.

The action plugin clusterops.ha.vsphere_ha_assess reads the cluster and calls assess(); the
info result (every VM of the cluster) stays in the action, as for proxmox_ha_assess. The
steps are the role's filters, called in the role's order: cluster facts, the planned settings
the preflight judges, the preflight, the N+k verdict, then the settings with admission control
settled from that verdict.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import with_report
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.facts import cluster_facts
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.preflight import preflight_checks
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.settings import desired_settings
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables


def assess(info, variables):
    """The role's decisions as plain data; raises HaInputError for role variables it cannot use.

    Returns facts, planned (settings without admission control, as the preflight judged them),
    preflight ({checks, lines, warnings, refusal}), capacity (the N+k verdict with its report;
    None when the preflight refuses, because the role stops there), options (the settings to
    apply, admission control included) and options_error ('' or the sentence that stops the
    role after the capacity gate, e.g. admission control from_capacity without a figure).
    """
    variables = role_variables(variables)
    facts = cluster_facts(info)
    planned = desired_settings(facts, variables)
    checked = preflight_checks(facts, planned, variables)
    capacity, options, options_error = None, None, ''
    if not checked['refusal']:
        capacity = with_report(evaluate((info or {}).get('capacity_model') or {}, host_failures=variables['host_failures'],
                                        view=variables['capacity_view'],
                                        reserve_percent=variables['capacity_reserve_percent']))
        try:
            options = desired_settings(facts, variables, capacity)
        except HaInputError as err:
            options_error = str(err)
    return dict(facts=facts, planned=planned, preflight=checked, capacity=capacity, options=options,
                options_error=options_error)
