# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure planner of per-VM vSphere HA overrides (ClusterDasVmConfigInfo) for clusterops.ha.

Plain data in and out (no pyVmomi): the cluster's ``configurationEx.dasVmConfig`` as dicts
(``to_plain`` form) and the module's ``overrides`` list -> the normalised before/after and the
``dasVmConfigSpec`` list for ONE ``ReconfigureComputeResource_Task``.

Vocabulary: every setting of an override is either a value or ``cluster_default`` (the
vSphere values ``clusterRestartPriority``, ``clusterIsolationResponse``, ``clusterDefault``,
``useClusterDefault``, ``clusterSettings: true`` and ``vmTerminateDelayForAPDSec: -1``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

CLUSTER_DEFAULT = 'cluster_default'
STATES = ('merged', 'replaced', 'overridden', 'deleted', 'gathered')
SETTINGS = ('restart_priority', 'isolation_response', 'vm_monitoring', 'apd_response', 'apd_delay', 'apd_reaction', 'pdl_response')
CHOICES = {
    'restart_priority': ('disabled', 'lowest', 'low', 'medium', 'high', 'highest'),
    'isolation_response': ('none', 'powerOff', 'shutdown'),
    'vm_monitoring': ('vmMonitoringDisabled', 'vmMonitoringOnly', 'vmAndAppMonitoring'),
    'apd_response': ('disabled', 'warning', 'restartConservative', 'restartAggressive'),
    'apd_reaction': ('none', 'reset'),
    'pdl_response': ('disabled', 'warning', 'restartAggressive'),
}
# Per-VM "use the cluster's value" in the vSphere API, per field.
API_DEFAULTS = {
    'restart_priority': 'clusterRestartPriority',
    'isolation_response': 'clusterIsolationResponse',
    'apd_response': 'clusterDefault',
    'pdl_response': 'clusterDefault',
    'apd_reaction': 'useClusterDefault',
    'apd_delay': -1,
}


class OverrideInputError(HaInputError):
    """Bad module input; one sentence naming the field and the fix."""


def _fail(message):
    raise OverrideInputError(message)


# --------------------------------------------------------------------------- reading

def _value(raw, setting):
    if raw is None or raw == API_DEFAULTS.get(setting):
        return CLUSTER_DEFAULT
    return raw


def normalize_override(info):
    """One ClusterDasVmConfigInfo (plain) -> {setting: value | cluster_default}."""
    settings = info.get('dasSettings') or {}
    tools = settings.get('vmToolsMonitoringSettings') or {}
    vmcp = settings.get('vmComponentProtectionSettings') or {}
    monitoring = CLUSTER_DEFAULT if tools.get('clusterSettings') in (None, True) else tools.get('vmMonitoring') or CLUSTER_DEFAULT
    # restartPriority directly on the info object is the pre-2.5 form; dasSettings wins.
    priority = settings.get('restartPriority') or info.get('restartPriority')
    return {
        'restart_priority': _value(priority, 'restart_priority'),
        'isolation_response': _value(settings.get('isolationResponse'), 'isolation_response'),
        'vm_monitoring': monitoring,
        'apd_response': _value(vmcp.get('vmStorageProtectionForAPD'), 'apd_response'),
        'apd_delay': _value(vmcp.get('vmTerminateDelayForAPDSec'), 'apd_delay'),
        'apd_reaction': _value(vmcp.get('vmReactionOnAPDCleared'), 'apd_reaction'),
        'pdl_response': _value(vmcp.get('vmStorageProtectionForPDL'), 'pdl_response'),
    }


def current_overrides(das_vm_config):
    """{vm moid: normalised override} of the cluster."""
    return dict((info.get('key'), normalize_override(info)) for info in das_vm_config or [] if info.get('key'))


# --------------------------------------------------------------------------- input

def _resolve_vm(name, vms_by_name, vm_names):
    if name in vm_names:
        return name  # a MoID
    moids = vms_by_name.get(name) or []
    if len(moids) > 1:
        _fail('overrides names VM %r, which matches %d VMs of the cluster (%s); give its MoID instead.'
              % (name, len(moids), ', '.join(sorted(moids))))
    return moids[0] if moids else None


def desired_overrides(overrides, state, vm_names):
    """The module's list -> {moid: {setting: value}} (only the settings given); every check before any write.

    ``vm_names``: {vm moid: name} of the cluster's VMs.
    """
    vms_by_name = {}
    for moid, name in vm_names.items():
        vms_by_name.setdefault(name, []).append(moid)
    result, unknown, seen = {}, [], {}
    for index, entry in enumerate(overrides or []):
        name = entry.get('vm')
        if not name:
            _fail('overrides[%d].vm is empty; give the VM name or MoID.' % index)
        moid = _resolve_vm(name, vms_by_name, vm_names)
        if moid is None:
            unknown.append(name)
            continue
        if moid in seen:
            _fail('overrides lists VM %s twice (as %r and %r); list each VM once.' % (vm_names[moid], seen[moid], name))
        seen[moid] = name
        given = dict((k, entry[k]) for k in SETTINGS if entry.get(k) is not None)
        if state == 'deleted' and given:
            _fail('overrides[%d] (VM %s) sets %s, but state deleted removes whole overrides; give only vm.'
                  % (index, name, ', '.join(sorted(given))))
        delay = given.get('apd_delay')
        if delay is not None and delay != CLUSTER_DEFAULT and (not isinstance(delay, int) or delay < 0):
            _fail('overrides[%d].apd_delay is %r; give seconds (0 or more) or cluster_default.' % (index, delay))
        result[moid] = given
    if unknown:
        shown = ', '.join(repr(n) for n in unknown[:5]) + (' and %d more' % (len(unknown) - 5) if len(unknown) > 5 else '')
        _fail('overrides names %d VM(s) that are not in the cluster: %s; check the names (nothing was changed).'
              % (len(unknown), shown))
    return result


def _full(settings):
    return dict((k, settings.get(k, CLUSTER_DEFAULT)) for k in SETTINGS)


# --------------------------------------------------------------------------- planning

def plan(das_vm_config, overrides, state, vm_names):
    """-> {'before', 'after' ({vm name: override}), 'spec' (dasVmConfigSpec list, None when nothing changes),
    'added', 'updated', 'removed' (VM names)}."""
    if state not in STATES:
        _fail('state must be one of %s.' % ', '.join(STATES))
    current = current_overrides(das_vm_config)
    wanted = desired_overrides(overrides, state, vm_names) if state != 'gathered' else {}
    after = dict(current)
    if state == 'merged':
        for moid, given in wanted.items():
            after[moid] = dict(_full(current.get(moid, {})), **given)
    elif state in ('replaced', 'overridden'):
        if state == 'overridden':
            after = {}
        for moid, given in wanted.items():
            after[moid] = _full(given)
    elif state == 'deleted':
        for moid in wanted:
            after.pop(moid, None)
    spec = []
    added, updated, removed = [], [], []
    for moid in sorted(set(current) | set(after), key=lambda m: vm_names.get(m, m)):
        if moid in after and moid not in current:
            spec.append(config_spec('add', moid, after[moid]))
            added.append(vm_names.get(moid, moid))
        elif moid in current and moid not in after:
            spec.append({'_type': 'ClusterDasVmConfigSpec', 'operation': 'remove', 'removeKey': moid})
            removed.append(vm_names.get(moid, moid))
        elif after[moid] != current[moid]:
            spec.append(config_spec('edit', moid, after[moid]))
            updated.append(vm_names.get(moid, moid))

    def named(overrides_by_moid):
        return dict((vm_names.get(m, m), o) for m, o in overrides_by_moid.items())

    return {'before': named(current), 'after': named(after), 'spec': spec or None,
            'added': added, 'updated': updated, 'removed': removed}


def _api(setting, value):
    return API_DEFAULTS[setting] if value == CLUSTER_DEFAULT else value


def vm_settings(override):
    """A normalised override -> ClusterDasVmSettings (plain), every field explicit."""
    monitoring = override['vm_monitoring']
    tools = {'_type': 'ClusterVmToolsMonitoringSettings', 'clusterSettings': monitoring == CLUSTER_DEFAULT}
    if monitoring != CLUSTER_DEFAULT:
        tools.update(vmMonitoring=monitoring, enabled=monitoring != 'vmMonitoringDisabled')
    return {
        '_type': 'ClusterDasVmSettings',
        'restartPriority': _api('restart_priority', override['restart_priority']),
        'isolationResponse': _api('isolation_response', override['isolation_response']),
        'vmToolsMonitoringSettings': tools,
        'vmComponentProtectionSettings': {
            '_type': 'ClusterVmComponentProtectionSettings',
            'vmStorageProtectionForAPD': _api('apd_response', override['apd_response']),
            'vmTerminateDelayForAPDSec': _api('apd_delay', override['apd_delay']),
            'vmReactionOnAPDCleared': _api('apd_reaction', override['apd_reaction']),
            'vmStorageProtectionForPDL': _api('pdl_response', override['pdl_response']),
        },
    }


def config_spec(operation, moid, override):
    return {'_type': 'ClusterDasVmConfigSpec', 'operation': operation,
            'info': {'_type': 'ClusterDasVmConfigInfo', 'key': moid, 'dasSettings': vm_settings(override)}}
