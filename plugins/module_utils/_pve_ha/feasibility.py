# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PVE's HA rule feasibility checks over canonical rules, so a rule PVE would refuse is refused first (pure).

Follows pve-ha-manager's HA/Rules.pm and Rules/*.pm checks (docs/simulators/proxmox.md lists them):
every enabled rule is checked against every other enabled rule; disabled rules are skipped; from
pve-ha-manager 5.0.7 positive resource-affinity rules sharing resources are merged first.
problems() returns, per rule name, (check, detail) pairs that rules.py turns into sentences.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def positive_sets(positives):
    """[(names, resources)]: positive rules joined by shared resources, in PVE's single pass.

    Rules are taken by their lowest resource id (ties by name); each joins the first set it overlaps,
    and sets are never merged afterwards (Rules/Helpers.pm find_disjoint_rules_resource_sets).
    """
    order = sorted(sorted(positives), key=lambda name: min(positives[name]) if positives[name] else '')
    sets = []
    for name in order:
        for names, members in sets:
            if members & positives[name]:
                names.append(name)
                members.update(positives[name])
                break
        else:
            sets.append(([name], set(positives[name])))
    return sets


def _priorities(rule):
    return len(set((rule.get('nodes') or {}).values())) > 1


def problems(rules, nodes_known, merged=True):
    """{rule name: [(check, detail)]} for the enabled canonical rules PVE would refuse.

    nodes_known: the nodes PVE counts (manager_status node_status; empty before a first CRM master).
    """
    out = {}

    def blame(name, check, detail):
        out.setdefault(name, []).append((check, detail))

    active = [r for r in rules if r.get('enabled', True)]
    node_aff = dict((r['name'], r) for r in active if r['type'] == 'node-affinity')
    res_aff = dict((r['name'], r) for r in active if r['type'] == 'resource-affinity')
    na_sets = dict((name, set(r['resources'])) for name, r in node_aff.items())
    positives = dict((name, set(r['resources'])) for name, r in res_aff.items() if r.get('affinity') == 'positive')
    negatives = dict((name, set(r['resources'])) for name, r in res_aff.items() if r.get('affinity') == 'negative')
    units = positive_sets(positives) if merged else [([name], set(res)) for name, res in sorted(positives.items())]

    for name, members in sorted(na_sets.items()):
        for other, other_members in sorted(na_sets.items()):
            if other != name and members & other_members:
                blame(name, 'node_affinity_shared', dict(other=other, shared=sorted(members & other_members)))
    for name, rule in sorted(res_aff.items()):
        if len(set(rule['resources'])) < 2:
            blame(name, 'too_few', {})
    for name, members in sorted(negatives.items()):
        if len(members) > len(nodes_known):
            blame(name, 'more_than_nodes', dict(count=len(members), nodes=len(nodes_known)))
    for names, members in units:
        for negative, negative_members in sorted(negatives.items()):
            if len(members & negative_members) >= 2:
                for name in names:
                    blame(name, 'overlap', dict(other=negative, affinity='negative'))
                blame(negative, 'overlap', dict(other=names[0], affinity='positive'))
    for name, rule in sorted(res_aff.items()):
        paired = sorted(n for n, m in na_sets.items() if m & set(rule['resources']))
        multi = [n for n in paired if _priorities(node_aff[n])]
        if multi:
            blame(name, 'multi_priority', dict(other=multi[0]))
            for other in paired:
                blame(other, 'multi_priority', dict(other=name))
    for names, members in units:
        paired = sorted(n for n, m in na_sets.items() if m & members)
        if len(paired) > 1:
            for name in names + paired:
                blame(name, 'positive_spread', dict(positive=names, node_rules=paired))
    for negative, negative_members in sorted(negatives.items()):
        located, allowed, paired = set(), set(), []
        for name, members in sorted(na_sets.items()):
            if members & negative_members:
                located |= members & negative_members
                allowed |= set(node_aff[name]['nodes'])
                paired.append(name)
        if len(allowed) < len(located):
            for name in [negative] + paired:
                blame(name, 'negative_confined', dict(negative=negative, node_rules=paired,
                                                      resources=sorted(located), nodes=sorted(allowed)))
    return out
