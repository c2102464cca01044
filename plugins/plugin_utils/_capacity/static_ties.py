# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bookkeeping for equal `static` scores in the PVE recovery replay (pve_recovery.PveRecovery.scenario):
which hosts a tie made interchangeable, and what a mirror image of the replayed recovery may do
differently. docs/capacity-engine.md 3.3, "Equal static scores"."""

from __future__ import absolute_import, division, print_function

import itertools
import math

__metaclass__ = type

# Role swaps of interchangeable hosts checked against one guest's rule; past it the shortcut is given up.
MIRROR_PERMUTATION_LIMIT = 24


def _extended(mapping, pairs):
    out = dict(mapping)
    out.update(pairs)
    return out


class Mirrors:
    """Groups of hosts that static ties made interchangeable, and how far their free memory differed.

    A tie among interchangeable hosts is replayed once: the other choices lead to mirror images of
    the replayed recovery (the hosts' roles permuted). Two checks keep that sound:
    - `permutations` lists the role swaps that a guest's node-affinity rule tells apart; the replay
      then makes sure the swap leaves that guest's choice unchanged, or gives up the shortcut;
    - `clear`: in a mirror image a host ends with another group member's free memory, shifted by
      at most the differences in free memory at the ties that joined the group. So the least free
      member of every group must keep more than the group's summed differences.
    (Tested against following every tied choice: test_capacity_pve_static_ties.py.)"""

    def __init__(self, size):
        self.parent = list(range(size))
        self.spread = [0] * size
        self.members = dict((h, [h]) for h in range(size))
        self.steps = dict((h, set()) for h in range(size))  # the ties (sequence steps) that made each group

    def copy(self):
        other = Mirrors(0)
        other.parent = list(self.parent)
        other.spread = list(self.spread)
        other.members = dict((root, list(members)) for root, members in self.members.items())
        other.steps = dict((root, set(steps)) for root, steps in self.steps.items())
        return other

    def find(self, h):
        while self.parent[h] != h:
            self.parent[h] = self.parent[self.parent[h]]
            h = self.parent[h]
        return h

    def join(self, hosts, free, step):
        chosen = hosts[0]
        for other in hosts[1:]:
            a, b = self.find(chosen), self.find(other)
            gap = abs(free[chosen] - free[other])
            if a != b:
                self.parent[b] = a
                self.spread[a] += self.spread[b] + gap
                self.members[a].extend(self.members.pop(b))
                self.steps[a] |= self.steps.pop(b)
            else:
                self.spread[a] += gap
            self.steps[a].add(step)

    def permutations(self, rule):
        """Every role swap of the groups that `rule` ({host: priority}) tells apart, as {host: host}
        maps (identity left out), or None when there are more than MIRROR_PERMUTATION_LIMIT; and
        the steps of the ties that made those groups."""
        cut = [(root, members) for root, members in self.members.items()
               if len(members) > 1 and len(set(rule.get(h) for h in members)) > 1]
        steps = set()
        for root, _members in cut:
            steps |= self.steps[root]
        cut = [members for _root, members in cut]
        if not cut:
            return [], steps
        total = 1
        for members in cut:
            total *= math.factorial(len(members))
        if total > MIRROR_PERMUTATION_LIMIT:
            return None, steps
        maps = [{}]
        for members in cut:
            maps = [_extended(m, zip(members, order)) for m in maps for order in itertools.permutations(members)]
        return [m for m in maps if any(a != b for a, b in m.items())], steps

    def key(self):
        return tuple(sorted((tuple(sorted(members)), self.spread[root]) for root, members in self.members.items()
                            if len(members) > 1))

    def clear(self, free):
        return all(min(free[h] for h in members) >= self.spread[root]
                   for root, members in self.members.items() if len(members) > 1)
