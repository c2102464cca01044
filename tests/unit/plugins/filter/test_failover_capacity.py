# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The failover_capacity filter: engine result through the plugin, errors as AnsibleFilterError."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.filter.failover_capacity import FilterModule, failover_capacity

__metaclass__ = type

MODEL = {
    'platform': 'vsphere',
    'cluster': 'lab',
    'hosts': [{'name': 'esx1', 'memory_mb': 65536}, {'name': 'esx2', 'memory_mb': 65536}, {'name': 'esx3', 'memory_mb': 65536}],
    'guests': [{'id': 'vm-%d' % i, 'host': 'esx%d' % (i % 3 + 1), 'memory_mb': 16384, 'reservation_mb': 4096} for i in range(8)],
}


def test_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {'failover_capacity': failover_capacity}


def test_defaults_are_n_plus_one_configured_no_margin():
    result = failover_capacity(MODEL)
    assert (result['host_failures'], result['view'], result['reserve_percent']) == (1, 'configured', 0)
    assert result['ok'] is True
    assert result['tolerated_host_failures'] == 1
    assert result['vsphere_admission_control'] == {'memory_percent': 34, 'failover_level': 1}


def test_positional_arguments_follow_the_documented_order():
    result = failover_capacity(MODEL, 2, 'reserved', 10)
    assert (result['host_failures'], result['view'], result['reserve_percent']) == (2, 'reserved', 10)
    assert result['aggregate']['committed_mb'] == 8 * 4096
    assert result['ok'] is True


def test_malformed_model_raises_one_sentence_filter_error():
    bad = dict(MODEL, guests=[{'id': 'vm-1', 'host': 'esx9', 'memory_mb': 1}])
    with pytest.raises(AnsibleFilterError) as err:
        failover_capacity(bad)
    assert str(err.value) == ("failover_capacity: capacity model: guests[0].host 'esx9' is not a known host; "
                              "add 'esx9' to hosts or correct the host of guest 'vm-1'.")


def test_bad_option_raises_filter_error():
    with pytest.raises(AnsibleFilterError, match="view must be 'configured' or 'reserved'"):
        failover_capacity(MODEL, view='demand')
