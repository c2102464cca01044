# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Large-k decisions (counterexamples, bounds, symmetry) against brute force on small random clusters.

- every failure set has the same verdict as its symmetry representative (feasibility engine);
- when placement_bound / basic_replay_bound hold, every failure set passes (feasibility; PVE replay);
- the reduced decision for one k, whenever it says it decided exactly, equals the brute-force one,
  for the feasibility engine and for PVE's replay (basic and static);
- the PVE replay is never reduced by symmetry.
"""

from __future__ import absolute_import, division, print_function

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity import engine
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.bounds import basic_replay_bound, placement_bound
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.placement import SEARCH_NODE_LIMIT

__metaclass__ = type

GIB = 1024
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def clusters(draw, platform=None):
    n = draw(st.integers(min_value=3, max_value=7))
    names = ['n%d' % i for i in range(n)]
    # Hosts built from a few templates, so that interchangeable hosts are common.
    templates = [draw(st.lists(st.sampled_from([1, 2, 4, 8]), max_size=4)) for _t in range(2)]
    sizes = [draw(st.sampled_from([24, 32, 48])) for _t in range(2)]
    hosts, guests = [], []
    for i, name in enumerate(names):
        t = draw(st.integers(min_value=0, max_value=1))
        hosts.append({'name': name, 'memory_mb': sizes[t] * GIB, 'cpus': 16})
        for j, size in enumerate(templates[t]):
            guests.append({'id': 'vm:%d%02d' % (i + 1, j), 'host': name, 'memory_mb': size * GIB, 'cpus': 2})
    for j in range(draw(st.integers(min_value=0, max_value=4))):
        entry = {'id': 'vm:9%02d' % j, 'host': draw(st.sampled_from(names)),
                 'memory_mb': draw(st.sampled_from([1, 2, 4, 8])) * GIB, 'cpus': 2}
        roll = draw(st.integers(min_value=0, max_value=4))
        if roll == 0:
            entry['allowed_hosts'] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n, unique=True))
        elif roll == 1:
            entry['host_priority'] = draw(st.dictionaries(st.sampled_from(names), st.integers(0, 2), min_size=1, max_size=3))
        elif roll == 2:
            entry['anti_affinity'] = [draw(st.sampled_from(['a', 'b']))]
        elif roll == 3:
            entry['ha'] = False
        guests.append(entry)
    model = {'hosts': hosts, 'guests': guests}
    if platform == 'proxmox':
        model.update(platform='proxmox', crs=draw(st.sampled_from(['basic', 'static'])))
    k = draw(st.integers(min_value=1, max_value=min(3, n - 1)))
    return model, k


def _cluster(model):
    return engine.new_cluster(normalize_model(model), 'configured', 0)


def _brute(cluster, k):
    """(ok, decided) over every failure set of size k, one by one."""
    ok, decided = True, True
    for failed in itertools.combinations(cluster.online, k):
        set_ok, set_decided, _outcome = engine.run_scenario(cluster, failed, SEARCH_NODE_LIMIT)
        ok = ok and set_ok
        decided = decided and set_decided
    return ok, decided


def _representative(classes, failed):
    rep = []
    for group in classes:
        count = len([h for h in failed if h in group])
        rep.extend(group[:count])
    return tuple(sorted(rep))


@SETTINGS
@given(clusters())
def test_every_failure_set_has_the_verdict_of_its_symmetry_representative(case):
    model, k = case
    cluster = _cluster(model)
    classes = engine.symmetry_classes(cluster)
    assert sorted(h for group in classes for h in group) == sorted(cluster.online)
    sets, weights = engine.representative_sets(classes, k)
    assert len(sets) == engine.class_vector_count(classes, k)
    assert sum(weights) == len(list(itertools.combinations(cluster.online, k)))
    for failed in itertools.combinations(cluster.online, k):
        ok, decided, _o = engine.run_scenario(cluster, failed, SEARCH_NODE_LIMIT)
        rep_ok, rep_decided, _r = engine.run_scenario(cluster, _representative(classes, failed), SEARCH_NODE_LIMIT)
        if decided and rep_decided:
            assert ok == rep_ok, (failed, classes)


@SETTINGS
@given(clusters())
def test_placement_bound_never_passes_a_failing_set(case):
    model, k = case
    cluster = _cluster(model)
    holds, detail = placement_bound(cluster, k)
    if holds:
        assert _brute(cluster, k)[0] is True, detail


@SETTINGS
@given(clusters(platform='proxmox'))
def test_basic_replay_bound_never_passes_a_failing_replay(case):
    model, k = case
    model['crs'] = 'basic'
    cluster = _cluster(model)
    holds, detail = basic_replay_bound(cluster.replay, k)
    if holds:
        assert _brute(cluster, k)[0] is True, detail


def _reduced_matches_brute(model, k, limit):
    cluster = _cluster(model)
    summary, _scenarios, _track = engine._evaluate_k(cluster, k, limit, SEARCH_NODE_LIMIT, True)
    brute_ok, brute_decided = _brute(_cluster(model), k)
    if summary['decided_exactly'] and brute_decided:
        assert summary['ok'] == brute_ok, summary
    return summary


@SETTINGS
@given(clusters(), st.integers(min_value=0, max_value=4))
def test_reduced_decision_equals_brute_force_feasibility(case, limit):
    model, k = case
    _reduced_matches_brute(model, k, limit)


@SETTINGS
@given(clusters(platform='proxmox'), st.integers(min_value=0, max_value=4))
def test_reduced_decision_equals_brute_force_pve_replay(case, limit):
    model, k = case
    summary = _reduced_matches_brute(model, k, limit)
    assert summary['method'] != 'symmetry'


# --- deterministic cases where each method decides (so the properties above are not vacuous) ---

def _equal(hosts, host_gib, per_host, guest_gib, platform=None):
    model = {'hosts': [{'name': 'n%02d' % i, 'memory_mb': host_gib * GIB, 'cpus': 16} for i in range(hosts)],
             'guests': [{'id': 'vm:%d' % (100 + i * per_host + j), 'host': 'n%02d' % i, 'memory_mb': guest_gib * GIB,
                         'cpus': 2} for i in range(hosts) for j in range(per_host)]}
    if platform:
        model.update(platform=platform, crs='basic')
    return model


def test_placement_bound_proves_n_plus_3_without_enumerating():
    model = _equal(12, 64, 6, 4)
    model['guests'][0]['memory_mb'] = 20 * GIB  # no longer one slot size, so the slot bound alone is not it
    model['guests'][1]['allowed_hosts'] = ['n00', 'n03', 'n05', 'n07', 'n09']
    result = engine.evaluate(model, host_failures=3, enumeration_limit=10)
    assert result['placement']['method'] in ('bound', 'slot_bound')
    assert result['placement']['decided_exactly'] is True
    assert result['ok'] is True
    assert engine.evaluate(model, host_failures=3)['ok'] is True  # brute force agrees


def test_basic_replay_bound_proves_n_plus_3_for_pve():
    model = _equal(12, 64, 6, 4, platform='proxmox')
    result = engine.evaluate(model, host_failures=3, enumeration_limit=10)
    assert result['placement']['method'] == 'bound'
    assert result['placement']['bound']['bound'] == 'pve_basic'
    assert result['ok'] is True
    assert engine.evaluate(model, host_failures=3)['placement']['method'] == 'enumerated'
    assert engine.evaluate(model, host_failures=3)['ok'] is True


def test_a_guest_restricted_to_k_hosts_is_a_counterexample_found_at_once():
    model = _equal(12, 64, 2, 4)
    model['guests'][0]['allowed_hosts'] = ['n00', 'n01', 'n02']
    result = engine.evaluate(model, host_failures=3, enumeration_limit=10)
    assert result['placement']['method'] == 'counterexample'
    assert result['placement']['decided_exactly'] is True
    assert result['ok'] is False
    assert result['worst_scenario']['failed_hosts'] == ['n00', 'n01', 'n02']


def test_symmetry_classes_group_only_hosts_nothing_refers_to():
    model = _equal(6, 64, 2, 4)
    model['guests'][0]['host_priority'] = {'n05': 1}  # n00 runs a guest with preferences, n05 is named
    cluster = _cluster(model)
    classes = engine.symmetry_classes(cluster)
    assert [0] in classes and [5] in classes
    assert [1, 2, 3, 4] in classes
    assert engine.class_vector_count(classes, 2) == 4  # {0,5}, {0,x}, {5,x}, {x,y}
