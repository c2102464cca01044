# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure vSphere HA (das) configuration logic of clusterops.ha (private to the collection).

No I/O and no pyVmomi: everything here works on plain data so unit tests can call it.

* A cluster's ``ClusterDasConfigInfo`` arrives as a dict (``_type`` holds the WSDL type
  name of each data object, managed objects are MoID strings), see
  ``_vsphere_client.to_plain``.
* ``normalize_current`` turns it into the *state* vocabulary, which uses the module's
  option names (``isolation_addresses``, ``admission_control``...).
* ``normalize_desired`` validates the module options (syntax only) into a desired dict
  holding only what the user set; ``check_against_cluster`` validates it against the
  cluster's hosts and datastores.
* ``apply_desired`` predicts the das dict after the change; ``das_spec`` keeps the parts
  that differ, which is what ``ReconfigureComputeResource_Task(modify=True)`` receives.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import ipaddress
import re

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

MAX_ISOLATION_ADDRESSES = 10
# vSphere HA reads das.isolationaddress0 to das.isolationaddress9; other indexes and the
# index-less key of old releases are not isolation addresses.
ISOLATION_ADDRESS_KEY = re.compile(r'^das\.isolationaddress([0-9])$', re.IGNORECASE)
ISOLATION_ADDRESS_LIKE_KEY = re.compile(r'^das\.isolationaddress\d*$', re.IGNORECASE)
USE_DEFAULT_ISOLATION_KEY = 'das.usedefaultisolationaddress'
ISOLATION_SHUTDOWN_KEY = 'das.isolationshutdowntimeout'
HEARTBEAT_PER_HOST_KEY = 'das.heartbeatdsperhost'
# Advanced options that have a first-class module option; the value is that option.
FIRST_CLASS_KEYS = {
    USE_DEFAULT_ISOLATION_KEY: 'use_default_isolation_address',
    ISOLATION_SHUTDOWN_KEY: 'isolation_shutdown_timeout',
    HEARTBEAT_PER_HOST_KEY: 'heartbeat_datastores_per_host',
}
HA_OPTION_PREFIXES = ('das.', 'fdm.')

RESTART_PRIORITIES = ('disabled', 'lowest', 'low', 'medium', 'high', 'highest')
ISOLATION_RESPONSES = ('none', 'powerOff', 'shutdown')
VM_MONITORING_MODES = ('vmMonitoringDisabled', 'vmMonitoringOnly', 'vmAndAppMonitoring')
APD_RESPONSES = ('disabled', 'warning', 'restartConservative', 'restartAggressive')
PDL_RESPONSES = ('disabled', 'warning', 'restartAggressive')
APD_REACTIONS = ('none', 'reset')
HEARTBEAT_POLICIES = ('userSelectedDs', 'allFeasibleDs', 'allFeasibleDsWithUserPreference')
ADMISSION_POLICIES = ('disabled', 'slots', 'percentage', 'dedicated_hosts')

# Admission-control policy name <-> WSDL type of the policy data object.
POLICY_TYPES = {
    'slots': 'ClusterFailoverLevelAdmissionControlPolicy',
    'percentage': 'ClusterFailoverResourcesAdmissionControlPolicy',
    'dedicated_hosts': 'ClusterFailoverHostAdmissionControlPolicy',
}
POLICY_NAMES = dict((v, k) for k, v in POLICY_TYPES.items())
# The API requires both percentages on a percentage policy even when vCenter computes
# them (autoComputePercentages); this placeholder is sent only when none is stored yet.
AUTO_COMPUTE_PLACEHOLDER_PERCENT = 100

# vm_monitoring suboption -> ClusterVmToolsMonitoringSettings field
VM_MONITORING_TIMERS = (
    ('failure_interval', 'failureInterval', 1),
    ('min_up_time', 'minUpTime', 0),
    ('max_failures', 'maxFailures', 0),
    ('max_failure_window', 'maxFailureWindow', -1),
)

# Which top-level das fields carry each part of the normalised state.
STATE_FIELDS = (
    (('enabled',), ('enabled',)),
    (('host_monitoring',), ('hostMonitoring',)),
    (('vm_component_protection',), ('vmComponentProtecting',)),
    (('restart_priority', 'isolation_response', 'apd_response', 'apd_delay', 'apd_reaction', 'pdl_response'),
     ('defaultVmSettings',)),
    (('heartbeat_datastores',), ('hBDatastoreCandidatePolicy', 'heartbeatDatastore')),
    (('isolation_addresses', 'use_default_isolation_address', 'isolation_shutdown_timeout',
      'heartbeat_datastores_per_host', 'advanced_options', 'advanced_options_duplicates'), ('option',)),
)


# --------------------------------------------------------------------------- small helpers

def _as_bool_or_text(value):
    """'true'/'false' in any case -> bool; anything else stays as given."""
    text = str(value).strip().lower()
    if text in ('true', 'false'):
        return text == 'true'
    return value


