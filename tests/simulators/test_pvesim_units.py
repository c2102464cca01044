"""Unit tests of the simulator's pure parts: scenario loading, HA config rules, options, faults."""

import pytest
from fakepve.model import PveError

from pvesim import faults, options
from pvesim.ha import HaConfig, check_feasibility, encode_rule_nodes, parse_node_list, split_list
from pvesim.scenario import ScenarioError, generate_guests, normalise, read_scenario


def ha_config(major=9, guests=None):
    guests = guests if guests is not None else {100: 'qemu', 101: 'qemu', 102: 'lxc'}
    return HaConfig(major, lambda: ['pve1', 'pve2', 'pve3'], guests.get)


def test_node_lists():
    assert parse_node_list('pve2:0, pve1:5;pve3') == {'pve2': 0, 'pve1': 5, 'pve3': 0}
    assert encode_rule_nodes({'pve2': 0, 'pve1': 5}) == 'pve1:5,pve2'
    assert split_list(' a,b;c  d ') == ['a', 'b', 'c', 'd']


def test_sid_parsing():
    ha = ha_config()
    assert ha.parse_sid('100') == 'vm:100' and ha.parse_sid('102') == 'ct:102' and ha.parse_sid('vm:7') == 'vm:7'
    with pytest.raises(PveError, match='unable to detect SID from VMID - VM/CT 999 does not exist'):
        ha.parse_sid('999')
    with pytest.raises(PveError, match="unknown PVE resource type 'xx'"):
        ha.parse_sid('xx:1')


def test_digest_changes_with_the_whole_file():
    ha = ha_config()
    empty = ha.digest('resources')
    ha.create_resource({'sid': 'vm:100'})
    one = ha.digest('resources')
    ha.create_resource({'sid': 'vm:101'})
    assert len({empty, one, ha.digest('resources')}) == 3
    with pytest.raises(PveError, match='detected modified configuration'):
        ha.update_resource({'sid': 'vm:100', 'comment': 'x', 'digest': one})


def test_groups_migrated_only_on_pve9_without_groups():
    assert ha_config(9).groups_migrated and not ha_config(8).groups_migrated
    ha = ha_config(9)
    ha.groups['g'] = {'nodes': 'pve1'}
    assert not ha.groups_migrated


def test_feasibility_blames_every_rule_sharing_a_resource():
    rules = {'a': {'type': 'node-affinity', 'resources': ['vm:1'], 'nodes': {'pve1': 0}},
             'b': {'type': 'node-affinity', 'resources': ['vm:1', 'vm:2'], 'nodes': {'pve2': 0}},
             'c': {'type': 'node-affinity', 'resources': ['vm:1'], 'nodes': {'pve2': 0}, 'disable': 1}}
    errors = check_feasibility(rules, ['pve1', 'pve2'])
    assert set(errors) == {'a', 'b'}
    assert errors['a']['resources'] == ["resource 'vm:1' is already used in another node affinity rule"]


def test_feasibility_resource_affinity():
    rules = {'pos': {'type': 'resource-affinity', 'resources': ['vm:1', 'vm:2', 'vm:3'], 'affinity': 'positive'},
             'neg': {'type': 'resource-affinity', 'resources': ['vm:1', 'vm:2'], 'affinity': 'negative'},
             'big': {'type': 'resource-affinity', 'resources': ['vm:4', 'vm:5', 'vm:6'], 'affinity': 'negative'}}
    errors = check_feasibility(rules, ['pve1', 'pve2'])
    assert 'negative' in errors['pos']['resources'][0] and 'positive' in errors['neg']['resources'][0]
    assert errors['big']['resources'] == ['rule defines more resources than available nodes']


