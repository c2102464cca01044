# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure vSphere HA normalisation, validation and planning (_vsphere_ha)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_ha as ha
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

CLUSTER = {
    'name': 'C1',
    'vsan_enabled': False,
    'hosts': {'esx1': 'host-1', 'esx2': 'host-2', 'esx3': 'host-3'},
    'datastores': {
        'nfs-01': {'moid': 'datastore-11', 'type': 'NFS', 'shared': True},
        'nfs-02': {'moid': 'datastore-12', 'type': 'NFS', 'shared': True},
        'local-1': {'moid': 'datastore-13', 'type': 'VMFS', 'shared': False},
        'vsanDatastore': {'moid': 'datastore-14', 'type': 'vsan', 'shared': True},
    },
}
HOST_NAMES = dict((m, n) for n, m in CLUSTER['hosts'].items())
DS_NAMES = dict((d['moid'], n) for n, d in CLUSTER['datastores'].items())

# A das config as vCenter returns it for a configured cluster (to_plain form).
CONFIGURED = {
    '_type': 'ClusterDasConfigInfo',
    'enabled': True,
    'hostMonitoring': 'enabled',
    'vmMonitoring': 'vmMonitoringDisabled',
    'vmComponentProtecting': 'disabled',
    'admissionControlEnabled': True,
    'admissionControlPolicy': {'_type': 'ClusterFailoverResourcesAdmissionControlPolicy', 'cpuFailoverResourcesPercent': 33,
                               'memoryFailoverResourcesPercent': 33, 'autoComputePercentages': True, 'failoverLevel': 1},
    'defaultVmSettings': {'_type': 'ClusterDasVmSettings', 'restartPriority': 'medium', 'isolationResponse': 'none',
                          'vmToolsMonitoringSettings': {'_type': 'ClusterVmToolsMonitoringSettings', 'failureInterval': 30,
                                                        'minUpTime': 120, 'maxFailures': 3, 'maxFailureWindow': -1},
                          'vmComponentProtectionSettings': {'_type': 'ClusterVmComponentProtectionSettings',
                                                            'vmStorageProtectionForAPD': 'disabled',
                                                            'vmStorageProtectionForPDL': 'disabled'}},
    'option': [
        {'_type': 'OptionValue', 'key': 'das.isolationAddress0', 'value': '192.0.2.1'},
        {'_type': 'OptionValue', 'key': 'das.isolationaddress1', 'value': '192.0.2.2'},
        {'_type': 'OptionValue', 'key': 'das.isolationaddress2', 'value': '192.0.2.3'},
        {'_type': 'OptionValue', 'key': 'das.usedefaultisolationaddress', 'value': 'True'},
        {'_type': 'OptionValue', 'key': 'das.ignoreRedundantNetWarning', 'value': 'true'},
        {'_type': 'OptionValue', 'key': 'das.blank', 'value': ''},
    ],
    'hBDatastoreCandidatePolicy': 'allFeasibleDsWithUserPreference',
    'heartbeatDatastore': ['datastore-12', 'datastore-11'],
}


def params(**kwargs):
    base = dict(enabled=None, host_monitoring=None, isolation_addresses=None, use_default_isolation_address=None,
                isolation_response=None, isolation_shutdown_timeout=None, restart_priority=None, heartbeat_datastores=None,
                heartbeat_datastores_per_host=None, admission_control=None, vm_monitoring=None, apd_response=None,
                apd_delay=None, apd_reaction=None, pdl_response=None, advanced_options=None, advanced_options_purge=False)
    base.update(kwargs)
    return base


def admission(**kwargs):
    base = dict(policy=None, failover_level=None, cpu_percent=None, memory_percent=None, auto_compute=None, hosts=None,
                performance_tolerance=None)
    base.update(kwargs)
    return base


def plan(das, **kwargs):
    return ha.plan(das, params(**kwargs), CLUSTER, HOST_NAMES, DS_NAMES)


def error_of(das, **kwargs):
    with pytest.raises(HaInputError) as caught:
        plan(das, **kwargs)
    return str(caught.value)


# ----------------------------------------------------------------- normalising what vCenter returns

def test_empty_das_config_of_a_new_cluster_normalises_to_unset_values():
    state = ha.normalize_current({})
    assert state['enabled'] is False
    assert state['host_monitoring'] is None and state['restart_priority'] is None
    assert state['isolation_addresses'] == [] and state['advanced_options'] == {}
    assert state['admission_control'] == {'enabled': False, 'policy': None}


