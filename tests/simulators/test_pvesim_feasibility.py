"""PVE's rule feasibility checks as the simulator runs them: own cases written from Rules.pm and Rules/*.pm."""

from pvesim import feasibility as F
from pvesim.feasibility import check_feasibility, disjoint_positive_sets

NODES = ['pve1', 'pve2', 'pve3']


def na(resources, nodes, **extra):
    return dict({'type': 'node-affinity', 'resources': list(resources), 'nodes': dict(nodes)}, **extra)


def ra(affinity, resources, **extra):
    return dict({'type': 'resource-affinity', 'affinity': affinity, 'resources': list(resources)}, **extra)


def test_a_feasible_set_has_no_errors():
    rules = {'pin': na(['vm:1'], {'pve1': 0}), 'pair': ra('positive', ['vm:1', 'vm:2']),
             'apart': ra('negative', ['vm:3', 'vm:4'])}
    assert check_feasibility(rules, NODES) == {}


def test_disabled_rules_are_skipped_in_every_check():
    rules = {'a': na(['vm:1'], {'pve1': 0}), 'b': na(['vm:1'], {'pve2': 0}, disable=1),
             'c': ra('negative', ['vm:1', 'vm:2', 'vm:3', 'vm:4'], disable=1)}
    assert check_feasibility(rules, NODES) == {}
    del rules['b']['disable']
    assert check_feasibility(rules, NODES) == {
        'a': {'resources': [F.NA_DUPLICATE.format('vm:1')]}, 'b': {'resources': [F.NA_DUPLICATE.format('vm:1')]}}


def test_negative_rule_counts_the_nodes_the_manager_knows():
    rules = {'apart': ra('negative', ['vm:1', 'vm:2'])}
    assert check_feasibility(rules, NODES) == {}
    # Before a first CRM master, manager_status has no node_status: every negative rule has too many resources.
    assert check_feasibility(rules, []) == {'apart': {'resources': [F.NEG_TOO_MANY]}}


def test_connected_positive_rules_are_merged_before_the_overlap_check():
    rules = {'p1': ra('positive', ['vm:1', 'vm:2']), 'p2': ra('positive', ['vm:2', 'vm:3']),
             'n': ra('negative', ['vm:1', 'vm:3'])}
    assert check_feasibility(rules, NODES, merged_positive=False) == {}
    assert check_feasibility(rules, NODES, merged_positive=True) == {
        'n': {'resources': [F.NEG_SHARES]}, 'p1': {'resources': [F.POS_SHARES]}, 'p2': {'resources': [F.POS_SHARES]}}


def test_one_positive_rule_spread_over_several_node_affinity_rules():
    rules = {'pair': ra('positive', ['vm:1', 'vm:2']), 'na1': na(['vm:1'], {'pve1': 0}), 'na2': na(['vm:2'], {'pve2': 0})}
    errors = check_feasibility(rules, NODES)
    assert errors == {'pair': {'resources': [F.POS_MULTI_NA]}, 'na1': {'resources': [F.NA_MULTI_POS]},
                      'na2': {'resources': [F.NA_MULTI_POS]}}
    # Spread over merged positive rules: only found once connected rules are merged (5.0.7+).
    rules = {'p1': ra('positive', ['vm:1', 'vm:2']), 'p2': ra('positive', ['vm:2', 'vm:3']),
             'na1': na(['vm:1'], {'pve1': 0}), 'na3': na(['vm:3'], {'pve2': 0})}
    assert check_feasibility(rules, NODES, merged_positive=False) == {}
    assert set(check_feasibility(rules, NODES, merged_positive=True)) == {'p1', 'p2', 'na1', 'na3'}


def test_negative_resources_confined_to_fewer_nodes_than_resources():
    rules = {'apart': ra('negative', ['vm:1', 'vm:2', 'vm:3']),
             'na': na(['vm:1', 'vm:2', 'vm:3'], {'pve1': 0, 'pve2': 0})}
    assert check_feasibility(rules, NODES) == {'apart': {'resources': [F.NEG_CONFINED]},
                                               'na': {'resources': [F.NA_CONFINES_NEG]}}
    rules['na']['nodes']['pve3'] = 0
    assert check_feasibility(rules, NODES) == {}
    # Nodes of every paired rule count together, strict or not.
    rules = {'apart': ra('negative', ['vm:1', 'vm:2']), 'a': na(['vm:1'], {'pve1': 0}), 'b': na(['vm:2'], {'pve1': 0})}
    assert set(check_feasibility(rules, NODES)) == {'apart', 'a', 'b'}


def test_resource_affinity_with_a_multi_priority_node_affinity_rule():
    rules = {'pair': ra('positive', ['vm:1', 'vm:2']), 'na': na(['vm:1'], {'pve1': 2, 'pve2': 1})}
    assert check_feasibility(rules, NODES) == {'pair': {'resources': [F.RA_MULTI_PRIO]},
                                               'na': {'resources': [F.NA_MULTI_PRIO]}}


def test_messages_of_several_checks_accumulate_on_one_rule():
    rules = {'n': ra('negative', ['vm:1', 'vm:2', 'vm:3', 'vm:4']), 'p': ra('positive', ['vm:1', 'vm:2'])}
    assert check_feasibility(rules, NODES)['n'] == {'resources': [F.NEG_TOO_MANY, F.NEG_SHARES]}


def test_disjoint_sets_are_built_in_one_pass_by_lowest_resource():
    positives = {'a': ra('positive', ['vm:1', 'vm:5']), 'b': ra('positive', ['vm:2', 'vm:3']),
                 'c': ra('positive', ['vm:3', 'vm:5'])}
    # c joins a's set (first overlap); b's set overlaps the result but is not merged afterwards.
    assert disjoint_positive_sets(positives) == [(['a', 'c'], {'vm:1', 'vm:3', 'vm:5'}), (['b'], {'vm:2', 'vm:3'})]
