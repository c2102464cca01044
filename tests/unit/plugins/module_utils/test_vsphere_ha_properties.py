# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests of the vSphere HA planner: for any valid options, applying the plan and
planning again changes nothing (the second run reports changed=false), the prediction is
what the spec says, and options that were not given keep their value."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from hypothesis import given, reject, settings, strategies as st

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_ha as ha

from ansible_collections.clusterops.ha.tests.unit.plugins.module_utils.test_vsphere_ha import CLUSTER, CONFIGURED, DS_NAMES, HOST_NAMES, params

ADDRESSES = ['192.0.2.%d' % i for i in range(1, 20)] + ['2001:db8::%x' % i for i in range(1, 10)]
SHARED = ['nfs-01', 'nfs-02']


def optional(strategy):
    return st.one_of(st.none(), strategy)


admission = st.one_of(
    st.fixed_dictionaries({'policy': st.just('disabled')}),
    st.fixed_dictionaries({'policy': st.just('slots'), 'failover_level': optional(st.integers(1, 2)),
                           'performance_tolerance': optional(st.integers(0, 100))}),
    st.fixed_dictionaries({'policy': st.just('percentage'), 'auto_compute': st.just(True), 'failover_level': optional(st.integers(1, 2))}),
    st.fixed_dictionaries({'policy': st.just('percentage'), 'cpu_percent': st.integers(0, 100), 'memory_percent': st.integers(0, 100)}),
    st.fixed_dictionaries({'policy': st.just('dedicated_hosts'),
                           'hosts': st.lists(st.sampled_from(sorted(CLUSTER['hosts'])), min_size=1, max_size=2, unique=True)}),
).map(lambda given: dict(dict(failover_level=None, cpu_percent=None, memory_percent=None, auto_compute=None, hosts=None,
                              performance_tolerance=None), **given))

heartbeat = st.one_of(
    st.fixed_dictionaries({'policy': st.just('allFeasibleDs'), 'datastores': st.just([])}),
    st.fixed_dictionaries({'policy': st.sampled_from(['userSelectedDs', 'allFeasibleDsWithUserPreference']),
                           'datastores': st.lists(st.sampled_from(SHARED), unique=True)}),
)

advanced_values = st.one_of(st.booleans(), st.integers(0, 10000), st.sampled_from(['on', 'off', 'x']), st.none())
advanced = st.dictionaries(st.sampled_from(['das.ignoreRedundantNetWarning', 'das.slotMemInMB', 'fdm.isolationPolicyDelaySec',
                                            'das.ignoreinsufficienthbdatastore']), advanced_values, max_size=3)

options = st.fixed_dictionaries({
    'enabled': optional(st.booleans()),
    'host_monitoring': optional(st.booleans()),
    'isolation_addresses': optional(st.lists(st.sampled_from(ADDRESSES), max_size=10, unique=True)),
    'use_default_isolation_address': optional(st.booleans()),
    'isolation_response': optional(st.sampled_from(ha.ISOLATION_RESPONSES)),
    'isolation_shutdown_timeout': optional(st.integers(0, 600)),
    'restart_priority': optional(st.sampled_from(ha.RESTART_PRIORITIES)),
    'heartbeat_datastores': optional(heartbeat),
    'heartbeat_datastores_per_host': optional(st.integers(2, 5)),
    'admission_control': optional(admission),
    'vm_monitoring': optional(st.fixed_dictionaries({
        'mode': optional(st.sampled_from(ha.VM_MONITORING_MODES)), 'failure_interval': optional(st.integers(1, 300)),
        'min_up_time': optional(st.integers(0, 600)), 'max_failures': optional(st.integers(0, 10)),
        'max_failure_window': optional(st.integers(-1, 86400))})),
    'apd_response': optional(st.sampled_from(ha.APD_RESPONSES)),
    'apd_delay': optional(st.integers(0, 600)),
    'apd_reaction': optional(st.sampled_from(ha.APD_REACTIONS)),
    'pdl_response': optional(st.sampled_from(ha.PDL_RESPONSES)),
    'advanced_options': optional(advanced),
    'advanced_options_purge': st.booleans(),
})

starting_points = st.sampled_from([{}, CONFIGURED])


def run(das, given):
    try:
        return ha.plan(das, params(**given), CLUSTER, HOST_NAMES, DS_NAMES)
    except ha.HaInputError:
        reject()  # refused input (e.g. no isolation address left at all) plans nothing


