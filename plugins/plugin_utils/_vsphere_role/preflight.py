# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vsphere_ha role's preflight checks: the preconditions for vSphere HA and the seed's vSAN rules.

On vSAN clusters also: host monitoring on and the default restart priority not disabled (without
them no isolation response happens), 3 hosts or 2 with a witness, and heartbeat datastores that
two hosts of THIS cluster mount. A fact the info module did not return fails its check closed,
with a sentence saying what could not be read.

They judge the cluster (the role's facts) and the settings the role is about to apply (the
planned options), so an operator override that breaks a seed rule is refused too. Records,
lines and the refusal sentence come from plugin_utils/_checks, shared with the proxmox_ha role.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import json

from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import (
    by_status, check, check_lines, not_applicable, refusal_message)
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables

NOT_VSAN = 'not a vSAN cluster'


def _min_hosts(facts, variables):
    connected, wanted = facts['connected_hosts'], variables['min_hosts']
    return check('min_hosts', len(connected) >= wanted, variables['check_min_hosts'],
                 '%d connected host(s), at least %d needed' % (len(connected), wanted),
                 {'connected': connected, 'hosts': facts['hosts']})


def _unreadable_mounts(facts):
    """The fail-closed sentence when the info module did not say which hosts mount a shared datastore, else ''."""
    unreadable = facts.get('datastores_mounts_unreadable') or []
    if not unreadable:
        return ''
    return ('the hosts that mount datastore(s) %s could not be read (vsphere_cluster_ha_info returned no '
            'datastores[].mounted_by), so it cannot be told whether two hosts of this cluster share them' % ', '.join(unreadable))


def _heartbeat_datastores(facts, variables):
    candidates, wanted = facts['heartbeat_candidates'], variables['min_heartbeat_datastores']
    action = variables['check_heartbeat_datastores']
    evidence = {'candidates': candidates, 'mounted_by': facts.get('datastore_mounts') or {},
                'mounts_unreadable': facts.get('datastores_mounts_unreadable') or []}
    if facts['vsan']:
        return not_applicable('heartbeat_datastores', action, 'vSAN cluster: see vsan_heartbeat_datastore', evidence)
    unreadable = _unreadable_mounts(facts)
    if unreadable and len(candidates) < wanted:
        return check('heartbeat_datastores', False, action, unreadable, evidence)
    return check('heartbeat_datastores', len(candidates) >= wanted, action,
                 '%d non-vSAN datastore(s) mounted by at least two hosts of this cluster for heartbeats, %d wanted'
                 % (len(candidates), wanted), evidence)


def _failover_protection(variables):
    """N+0 reserves nothing for a failed host: say so instead of "Capacity OK"."""
    k, action = variables['host_failures'], variables['check_failover_protection']
    evidence = {'host_failures': k, 'admission_control': variables['admission_control']}
    if not variables['enabled']:
        return not_applicable('failover_protection', action, 'vSphere HA is being turned off', evidence)
    if k >= 1:
        return check('failover_protection', True, action,
                     'N+%d: the capacity gate checks %d failed host(s)' % (k, k), evidence)
    return check('failover_protection', False, action,
                 'vsphere_ha_host_failures is %d (N+%d): no host failure is checked or planned for, so this is no failover '
                 'protection; set it to 1 or more' % (k, k), evidence)


def _address(text):
    try:
        return ipaddress.ip_address(str(text))
    except ValueError:
        return None


def _in_any(address, networks):
    return address is not None and any(address in network for network in networks)