def _as_int_or_text(value):
    try:
        return int(str(value).strip())
    except ValueError:
        return value


def option_text(value):
    """The string vCenter stores for an advanced option value (booleans as true/false)."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def same_option_value(key, left, right):
    """Compare two advanced-option values as vCenter would mean them."""
    if ISOLATION_ADDRESS_KEY.match(key):
        return _canonical_ip(left) == _canonical_ip(right)
    left_text, right_text = option_text(left).strip(), option_text(right).strip()
    if left_text.lower() in ('true', 'false') and right_text.lower() in ('true', 'false'):
        return left_text.lower() == right_text.lower()
    return left_text == right_text


def _canonical_ip(value):
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return str(value)


def is_first_class_key(key):
    lower = key.lower()
    return lower in FIRST_CLASS_KEYS or bool(ISOLATION_ADDRESS_KEY.match(lower))


def options_of(das):
    """The das option list as [(key, value)], dropping blank values (a blank option means unset)."""
    result = []
    for item in das.get('option') or []:
        key = item.get('key')
        value = item.get('value')
        if key is None or value is None or str(value) == '':
            continue
        result.append((key, value))
    return result


def empty_option_keys(das):
    """Keys vCenter keeps with an empty value: present but empty, not removed."""
    return sorted(item.get('key') for item in (das or {}).get('option') or []
                  if item.get('key') is not None and item.get('value') in (None, ''))


def duplicate_option_keys(das):
    """Later spellings of a key stored more than once in different case (vSphere HA treats them as one)."""
    seen, duplicates = set(), []
    for key, dummy in options_of(das or {}):
        if key.lower() in seen:
            duplicates.append(key)
        seen.add(key.lower())
    return sorted(duplicates)


# --------------------------------------------------------------------------- current state

def _normalize_admission_control(das, host_names):
    policy = das.get('admissionControlPolicy') or {}
    policy_name = POLICY_NAMES.get(policy.get('_type'))
    state = {'enabled': bool(das.get('admissionControlEnabled')), 'policy': policy_name}
    if policy_name is None:
        return state
    state['failover_level'] = policy.get('failoverLevel')
    state['performance_tolerance'] = policy.get('resourceReductionToToleratePercent')
    if policy_name == 'percentage':
        auto = policy.get('autoComputePercentages')
        state['auto_compute'] = bool(auto)
        # Percentages computed by vCenter are results, not settings: leave them out.
        state['cpu_percent'] = None if auto else policy.get('cpuFailoverResourcesPercent')
        state['memory_percent'] = None if auto else policy.get('memoryFailoverResourcesPercent')
    elif policy_name == 'dedicated_hosts':
        state['hosts'] = sorted(host_names.get(moid, moid) for moid in policy.get('failoverHosts') or [])
    return state


def _split_options(das):
    """Advanced options -> the first-class state keys plus the remaining dict."""
    addresses = {}
    state = {'use_default_isolation_address': None, 'isolation_shutdown_timeout': None,
             'heartbeat_datastores_per_host': None}
    others = {}
    for key, value in options_of(das):
        lower = key.lower()
        match = ISOLATION_ADDRESS_KEY.match(lower)
        if match:
            # With case-duplicates stored, the first spelling in vCenter's list is reported.
            addresses.setdefault(int(match.group(1)), _canonical_ip(value))
        elif lower == USE_DEFAULT_ISOLATION_KEY:
            if state['use_default_isolation_address'] is None:
                state['use_default_isolation_address'] = _as_bool_or_text(value)
        elif lower in (ISOLATION_SHUTDOWN_KEY, HEARTBEAT_PER_HOST_KEY):
            if state[FIRST_CLASS_KEYS[lower]] is None:
                state[FIRST_CLASS_KEYS[lower]] = _as_int_or_text(value)
        elif not any(k.lower() == lower for k in others):
            others[key] = option_text(value)
    state['isolation_addresses'] = [addresses[index] for index in sorted(addresses)]
    state['advanced_options'] = others
    state['advanced_options_empty'] = empty_option_keys(das)
    state['advanced_options_duplicates'] = duplicate_option_keys(das)
    return state


def normalize_current(das, host_names=None, datastore_names=None):
    """ClusterDasConfigInfo-as-dict -> state dict in the module's vocabulary.

    ``host_names`` / ``datastore_names`` map MoIDs to names; unknown MoIDs stay MoIDs.
    """
    das = das or {}
    host_names = host_names or {}
    datastore_names = datastore_names or {}
    vm_settings = das.get('defaultVmSettings') or {}
    tools = vm_settings.get('vmToolsMonitoringSettings') or {}
    vmcp = vm_settings.get('vmComponentProtectionSettings') or {}
    host_monitoring = das.get('hostMonitoring')
    vmcp_flag = das.get('vmComponentProtecting')
    state = {
        'enabled': bool(das.get('enabled')),
        'host_monitoring': None if host_monitoring is None else host_monitoring == 'enabled',
        'restart_priority': vm_settings.get('restartPriority'),
        'isolation_response': vm_settings.get('isolationResponse'),
        'vm_monitoring': dict([('mode', das.get('vmMonitoring'))] + [(name, tools.get(field)) for name, field, dummy in VM_MONITORING_TIMERS]),
        'vm_component_protection': None if vmcp_flag is None else vmcp_flag == 'enabled',
        'apd_response': vmcp.get('vmStorageProtectionForAPD'),
        'apd_delay': vmcp.get('vmTerminateDelayForAPDSec'),
        'apd_reaction': vmcp.get('vmReactionOnAPDCleared'),
        'pdl_response': vmcp.get('vmStorageProtectionForPDL'),
        'heartbeat_datastores': {
            'policy': das.get('hBDatastoreCandidatePolicy'),
            'datastores': sorted(datastore_names.get(moid, moid) for moid in das.get('heartbeatDatastore') or []),
        },
        'admission_control': _normalize_admission_control(das, host_names),
    }
    state.update(_split_options(das))
    return state


# --------------------------------------------------------------------------- desired state

def _fail(message):
    raise HaInputError(message)


def _check_range(option, value, low, high=None):
    if value is None:
        return
    if value < low or (high is not None and value > high):
        bound = 'between %d and %d' % (low, high) if high is not None else 'at least %d' % low
        _fail('%s is %s; set it to a value %s.' % (option, value, bound))


def _desired_isolation_addresses(addresses):
    if len(addresses) > MAX_ISOLATION_ADDRESSES:
        _fail('isolation_addresses lists %d addresses; vSphere HA uses at most %d (das.isolationaddress0-9), so remove some.'
              % (len(addresses), MAX_ISOLATION_ADDRESSES))
    seen = set()
    result = []
    for raw in addresses:
        try:
            canonical = str(ipaddress.ip_address(str(raw).strip()))
        except ValueError:
            _fail('isolation_addresses entry %r is not an IPv4 or IPv6 address; give a plain address such as 192.0.2.1.' % (raw,))
        if canonical in seen:
            _fail('isolation_addresses lists %s twice; list each address once.' % canonical)
        why = _never_answers(ipaddress.ip_address(canonical))
        if why:
            _fail('isolation_addresses entry %s is %s, which can never tell a host it is isolated; give an address of a '
                  'device that answers pings on the HA network, such as its gateway.' % (canonical, why))
        seen.add(canonical)
        result.append(canonical)
    return result


def _never_answers(ip):
    """Why pinging ``ip`` can never detect isolation (None when it can)."""
    if ip.is_loopback:
        return 'a loopback address'
    if ip.is_unspecified:
        return 'the unspecified address'
    if ip.is_multicast:
        return 'a multicast address'
    if ip.version == 4 and ip == ipaddress.IPv4Address('255.255.255.255'):
        return 'the broadcast address'
    return None


def _desired_advanced_options(options):
    result = {}
    seen = {}
    for key, value in options.items():
        lower = key.strip().lower()
        if not lower.startswith(HA_OPTION_PREFIXES):
            _fail('advanced_options key %r is not a vSphere HA option; use das.* or fdm.* keys only.' % key)
        if ISOLATION_ADDRESS_KEY.match(lower):
            _fail('advanced_options key %r is managed by isolation_addresses; set that option instead.' % key)
        if ISOLATION_ADDRESS_LIKE_KEY.match(lower):
            _fail('advanced_options key %r is not an isolation address vSphere HA reads (only das.isolationaddress0 to '
                  'das.isolationaddress9 are); set isolation_addresses instead.' % key)
        if lower in FIRST_CLASS_KEYS:
            _fail('advanced_options key %r is managed by %s; set that option instead.' % (key, FIRST_CLASS_KEYS[lower]))
        if lower in seen:
            _fail('advanced_options lists %r and %r, which vSphere treats as the same key; keep one.' % (seen[lower], key))
        if isinstance(value, (list, dict)):
            _fail('advanced_options value of %r is a %s; give a string, number or boolean.' % (key, type(value).__name__))
        seen[lower] = key
        result[key.strip()] = None if value is None else option_text(value)
    return result


def _desired_heartbeat(heartbeat):
    policy = heartbeat.get('policy')
    datastores = list(heartbeat.get('datastores') or [])
    if len(set(datastores)) != len(datastores):
        _fail('heartbeat_datastores.datastores lists a datastore twice; list each datastore once.')
    if policy == 'allFeasibleDs' and datastores:
        _fail('heartbeat_datastores.datastores must be empty with policy allFeasibleDs; use allFeasibleDsWithUserPreference to prefer datastores.')
    return {'policy': policy, 'datastores': sorted(datastores)}


def _desired_admission_control(admission):
    policy = admission.get('policy')
    given = dict((k, v) for k, v in admission.items() if v is not None and k != 'policy')
    allowed = {
        'disabled': (),
        'slots': ('failover_level', 'performance_tolerance'),
        'percentage': ('failover_level', 'performance_tolerance', 'cpu_percent', 'memory_percent', 'auto_compute'),
        'dedicated_hosts': ('failover_level', 'performance_tolerance', 'hosts'),
    }[policy]
    for name in sorted(given):
        if name not in allowed:
            _fail('admission_control.%s does not apply to policy %s; remove it or choose a policy that uses it.' % (name, policy))
    _check_range('admission_control.failover_level', given.get('failover_level'), 1)
    for name in ('cpu_percent', 'memory_percent', 'performance_tolerance'):
        _check_range('admission_control.%s' % name, given.get(name), 0, 100)
    if given.get('auto_compute') and ('cpu_percent' in given or 'memory_percent' in given):
        _fail('admission_control.auto_compute true conflicts with cpu_percent/memory_percent; drop the percentages or set auto_compute false.')
    if 'hosts' in given:
        if not given['hosts']:
            _fail('admission_control.hosts is empty; list at least one dedicated failover host of the cluster.')
        if len(set(given['hosts'])) != len(given['hosts']):
            _fail('admission_control.hosts lists a host twice; list each host once.')
        given['hosts'] = sorted(given['hosts'])
    given['policy'] = policy
    return given


def _desired_vm_monitoring(monitoring):
    result = {}
    for name, dummy, low in VM_MONITORING_TIMERS:
        _check_range('vm_monitoring.%s' % name, monitoring.get(name), low)
    for key, value in monitoring.items():
        if value is not None:
            result[key] = value
    return result


def normalize_desired(params):
    """Module params -> desired dict holding only the settings the user gave (syntax checks only)."""
    desired = {}
    for name in ('enabled', 'host_monitoring', 'use_default_isolation_address', 'isolation_response', 'restart_priority',
                 'apd_response', 'apd_delay', 'apd_reaction', 'pdl_response', 'isolation_shutdown_timeout',
                 'heartbeat_datastores_per_host'):
        if params.get(name) is not None:
            desired[name] = params[name]
    _check_range('heartbeat_datastores_per_host', desired.get('heartbeat_datastores_per_host'), 2, 5)
    _check_range('isolation_shutdown_timeout', desired.get('isolation_shutdown_timeout'), 0)
    _check_range('apd_delay', desired.get('apd_delay'), 0)
    if params.get('isolation_addresses') is not None:
        desired['isolation_addresses'] = _desired_isolation_addresses(params['isolation_addresses'])
    if params.get('heartbeat_datastores') is not None:
        desired['heartbeat_datastores'] = _desired_heartbeat(params['heartbeat_datastores'])
    if params.get('admission_control') is not None:
        desired['admission_control'] = _desired_admission_control(params['admission_control'])
    if params.get('vm_monitoring') is not None:
        desired['vm_monitoring'] = _desired_vm_monitoring(params['vm_monitoring'])
    if params.get('advanced_options') is not None:
        desired['advanced_options'] = _desired_advanced_options(params['advanced_options'])
    if params.get('advanced_options_purge'):
        desired['advanced_options_purge'] = True
    return desired


# --------------------------------------------------------------------------- vSAN network

VSAN_NIC_TYPE = 'vsan'  # not 'vsanWitness': witness traffic may share the management vmknic


def _vnic_interfaces(vnic):
    """ip_interface objects of one HostVirtualNic (IPv4 with its mask, IPv6 with its prefix; link-local skipped)."""
    ip = (vnic.get('spec') or {}).get('ip') or {}
    found = []
    if ip.get('ipAddress'):
        try:
            found.append(ipaddress.ip_interface('%s/%s' % (ip['ipAddress'], ip.get('subnetMask') or '255.255.255.255')))
        except ValueError:
            pass
    for entry in (ip.get('ipV6Config') or {}).get('ipV6Address') or []:
        try:
            interface = ipaddress.ip_interface('%s/%s' % (entry.get('ipAddress'), entry.get('prefixLength', 128)))
        except ValueError:
            continue
        if not interface.ip.is_link_local:
            found.append(interface)
    return found


def vsan_vmkernels(host):
    """The VMkernel adapters a host assigns vSAN traffic to -> ([{device, address, network}], problem or None).

    Read from the traffic-type assignment (``config.virtualNicManagerInfo.netConfig``, nicType
    ``vsan``, ``selectedVnic`` naming ``candidateVnic[].key``), never from
    ``vsanHostConfig.networkInfo``, which also lists witness-traffic adapters.
    """
    name = host.get('name') or host.get('_moid')
    info = host.get('config.virtualNicManagerInfo')
    if not info:
        return [], 'vCenter reports no VMkernel traffic-type assignment (config.virtualNicManagerInfo) for host %s' % name
    found = []
    tagged = []
    for config in info.get('netConfig') or []:
        if config.get('nicType') != VSAN_NIC_TYPE:
            continue
        selected = set(config.get('selectedVnic') or [])
        for vnic in config.get('candidateVnic') or []:
            if vnic.get('key') not in selected:
                continue
            tagged.append(vnic.get('device'))
            for interface in _vnic_interfaces(vnic):
                found.append({'device': vnic.get('device'), 'address': str(interface.ip), 'network': str(interface.network)})
    if not tagged:
        return [], 'no VMkernel adapter of host %s is tagged for vSAN traffic' % name
    if not found:
        return [], 'the vSAN VMkernel adapter %s of host %s has no usable IP address' % (', '.join(tagged), name)
    return found, None


def vsan_network_facts(hosts):
    """vSAN VMkernel facts of the cluster's connected hosts: {'networks', 'addresses', 'problems'}."""
    networks, addresses, problems = set(), {}, []
    for host in hosts:
        if host.get('runtime.connectionState') not in (None, 'connected'):
            continue  # a disconnected host takes no part in HA; its config is not current
        found, problem = vsan_vmkernels(host)
        if problem:
            problems.append(problem)
        addresses[host.get('name')] = [entry['address'] for entry in found]
        networks.update(entry['network'] for entry in found)
    return {'networks': sorted(networks), 'addresses': addresses, 'problems': problems}


