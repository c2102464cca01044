# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Advanced-option keys (case duplicates, indexes, empty values) and the red-team refusals M9, L7, L8."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_ha as ha

from ansible_collections.clusterops.ha.tests.unit.plugins.module_utils.test_vsphere_ha import CONFIGURED, admission, error_of, plan


def das_with(*options):
    return {'_type': 'ClusterDasConfigInfo', 'enabled': True,
            'option': [{'_type': 'OptionValue', 'key': k, 'value': v} for k, v in options]}


def test_case_duplicate_isolation_keys_converge_to_one_key():
    das = das_with(('das.isolationaddress0', '192.0.2.1'), ('das.isolationAddress0', '192.0.2.9'))
    result = plan(das, isolation_addresses=['192.0.2.1'])
    assert result['before']['advanced_options_duplicates'] == ['das.isolationAddress0']
    assert result['spec'] is not None  # the stored state differs from what was asked
    assert [o['key'] for o in result['spec']['option']] == ['das.isolationaddress0']
    assert result['removed_keys'] == ['das.isolationAddress0']
    assert result['after']['advanced_options_duplicates'] == []


def test_case_duplicates_of_keys_the_run_does_not_manage_are_left_alone():
    das = das_with(('das.slotMemInMB', '512'), ('das.slotmeminmb', '1024'))
    result = plan(das, enabled=True)
    assert result['spec'] is None
    assert result['before']['advanced_options_duplicates'] == ['das.slotmeminmb']


def test_only_indexes_0_to_9_are_isolation_addresses():
    das = das_with(('das.isolationaddress9', '192.0.2.9'), ('das.isolationaddress10', '192.0.2.10'))
    state = ha.normalize_current(das)
    assert state['isolation_addresses'] == ['192.0.2.9']
    assert state['advanced_options'] == {'das.isolationaddress10': '192.0.2.10'}


@pytest.mark.parametrize('key', ['das.isolationaddress', 'das.isolationAddress', 'das.isolationaddress10'])
def test_index_less_or_out_of_range_isolation_keys_are_refused_in_advanced_options(key):
    message = error_of({}, advanced_options={key: '192.0.2.1'})
    assert message.startswith('advanced_options key %r is not an isolation address vSphere HA reads' % key)


def test_a_key_kept_with_an_empty_value_is_reported_as_present_but_empty():
    state = ha.normalize_current(CONFIGURED)
    assert state['advanced_options_empty'] == ['das.blank']
    assert 'das.blank' not in state['advanced_options']
    # Asking to remove it again plans nothing (it is already as removed as vCenter keeps it).
    assert plan(CONFIGURED, advanced_options={'das.blank': None})['spec'] is None


@pytest.mark.parametrize('address, why', [
    ('127.0.0.1', 'a loopback address'), ('::1', 'a loopback address'), ('0.0.0.0', 'the unspecified address'),
    ('::', 'the unspecified address'), ('255.255.255.255', 'the broadcast address'), ('224.0.0.1', 'a multicast address'),
    ('ff02::1', 'a multicast address'),
])
def test_isolation_addresses_that_can_never_detect_isolation_are_refused(address, why):
    message = error_of({}, isolation_addresses=['192.0.2.1', address])
    assert message == ('isolation_addresses entry %s is %s, which can never tell a host it is isolated; give an address of a '
                       'device that answers pings on the HA network, such as its gateway.' % (address, why))


@pytest.mark.parametrize('kwargs', [
    dict(isolation_addresses=[], use_default_isolation_address=False),
    dict(use_default_isolation_address=False),  # and no address stored
])
def test_no_isolation_address_at_all_is_refused(kwargs):
    assert error_of({}, **kwargs).startswith('isolation_addresses is empty while use_default_isolation_address is false')


def test_removing_the_last_address_while_the_default_is_off_is_refused():
    das = das_with(('das.isolationaddress0', '192.0.2.1'), ('das.usedefaultisolationaddress', 'false'))
    assert error_of(das, isolation_addresses=[]).startswith('isolation_addresses is empty while')
    assert plan(das, isolation_addresses=['192.0.2.2'])['spec'] is not None


def test_dedicated_failover_hosts_naming_every_host_are_refused():
    message = error_of({}, admission_control=admission(policy='dedicated_hosts', hosts=['esx1', 'esx2', 'esx3']))
    assert message == ('admission_control.hosts names every host of cluster C1, which leaves no host to run VMs on; '
                       'list only the hosts kept free for failover.')
    assert plan({}, admission_control=admission(policy='dedicated_hosts', hosts=['esx3']))['spec'] is not None


def test_vm_settings_send_only_the_changed_parts():
    spec = plan(CONFIGURED, vm_monitoring={'min_up_time': 0})['spec']
    assert spec['defaultVmSettings'] == {'_type': 'ClusterDasVmSettings', 'vmToolsMonitoringSettings': {
        '_type': 'ClusterVmToolsMonitoringSettings', 'minUpTime': 0}}


HOSTS = [
    {'name': 'esx2', 'moid': 'host-2', 'connection_state': 'connected', 'maintenance': False},
    {'name': 'esx1', 'moid': 'host-1', 'connection_state': 'connected', 'maintenance': False},
    {'name': 'esx3', 'moid': 'host-3', 'connection_state': 'notResponding', 'maintenance': False},
    {'name': 'esx4', 'moid': 'host-4', 'connection_state': 'connected', 'maintenance': True},
]
ON = {'enabled': True, 'isolation_addresses': ['192.0.2.1'], 'use_default_isolation_address': False}


@pytest.mark.parametrize('mode, after, reason, pending', [
    ('never', dict(ON, isolation_addresses=['192.0.2.2']), 'reconfigure_hosts is never', []),
    ('isolation_changed', ON, 'no isolation setting changed', []),
    ('isolation_changed', dict(ON, isolation_addresses=['192.0.2.2']), 'changed: isolation_addresses', ['esx1', 'esx2']),
    ('isolation_changed', dict(ON, use_default_isolation_address=True), 'changed: use_default_isolation_address', ['esx1', 'esx2']),
    ('always', ON, 'reconfigure_hosts is always', ['esx1', 'esx2']),
    ('always', dict(ON, enabled=False), 'vSphere HA is off on the cluster, so the hosts have no HA agent to reconfigure', []),
])
def test_which_hosts_are_reconfigured_for_ha(mode, after, reason, pending):
    planned = ha.plan_host_reconfigure(mode, ON, after, HOSTS)
    assert planned['reason'] == reason
    assert [h['name'] for h in planned['hosts'] if h['result'] == 'pending'] == pending
    if pending:
        skipped = dict((h['name'], h['message']) for h in planned['hosts'] if h['result'] == 'skipped')
        assert skipped == {'esx3': 'host is notResponding', 'esx4': 'host is in maintenance mode'}