def stored_after(das, given):
    """What a vCenter that applies the spec exactly (list replaced, modify=True) stores.

    Data objects merge field by field (modify=True leaves unset fields alone); a key kept
    with an empty value before stays so (present but empty) unless the spec names it.
    """
    stored = copy.deepcopy(das)
    spec = run(das, given)['spec'] or {}
    for field, value in spec.items():
        stored[field] = merged(stored.get(field), value)
    if 'option' in spec:
        empty = [o for o in das.get('option') or [] if o.get('value') in ('', None)]
        named = set(o['key'] for o in spec['option'])
        stored['option'] = [o for o in spec['option'] if o.get('value') not in ('', None)]
        stored['option'].extend(o for o in empty if o['key'] not in named)
    return stored


def merged(current, change):
    """A data object after modify=True: same-typed objects merge recursively, anything else is replaced."""
    if isinstance(current, dict) and isinstance(change, dict) and current.get('_type') == change.get('_type'):
        out = copy.deepcopy(current)
        for key, value in change.items():
            out[key] = merged(current.get(key), value)
        return out
    return copy.deepcopy(change)


@settings(max_examples=150, deadline=None)
@given(das=starting_points, given=options)
def test_second_run_plans_no_change(das, given):
    stored = stored_after(das, given)
    again = run(stored, given)
    assert again['spec'] is None, again['spec']
    assert again['before'] == again['after']


@settings(max_examples=150, deadline=None)
@given(das=starting_points, given=options)
def test_prediction_matches_what_the_spec_stores(das, given):
    first = run(das, given)
    assert ha.normalize_current(stored_after(das, given), HOST_NAMES, DS_NAMES) == first['after']
    assert (first['spec'] is None) == (first['before'] == first['after'])


@settings(max_examples=100, deadline=None)
@given(das=starting_points, given=options)
def test_settings_not_given_keep_their_value(das, given):
    result = run(das, given)
    untouched = [key for key in ('enabled', 'host_monitoring', 'isolation_response', 'restart_priority', 'apd_delay', 'apd_reaction')
                 if given.get(key) is None]
    for key in untouched:
        assert result['after'][key] == result['before'][key]
    if given.get('isolation_addresses') is None:
        assert result['after']['isolation_addresses'] == result['before']['isolation_addresses']
    if given.get('admission_control') is None:
        assert result['after']['admission_control'] == result['before']['admission_control']


@settings(max_examples=150, deadline=None)
@given(das=starting_points, given=options)
def test_the_plan_reaches_every_given_setting(das, given):
    after = run(das, given)['after']
    for key in ('enabled', 'host_monitoring', 'use_default_isolation_address', 'isolation_response', 'isolation_shutdown_timeout',
                'restart_priority', 'heartbeat_datastores_per_host', 'apd_response', 'apd_delay', 'apd_reaction', 'pdl_response'):
        if given.get(key) is not None:
            assert after[key] == given[key], key
    if given.get('isolation_addresses') is not None:
        assert after['isolation_addresses'] == given['isolation_addresses']
    if given.get('heartbeat_datastores') is not None:
        assert after['heartbeat_datastores'] == {'policy': given['heartbeat_datastores']['policy'],
                                                 'datastores': sorted(given['heartbeat_datastores']['datastores'])}
    stored = dict((k.lower(), v) for k, v in after['advanced_options'].items())
    for key, value in (given.get('advanced_options') or {}).items():
        assert stored.get(key.lower()) == (None if value is None else ha.option_text(value))
    if given.get('advanced_options_purge'):
        assert set(stored) == set(k.lower() for k, v in (given.get('advanced_options') or {}).items() if v is not None)
    monitoring = given.get('vm_monitoring') or {}
    for key, value in monitoring.items():
        if value is not None:
            assert after['vm_monitoring'][key] == value
    if given.get('apd_response') is not None or given.get('pdl_response') is not None:
        acting = [after['apd_response'], after['pdl_response']]
        assert after['vm_component_protection'] is any(v not in (None, 'disabled') for v in acting)
    admission_given = given.get('admission_control')
    if admission_given is not None:
        admission_after = after['admission_control']
        assert admission_after['enabled'] is (admission_given['policy'] != 'disabled')
        if admission_given['policy'] != 'disabled':
            assert admission_after['policy'] == admission_given['policy']
            for key, value in admission_given.items():
                if key != 'policy' and value is not None:
                    assert admission_after[key] == (sorted(value) if key == 'hosts' else value), key
