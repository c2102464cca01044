# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Worked examples for the failover-capacity engine (pure logic, no simulator)."""

from __future__ import absolute_import, division, print_function

import json

import pytest

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity import engine
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import plan_failover
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError, normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import summary_sentence, with_report

__metaclass__ = type

GIB = 1024


def evaluate(model, *args, **kwargs):
    """The engine's result with its summary and report rendered, as the failover_capacity filter returns it."""
    return with_report(engine.evaluate(model, *args, **kwargs))


def host(name, gib, **extra):
    entry = {'name': name, 'memory_mb': gib * GIB}
    entry.update(extra)
    return entry


def guest(gid, on, mib, **extra):
    entry = {'id': gid, 'host': on, 'memory_mb': mib}
    entry.update(extra)
    return entry


def equal_cluster(hosts, host_gib, guests_per_host, guest_gib, platform=None):
    """Equal hosts and guests; no platform by default, so placement is by feasibility (proxmox replays PVE)."""
    return {
        'platform': platform,
        'cluster': 'seed',
        'hosts': [host('n%d' % i, host_gib) for i in range(1, hosts + 1)],
        'guests': [guest('vm:%d%02d' % (i, j), 'n%d' % i, guest_gib * GIB)
                   for i in range(1, hosts + 1) for j in range(guests_per_host)],
    }


# --- the seed's worked examples ------------------------------------------------------

def test_three_equal_nodes_may_use_two_nodes_worth():
    # 3 x 64 GiB, 8 guests of 16 GiB = 128 GiB committed = exactly two nodes' worth.
    model = {'hosts': [host('n1', 64), host('n2', 64), host('n3', 64)],
             'guests': [guest('vm:%d' % i, 'n%d' % (i % 3 + 1), 16 * GIB) for i in range(8)]}
    result = evaluate(model)
    assert result['ok'] is True
    assert result['aggregate']['capacity_mb'] == 192 * GIB
    assert result['aggregate']['available_mb'] == 128 * GIB
    assert result['aggregate']['headroom_mb'] == 0
    assert result['tolerated_host_failures'] == 1
    assert [s['failed_hosts'] for s in result['scenarios']] == [['n1'], ['n2'], ['n3']]
    assert all(s['ok'] for s in result['scenarios'])


def test_three_equal_nodes_one_mib_over_fails():
    model = {'hosts': [host('n1', 64), host('n2', 64), host('n3', 64)],
             'guests': [guest('vm:%d' % i, 'n%d' % (i % 3 + 1), 16 * GIB) for i in range(8)]}
    model['guests'].append(guest('vm:99', 'n1', 1))
    result = evaluate(model)
    assert result['ok'] is False
    assert result['aggregate']['ok'] is False
    assert result['aggregate']['headroom_mb'] == -1
    assert result['tolerated_host_failures'] == 0
    assert 'aggregate shortfall 1 MiB' in result['summary']


def test_four_768_gib_nodes_need_768_gib_free_on_the_other_three():
    # Each node runs 9 x 64 GiB = 576 GiB, leaving 192 GiB free on each of the other three.
    model = equal_cluster(4, 768, 9, 64)
    result = evaluate(model)
    assert result['ok'] is True
    assert result['aggregate']['failover_reserve_mb'] == 768 * GIB
    assert result['aggregate']['committed_mb'] == 3 * 768 * GIB
    assert result['aggregate']['headroom_mb'] == 0
    worst = result['worst_scenario']
    assert worst['displaced_mb'] == 576 * GIB
    assert worst['min_free_mb'] == 0
    assert all(row['min_free_after_failover_mb'] == 0 for row in result['hosts'])


def test_four_768_gib_nodes_one_mib_over_fails_both_checks():
    model = equal_cluster(4, 768, 9, 64)
    model['guests'].append(guest('vm:extra', 'n1', 1))
    result = evaluate(model)
    assert result['ok'] is False
    assert result['aggregate']['headroom_mb'] == -1
    assert result['placement']['ok'] is False
    worst = result['worst_scenario']
    assert worst['unplaced'][0]['reason'] == 'insufficient_memory'


# --- placement cases the aggregate rule cannot see -----------------------------------

