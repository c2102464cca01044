# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sound sufficient conditions that *every* failure set of size k passes, computed without
enumerating the sets (proofs in docs/capacity-engine.md, "Large k").

  placement_bound(cluster, k)  feasibility engine: some placement of the displaced guests exists
  basic_replay_bound(replay, k) PVE replay with crs basic: PVE's own choices restart every guest
                                within memory
Each returns (holds, detail dict). A bound that does not hold proves nothing either way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def _top(values, count):
    """Sum of the `count` largest values (count may exceed the list)."""
    if count <= 0:
        return 0
    return sum(sorted(values, reverse=True)[:count])


def _bottom(values, count):
    if count <= 0:
        return 0
    return sum(sorted(values)[:count])


def _ha_guests(cluster):
    """(host index or None when stranded, guest id) for every running HA guest."""
    online = cluster.online
    pairs = [(h, gid) for h in online for _neg, gid in cluster.ha_items[h]]
    return pairs + [(None, gid) for _neg, gid in cluster.stranded]


def _worst_displaced(per_host, own, stranded, k, online):
    """Most of a per-host quantity that k failures can displace, given that host `own` fails
    (own None: the guest is stranded and displaced whatever fails)."""
    if own is None:
        return stranded + _top([per_host[h] for h in online], k)
    return stranded + per_host[own] + _top([per_host[h] for h in online if h != own], k - 1)


def placement_bound(cluster, k):
    """Every k-failure set has a placement of its displaced HA guests.

    Phase A places the restricted guests (allowed hosts or anti-affinity labels) one by one on
    any usable host where they fit; phase B places the unrestricted ones on the most free
    survivor. Both phases are shown never to get stuck (see the docs for the proof).
    """
    online = cluster.online
    n = len(online)
    infos = cluster.guest_info
    detail = {'bound': 'placement', 'holds': False, 'reason': None}
    if k >= n:
        detail['reason'] = 'no survivor'
        return False, detail
    overcommitted = [cluster.names[h] for h in online if cluster.base_free[h] < 0]
    if overcommitted:
        detail['reason'] = 'hosts already over their usable memory: %s' % ', '.join(overcommitted)
        return False, detail
    guests = _ha_guests(cluster)
    online_set = set(online)
    free = cluster.base_free
    restricted = [(h, gid) for h, gid in guests if infos[gid]['allowed'] is not None or infos[gid]['labels']]
    label_users = {}
    for _h, gid in guests:
        for label in infos[gid]['labels']:
            label_users[label] = label_users.get(label, 0) + 1
    usable = {}
    for h, gid in restricted:
        info = infos[gid]
        hosts = online if info['allowed'] is None else [x for x in info['allowed'] if x in online_set]
        usable[gid] = set(x for x in hosts if not _base_conflict(info, x, cluster.base_labels))
    # Phase A places guests with allowed hosts first (A1), then those with only labels (A2); a
    # guest's competitors are the guests placed before it that may land on its usable hosts.
    phase = dict((gid, 1 if infos[gid]['allowed'] is not None else 2) for _h, gid in restricted)
    # Phase A: for guest g, room on its usable survivors must exceed what competitors can take there.
    for h, gid in restricted:
        info = infos[gid]
        d = info['demand']
        partners = sum(label_users[label] - 1 for label in info['labels'])
        values = [max(0, free[x] - d + 1) for x in usable[gid] if x != h]
        lost = (k - 1 if h is not None else k) + partners
        room = sum(values) - _top(values, lost)
        mine = usable[gid] - set([h])  # its own host has failed
        comp = [0] * len(cluster.names)
        comp_stranded = 0
        for h2, gid2 in restricted:
            if gid2 == gid or phase[gid2] > phase[gid] or not ((usable[gid2] - set([h2])) & mine):
                continue
            if h2 is None:
                comp_stranded += infos[gid2]['demand']
            else:
                comp[h2] += infos[gid2]['demand']
        taken = _worst_displaced(comp, h, comp_stranded, k, online)
        if room <= taken:
            detail['reason'] = ('restricted guest %s: %d MiB of room on its usable survivors, competitors may take %d MiB'
                                % (gid, room, taken))
            detail['weakest_guest'] = gid
            return False, detail
    # Phase B: the unrestricted guests on the most free survivor.
    simple = [infos[gid]['demand'] for _h, gid in guests if infos[gid]['allowed'] is None and not infos[gid]['labels']]
    if simple:
        largest = max(simple)
        ha = [0] * len(cluster.names)
        for h in online:
            ha[h] = -sum(item[0] for item in cluster.ha_items[h])
        stranded = -sum(item[0] for item in cluster.stranded)
        worst = stranded + _top([ha[h] + free[h] for h in online], k)
        limit = sum(free[h] for h in online) - (n - k - 1) * largest
        detail.update(worst_displaced_plus_lost_free_mb=worst, limit_mb=limit)
        if worst > limit:
            detail['reason'] = ('unrestricted guests: displaced demand plus lost free memory may reach %d MiB, '
                                'above the %d MiB the most-free rule is proven to place' % (worst, limit))
            return False, detail
    detail.update(holds=True, reason=None)
    return True, detail


def _base_conflict(info, h, base_labels):
    for label in info['labels']:
        if base_labels[h].get(label, 0) - (1 if h == info['host'] else 0) > 0:
            return True
    return False


