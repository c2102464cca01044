# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replay of Proxmox VE's own HA recovery for one failure set, then a memory check on the result.

PVE does not search for a packing: its CRM recovers fenced services one at a time in service-ID
order and never revisits a choice. This module re-implements that decision (written from reading
pve-ha-manager 5.2.0 and proxmox-resource-scheduling 0.3.0, not copied; docs/capacity-engine.md
has the table of sources):

- order: every displaced HA guest in service-ID (string) order (Manager.pm ``manage``: the loop
  over ``sort keys %$ss`` calling ``next_state_recovery``);
- candidates (``select_service_node`` with 'best-score'): the online nodes of the guest's
  node-affinity rule in the highest priority class only (Rules/NodeAffinity.pm
  ``get_node_affinity``; a non-strict rule adds every other node at priority -1 in
  ``plugin_compile``), minus nodes of negative-affinity partners, then narrowed to the most
  populated node of positive-affinity partners (Rules/ResourceAffinity.pm);
- scheduler: ``basic`` takes the node with the fewest services (Usage/Basic.pm), ties to the first
  node name; ``static`` the best TOPSIS score over CPU and memory of all online nodes
  (pve_static.rs, topsis.rs).

Equal ``static`` scores are not broken by name in practice: proxmox-perl-rs hands the nodes to the
scorer in HashMap order and the float sums then differ in the last bit, so which of several equally
loaded nodes PVE takes is not determined. The replay therefore follows every tied choice that can
change the outcome (``scenario``), and a failure set is ok only if every such branch is.