def test_fragmentation_aggregate_passes_but_placement_fails():
    model = {'hosts': [host('a', 48), host('b', 30), host('c', 30)],
             'guests': [guest('vm:big', 'a', 48 * GIB, name='big')]}
    result = evaluate(model)
    assert result['aggregate']['ok'] is True
    assert result['placement']['ok'] is False
    assert result['ok'] is False
    worst = result['worst_scenario']
    assert worst['failed_hosts'] == ['a']
    assert worst['unplaced'] == [{
        'id': 'vm:big', 'name': 'big', 'demand_mb': 48 * GIB, 'reason': 'insufficient_memory',
        'detail': 'needs 49152 MiB (48.0 GiB); the allowed survivor with most free memory, b, had 30720 MiB (30.0 GiB) left at that point',
    }]
    assert worst['unplaced_mb'] == 48 * GIB
    assert 'worst scenario: a down' in result['summary']


def test_restricted_guest_with_no_allowed_survivor():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64)],
             'guests': [guest('vm:1', 'a', GIB, allowed_hosts=['a'])]}
    result = evaluate(model)
    assert result['ok'] is False
    worst = result['worst_scenario']
    assert worst['failed_hosts'] == ['a']
    assert worst['unplaced'][0]['reason'] == 'no_allowed_host'
    assert worst['unplaced'][0]['detail'] == 'allowed hosts a are all failed or not online'


def test_strict_rule_with_both_members_failed_at_k2():
    model = {'hosts': [host(n, 64) for n in 'abcd'],
             'guests': [guest('vm:1', 'a', GIB, allowed_hosts=['a', 'b'], host_priority={'a': 2, 'b': 1})]}
    assert evaluate(model, host_failures=1)['ok'] is True
    result = evaluate(model, host_failures=2)
    assert result['ok'] is False
    assert result['tolerated_host_failures'] == 1
    failing = [s['failed_hosts'] for s in result['scenarios'] if not s['ok']]
    assert failing == [['a', 'b']]


def test_empty_allowed_hosts_means_no_host():
    model = {'hosts': [host('a', 64), host('b', 64)], 'guests': [guest('vm:1', 'a', GIB, allowed_hosts=[])]}
    worst = evaluate(model)['worst_scenario']
    assert worst['unplaced'][0]['detail'] == 'allowed_hosts is empty'


def test_anti_affinity_pair_forced_onto_one_survivor():
    # db1 on a, db2 on b; c is in maintenance, so when a fails db1 could only join db2.
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64, state='maintenance')],
             'guests': [guest('vm:1', 'a', 8 * GIB, name='db1', anti_affinity=['db']),
                        guest('vm:2', 'b', 8 * GIB, name='db2', anti_affinity=['db'])]}
    result = evaluate(model)
    assert result['ok'] is False
    assert result['aggregate']['ok'] is True
    reasons = dict((tuple(s['failed_hosts']), [r['reason'] for r in s['unplaced']]) for s in result['scenarios'])
    assert reasons == {('a',): ['anti_affinity'], ('b',): ['anti_affinity']}
    assert 'already runs a guest labelled db' in result['worst_scenario']['unplaced'][0]['detail']


def test_anti_affinity_respected_when_a_third_host_is_online():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64)],
             'guests': [guest('vm:1', 'a', 8 * GIB, anti_affinity=['db']),
                        guest('vm:2', 'b', 8 * GIB, anti_affinity=['db'])]}
    assert evaluate(model)['ok'] is True
    assert plan_failover(model, ['a'])['restarted_on'] == {'vm:1': 'c'}


def test_anti_affinity_between_two_displaced_guests():
    # Both guests sit on a; when a fails they must land on different survivors.
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64)],
             'guests': [guest('vm:1', 'a', 8 * GIB, anti_affinity=['web']),
                        guest('vm:2', 'a', 8 * GIB, anti_affinity=['web'])]}
    plan = plan_failover(model, ['a'])
    assert plan['ok'] is True
    assert sorted(plan['restarted_on'].values()) == ['b', 'c']


def test_maintenance_and_offline_hosts_carry_no_capacity():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64, state='maintenance'), host('d', 64, state='offline')],
             'guests': [guest('vm:1', 'a', 16 * GIB), guest('vm:2', 'b', 16 * GIB)]}
    result = evaluate(model)
    assert result['aggregate']['capacity_mb'] == 128 * GIB
    assert result['aggregate']['available_mb'] == 64 * GIB
    assert result['ok'] is True
    assert [s['failed_hosts'] for s in result['scenarios']] == [['a'], ['b']]
    rows = dict((row['name'], row) for row in result['hosts'])
    assert rows['c']['capacity_mb'] == 0 and rows['d']['capacity_mb'] == 0
    assert rows['c']['min_free_after_failover_mb'] is None


