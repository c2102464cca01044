# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's preflight checks, above all the seed's vSAN isolation-address rule on the real vSAN network."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

import pytest
from hypothesis import given, strategies as st

from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.facts import cluster_facts
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.preflight import preflight_checks
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.settings import desired_settings
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import (
    plain_info, vsan_host, vsan_info, variables)


def run(info, **overrides):
    facts = cluster_facts(info)
    given_variables = variables(**overrides)
    return preflight_checks(facts, desired_settings(facts, given_variables), given_variables)


def by_name(result, name):
    return [c for c in result['checks'] if c['name'] == name][0]


def isolation(info, address, **overrides):
    return by_name(run(info, isolation_addresses=[address], **overrides), 'vsan_isolation_address')


# --- drift case 3: the vSAN network is what vCenter reports, not an assumed /24

def test_address_outside_a_26_but_inside_its_24_is_refused():
    found = isolation(vsan_info(prefix=26), '192.168.50.100')
    assert found['status'] == 'fail'
    assert found['summary'] == 'isolation address(es) 192.168.50.100 not in a vSAN VMkernel subnet (192.168.50.0/26)'


def test_address_inside_the_26_is_accepted():
    found = isolation(vsan_info(prefix=26), '192.168.50.62')
    assert found['status'] == 'pass'
    assert found['evidence']['vsan_networks'] == ['192.168.50.0/26']


def test_gateway_of_a_22_outside_the_addresses_24_is_accepted():
    assert isolation(vsan_info(prefix=22), '192.168.48.1')['status'] == 'pass'


def test_ipv6_isolation_address_on_an_ipv6_vsan_network():
    info = vsan_info(hosts=[vsan_host(i, '2001:db8:50::%d' % i, '2001:db8:50::/64') for i in (1, 2, 3)])
    assert isolation(info, '2001:db8:50::1')['status'] == 'pass'
    assert isolation(info, '2001:db8:51::1')['status'] == 'fail'


TEN = int(ipaddress.ip_address('10.0.0.0'))
# Plain unicast addresses in 10.0.0.0/8 (last octet 1-254), whatever the module's address rules.
unicast = st.tuples(st.integers(0, 2 ** 16 - 1), st.integers(1, 254)).map(lambda t: TEN + t[0] * 256 + t[1])


@given(unicast, st.integers(9, 30), unicast)
def test_accepted_exactly_when_inside_the_reported_network(base, prefix, candidate):
    network = ipaddress.ip_network((base, prefix), strict=False)
    host = str(network.network_address + 1)
    info = vsan_info(hosts=[vsan_host(1, host, str(network)), vsan_host(2, host, str(network))])
    address = ipaddress.ip_address(candidate)
    found = isolation(info, str(address))
    assert (found['status'] == 'pass') == (address in network)


# --- fail closed when the vSAN network cannot be read

def test_no_vsan_address_read_refuses_with_a_reason():
    info = vsan_info(hosts=[vsan_host(i, None, None) for i in (1, 2, 3)])
    found = isolation(info, '192.168.50.1')
    assert found['status'] == 'fail'
    assert 'the vSAN network could not be read' in found['summary']
    assert 'no vSAN VMkernel adapter with an address on any host' in found['summary']
    assert found['evidence']['hosts_without_vsan_network'] == ['vsan01.lab.local', 'vsan02.lab.local', 'vsan03.lab.local']


def test_addresses_without_a_mask_refuse_naming_them():
    info = vsan_info(hosts=[vsan_host(i, '192.168.50.%d' % (10 + i), None) for i in (1, 2)])
    found = isolation(info, '192.168.50.1')
    assert found['status'] == 'fail'
    assert 'vSAN VMkernel address(es) 192.168.50.11, 192.168.50.12 without a usable subnet mask' in found['summary']


def test_a_host_without_a_vsan_network_is_said_when_the_address_passes():
    info = vsan_info(hosts=[vsan_host(1, '192.168.50.11', '192.168.50.0/26'), vsan_host(2, None, None)])
    found = isolation(info, '192.168.50.1')
    assert found['status'] == 'pass'
    assert found['summary'].endswith('no vSAN network was read for host(s) vsan02.lab.local')


def test_no_isolation_address_on_vsan_is_refused():
    found = by_name(run(vsan_info()), 'vsan_isolation_address')
    assert found['status'] == 'fail' and found['summary'].startswith('no isolation address given')


# --- the other seed rules and the preconditions

def test_vsan_rules_pass_with_the_auto_settings():
    result = run(vsan_info(), isolation_addresses=['192.168.50.1'])
    assert [(c['name'], c['status']) for c in result['checks']] == [
        ('min_hosts', 'pass'), ('heartbeat_datastores', 'n/a'), ('failover_protection', 'pass'),
        ('vsan_isolation_address', 'pass'), ('vsan_default_isolation_address', 'pass'),
        ('vsan_isolation_response', 'pass'), ('vsan_heartbeat_datastore', 'pass'), ('vsan_host_monitoring', 'pass'),
        ('vsan_restart_priority', 'pass'), ('vsan_min_hosts', 'pass')]
    assert result['refusal'] == '' and result['warnings'] == []