def check_vsan_isolation_addresses(addresses, facts, cluster_name):
    """Refuse isolation addresses off the vSAN network; fail closed when it cannot be read."""
    if not addresses:
        return
    if facts['problems'] or not facts['networks']:
        reason = '; '.join(facts['problems']) or 'no host reports a vSAN VMkernel address'
        _fail('isolation_addresses cannot be checked against the vSAN network of cluster %s because %s; fix the hosts\' vSAN '
              'VMkernel configuration, or set vsan_network_check false after checking the addresses yourself.' % (cluster_name, reason))
    networks = [ipaddress.ip_network(n) for n in facts['networks']]
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not any(ip.version == n.version and ip in n for n in networks):
            _fail('isolation_addresses entry %s is not on the vSAN network of cluster %s (%s); on vSAN clusters HA heartbeats '
                  'use the vSAN network, so pick an address there.' % (address, cluster_name, ', '.join(facts['networks'])))


# --------------------------------------------------------------------------- checks against the cluster

def check_against_cluster(desired, cluster, current_state):
    """Validate what needs the inventory; return warnings (advice), raise HaInputError (errors).

    ``cluster``: {'name', 'vsan_enabled', 'hosts': {name: moid}, 'datastores': {name: {'moid', 'type', 'shared'}}}.
    """
    warnings = []
    heartbeat = desired.get('heartbeat_datastores')
    for name in (heartbeat or {}).get('datastores', []):
        datastore = cluster['datastores'].get(name)
        if datastore is None:
            _fail('heartbeat_datastores.datastores names %r, which is not a datastore of cluster %s; use one of: %s.'
                  % (name, cluster['name'], ', '.join(sorted(cluster['datastores'])) or 'none'))
        if str(datastore.get('type', '')).lower() == 'vsan':
            _fail('heartbeat_datastores.datastores names vSAN datastore %r, which vSphere HA cannot use for heartbeats; pick a shared non-vSAN datastore.'
                  % name)
        if not datastore.get('shared'):
            _fail('heartbeat_datastores.datastores names %r, which is not shared by several hosts; pick a shared datastore.' % name)
    admission = desired.get('admission_control') or {}
    for name in admission.get('hosts') or []:
        if name not in cluster['hosts']:
            _fail('admission_control.hosts names %r, which is not a host of cluster %s; use one of: %s.'
                  % (name, cluster['name'], ', '.join(sorted(cluster['hosts'])) or 'none'))
    if admission.get('hosts') and cluster['hosts'] and set(admission['hosts']) >= set(cluster['hosts']):
        _fail('admission_control.hosts names every host of cluster %s, which leaves no host to run VMs on; '
              'list only the hosts kept free for failover.' % cluster['name'])
    level = admission.get('failover_level')
    host_count = len(cluster['hosts'])
    if level is not None and host_count == 1:
        _fail('admission_control.failover_level %d cannot be met: cluster %s has 1 host, so no host is left to restart '
              'its VMs on; add a host to the cluster, or set admission_control.policy to disabled.' % (level, cluster['name']))
    if level is not None and host_count and level >= host_count:
        _fail('admission_control.failover_level %d leaves no host to restart VMs on in cluster %s of %d hosts; set it to at most %d.'
              % (level, cluster['name'], host_count, host_count - 1))
    if cluster.get('vsan_enabled') and cluster.get('vsan_network') is not None:
        check_vsan_isolation_addresses(desired.get('isolation_addresses'), cluster['vsan_network'], cluster['name'])
    if cluster.get('vsan_enabled') and desired.get('use_default_isolation_address') is True:
        addresses = desired.get('isolation_addresses', current_state.get('isolation_addresses') or [])
        if not addresses:
            warnings.append('Cluster %s uses vSAN and keeps only the default isolation address (the management gateway); '
                            'the recommended setting is use_default_isolation_address false with isolation_addresses on the vSAN network.'
                            % cluster['name'])
    return warnings