def test_running_ha_guest_on_offline_host_must_be_placed_in_every_scenario():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64, state='offline')],
             'guests': [guest('vm:1', 'c', 40 * GIB), guest('vm:2', 'a', 40 * GIB)]}
    result = evaluate(model, host_failures=0)
    assert result['ok'] is True
    assert result['scenarios'][0]['displaced_count'] == 1
    assert evaluate(model)['ok'] is False


def test_non_ha_guests_on_failed_host_are_reported_not_restarted():
    # Placement passes (the non-HA guest is not restarted) while the seed's aggregate rule,
    # which counts every running guest, refuses: this is why ok needs both checks.
    model = {'hosts': [host('a', 64), host('b', 64)],
             'guests': [guest('vm:1', 'a', 55 * GIB, ha=False, name='scratch'),
                        guest('vm:2', 'a', 8 * GIB),
                        guest('vm:3', 'b', 1 * GIB),
                        guest('vm:4', 'b', 4 * GIB, running=False),
                        guest('vm:5', 'b', 10 * GIB, ha=False)]}
    result = evaluate(model)
    scenario_a = result['scenarios'][0]
    assert scenario_a['failed_hosts'] == ['a']
    assert scenario_a['ok'] is True
    assert scenario_a['not_restarted'] == ['vm:1']
    assert scenario_a['not_restarted_mb'] == 55 * GIB
    assert scenario_a['displaced_count'] == 1
    assert result['placement']['ok'] is True
    assert result['aggregate']['committed_mb'] == 74 * GIB
    assert result['aggregate']['ok'] is False
    assert result['ok'] is False
    assert '1 non-HA guest(s) stay down' in result['report']


def test_overcommitted_survivor_fails_the_scenario():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 8)],
             'guests': [guest('vm:1', 'c', 9 * GIB)]}
    result = evaluate(model, host_failures=0)
    assert result['ok'] is False
    assert result['tolerated_host_failures'] == -1
    assert result['scenarios'][0]['overcommitted_hosts'] == ['c']
    assert 'even with no host down' in evaluate(model)['summary']


# --- preferences: priority class, then most free memory, then name ---------------------

def test_priority_class_preferred_then_fallback_when_full():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64), host('d', 64)],
             'guests': [guest('vm:1', 'a', 8 * GIB, host_priority={'c': 2, 'b': 1}),
                        guest('vm:2', 'c', 60 * GIB)]}
    # c is the preferred class but has only 4 GiB free, so b (next class) is used.
    assert plan_failover(model, ['a'])['restarted_on'] == {'vm:1': 'b'}
    model['guests'][1]['memory_mb'] = 10 * GIB
    assert plan_failover(model, ['a'])['restarted_on'] == {'vm:1': 'c'}


def test_unlisted_hosts_rank_below_listed_ones_and_ties_go_by_free_then_name():
    model = {'hosts': [host('a', 64), host('b', 64), host('c', 64), host('d', 64)],
             'guests': [guest('vm:1', 'a', 8 * GIB, host_priority={'d': 0}),
                        guest('vm:2', 'a', 8 * GIB),
                        guest('vm:3', 'a', 8 * GIB)]}
    plan = plan_failover(model, ['a'])
    # Equal sizes are placed in id order. vm:1 goes to its only listed host d (priority 0
    # still beats unlisted hosts); vm:2 then ties b and c on free memory and takes b by name;
    # vm:3 takes c, now the most free.
    assert plan['restarted_on'] == {'vm:1': 'd', 'vm:2': 'b', 'vm:3': 'c'}


def test_largest_guest_is_placed_first():
    model = {'hosts': [host('a', 64), host('b', 20), host('c', 12)],
             'guests': [guest('vm:small', 'a', 10 * GIB), guest('vm:big', 'a', 18 * GIB)]}
    plan = plan_failover(model, ['a'])
    assert plan['ok'] is True
    assert plan['restarted_on'] == {'vm:big': 'b', 'vm:small': 'c'}