def test_configured_cluster_normalises_names_options_and_policy():
    state = ha.normalize_current(CONFIGURED, HOST_NAMES, DS_NAMES)
    assert state['isolation_addresses'] == ['192.0.2.1', '192.0.2.2', '192.0.2.3']
    assert state['use_default_isolation_address'] is True
    assert state['advanced_options'] == {'das.ignoreRedundantNetWarning': 'true'}  # the blank option counts as absent
    assert state['heartbeat_datastores'] == {'policy': 'allFeasibleDsWithUserPreference', 'datastores': ['nfs-01', 'nfs-02']}
    assert state['admission_control'] == {'enabled': True, 'policy': 'percentage', 'failover_level': 1, 'performance_tolerance': None,
                                          'auto_compute': True, 'cpu_percent': None, 'memory_percent': None}
    assert state['vm_monitoring'] == {'mode': 'vmMonitoringDisabled', 'failure_interval': 30, 'min_up_time': 120,
                                      'max_failures': 3, 'max_failure_window': -1}


def test_isolation_addresses_are_ordered_by_index_not_by_list_position():
    das = {'option': [{'key': 'das.isolationaddress1', 'value': 'b::1'}, {'key': 'das.isolationaddress0', 'value': '10.0.0.1'}]}
    assert ha.normalize_current(das)['isolation_addresses'] == ['10.0.0.1', 'b::1']


def test_dedicated_hosts_are_reported_by_name_sorted():
    das = {'admissionControlEnabled': True, 'admissionControlPolicy': {
        '_type': 'ClusterFailoverHostAdmissionControlPolicy', 'failoverHosts': ['host-3', 'host-1'], 'failoverLevel': 2}}
    assert ha.normalize_current(das, HOST_NAMES)['admission_control']['hosts'] == ['esx1', 'esx3']


# ----------------------------------------------------------------- idempotency

def test_same_settings_again_plan_no_change():
    result = plan(CONFIGURED, enabled=True, host_monitoring=True, isolation_addresses=['192.0.2.1', '192.0.2.2', '192.0.2.3'],
                  use_default_isolation_address=True, restart_priority='medium', isolation_response='none',
                  admission_control=admission(policy='percentage', auto_compute=True, failover_level=1),
                  heartbeat_datastores={'policy': 'allFeasibleDsWithUserPreference', 'datastores': ['nfs-02', 'nfs-01']},
                  advanced_options={'DAS.IGNOREREDUNDANTNETWARNING': True}, apd_response='disabled', pdl_response='disabled',
                  vm_monitoring={'mode': 'vmMonitoringDisabled', 'failure_interval': 30})
    assert result['spec'] is None
    assert result['before'] == result['after']


def test_nothing_given_changes_nothing():
    assert plan(CONFIGURED)['spec'] is None


def test_ipv6_spelling_differences_are_not_a_change():
    das = {'option': [{'key': 'das.isolationaddress0', 'value': '2001:DB8:0::1'}]}
    assert plan(das, isolation_addresses=['2001:db8::1'])['spec'] is None


def test_applying_the_predicted_config_again_is_a_no_op():
    first = plan(CONFIGURED, restart_priority='high', isolation_addresses=['192.0.2.9'], advanced_options={'das.x': 1},
                 admission_control=admission(policy='slots', failover_level=2))
    after_das = ha.apply_desired(CONFIGURED, ha.normalize_desired(params(
        restart_priority='high', isolation_addresses=['192.0.2.9'], advanced_options={'das.x': 1},
        admission_control=admission(policy='slots', failover_level=2))), CLUSTER)
    assert first['spec'] is not None
    second = plan(after_das, restart_priority='high', isolation_addresses=['192.0.2.9'], advanced_options={'das.x': 1},
                  admission_control=admission(policy='slots', failover_level=2))
    assert second['spec'] is None


# ----------------------------------------------------------------- spec building

def test_only_changed_fields_are_sent_and_of_vm_settings_only_the_changed_parts():
    # M8: a concurrent run's change to another part of defaultVmSettings is not reverted
    # (with modify=True vCenter leaves unset fields of ClusterDasVmSettings alone).
    result = plan(CONFIGURED, restart_priority='highest')
    spec = result['spec']
    assert sorted(k for k in spec if k != '_type') == ['defaultVmSettings']
    assert spec['defaultVmSettings'] == {'_type': 'ClusterDasVmSettings', 'restartPriority': 'highest'}
    assert result['after']['isolation_response'] == 'none'  # kept, not reset


