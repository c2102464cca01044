# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failover-capacity engine (N+1 / N+k) over the platform-neutral capacity model.

Pure Python: no Ansible import, no I/O, Python 3.9+. The model shape is documented in
docs/capacity-model.md and the decision procedure in docs/capacity-engine.md.

Entry points:
  normalize_model(model)  -> Model (validated, sorted plain dataclasses)
  evaluate(model, host_failures=1, view='configured', reserve_percent=0) -> result dict
"""

from __future__ import absolute_import, division, print_function

import heapq
import itertools
import math
from dataclasses import dataclass

__metaclass__ = type

VIEWS = ('configured', 'reserved')
HOST_STATES = ('online', 'maintenance', 'offline')

# Failure sets per k that are enumerated one by one; beyond this the slot bound is used.
ENUMERATION_LIMIT = 5000
# Nodes the exact placement search may visit per failure set before giving up (undecided = fail),
# and in total over one evaluation, so that a cluster failing everywhere still answers quickly.
SEARCH_NODE_LIMIT = 20000
SEARCH_TOTAL_LIMIT = 500000

# Failing failure sets listed in the human report besides the worst one (the JSON has all).
REPORT_MAX_SCENARIOS = 5

REASON_NO_ALLOWED_HOST = 'no_allowed_host'
REASON_ANTI_AFFINITY = 'anti_affinity'
REASON_NO_MEMORY = 'insufficient_memory'


class CapacityModelError(ValueError):
    """The capacity model or an engine option is malformed; the message names field and fix."""


@dataclass(frozen=True)
class Host:
    name: str
    memory_mb: int
    reserved_mb: int
    state: str


@dataclass(frozen=True)
class Guest:
    id: str
    name: str
    host: str
    running: bool
    ha: bool
    memory_mb: int
    reservation_mb: int
    overhead_mb: int
    allowed_hosts: tuple  # sorted host names, or None for "any host"
    host_priority: tuple  # sorted (host, priority) pairs
    anti_affinity: tuple  # sorted labels


@dataclass(frozen=True)
class Model:
    platform: str
    cluster: str
    hosts: tuple  # Host, sorted by name
    guests: tuple  # Guest, sorted by id


# ---------------------------------------------------------------------------
# Validation and normalisation
# ---------------------------------------------------------------------------

def _fail(message):
    raise CapacityModelError('capacity model: ' + message)


def _mib(value, field, fix):
    """Return value as a non-negative int number of MiB, or fail naming the field."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        _fail('%s must be a non-negative integer number of MiB, got %r; %s.' % (field, value, fix))
    return value


def _flag(value, field, default):
    if value is None:
        return default
    if not isinstance(value, bool):
        _fail('%s must be true or false, got %r; give a boolean.' % (field, value))
    return value


def _text(value, field, fix):
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == '':
        _fail('%s must be a non-empty string, got %r; %s.' % (field, value, fix))
    return str(value)


def _normalize_host(index, raw):
    where = 'hosts[%d]' % index
    if not isinstance(raw, dict):
        _fail('%s must be a mapping with name and memory_mb, got %r; fix the host entry.' % (where, raw))
    name = _text(raw.get('name'), where + '.name', 'give every host its node name')
    fix = "fix the memory reported for host '%s'" % name
    memory = _mib(raw.get('memory_mb'), where + '.memory_mb', fix)
    reserved = _mib(raw.get('reserved_mb', 0) or 0, where + '.reserved_mb', fix)
    if reserved > memory:
        _fail("%s.reserved_mb (%d) exceeds memory_mb (%d) for host '%s'; lower reserved_mb." % (where, reserved, memory, name))
    state = raw.get('state', 'online') or 'online'
    if state not in HOST_STATES:
        _fail("%s.state is %r for host '%s'; use one of online, maintenance, offline." % (where, state, name))
    return Host(name=name, memory_mb=memory, reserved_mb=reserved, state=state)