def test_exact_search_finds_a_placement_the_preferred_order_misses():
    # Worst-fit decreasing on two 10 GiB survivors with 5,5,4,3,3 gets stuck; 5+5 | 4+3+3 fits.
    sizes = [5, 5, 4, 3, 3]
    model = {'hosts': [host('a', 64), host('b', 10), host('c', 10)],
             'guests': [guest('vm:%d' % i, 'a', s * GIB) for i, s in enumerate(sizes)]}
    plan = plan_failover(model, ['a'])
    assert plan['ok'] is True
    assert plan['placement'] == 'search'
    assert plan['min_free_mb'] == 0
    loads = {}
    for gid, where in plan['restarted_on'].items():
        loads[where] = loads.get(where, 0) + sizes[int(gid.split(':')[1])]
    assert loads == {'b': 10, 'c': 10}


def test_search_limit_is_reported_and_never_counts_as_ok():
    sizes = [5, 5, 4, 3, 3]
    model = {'hosts': [host('a', 64), host('b', 10), host('c', 10)],
             'guests': [guest('vm:%d' % i, 'a', s * GIB) for i, s in enumerate(sizes)]}
    result = evaluate(model, search_node_limit=2)
    assert result['ok'] is False
    assert result['placement']['decided_exactly'] is False
    assert result['worst_scenario']['placement'] == 'search_limit'


def test_a_verdict_only_run_looks_past_a_set_the_search_limit_left_open(monkeypatch):
    # Scripted sets: a fails only at the search limit (proves nothing), b is ok, c fails for real.
    script = {'a': (False, False), 'b': (True, True), 'c': (False, True)}
    monkeypatch.setattr(engine, 'run_scenario', lambda _c, failed, _l, _t: script[failed] + ({'set': failed},))
    cluster = type('Cluster', (), {'replay': None})()

    def run(order):
        summary = {'evaluated_count': 0, 'failed_count': 0, 'ok': True, 'decided_exactly': True,
                   'undecided_count': 0, 'proven_failures': 0}
        outcomes = []
        passed = engine._run_sets(cluster, order, None, False, summary, [], None, collect=outcomes)
        return passed, summary, [o['set'] for o in outcomes]

    # c decides "not ok" although a came first; c is reported last (the failing outcome).
    passed, summary, outcomes = run('abc')
    assert passed is False and summary['decided_exactly'] is True and outcomes == ['a', 'b', 'c']
    # Without c, the run is not proven, and the open set is the one reported.
    passed, summary, outcomes = run('ab')
    assert passed is False and summary['decided_exactly'] is False and outcomes == ['b', 'a']


# --- views, margin, vSphere percentage ------------------------------------------------

def test_reserved_view_counts_reservation_plus_overhead():
    model = {'platform': 'vsphere',
             'hosts': [host('esx1', 64), host('esx2', 64)],
             'guests': [guest('vm-1', 'esx1', 48 * GIB, reservation_mb=16 * GIB, overhead_mb=512),
                        guest('vm-2', 'esx2', 48 * GIB, reservation_mb=8 * GIB, overhead_mb=512)]}
    configured = evaluate(model)
    reserved = evaluate(model, view='reserved')
    assert configured['aggregate']['committed_mb'] == 2 * (48 * GIB + 512)
    assert configured['ok'] is False
    assert reserved['aggregate']['committed_mb'] == 24 * GIB + 1024
    assert reserved['ok'] is True
    assert reserved['view'] == 'reserved'


def test_reserve_percent_shrinks_every_host():
    model = {'hosts': [host('a', 100), host('b', 100)], 'guests': [guest('vm:1', 'a', 95 * GIB)]}
    assert evaluate(model)['ok'] is True
    result = evaluate(model, reserve_percent=10)
    assert result['aggregate']['capacity_mb'] == 2 * 90 * GIB
    assert result['ok'] is False


def test_reserved_mb_is_subtracted():
    model = {'hosts': [host('a', 64, reserved_mb=4 * GIB), host('b', 64, reserved_mb=4 * GIB)],
             'guests': [guest('vm:1', 'a', 60 * GIB)]}
    assert evaluate(model)['ok'] is True
    model['guests'][0]['memory_mb'] += 1
    assert evaluate(model)['ok'] is False


