# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The clusterops.ha.vsphere_cluster_ha options the vsphere_ha role applies.

The explicit role variables first; wherever a variable is left on "" (auto) on a vSAN
cluster, the seed document's vSAN rules: use_default_isolation_address false (with
isolation addresses), isolation_response powerOff, heartbeat datastores = the shared
non-vSAN ones (a vSAN datastore cannot carry heartbeats), and the hosts' HA agents
reconfigured when an isolation setting changed (VMware's guidance for vSAN clusters: the
agents do not pick up isolation-address changes on their own). Admission control is settled
only once the capacity gate has run, because from_capacity uses the percentage the gate
derived from the same model.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_ha import normalize_desired
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import PREFIX, role_variables

# Heartbeat policies that take a datastore list (allFeasibleDs takes none).
POLICIES_WITH_DATASTORES = ('', 'allFeasibleDsWithUserPreference', 'userSelectedDs')


def isolation_addresses(variables):
    """The isolation addresses, canonical, validated by the module's own rules (syntax, count, duplicates)."""
    given = [a for a in variables['isolation_addresses'] if str(a).strip()]
    if not given:
        return []
    try:
        return normalize_desired({'isolation_addresses': given})['isolation_addresses']
    except HaInputError as err:
        raise HaInputError(PREFIX + str(err))


def _heartbeat(facts, variables):
    policy = variables['heartbeat_datastore_policy']
    datastores = list(variables['heartbeat_datastores'])
    if not datastores and facts['vsan'] and facts['heartbeat_candidates'] and policy in POLICIES_WITH_DATASTORES:
        datastores = list(facts['heartbeat_candidates'])
    if datastores and policy == '':
        policy = 'allFeasibleDsWithUserPreference'
    if not policy:
        return None
    return {'policy': policy, 'datastores': [] if policy == 'allFeasibleDs' else datastores}


def admission_control(variables, capacity):
    """The admission_control option for vsphere_admission_control mode, or None to leave it alone."""
    mode = variables['admission_control']
    k = variables['host_failures']
    if mode == '':
        return None
    if mode == 'disabled':
        return {'policy': 'disabled'}
    if mode in ('slots', 'percentage_auto') and k < 1:
        raise HaInputError('%sadmission_control %s needs %shost_failures of 1 or more (vSphere\'s failover level starts '
                           'at 1); raise it or choose disabled or "".' % (PREFIX, mode, PREFIX))
    if mode == 'slots':
        return {'policy': 'slots', 'failover_level': k}
    if mode == 'percentage_auto':
        return {'policy': 'percentage', 'failover_level': k, 'auto_compute': True}
    figure = (capacity or {}).get('vsphere_admission_control')
    if not isinstance(figure, dict) or figure.get('memory_percent') is None:
        raise HaInputError('%sadmission_control is from_capacity but the capacity gate returned no admission-control '
                           'figure; pick slots, percentage_auto, disabled or "" instead.' % PREFIX)
    # The model counts memory only; CPU gets the same share (k hosts' worth of the cluster).
    percent = int(figure['memory_percent'])
    return {'policy': 'percentage', 'cpu_percent': percent, 'memory_percent': percent, 'auto_compute': False}


def reconfigure_hosts(facts, variables):
    """The module's reconfigure_hosts: as set, or "" (auto) -> isolation_changed on vSAN clusters, never elsewhere."""
    return variables['reconfigure_hosts'] or ('isolation_changed' if facts['vsan'] else 'never')


def desired_settings(facts, variables, capacity=None):
    """Role facts + variables (+ the capacity gate's result, once it ran) -> vsphere_cluster_ha options.

    Without ``capacity`` the result has no admission_control (the plan the preflight judges);
    with it (a dict, possibly empty) admission control is settled as ``vsphere_ha_admission_control`` says.
    """
    variables = role_variables(variables)
    options = {'enabled': variables['enabled'], 'host_monitoring': variables['host_monitoring']}
    addresses = isolation_addresses(variables)
    if addresses:
        options['isolation_addresses'] = addresses
    use_default = variables['use_default_isolation_address']
    if use_default is None and facts['vsan'] and addresses:
        use_default = False
    if use_default is not None:
        options['use_default_isolation_address'] = use_default
    if variables['isolation_response']:
        options['isolation_response'] = variables['isolation_response']
    elif facts['vsan']:
        options['isolation_response'] = 'powerOff'
    if variables['restart_priority']:
        options['restart_priority'] = variables['restart_priority']
    heartbeat = _heartbeat(facts, variables)
    if heartbeat:
        options['heartbeat_datastores'] = heartbeat
    if variables['advanced_options']:
        options['advanced_options'] = dict(variables['advanced_options'])
    # Not a stored setting: the read-back leaves it out, the summary reports its result per host.
    options['reconfigure_hosts'] = reconfigure_hosts(facts, variables)
    if capacity is not None:
        admission = admission_control(variables, capacity)
        if admission:
            options['admission_control'] = admission
    return options
