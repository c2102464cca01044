# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failover-capacity engine (N+1 / N+k): every failure set of size k, the verdict as plain data.

Entry points:
  evaluate(model, host_failures=1, view='configured', reserve_percent=0) -> result dict (data only;
      report.with_report adds the summary sentence and the Markdown report)
  plan_failover(model, failed_hosts, ...) -> where each displaced guest restarts for one failure set
The decision procedure is explained in docs/capacity-engine.md.
"""

from __future__ import absolute_import, division, print_function

import itertools
import math

import dataclasses

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity import pve_recovery
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.bounds import basic_replay_bound, placement_bound
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError, Model, ceil_div, check_options, normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.placement import SEARCH_NODE_LIMIT, SEARCH_TOTAL_LIMIT, Cluster, scenario
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.platform_limits import quorum_figure, storage_figures
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.pve_recovery import PveRecovery

__metaclass__ = type

# Failure sets per k that are enumerated one by one when bounds cannot decide; up to
# ENUMERATE_BELOW they are always enumerated (exact figures for every set, cheap).
ENUMERATION_LIMIT = 5000
ENUMERATE_BELOW = 500
# Beyond the requested k the memory figure is only a report ("tolerates 2"), so it is not worth a
# replay that scores every node for every displaced guest of every failure set (PVE `static`): past
# this many node scorings (about 8 s on the benchmark machine) the figure is given as "k or more".
EXPLORE_STATIC_BUDGET = 3000000
# Riskiest failure sets replayed in search of a counterexample when nothing else decides.
COUNTEREXAMPLE_BUDGET = 500
MAX_PROBE_SETS = 64


# ---------------------------------------------------------------------------
# All failure sets of one size k
# ---------------------------------------------------------------------------

def _largest_sum(values, k):
    return sum(sorted(values, reverse=True)[:k]) if k > 0 else 0


def slot_bound(cluster, k):
    """Sound sufficient condition that every k-failure set places all displaced guests.

    With s the largest demand of any running HA guest, a survivor with free memory f has
    floor(f / s) slots. Placing a guest (size <= s) on a host where it fits removes at most one
    slot from that host. W is the most guests any k failures can displace. For each HA guest g,
    count the slots on its usable hosts (allowed, and not already running a guest that shares one
    of its labels), minus the k best of them (they may fail) and minus the best hosts that its
    label partners could take after a failover. If that is >= W for every g, then when g's turn
    comes at most W - 1 guests were placed before it, so one of its usable hosts still has a
    slot, i.e. room for g: preferred-order placement never gets stuck, whatever the failure set.
    Returns (holds, explanation dict).
    """
    online = cluster.online
    online_set = set(online)
    infos = cluster.guest_info
    ha_ids = [item[1] for h in online for item in cluster.ha_items[h]] + [item[1] for item in cluster.stranded]
    size = max([infos[gid]['demand'] for gid in ha_ids] or [0])
    overcommitted = [cluster.names[h] for h in online if cluster.base_free[h] < 0]
    worst_displaced = len(cluster.stranded) + _largest_sum([len(cluster.ha_items[h]) for h in online], k)
    slots = {}
    for h in online:
        slots[h] = worst_displaced if size == 0 else max(0, cluster.base_free[h]) // size
    label_users = {}
    for gid in ha_ids:
        for label in infos[gid]['labels']:
            label_users[label] = label_users.get(label, 0) + 1
    weakest = None  # (guaranteed slots, guest id)
    checked = set()
    for gid in sorted(ha_ids):
        info = infos[gid]
        key = (info['allowed'], info['labels'])
        if key in checked:
            continue  # same hosts and labels give the same count
        checked.add(key)
        hosts = online if info['allowed'] is None else [h for h in info['allowed'] if h in online_set]
        if info['labels']:
            hosts = [h for h in hosts if not _conflicts_with_others(info, h, cluster.base_labels)]
        partners = sum(label_users[label] - 1 for label in info['labels'])
        values = sorted((slots[h] for h in hosts), reverse=True)
        guaranteed = sum(values) - sum(values[:k + partners])
        if weakest is None or guaranteed < weakest[0]:
            weakest = (guaranteed, gid)
    holds = not overcommitted and (weakest is None or weakest[0] >= worst_displaced)
    return holds, {
        'slot_mb': size,
        'worst_case_displaced': worst_displaced,
        'guaranteed_slots': None if weakest is None else weakest[0],
        'weakest_guest': None if weakest is None else weakest[1],
        'overcommitted_hosts': overcommitted,
    }


def _conflicts_with_others(info, h, base_labels):
    """Label conflict on host h with a running guest other than the guest itself."""
    for label in info['labels']:
        if base_labels[h].get(label, 0) - (1 if h == info['host'] else 0) > 0:
            return True
    return False


def _candidate_sets(cluster, k):
    """A few failure sets that are the likeliest worst ones, for concrete evidence beyond the limit."""
    online = cluster.online
    ha_demand = dict((h, -sum(item[0] for item in cluster.ha_items[h])) for h in online)
    rankings = [
        sorted(online, key=lambda h: (-ha_demand[h], h)),  # most memory to restart
        sorted(online, key=lambda h: (-cluster.capacity[h], h)),  # largest hosts
        sorted(online, key=lambda h: (-cluster.base_free[h], h)),  # most spare room lost
        sorted(online, key=lambda h: (-len(cluster.ha_items[h]), h)),  # most guests to restart
    ]
    sets = []
    for ranking in rankings:
        chosen = tuple(sorted(ranking[:k]))
        if chosen not in sets:
            sets.append(chosen)
    return sets


def _evaluate_k(cluster, k, enumeration_limit, search_node_limit, full):
    """Decide every failure set of size k: one by one when there are few, else by counterexamples,
    bounds and symmetry (docs/capacity-engine.md, "Large k").

    full=False stops at the first failing set (only the verdict is needed).
    """
    online = cluster.online
    total = math.comb(len(online), k) if k <= len(online) else 0
    summary = {
        'host_failures': k,
        'method': 'enumerated',
        'scenario_count': total,
        'evaluated_count': 0,
        'failed_count': 0,
        'ok': True,
        'decided_exactly': True,
        'undecided_count': 0,  # sets evaluated without a decision (tie or search limit)
        'proven_failures': 0,  # sets decided failing: each proves "not ok" on its own
        'slot_bound': None,
        'bound': None,
        'symmetry_classes': None,
    }
    scenarios = []
    track = [None] * len(cluster.names) if full else None
    if k > 0 and k >= len(online):
        summary.update(method='impossible', ok=False)
        return summary, scenarios, track
    if total <= min(enumeration_limit, ENUMERATE_BELOW):
        _run_sets(cluster, itertools.combinations(online, k), search_node_limit, full, summary, scenarios, track)
        return summary, scenarios, track
    _evaluate_large_k(cluster, k, total, enumeration_limit, search_node_limit, full, summary, scenarios, track)
    return summary, scenarios, track


def _run_sets(cluster, failure_sets, search_node_limit, full, summary, scenarios, track, weights=None, collect=None):
    """Evaluate failure sets exactly into summary; unless full, stop at the first set decided failing.

    weights[i] is how many failure sets the i-th one stands for (symmetry); failed_count counts them.
    A `static` replay of a set whose tied choices need more than TIE_BRANCH_LIMIT replays is set
    aside and retried after the others (_retry_tied_sets). A set that fails only because the exact
    search hit its node limit proves nothing, so a verdict-only run goes on looking for one that
    does, and reports the first undecided one last if none does. Returns False when a set failed."""
    all_ok = True
    unproven = None  # outcome index of the first set failing undecided (search limit)
    replay = cluster.replay
    replays_before = replay.replays if replay is not None else 0
    outcomes = scenarios if full else collect
    tied = []  # (failure set, index of its outcome) past the tie limit
    count = 0
    for i, failed in enumerate(failure_sets):
        ok, decided, outcome = run_scenario(cluster, failed, search_node_limit, track)
        summary['evaluated_count'] += 1
        count += 1
        index = None
        if outcomes is not None:
            outcomes.append(outcome)
            index = len(outcomes) - 1
        if replay is not None and not decided:
            tied.append((failed, index))
            continue
        if not _tally(summary, ok, decided, 1 if weights is None else weights[i]):
            all_ok = False
            if not full:
                if decided:
                    return False
                if unproven is None:
                    unproven = index
    if unproven is not None:
        # (The callers report the last outcome as the failing one.)
        outcomes.append(outcomes.pop(unproven))
    if tied:
        pool = pve_recovery.TIE_BRANCH_LIMIT * count - (replay.replays - replays_before)
        all_ok = _retry_tied_sets(replay, tied, pool, full, summary, outcomes, track) and all_ok
    return all_ok


def _tally(summary, ok, decided, weight):
    """Count one evaluated set (standing for `weight` sets) into summary; returns ok.

    The count is exact when every set was decided, or when one set was decided failing: that set
    is a concrete failure, so "not ok" holds whatever the undecided ones would have shown."""
    if not decided:
        summary['undecided_count'] += weight
    if not ok:
        summary['failed_count'] += weight
        summary['ok'] = False
        if decided:
            summary['proven_failures'] += weight
    summary['decided_exactly'] = summary['undecided_count'] == 0 or summary['proven_failures'] > 0
    return ok


def _retry_tied_sets(replay, tied, pool, full, summary, outcomes, track):
    """The sets past the tie limit once more, in order, each allowed every replay still in the pool:
    the share of TIE_BRANCH_LIMIT per set that all the sets of the call left unused. So a few hard
    sets get decided while the whole call stays within TIE_BRANCH_LIMIT replays per set (per pass
    of the replay, PveRecovery.scenario). A set still past its limit stays undecided (not ok, not
    proven). Unless full, the first set that is not ok ends the call, its outcome moved last (the
    callers report the last outcome as the failing one)."""
    all_ok = True
    for failed, index in tied:
        ok = decided = False
        if pool > pve_recovery.TIE_BRANCH_LIMIT:
            before = replay.replays
            ok, decided, outcome = replay.scenario(failed, track, False, pool)
            pool -= replay.replays - before
            if outcomes is not None:
                outcomes[index] = outcome
        if not _tally(summary, ok, decided, 1):
            all_ok = False
            if not full:
                if outcomes is not None:
                    outcomes.append(outcomes.pop(index))
                return False
    return all_ok


def _evaluate_large_k(cluster, k, total, enumeration_limit, search_node_limit, full, summary, scenarios, track):
    """Counterexamples first (a failing set decides "not ok"), then a bound that proves "ok",
    then exact enumeration where it is small enough (after the symmetry reduction)."""
    probe = dict(summary, evaluated_count=0, failed_count=0, ok=True, undecided_count=0, proven_failures=0)
    probe_scenarios = []
    # Only the report (full) needs every probe set; a verdict stops at the first one decided failing.
    passed = _run_sets(cluster, _probe_sets(cluster, k), search_node_limit, full, probe, probe_scenarios, track)
    summary['evaluated_count'] += probe['evaluated_count']
    if full:
        scenarios.extend(probe_scenarios)
    if not passed:
        # A set that fails only because the exact search hit its limit proves nothing.
        summary.update(method='counterexample', ok=False, failed_count=probe['failed_count'],
                       decided_exactly=probe['decided_exactly'])
        if cluster.replay is None:
            summary['slot_bound'] = slot_bound(cluster, k)[1]
        return
    if cluster.replay is None:
        holds, detail = slot_bound(cluster, k)
        summary['slot_bound'] = detail
        if holds:
            summary.update(method='slot_bound', ok=True, decided_exactly=True)
            return
        holds, detail = placement_bound(cluster, k)
    else:
        holds, detail = basic_replay_bound(cluster.replay, k)
    summary['bound'] = detail
    if holds:
        summary.update(method='bound', ok=True, decided_exactly=True)
        return
    if cluster.replay is None:
        classes = symmetry_classes(cluster)
        vectors = class_vector_count(classes, k)
        summary['symmetry_classes'] = {'classes': len(classes), 'representative_sets': vectors}
        if vectors <= enumeration_limit and vectors < total:
            sets, weights = representative_sets(classes, k)
            summary.update(method='symmetry', ok=True, decided_exactly=True, evaluated_count=0)
            del scenarios[:]
            _run_sets(cluster, sets, search_node_limit, full, summary, scenarios, track, weights)
            return
    # Every set when there are at most enumeration_limit, else a budget of them, riskiest hosts
    # first: a failing set decides "not ok" at once (failed_count then counts the failing sets
    # found, not all of them).
    ranked = sorted(cluster.online, key=lambda h: (_risk(cluster, h), h))
    budget = total if total <= enumeration_limit else min(COUNTEREXAMPLE_BUDGET, enumeration_limit)
    search = itertools.islice(itertools.combinations(ranked, k), budget)
    found = dict(summary, evaluated_count=0, failed_count=0, ok=True, undecided_count=0, proven_failures=0)
    searched = []
    passed = _run_sets(cluster, (tuple(sorted(f)) for f in search), search_node_limit, False, found, [], track,
                       collect=searched if full else None)
    summary['evaluated_count'] += found['evaluated_count']
    if not passed:
        summary.update(method='counterexample', ok=False, failed_count=found['failed_count'],
                       decided_exactly=found['decided_exactly'])
        if full:
            scenarios.append(searched[-1])
        return
    if found['evaluated_count'] == total:
        summary.update(method='enumerated', ok=True, decided_exactly=found['decided_exactly'], evaluated_count=total)
        if full:
            scenarios[:] = searched
        return
    summary.update(method='slot_bound' if cluster.replay is None else 'sampled', ok=False, decided_exactly=False)


def _risk(cluster, h):
    """Hosts whose failure displaces most HA memory first."""
    return sum(item[0] for item in cluster.ha_items[h])


def _probe_sets(cluster, k):
    """Failure sets likeliest to fail: the candidate worst sets, and for every guest restricted to
    at most k online hosts (its own included), exactly those hosts (filled up by risk)."""
    sets = list(_candidate_sets(cluster, k))
    online = cluster.online
    online_set = set(online)
    ranked = sorted(online, key=lambda h: (_risk(cluster, h), h))
    rules = set()
    for h in online:
        for _neg, gid in cluster.ha_items[h]:
            allowed = _strict_hosts(cluster, gid)
            if allowed is not None:
                rules.add(tuple(sorted(set(x for x in allowed if x in online_set) | set([h]))))
    for rule in sorted(rules):
        if len(rule) <= k and len(sets) < MAX_PROBE_SETS:
            chosen = list(rule) + [x for x in ranked if x not in rule][:k - len(rule)]
            chosen = tuple(sorted(chosen))
            if chosen not in sets:
                sets.append(chosen)
    return sets


def _strict_hosts(cluster, gid):
    """Hosts a guest may run on at all: allowed_hosts (both engines; PVE's strict rule)."""
    return cluster.guest_info[gid]['allowed']


# ---------------------------------------------------------------------------
# Symmetry (feasibility engine only; see docs/capacity-engine.md for why not for PVE's replay)
# ---------------------------------------------------------------------------

def symmetry_classes(cluster):
    """Online hosts grouped so that swapping two hosts of one group maps the cluster to itself.

    A host joins a shared group only when nothing refers to it (no guest names it in allowed_hosts
    or host_priority), it runs no labelled guest and only unrestricted HA guests; the group key is
    its usable memory, its free memory and the sorted demands of its HA guests. Other hosts are
    groups of one. Returns a list of host-index lists, each sorted."""
    named = set()
    for info in cluster.guest_info.values():
        named.update(info['allowed'] or ())
        named.update(info['priority'])
    groups = {}
    for h in cluster.online:
        items = cluster.ha_items[h]
        plain = (h not in named and not any(cluster.base_labels[h].values())
                 and all(cluster.guest_info[gid]['simple'] for _neg, gid in items))
        key = (cluster.capacity[h], cluster.base_free[h], tuple(d for d, _gid in items)) if plain else ('host', h)
        groups.setdefault(key, []).append(h)
    return sorted(groups.values())


def class_vector_count(classes, k):
    """Number of ways to pick k hosts as counts per class (x_i <= size_i, sum k)."""
    ways = [1] + [0] * k
    for group in classes:
        size = len(group)
        ways = [sum(ways[j - x] for x in range(0, min(size, j) + 1)) for j in range(k + 1)]
    return ways[k]


def representative_sets(classes, k):
    """One failure set per class-count vector (the first hosts of each class) and how many sets
    each stands for."""
    sets, weights = [], []

    def walk(i, left, chosen, weight):
        if left == 0:
            sets.append(tuple(sorted(chosen)))
            weights.append(weight)
            return
        if i == len(classes):
            return
        group = classes[i]
        for x in range(min(len(group), left), -1, -1):
            walk(i + 1, left - x, chosen + group[:x], weight * math.comb(len(group), x))
    walk(0, k, [], 1)
    return sets, weights


def new_cluster(model, view, reserve_percent, search_total_limit=SEARCH_TOTAL_LIMIT):
    """The precomputed cluster state; on Proxmox it replays PVE's own recovery."""
    cluster = Cluster(model, view, reserve_percent, search_total_limit)
    cluster.replay = PveRecovery(cluster) if model.platform == 'proxmox' else None
    return cluster


def run_scenario(cluster, failed, search_node_limit, track=None, with_plan=False):
    """One failure set: PVE's recovery replayed on Proxmox, a feasible placement elsewhere."""
    if cluster.replay is not None:
        return cluster.replay.scenario(failed, track, with_plan)
    return scenario(cluster, failed, search_node_limit, track, with_plan)


def _worst(scenarios):
    """Failing sets first, then most memory left unplaced, then least free memory left."""
    if not scenarios:
        return None

    def badness(s):
        min_free = s['min_free_mb'] if s['min_free_mb'] is not None else -(1 << 62)
        return (s['ok'], -s['unplaced_mb'], -len(s['overcommitted_hosts']) - len(s['overloaded_hosts']), min_free, s['failed_hosts'])
    return min(scenarios, key=badness)


# ---------------------------------------------------------------------------
# Aggregate rule and the whole evaluation
# ---------------------------------------------------------------------------

def aggregate(cluster, k):
    """The seed rule: committed memory <= usable memory of all online hosts minus the k largest."""
    capacities = [cluster.capacity[h] for h in cluster.online]
    capacity = sum(capacities)
    reserve = _largest_sum(capacities, k)
    largest = sorted(cluster.online, key=lambda h: (-cluster.capacity[h], h))[:k]
    available = capacity - reserve
    return {
        'capacity_mb': capacity,
        'failover_reserve_mb': reserve,
        'reserved_for_hosts': [cluster.names[h] for h in largest],
        'available_mb': available,
        'committed_mb': cluster.committed,
        'headroom_mb': available - cluster.committed,
        'ok': cluster.committed <= available and (k == 0 or k < len(cluster.online)),
    }


def _admission_percent(cluster, model, k):
    """vSphere percentage admission control (memory) matching k failures and the margin."""
    if model.platform != 'vsphere':
        return None
    usable = sum(h.memory_mb - h.reserved_mb for h in model.hosts if h.state == 'online')
    available = aggregate(cluster, k)['available_mb']
    percent = 100 if usable <= 0 else ceil_div(100 * (usable - available), usable)
    return {'memory_percent': max(0, min(100, percent)), 'failover_level': k}


FACTORS = ('quorum', 'storage', 'memory')  # order names the limiting factor on a tie (hard limits first)


def evaluate(model, host_failures=1, view='configured', reserve_percent=0,
             enumeration_limit=ENUMERATION_LIMIT, search_node_limit=SEARCH_NODE_LIMIT,
             search_total_limit=SEARCH_TOTAL_LIMIT, domain_failures=0, maintenance=()):
    """Full verdict for the requested number of host failures, as a JSON-ready dict.

    tolerated_host_failures is the minimum over memory (placement included), quorum and storage;
    limited_by names the factor. domain_failures asks for the loss of whole fault domains;
    maintenance lists hosts taken out for maintenance (no capacity, no vote) for this question.
    """
    host_failures, view, reserve_percent = check_options(host_failures, view, reserve_percent)
    domain_failures = _check_count(domain_failures, 'domain_failures', 'use 1 to survive the loss of one rack')
    if not isinstance(model, Model):
        model = normalize_model(model)
    model, out_of_service = _with_maintenance(model, maintenance)
    cluster = new_cluster(model, view, reserve_percent, search_total_limit)

    units = [[h.name] for h in model.hosts if h.state != 'offline' and h.name not in out_of_service]
    down = [h.name for h in model.hosts if h.state == 'offline' or h.name in out_of_service]
    domain_of = dict((h.name, h.fault_domain) for h in model.hosts if h.fault_domain)
    quorum = quorum_figure(model, units, out_of_service)
    storage = storage_figures(model, units, domain_of, down)
    platform_limit = _min_defined([quorum and quorum['tolerated']] + [row['tolerated'] for row in storage])
    # Memory is checked up to what was asked or what quorum/storage allow, whichever is more.
    memory_cap = max(len(cluster.online) - 1, 0) if platform_limit is None else max(host_failures, platform_limit, 0)

    # memory tolerated = largest k such that every k' <= k passes both checks; the aggregate
    # rule is monotone in k, so placement is only checked where the aggregate passes.
    by_k = []
    memory = -1
    requested = None
    k = 0
    not_explored = None
    while k <= min(memory_cap, max(len(cluster.online) - 1, 0)):
        agg_ok = aggregate(cluster, k)['ok']
        if not agg_ok and k != host_failures:
            break
        scorings = _static_scorings(cluster, k) if k > host_failures else 0
        if scorings > EXPLORE_STATIC_BUDGET:
            # Sound: every k' < k passed (memory is k - 1); larger k are not claimed.
            not_explored = {'host_failures': k, 'static_scorings': scorings, 'budget': EXPLORE_STATIC_BUDGET}
            break
        full = k == host_failures
        summary, scenarios, track = _evaluate_k(cluster, k, enumeration_limit, search_node_limit, full)
        summary['aggregate_ok'] = agg_ok
        by_k.append(summary)
        if full:
            requested = (summary, scenarios, track)
        if not (agg_ok and summary['ok']):
            break
        memory = k
        k += 1
    memory_at_least = (memory == memory_cap and memory_cap < max(len(cluster.online) - 1, 0)) or not_explored is not None
    if requested is None:
        summary, scenarios, track = _evaluate_k(cluster, host_failures, enumeration_limit, search_node_limit, True)
        summary['aggregate_ok'] = aggregate(cluster, host_failures)['ok']
        if not summary['decided_exactly'] and by_k and by_k[-1]['decided_exactly'] and memory < host_failures:
            # A smaller k already fails exactly: N+k needs every smaller k, so it is decided "not ok".
            summary.update(method='smaller_k_fails', ok=False, decided_exactly=True)
        requested = (summary, scenarios, track)
    summary, scenarios, track = requested
    factors = _factor_rows(memory, memory_at_least, quorum, storage)
    tolerated, limited_by = _verdict(factors)
    refusal = _refusal(host_failures, quorum, storage, 'host')
    result = {
        'ok': tolerated >= host_failures,
        'host_failures': host_failures,
        'tolerated_host_failures': tolerated,
        'limited_by': limited_by,
        'factors': factors,
        'refusal': refusal,
        'quorum': quorum,
        'storage': storage,
        'view': view,
        'reserve_percent': reserve_percent,
        'platform': model.platform or None,
        'cluster': model.cluster or None,
        'scheduler': _scheduler_row(cluster, scenarios, reserve_percent),
        'maintenance': sorted(out_of_service),
        'aggregate': aggregate(cluster, host_failures),
        'placement': _placement_summary(summary, enumeration_limit),
        'worst_scenario': _worst(scenarios),
        'scenarios': scenarios,
        'hosts': _host_rows(cluster, track),
        'by_host_failures': [_k_row(s) for s in by_k],
        'not_explored': not_explored,
        'vsphere_admission_control': _admission_percent(cluster, model, host_failures),
        'fault_domains': _fault_domains(cluster, model, domain_failures, out_of_service, down, domain_of,
                                        search_node_limit),
    }
    if result['fault_domains'] is not None and not result['fault_domains']['ok']:
        result['ok'] = False
    return result


def _check_count(value, field, fix):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CapacityModelError('%s must be a non-negative integer, got %r; %s.' % (field, value, fix))
    return value


def _with_maintenance(model, maintenance):
    """The model with the named hosts in maintenance, and the set of hosts out of service."""
    if isinstance(maintenance, str) or not isinstance(maintenance, (list, tuple, set)):
        raise CapacityModelError('maintenance must be a list of host names, got %r; write it as a YAML list.' % (maintenance,))
    names = set(h.name for h in model.hosts)
    for name in maintenance:
        if name not in names:
            raise CapacityModelError("maintenance names unknown host '%s'; use names from hosts[].name." % (name,))
    if not maintenance:
        return model, set()
    hosts = tuple(dataclasses.replace(h, state='maintenance') if h.name in maintenance and h.state == 'online' else h
                  for h in model.hosts)
    return dataclasses.replace(model, hosts=hosts), set(maintenance)


def _min_defined(values):
    values = [v for v in values if v is not None]
    return min(values) if values else None


def _static_scorings(cluster, k):
    """Node scorings a full replay of every k-failure set costs with PVE's `static` scheduler (0 otherwise)."""
    replay = cluster.replay
    if replay is None or replay.mode != 'static':
        return 0
    online = len(cluster.online)
    if k >= online:
        return 0
    ha_guests = sum(len(ids) for ids in replay.ids_by_host)
    # Each set displaces k hosts' guests (k / online of them on average), each scored on every online node.
    return math.comb(online, k) * k * ha_guests


def _factor_rows(memory, memory_at_least, quorum, storage):
    rows = []
    if quorum is not None:
        rows.append({'factor': 'quorum', 'tolerated': quorum['tolerated'], 'at_least': False})
    if storage:
        worst = min(storage, key=lambda row: (row['tolerated'], row['name']))
        rows.append({'factor': 'storage', 'tolerated': worst['tolerated'], 'at_least': False, 'storage': worst['name']})
    rows.append({'factor': 'memory', 'tolerated': memory, 'at_least': memory_at_least})
    return rows


def _verdict(factors):
    """(tolerated, limiting factor): the minimum, ties named in FACTORS order."""
    tolerated = min(row['tolerated'] for row in factors)
    for name in FACTORS:
        for row in factors:
            if row['factor'] == name and row['tolerated'] == tolerated:
                return tolerated, name
    return tolerated, None


def _refusal(requested, quorum, storage, unit):
    """One sentence when quorum or storage cannot survive the requested failures, else None."""
    if quorum is not None and requested > quorum['tolerated']:
        return ('quorum: losing %d %s(s) can leave %d of %d expected votes, below the quorum of %d, and PVE HA '
                'recovers nothing without quorum; add a node or a QDevice vote, or ask for at most %d.'
                % (requested, unit, quorum['votes_present'] - _votes_lost(quorum, requested), quorum['expected_votes'],
                   quorum['quorum'], max(quorum['tolerated'], 0)))
    for row in sorted(storage, key=lambda r: (r['tolerated'], r['name'])):
        if requested > row['tolerated']:
            return ("storage '%s' survives %d %s failure(s) (failures_tolerated %d over its %s failure domain) and "
                    "its HA guests stop after more; raise its redundancy (Ceph size - min_size, vSAN FTT) or ask for at most %d."
                    % (row['name'], max(row['tolerated'], 0), unit, row['failures_tolerated'], row['failure_domain'],
                       max(row['tolerated'], 0)))
    return None


def _votes_lost(quorum, requested):
    """Votes the worst `requested` failures take away (the units with most votes first)."""
    return sum(quorum['unit_votes'][:requested])


ADVICE_MAX_SETS = 20  # failure sets replayed again with the static scheduler for the advice


def _scheduler_row(cluster, scenarios, reserve_percent):
    """The replayed PVE scheduler; when `basic` overloads survivors, whether `static` avoids that.

    static_fixes_overloads replays the failure sets where `basic` overloads a survivor (at most
    ADVICE_MAX_SETS of them) with `static`: true when static restarts every guest within memory on
    each of them. It does not re-check the sets basic passes.
    """
    if cluster.replay is None:
        return None
    row = {'crs': cluster.model.crs, 'replayed_as': cluster.replay.mode,
           'counts_non_ha': cluster.model.crs_counts_non_ha, 'static_fixes_overloads': None}
    overloaded = [s for s in scenarios if s['overloaded_hosts']]
    if cluster.model.crs == 'basic' and overloaded:
        static = new_cluster(dataclasses.replace(cluster.model, crs='static'), cluster.view, reserve_percent)
        index = dict((name, i) for i, name in enumerate(cluster.names))
        row['static_fixes_overloads'] = all(
            run_scenario(static, tuple(index[n] for n in s['failed_hosts']), SEARCH_NODE_LIMIT)[0]
            for s in overloaded[:ADVICE_MAX_SETS])
    return row


def _fault_domains(cluster, model, requested, out_of_service, down, domain_of, search_node_limit):
    """Loss of whole fault domains (racks, sites) when hosts declare them; None otherwise."""
    if not domain_of:
        return None
    domains = {}
    for h in model.hosts:
        if h.state != 'offline' and h.name not in out_of_service:
            domains.setdefault(h.fault_domain or h.name, []).append(h.name)
    names = sorted(domains)
    units = [domains[d] for d in names]
    quorum = quorum_figure(model, units, out_of_service)
    storage = storage_figures(model, units, domain_of, down)
    index = dict((name, i) for i, name in enumerate(cluster.names))
    online = set(cluster.online)
    memory = -1
    failing = None
    for d in range(0, len(names)):
        bad = None
        for combo in itertools.combinations(names, d):
            failed = tuple(sorted(index[n] for dom in combo for n in domains[dom] if index[n] in online))
            if d and len(failed) >= len(online):
                bad = {'failed_domains': list(combo), 'reason': 'no online host survives'}
                break
            ok, _decided, outcome = run_scenario(cluster, failed, search_node_limit)
            if not ok:
                bad = dict(outcome, failed_domains=list(combo))
                break
        if bad is not None:
            failing = bad
            break
        memory = d
    factors = _factor_rows(memory, False, quorum, storage)
    tolerated, limited_by = _verdict(factors)
    return {
        'domains': dict((name, domains[name]) for name in names),
        'domain_failures': requested,
        'tolerated_domain_failures': tolerated,
        'limited_by': limited_by,
        'factors': factors,
        'quorum': quorum,
        'storage': storage,
        'first_failing': failing,
        'refusal': _refusal(requested, quorum, storage, 'fault domain'),
        'ok': tolerated >= requested,
    }


def plan_failover(model, failed_hosts, view='configured', reserve_percent=0, search_node_limit=SEARCH_NODE_LIMIT):
    """Outcome of one named failure set, including where each displaced guest restarts."""
    _k, view, reserve_percent = check_options(0, view, reserve_percent)
    if not isinstance(model, Model):
        model = normalize_model(model)
    cluster = new_cluster(model, view, reserve_percent)
    index = dict((name, i) for i, name in enumerate(cluster.names))
    failed = []
    for name in failed_hosts:
        if name not in index:
            raise CapacityModelError("failed host '%s' is not in the model; name hosts from hosts[].name." % name)
        if cluster.model.hosts[index[name]].state == 'online' and index[name] not in failed:
            failed.append(index[name])
    return run_scenario(cluster, tuple(sorted(failed)), search_node_limit, with_plan=True)[2]


def _placement_summary(summary, enumeration_limit):
    return {
        'ok': summary['ok'],
        'method': summary['method'],
        'scenario_count': summary['scenario_count'],
        'evaluated_count': summary['evaluated_count'],
        'failed_count': summary['failed_count'],
        'decided_exactly': summary['decided_exactly'],
        'enumeration_limit': enumeration_limit,
        'slot_bound': summary['slot_bound'],
        'bound': summary['bound'],
        'symmetry_classes': summary['symmetry_classes'],
    }


def _k_row(summary):
    return {
        'host_failures': summary['host_failures'],
        'aggregate_ok': summary['aggregate_ok'],
        'placement_ok': summary['ok'],
        'method': summary['method'],
        'scenario_count': summary['scenario_count'],
        'decided_exactly': summary['decided_exactly'],
    }


def _host_rows(cluster, track):
    rows = []
    for h, host in enumerate(cluster.model.hosts):
        rows.append({
            'name': host.name,
            'state': host.state,
            'memory_mb': host.memory_mb,
            'reserved_mb': host.reserved_mb,
            'capacity_mb': cluster.capacity[h],
            'committed_mb': cluster.load[h] if host.state == 'online' else 0,
            'free_mb': cluster.base_free[h] if host.state == 'online' else 0,
            'min_free_after_failover_mb': track[h] if track is not None else None,
        })
    return rows
