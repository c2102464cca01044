# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests of the capacity engine against an independent brute-force reference.

The precise claims (also in docs/capacity-engine.md):

1. Soundness: for every k, engine ok  =>  the brute-force exact assignment search finds a
   placement for every failure set of size <= k and the aggregate rule holds.
2. Exactness on small clusters: when every evaluated k was enumerated and every failure set
   was decided (no search limit hit), tolerated_host_failures equals the brute-force value.
3. Placement-ok implies aggregate-ok for the same k when every running guest is HA
   (restrictions and anti-affinity do not matter; non-HA guests do, see the unit test
   test_non_ha_guests_on_failed_host_are_reported_not_restarted).
4. Monotonicity, under the same "decided exactly" condition for both models: adding an
   empty online host, or removing a guest, never lowers tolerated_host_failures.
5. Order independence: permuting hosts, guests and the lists inside them gives the
   byte-identical result.
"""

from __future__ import absolute_import, division, print_function

import itertools
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate, plan_failover

__metaclass__ = type

HOST_NAMES = ['h1', 'h2', 'h3', 'h4', 'h5']
LABELS = ['x', 'y']
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def clusters(draw, restricted=True, all_ha=False, max_hosts=5, max_guests=7):
    count = draw(st.integers(min_value=1, max_value=max_hosts))
    names = HOST_NAMES[:count]
    hosts = []
    for name in names:
        memory = draw(st.integers(min_value=0, max_value=64))
        hosts.append({
            'name': name,
            'memory_mb': memory,
            'reserved_mb': draw(st.integers(min_value=0, max_value=min(memory, 8))),
            'state': draw(st.sampled_from(['online'] * 6 + ['maintenance', 'offline'])),
        })
    guests = []
    for i in range(draw(st.integers(min_value=0, max_value=max_guests))):
        entry = {
            'id': 'vm:%d' % (100 + i),
            'host': draw(st.sampled_from(names)),
            'memory_mb': draw(st.integers(min_value=0, max_value=32)),
            'running': draw(st.booleans()) if not all_ha else draw(st.sampled_from([True, True, False])),
            'ha': True if all_ha else draw(st.sampled_from([True, True, False])),
        }
        entry['reservation_mb'] = draw(st.integers(min_value=0, max_value=entry['memory_mb']))
        entry['overhead_mb'] = draw(st.integers(min_value=0, max_value=2))
        if restricted:
            if draw(st.integers(0, 3)) == 0:
                entry['allowed_hosts'] = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
            if draw(st.integers(0, 3)) == 0:
                entry['anti_affinity'] = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=2, unique=True))
            if draw(st.integers(0, 3)) == 0:
                entry['host_priority'] = dict((n, draw(st.integers(0, 2))) for n in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)))
        guests.append(entry)
    return {'hosts': hosts, 'guests': guests}


# --- the independent reference ---------------------------------------------------------

def _demand(guest, view):
    base = guest['memory_mb'] if view == 'configured' else guest.get('reservation_mb', 0)
    return base + guest.get('overhead_mb', 0)


def _capacity(host, reserve_percent):
    if host.get('state', 'online') != 'online':
        return 0
    usable = host['memory_mb'] - host.get('reserved_mb', 0)
    return usable - math.ceil(usable * reserve_percent / 100)


def _fits_somewhere(model, failed, view, reserve_percent):
    """Exact: is there ANY assignment of displaced HA guests to survivors that respects
    allowed hosts, anti-affinity (with guests already there) and memory? Plain backtracking
    over every host choice, written independently of the engine."""
    online = [h['name'] for h in model['hosts'] if h.get('state', 'online') == 'online']
    survivors = [n for n in online if n not in failed]
    free = dict((h['name'], _capacity(h, reserve_percent)) for h in model['hosts'])
    labels = dict((n, []) for n in free)
    displaced = []
    for guest in model['guests']:
        if not guest.get('running', True):
            continue
        if guest['host'] in survivors:
            free[guest['host']] -= _demand(guest, view)
            labels[guest['host']].extend(guest.get('anti_affinity') or [])
        elif guest.get('ha', True):
            displaced.append(guest)
    if any(free[n] < 0 for n in survivors):
        return False

    def place(i):
        if i == len(displaced):
            return True
        guest = displaced[i]
        allowed = guest.get('allowed_hosts')
        for name in survivors:
            if allowed is not None and name not in allowed:
                continue
            if set(guest.get('anti_affinity') or []) & set(labels[name]):
                continue
            need = _demand(guest, view)
            if free[name] < need:
                continue
            free[name] -= need
            labels[name].extend(guest.get('anti_affinity') or [])
            if place(i + 1):
                return True
            free[name] += need
            for _label in guest.get('anti_affinity') or []:
                labels[name].pop()
        return False
    return place(0)


def _aggregate_ok(model, k, view, reserve_percent):
    online = [h for h in model['hosts'] if h.get('state', 'online') == 'online']
    if k > 0 and k >= len(online):
        return False
    caps = sorted((_capacity(h, reserve_percent) for h in online), reverse=True)
    committed = sum(_demand(g, view) for g in model['guests'] if g.get('running', True))
    return committed <= sum(caps) - sum(caps[:k])


def brute_ok(model, k, view='configured', reserve_percent=0):
    """Aggregate rule and every failure set of size exactly k placeable."""
    online = [h['name'] for h in model['hosts'] if h.get('state', 'online') == 'online']
    if not _aggregate_ok(model, k, view, reserve_percent):
        return False
    return all(_fits_somewhere(model, set(failed), view, reserve_percent) for failed in itertools.combinations(online, k))


def brute_tolerated(model, view='configured', reserve_percent=0):
    online = [h for h in model['hosts'] if h.get('state', 'online') == 'online']
    tolerated = -1
    for k in range(0, max(len(online) - 1, 0) + 1):
        if not brute_ok(model, k, view, reserve_percent):
            break
        tolerated = k
    return tolerated


def decided_exactly(result):
    return all(row['decided_exactly'] and row['method'] in ('enumerated', 'impossible') for row in result['by_host_failures']) \
        and result['placement']['decided_exactly']


# --- properties --------------------------------------------------------------------------

@SETTINGS
@given(model=clusters(), k=st.integers(0, 3), view=st.sampled_from(['configured', 'reserved']), reserve=st.sampled_from([0, 10]))
def test_engine_never_more_optimistic_than_brute_force(model, k, view, reserve):
    result = evaluate(model, host_failures=k, view=view, reserve_percent=reserve)
    if result['ok']:
        assert all(brute_ok(model, j, view, reserve) for j in range(k + 1))
    if decided_exactly(result):
        assert result['tolerated_host_failures'] == brute_tolerated(model, view, reserve)
        assert result['ok'] == all(brute_ok(model, j, view, reserve) for j in range(k + 1))


@SETTINGS
@given(model=clusters(), k=st.integers(0, 3))
def test_engine_never_says_ok_beyond_the_enumeration_limit_when_brute_force_fails(model, k):
    # A tiny limit forces the slot bound for every k >= 1 on these clusters.
    result = evaluate(model, host_failures=k, enumeration_limit=1)
    if result['ok']:
        assert all(brute_ok(model, j) for j in range(k + 1))


@SETTINGS
@given(model=clusters(all_ha=True), k=st.integers(0, 3), view=st.sampled_from(['configured', 'reserved']))
def test_placement_ok_implies_aggregate_ok_when_every_running_guest_is_ha(model, k, view):
    result = evaluate(model, host_failures=k, view=view)
    if result['placement']['ok']:
        assert result['aggregate']['ok']


@SETTINGS
@given(model=clusters(), memory=st.integers(0, 64), k=st.integers(0, 2))
def test_adding_an_empty_host_never_lowers_tolerated_failures(model, memory, k):
    before = evaluate(model, host_failures=k)
    bigger = dict(model, hosts=model['hosts'] + [{'name': 'zz-new', 'memory_mb': memory}])
    after = evaluate(bigger, host_failures=k)
    if decided_exactly(before) and decided_exactly(after):
        assert after['tolerated_host_failures'] >= before['tolerated_host_failures']


@SETTINGS
@given(model=clusters(), data=st.data())
def test_removing_a_guest_never_lowers_tolerated_failures(model, data):
    if not model['guests']:
        return
    drop = data.draw(st.integers(0, len(model['guests']) - 1))
    smaller = dict(model, guests=[g for i, g in enumerate(model['guests']) if i != drop])
    before = evaluate(model)
    after = evaluate(smaller)
    if decided_exactly(before) and decided_exactly(after):
        assert after['tolerated_host_failures'] >= before['tolerated_host_failures']


@SETTINGS
@given(model=clusters(), data=st.data(), k=st.integers(0, 2))
def test_result_does_not_depend_on_input_order(model, data, k):
    shuffled = {
        'hosts': data.draw(st.permutations(model['hosts'])),
        'guests': [],
    }
    for guest in data.draw(st.permutations(model['guests'])):
        copy = dict(guest)
        if copy.get('allowed_hosts'):
            copy['allowed_hosts'] = data.draw(st.permutations(copy['allowed_hosts']))
        if copy.get('anti_affinity'):
            copy['anti_affinity'] = data.draw(st.permutations(copy['anti_affinity']))
        if copy.get('host_priority'):
            copy['host_priority'] = dict(data.draw(st.permutations(sorted(copy['host_priority'].items()))))
        shuffled['guests'].append(copy)
    assert json.dumps(evaluate(model, host_failures=k)) == json.dumps(evaluate(shuffled, host_failures=k))


def test_brute_force_reference_agrees_with_the_worked_fragmentation_example():
    # Guards the reference itself: 48 on a, 30 + 30 survivors -> impossible; 48 + 18 -> fine.
    model = {'hosts': [{'name': 'a', 'memory_mb': 48}, {'name': 'b', 'memory_mb': 30}, {'name': 'c', 'memory_mb': 30}],
             'guests': [{'id': 'g', 'host': 'a', 'memory_mb': 48}]}
    assert _aggregate_ok(model, 1, 'configured', 0) is True
    assert brute_ok(model, 1) is False
    model['guests'][0]['memory_mb'] = 30
    assert brute_ok(model, 1) is True


@st.composite
def exactly_packable(draw):
    """Guests on host 'a' whose sizes, by construction, fill survivors b, c, d exactly."""
    groups = [draw(st.lists(st.integers(1, 12), min_size=1, max_size=4)) for _name in 'bcd']
    hosts = [{'name': 'a', 'memory_mb': sum(sum(g) for g in groups)}]
    hosts += [{'name': name, 'memory_mb': sum(group)} for name, group in zip('bcd', groups)]
    sizes = [size for group in groups for size in group]
    order = draw(st.permutations(range(len(sizes))))
    guests = [{'id': 'vm:%02d' % i, 'host': 'a', 'memory_mb': sizes[j]} for i, j in enumerate(order)]
    return {'hosts': hosts, 'guests': guests}


@SETTINGS
@given(model=exactly_packable())
def test_exact_search_completes_what_preferred_order_cannot(model):
    # A perfect packing exists, so the failure of 'a' must be survivable: either the
    # preferred order finds it or the exact search does (here the search always finishes).
    plan = plan_failover(model, ['a'])
    assert plan['ok'] is True
    assert plan['placement'] in ('preferred', 'search')
    assert plan['min_free_mb'] == 0
    assert sorted(plan['restarted_on']) == sorted(g['id'] for g in model['guests'])


@st.composite
def tight_clusters(draw):
    """Like exactly_packable, but survivors are off by -1..+1 MiB and guests may carry
    restrictions and labels, so both feasible and infeasible sets need the exact search."""
    groups = [draw(st.lists(st.integers(1, 12), min_size=1, max_size=4)) for _name in 'bcd']
    hosts = [{'name': 'a', 'memory_mb': sum(sum(g) for g in groups)}]
    hosts += [{'name': name, 'memory_mb': max(0, sum(group) + draw(st.integers(-1, 1)))} for name, group in zip('bcd', groups)]
    sizes = [size for group in groups for size in group]
    guests = []
    for i, size in enumerate(draw(st.permutations(sizes))):
        entry = {'id': 'vm:%02d' % i, 'host': 'a', 'memory_mb': size}
        if draw(st.integers(0, 4)) == 0:
            entry['allowed_hosts'] = draw(st.lists(st.sampled_from('abcd'), min_size=1, max_size=3, unique=True))
        if draw(st.integers(0, 4)) == 0:
            entry['anti_affinity'] = [draw(st.sampled_from(LABELS))]
        guests.append(entry)
    return {'hosts': hosts, 'guests': guests}


@SETTINGS
@given(model=tight_clusters())
def test_failure_set_verdict_matches_brute_force_on_tight_clusters(model):
    plan = plan_failover(model, ['a'])
    if plan['placement'] == 'search_limit':
        assert plan['ok'] is False
        return
    assert plan['ok'] == _fits_somewhere(model, {'a'}, 'configured', 0)
    if plan['ok']:
        used = dict((h['name'], 0) for h in model['hosts'])
        labels = dict((h['name'], []) for h in model['hosts'])
        for guest in model['guests']:
            where = plan['restarted_on'][guest['id']]
            used[where] += guest['memory_mb']
            assert where != 'a'
            assert guest.get('allowed_hosts') is None or where in guest['allowed_hosts']
            assert not set(guest.get('anti_affinity') or []) & set(labels[where])
            labels[where].extend(guest.get('anti_affinity') or [])
        assert all(used[h['name']] <= h['memory_mb'] for h in model['hosts'])
