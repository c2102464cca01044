# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equal `static` scores: the replay follows every tied choice that can change the outcome.

PVE's static scorer gets the nodes in HashMap order (proxmox-perl-rs
resource_scheduling_static.rs), so among equally loaded nodes the last float bit, not the node
name, decides. A failure set is ok only if every tied choice that matters passes
(pve_recovery.PveRecovery.scenario, docs/capacity-engine.md 3.3).
"""

from __future__ import absolute_import, division, print_function

import types

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity import engine, pve_recovery
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate, new_cluster, plan_failover
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import summary_sentence

__metaclass__ = type

GIB = 1024


def three_equal_survivors(reserved_gib=0):
    """node1-node3 each run one 8 GiB guest; node4 fails and its 40 GiB guest goes to one of them."""
    model = {'platform': 'proxmox', 'cluster': 'ties', 'crs': 'static',
             'hosts': [{'name': 'node%d' % i, 'memory_mb': 64 * GIB, 'cpus': 16} for i in range(1, 5)],
             'guests': [{'id': 'vm:10%d' % i, 'host': 'node%d' % i, 'memory_mb': 8 * GIB, 'cpus': 2} for i in range(1, 4)]
             + [{'id': 'vm:401', 'host': 'node4', 'memory_mb': 40 * GIB, 'cpus': 2}]}
    model['hosts'][1]['reserved_mb'] = reserved_gib * GIB  # PVE's scheduler does not see it
    return model


def test_a_tie_between_nodes_that_differ_in_free_memory_is_followed_both_ways():
    model = three_equal_survivors(reserved_gib=20)
    plan = plan_failover(model, ['node4'])
    # node1 (the first name) would fit; PVE may as well take node2, where 40 GiB no longer fits.
    assert plan['restarted_on'] == {'vm:401': 'node2'} and plan['overloaded_hosts'] == ['node2']
    assert plan['tie_branches'] == {'replayed': 2, 'complete': False, 'failing_branch': True}
    result = evaluate(model)
    assert result['ok'] is False and result['limited_by'] == 'memory'
    assert 'PVE scores several nodes equally and may take any of them: this is one of its possible choices' in (
        summary_sentence(result))


def test_interchangeable_tied_nodes_are_replayed_once():
    plan = plan_failover(three_equal_survivors(), ['node4'])
    assert plan['restarted_on'] == {'vm:401': 'node1'} and plan['ok'] is True
    assert 'tie_branches' not in plan
    assert evaluate(three_equal_survivors())['ok'] is True


def test_a_mirror_image_is_cleared_when_the_free_memory_differs_by_less_than_what_is_left():
    model = three_equal_survivors(reserved_gib=4)  # node2 has 4 GiB less; 56 - 40 = 16 GiB are left
    plan = plan_failover(model, ['node4'])
    assert plan['ok'] is True and 'tie_branches' not in plan
    assert evaluate(model)['ok'] is True


def test_a_node_named_by_the_rule_of_a_guest_still_to_come_is_not_interchangeable():
    model = three_equal_survivors()
    model['guests'].append({'id': 'vm:402', 'host': 'node4', 'memory_mb': 1 * GIB, 'cpus': 2,
                            'allowed_hosts': ['node1', 'node3', 'node4']})
    plan = plan_failover(model, ['node4'])
    # vm:401 ties on node1-3; node2 is not in vm:402's rule, so taking it is a different recovery:
    # the first replay finds that vm:402 would choose differently, the tie is split, both branches follow.
    assert plan['ok'] is True and plan['tie_branches'] == {'replayed': 3, 'complete': True}


def test_no_nodes_are_interchangeable_while_a_keep_together_member_is_still_to_come():
    # PVE sends a bundle member to the node holding most of its partners, ties by node name: a swap
    # of two tied nodes would not mirror that, so the tie before vm:402 and vm:403 is followed both ways.
    model = three_equal_survivors()
    model['guests'] += [{'id': 'vm:40%d' % i, 'host': 'node4', 'memory_mb': 1 * GIB, 'cpus': 2, 'keep_together': ['b']}
                        for i in (2, 3)]
    plan = plan_failover(model, ['node4'])
    assert plan['ok'] is True and plan['tie_branches']['complete'] is True and plan['tie_branches']['replayed'] > 1
    without = plan_failover(three_equal_survivors(), ['node4'])
    assert 'tie_branches' not in without


def test_past_the_branch_limit_the_set_is_undecided(monkeypatch):
    monkeypatch.setattr(pve_recovery, 'TIE_BRANCH_LIMIT', 1)
    cluster = new_cluster(normalize_model(three_equal_survivors(reserved_gib=20)), 'configured', 0)
    index = cluster.names.index('node4')
    ok, decided, result = cluster.replay.scenario((index,))
    assert (ok, decided) == (False, False)
    assert result['tie_branches'] == {'replayed': 1, 'complete': False}
    verdict = evaluate(three_equal_survivors(reserved_gib=20))
    assert verdict['ok'] is False and verdict['placement']['decided_exactly'] is False
    assert '1 replays did not cover every choice, so this failure set is not proven' in summary_sentence(verdict)


class ScriptedReplay:
    """A stand-in replay: failure set -> replays its ties need; ok when they fit the limit."""

    def __init__(self, needs):
        self.needs = needs
        self.replays = 0
        self.limits = []

    def scenario(self, failed, _track=None, _with_plan=False, limit=None):
        limit = limit or pve_recovery.TIE_BRANCH_LIMIT
        self.limits.append((failed, limit))
        used = min(self.needs[failed], limit)
        self.replays += used
        decided = self.needs[failed] <= limit
        return decided, decided, {'failed': failed}


class FailsOn(ScriptedReplay):
    """The scripted replay, except that one set is a concrete failure (decided, not ok)."""

    def __init__(self, needs, failing):
        ScriptedReplay.__init__(self, needs)
        self.failing = failing

    def scenario(self, failed, _track=None, _with_plan=False, limit=None):
        ok, decided, outcome = ScriptedReplay.scenario(self, failed, _track, _with_plan, limit)
        return (False, True, outcome) if failed == self.failing else (ok, decided, outcome)


def run_sets(needs, order, full=True, replay=None):
    replay = replay or ScriptedReplay(needs)
    summary = {'evaluated_count': 0, 'failed_count': 0, 'ok': True, 'decided_exactly': True,
               'undecided_count': 0, 'proven_failures': 0}
    outcomes = []
    passed = engine._run_sets(types.SimpleNamespace(replay=replay), order, None, full, summary, outcomes, None,
                              collect=outcomes)
    return passed, summary, replay, [o['failed'] for o in outcomes]


def test_a_set_past_the_tie_limit_is_retried_with_what_all_the_sets_left(monkeypatch):
    monkeypatch.setattr(pve_recovery, 'TIE_BRANCH_LIMIT', 4)
    # The hard set comes first: it is set aside, and retried with 4 x 4 - (4 + 1 + 1 + 1) = 9 replays.
    passed, summary, replay, outcomes = run_sets({'a': 1, 'b': 1, 'c': 1, 'd': 9}, 'dabc')
    assert passed is True and summary == {'evaluated_count': 4, 'failed_count': 0, 'ok': True, 'decided_exactly': True,
                                          'undecided_count': 0, 'proven_failures': 0}
    assert replay.limits == [('d', 4), ('a', 4), ('b', 4), ('c', 4), ('d', 9)] and outcomes == list('dabc')
    assert replay.replays == 4 * 4  # the whole call stays within its share of 4 replays per set
    # Two hard sets: the pool (4 x 5 - 14 = 6) goes to the first, still too few; nothing is left for e.
    passed, summary, replay, _outcomes = run_sets({'a': 1, 'b': 4, 'c': 1, 'd': 9, 'e': 20}, 'abcde')
    assert passed is False and summary == {'evaluated_count': 5, 'failed_count': 2, 'ok': False, 'decided_exactly': False,
                                           'undecided_count': 2, 'proven_failures': 0}
    assert replay.limits == [('a', 4), ('b', 4), ('c', 4), ('d', 4), ('e', 4), ('d', 6)]


def test_a_set_decided_failing_ends_a_verdict_only_run_before_any_retry(monkeypatch):
    monkeypatch.setattr(pve_recovery, 'TIE_BRANCH_LIMIT', 4)
    passed, summary, replay, outcomes = run_sets(None, 'abcd', full=False,
                                                 replay=FailsOn({'a': 9, 'b': 1, 'c': 1, 'd': 1}, 'c'))
    # c is a counterexample whatever a does: a is not retried, and the verdict is decided.
    assert passed is False and replay.limits == [('a', 4), ('b', 4), ('c', 4)] and outcomes[-1] == 'c'
    assert summary == {'evaluated_count': 3, 'failed_count': 1, 'ok': False, 'decided_exactly': True,
                       'undecided_count': 0, 'proven_failures': 1}
    # Undecided after its retry, a verdict-only run reports that set last.
    passed, summary, _replay, outcomes = run_sets({'a': 30, 'b': 1, 'c': 1}, 'abc', full=False)
    assert passed is False and outcomes[-1] == 'a' and summary['decided_exactly'] is False


def test_a_set_decided_failing_decides_a_full_run_that_also_left_sets_undecided(monkeypatch):
    monkeypatch.setattr(pve_recovery, 'TIE_BRANCH_LIMIT', 4)
    # a stays undecided (30 replays needed, 4 x 3 - 6 = 6 in the pool); b is a concrete failure, so
    # the report's "not ok" is exact all the same (the probe sets of a large k run this way).
    passed, summary, _replay, _outcomes = run_sets(None, 'abc', full=True, replay=FailsOn({'a': 30, 'b': 1, 'c': 1}, 'b'))
    assert passed is False
    assert summary == {'evaluated_count': 3, 'failed_count': 2, 'ok': False, 'decided_exactly': True,
                       'undecided_count': 1, 'proven_failures': 1}
    # Without the concrete failure, the undecided set leaves the verdict not proven.
    passed, summary, _replay, _outcomes = run_sets({'a': 30, 'b': 1, 'c': 1}, 'abc', full=True)
    assert passed is False and summary['decided_exactly'] is False and summary['proven_failures'] == 0


def test_a_state_met_again_is_the_same_only_if_the_free_memory_is_too():
    # node5 fails with three 4 GiB guests; vm:402 also needs 3 GiB of overhead. node1 has 6 GiB
    # reserved (10 GiB usable). node3 and node4 are busier, so the first two guests go to node1 and
    # node2 in either order: the scheduler's loads are then the same at vm:403's tie, the free
    # memory is not, and only vm:402 plus vm:403 (11 GiB) overload node1.
    model = {'platform': 'proxmox', 'cluster': 'ties', 'crs': 'static',
             'hosts': [{'name': 'node%d' % i, 'memory_mb': 16 * GIB, 'cpus': 8} for i in range(1, 6)],
             'guests': [{'id': 'vm:40%d' % i, 'host': 'node5', 'memory_mb': 4 * GIB, 'cpus': 2} for i in (1, 2, 3)]
             + [{'id': 'vm:90%d' % i, 'host': 'node%d' % i, 'memory_mb': 8 * GIB, 'cpus': 2, 'ha': False} for i in (3, 4)]}
    model['hosts'][0]['reserved_mb'] = 6 * GIB
    model['guests'][1]['overhead_mb'] = 3 * GIB
    cluster = new_cluster(normalize_model(model), 'configured', 0)
    cluster.replay.mirror_ties = False  # every tie branches: the second visit of a state is what matters
    ok, decided, result = cluster.replay.scenario((4,), with_plan=True)
    assert (ok, decided) == (False, True)
    assert result['restarted_on'] == {'vm:401': 'node2', 'vm:402': 'node1', 'vm:403': 'node1'}
    assert result['overloaded_hosts'] == ['node1']


def test_every_branch_of_a_tie_tree_is_replayed_once():
    # A stand-in replay whose ties form a fixed tree: {prefix: number of choices at the next tie}.
    tree = {(): 3, (0,): 2, (1,): 0, (2,): 2, (0, 0): 0, (0, 1): 2, (2, 0): 0, (2, 1): 0, (0, 1, 0): 0, (0, 1, 1): 0}
    seen = []

    def replay(_self, _failed, prefix, _track, _plan, _lazy, _exact, _split, _seen, _snapshots):
        path, ties = (), []
        while tree[path]:
            ties.append(tree[path])
            j = len(path)
            path += (prefix[j] if j < len(prefix) else 0,)
        seen.append(path)
        return True, {'ok': True}, ties, True, None

    stub = types.SimpleNamespace()
    stub._replay = types.MethodType(replay, stub)
    stub._branches = types.MethodType(pve_recovery.PveRecovery._branches, stub)
    stub.merge_ties = True
    stub.resume_ties = True
    stub.replays = 0
    ok, decided, result = pve_recovery.PveRecovery.scenario(stub, (0,))
    leaves = sorted(p for p, n in tree.items() if n == 0)
    assert (ok, decided) == (True, True) and sorted(seen) == leaves and len(seen) == len(set(seen))
    assert result['tie_branches'] == {'replayed': len(leaves), 'complete': True}
    assert stub.replays == len(leaves)  # what the engine's tie budget counts
    # With fewer replays allowed than leaves, the set is undecided.
    ok, decided, result = pve_recovery.PveRecovery.scenario(stub, (0,), limit=3)
    assert (ok, decided) == (False, False) and result['tie_branches'] == {'replayed': 3, 'complete': False}


# --- the interchangeability shortcut never hides a failing branch -------------------------------

@st.composite
def tied_clusters(draw):
    """Identical hosts that start with the same guests, so that equal scores are common; some hosts
    differ only in what PVE's scheduler does not see (reserved memory, overhead, a stopped guest)."""
    n = draw(st.integers(min_value=3, max_value=6))
    nodes = ['node%d' % i for i in range(1, n + 1)]
    hosts = [{'name': x, 'memory_mb': 16 * GIB, 'cpus': 8,
              'reserved_mb': draw(st.sampled_from([0, 0, 3, 6])) * GIB} for x in nodes]
    same = draw(st.lists(st.sampled_from([1, 2, 4]), min_size=0, max_size=2))
    guests = []
    for x in nodes:
        for size in same:
            guests.append({'id': 'vm:%d' % (100 + len(guests)), 'host': x, 'memory_mb': size * GIB, 'cpus': 2})
    for _i in range(draw(st.integers(min_value=1, max_value=6))):
        entry = {'id': 'vm:%d' % (100 + len(guests)), 'host': draw(st.sampled_from(nodes)),
                 'memory_mb': draw(st.sampled_from([2, 4, 6])) * GIB, 'cpus': 2,
                 'overhead_mb': draw(st.sampled_from([0, 0, 1024]))}
        roll = draw(st.integers(min_value=0, max_value=9))
        if roll in (0, 1):
            entry['allowed_hosts'] = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=n - 1, unique=True))
        elif roll == 2:
            entry['host_priority'] = {draw(st.sampled_from(nodes)): 1}
        elif roll == 3:
            entry['anti_affinity'] = ['a']
        elif roll == 4:
            entry['ha'] = False
        elif roll == 5:
            entry['keep_together'] = ['k']
        guests.append(entry)
    model = {'platform': 'proxmox', 'crs': 'static', 'hosts': hosts, 'guests': guests,
             'crs_counts_non_ha': draw(st.booleans())}
    failed = draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=2, unique=True))
    return model, failed