@pytest.mark.parametrize('overrides, name, summary', [
    ({'isolation_response': 'none'}, 'vsan_isolation_response', 'host isolation response none (powerOff wanted)'),
    ({'use_default_isolation_address': 'true'}, 'vsan_default_isolation_address',
     'das.usedefaultisolationaddress true (false wanted)'),
    ({'heartbeat_datastores': ['vsanDatastore'], 'heartbeat_datastore_policy': 'userSelectedDs'},
     'vsan_heartbeat_datastore', 'vSAN datastore(s) vsanDatastore cannot carry heartbeats'),
])
def test_overrides_that_break_a_seed_rule_are_caught(overrides, name, summary):
    found = by_name(run(vsan_info(), isolation_addresses=['192.168.50.1'], **overrides), name)
    assert found['summary'] == summary and found['status'] in ('fail', 'warn')


def test_plain_cluster_skips_the_vsan_rules_and_counts_heartbeat_datastores():
    result = run(plain_info(), min_heartbeat_datastores=3)
    statuses = dict((c['name'], c['status']) for c in result['checks'])
    assert statuses['heartbeat_datastores'] == 'fail'
    assert [statuses[n] for n in statuses if n.startswith('vsan_')] == ['n/a'] * 7
    assert result['refusal'].startswith('Preflight refused HA on this cluster: heartbeat_datastores: 2 non-vSAN '
                                        'datastore(s) mounted by at least two hosts of this cluster')


def test_min_hosts_counts_connected_hosts_only():
    info = plain_info()
    info['hosts'][0]['maintenance'] = True
    found = by_name(run(info, min_hosts=3), 'min_hosts')
    assert found['status'] == 'fail' and found['summary'] == '2 connected host(s), at least 3 needed'


# --- L9: N+0 is no failover protection

def test_zero_host_failures_is_refused_as_no_failover_protection():
    result = run(plain_info(), host_failures=0)
    found = by_name(result, 'failover_protection')
    assert found['status'] == 'fail'
    assert 'no failover protection' in found['summary'] and 'set it to 1 or more' in found['summary']
    assert 'failover_protection' in result['refusal']


def test_zero_host_failures_accepted_as_a_warning_when_asked():
    result = run(plain_info(), host_failures=0, check_failover_protection='warn')
    assert result['refusal'] == ''
    assert result['warnings'][0].startswith('WARNING failover_protection: vsphere_ha_host_failures is 0 (N+0)')


def test_failover_protection_does_not_apply_when_ha_is_turned_off():
    assert by_name(run(plain_info(), host_failures=0, enabled=False), 'failover_protection')['status'] == 'n/a'


def test_lines_and_warn_action():
    result = run(vsan_info(), check_vsan_isolation_address='warn', use_default_isolation_address='false')
    assert result['refusal'] == ''
    assert any(line.startswith('WARN     vsan_isolation_address') for line in result['lines'])
    assert result['warnings'][0].startswith('WARNING vsan_isolation_address: no isolation address given')


# --- issue 14: without host monitoring or with restart priority disabled no isolation response happens

def test_host_monitoring_off_on_vsan_is_refused():
    found = by_name(run(vsan_info(), isolation_addresses=['192.168.50.1'], host_monitoring=False), 'vsan_host_monitoring')
    assert found['status'] == 'fail'
    assert found['summary'] == 'host monitoring off (on wanted: without it no isolation response happens)'


def test_restart_priority_disabled_on_vsan_is_refused_planned_or_current():
    found = by_name(run(vsan_info(), isolation_addresses=['192.168.50.1'], restart_priority='disabled'), 'vsan_restart_priority')
    assert found['status'] == 'fail' and found['summary'].startswith('default restart priority disabled')
    info = vsan_info()
    info['ha_config']['restart_priority'] = 'disabled'  # left as it is by the role: the current one counts
    result = run(info, isolation_addresses=['192.168.50.1'])
    assert by_name(result, 'vsan_restart_priority')['status'] == 'fail'
    assert 'vsan_restart_priority' in result['refusal']
    assert by_name(run(info, isolation_addresses=['192.168.50.1'], restart_priority='high'), 'vsan_restart_priority')['status'] == 'pass'


def test_unreadable_restart_priority_fails_closed_saying_what_was_not_read():
    info = vsan_info()
    del info['ha_config']
    found = by_name(run(info, isolation_addresses=['192.168.50.1']), 'vsan_restart_priority')
    assert found['status'] == 'fail'
    assert "the cluster's default restart priority could not be read" in found['summary']
    assert 'ha_config.restart_priority' in found['summary']
    # Host monitoring is planned by the role (vsphere_ha_host_monitoring), so it is known without the info module.
    assert by_name(run(info, isolation_addresses=['192.168.50.1']), 'vsan_host_monitoring')['status'] == 'pass'