def test_enable_on_an_empty_cluster_sends_only_enabled():
    spec = plan({}, enabled=True)['spec']
    assert spec == {'_type': 'ClusterDasConfigInfo', 'enabled': True}


def test_isolation_addresses_replace_and_drop_higher_indices():
    result = plan(CONFIGURED, isolation_addresses=['198.51.100.1'])
    options = [(o['key'], o['value']) for o in result['spec']['option']]
    assert options == [('das.isolationAddress0', '198.51.100.1'), ('das.usedefaultisolationaddress', 'True'),
                       ('das.ignoreRedundantNetWarning', 'true')]
    assert result['removed_keys'] == ['das.isolationaddress1', 'das.isolationaddress2']
    assert result['after']['isolation_addresses'] == ['198.51.100.1']


def test_empty_isolation_list_removes_all_addresses():
    result = plan(CONFIGURED, isolation_addresses=[])
    assert [o['key'] for o in result['spec']['option']] == ['das.usedefaultisolationaddress', 'das.ignoreRedundantNetWarning']
    assert len(result['removed_keys']) == 3


def test_removing_the_last_options_sends_them_blank_because_empty_arrays_are_not_serialised():
    das = {'option': [{'key': 'das.isolationaddress0', 'value': '192.0.2.1'}]}
    result = plan(das, isolation_addresses=[])
    assert result['spec']['option'] == [{'_type': 'OptionValue', 'key': 'das.isolationaddress0', 'value': ''}]


def test_first_class_options_are_written_as_lowercase_strings():
    result = plan({}, isolation_addresses=['192.0.2.1'], use_default_isolation_address=False, isolation_shutdown_timeout=120,
                  heartbeat_datastores_per_host=3)
    assert [(o['key'], o['value']) for o in result['spec']['option']] == [
        ('das.isolationaddress0', '192.0.2.1'), ('das.usedefaultisolationaddress', 'false'), ('das.isolationshutdowntimeout', '120'),
        ('das.heartbeatdsperhost', '3')]
    assert result['after']['use_default_isolation_address'] is False
    assert result['after']['isolation_shutdown_timeout'] == 120


def test_advanced_option_values_become_strings_and_keys_match_case_insensitively():
    result = plan(CONFIGURED, advanced_options={'das.IgnoreRedundantNetWarning': False, 'das.slotMemInMB': 512})
    options = dict((o['key'], o['value']) for o in result['spec']['option'])
    assert options['das.ignoreRedundantNetWarning'] == 'false'  # existing spelling kept
    assert options['das.slotMemInMB'] == '512'
    assert 'das.IgnoreRedundantNetWarning' not in options


def test_purge_removes_unlisted_other_keys_but_keeps_first_class_keys():
    result = plan(CONFIGURED, advanced_options={}, advanced_options_purge=True)
    keys = [o['key'] for o in result['spec']['option']]
    assert 'das.ignoreRedundantNetWarning' not in keys
    assert 'das.usedefaultisolationaddress' in keys and 'das.isolationAddress0' in keys
    assert result['removed_keys'] == ['das.ignoreRedundantNetWarning']


def test_null_value_removes_one_key():
    result = plan(CONFIGURED, advanced_options={'das.ignoreredundantnetwarning': None})
    assert result['removed_keys'] == ['das.ignoreRedundantNetWarning']
    assert result['after']['advanced_options'] == {}


def test_blank_retry_spec_lists_the_keys_with_empty_values():
    assert ha.blank_options_spec(['das.a']) == {'_type': 'ClusterDasConfigInfo',
                                                'option': [{'_type': 'OptionValue', 'key': 'das.a', 'value': ''}]}


def test_heartbeat_policy_and_list_are_sent_together():
    spec = plan(CONFIGURED, heartbeat_datastores={'policy': 'userSelectedDs', 'datastores': ['nfs-01']})['spec']
    assert spec['hBDatastoreCandidatePolicy'] == 'userSelectedDs'
    assert spec['heartbeatDatastore'] == ['datastore-11']