def every_branch(model):
    """The oracle: a replay for which no two tied hosts are ever interchangeable and no state is
    taken for one met before."""
    cluster = new_cluster(normalize_model(model), 'configured', 0)
    cluster.replay.mirror_ties = False
    cluster.replay.merge_ties = False
    cluster.replay.resume_ties = False
    return cluster


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tied_clusters())
def test_skipping_interchangeable_choices_gives_the_verdict_of_following_all(case):
    model, failed = case
    cluster = new_cluster(normalize_model(model), 'configured', 0)
    chosen = tuple(sorted(cluster.names.index(x) for x in failed))
    ok, decided, _result = cluster.replay.scenario(chosen)
    ok_all, decided_all, _result_all = every_branch(model).replay.scenario(chosen)
    if decided and decided_all:
        assert ok == ok_all


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tied_clusters())
def test_a_branch_resumed_at_its_tie_is_the_replay_from_the_first_guest(case):
    model, failed = case
    outcomes = []
    for resume in (True, False):
        cluster = new_cluster(normalize_model(model), 'configured', 0)
        cluster.replay.resume_ties = resume
        chosen = tuple(sorted(cluster.names.index(x) for x in failed))
        outcomes.append((cluster.replay.scenario(chosen, with_plan=True), cluster.replay.replays))
    assert outcomes[0] == outcomes[1]