# --------------------------------------------------------------------------- predicting the change

def _apply_options(das, desired):
    """Merge the desired advanced options into the das option list (full list, current order kept)."""
    managed = {}
    removals = set()
    current = options_of(das)
    if 'isolation_addresses' in desired:
        wanted = desired['isolation_addresses']
        for index, address in enumerate(wanted):
            managed['das.isolationaddress%d' % index] = ('das.isolationaddress%d' % index, address)
        for key, dummy in current:
            match = ISOLATION_ADDRESS_KEY.match(key)
            if match and int(match.group(1)) >= len(wanted):
                removals.add(key.lower())
    for option, key in ((o, k) for k, o in FIRST_CLASS_KEYS.items()):
        if option in desired:
            managed[key] = (key, option_text(desired[option]))
    advanced = desired.get('advanced_options') or {}
    for key, value in advanced.items():
        if value is None:
            removals.add(key.lower())
        else:
            managed[key.lower()] = (key, value)
    touched = set(managed) | removals
    if desired.get('advanced_options_purge'):
        listed = set(key.lower() for key in advanced)
        for key, dummy in current:
            if not is_first_class_key(key) and key.lower() not in listed:
                removals.add(key.lower())
    merged = []
    kept = set()
    for key, value in current:
        lower = key.lower()
        if lower in removals:
            continue
        if lower in kept and lower in touched:
            continue  # a case-duplicate of a key this run manages: converge to the first spelling
        kept.add(lower)
        if lower in managed:
            wanted_value = managed.pop(lower)[1]
            value = value if same_option_value(key, value, wanted_value) else wanted_value
        merged.append((key, value))
    merged.extend(managed.values())
    if merged != current:
        das['option'] = [{'_type': 'OptionValue', 'key': k, 'value': option_text(v)} for k, v in merged]