def _vsan_isolation_address(facts, planned, variables):
    addresses = list(planned.get('isolation_addresses') or [])
    networks = [ipaddress.ip_network(n) for n in facts['vsan_networks']]
    missing = facts.get('vsan_hosts_without_network') or []
    action = variables['check_vsan_isolation_address']
    evidence = {'isolation_addresses': addresses, 'vsan_networks': facts['vsan_networks'],
                'vsan_vmkernel_addresses': facts['vsan_vmkernel_addresses'], 'hosts_without_vsan_network': missing}
    if not facts['vsan']:
        return not_applicable('vsan_isolation_address', action, NOT_VSAN, evidence)
    if not addresses:
        return check('vsan_isolation_address', False, action, 'no isolation address given; set '
                     'vsphere_ha_isolation_addresses to an address on the vSAN network', evidence)
    problems = facts.get('vsan_network_problems') or []
    if problems:
        # Fail closed: a host whose vSAN address could not be read may sit on another network.
        return check('vsan_isolation_address', False, action,
                     'the vSAN network could not be read on every host (%s), so isolation address(es) %s cannot be '
                     'checked against it; fix the hosts\' vSAN VMkernel configuration' % ('; '.join(problems), ', '.join(addresses)),
                     dict(evidence, problems=problems))
    if not networks:
        # Fail closed: without the vSAN network the seed's rule cannot be checked.
        read = facts['vsan_vmkernel_addresses']
        detail = ('vCenter reported the vSAN VMkernel address(es) %s without a usable subnet mask' % ', '.join(read)
                  if read else 'vCenter reported no vSAN VMkernel adapter with an address on any host')
        return check('vsan_isolation_address', False, action,
                     'the vSAN network could not be read (%s), so isolation address(es) %s cannot be checked against '
                     'it; check the hosts\' vSAN VMkernel adapters' % (detail, ', '.join(addresses)), evidence)
    outside = [a for a in addresses if not _in_any(_address(a), networks)]
    if outside:
        return check('vsan_isolation_address', False, action, 'isolation address(es) %s not in a vSAN VMkernel subnet '
                     '(%s)' % (', '.join(outside), ', '.join(facts['vsan_networks'])), evidence)
    summary = 'isolation address(es) %s on the vSAN network (%s)' % (', '.join(addresses), ', '.join(facts['vsan_networks']))
    if missing:
        summary += '; no vSAN network was read for host(s) %s' % ', '.join(missing)
    return check('vsan_isolation_address', True, action, summary, evidence)


def _vsan_default_isolation_address(facts, planned, variables):
    use_default = planned.get('use_default_isolation_address')
    action, evidence = variables['check_vsan_default_isolation_address'], {'use_default_isolation_address': use_default}
    if not facts['vsan']:
        return not_applicable('vsan_default_isolation_address', action, NOT_VSAN, evidence)
    shown = 'left as it is' if use_default is None else str(use_default).lower()
    return check('vsan_default_isolation_address', use_default is False, action,
                 'das.usedefaultisolationaddress %s (false wanted)' % shown, evidence)


def _vsan_isolation_response(facts, planned, variables):
    response = planned.get('isolation_response') or ''
    action, evidence = variables['check_vsan_isolation_response'], {'isolation_response': response}
    if not facts['vsan']:
        return not_applicable('vsan_isolation_response', action, NOT_VSAN, evidence)
    return check('vsan_isolation_response', response == 'powerOff', action,
                 'host isolation response %s (powerOff wanted)' % (response or 'left as it is'), evidence)


def _vsan_heartbeat_datastore(facts, planned, variables):
    chosen = list((planned.get('heartbeat_datastores') or {}).get('datastores') or [])
    candidates = facts['heartbeat_candidates']
    action = variables['check_vsan_heartbeat_datastore']
    evidence = {'heartbeat_datastores': chosen, 'candidates': candidates, 'mounted_by': facts.get('datastore_mounts') or {},
                'mounts_unreadable': facts.get('datastores_mounts_unreadable') or []}
    if not facts['vsan']:
        return not_applicable('vsan_heartbeat_datastore', action, NOT_VSAN, evidence)
    on_vsan = [name for name in chosen if name in facts['vsan_datastores']]
    not_shared = [name for name in chosen if name not in candidates and name not in on_vsan]
    unreadable = _unreadable_mounts(facts)
    if on_vsan:
        passed, summary = False, 'vSAN datastore(s) %s cannot carry heartbeats' % ', '.join(on_vsan)
    elif unreadable and (not candidates or not_shared):
        passed, summary = False, unreadable
    elif not_shared:
        passed, summary = False, ('heartbeat datastore(s) %s not mounted by at least two hosts of this cluster'
                                  % ', '.join(not_shared))
    elif not candidates:
        passed, summary = True, 'no non-vSAN datastore is mounted by two hosts of this cluster, so none can carry heartbeats'
    elif chosen:
        passed, summary = True, 'heartbeat datastore(s) %s (not vSAN, mounted by at least two hosts of this cluster)' % ', '.join(chosen)
    else:
        passed, summary = False, 'non-vSAN datastore(s) %s exist but none is chosen for heartbeats' % ', '.join(candidates)
    return check('vsan_heartbeat_datastore', passed, action, summary, evidence)


