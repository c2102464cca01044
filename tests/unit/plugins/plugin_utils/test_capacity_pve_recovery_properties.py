# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Invariants of the Proxmox recovery replay on random clusters (hypothesis).

- every displaced HA guest is either restarted on a surviving online host or reported unplaced,
  exactly once;
- a restarted guest sits in its strict rule's hosts, in the best priority class still online,
  and never next to a negative-affinity partner that holds a node;
- the answer does not depend on the order hosts and guests are listed in;
- when PVE's own choices fit, a feasible placement exists, so the feasibility engine agrees.
"""

from __future__ import absolute_import, division, print_function

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate, plan_failover

__metaclass__ = type

GIB = 1024


@st.composite
def clusters(draw):
    n = draw(st.integers(min_value=3, max_value=6))
    nodes = ['node%d' % i for i in range(1, n + 1)]
    count = draw(st.integers(min_value=1, max_value=14))
    guests = []
    for i in range(count):
        entry = {'id': 'vm:%d' % draw(st.integers(min_value=100, max_value=1200)), 'host': draw(st.sampled_from(nodes)),
                 'memory_mb': draw(st.sampled_from([1, 2, 4, 8, 16])) * GIB, 'cpus': draw(st.sampled_from([1, 2, 4]))}
        roll = draw(st.integers(min_value=0, max_value=9))
        if roll == 0:
            entry['allowed_hosts'] = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=n, unique=True))
        elif roll == 1:
            entry['host_priority'] = draw(st.dictionaries(st.sampled_from(nodes), st.integers(min_value=0, max_value=2), min_size=1))
        elif roll == 2:
            entry['anti_affinity'] = [draw(st.sampled_from(['a', 'b']))]
        elif roll == 3:
            entry['keep_together'] = [draw(st.sampled_from(['x', 'y']))]
        elif roll == 4:
            entry['running'] = False
            entry['occupies_host'] = draw(st.booleans())
            entry['anti_affinity'] = ['a']
        elif roll == 5:
            entry['ha'] = False
        guests.append(entry)
    unique = dict((g['id'], g) for g in guests)
    model = {'platform': 'proxmox', 'crs': draw(st.sampled_from(['basic', 'static'])),
             'hosts': [{'name': x, 'memory_mb': draw(st.sampled_from([32, 48, 64])) * GIB, 'cpus': 16} for x in nodes],
             'guests': list(unique.values())}
    failed = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2, unique=True))
    return model, failed


def displaced(model, failed):
    return sorted(g['id'] for g in model['guests'] if g['host'] in failed and g.get('running', True) and g.get('ha', True))


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(clusters())
def test_every_displaced_guest_is_restarted_or_reported_once(case):
    model, failed = case
    plan = plan_failover(model, failed)
    restarted = plan['restarted_on']
    unplaced = [row['id'] for row in plan['unplaced']]
    assert sorted(list(restarted) + unplaced) == displaced(model, failed)
    assert all(host not in failed for host in restarted.values())


@SETTINGS
@given(clusters())
def test_restarted_guests_respect_rules_and_partners(case):
    model, failed = case
    plan = plan_failover(model, failed)
    by_id = dict((g['id'], g) for g in model['guests'])
    final = {}
    for g in model['guests']:
        if g.get('occupies_host', g.get('running', True)) and g['host'] not in failed:
            final[g['id']] = g['host']
    final.update(plan['restarted_on'])
    survivors = [h['name'] for h in model['hosts'] if h['name'] not in failed]
    for gid, host in plan['restarted_on'].items():
        g = by_id[gid]
        if g.get('keep_together'):
            continue  # a bundle may inherit another member's rule
        if g.get('allowed_hosts') is not None:
            assert host in g['allowed_hosts']
            rule = dict((h, g.get('host_priority', {}).get(h, 0)) for h in g['allowed_hosts'])
        elif g.get('host_priority'):
            rule = dict((h, g['host_priority'].get(h, -1)) for h in survivors)
        else:
            rule = None
        if rule is not None:
            best = max(p for h, p in rule.items() if h in survivors)
            assert rule[host] == best
        for label in g.get('anti_affinity', []):
            for other in model['guests']:
                if other['id'] != gid and label in other.get('anti_affinity', []) and other['id'] in final:
                    assert final[other['id']] != host


@SETTINGS
@given(clusters(), st.integers(min_value=0, max_value=1000))
def test_input_order_does_not_matter(case, seed):
    model, failed = case
    rng = random.Random(seed)
    shuffled = dict(model, hosts=list(model['hosts']), guests=list(model['guests']))
    rng.shuffle(shuffled['hosts'])
    rng.shuffle(shuffled['guests'])
    assert plan_failover(shuffled, failed) == plan_failover(model, failed)


@SETTINGS
@given(clusters())
def test_when_pve_choices_fit_a_feasible_placement_exists(case):
    model, _failed = case
    replayed = evaluate(model, host_failures=0)
    if replayed['tolerated_host_failures'] >= 1 and replayed['factors'][-1]['tolerated'] >= 1:
        feasible = evaluate(dict(model, platform='vsphere'), host_failures=1)
        assert feasible['tolerated_host_failures'] >= 1