def test_vsphere_admission_control_percentage():
    model = {'platform': 'vsphere', 'hosts': [host('esx%d' % i, 256) for i in range(4)], 'guests': []}
    assert evaluate(model)['vsphere_admission_control'] == {'memory_percent': 25, 'failover_level': 1}
    assert evaluate(model, host_failures=2)['vsphere_admission_control'] == {'memory_percent': 50, 'failover_level': 2}
    assert evaluate(model, host_failures=1, reserve_percent=10)['vsphere_admission_control']['memory_percent'] == 33
    model['platform'] = 'proxmox'
    assert evaluate(model)['vsphere_admission_control'] is None


def test_unequal_hosts_percentage_rounds_up():
    model = {'platform': 'vsphere', 'hosts': [host('a', 512), host('b', 256), host('c', 256)], 'guests': []}
    assert evaluate(model)['vsphere_admission_control']['memory_percent'] == 50
    model['hosts'].append(host('d', 100))
    # 512 of 1124 GiB is 45.55 %: rounded up so the reserve is never smaller than the largest host.
    assert evaluate(model)['vsphere_admission_control']['memory_percent'] == 46


# --- k handling, tolerated failures ----------------------------------------------------

def test_tolerated_failures_of_an_empty_cluster_is_hosts_minus_one():
    model = {'hosts': [host(n, 64) for n in 'abcd']}
    result = evaluate(model, host_failures=3)
    assert result['ok'] is True
    assert result['tolerated_host_failures'] == 3
    assert [row['host_failures'] for row in result['by_host_failures']] == [0, 1, 2, 3]


def test_k_not_below_online_hosts_is_impossible():
    model = {'hosts': [host('a', 64), host('b', 64, state='maintenance')], 'guests': []}
    result = evaluate(model, host_failures=1)
    assert result['ok'] is False
    assert result['placement']['method'] == 'impossible'
    assert result['tolerated_host_failures'] == 0
    assert 'not more online hosts than failures' in result['summary']


def test_k_zero_checks_the_current_state_only():
    model = {'hosts': [host('a', 64)], 'guests': [guest('vm:1', 'a', 64 * GIB)]}
    result = evaluate(model, host_failures=0)
    assert result['ok'] is True
    assert result['scenarios'][0]['failed_hosts'] == []


# --- beyond the enumeration limit: slot bound + candidate sets --------------------------

def test_slot_bound_proves_safety_beyond_the_limit():
    model = equal_cluster(6, 64, 2, 8)  # 16 GiB used per 64 GiB host
    result = evaluate(model, host_failures=2, enumeration_limit=5)
    assert result['placement']['method'] == 'slot_bound'
    assert result['placement']['scenario_count'] == 15
    assert result['placement']['slot_bound']['guaranteed_slots'] >= result['placement']['slot_bound']['worst_case_displaced']
    assert result['ok'] is True
    # The exhaustive answer agrees.
    assert evaluate(model, host_failures=2)['ok'] is True


def test_symmetry_decides_what_the_bounds_cannot_when_hosts_are_interchangeable():
    # Per host one 16 GiB and eight 4 GiB guests (48 GiB used, 16 GiB free). A failure displaces
    # 9 guests; the five survivors have one 16 GiB slot each, so no bound proves it, although a
    # placement exists (16 | 4x4 | 4x4 | ...). The six hosts are interchangeable: one class, so
    # one representative failure set stands for all six.
    model = {'hosts': [host('n%d' % i, 64) for i in range(6)], 'guests': []}
    for i in range(6):
        model['guests'].append(guest('vm:%d-big' % i, 'n%d' % i, 16 * GIB))
        model['guests'].extend(guest('vm:%d-%d' % (i, j), 'n%d' % i, 4 * GIB) for j in range(8))
    exhaustive = evaluate(model, host_failures=1)
    assert exhaustive['ok'] is True
    reduced = evaluate(model, host_failures=1, enumeration_limit=3)
    assert reduced['placement']['method'] == 'symmetry'
    assert reduced['placement']['symmetry_classes'] == {'classes': 1, 'representative_sets': 1}
    assert reduced['placement']['evaluated_count'] == 1
    assert reduced['ok'] is True
    assert reduced['placement']['decided_exactly'] is True