def _normalize_host_list(value, field, known, guest_id):
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        _fail("%s must be a list of host names for guest '%s', got %r; write it as a YAML list." % (field, guest_id, value))
    names = set()
    for item in value:
        name = _text(item, field, 'list host names only')
        if name not in known:
            _fail("%s names unknown host '%s' for guest '%s'; list only hosts from hosts[].name." % (field, name, guest_id))
        names.add(name)
    return tuple(sorted(names))


def _normalize_priority(value, field, known, guest_id):
    if value is None:
        return ()
    if not isinstance(value, dict):
        _fail("%s must be a mapping host: priority for guest '%s', got %r; write it as {host: number}." % (field, guest_id, value))
    pairs = []
    for name, prio in value.items():
        name = _text(name, field, 'use host names as keys')
        if name not in known:
            _fail("%s names unknown host '%s' for guest '%s'; use only hosts from hosts[].name." % (field, name, guest_id))
        if isinstance(prio, str) and prio.strip().isdigit():
            prio = int(prio.strip())
        if isinstance(prio, bool) or not isinstance(prio, int) or prio < 0:
            _fail("%s.%s must be a non-negative integer for guest '%s', got %r; use 0 or more (higher is preferred)." % (field, name, guest_id, prio))
        pairs.append((name, prio))
    return tuple(sorted(pairs))


def _normalize_labels(value, field, guest_id):
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        _fail("%s must be a list of labels for guest '%s', got %r; write it as a YAML list." % (field, guest_id, value))
    return tuple(sorted(set(_text(label, field, 'use non-empty label strings') for label in value)))


def _normalize_guest(index, raw, known):
    where = 'guests[%d]' % index
    if not isinstance(raw, dict):
        _fail('%s must be a mapping with id, host and memory_mb, got %r; fix the guest entry.' % (where, raw))
    gid = _text(raw.get('id'), where + '.id', 'give every guest its platform id (vm:100, vm-42)')
    host = _text(raw.get('host'), where + '.host', "give the host guest '%s' runs on" % gid)
    if host not in known:
        _fail("%s.host '%s' is not a known host; add '%s' to hosts or correct the host of guest '%s'." % (where, host, host, gid))
    fix = "fix the memory of guest '%s'" % gid
    memory = _mib(raw.get('memory_mb'), where + '.memory_mb', fix)
    reservation = _mib(raw.get('reservation_mb', 0) or 0, where + '.reservation_mb', fix)
    if reservation > memory:
        _fail("%s.reservation_mb (%d) exceeds memory_mb (%d) for guest '%s'; lower the reservation." % (where, reservation, memory, gid))
    name = raw.get('name')
    return Guest(
        id=gid,
        name=gid if name in (None, '') else str(name),
        host=host,
        running=_flag(raw.get('running'), where + '.running', True),
        ha=_flag(raw.get('ha'), where + '.ha', True),
        memory_mb=memory,
        reservation_mb=reservation,
        overhead_mb=_mib(raw.get('overhead_mb', 0) or 0, where + '.overhead_mb', fix),
        allowed_hosts=_normalize_host_list(raw.get('allowed_hosts'), where + '.allowed_hosts', known, gid),
        host_priority=_normalize_priority(raw.get('host_priority'), where + '.host_priority', known, gid),
        anti_affinity=_normalize_labels(raw.get('anti_affinity'), where + '.anti_affinity', gid),
    )