def _effective(planned, facts, key):
    """The value the cluster will have: the planned one, else the current one the info module read (None: unknown)."""
    value = planned.get(key)
    return facts.get(key) if value is None else value


def _vsan_host_monitoring(facts, planned, variables):
    monitoring = _effective(planned, facts, 'host_monitoring')
    action, evidence = variables['check_vsan_host_monitoring'], {'host_monitoring': monitoring}
    if not facts['vsan']:
        return not_applicable('vsan_host_monitoring', action, NOT_VSAN, evidence)
    if monitoring is None:
        return check('vsan_host_monitoring', False, action, 'host monitoring could not be read (vsphere_cluster_ha_info '
                     'returned no ha_config.host_monitoring); without it on no isolation response happens, so set '
                     'vsphere_ha_host_monitoring true', evidence)
    return check('vsan_host_monitoring', monitoring is True, action,
                 'host monitoring %s (on wanted: without it no isolation response happens)' % ('on' if monitoring else 'off'),
                 evidence)


def _vsan_restart_priority(facts, planned, variables):
    priority = _effective(planned, facts, 'restart_priority')
    action, evidence = variables['check_vsan_restart_priority'], {'restart_priority': priority}
    if not facts['vsan']:
        return not_applicable('vsan_restart_priority', action, NOT_VSAN, evidence)
    if not priority:
        return check('vsan_restart_priority', False, action, 'the cluster\'s default restart priority could not be read '
                     '(vsphere_cluster_ha_info returned no ha_config.restart_priority); set vsphere_ha_restart_priority '
                     'to a priority other than disabled', evidence)
    return check('vsan_restart_priority', priority != 'disabled', action,
                 'default restart priority %s (not disabled wanted: with disabled no isolation response happens)' % priority,
                 evidence)


def _vsan_min_hosts(facts, variables):
    connected, witness = facts['connected_hosts'], variables['vsan_witness']
    action = variables['check_vsan_min_hosts']
    evidence = {'connected': connected, 'vsan_witness': witness}
    if not facts['vsan']:
        return not_applicable('vsan_min_hosts', action, NOT_VSAN, evidence)
    if len(connected) >= 3:
        return check('vsan_min_hosts', True, action, '%d connected vSAN host(s), at least 3 needed' % len(connected), evidence)
    if len(connected) == 2 and witness:
        return check('vsan_min_hosts', True, action, '2 connected vSAN hosts and a witness host (vsphere_ha_vsan_witness)',
                     evidence)
    return check('vsan_min_hosts', False, action,
                 '%d connected vSAN host(s); vSAN needs 3, or 2 with a witness host (then set vsphere_ha_vsan_witness '
                 'true: the witness is outside the cluster and is not read)' % len(connected), evidence)


def preflight_checks(facts, planned, variables):
    """Facts + planned options + role variables -> {checks, lines, warnings, refusal}.

    ``refusal`` is the sentence to stop the role with, '' when no check failed; ``warnings``
    holds one line per check that failed with action warn.
    """
    variables = role_variables(variables)
    checks = [
        _min_hosts(facts, variables),
        _heartbeat_datastores(facts, variables),
        _failover_protection(variables),
        _vsan_isolation_address(facts, planned, variables),
        _vsan_default_isolation_address(facts, planned, variables),
        _vsan_isolation_response(facts, planned, variables),
        _vsan_heartbeat_datastore(facts, planned, variables),
        _vsan_host_monitoring(facts, planned, variables),
        _vsan_restart_priority(facts, planned, variables),
        _vsan_min_hosts(facts, variables),
    ]
    return {
        'checks': checks,
        'lines': check_lines(checks),
        'warnings': ['WARNING %s: %s; evidence: %s' % (c['name'], c['summary'], json.dumps(c['evidence'], sort_keys=True))
                     for c in by_status(checks, 'warn')],
        'refusal': refusal_message(checks, 'vsphere_ha'),
    }