def test_unreadable_host_monitoring_fails_closed():
    facts = cluster_facts(dict(vsan_info(), ha_config={'restart_priority': 'medium'}))
    planned = desired_settings(facts, variables(isolation_addresses=['192.168.50.1']))
    del planned['host_monitoring']
    result = preflight_checks(facts, planned, variables())
    found = by_name(result, 'vsan_host_monitoring')
    assert found['status'] == 'fail' and found['summary'].startswith('host monitoring could not be read')


# --- issue 14: vSAN needs 3 hosts, or 2 with a witness

def two_node_info():
    return vsan_info(hosts=[vsan_host(i, '192.168.50.%d' % (10 + i), '192.168.50.0/24') for i in (1, 2)])


def test_two_vsan_hosts_without_a_witness_are_refused():
    found = by_name(run(two_node_info(), isolation_addresses=['192.168.50.1']), 'vsan_min_hosts')
    assert found['status'] == 'fail'
    assert found['summary'].startswith('2 connected vSAN host(s); vSAN needs 3, or 2 with a witness host')
    assert 'vsphere_ha_vsan_witness' in found['summary']


def test_two_vsan_hosts_with_a_witness_pass():
    found = by_name(run(two_node_info(), isolation_addresses=['192.168.50.1'], vsan_witness=True), 'vsan_min_hosts')
    assert found['status'] == 'pass' and 'witness' in found['summary']


def test_vsan_counts_connected_hosts_only():
    info = vsan_info()
    info['hosts'][2]['maintenance'] = True
    assert by_name(run(info, isolation_addresses=['192.168.50.1']), 'vsan_min_hosts')['status'] == 'fail'


def test_one_host_with_a_witness_is_still_refused():
    info = vsan_info(hosts=[vsan_host(1, '192.168.50.11', '192.168.50.0/24')])
    assert by_name(run(info, isolation_addresses=['192.168.50.1'], vsan_witness=True), 'vsan_min_hosts')['status'] == 'fail'


# --- issue 14: a heartbeat datastore is shared when two hosts OF THIS CLUSTER mount it

def with_datastore(info, name, mounted_by, shared=True):
    info['datastores'].append({'name': name, 'moid': 'datastore-%s' % name, 'type': 'NFS', 'shared': shared,
                               'vsan': False, 'mounted_by': mounted_by})
    return info


def test_datastore_shared_with_another_cluster_only_is_no_heartbeat_candidate():
    info = plain_info()
    info['datastores'][1]['mounted_by'] = ['vsan01.lab.local', 'esx-of-another-cluster']
    result = run(info)
    found = by_name(result, 'heartbeat_datastores')
    assert found['status'] == 'fail' and found['evidence']['candidates'] == ['shared-vmfs01']
    assert found['evidence']['mounted_by']['shared-nfs01'] == ['vsan01.lab.local']


def test_vsan_chosen_heartbeat_datastore_not_mounted_by_two_cluster_hosts_is_caught():
    info = with_datastore(vsan_info(), 'nfs-elsewhere', ['vsan02.lab.local'])
    found = by_name(run(info, isolation_addresses=['192.168.50.1'], heartbeat_datastores=['nfs-elsewhere'],
                        heartbeat_datastore_policy='userSelectedDs'), 'vsan_heartbeat_datastore')
    assert found['status'] == 'warn'
    assert found['summary'] == 'heartbeat datastore(s) nfs-elsewhere not mounted by at least two hosts of this cluster'


def test_missing_mounts_fail_closed_naming_the_datastore():
    info = plain_info()
    for datastore in info['datastores']:
        del datastore['mounted_by']
    found = by_name(run(info), 'heartbeat_datastores')
    assert found['status'] == 'fail'
    assert found['summary'].startswith('the hosts that mount datastore(s) shared-nfs01, shared-vmfs01 could not be read')
    info = vsan_info()
    del info['datastores'][1]['mounted_by']
    found = by_name(run(info, isolation_addresses=['192.168.50.1']), 'vsan_heartbeat_datastore')
    assert found['status'] == 'warn' and 'shared-nfs01 could not be read' in found['summary']


# --- the info module's vsan.problems fail the isolation-address check closed

def test_reported_vsan_network_problems_fail_closed():
    info = vsan_info()
    info['vsan']['problems'] = ['host vsan03.lab.local: no vSAN VMkernel adapter is tagged for vSAN traffic']
    info['vsan']['networks_readable'] = False
    found = isolation(info, '192.168.50.1')
    assert found['status'] == 'fail'
    assert found['summary'].startswith('the vSAN network could not be read on every host (host vsan03.lab.local: no vSAN')