def test_slot_bound_refuses_when_it_cannot_prove_and_says_so():
    # As above, but every host's small guests differ by a few MiB: no two hosts are
    # interchangeable, the bounds fail and the 3-set budget cannot cover the 6 sets.
    model = {'hosts': [host('n%d' % i, 64) for i in range(6)], 'guests': []}
    for i in range(6):
        model['guests'].append(guest('vm:%d-big' % i, 'n%d' % i, 16 * GIB))
        model['guests'].extend(guest('vm:%d-%d' % (i, j), 'n%d' % i, 4 * GIB - i) for j in range(8))
    exhaustive = evaluate(model, host_failures=1)
    assert exhaustive['ok'] is True
    bounded = evaluate(model, host_failures=1, enumeration_limit=3)
    assert bounded['placement']['method'] == 'slot_bound'
    assert bounded['placement']['symmetry_classes'] == {'classes': 6, 'representative_sets': 6}
    assert bounded['ok'] is False
    assert bounded['placement']['decided_exactly'] is False
    assert bounded['worst_scenario']['ok'] is True
    assert 'could not prove' in bounded['summary']


def test_slot_bound_counts_only_the_allowed_hosts_of_restricted_guests():
    model = equal_cluster(6, 64, 1, 8)  # 56 GiB free = 7 slots of 8 GiB per host
    model['guests'][0]['allowed_hosts'] = ['n1', 'n2', 'n3']
    result = evaluate(model, host_failures=1, enumeration_limit=3)
    assert result['placement']['method'] == 'slot_bound'
    assert result['placement']['slot_bound']['guaranteed_slots'] == 14  # 3 x 7 minus the best (failed) host
    assert result['placement']['slot_bound']['weakest_guest'] == 'vm:100'
    assert result['ok'] is True
    model['guests'][0]['allowed_hosts'] = ['n1']
    result = evaluate(model, host_failures=1, enumeration_limit=3)
    assert result['placement']['slot_bound']['guaranteed_slots'] == 0
    assert result['ok'] is False
    assert evaluate(model, host_failures=1)['ok'] is False  # exhaustive agrees: n1 failing strands it


def test_slot_bound_discounts_hosts_that_anti_affinity_partners_may_take():
    model = equal_cluster(4, 64, 1, 8)
    model['guests'][0]['anti_affinity'] = ['pair']
    model['guests'][1]['anti_affinity'] = ['pair']
    result = evaluate(model, host_failures=1, enumeration_limit=3)
    # vm:100 may use n1, n3, n4 (n2 runs its partner): 21 slots, minus the failed best (7)
    # and the host its partner might take (7).
    assert result['placement']['slot_bound']['guaranteed_slots'] == 7
    assert result['ok'] is True


def test_candidate_failure_sets_show_a_real_failure_beyond_the_limit():
    model = {'hosts': [host('a', 48)] + [host('h%d' % i, 30) for i in range(5)],
             'guests': [guest('vm:big', 'a', 48 * GIB)]}
    result = evaluate(model, host_failures=1, enumeration_limit=2)
    assert result['placement']['method'] == 'counterexample'
    assert result['placement']['decided_exactly'] is True
    assert result['worst_scenario']['failed_hosts'] == ['a']
    assert result['worst_scenario']['ok'] is False


# --- output shape and determinism ------------------------------------------------------

def test_result_is_json_serialisable_and_stable():
    model = equal_cluster(4, 64, 3, 8)
    first = evaluate(model, host_failures=2)
    second = evaluate(json.loads(json.dumps(model)), host_failures=2)
    assert json.dumps(first) == json.dumps(second)
    assert list(first) == ['ok', 'host_failures', 'tolerated_host_failures', 'limited_by', 'factors', 'refusal', 'quorum',
                           'storage', 'view', 'reserve_percent', 'platform', 'cluster', 'scheduler', 'maintenance',
                           'aggregate', 'placement', 'worst_scenario', 'scenarios', 'hosts', 'by_host_failures', 'not_explored',
                           'vsphere_admission_control', 'fault_domains', 'summary', 'report']


def test_report_is_markdown_with_verdict_and_tables():
    result = evaluate(equal_cluster(3, 64, 2, 16, platform='proxmox'))
    report = result['report']
    assert report.startswith('# Failover capacity: seed (proxmox)\n')
    assert '**OK**' in report
    assert '| n1 | online | 65536 MiB (64.0 GiB) | 32768 MiB (32.0 GiB) | 32768 MiB (32.0 GiB) | 16384 MiB (16.0 GiB) |' in report


