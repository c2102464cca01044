"""PVE's HA rule feasibility checks (pve-ha-manager src/PVE/HA/Rules.pm and Rules/*.pm), as plain functions.

A rule here is {'type', 'resources': [sid...], 'nodes': {node: priority}, 'affinity', 'disable'...}.
check_feasibility returns {rule id: {'resources': [message, ...]}} for the rules PVE would drop;
every check sees the same (unpruned) rule set, as upstream's check_feasibility runs them.
Written from the upstream behaviour, not copied; see docs/simulators/proxmox.md for the sources.
"""

NA_DUPLICATE = "resource '{0}' is already used in another node affinity rule"
RA_TOO_FEW = 'rule is ineffective as there are less than two resources'
NEG_TOO_MANY = 'rule defines more resources than available nodes'
POS_SHARES = 'rule shares two or more resources with a negative resource affinity rule'
NEG_SHARES = 'rule shares two or more resources with a positive resource affinity rule'
RA_MULTI_PRIO = 'resources are in node affinity rules with multiple priorities'
NA_MULTI_PRIO = 'resources are in a resource affinity rule and cannot be in a node affinity rule with multiple priorities'
POS_MULTI_NA = 'resources are in multiple node affinity rules'
NA_MULTI_POS = ('at least one resource is in a positive resource affinity rule and there are other resources in '
                'at least one other node affinity rule already')
NEG_CONFINED = 'two or more resources are restricted to less nodes than available to the resources'
NA_CONFINES_NEG = ('at least one resource is in a negative resource affinity rule and this rule would restrict these '
                   'to less nodes than available to the resources')


def _enabled(rules, rtype):
    """Rules of a type the checks look at: upstream skips every rule that has a `disable` key at all."""
    return dict((rid, r) for rid, r in rules.items() if r.get('type') == rtype and 'disable' not in r)


def disjoint_positive_sets(positives):
    """[(rule ids, resources)]: positive rules joined by shared resources, in upstream's single pass.

    Rules are taken by their lowest resource id (ties by rule id); each joins the first set it overlaps
    and sets are never merged afterwards (Rules/Helpers.pm find_disjoint_rules_resource_sets).
    """
    order = sorted(sorted(positives), key=lambda rid: min(positives[rid]['resources']) if positives[rid]['resources']
                   else '')
    sets = []
    for rid in order:
        resources = set(positives[rid]['resources'])
        for entry in sets:
            if entry[1] & resources:
                entry[0].append(rid)
                entry[1].update(resources)
                break
        else:
            sets.append(([rid], set(resources)))
    return sets


def _positive_units(positives, merged):
    """What the positive checks iterate: merged sets (5.0.7+) or every positive rule alone (before)."""
    if merged:
        return disjoint_positive_sets(positives)
    return [([rid], set(rule['resources'])) for rid, rule in sorted(positives.items())]


def check_feasibility(rules, nodes, merged_positive=True):
    """{rule id: {'resources': [messages]}} for every enabled rule PVE's checker refuses.

    nodes: the node names the HA manager knows (manager_status node_status), as the API passes them.
    merged_positive: pve-ha-manager >= 5.0.7 merges connected positive rules before two of the checks.
    """
    errors = {}

    def blame(rid, message):
        errors.setdefault(rid, {}).setdefault('resources', []).append(message)

    node_aff = _enabled(rules, 'node-affinity')
    res_aff = _enabled(rules, 'resource-affinity')
    positives = dict((rid, r) for rid, r in res_aff.items() if r.get('affinity') == 'positive')
    negatives = dict((rid, r) for rid, r in res_aff.items() if r.get('affinity') == 'negative')
    na_sets = dict((rid, set(r['resources'])) for rid, r in node_aff.items())

    # NodeAffinity: a resource may be in one node-affinity rule only.
    users = {}
    for rid, members in na_sets.items():
        for sid in members:
            users.setdefault(sid, []).append(rid)
    for rid, sid in sorted((rid, sid) for sid, rids in users.items() if len(rids) > 1 for rid in rids):
        blame(rid, NA_DUPLICATE.format(sid))

    # ResourceAffinity: at least two resources; negative: no more resources than nodes.
    for rid in sorted(r for r, rule in res_aff.items() if len(set(rule['resources'])) < 2):
        blame(rid, RA_TOO_FEW)
    for rid in sorted(r for r, rule in negatives.items() if len(set(rule['resources'])) > len(nodes)):
        blame(rid, NEG_TOO_MANY)

    # ResourceAffinity: positive (merged) and negative rules share at most one resource.
    conflicts = []
    for rids, members in _positive_units(positives, merged_positive):
        for nid, negative in negatives.items():
            if len(members & set(negative['resources'])) >= 2:
                conflicts.append(('negative', nid))
                conflicts.extend(('positive', rid) for rid in rids)
    for kind, rid in sorted(conflicts):
        blame(rid, POS_SHARES if kind == 'positive' else NEG_SHARES)

    # Global: resources of a resource-affinity rule are not in a node-affinity rule with several priorities.
    conflicts = []
    for rid, rule in res_aff.items():
        paired = [nid for nid, members in na_sets.items() if members & set(rule['resources'])]
        if any(len(set(node_aff[nid]['nodes'].values())) > 1 for nid in paired):
            conflicts.append(('resource-affinity', rid))
            conflicts.extend(('node-affinity', nid) for nid in paired)
    for kind, rid in sorted(conflicts):
        blame(rid, RA_MULTI_PRIO if kind == 'resource-affinity' else NA_MULTI_PRIO)

    # Global: the resources of one positive rule (merged set) are in at most one node-affinity rule.
    conflicts = []
    for rids, members in _positive_units(positives, merged_positive):
        paired = [nid for nid, na_members in na_sets.items() if na_members & members]
        if len(paired) > 1:
            conflicts.extend(('positive', rid) for rid in rids)
            conflicts.extend(('node-affinity', nid) for nid in paired)
    for kind, rid in sorted(conflicts):
        blame(rid, POS_MULTI_NA if kind == 'positive' else NA_MULTI_POS)

    # Global: node-affinity rules leave the resources of a negative rule at least as many nodes as resources.
    conflicts = []
    for nid, negative in negatives.items():
        located, allowed, paired = set(), set(), []
        for aid, members in na_sets.items():
            common = members & set(negative['resources'])
            if common:
                located |= common
                allowed |= set(node_aff[aid]['nodes'])
                paired.append(aid)
        if len(allowed) < len(located):
            conflicts.append(('negative', nid))
            conflicts.extend(('node-affinity', aid) for aid in paired)
    for kind, rid in sorted(conflicts):
        blame(rid, NEG_CONFINED if kind == 'negative' else NA_CONFINES_NEG)
    return errors
