# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vsphere_cluster_ha options the role applies: explicit variables, the seed's vSAN rules, admission control."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.facts import cluster_facts
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.settings import desired_settings
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import (
    plain_info, vsan_info, variables)

VSAN = cluster_facts(vsan_info())
PLAIN = cluster_facts(plain_info())
GATE = {'vsphere_admission_control': {'memory_percent': 34, 'failover_level': 1}}


def test_vsan_auto_settings_follow_the_seed():
    options = desired_settings(VSAN, variables(isolation_addresses=['192.168.50.1']))
    assert options == {
        'enabled': True, 'host_monitoring': True, 'isolation_addresses': ['192.168.50.1'],
        'use_default_isolation_address': False, 'isolation_response': 'powerOff',
        'heartbeat_datastores': {'policy': 'allFeasibleDsWithUserPreference', 'datastores': ['shared-nfs01']},
        'reconfigure_hosts': 'isolation_changed',
    }
    assert list(options) == ['enabled', 'host_monitoring', 'isolation_addresses', 'use_default_isolation_address',
                             'isolation_response', 'heartbeat_datastores', 'reconfigure_hosts']


def test_vsan_without_addresses_leaves_the_default_address_alone():
    options = desired_settings(VSAN, variables())
    assert 'isolation_addresses' not in options and 'use_default_isolation_address' not in options


def test_plain_cluster_auto_leaves_everything_alone():
    assert desired_settings(PLAIN, variables()) == {'enabled': True, 'host_monitoring': True, 'reconfigure_hosts': 'never'}


def test_explicit_variables_win_over_the_vsan_rules():
    options = desired_settings(VSAN, variables(isolation_addresses=['192.168.50.1'], use_default_isolation_address='true',
                                               isolation_response='none', heartbeat_datastores=['vsanDatastore'],
                                               heartbeat_datastore_policy='userSelectedDs', restart_priority='high',
                                               advanced_options={'das.config.fdm.reportfailoverfailevent': '1'}))
    assert options['use_default_isolation_address'] is True
    assert options['isolation_response'] == 'none'
    assert options['heartbeat_datastores'] == {'policy': 'userSelectedDs', 'datastores': ['vsanDatastore']}
    assert options['restart_priority'] == 'high'
    assert options['advanced_options'] == {'das.config.fdm.reportfailoverfailevent': '1'}


def test_all_feasible_policy_takes_no_datastores():
    options = desired_settings(VSAN, variables(heartbeat_datastore_policy='allFeasibleDs'))
    assert options['heartbeat_datastores'] == {'policy': 'allFeasibleDs', 'datastores': []}


def test_comma_string_addresses_become_addresses():
    options = desired_settings(VSAN, variables(isolation_addresses='192.168.50.1,192.168.50.2'))
    assert options['isolation_addresses'] == ['192.168.50.1', '192.168.50.2']


@pytest.mark.parametrize('given, words', [
    (['10.1.1.1/24'], ['vsphere_ha_isolation_addresses', '10.1.1.1/24', 'give a plain address']),
    (['192.168.50.1', '192.168.50.1'], ['vsphere_ha_isolation_addresses', 'twice']),
    (['192.168.50.%d' % i for i in range(1, 12)], ['vsphere_ha_isolation_addresses', 'at most 10']),
])
def test_bad_isolation_addresses_are_refused_with_the_module_rules(given, words):
    with pytest.raises(HaInputError) as caught:
        desired_settings(VSAN, variables(isolation_addresses=given))
    for word in words:
        assert word in str(caught.value)


def test_no_admission_control_before_the_gate():
    assert 'admission_control' not in desired_settings(VSAN, variables())


@pytest.mark.parametrize('mode, k, expected', [
    ('from_capacity', 1, {'policy': 'percentage', 'cpu_percent': 34, 'memory_percent': 34, 'auto_compute': False}),
    ('slots', 2, {'policy': 'slots', 'failover_level': 2}),
    ('percentage_auto', 1, {'policy': 'percentage', 'failover_level': 1, 'auto_compute': True}),
    ('disabled', 1, {'policy': 'disabled'}),
    ('', 1, None),
])
def test_admission_control_modes(mode, k, expected):
    options = desired_settings(PLAIN, variables(admission_control=mode, host_failures=k), GATE)
    assert options.get('admission_control') == expected


def test_from_capacity_without_a_figure_is_refused():
    with pytest.raises(HaInputError, match='from_capacity but the capacity gate returned no admission-control figure'):
        desired_settings(PLAIN, variables(), {})


@pytest.mark.parametrize('mode', ['slots', 'percentage_auto'])
def test_failover_level_modes_need_one_failure_or_more(mode):
    with pytest.raises(HaInputError, match='vsphere_ha_admission_control %s needs vsphere_ha_host_failures' % mode):
        desired_settings(PLAIN, variables(admission_control=mode, host_failures=0), GATE)


# --- issue 14: the hosts' HA agents are reconfigured on vSAN clusters

@pytest.mark.parametrize('facts, given, expected', [
    (VSAN, '', 'isolation_changed'), (PLAIN, '', 'never'), (VSAN, 'never', 'never'), (PLAIN, 'always', 'always'),
])
def test_reconfigure_hosts_is_isolation_changed_on_vsan_unless_set(facts, given, expected):
    assert desired_settings(facts, variables(reconfigure_hosts=given))['reconfigure_hosts'] == expected


def test_auto_heartbeat_datastores_are_the_ones_two_hosts_of_this_cluster_mount():
    info = vsan_info()
    # Shared with a host of another cluster only: multipleHostAccess is true, but HA here cannot use it.
    info['datastores'].append({'name': 'nfs-other-cluster', 'moid': 'datastore-9', 'type': 'NFS', 'shared': True,
                               'vsan': False, 'mounted_by': ['vsan01.lab.local']})
    options = desired_settings(cluster_facts(info), variables())
    assert options['heartbeat_datastores']['datastores'] == ['shared-nfs01']