def test_accepts_the_whole_info_module_result():
    model = equal_cluster(3, 64, 1, 8)
    assert evaluate({'capacity_model': model})['ok'] is True


# --- validation: one sentence naming field and fix -------------------------------------

@pytest.mark.parametrize('model, expected', [
    ({}, "'hosts' is missing or empty; give at least one host"),
    ({'hosts': []}, "'hosts' is missing or empty"),
    ([1, 2], 'expected a mapping with hosts and guests, got list'),
    ({'hosts': [{'name': 'a', 'memory_mb': -5}]},
     "hosts[0].memory_mb must be a non-negative integer number of MiB, got -5; fix the memory reported for host 'a'."),
    ({'hosts': [{'name': 'a'}]}, 'hosts[0].memory_mb must be a non-negative integer number of MiB, got None'),
    ({'hosts': [{'name': 'a', 'memory_mb': True}]}, 'hosts[0].memory_mb must be a non-negative integer'),
    ({'hosts': [{'memory_mb': 5}]}, 'hosts[0].name must be a non-empty string'),
    ({'hosts': [{'name': 'a', 'memory_mb': 5, 'reserved_mb': 6}]}, "hosts[0].reserved_mb (6) exceeds memory_mb (5) for host 'a'; lower reserved_mb."),
    ({'hosts': [{'name': 'a', 'memory_mb': 5, 'state': 'down'}]}, "hosts[0].state is 'down' for host 'a'; use one of online, maintenance, offline."),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}, {'name': 'a', 'memory_mb': 5}]}, "hosts[1].name 'a' appears twice"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': {'x': 1}}, "'guests' must be a list, got dict"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'vm:1', 'host': 'b', 'memory_mb': 1}]},
     "guests[0].host 'b' is not a known host; add 'b' to hosts or correct the host of guest 'vm:1'."),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'vm:1', 'host': 'a', 'memory_mb': -1}]},
     "guests[0].memory_mb must be a non-negative integer number of MiB, got -1; fix the memory of guest 'vm:1'."),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'host': 'a', 'memory_mb': 1}]}, 'guests[0].id must be a non-empty string'),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'ha': 'yes'}]},
     "guests[0].ha must be true or false, got 'yes'"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'allowed_hosts': 'a'}]},
     "guests[0].allowed_hosts must be a list of host names for guest 'v'"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'allowed_hosts': ['z']}]},
     "guests[0].allowed_hosts names unknown host 'z' for guest 'v'; list only hosts from hosts[].name."),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'host_priority': {'a': -1}}]},
     "guests[0].host_priority.a must be a non-negative integer for guest 'v'"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'host_priority': {'q': 1}}]},
     "guests[0].host_priority names unknown host 'q'"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'anti_affinity': 'db'}]},
     "guests[0].anti_affinity must be a list of labels for guest 'v'"),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'reservation_mb': 2}]},
     "guests[0].reservation_mb (2) exceeds memory_mb (1) for guest 'v'; lower the reservation."),
    ({'hosts': [{'name': 'a', 'memory_mb': 5}], 'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1}, {'id': 'v', 'host': 'a', 'memory_mb': 1}]},
     "guests[1].id 'v' appears twice; list each guest once."),
])
def test_malformed_models_fail_with_field_and_fix(model, expected):
    with pytest.raises(CapacityModelError) as err:
        normalize_model(model)
    message = str(err.value)
    assert message.startswith('capacity model: ')
    assert expected in message
    assert message.count('. ') == 0 and message.endswith('.')


@pytest.mark.parametrize('options, expected', [
    ({'host_failures': -1}, 'host_failures must be a non-negative integer, got -1; use 1 for N+1.'),
    ({'host_failures': True}, 'host_failures must be a non-negative integer'),
    ({'view': 'demand'}, "view must be 'configured' or 'reserved', got 'demand'"),
    ({'reserve_percent': 100}, 'reserve_percent must be a number from 0 to below 100, got 100'),
    ({'reserve_percent': 'lots'}, "reserve_percent must be a number from 0 to below 100, got 'lots'"),
])
def test_bad_options_fail_before_evaluation(options, expected):
    with pytest.raises(CapacityModelError) as err:
        evaluate({'hosts': [{'name': 'a', 'memory_mb': 5}]}, **options)
    assert expected in str(err.value)