def test_vm_monitoring_sets_mode_at_both_levels_and_timers():
    spec = plan(CONFIGURED, vm_monitoring={'mode': 'vmAndAppMonitoring', 'failure_interval': 60})['spec']
    assert spec['vmMonitoring'] == 'vmAndAppMonitoring'
    tools = spec['defaultVmSettings']['vmToolsMonitoringSettings']
    assert tools['enabled'] is True and tools['vmMonitoring'] == 'vmAndAppMonitoring' and tools['failureInterval'] == 60
    assert 'minUpTime' not in tools  # unchanged parts are not sent (M8)


# ----------------------------------------------------------------- VMCP

@pytest.mark.parametrize('apd, pdl, expected', [
    ('restartConservative', None, 'enabled'),  # APD alone switches VMCP on (vmware.vmware only looked at PDL)
    (None, 'warning', 'enabled'),
    ('disabled', 'disabled', 'disabled'),
])
def test_vmcp_follows_apd_or_pdl(apd, pdl, expected):
    das = copy.deepcopy(CONFIGURED)
    das['vmComponentProtecting'] = 'enabled'
    das['defaultVmSettings']['vmComponentProtectionSettings']['vmStorageProtectionForAPD'] = 'warning'
    if expected == 'enabled':
        das['vmComponentProtecting'] = 'disabled'
        das['defaultVmSettings']['vmComponentProtectionSettings']['vmStorageProtectionForAPD'] = 'disabled'
    spec = plan(das, apd_response=apd, pdl_response=pdl)['spec']
    assert spec['vmComponentProtecting'] == expected


def test_apd_delay_alone_does_not_touch_the_vmcp_flag():
    spec = plan(CONFIGURED, apd_delay=240)['spec']
    assert 'vmComponentProtecting' not in spec
    assert spec['defaultVmSettings']['vmComponentProtectionSettings']['vmTerminateDelayForAPDSec'] == 240


# ----------------------------------------------------------------- admission control

def test_matching_policy_with_admission_control_disabled_is_a_change():
    das = copy.deepcopy(CONFIGURED)
    das['admissionControlEnabled'] = False
    spec = plan(das, admission_control=admission(policy='percentage'))['spec']
    assert spec['admissionControlEnabled'] is True


def test_disabled_keeps_the_stored_policy():
    spec = plan(CONFIGURED, admission_control=admission(policy='disabled'))['spec']
    assert spec['admissionControlEnabled'] is False
    assert 'admissionControlPolicy' not in spec


def test_fixed_percentages_send_auto_compute_false_explicitly():
    spec = plan(CONFIGURED, admission_control=admission(policy='percentage', cpu_percent=25, memory_percent=30))['spec']
    policy = spec['admissionControlPolicy']
    assert policy['autoComputePercentages'] is False
    assert (policy['cpuFailoverResourcesPercent'], policy['memoryFailoverResourcesPercent']) == (25, 30)


def test_switching_to_percentage_defaults_to_auto_compute_with_level_one():
    das = {'admissionControlEnabled': True, 'admissionControlPolicy': {'_type': 'ClusterFailoverLevelAdmissionControlPolicy', 'failoverLevel': 2}}
    policy = plan(das, admission_control=admission(policy='percentage'))['spec']['admissionControlPolicy']
    assert policy['_type'] == 'ClusterFailoverResourcesAdmissionControlPolicy'
    assert policy['autoComputePercentages'] is True
    assert policy['failoverLevel'] == 2  # the level is kept from the old policy


def test_dedicated_hosts_are_sent_as_moids():
    policy = plan(CONFIGURED, admission_control=admission(policy='dedicated_hosts', hosts=['esx3']))['spec']['admissionControlPolicy']
    assert policy == {'_type': 'ClusterFailoverHostAdmissionControlPolicy', 'failoverHosts': ['host-3'], 'failoverLevel': 1}


def test_performance_tolerance_is_part_of_the_policy():
    policy = plan(CONFIGURED, admission_control=admission(policy='percentage', performance_tolerance=20))['spec']['admissionControlPolicy']
    assert policy['resourceReductionToToleratePercent'] == 20


# ----------------------------------------------------------------- bad input: one sentence, option named

