# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vsphere_ha role: everything decided before the write, from one info result (assess)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.assess import assess
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.facts import cluster_facts
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.preflight import preflight_checks
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.settings import desired_settings
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import plain_info, variables


def with_model(info, host_gib=256, vm_gib=8, vms_per_host=4):
    """The info result with a capacity model: every host runs vms_per_host HA VMs."""
    names = sorted(h['name'] for h in info['hosts'])
    info['capacity_model'] = {
        'platform': 'vsphere', 'cluster': 'C1',
        'hosts': [{'name': n, 'memory_mb': host_gib * 1024} for n in names],
        'guests': [{'id': 'vm-%s-%d' % (n, i), 'host': n, 'memory_mb': vm_gib * 1024} for n in names
                   for i in range(vms_per_host)]}
    return info


def test_the_steps_are_the_role_functions_in_the_role_order():
    info = with_model(plain_info())
    wanted = role_variables(variables(admission_control='from_capacity'))
    result = assess(info, wanted)
    facts = cluster_facts(info)
    assert result['facts'] == facts
    assert result['planned'] == desired_settings(facts, wanted)
    assert result['preflight'] == preflight_checks(facts, result['planned'], wanted)
    assert result['preflight']['refusal'] == '' and result['capacity']['ok'] is True
    assert result['options'] == desired_settings(facts, wanted, result['capacity'])
    assert result['options']['admission_control']['policy'] == 'percentage' and result['options_error'] == ''


def test_the_verdict_answers_the_role_variables():
    info = with_model(plain_info(), host_gib=40, vm_gib=8)  # 32 GiB committed per 40 GiB host: no room for N+1
    result = assess(info, variables(host_failures='1'))
    assert result['capacity']['ok'] is False and result['capacity']['host_failures'] == 1


def test_a_preflight_refusal_stops_before_the_verdict():
    result = assess(with_model(plain_info()), variables(min_hosts=4))
    assert result['preflight']['refusal'] and result['capacity'] is None and result['options'] is None


def test_settings_that_cannot_be_settled_are_one_sentence_for_after_the_gate():
    result = assess(with_model(plain_info()), variables(admission_control='slots', host_failures=0,
                                                        check_failover_protection='warn'))
    assert result['options'] is None
    assert result['options_error'].startswith('vsphere_ha_admission_control slots needs vsphere_ha_host_failures of 1')


def test_bad_role_variables_are_refused_before_anything_is_decided():
    with pytest.raises(HaInputError, match='vsphere_ha_cluster is empty'):
        assess(plain_info(), variables(cluster=''))