def normalize_model(model):
    """Validate a capacity model (dict) and return a Model with hosts and guests sorted."""
    if isinstance(model, dict) and 'capacity_model' in model and 'hosts' not in model:
        model = model['capacity_model']  # accept an info module's whole result too
    if not isinstance(model, dict):
        _fail('expected a mapping with hosts and guests, got %s; pass the capacity_model returned by an info module.' % type(model).__name__)
    raw_hosts = model.get('hosts')
    if not isinstance(raw_hosts, (list, tuple)) or not raw_hosts:
        _fail("'hosts' is missing or empty; give at least one host with name and memory_mb.")
    hosts = [_normalize_host(i, h) for i, h in enumerate(raw_hosts)]
    known = set()
    for i, host in enumerate(hosts):
        if host.name in known:
            _fail("hosts[%d].name '%s' appears twice; list each host once." % (i, host.name))
        known.add(host.name)
    raw_guests = model.get('guests')
    if raw_guests is None:
        raw_guests = []
    if not isinstance(raw_guests, (list, tuple)):
        _fail("'guests' must be a list, got %s; give a list of guests (it may be empty)." % type(raw_guests).__name__)
    guests = [_normalize_guest(i, g, known) for i, g in enumerate(raw_guests)]
    seen = set()
    for i, guest in enumerate(guests):
        if guest.id in seen:
            _fail("guests[%d].id '%s' appears twice; list each guest once." % (i, guest.id))
        seen.add(guest.id)
    platform = model.get('platform') or ''
    cluster = model.get('cluster') or ''
    return Model(
        platform=str(platform),
        cluster=str(cluster),
        hosts=tuple(sorted(hosts, key=lambda h: h.name)),
        guests=tuple(sorted(guests, key=lambda g: g.id)),
    )


def check_options(host_failures, view, reserve_percent):
    """Validate the engine options; return them normalised."""
    if isinstance(host_failures, str) and host_failures.strip().isdigit():
        host_failures = int(host_failures.strip())
    if isinstance(host_failures, bool) or not isinstance(host_failures, int) or host_failures < 0:
        raise CapacityModelError('host_failures must be a non-negative integer, got %r; use 1 for N+1.' % (host_failures,))
    if view not in VIEWS:
        raise CapacityModelError("view must be 'configured' or 'reserved', got %r; use 'configured' unless you mean vSphere reservations." % (view,))
    if isinstance(reserve_percent, str):
        try:
            reserve_percent = float(reserve_percent)
        except ValueError:
            pass
    if isinstance(reserve_percent, bool) or not isinstance(reserve_percent, (int, float)) or not 0 <= reserve_percent < 100:
        raise CapacityModelError('reserve_percent must be a number from 0 to below 100, got %r; use 0 for no extra margin.' % (reserve_percent,))
    if isinstance(reserve_percent, float) and reserve_percent.is_integer():
        reserve_percent = int(reserve_percent)
    return host_failures, view, reserve_percent


# ---------------------------------------------------------------------------
# Precomputed cluster state (plain lists indexed by host position in name order)
# ---------------------------------------------------------------------------

def guest_demand(guest, view):
    """Memory a guest needs in MiB under the chosen view."""
    base = guest.memory_mb if view == 'configured' else guest.reservation_mb
    return base + guest.overhead_mb


def host_capacity(host, reserve_percent):
    """Usable MiB of an online host after the safety margin (0 for hosts that carry none)."""
    if host.state != 'online':
        return 0
    usable = host.memory_mb - host.reserved_mb
    if isinstance(reserve_percent, int):
        return usable - _ceil_div(usable * reserve_percent, 100)  # exact: no float rounding
    return usable - int(math.ceil(usable * reserve_percent / 100.0))


