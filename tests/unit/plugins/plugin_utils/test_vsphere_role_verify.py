# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's verdict on the read-back and its closing summary."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.filter.vsphere_ha_role import FilterModule
from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import check
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.summary import summary_lines
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.verify import VERIFIED, verification
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import variables


def test_readback_without_change_is_verified():
    assert verification({'changed': False}) == {'ok': True, 'verified': True, 'message': VERIFIED}


def test_readback_that_would_change_fails_with_the_difference():
    found = verification({'changed': True, 'diff': {'before': {'enabled': False}, 'after': {'enabled': True}}})
    assert found['ok'] is False
    assert found['message'].startswith('The cluster does not match after the run; still different: {"after"')


def test_skipped_readback_is_no_verdict():
    found = verification({'changed': False, 'skipped': True, 'skip_reason': 'Conditional result was False'})
    assert found['ok'] is True and found['verified'] is False and found['message'].startswith('Not verified')


OPTIONS = {'enabled': True, 'admission_control': {'policy': 'percentage', 'cpu_percent': 34, 'memory_percent': 34,
                                                  'auto_compute': False}}
CHECKS = [check('min_hosts', True, 'fail', '3 connected host(s), at least 2 needed')]
GATE = {'summary': 'Failover capacity OK: the cluster tolerates 2 host failure(s) (1 requested, view configured).'}


def test_summary_of_a_real_run():
    lines = summary_lines({'vsan': True}, variables(), OPTIONS, CHECKS,
                          {'changed': True, 'changed_fields': ['enabled', 'option']}, GATE, False)
    assert lines == [
        'Cluster VSAN-Cluster in DC-VSAN (vSAN)',
        'Changed: HA settings in one reconfigure (enabled, option)',
        'Applied settings: {"enabled": true, "admission_control": {"policy": "percentage", "cpu_percent": 34, '
        '"memory_percent": 34, "auto_compute": false}}',
        'Capacity: ' + GATE['summary'],
        'Admission control: {"policy": "percentage", "cpu_percent": 34, "memory_percent": 34, "auto_compute": false}',
        'Checks:',
        'PASS     min_hosts 3 connected host(s), at least 2 needed',
    ]


def test_summary_in_check_mode_without_admission_control():
    lines = summary_lines({'vsan': False}, variables(), {'enabled': True}, CHECKS, {'changed': False}, None, True)
    assert lines[0] == 'Cluster VSAN-Cluster in DC-VSAN - CHECK MODE, nothing was written'
    assert lines[1] == 'Would change: nothing'
    assert lines[3] == 'Capacity: not evaluated'
    assert lines[4] == 'Admission control: left as it is'


def test_summary_says_plainly_that_n_plus_0_is_no_failover_protection():
    # L9: with the check on warn, "Capacity OK" alone would read as protection.
    lines = summary_lines({'vsan': False}, variables(host_failures=0, check_failover_protection='warn'), OPTIONS,
                          CHECKS, {'changed': True}, GATE, False)
    assert lines[3].startswith('Capacity: NO FAILOVER PROTECTION - vsphere_ha_host_failures is 0 (N+0)')


def test_filters_turn_bad_input_into_one_filter_error():
    filters = FilterModule().filters()
    assert sorted(filters) == ['vsphere_ha_cluster_facts', 'vsphere_ha_desired_settings', 'vsphere_ha_preflight',
                               'vsphere_ha_role_variables', 'vsphere_ha_summary_lines', 'vsphere_ha_verification']
    with pytest.raises(AnsibleFilterError, match='^vsphere_ha_role_variables: vsphere_ha_cluster is empty'):
        filters['vsphere_ha_role_variables']({'datacenter': 'DC1', 'cluster': ''})