def basic_replay_bound(replay, k):
    """Every k-failure set replayed with PVE's `basic` scheduler restarts every guest within memory.

    Unconstrained guests go to the survivor with the fewest services; a survivor h receives one
    only while its count is the minimum, hence at most the average, which bounds how many it
    receives. Constrained guests (node-affinity rule, negative affinity) are charged in full to
    every node of their rule. Keep-together bundles are not covered (the bound does not hold).
    """
    cluster = replay.cluster
    online = cluster.online
    n = len(online)
    detail = {'bound': 'pve_basic', 'holds': False, 'reason': None}
    if replay.mode != 'basic':
        detail['reason'] = 'only the basic scheduler has a bound'
        return False, detail
    if k >= n:
        detail['reason'] = 'no survivor'
        return False, detail
    free = cluster.base_free
    if any(free[h] < 0 for h in online):
        detail['reason'] = 'hosts already over their usable memory'
        return False, detail
    guests = _ha_guests(cluster)
    if any(replay.together.get(gid) for _h, gid in guests):
        detail['reason'] = 'keep-together bundles are not covered by the bound'
        return False, detail
    online_set = set(online)
    size = len(cluster.names)
    ha_ids = set(gid for _h, gid in guests)
    # Every displaced guest must find a node: its rule keeps a survivor in whatever class is on
    # top, and negative-affinity partners cannot block all of that class's survivors.
    for h, gid in guests:
        partners = len(replay.separate.get(gid, ()))
        classes = replay.classes.get(gid)
        groups = [online] if classes is None else _reachable_classes(classes, online_set, k)
        if not groups:
            detail['reason'] = 'guest %s has no online node in its rule' % gid
            return False, detail
        all_rule = set(x for g in groups for x in g)
        others_lost = k if h is None else k - 1  # its own host is one of the k when it is online
        if len(all_rule - set([h])) <= others_lost:
            detail['reason'] = 'guest %s: %d failures can take every node of its rule' % (gid, k)
            return False, detail
        if partners:
            # Any class may end up on top; it keeps at least this many survivors, and each
            # partner that sits on, or may be recovered to, one of its nodes holds at most one.
            for group in groups:
                blocking = sum(1 for p in replay.separate[gid] if _may_hold(replay, p, set(group), ha_ids, k))
                if blocking and max(1, len([x for x in group if x != h]) - others_lost) <= blocking:
                    detail['reason'] = 'guest %s: negative-affinity partners may hold every top-priority node' % gid
                    return False, detail
    constrained = [(h, gid) for h, gid in guests if not replay.simple[gid]]
    reach = dict((gid, _reachable_nodes(replay, gid, online_set, k)) for _h, gid in constrained)
    simple = [(h, gid) for h, gid in guests if replay.simple[gid]]
    demand = replay.demand
    ha_count = [0] * size
    for h in online:
        ha_count[h] = len(replay.ids_by_host[h])
    base = replay.base_count
    total_base = sum(base[h] for h in online)
    stranded_count = len(replay.stranded_ids)
    # Per host: the simple HA demands sorted largest first (for the J largest a host can receive).
    simple_by_host = [[] for _x in range(size)]
    stranded_simple = []
    for h, gid in simple:
        (stranded_simple if h is None else simple_by_host[h]).append(demand[gid])
    for values in simple_by_host:
        values.sort(reverse=True)
    worst_host = None
    for h in online:
        others = [x for x in online if x != h]
        # Largest total count that survivors plus placed guests can reach: B_S + m.
        peak = total_base + stranded_count - _bottom([base[x] - ha_count[x] for x in others], k)
        level = (peak - 1) // (n - k)
        receive = max(0, level - base[h] + 1)
        # J largest simple demands among k failed hosts (other than h) and the stranded ones.
        # Upper bound: the `receive` largest among every other host's `receive` largest.
        pool = list(stranded_simple)
        for x in others:
            pool.extend(simple_by_host[x][:receive])
        simple_mb = _top(pool, receive)
        comp = [0] * size
        comp_stranded = 0
        for h2, gid in constrained:
            if reach[gid] is not None and h not in reach[gid]:
                continue
            if h2 is None:
                comp_stranded += demand[gid]
            elif h2 != h:
                comp[h2] += demand[gid]
        constrained_mb = comp_stranded + _top([comp[x] for x in others], k)
        spare = free[h] - simple_mb - constrained_mb
        if worst_host is None or spare < worst_host[1]:
            worst_host = (h, spare, receive, simple_mb, constrained_mb)
        if spare < 0:
            detail.update(reason=('%s may receive up to %d unconstrained guests (%d MiB) and %d MiB of constrained '
                                  'ones with %d MiB free' % (cluster.names[h], receive, simple_mb, constrained_mb, free[h])),
                          host=cluster.names[h])
            return False, detail
    detail.update(holds=True, reason=None)
    if worst_host is not None:
        detail.update(host=cluster.names[worst_host[0]], spare_mb=worst_host[1], receive=worst_host[2])
    return True, detail


def _may_hold(replay, partner, group, ha_ids, k):
    """Whether a negative-affinity partner can hold a node of `group` during a recovery: it sits
    there, or it is a running HA guest whose rule allows a node of the group."""
    if replay.position.get(partner) in group:
        return True
    if partner not in ha_ids:
        return False
    nodes = _reachable_nodes(replay, partner, set(replay.cluster.online), k)
    return nodes is None or bool(nodes & group)


def _reachable_classes(classes, online_set, k):
    """The online nodes of each priority class that k failures can put on top: a class is on
    top only when every node of the classes above it has failed."""
    groups = []
    above = 0
    for _priority, hosts in classes:
        group = [x for x in hosts if x in online_set]
        if not group:
            continue
        if above > k:
            break
        groups.append(group)
        above += len(group)
    return groups


def _reachable_nodes(replay, gid, online_set, k):
    """Nodes PVE may recover guest gid to after k failures (None: any node)."""
    classes = replay.classes.get(gid)
    if classes is None:
        return None
    return set(x for group in _reachable_classes(classes, online_set, k) for x in group)
