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

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError, Model, ceil_div, check_options, normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.placement import SEARCH_NODE_LIMIT, SEARCH_TOTAL_LIMIT, Cluster, conflicts, scenario

__metaclass__ = type

# Failure sets per k that are enumerated one by one; beyond this the slot bound is used.
ENUMERATION_LIMIT = 5000


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
    """Check every failure set of size k (or the slot bound beyond the limit).

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
        'slot_bound': None,
    }
    scenarios = []
    track = [None] * len(cluster.names) if full else None
    if k > 0 and k >= len(online):
        summary.update(method='impossible', ok=False)
        return summary, scenarios, track
    if total <= enumeration_limit:
        failure_sets = itertools.combinations(online, k)
    else:
        holds, detail = slot_bound(cluster, k)
        summary.update(method='slot_bound', slot_bound=detail, decided_exactly=False)
        if not holds:
            summary['ok'] = False
        failure_sets = _candidate_sets(cluster, k)
    for failed in failure_sets:
        ok, decided, outcome = scenario(cluster, failed, search_node_limit, track)
        summary['evaluated_count'] += 1
        if not decided:
            summary['decided_exactly'] = False
        if not ok:
            summary['failed_count'] += 1
            summary['ok'] = False
        if full:
            scenarios.append(outcome)
        elif not ok:
            break
    return summary, scenarios, track


def _worst(scenarios):
    """Failing sets first, then most memory left unplaced, then least free memory left."""
    if not scenarios:
        return None

    def badness(s):
        min_free = s['min_free_mb'] if s['min_free_mb'] is not None else -(1 << 62)
        return (s['ok'], -s['unplaced_mb'], -len(s['overcommitted_hosts']), min_free, s['failed_hosts'])
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


def evaluate(model, host_failures=1, view='configured', reserve_percent=0,
             enumeration_limit=ENUMERATION_LIMIT, search_node_limit=SEARCH_NODE_LIMIT,
             search_total_limit=SEARCH_TOTAL_LIMIT):
    """Full verdict for the requested number of host failures, as a JSON-ready dict."""
    host_failures, view, reserve_percent = check_options(host_failures, view, reserve_percent)
    if not isinstance(model, Model):
        model = normalize_model(model)
    cluster = Cluster(model, view, reserve_percent, search_total_limit)

    # tolerated = largest k such that every k' <= k passes both checks; the aggregate
    # rule is monotone in k, so placement is only checked where the aggregate passes.
    by_k = []
    tolerated = -1
    requested = None
    k = 0
    limit_k = max(len(cluster.online) - 1, 0)
    while k <= limit_k:
        agg_ok = aggregate(cluster, k)['ok']
        if not agg_ok and k != host_failures:
            break
        full = k == host_failures
        summary, scenarios, track = _evaluate_k(cluster, k, enumeration_limit, search_node_limit, full)
        summary['aggregate_ok'] = agg_ok
        by_k.append(summary)
        if full:
            requested = (summary, scenarios, track)
        if not (agg_ok and summary['ok']):
            break
        tolerated = k
        k += 1
    if requested is None:
        summary, scenarios, track = _evaluate_k(cluster, host_failures, enumeration_limit, search_node_limit, True)
        summary['aggregate_ok'] = aggregate(cluster, host_failures)['ok']
        requested = (summary, scenarios, track)
    summary, scenarios, track = requested
    agg = aggregate(cluster, host_failures)
    worst = _worst(scenarios)
    result = {
        'ok': tolerated >= host_failures,
        'host_failures': host_failures,
        'tolerated_host_failures': tolerated,
        'view': view,
        'reserve_percent': reserve_percent,
        'platform': model.platform or None,
        'cluster': model.cluster or None,
        'aggregate': agg,
        'placement': _placement_summary(summary, enumeration_limit),
        'worst_scenario': worst,
        'scenarios': scenarios,
        'hosts': _host_rows(cluster, track),
        'by_host_failures': [_k_row(s) for s in by_k],
        'vsphere_admission_control': _admission_percent(cluster, model, host_failures),
    }
    return result


def plan_failover(model, failed_hosts, view='configured', reserve_percent=0, search_node_limit=SEARCH_NODE_LIMIT):
    """Outcome of one named failure set, including where each displaced guest restarts."""
    _k, view, reserve_percent = check_options(0, view, reserve_percent)
    if not isinstance(model, Model):
        model = normalize_model(model)
    cluster = Cluster(model, view, reserve_percent)
    index = dict((name, i) for i, name in enumerate(cluster.names))
    failed = []
    for name in failed_hosts:
        if name not in index:
            raise CapacityModelError("failed host '%s' is not in the model; name hosts from hosts[].name." % name)
        if cluster.model.hosts[index[name]].state == 'online' and index[name] not in failed:
            failed.append(index[name])
    return scenario(cluster, tuple(sorted(failed)), search_node_limit, with_plan=True)[2]


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
