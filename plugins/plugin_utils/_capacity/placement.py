# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Placement of the guests displaced by one failure set (preferred order, then exact search).

``Cluster`` precomputes the state every failure scenario reads; ``scenario`` places one failure set.
"""

from __future__ import absolute_import, division, print_function

import heapq

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import format_mb, guest_demand, host_capacity

__metaclass__ = type

# Nodes the exact placement search may visit per failure set before giving up (undecided = fail),
# and in total over one evaluation, so that a cluster failing everywhere still answers quickly.
SEARCH_NODE_LIMIT = 20000
SEARCH_TOTAL_LIMIT = 500000

REASON_NO_ALLOWED_HOST = 'no_allowed_host'
REASON_ANTI_AFFINITY = 'anti_affinity'
REASON_NO_MEMORY = 'insufficient_memory'


# ---------------------------------------------------------------------------
# Precomputed cluster state (plain lists indexed by host position in name order)
# ---------------------------------------------------------------------------

class Cluster:
    """Everything a failure scenario needs, computed once per evaluation."""

    def __init__(self, model, view, reserve_percent, search_budget=SEARCH_TOTAL_LIMIT):
        self.model = model
        self.view = view
        self.search_budget = search_budget  # search nodes left for this evaluation
        self.replay = None  # set by the engine: PVE's recovery replay on Proxmox
        hosts = model.hosts
        self.names = [h.name for h in hosts]
        index = dict((name, i) for i, name in enumerate(self.names))
        self.online = [i for i, h in enumerate(hosts) if h.state == 'online']
        self.capacity = [host_capacity(h, reserve_percent) for h in hosts]
        self.load = [0] * len(hosts)
        self.base_labels = [{} for _host in hosts]
        # Per host: running HA guests as (-demand, id), so that sorting puts the largest first.
        self.ha_items = [[] for _host in hosts]
        self.not_ha = [[] for _host in hosts]
        self.stranded = []  # running HA guests on hosts that are not online: displaced in every scenario
        self.stranded_not_ha = []
        self.guest_info = {}
        self.committed = 0
        for guest in model.guests:
            if not guest.running:
                continue
            demand = guest_demand(guest, view)
            h = index[guest.host]
            self.committed += demand
            online = hosts[h].state == 'online'
            self.guest_info[guest.id] = _placeable(guest, demand, index)
            if online:
                self.load[h] += demand
                for label in guest.anti_affinity:
                    self.base_labels[h][label] = self.base_labels[h].get(label, 0) + 1
            if guest.ha:
                item = (-demand, guest.id)
                (self.ha_items[h] if online else self.stranded).append(item)
            else:
                (self.not_ha[h] if online else self.stranded_not_ha).append((guest.id, demand))
        for items in self.ha_items:
            items.sort()
        self.stranded.sort()
        self.base_free = [self.capacity[i] - self.load[i] for i in range(len(hosts))]


def _placeable(guest, demand, index):
    """Plain dict the placement loops read: demand, allowed host indices, priorities, labels."""
    allowed = None if guest.allowed_hosts is None else tuple(index[n] for n in guest.allowed_hosts)
    return {
        'id': guest.id,
        'name': guest.name,
        'demand': demand,
        'host': index[guest.host],
        'allowed': allowed,
        'priority': dict((index[n], p) for n, p in guest.host_priority),
        'labels': guest.anti_affinity,
        # Unrestricted guests take the fast path: most free survivor from a heap.
        'simple': allowed is None and not guest.host_priority and not guest.anti_affinity,
    }


# ---------------------------------------------------------------------------
# One failure scenario: preferred-order (greedy) placement, then exact search if needed
# ---------------------------------------------------------------------------

def conflicts(labels, h, base_labels, added_labels):
    for label in labels:
        if base_labels[h].get(label) or (h in added_labels and added_labels[h].get(label)):
            return True
    return False


def _choose_host(info, alive, free, base_labels, added_labels, candidates):
    """Best host for one guest: highest priority class, then most free, then name.

    Returns (host index or None, reason, detail) where reason explains a None.
    """
    demand = info['demand']
    labels = info['labels']
    priority = info['priority']
    best = None
    best_key = None
    any_allowed = False
    any_free_of_conflict = False
    conflicting = []
    most_free = None
    for h in candidates:
        if not alive[h]:
            continue
        any_allowed = True
        if labels and conflicts(labels, h, base_labels, added_labels):
            conflicting.append(h)
            continue
        any_free_of_conflict = True
        f = free[h]
        if f < demand:
            if most_free is None or f > most_free[1]:
                most_free = (h, f)
            continue
        key = (priority.get(h, -1), f, -h)
        if best_key is None or key > best_key:
            best, best_key = h, key
    if best is not None:
        return best, None, None
    if not any_allowed:
        return None, REASON_NO_ALLOWED_HOST, None
    if not any_free_of_conflict:
        return None, REASON_ANTI_AFFINITY, conflicting
    return None, REASON_NO_MEMORY, most_free


def _greedy(cluster, order, alive, free):
    """Place displaced guests largest first on the preferred host; free is updated in place.

    Returns (unplaced, placed): (guest id, reason, detail) for guests that found no host,
    and (guest id, host index) for the others.
    """
    infos = cluster.guest_info
    base_labels = cluster.base_labels
    added_labels = {}
    heap = [(-free[h], h) for h in cluster.online if alive[h]]
    heapq.heapify(heap)
    all_survivors = [h for h in cluster.online if alive[h]]
    unplaced = []
    placed = []
    for _neg, gid in order:
        info = infos[gid]
        demand = info['demand']
        if info['simple']:
            while heap and -heap[0][0] != free[heap[0][1]]:
                heapq.heappop(heap)  # stale entry left by an earlier placement
            if not heap:
                unplaced.append((gid, REASON_NO_ALLOWED_HOST, None))
                continue
            h = heap[0][1]
            if free[h] < demand:
                unplaced.append((gid, REASON_NO_MEMORY, (h, free[h])))
                continue
            if demand:
                free[h] -= demand
                heapq.heapreplace(heap, (-free[h], h))
            placed.append((gid, h))
            continue
        candidates = all_survivors if info['allowed'] is None else info['allowed']
        h, reason, detail = _choose_host(info, alive, free, base_labels, added_labels, candidates)
        if h is None:
            unplaced.append((gid, reason, detail))
            continue
        if demand:
            free[h] -= demand
            heapq.heappush(heap, (-free[h], h))
        placed.append((gid, h))
        for label in info['labels']:
            bucket = added_labels.setdefault(h, {})
            bucket[label] = bucket.get(label, 0) + 1
    return unplaced, placed


def _search_rank(info):
    allowed = info['allowed']
    return (0 if allowed is not None else 1 if info['labels'] else 2,
            len(allowed) if allowed is not None else 0, -info['demand'], info['id'])


def _search(cluster, order, alive, free, node_limit):
    """Exact depth-first search for any placement (ignoring preferences).

    Returns ('found', free_after, placed), ('infeasible', None, None) or ('limit', None, None). Iterative so
    that deep scenarios cannot hit Python's recursion limit.
    """
    # Most constrained first (fail early): guests with allowed hosts, fewest first, then
    # labelled guests, then the rest, each largest first. Any order is exact; this one prunes
    # sooner and lets the symmetry rule below apply to the long unrestricted tail.
    infos = sorted((cluster.guest_info[gid] for _neg, gid in order), key=_search_rank)
    count = len(infos)
    if not count:
        return 'found', list(free), []
    free = list(free)
    survivors = [h for h in cluster.online if alive[h]]
    base_labels = cluster.base_labels
    added = {}
    # Per position i, about guests i..end: memory still to place, whether any is restricted
    # or labelled, and the smallest demand (for the slot-count bound).
    suffix_demand = [0] * (count + 1)
    suffix_restricted = [False] * (count + 1)
    suffix_labels = [False] * (count + 1)
    suffix_smallest = [0] * (count + 1)
    for i in range(count - 1, -1, -1):
        suffix_demand[i] = suffix_demand[i + 1] + infos[i]['demand']
        suffix_restricted[i] = suffix_restricted[i + 1] or infos[i]['allowed'] is not None
        suffix_labels[i] = suffix_labels[i + 1] or bool(infos[i]['labels'])
        suffix_smallest[i] = infos[i]['demand'] if i == count - 1 else min(infos[i]['demand'], suffix_smallest[i + 1])
    total_free = sum(max(0, free[h]) for h in survivors)

    def hopeless(i):
        """Safe bounds: not enough memory left, or fewer places than guests even if every
        remaining guest were as small as the smallest one."""
        if suffix_demand[i] > total_free:
            return True
        smallest = suffix_smallest[i]
        if smallest > 0 and sum(max(0, free[h]) // smallest for h in survivors) < count - i:
            return True
        return False

    def candidates(i):
        if hopeless(i):
            return []
        info = infos[i]
        hosts = survivors if info['allowed'] is None else [h for h in info['allowed'] if alive[h]]
        result = []
        seen = set()
        for h in sorted(hosts, key=lambda x: (-info['priority'].get(x, -1), -free[x], x)):
            if free[h] < info['demand']:
                continue
            if info['labels'] and conflicts(info['labels'], h, base_labels, added):
                continue
            if not suffix_restricted[i]:
                # Hosts with equal free memory (and equal labels, if labels still matter) are
                # interchangeable for every remaining guest: trying one of them is enough.
                key = (free[h], tuple(sorted(base_labels[h].items())) + tuple(sorted(added.get(h, {}).items()))) if suffix_labels[i] else free[h]
                if key in seen:
                    continue
                seen.add(key)
            result.append(h)
        return result

    def apply(i, h, sign):
        info = infos[i]
        free[h] -= sign * info['demand']
        for label in info['labels']:
            bucket = added.setdefault(h, {})
            bucket[label] = bucket.get(label, 0) + sign

    choice = [None] * count
    options = [None] * count
    position = [0] * count
    options[0] = candidates(0)
    level = 0
    nodes = 0
    while True:
        if position[level] < len(options[level]):
            h = options[level][position[level]]
            position[level] += 1
            nodes += 1
            cluster.search_budget -= 1
            if nodes > node_limit or cluster.search_budget < 0:
                return 'limit', None, None
            apply(level, h, 1)
            total_free -= infos[level]['demand']
            choice[level] = h
            if level + 1 == count:
                return 'found', free, [(infos[i]['id'], choice[i]) for i in range(count)]
            level += 1
            options[level] = candidates(level)
            position[level] = 0
        else:
            if level == 0:
                return 'infeasible', None, None
            level -= 1
            apply(level, choice[level], -1)
            total_free += infos[level]['demand']


def _stuck_alone(cluster, order, alive, free):
    """True when some displaced guest fits on no survivor even before anything else is placed.

    Free memory only shrinks and labels only accumulate during placement, so such a guest can
    never be placed: this proves infeasibility without running the search.
    """
    survivors = [h for h in cluster.online if alive[h]]
    roomiest = max((free[h] for h in survivors), default=None)
    for _neg, gid in order:
        info = cluster.guest_info[gid]
        if info['simple']:
            if roomiest is None or roomiest < info['demand']:
                return True
            continue
        hosts = survivors if info['allowed'] is None else [h for h in info['allowed'] if alive[h]]
        if not any(free[h] >= info['demand'] and not conflicts(info['labels'], h, cluster.base_labels, {}) for h in hosts):
            return True
    return False


def displaced_order(cluster, failed):
    """(alive flags per host, displaced HA guests as (-demand, id) largest first) for a failure set."""
    alive = [False] * len(cluster.names)
    for h in cluster.online:
        alive[h] = True
    for h in failed:
        alive[h] = False
    order = list(cluster.stranded)
    for h in failed:
        order.extend(cluster.ha_items[h])
    if len(failed) > 1 or cluster.stranded:
        order.sort()
    return alive, order


def scenario(cluster, failed, search_node_limit, track_hosts=None, with_plan=False):
    """Evaluate one failure set (tuple of host indices) by feasibility. Returns (ok, decided, outcome dict).

    with_plan adds 'restarted_on' {guest id: host} (left out of bulk runs to keep results small)."""
    alive, order = displaced_order(cluster, failed)
    free = list(cluster.base_free)
    overcommitted = [h for h in cluster.online if alive[h] and free[h] < 0]
    start_free = list(free)
    unplaced, placed = _greedy(cluster, order, alive, free)
    method = 'preferred'
    decided = True
    if unplaced and not overcommitted and not _stuck_alone(cluster, order, alive, start_free):
        status, searched_free, searched = _search(cluster, order, alive, start_free, search_node_limit)
        if status == 'found':
            method, free, unplaced, placed = 'search', searched_free, [], searched
        else:
            method = 'none' if status == 'infeasible' else 'search_limit'
            decided = status == 'infeasible'
    elif unplaced:
        method = 'none'
    infos = cluster.guest_info
    unplaced_rows = [_unplaced_row(cluster, infos[gid], reason, detail) for gid, reason, detail in unplaced]
    ok = not unplaced and not overcommitted
    return ok, decided, outcome(cluster, failed, alive, order, free, unplaced_rows, placed, overcommitted, method,
                                track_hosts, with_plan)


def outcome(cluster, failed, alive, order, free, unplaced_rows, placed, overcommitted, method, track_hosts, with_plan,
            overloaded=()):
    """The outcome dict of one failure set (both placement methods report alike)."""
    ok = not unplaced_rows and not overcommitted and not overloaded
    survivors = [h for h in cluster.online if alive[h]]
    min_host = min(survivors, key=lambda x: (free[x], x)) if survivors else None
    if track_hosts is not None:
        for h in survivors:
            if track_hosts[h] is None or free[h] < track_hosts[h]:
                track_hosts[h] = free[h]
    not_restarted = []
    for h in failed:
        not_restarted.extend(cluster.not_ha[h])
    not_restarted.extend(cluster.stranded_not_ha)
    not_restarted.sort()
    result = {
        'failed_hosts': [cluster.names[h] for h in failed],
        'ok': ok,
        'placement': method,
        'displaced_count': len(order),
        'displaced_mb': -sum(item[0] for item in order),
        'unplaced': unplaced_rows,
        'unplaced_mb': sum(row['demand_mb'] for row in unplaced_rows),
        'not_restarted': [gid for gid, _d in not_restarted],
        'not_restarted_mb': sum(d for _g, d in not_restarted),
        'overcommitted_hosts': [cluster.names[h] for h in overcommitted],
        'overloaded_hosts': [cluster.names[h] for h in overloaded],
        'min_free_mb': free[min_host] if min_host is not None else None,
        'min_free_host': cluster.names[min_host] if min_host is not None else None,
    }
    if with_plan:
        result['restarted_on'] = dict((gid, cluster.names[h]) for gid, h in sorted(placed))
    return result


def _unplaced_row(cluster, info, reason, detail):
    names = cluster.names
    demand = info['demand']
    if reason == REASON_NO_ALLOWED_HOST:
        allowed = info['allowed']
        text = 'no allowed host survives' if allowed is None else 'allowed hosts %s are all failed or not online' % ', '.join(names[h] for h in allowed)
        if allowed is not None and not allowed:
            text = 'allowed_hosts is empty'
    elif reason == REASON_ANTI_AFFINITY:
        text = 'every allowed survivor (%s) already runs a guest labelled %s' % (', '.join(names[h] for h in detail), ', '.join(info['labels']))
    else:
        text = 'needs %s; the allowed survivor with most free memory, %s, had %s left at that point' % (
            format_mb(demand), names[detail[0]], format_mb(detail[1]))
    return {'id': info['id'], 'name': info['name'], 'demand_mb': demand, 'reason': reason, 'detail': text}