def test_numeric_strings_and_integral_floats_are_accepted():
    model = normalize_model({'hosts': [{'name': 'a', 'memory_mb': '1024', 'reserved_mb': 24.0}],
                             'guests': [{'id': 7, 'host': 'a', 'memory_mb': 10.0}]})
    assert model.hosts[0].memory_mb == 1024 and model.hosts[0].reserved_mb == 24
    assert model.guests[0].id == '7' and model.guests[0].memory_mb == 10
    assert evaluate(model, host_failures='0', reserve_percent='5')['reserve_percent'] == 5


def test_plan_failover_rejects_unknown_host():
    with pytest.raises(CapacityModelError, match="failed host 'zz' is not in the model"):
        plan_failover({'hosts': [{'name': 'a', 'memory_mb': 5}]}, ['zz'])


def test_report_lists_other_failing_sets_up_to_a_limit():
    # Every guest is pinned to its own host, so each of the 8 single-host failures fails.
    model = {'hosts': [host('h%d' % i, 64) for i in range(8)],
             'guests': [guest('vm:%d' % i, 'h%d' % i, GIB, allowed_hosts=['h%d' % i]) for i in range(8)]}
    result = evaluate(model)
    assert result['placement']['failed_count'] == 8
    assert 'Other failing failure sets (7, first 5 shown):' in result['report']
    assert result['report'].count('\n- h') == 5


def test_priority_given_as_digit_string_is_accepted():
    model = normalize_model({'hosts': [{'name': 'a', 'memory_mb': 5}],
                             'guests': [{'id': 'v', 'host': 'a', 'memory_mb': 1, 'host_priority': {'a': '2'}}]})
    assert model.guests[0].host_priority == (('a', 2),)


def test_summary_names_a_smaller_failing_k_when_the_requested_k_itself_passes():
    # Only reachable when a smaller k is undecided (search limit) while the requested k is
    # decided, so the wording is checked on the summary function directly.
    result = evaluate(equal_cluster(4, 64, 1, 8), host_failures=2)
    assert result['ok'] is True
    result.update(ok=False, tolerated_host_failures=0)
    assert summary_sentence(result).endswith('; 1 host failure(s) already fail, so 2 cannot be promised.')


def ring_cluster(hosts):
    """Each host: six 8 GiB HA guests (one restricted to itself and its 3 ring neighbours) and a
    1 GiB non-HA guest, 64 GiB: 15 GiB free, so every survivor takes exactly one guest."""
    model = {'hosts': [host('h%02d' % i, 64) for i in range(hosts)], 'guests': []}
    for i in range(hosts):
        for j in range(6):
            entry = guest('vm:%02d%d' % (i, j), 'h%02d' % i, 8 * GIB)
            if j == 0:
                entry['allowed_hosts'] = ['h%02d' % ((i + d) % hosts) for d in range(4)]
            model['guests'].append(entry)
        model['guests'].append(guest('vm:%02dx' % i, 'h%02d' % i, GIB, ha=False))
    return model


def test_search_places_restricted_guests_the_preferred_order_crowds_out():
    # With two neighbours down, the preferred order fills the restricted guests' few allowed
    # hosts with unrestricted guests first; the search (most constrained first) resolves it.
    result = evaluate(ring_cluster(16), host_failures=2)
    assert result['ok'] is True
    assert result['placement']['decided_exactly'] is True
    methods = set(s['placement'] for s in result['scenarios'])
    assert methods == {'preferred', 'search'}


def test_total_search_budget_bounds_an_evaluation():
    result = evaluate(ring_cluster(16), host_failures=2, search_total_limit=1)
    assert result['ok'] is False
    assert result['placement']['decided_exactly'] is False
    assert 'search_limit' in set(s['placement'] for s in result['scenarios'])


def test_fractional_margin_is_exact_and_never_one_mib_short():
    # 1.1 % of 22000 MiB is exactly 242 MiB; float arithmetic makes it 242.00000000000003 and ceil 243.
    model = {'hosts': [host('a', 0, memory_mb=22000), host('b', 0, memory_mb=22000)], 'guests': []}
    result = evaluate(model, host_failures=0, reserve_percent=1.1)
    assert [row['capacity_mb'] for row in result['hosts']] == [21758, 21758]