def _ceil_div(numerator, denominator):
    return -(-numerator // denominator)


class _Cluster:
    """Everything a failure scenario needs, computed once per evaluation."""

    def __init__(self, model, view, reserve_percent, search_budget=SEARCH_TOTAL_LIMIT):
        self.model = model
        self.view = view
        self.search_budget = search_budget  # search nodes left for this evaluation
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

def _conflicts(labels, h, base_labels, added_labels):
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
        if labels and _conflicts(labels, h, base_labels, added_labels):
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
            if info['labels'] and _conflicts(info['labels'], h, base_labels, added):
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
        if not any(free[h] >= info['demand'] and not _conflicts(info['labels'], h, cluster.base_labels, {}) for h in hosts):
            return True
    return False


def _scenario(cluster, failed, search_node_limit, track_hosts=None, with_plan=False):
    """Evaluate one failure set (tuple of host indices). Returns (ok, decided, outcome dict).

    with_plan adds 'restarted_on' {guest id: host} (left out of bulk runs to keep results small)."""
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
    ok = not unplaced and not overcommitted
    survivors = [h for h in cluster.online if alive[h]]
    min_host = min(survivors, key=lambda x: (free[x], x)) if survivors else None
    if track_hosts is not None:
        for h in survivors:
            if track_hosts[h] is None or free[h] < track_hosts[h]:
                track_hosts[h] = free[h]
    infos = cluster.guest_info
    not_restarted = []
    for h in failed:
        not_restarted.extend(cluster.not_ha[h])
    not_restarted.extend(cluster.stranded_not_ha)
    not_restarted.sort()
    unplaced_rows = [_unplaced_row(cluster, infos[gid], reason, detail) for gid, reason, detail in unplaced]
    outcome = {
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
        'min_free_mb': free[min_host] if min_host is not None else None,
        'min_free_host': cluster.names[min_host] if min_host is not None else None,
    }
    if with_plan:
        outcome['restarted_on'] = dict((gid, cluster.names[h]) for gid, h in sorted(placed))
    return ok, decided, outcome


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
        ok, decided, outcome = _scenario(cluster, failed, search_node_limit, track)
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
    percent = 100 if usable <= 0 else _ceil_div(100 * (usable - available), usable)
    return {'memory_percent': max(0, min(100, percent)), 'failover_level': k}


def evaluate(model, host_failures=1, view='configured', reserve_percent=0,
             enumeration_limit=ENUMERATION_LIMIT, search_node_limit=SEARCH_NODE_LIMIT,
             search_total_limit=SEARCH_TOTAL_LIMIT):
    """Full verdict for the requested number of host failures, as a JSON-ready dict."""
    host_failures, view, reserve_percent = check_options(host_failures, view, reserve_percent)
    if not isinstance(model, Model):
        model = normalize_model(model)
    cluster = _Cluster(model, view, reserve_percent, search_total_limit)

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
    result['summary'] = summary_sentence(result)
    result['report'] = render_report(result)
    return result


def plan_failover(model, failed_hosts, view='configured', reserve_percent=0, search_node_limit=SEARCH_NODE_LIMIT):
    """Outcome of one named failure set, including where each displaced guest restarts."""
    _k, view, reserve_percent = check_options(0, view, reserve_percent)
    if not isinstance(model, Model):
        model = normalize_model(model)
    cluster = _Cluster(model, view, reserve_percent)
    index = dict((name, i) for i, name in enumerate(cluster.names))
    failed = []
    for name in failed_hosts:
        if name not in index:
            raise CapacityModelError("failed host '%s' is not in the model; name hosts from hosts[].name." % name)
        if cluster.model.hosts[index[name]].state == 'online' and index[name] not in failed:
            failed.append(index[name])
    return _scenario(cluster, tuple(sorted(failed)), search_node_limit, with_plan=True)[2]


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


# ---------------------------------------------------------------------------
# Human-readable output
# ---------------------------------------------------------------------------

def format_mb(mb):
    """'49152 MiB (48.0 GiB)'; negative values keep their sign."""
    return '%d MiB (%.1f GiB)' % (mb, mb / 1024.0)


def _scenario_line(s):
    failed = ', '.join(s['failed_hosts']) or 'no host'
    line = '%s down: %d HA guest(s) to restart (%s)' % (failed, s['displaced_count'], format_mb(s['displaced_mb']))
    if s['unplaced']:
        line += '; %d cannot be restarted (%s short)' % (len(s['unplaced']), format_mb(s['unplaced_mb']))
    if s['overcommitted_hosts']:
        line += '; already overcommitted: %s' % ', '.join(s['overcommitted_hosts'])
    if s['min_free_host'] is not None:
        line += '; least free afterwards: %s on %s' % (format_mb(s['min_free_mb']), s['min_free_host'])
    if s['not_restarted']:
        line += '; %d non-HA guest(s) stay down' % len(s['not_restarted'])
    return line


def summary_sentence(result):
    """One sentence: the verdict, and when refusing, the worst scenario and the shortfall."""
    k = result['host_failures']
    agg = result['aggregate']
    tolerated = result['tolerated_host_failures']
    if result['ok']:
        return 'Failover capacity OK: the cluster tolerates %d host failure(s) (%d requested, view %s), aggregate headroom %s.' % (
            tolerated, k, result['view'], format_mb(agg['headroom_mb']))
    parts = ['Failover capacity NOT sufficient for %d host failure(s) (the cluster tolerates %d, view %s)' % (k, tolerated, result['view'])]
    if not agg['ok']:
        parts.append('aggregate shortfall %s' % format_mb(max(0, -agg['headroom_mb'])))
    worst = result['worst_scenario']
    if worst is not None and not worst['ok']:
        text = 'worst scenario: ' + _scenario_line(worst)
        if worst['unplaced']:
            first = worst['unplaced'][0]
            text += ', first unplaced %s: %s' % (first['name'], first['detail'])
        parts.append(text)
    placement = result['placement']
    if placement['method'] == 'slot_bound' and not placement['ok'] and (worst is None or worst['ok']):
        parts.append('%d failure sets exceed the enumeration limit and the slot bound could not prove them safe' % placement['scenario_count'])
    if placement['method'] == 'impossible':
        parts.append('there are not more online hosts than failures')
    if k > 0 and tolerated < 0:
        parts.append('the cluster fails even with no host down')
    elif agg['ok'] and placement['ok'] and tolerated < k:
        parts.append('%d host failure(s) already fail, so %d cannot be promised' % (tolerated + 1, k))
    return '; '.join(parts) + '.'


def render_report(result):
    """Short Markdown report (also printed line by line by the role)."""
    agg = result['aggregate']
    placement = result['placement']
    title = result['cluster'] or 'cluster'
    if result['platform']:
        title += ' (%s)' % result['platform']
    lines = [
        '# Failover capacity: %s' % title,
        '',
        ('**OK** ' if result['ok'] else '**REFUSED** ') + result['summary'],
        '',
        '## Aggregate rule (k = %d)' % result['host_failures'],
        '',
        '| capacity | reserve for the %d largest host(s) | available | committed | headroom |' % result['host_failures'],
        '|---|---|---|---|---|',
        '| %s | %s | %s | %s | %s |' % tuple(
            format_mb(agg[key]) for key in ('capacity_mb', 'failover_reserve_mb', 'available_mb', 'committed_mb', 'headroom_mb')),
        '',
        '## Placement',
        '',
        '%d of %d failure set(s) checked (%s), %d failed.' % (
            placement['evaluated_count'], placement['scenario_count'], placement['method'], placement['failed_count']),
    ]
    if result['worst_scenario'] is not None:
        worst = result['worst_scenario']
        lines.append('Worst: ' + _scenario_line(worst) + '.')
        for row in worst['unplaced']:
            lines.append('- %s (%s, %s): %s - %s' % (row['name'], row['id'], format_mb(row['demand_mb']), row['reason'], row['detail']))
        others = [s for s in result['scenarios'] if not s['ok'] and s is not worst]
        if others:
            shown = ', first %d shown' % REPORT_MAX_SCENARIOS if len(others) > REPORT_MAX_SCENARIOS else ''
            lines.append('Other failing failure sets (%d%s):' % (len(others), shown))
            lines.extend('- ' + _scenario_line(s) for s in others[:REPORT_MAX_SCENARIOS])
    ac = result['vsphere_admission_control']
    if ac is not None:
        lines += ['', 'vSphere admission control: memory %d %% for %d host failure(s).' % (ac['memory_percent'], ac['failover_level'])]
    lines += ['', '## Hosts', '', '| host | state | capacity | committed | free | min free after failover |', '|---|---|---|---|---|---|']
    for row in result['hosts']:
        after = row['min_free_after_failover_mb']
        lines.append('| %s | %s | %s | %s | %s | %s |' % (
            row['name'], row['state'], format_mb(row['capacity_mb']), format_mb(row['committed_mb']),
            format_mb(row['free_mb']), '-' if after is None else format_mb(after)))
    return '\n'.join(lines) + '\n'