def _apply_vm_settings(das, desired):
    keys = ('restart_priority', 'isolation_response', 'vm_monitoring', 'apd_response', 'apd_delay', 'apd_reaction', 'pdl_response')
    if not any(k in desired for k in keys):
        return
    vm_settings = dict(das.get('defaultVmSettings') or {})
    vm_settings['_type'] = 'ClusterDasVmSettings'
    if 'restart_priority' in desired:
        vm_settings['restartPriority'] = desired['restart_priority']
    if 'isolation_response' in desired:
        vm_settings['isolationResponse'] = desired['isolation_response']
    if 'vm_monitoring' in desired:
        monitoring = desired['vm_monitoring']
        tools = dict(vm_settings.get('vmToolsMonitoringSettings') or {})
        tools['_type'] = 'ClusterVmToolsMonitoringSettings'
        if 'mode' in monitoring:
            das['vmMonitoring'] = monitoring['mode']
            tools['vmMonitoring'] = monitoring['mode']
            tools['enabled'] = monitoring['mode'] != 'vmMonitoringDisabled'
        for name, field, dummy in VM_MONITORING_TIMERS:
            if name in monitoring:
                tools[field] = monitoring[name]
        vm_settings['vmToolsMonitoringSettings'] = tools
    storage = [('apd_response', 'vmStorageProtectionForAPD'), ('apd_delay', 'vmTerminateDelayForAPDSec'),
               ('apd_reaction', 'vmReactionOnAPDCleared'), ('pdl_response', 'vmStorageProtectionForPDL')]
    if any(name in desired for name, dummy in storage):
        vmcp = dict(vm_settings.get('vmComponentProtectionSettings') or {})
        vmcp['_type'] = 'ClusterVmComponentProtectionSettings'
        for name, field in storage:
            if name in desired:
                vmcp[field] = desired[name]
        vm_settings['vmComponentProtectionSettings'] = vmcp
        if 'apd_response' in desired or 'pdl_response' in desired:
            # VMCP must be on for either APD or PDL handling to act (the vmware.vmware bug was PDL only).
            acting = [vmcp.get(f) for f in ('vmStorageProtectionForAPD', 'vmStorageProtectionForPDL')]
            das['vmComponentProtecting'] = 'enabled' if any(v not in (None, 'disabled') for v in acting) else 'disabled'
    das['defaultVmSettings'] = vm_settings