def test_purge_drops_empty_rules_only():
    ha = ha_config()
    for sid in ('vm:100', 'vm:101'):
        ha.create_resource({'sid': sid})
    ha.create_rule({'rule': 'one', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1'})
    ha.create_rule({'rule': 'two', 'type': 'node-affinity', 'resources': 'vm:101', 'nodes': 'pve2'})
    ha.delete_resource('vm:100')
    assert list(ha.rules) == ['two']
    ha.delete_resource('101', purge=False)
    assert ha.rules['two']['resources'] == ['vm:101']


def test_migrate_groups_turns_groups_into_rules():
    ha = ha_config()
    ha.groups['g'] = {'nodes': 'pve1:1,pve2', 'nofailback': 1, 'restricted': 1}
    ha.resources['vm:100'] = {'group': 'g', 'state': 'started'}
    ha.migrate_groups()
    assert ha.groups == {} and ha.resources['vm:100'] == {'state': 'started', 'failback': 0}
    assert ha.rules['ha-group-g']['strict'] == 1 and ha.rules['ha-group-g']['nodes'] == {'pve1': 1, 'pve2': 0}


def test_options_property_strings():
    assert options.parse_property_string('crs', 'static,ha-rebalance-on-start=1') == {
        'ha': 'static', 'ha-rebalance-on-start': 1}
    with pytest.raises(PveError) as info:
        options.parse_property_string('ha', 'shutdown_policy=later')
    assert info.value.status == 400 and 'ha' in info.value.errors
    stored = options.apply_options_update({'ha': {'shutdown_policy': 'freeze'}, 'fencing': 'watchdog'},
                                          {'delete': 'fencing', 'crs': 'ha=basic'})
    assert stored == {'ha': {'shutdown_policy': 'freeze'}, 'crs': {'ha': 'basic'}}


def test_backup_coverage():
    job = {'id': 'b', 'all': True, 'exclude': '101'}
    assert options.backup_covers(job, 100) and not options.backup_covers(job, 101)
    assert options.backup_covers({'id': 'b', 'vmid': [100, 102]}, 102)
    assert not options.backup_covers({'id': 'b', 'all': True, 'enabled': False}, 100)


def test_faults_match_count_and_words():
    pending = [faults.make_fault({'kind': 'lock', 'path': '^/cluster/ha/resources$', 'method': 'post', 'count': 2})]
    assert faults.take_fault(pending, 'GET', '/cluster/ha/resources') is None
    fault = faults.take_fault(pending, 'POST', '/cluster/ha/resources')
    assert faults.fault_message(fault, 'POST', '/cluster/ha/resources') == (
        500, "create resource failed: cfs-lock 'domain-ha' error: got lock request timeout")
    assert faults.take_fault(pending, 'POST', '/cluster/ha/resources') and pending == []
    forever = [faults.make_fault({'kind': 'http503', 'count': -1})]
    assert all(faults.take_fault(forever, 'GET', '/x') for _attempt in range(5)) and forever
    with pytest.raises(faults.FaultError):
        faults.make_fault({'kind': 'lock', 'count': 0})
    with pytest.raises(faults.FaultError, match='seconds'):
        faults.make_fault({'kind': 'latency', 'seconds': 3600})


def test_request_log_counts():
    log = faults.RequestLog(limit=2)
    log.add('POST', '/access/ticket', {'username': 'root@pam', 'password': 'secret'})
    log.add('GET', '/version', {})
    log.add('PUT', '/cluster/options', {'ha': 'shutdown_policy=freeze'})
    assert log.counts == {'login': 1, 'read': 1, 'write': 1, 'total': 3}
    assert [e['path'] for e in log.entries] == ['/version', '/cluster/options']


def aggregate_fits(scn):
    """The seed rule: running guests' memory within usable memory minus the largest node."""
    usable = [n['memory_mb'] - n['host_mem_mb'] for n in scn['nodes']]
    return sum(g['memory_mb'] for g in scn['guests'] if g['running']) <= sum(usable) - max(usable)


def test_scenarios_load_and_generate():
    bulk = read_scenario('pve9-bulk')
    assert len(bulk['guests']) == 1000 and {g['node'] for g in bulk['guests']} == {
        'pve1', 'pve2', 'pve3', 'pve4', 'pve5'}
    assert read_scenario('pve8-3node')['version'].startswith('8.')
    assert not aggregate_fits(read_scenario('pve9-nocapacity'))
    fits = read_scenario('pve9-3node')
    assert aggregate_fits(fits)
    assert fits['credentials']['tokens']['root@pam!ci'] and fits['ha'] == {'groups': [], 'resources': [], 'rules': []}
    assert [g['vmid'] for g in generate_guests({'guests': 3, 'start_vmid': 10}, ['a'], {11})] == [10, 12, 13]


def test_bad_scenarios_are_refused():
    with pytest.raises(ScenarioError, match='unique'):
        normalise({'guests': [{'vmid': 1, 'node': 'pve1'}, {'vmid': 1, 'node': 'pve1'}]})
    with pytest.raises(ScenarioError, match='not in the scenario nodes'):
        normalise({'guests': [{'vmid': 1, 'node': 'elsewhere'}]})
    with pytest.raises(ScenarioError, match='has no profile'):
        normalise({'version': '7.4'})