A guest with no candidate stays down. Memory plays no part in PVE's choice, so the memory check
comes afterwards: a survivor whose load exceeds its usable memory is overloaded.
"""

from __future__ import absolute_import, division, print_function

import heapq
import math

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.placement import (
    REASON_ANTI_AFFINITY, REASON_NO_ALLOWED_HOST, displaced_order, outcome)
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.static_ties import Mirrors

__metaclass__ = type

# TOPSIS criteria of pve_static.rs (all minimised): average CPU, highest CPU, average memory, highest memory.
TOPSIS_WEIGHTS = (1.0 / 18, 2.0 / 18, 5.0 / 18, 10.0 / 18)
# Scores this close are taken as equal (identical nodes); PVE's pick then depends on float summation order.
SCORE_EPSILON = 1e-12
# Replays of one failure set at most, following the tied static choices that can change the outcome;
# past it the set is undecided (not ok, not proven) unless the other sets of the same k left enough
# of their share unused (engine._run_sets retries it with that pool).
TIE_BRANCH_LIMIT = 64


def _copy_state(state):
    """A copy of a replay's state at the start of a step (step, cpu, mem, free, count, moved,
    placed, unplaced, mirrors, ties) that shares nothing mutable with it."""
    step, cpu, mem, free, count, moved, placed, unplaced, mirrors, ties = state
    return (step, list(cpu), list(mem), list(free), list(count), dict(moved), list(placed), list(unplaced),
            mirrors.copy(), list(ties))


def _components(guests):
    """Keep-together bundles: guests connected through shared keep_together labels (PVE merges
    connected positive rules). Returns {guest id: sorted tuple of the bundle's ids}."""
    parent = {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first = {}
    for guest in guests:
        if not guest.keep_together:
            continue
        parent.setdefault(guest.id, guest.id)
        for label in guest.keep_together:
            if label in first:
                parent[find(guest.id)] = find(first[label])
            else:
                first[label] = guest.id
    bundles = {}
    for gid in parent:
        bundles.setdefault(find(gid), []).append(gid)
    out = {}
    for members in bundles.values():
        members = tuple(sorted(members))
        for gid in members:
            out[gid] = members
    return out


class PveRecovery:
    """PVE's recovery decisions over the engine's precomputed cluster state (placement.Cluster)."""

    def __init__(self, cluster):
        model = cluster.model
        self.cluster = cluster
        self.mode = 'basic' if model.crs == 'basic' else 'static'  # dynamic: approximated by static
        names = cluster.names
        index = dict((name, i) for i, name in enumerate(names))
        self.index = index
        guests = dict((g.id, g) for g in model.guests)
        self.guests = guests
        bundles = _components(model.guests)
        # Node affinity per guest as {host index: priority}, or None (every online node, one class).
        affinity = {}
        for g in model.guests:
            affinity[g.id] = self._node_affinity(g, index)
        for members in set(bundles.values()):
            # A bundle inherits the node-affinity rule of a member (Rules.pm transform); PVE refuses
            # bundles that touch two rules, so the first constrained member decides.
            rule = next((affinity[m] for m in members if affinity[m] is not None), None)
            if rule is not None:
                for m in members:
                    affinity[m] = rule
        self.affinity = affinity
        self.together = dict((gid, tuple(m for m in members if m != gid)) for gid, members in bundles.items())
        self.separate = self._negative_partners(model.guests, bundles)
        # Where each guest holds a node (affinity, scheduler load), before any failure.
        self.position = {}
        loaded = []
        for g in model.guests:
            if g.occupies_host and (g.ha or (g.running and model.crs_counts_non_ha)):
                self.position[g.id] = index[g.host]
                loaded.append(g)
            elif g.occupies_host:
                self.position[g.id] = index[g.host]
        self.base_count = [0] * len(names)
        self.base_cpu = [0.0] * len(names)
        self.base_mem = [0] * len(names)
        self.maxcpu = [float(h.cpus or 0) for h in model.hosts]
        self.maxmem = [h.memory_mb for h in model.hosts]
        for g in loaded:
            h = index[g.host]
            self.base_count[h] += 1
            self.base_cpu[h] = self._add_cpu(self.base_cpu[h], h, g)
            self.base_mem[h] += g.memory_mb
        self.simple = dict((g.id, affinity[g.id] is None and g.id not in self.together and not self.separate.get(g.id))
                           for g in model.guests)
        # Node-affinity rule as priority classes, best first: [(priority, (host, ...)), ...].
        self.classes = {}
        for gid, rule in affinity.items():
            if rule is not None:
                by_priority = {}
                for h, p in rule.items():
                    by_priority.setdefault(p, []).append(h)
                self.classes[gid] = [(p, tuple(sorted(hs))) for p, hs in sorted(by_priority.items(), reverse=True)]
        self.demand = dict((gid, info['demand']) for gid, info in cluster.guest_info.items())
        # Resource-affinity partners each guest's placement reads (static ties: a host holding one
        # of a guest still to come is never interchangeable with another).
        self.partners = dict((g.id, tuple(sorted(set(self.separate.get(g.id, ())) | set(self.together.get(g.id, ())))))
                             for g in model.guests)
        self.mirror_ties = True  # False: every tied choice is replayed (the tests' oracle) ...
        self.merge_ties = True  # ... and False: states met twice are followed twice
        self.resume_ties = True  # False: every branch is replayed from the first guest (the tests' oracle)
        self.replays = 0  # replays run so far, every pass and branch (the engine's tie budget)
        self.partner_guests = set(p for ps in self.partners.values() for p in ps)
        # Displaced candidates per host in service-ID order, and the stranded ones (moved first).
        self.ids_by_host = [sorted(gid for _neg, gid in items) for items in cluster.ha_items]
        self.stranded_ids = sorted(gid for _neg, gid in cluster.stranded)

    @staticmethod
    def _node_affinity(guest, index):
        if guest.allowed_hosts is not None:
            priority = dict(guest.host_priority)
            return dict((index[n], priority.get(n, 0)) for n in guest.allowed_hosts)
        if guest.host_priority:
            rule = dict((i, -1) for i in index.values())  # non-strict: every other node at -1
            rule.update((index[n], p) for n, p in guest.host_priority)
            return rule
        return None

    @staticmethod
    def _negative_partners(guests, bundles):
        """{guest id: set of ids it must stay apart from}: shared anti_affinity labels, plus the
        implicit rules PVE derives through keep-together bundles (a member's partner is every
        member's partner, both ways)."""
        by_label = {}
        for g in guests:
            for label in g.anti_affinity:
                by_label.setdefault(label, []).append(g.id)
        separate = {}
        pairs = []
        for members in by_label.values():
            for a in members:
                for b in members:
                    if a != b:
                        pairs.append((a, b))
        for a, b in pairs:
            separate.setdefault(a, set()).add(b)
        for a, b in pairs:
            for member in bundles.get(a, ()):
                if member != b:
                    separate.setdefault(member, set()).add(b)
                    separate.setdefault(b, set()).add(member)
        return separate

    def _add_cpu(self, current, h, guest):
        # pve_static.rs add_cpu_usage: a service without a CPU limit (0) counts as the whole node.
        add = guest.cpus if guest.cpus is not None else 1.0
        return current + (self.maxcpu[h] if add == 0.0 else add)

    # -- one failure set ---------------------------------------------------------------------

    def scenario(self, failed, track_hosts=None, with_plan=False, limit=None):
        """Replay PVE's recovery of one failure set. Returns (ok, decided, outcome dict).

        With `static`, equally scored nodes are PVE's free choice (proxmox-perl-rs hands the nodes
        to the scorer in HashMap order). Choices among interchangeable nodes (equal loads and sizes,
        no resource-affinity partner of a guest still to come on them) lead to mirror images of one
        recovery and are replayed once (static_ties.Mirrors); every other tied choice is followed, depth first,
        at most `limit` (default TIE_BRANCH_LIMIT) replays per pass. The set is ok only if every
        branch is; the first failing branch is reported; past the limit the set is undecided (not
        ok, not proven; `tie_branches.complete` is False).

        Three passes, each taken only when the one before could not vouch for its mirror images:
        1. nodes are interchangeable as above; a later guest whose node-affinity rule tells them
           apart must choose alike in every mirror image;
        2. nodes must also be alike in every node-affinity rule of a guest still to come;
        3. nodes must also have equal free memory (mirror images are then exact).
        """
        for lazy, exact in ((True, False), (False, False), (False, True)):
            result = self._branches(failed, track_hosts, with_plan, lazy, exact, limit or TIE_BRANCH_LIMIT)
            if result is not None:
                return result
        raise AssertionError('exact mirror images are always clear')

    def _branches(self, failed, track_hosts, with_plan, lazy, exact_mirrors, limit):
        """Every tied choice that matters, depth first; None when a mirror image could not be vouched for.

        In the lazy pass, a tie whose mirror images made a later guest choose differently is
        split (its nodes kept apart where that guest's rule tells them apart) and the branches are
        replayed again; None when that tie was split for that guest already."""
        split = {}
        seen = set() if self.merge_ties else None  # states at a branching tie already met: branches under way
        snapshots = {} if self.resume_ties else None  # the state at each branching tie whose branches are pending
        pending = [()]
        runs = 0
        first = None
        while pending:
            if runs == limit:
                if first is None:
                    return None  # every replay stopped at a mirror image that chose differently
                result = first[2]
                result['ok'] = False
                result['tie_branches'] = {'replayed': runs, 'complete': False}
                return False, False, result
            prefix = pending.pop()
            runs += 1
            self.replays += 1
            ok, result, ties, clear, diverged = self._replay(failed, prefix, track_hosts, with_plan, lazy,
                                                             exact_mirrors, split, seen, snapshots)
            if result is not None and first is None:
                first = (ok, True, result)
            if not ok:
                if runs > 1 or ties:
                    result['tie_branches'] = {'replayed': runs, 'complete': False, 'failing_branch': True}
                return False, True, result
            if diverged:
                steps, guest = diverged
                if all(guest in split.get(step, ()) for step in steps):
                    return None
                for step in steps:
                    split.setdefault(step, set()).add(guest)
                pending = [()]  # the ties are numbered anew
                seen = set() if self.merge_ties else None
                snapshots = {} if self.resume_ties else None
                continue
            if not clear:
                return None
            # Every tie past the prefix, and each other choice there, is a branch still to replay.
            for j in range(len(ties) - 1, len(prefix) - 1, -1):
                base = prefix + (0,) * (j - len(prefix))
                for choice in range(ties[j] - 1, 0, -1):
                    pending.append(base + (choice,))
        if first is None:
            return None
        ok, decided, result = first
        if runs > 1:
            result['tie_branches'] = {'replayed': runs, 'complete': True}
        return ok, decided, result

    def _replay(self, failed, prefix, track_hosts, with_plan, lazy=False, exact_mirrors=True, split=None, seen=None,
                snapshots=None):
        """One replay; at the j-th tie that matters it takes choice prefix[j] (0: the first node name).

        Returns (ok, outcome dict, [number of distinct choices at each such tie], whether every
        mirror image of this recovery also fits, and (steps of the ties, guest) when mirror images of
        those ties made that guest choose differently (the replay stops there; outcome None)).
        split ({step: guests}) keeps the nodes of those ties apart where those guests' rules tell
        them apart. seen holds the states met at branching ties past the prefix; meeting one again
        ends the replay (outcome None): the first replay that met it follows all its branches.
        snapshots ({choices before a tie: [state, branches left]}) keeps the state at each new
        branching tie; a branch starts from the state at its last tie instead of from the first
        guest (the steps before it are the same by construction), which is the same replay."""
        cluster = self.cluster
        alive, order = displaced_order(cluster, failed)
        survivors = [h for h in cluster.online if alive[h]]
        free = list(cluster.base_free)
        overcommitted = [h for h in survivors if free[h] < 0]
        count = list(self.base_count)
        basic = self.mode == 'basic'
        cpu = None if basic else list(self.base_cpu)
        mem = None if basic else list(self.base_mem)
        moved = {}
        placed = []
        unplaced = []
        ties = []
        mirrors = Mirrors(len(free)) if not basic else None
        start = 0
        resume = snapshots.get(prefix[:-1]) if snapshots and prefix else None
        if resume is not None:
            resume[1] -= 1
            if resume[1] == 0:
                del snapshots[prefix[:-1]]
            # The tie's last branch takes the saved state itself; the others take copies.
            state = resume[0] if resume[1] == 0 else _copy_state(resume[0])
            start, cpu, mem, free, count, moved, placed, unplaced, mirrors, ties = state
        infos = cluster.guest_info
        simple = self.simple
        demand = self.demand
        heap = None
        if basic:
            heap = [(count[h], h) for h in survivors]
            heapq.heapify(heap)
        # Stranded guests (on hosts already out) move first, then the failure's guests, each in ID order.
        if len(failed) == 1:
            sequence = self.stranded_ids + self.ids_by_host[failed[0]]
        else:
            sequence = self.stranded_ids + sorted(gid for h in failed for gid in self.ids_by_host[h])
        ruled = [(i, self.affinity[gid]) for i, gid in enumerate(sequence) if self.affinity[gid] is not None]
        steps = dict((gid, i) for i, gid in enumerate(sequence))
        partnered = [(i, self.partners[gid]) for i, gid in enumerate(sequence) if self.partners[gid]]
        # PVE breaks a tie between the nodes of a keep-together bundle by node name
        # (ResourceAffinity.pm apply_positive_resource_affinity), which a swap of nodes does not
        # mirror: while a bundle member is still to come, no tied nodes count as interchangeable.
        last_bundled = max([i for i, gid in enumerate(sequence) if self.together.get(gid)] or [-1])
        for step in range(start, len(sequence)):
            gid = sequence[step]
            if basic and simple[gid]:
                # Fewest services first, then node name (heap entries go stale as counts change).
                while heap and heap[0][0] != count[heap[0][1]]:
                    heapq.heappop(heap)
                if not heap:
                    unplaced.append(self._unplaced_row(infos[gid], REASON_NO_ALLOWED_HOST, survivors))
                    continue
                h = heap[0][1]
                count[h] += 1
                heapq.heapreplace(heap, (count[h], h))
                free[h] -= demand[gid]
                moved[gid] = h
                placed.append((gid, h))
                continue
            h, reason, tied = self._select(gid, survivors, alive, moved, count, cpu, mem)
            if lazy and mirrors is not None and self.affinity[gid] is not None:
                diverged = self._mirrors_diverge(mirrors, gid, survivors, alive, moved, cpu, mem, (h, tied))
                if diverged:
                    return True, None, ties, False, (diverged, gid)
            if h is None:
                unplaced.append(self._unplaced_row(infos[gid], reason, survivors))
                continue
            if tied:
                held = set(self._node_of(p, alive, moved) for i, ps in partnered if i > step for p in ps)
                if lazy:
                    ahead = [self.affinity[g] for g in (split or {}).get(step, ()) if steps[g] > step]
                else:
                    ahead = [r for i, r in ruled if i > step]
                kinds = self._tie_kinds(tied, cpu, mem, free, held, ahead, exact_mirrors, step < last_bundled)
                if len(kinds) > 1:
                    j = len(ties)
                    if seen is not None and j >= len(prefix):
                        state = (step, tuple(cpu), tuple(mem), tuple(free), len(unplaced), mirrors.key(),
                                 tuple(sorted((g, x) for g, x in moved.items() if g in self.partner_guests)))
                        if state in seen:
                            return True, None, ties, True, None
                        seen.add(state)
                    if snapshots is not None and j >= len(prefix):
                        # The state at the start of this step; its other len(kinds) - 1 choices are the branches.
                        choices = prefix + (0,) * (j - len(prefix))
                        snapshots[choices] = [_copy_state((step, cpu, mem, free, count, moved, placed, unplaced,
                                                           mirrors, ties)), len(kinds) - 1]
                    ties.append(len(kinds))
                    kind = kinds[prefix[j] if j < len(prefix) else 0]
                else:
                    kind = kinds[0]
                h = kind[0]
                mirrors.join(kind, free, step)
            moved[gid] = h
            placed.append((gid, h))
            count[h] += 1
            free[h] -= demand[gid]
            if basic:
                heapq.heappush(heap, (count[h], h))
            else:
                guest = self.guests[gid]
                cpu[h] = self._add_cpu(cpu[h], h, guest)
                mem[h] += guest.memory_mb
        overloaded = [h for h in survivors if free[h] < 0 and h not in overcommitted]
        result = outcome(cluster, failed, alive, order, free, unplaced, placed, overcommitted, 'pve_' + self.mode,
                         track_hosts, with_plan, overloaded)
        if overloaded:
            result['overloaded_detail'] = [self._overload_row(h, free, placed) for h in overloaded]
        return result['ok'], result, ties, mirrors is None or mirrors.clear(free), None

    def _node_of(self, gid, alive, moved):
        h = moved.get(gid, self.position.get(gid))
        return h if h is not None and alive[h] else None

    def _select(self, gid, survivors, alive, moved, count, cpu, mem, swap=None):
        """select_service_node(..., 'best-score') for one guest: (host index or None, reason, tied).

        tied (static only) lists the equally scored candidates in name order when there are several;
        the first is returned as the host. swap ({host: host}) relabels the guest's node-affinity
        rule (the mirror-image check)."""
        classes = self.classes.get(gid)
        if classes is None:
            candidates = set(survivors)
        else:
            candidates = None
            for _priority, hosts in classes:
                online = [swap.get(h, h) if swap else h for h in hosts]
                online = [h for h in online if alive[h]]
                if online:
                    candidates = set(online)
                    break
            if candidates is None:
                return None, REASON_NO_ALLOWED_HOST, None
        for partner in self.separate.get(gid, ()):
            h = self._node_of(partner, alive, moved)
            if h is not None:
                candidates.discard(h)
        together = {}
        for partner in self.together.get(gid, ()):
            h = self._node_of(partner, alive, moved)
            if h is not None and h in candidates:
                together[h] = together.get(h, 0) + 1
        if together:
            candidates = set([min(together, key=lambda h: (-together[h], h))])
        if not candidates:
            return None, REASON_ANTI_AFFINITY, None
        if self.mode == 'basic':
            return min(candidates, key=lambda h: (count[h], h)), None, None
        scores = self._topsis(self.guests[gid], survivors, cpu, mem, sorted(candidates))
        top = max(score for _h, score in scores)
        tied = [h for h, score in scores if score >= top - SCORE_EPSILON]
        return tied[0], None, (tied if len(tied) > 1 else None)

    def _mirrors_diverge(self, mirrors, gid, survivors, alive, moved, cpu, mem, chosen):
        """The steps of the ties behind a mirror image that gives this guest another choice (its rule,
        with the roles of interchangeable hosts swapped, leaves other candidates on top); empty
        when every mirror image chooses alike."""
        swaps, steps = mirrors.permutations(self.affinity[gid])
        if swaps is None:
            return steps
        actual = set(chosen[1] or ([chosen[0]] if chosen[0] is not None else []))
        for swap in swaps:
            h, _reason, tied = self._select(gid, survivors, alive, moved, None, cpu, mem, swap)
            if set(tied or ([h] if h is not None else [])) != actual:
                return steps
        return set()

    def _tie_kinds(self, tied, cpu, mem, free, held, rules_ahead, exact_mirrors, apart=False):
        """The tied nodes grouped into interchangeable kinds, first node name first: [[host, ...], ...].

        Two nodes are interchangeable when swapping them maps the rest of the recovery onto its
        mirror image: equal CPU and memory (use and size), alike in every node-affinity rule of a
        guest still to be recovered, and no resource-affinity partner of such a guest on either
        (held). With exact_mirrors their free memory must be equal too. apart: none is."""
        kinds = {}
        out = []
        for h in tied:
            if apart or h in held or not self.mirror_ties:
                key = ('alone', h)
            else:
                key = (self.maxcpu[h], self.maxmem[h], cpu[h], mem[h], tuple(rule.get(h) for rule in rules_ahead))
                if exact_mirrors:
                    key += (free[h], self.cluster.base_free[h])
            if key not in kinds:
                kinds[key] = []
                out.append(kinds[key])
            kinds[key].append(h)
        return out

    def _topsis(self, guest, nodes, cpu, mem, candidates):
        """pve_static.rs score_nodes_to_start_service over all online nodes; [(candidate, score)].

        Each node is an alternative "the guest runs here": average (root mean square) and highest
        relative CPU and memory use over all nodes, each plus 1, all minimised with weights 1, 2, 5,
        10; the matrix is normalised per criterion by its L2 norm and the score is the relative
        closeness to the ideal worst (topsis.rs score_alternatives).
        """
        n = len(nodes)
        add_cpu = guest.cpus if guest.cpus is not None else 1.0
        add_mem = guest.memory_mb
        maxcpu, maxmem = self.maxcpu, self.maxmem
        sqrt = math.sqrt
        rel_cpu = [cpu[h] / maxcpu[h] if maxcpu[h] else 0.0 for h in nodes]
        rel_mem = [mem[h] / float(maxmem[h]) if maxmem[h] else 0.0 for h in nodes]
        sq_cpu = sum(v * v for v in rel_cpu)
        sq_mem = sum(v * v for v in rel_mem)
        top_cpu = sorted(rel_cpu, reverse=True)[:2] + [0.0, 0.0]
        top_mem = sorted(rel_mem, reverse=True)[:2] + [0.0, 0.0]
        # The four criteria as columns, written out (this loop is the replay's hot spot); the
        # arithmetic and its order are those of one row at a time.
        avg_cpu, high_cpu, avg_mem, high_mem = [], [], [], []
        s0 = s1 = s2 = s3 = 0.0
        for i, h in enumerate(nodes):
            size = maxcpu[h]
            if size:
                new_cpu = (cpu[h] + (size if add_cpu == 0.0 else add_cpu)) / size
            else:
                new_cpu = 0.0
            new_mem = (mem[h] + add_mem) / float(maxmem[h]) if maxmem[h] else 0.0
            r_cpu, r_mem = rel_cpu[i], rel_mem[i]
            other_cpu = top_cpu[1] if r_cpu == top_cpu[0] else top_cpu[0]
            other_mem = top_mem[1] if r_mem == top_mem[0] else top_mem[0]
            v = sq_cpu - r_cpu * r_cpu + new_cpu * new_cpu
            v0 = 1.0 + sqrt((v if v > 0.0 else 0.0) / n)
            v1 = 1.0 + (new_cpu if new_cpu > other_cpu else other_cpu)
            v = sq_mem - r_mem * r_mem + new_mem * new_mem
            v2 = 1.0 + sqrt((v if v > 0.0 else 0.0) / n)
            v3 = 1.0 + (new_mem if new_mem > other_mem else other_mem)
            avg_cpu.append(v0)
            high_cpu.append(v1)
            avg_mem.append(v2)
            high_mem.append(v3)
            s0 += v0 * v0
            s1 += v1 * v1
            s2 += v2 * v2
            s3 += v3 * v3
        n0, n1, n2, n3 = sqrt(s0) or 1.0, sqrt(s1) or 1.0, sqrt(s2) or 1.0, sqrt(s3) or 1.0
        # every criterion is minimised: the ideal is the column's least value, the anti-ideal its largest
        b0, b1, b2, b3 = min(avg_cpu) / n0, min(high_cpu) / n1, min(avg_mem) / n2, min(high_mem) / n3
        x0, x1, x2, x3 = max(avg_cpu) / n0, max(high_cpu) / n1, max(avg_mem) / n2, max(high_mem) / n3
        w0, w1, w2, w3 = TOPSIS_WEIGHTS
        index = {h: i for i, h in enumerate(nodes)}
        scores = []
        for h in candidates:
            i = index[h]
            v0, v1, v2, v3 = avg_cpu[i] / n0, high_cpu[i] / n1, avg_mem[i] / n2, high_mem[i] / n3
            to_best = sqrt((((0.0 + (w0 * (v0 - b0)) ** 2) + (w1 * (v1 - b1)) ** 2) + (w2 * (v2 - b2)) ** 2)
                           + (w3 * (v3 - b3)) ** 2)
            to_worst = sqrt((((0.0 + (w0 * (v0 - x0)) ** 2) + (w1 * (v1 - x1)) ** 2) + (w2 * (v2 - x2)) ** 2)
                            + (w3 * (v3 - x3)) ** 2)
            scores.append((h, 0.0 if to_best + to_worst == 0.0 else to_worst / (to_best + to_worst)))
        return scores

    def _unplaced_row(self, info, reason, survivors):
        names = self.cluster.names
        if reason == REASON_NO_ALLOWED_HOST:
            rule = self.affinity[info['id']]
            text = ('no node of its node-affinity rule (%s) is online' % ', '.join(names[h] for h in sorted(rule))
                    if rule is not None else 'no node survives')
        else:
            text = ('PVE finds no node: the top-priority nodes of its rule all hold a negative-affinity partner '
                    '(non-strict preferences are hard while a preferred node is online)')
        return {'id': info['id'], 'name': info['name'], 'demand_mb': info['demand'], 'reason': reason, 'detail': text}

    def _overload_row(self, h, free, placed):
        names = self.cluster.names
        guests = [gid for gid, host in placed if host == h]
        return {'host': names[h], 'over_mb': -free[h], 'restarted_here': guests}