def _apply_admission_control(das, admission, host_moids):
    if admission['policy'] == 'disabled':
        das['admissionControlEnabled'] = False
        return
    das['admissionControlEnabled'] = True
    wanted_type = POLICY_TYPES[admission['policy']]
    current = das.get('admissionControlPolicy') or {}
    same_type = current.get('_type') == wanted_type
    policy = dict(current) if same_type else {'_type': wanted_type}
    if 'performance_tolerance' in admission:
        policy['resourceReductionToToleratePercent'] = admission['performance_tolerance']
    elif not same_type and current.get('resourceReductionToToleratePercent') is not None:
        policy['resourceReductionToToleratePercent'] = current['resourceReductionToToleratePercent']
    # The number of failures to tolerate means the same in every policy: keep it when switching.
    policy['failoverLevel'] = admission.get('failover_level', policy.get('failoverLevel') or current.get('failoverLevel') or 1)
    if admission['policy'] == 'percentage':
        _apply_percentages(policy, admission, same_type)
    elif admission['policy'] == 'dedicated_hosts':
        if 'hosts' in admission:
            policy['failoverHosts'] = [host_moids[name] for name in admission['hosts']]
        if not policy.get('failoverHosts'):
            _fail('admission_control.hosts is required for policy dedicated_hosts; list the dedicated failover hosts.')
    das['admissionControlPolicy'] = policy