@pytest.mark.parametrize('kwargs, fragment', [
    (dict(isolation_addresses=['192.0.2.300']), 'isolation_addresses entry'),
    (dict(isolation_addresses=['192.0.2.1', '192.0.2.01'.replace('01', '1')]), 'lists 192.0.2.1 twice'),
    (dict(isolation_addresses=['2001:db8::1', '2001:DB8::1']), 'twice'),
    (dict(isolation_addresses=['192.0.2.%d' % i for i in range(11)]), 'at most 10'),
    (dict(heartbeat_datastores_per_host=6), 'heartbeat_datastores_per_host is 6'),
    (dict(heartbeat_datastores_per_host=1), 'between 2 and 5'),
    (dict(heartbeat_datastores={'policy': 'userSelectedDs', 'datastores': ['nope']}), "names 'nope'"),
    (dict(heartbeat_datastores={'policy': 'userSelectedDs', 'datastores': ['vsanDatastore']}), 'vSAN datastore'),
    (dict(heartbeat_datastores={'policy': 'userSelectedDs', 'datastores': ['local-1']}), 'not shared'),
    (dict(heartbeat_datastores={'policy': 'allFeasibleDs', 'datastores': ['nfs-01']}), 'must be empty'),
    (dict(heartbeat_datastores={'policy': 'userSelectedDs', 'datastores': ['nfs-01', 'nfs-01']}), 'twice'),
    (dict(admission_control=admission(policy='dedicated_hosts', hosts=['esx9'])), "admission_control.hosts names 'esx9'"),
    (dict(admission_control=admission(policy='percentage', cpu_percent=101, memory_percent=10)), 'cpu_percent is 101'),
    (dict(admission_control=admission(policy='percentage', memory_percent=-1, cpu_percent=1)), 'memory_percent is -1'),
    (dict(admission_control=admission(policy='percentage', auto_compute=True, cpu_percent=10)), 'conflicts'),
    (dict(admission_control=admission(policy='slots', hosts=['esx1'])), 'does not apply to policy slots'),
    (dict(admission_control=admission(policy='disabled', failover_level=1)), 'does not apply to policy disabled'),
    (dict(admission_control=admission(policy='slots', failover_level=3)), 'at most 2'),
    (dict(admission_control=admission(policy='slots', failover_level=0)), 'failover_level is 0'),
    (dict(admission_control=admission(policy='dedicated_hosts')), 'hosts is required'),
    (dict(admission_control=admission(policy='percentage', auto_compute=False, cpu_percent=10)), 'memory_percent is required'),
    (dict(advanced_options={'das.isolationaddress0': '192.0.2.1'}), 'isolation_addresses'),
    (dict(advanced_options={'das.HeartbeatDsPerHost': 3}), 'heartbeat_datastores_per_host'),
    (dict(advanced_options={'vpxd.foo': 1}), 'not a vSphere HA option'),
    (dict(advanced_options={'das.a': 1, 'DAS.A': 2}), 'same key'),
    (dict(advanced_options={'das.a': [1]}), 'give a string'),
    (dict(vm_monitoring={'failure_interval': 0}), 'vm_monitoring.failure_interval'),
])
def test_bad_input_is_refused_with_one_sentence_naming_the_option(kwargs, fragment):
    message = error_of(CONFIGURED, **kwargs)
    assert fragment in message
    assert message.endswith('.') and message.count('; ') <= 2


def test_vsan_cluster_with_only_the_default_isolation_address_warns_but_plans():
    cluster = dict(CLUSTER, vsan_enabled=True)
    result = ha.plan({}, params(use_default_isolation_address=True), cluster, HOST_NAMES, DS_NAMES)
    assert len(result['warnings']) == 1 and 'vSAN' in result['warnings'][0]
    assert result['spec'] is not None
    with_addresses = ha.plan({}, params(use_default_isolation_address=True, isolation_addresses=['192.0.2.1']), cluster, HOST_NAMES, DS_NAMES)
    assert with_addresses['warnings'] == []


def test_unapplied_lists_state_keys_vcenter_did_not_keep():
    before = ha.normalize_current({})
    expected = ha.normalize_current({'enabled': True})
    assert ha.unapplied(expected, before) == ['enabled']
    assert ha.unapplied(expected, expected) == []


def test_failover_level_on_a_one_host_cluster_says_failover_needs_a_second_host():
    # L15: "set it to at most 1" on a one-host cluster asked for the value that was just refused.
    one_host = dict(CLUSTER, hosts={'esx1': 'host-1'})
    with pytest.raises(HaInputError) as caught:
        ha.plan({}, params(admission_control=admission(policy='slots', failover_level=1)), one_host,
                {'host-1': 'esx1'}, DS_NAMES)
    message = str(caught.value)
    assert 'at most' not in message
    assert 'cluster C1 has 1 host' in message and 'add a host' in message