def _apply_percentages(policy, admission, same_type):
    percents_given = 'cpu_percent' in admission or 'memory_percent' in admission
    was_manual = same_type and policy.get('autoComputePercentages') is False
    if 'auto_compute' in admission:
        auto = admission['auto_compute']
    elif percents_given:
        auto = False
    else:
        auto = not was_manual
    policy['autoComputePercentages'] = auto
    for name, field in (('cpu_percent', 'cpuFailoverResourcesPercent'), ('memory_percent', 'memoryFailoverResourcesPercent')):
        if name in admission:
            policy[field] = admission[name]
        elif not auto and not was_manual:
            _fail('admission_control.%s is required when switching to fixed percentages; give both cpu_percent and memory_percent.' % name)
        elif policy.get(field) is None:
            policy[field] = AUTO_COMPUTE_PLACEHOLDER_PERCENT


def apply_desired(das, desired, cluster):
    """Predict the das dict after applying ``desired`` (``das`` is not modified)."""
    das = copy.deepcopy(das or {})
    das['_type'] = 'ClusterDasConfigInfo'
    if 'enabled' in desired:
        das['enabled'] = desired['enabled']
    if 'host_monitoring' in desired:
        das['hostMonitoring'] = 'enabled' if desired['host_monitoring'] else 'disabled'
    _apply_vm_settings(das, desired)
    if 'heartbeat_datastores' in desired:
        heartbeat = desired['heartbeat_datastores']
        das['hBDatastoreCandidatePolicy'] = heartbeat['policy']
        das['heartbeatDatastore'] = [cluster['datastores'][name]['moid'] for name in heartbeat['datastores']]
    if 'admission_control' in desired:
        _apply_admission_control(das, desired['admission_control'], cluster['hosts'])
    _apply_options(das, desired)
    return das


def changed_fields(before_state, after_state):
    """The top-level das fields whose normalised meaning differs between two states."""
    fields = []
    for state_keys, das_fields in STATE_FIELDS:
        if any(before_state.get(k) != after_state.get(k) for k in state_keys):
            fields.extend(das_fields)
    before_ac = dict(before_state.get('admission_control') or {})
    after_ac = dict(after_state.get('admission_control') or {})
    if before_ac.pop('enabled', None) != after_ac.pop('enabled', None):
        fields.append('admissionControlEnabled')
    if before_ac != after_ac:
        fields.append('admissionControlPolicy')
    if before_state.get('vm_monitoring') != after_state.get('vm_monitoring'):
        if (before_state.get('vm_monitoring') or {}).get('mode') != (after_state.get('vm_monitoring') or {}).get('mode'):
            fields.append('vmMonitoring')
        fields.append('defaultVmSettings')
    return sorted(set(fields))


# Sub-objects whose unset fields vCenter leaves alone with modify=True (the API reference says so for
# ClusterDasVmSettings and its parts), so only their changed fields are sent: a concurrent run's
# change to another field of the same sub-object is not reverted.
PARTIAL_FIELDS = ('defaultVmSettings',)


def _changed_leaves(before, after):
    """The parts of data object ``after`` that differ from ``before`` (``_type`` kept)."""
    if not isinstance(after, dict) or not isinstance(before, dict) or before.get('_type') != after.get('_type'):
        return copy.deepcopy(after)
    out = {'_type': after.get('_type')} if '_type' in after else {}
    for key, value in after.items():
        if key == '_type' or before.get(key) == value:
            continue
        out[key] = _changed_leaves(before.get(key), value)
    return out


def das_spec(after_das, fields, before_das=None):
    """The ClusterDasConfigInfo to send: only the changed fields; of defaultVmSettings only the changed parts."""
    spec = {'_type': 'ClusterDasConfigInfo'}
    for field in fields:
        if field not in after_das:
            continue
        if field in PARTIAL_FIELDS and before_das is not None and before_das.get(field):
            spec[field] = _changed_leaves(before_das[field], after_das[field])
        else:
            spec[field] = copy.deepcopy(after_das[field])
    return spec


def removed_option_keys(before_das, after_das):
    """Keys present before and absent from the predicted list, spelled as stored (to verify removal after the task)."""
    after_keys = set(key for key, dummy in options_of(after_das))
    return [key for key, dummy in options_of(before_das) if key not in after_keys]


def check_isolation_detectable(desired, after):
    """M9: refuse a result with no isolation address at all (no listed address and no default gateway)."""
    touched = 'isolation_addresses' in desired or 'use_default_isolation_address' in desired
    if touched and after.get('use_default_isolation_address') is False and not after.get('isolation_addresses'):
        _fail('isolation_addresses is empty while use_default_isolation_address is false, so hosts would have no address '
              'to detect isolation with; list at least one isolation address or set use_default_isolation_address true.')


def blank_options_spec(keys):
    """The retry that removes stubborn keys: the same keys with an empty value."""
    return {'_type': 'ClusterDasConfigInfo', 'option': [{'_type': 'OptionValue', 'key': key, 'value': ''} for key in keys]}


def plan(current_das, params, cluster, host_names, datastore_names):
    """Everything the module decides before talking to vCenter again.

    Returns {'before', 'after', 'spec' (None when nothing changes), 'removed_keys', 'warnings'}.
    """
    desired = normalize_desired(params)
    before = normalize_current(current_das, host_names, datastore_names)
    warnings = check_against_cluster(desired, cluster, before)
    after_das = apply_desired(current_das, desired, cluster)
    after = normalize_current(after_das, host_names, datastore_names)
    # Keys vCenter keeps with an empty value are not sent again; predict that they stay so.
    after['advanced_options_empty'] = before['advanced_options_empty']
    check_isolation_detectable(desired, after)
    fields = changed_fields(before, after)
    spec = das_spec(after_das, fields, current_das or {}) if fields else None
    removed = removed_option_keys(current_das or {}, after_das) if 'option' in fields else []
    if spec is not None and 'option' in fields and not spec.get('option'):
        # An empty array is not serialised at all (it would mean "leave as is"), so removing
        # the last keys has to send them with a blank value.
        spec['option'] = blank_options_spec(removed)['option']
    return {
        'before': before,
        'after': after,
        'spec': spec,
        'removed_keys': removed,
        'warnings': warnings,
        'desired': desired,
    }


def unapplied(after_expected, after_actual):
    """State keys whose re-read value differs from the prediction (reported as a warning)."""
    return sorted(k for k in after_expected if after_expected.get(k) != after_actual.get(k))


# --------------------------------------------------------------------------- reconfiguring the hosts' HA agents

RECONFIGURE_HOSTS_MODES = ('never', 'isolation_changed', 'always')
# What the HA agents read at configuration time and do not pick up from a cluster change on
# their own (VMware: "Reconfigure for vSphere HA" after changing isolation addresses).
ISOLATION_STATE_KEYS = ('isolation_addresses', 'use_default_isolation_address')


def plan_host_reconfigure(mode, before, after, hosts):
    """Which hosts get ReconfigureHostForDAS_Task, and why.

    ``hosts``: [{'name', 'moid', 'connection_state', 'maintenance'}]. Returns {'mode', 'reason',
    'hosts': [{'name', 'moid', 'result': 'pending' | 'skipped', 'message'?}]}; no hosts when nothing runs.
    """
    changed = [key for key in ISOLATION_STATE_KEYS if before.get(key) != after.get(key)]
    if mode == 'never':
        return {'mode': mode, 'reason': 'reconfigure_hosts is never', 'hosts': []}
    if mode == 'isolation_changed' and not changed:
        return {'mode': mode, 'reason': 'no isolation setting changed', 'hosts': []}
    if not after.get('enabled'):
        return {'mode': mode, 'reason': 'vSphere HA is off on the cluster, so the hosts have no HA agent to reconfigure', 'hosts': []}
    reason = 'changed: %s' % ', '.join(changed) if changed else 'reconfigure_hosts is always'
    planned = []
    for host in sorted(hosts, key=lambda h: h['name']):
        entry = {'name': host['name'], 'moid': host['moid'], 'result': 'pending'}
        if host.get('connection_state') != 'connected':
            entry.update(result='skipped', message='host is %s' % host.get('connection_state'))
        elif host.get('maintenance'):
            entry.update(result='skipped', message='host is in maintenance mode')
        planned.append(entry)
    return {'mode': mode, 'reason': reason, 'hosts': planned}
