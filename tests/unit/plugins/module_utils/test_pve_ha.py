# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure PVE HA normalisation, validation, diff and planning (_pve_ha)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import (
    GROUP_DEFAULTS, desired_group, group_write_params, normalize_group, validate_group)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.options import (
    cluster_ha_write_params, desired_cluster_ha, normalize_cluster_ha, validate_cluster_ha)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import (
    changed_fields, format_nodes, guest_types, merge_desired, normalize_sid, parse_node_entry, parse_nodes)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.requests import with_first_digest
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import (
    RESOURCE_DEFAULTS, desired_resources, normalize_resource, plan_resources, validate_resources)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import desired_rule, normalize_rule, rule_defaults, rule_write_params, validate_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import group_as_rule, rule_as_group

TYPES = {100: 'vm', 101: 'vm', 102: 'vm', 104: 'ct'}
NODES = ['pve1', 'pve2', 'pve3']


# ----------------------------------------------------------------- nodes

def test_parse_nodes_accepts_all_three_forms_and_sorts():
    assert parse_nodes(['pve2', 'pve1:2', {'node': 'pve3', 'priority': 1}]) == {'pve1': 2, 'pve2': 0, 'pve3': 1}
    assert list(parse_nodes(['pve3', 'pve1'])) == ['pve1', 'pve3']


def test_parse_nodes_from_pve_string_in_any_order_is_equal():
    assert parse_nodes('pve3,pve1:2,pve2:0') == parse_nodes(['pve1:2', 'pve2', 'pve3'])


def test_format_nodes_writes_priority_zero_bare_like_pve():
    assert format_nodes({'pve2': 0, 'pve1': 2}) == 'pve1:2,pve2'


@pytest.mark.parametrize('entry, fragment', [
    ('pve1:x', 'not a non-negative integer'),
    ('pve1:-1', 'not a non-negative integer'),
    ({'node': 'pve1', 'priority': 'high'}, 'not a non-negative integer'),
    ({'node': 'pve1', 'priority': True}, 'not a non-negative integer'),
    ({'name': 'pve1'}, 'must have the keys node'),
    ('', 'no valid node name'),
])
def test_parse_node_entry_rejects_bad_input_naming_the_option(entry, fragment):
    with pytest.raises(HaInputError) as err:
        parse_node_entry(entry, 'nodes')
    assert fragment in str(err.value)
    assert str(err.value).startswith('nodes entry')


def test_parse_nodes_rejects_duplicate_node():
    with pytest.raises(HaInputError, match="lists node 'pve1' twice"):
        parse_nodes(['pve1', 'pve1:2'])


# ----------------------------------------------------------------- sids

@pytest.mark.parametrize('value, expected', [('vm:100', 'vm:100'), ('100', 'vm:100'), (100, 'vm:100'), ('104', 'ct:104'),
                                             ('ct:104', 'ct:104'), (' 101 ', 'vm:101')])
def test_normalize_sid(value, expected):
    assert normalize_sid(value, TYPES) == expected


def test_normalize_sid_without_lookup_defaults_to_vm():
    assert normalize_sid('100') == 'vm:100'


@pytest.mark.parametrize('value, fragment', [('vm100', 'malformed'), ('qemu:100', 'malformed'), ('vm:-1', 'malformed'),
                                             ('999', 'does not exist'), ('vm:104', 'is a container; write ct:104')])
def test_normalize_sid_errors(value, fragment):
    with pytest.raises(HaInputError) as err:
        normalize_sid(value, TYPES, 'config[0].sid')
    assert fragment in str(err.value)
    assert str(err.value).startswith('config[0].sid')


def test_guest_types_from_cluster_resources():
    types, nodes = guest_types([{'type': 'qemu', 'vmid': 100, 'node': 'pve1'}, {'type': 'lxc', 'vmid': 104, 'node': 'pve3'},
                                {'type': 'node', 'node': 'pve1'}])
    assert types == {100: 'vm', 104: 'ct'}
    assert nodes == {100: 'pve1', 104: 'pve3'}


# ----------------------------------------------------------------- groups

def test_normalize_group_fills_defaults_pve_omits():
    group = normalize_group({'group': 'web', 'nodes': 'pve2,pve1:2', 'type': 'group', 'digest': 'x'})
    assert group == {'name': 'web', 'nodes': {'pve1': 2, 'pve2': 0}, 'restricted': False, 'nofailback': False, 'comment': ''}


def test_group_same_nodes_other_order_and_zero_priority_is_no_change():
    current = normalize_group({'group': 'web', 'nodes': 'pve1:2,pve2', 'restricted': 1})
    desired = desired_group({'name': 'web', 'nodes': ['pve2:0', 'pve1:2'], 'restricted': True, 'nofailback': None,
                             'comment': None})
    assert changed_fields(current, merge_desired(current, desired, GROUP_DEFAULTS)) == []


def test_group_unset_comment_is_no_change_but_empty_comment_deletes():
    current = normalize_group({'group': 'web', 'nodes': 'pve1', 'comment': 'old'})
    keep = merge_desired(current, desired_group({'name': 'web', 'comment': None}), GROUP_DEFAULTS)
    assert changed_fields(current, keep) == []
    clear = merge_desired(current, desired_group({'name': 'web', 'comment': ''}), GROUP_DEFAULTS)
    assert group_write_params(current, clear) == {'delete': 'comment'}


def test_group_write_params_create_and_turn_off():
    after = dict(GROUP_DEFAULTS, name='web', nodes={'pve1': 1}, nofailback=True)
    assert group_write_params(None, after) == {'nodes': 'pve1:1', 'nofailback': 1}
    before = dict(after, restricted=True)
    assert group_write_params(before, after) == {'delete': 'restricted'}


def test_validate_group_absent_needs_no_nodes_and_create_does():
    validate_group({'name': 'web'}, None, NODES, 'absent')
    with pytest.raises(HaInputError, match='nodes is required to create HA group'):
        validate_group({'name': 'web', 'nodes': None}, None, NODES, 'present')
    with pytest.raises(HaInputError, match='unknown node'):
        validate_group({'name': 'web', 'nodes': {'pve9': 0}}, None, NODES, 'present')


# ----------------------------------------------------------------- rules

def test_normalize_rule_fills_strict_and_enabled_defaults():
    rule = normalize_rule({'rule': 'r', 'type': 'node-affinity', 'resources': 'vm:101,vm:100', 'nodes': 'pve1:2,pve2'})
    assert rule == {'name': 'r', 'type': 'node-affinity', 'resources': ['vm:100', 'vm:101'], 'comment': '', 'enabled': True,
                    'nodes': {'pve1': 2, 'pve2': 0}, 'strict': False, 'affinity': 'positive'}


def test_reenable_rule_uses_delete_disable_never_disable_zero():
    before = normalize_rule({'rule': 'r', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': 'vm:100,vm:101',
                             'disable': 1})
    after = dict(before, enabled=True)
    params = rule_write_params(before, after)
    assert params == {'type': 'resource-affinity', 'resources': 'vm:100,vm:101', 'delete': 'disable'}
    assert 'disable' not in params


def test_disable_and_clear_strict_and_comment():
    before = normalize_rule({'rule': 'r', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1', 'strict': 1,
                             'comment': 'x'})
    after = dict(before, strict=False, comment='', enabled=False)
    assert rule_write_params(before, after) == {'type': 'node-affinity', 'resources': 'vm:100', 'disable': 1,
                                                'delete': 'comment,strict'}


def test_rule_priority_zero_and_order_give_no_change():
    current = normalize_rule({'rule': 'r', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1,pve2:1'})
    desired = desired_rule({'name': 'r', 'type': 'node-affinity', 'resources': ['100'], 'nodes': ['pve2:1', 'pve1:0'],
                            'strict': False, 'comment': None, 'enabled': True, 'affinity': None}, TYPES)
    assert changed_fields(current, merge_desired(current, desired, rule_defaults('node-affinity'))) == []


def rule(name, rtype, resources, **kw):
    base = dict(rule_defaults(rtype), name=name, resources=resources)
    base.update(kw)
    return base


@pytest.mark.parametrize('candidate, others, fragment', [
    (rule('ra', 'resource-affinity', ['vm:100'], affinity='negative'), [], 'at least 2 resources'),
    (rule('ra', 'resource-affinity', ['vm:100', 'vm:101', 'vm:102', 'ct:104'], affinity='negative'), [], 'cluster has 3 nodes'),
    (rule('ra', 'resource-affinity', ['vm:100', 'vm:101'], affinity=None), [], 'affinity is required'),
    (rule('na', 'node-affinity', ['vm:100'], nodes={'pve9': 0}), [], 'unknown node(s) pve9'),
    (rule('na', 'node-affinity', ['vm:100'], nodes={}), [], 'nodes is required'),
    (rule('na', 'node-affinity', ['vm:100'], nodes={'pve1': 0}), [rule('other', 'node-affinity', ['vm:100'], nodes={'pve2': 0})],
     "already in node-affinity rule 'other'"),
    (rule('na', 'node-affinity', ['vm:999'], nodes={'pve1': 0}), [], 'not HA resources yet'),
    (rule('ra', 'resource-affinity', ['vm:100', 'vm:101'], affinity='positive'),
     [rule('rb', 'resource-affinity', ['vm:100', 'vm:101', 'vm:102'], affinity='negative')], 'may not overlap'),
    (rule('ra', 'resource-affinity', ['vm:100', 'vm:101'], affinity='negative'),
     [rule('na', 'node-affinity', ['vm:100'], nodes={'pve1': 2, 'pve2': 1})], 'several priorities'),
])
def test_validate_rule_rejects_what_pve_would(candidate, others, fragment):
    with pytest.raises(HaInputError) as err:
        validate_rule(candidate, {'vm:100', 'vm:101', 'vm:102', 'ct:104'}, NODES, others)
    assert fragment in str(err.value)


def test_validate_rule_accepts_valid_rules():
    validate_rule(rule('ra', 'resource-affinity', ['vm:100', 'vm:101'], affinity='negative'), {'vm:100', 'vm:101'}, NODES, [])
    validate_rule(rule('na', 'node-affinity', ['vm:100'], nodes={'pve1': 2}), {'vm:100'}, NODES,
                  [rule('na', 'node-affinity', ['vm:100'], nodes={'pve2': 0})])  # itself does not conflict


def test_desired_rule_rejects_duplicate_resources():
    with pytest.raises(HaInputError, match='same resource twice'):
        desired_rule({'name': 'r', 'type': 'resource-affinity', 'resources': ['100', 'vm:100']}, TYPES)


# ----------------------------------------------------------------- translation

def test_group_as_rule_follows_pve_migration():
    group = {'name': 'web', 'nodes': {'pve1': 2}, 'restricted': True, 'nofailback': True, 'comment': None}
    as_rule = group_as_rule(group, ['vm:101', 'vm:100'])
    assert as_rule['name'] == 'ha-group-web'
    assert as_rule['strict'] is True
    assert as_rule['resources'] == ['vm:100', 'vm:101']
    assert as_rule['comment'] == "Generated from HA group 'web'."


def test_rule_as_group_nofailback_only_when_all_members_have_failback_off():
    the_rule = rule('ha-group-web', 'node-affinity', ['vm:100', 'vm:101'], nodes={'pve1': 0}, strict=True)
    assert rule_as_group(the_rule, {'vm:100': False, 'vm:101': False})['nofailback'] is True
    assert rule_as_group(the_rule, {'vm:100': False, 'vm:101': True})['nofailback'] is False
    assert rule_as_group(the_rule, {})['restricted'] is True


# ----------------------------------------------------------------- resources

def res(sid, **kw):
    base = dict(RESOURCE_DEFAULTS, sid=sid)
    base.update(kw)
    return base


def test_normalize_resource_enabled_is_started_and_defaults_filled():
    assert normalize_resource({'sid': 'vm:100', 'state': 'enabled', 'type': 'vm'}) == res('vm:100')
    assert normalize_resource({'sid': 'vm:100', 'failback': 0, 'max_restart': '3'}) == res('vm:100', failback=False, max_restart=3)


def test_desired_resources_rejects_duplicates_and_negative_counts():
    with pytest.raises(HaInputError, match='lists vm:100 twice'):
        desired_resources([{'sid': '100'}, {'sid': 'vm:100'}], TYPES)
    with pytest.raises(HaInputError, match=r'config\[0\].max_restart is -1'):
        desired_resources([{'sid': '100', 'max_restart': -1}], TYPES)


def test_plan_merged_creates_updates_and_skips_equal():
    current = {'vm:100': res('vm:100'), 'vm:101': res('vm:101', max_relocate=2)}
    desired = desired_resources([{'sid': '100', 'state': 'enabled'}, {'sid': '101', 'max_relocate': 3}, {'sid': 'ct:104'}], TYPES)
    plan = plan_resources(current, desired, 'merged')
    assert [(c['op'], c['id'], c['params']) for c in plan['commands']] == [
        ('create', 'ct:104', {'sid': 'ct:104'}), ('update', 'vm:101', {'max_relocate': 3})]


def test_plan_second_run_is_empty():
    desired = desired_resources([{'sid': '100', 'comment': 'x', 'failback': False}], TYPES)
    first = plan_resources({}, desired, 'merged')
    assert plan_resources(first['after'], desired, 'merged')['commands'] == []


def test_plan_replaced_resets_unlisted_fields_with_delete():
    current = {'vm:100': res('vm:100', comment='old', failback=False, max_restart=3)}
    plan = plan_resources(current, desired_resources([{'sid': '100'}], TYPES), 'replaced')
    assert plan['commands'] == [dict(op='update', kind='resource', id='vm:100',
                                     params={'max_restart': 1, 'delete': 'comment,failback'})]


def test_plan_overridden_deletes_unlisted_last():
    current = {'vm:100': res('vm:100'), 'vm:101': res('vm:101')}
    plan = plan_resources(current, desired_resources([{'sid': 'ct:104'}], TYPES), 'overridden')
    assert [(c['op'], c['id']) for c in plan['commands']] == [('create', 'ct:104'), ('delete', 'vm:100'), ('delete', 'vm:101')]
    assert sorted(plan['after']) == ['ct:104']


def test_plan_deleted_only_existing():
    current = {'vm:100': res('vm:100')}
    plan = plan_resources(current, desired_resources([{'sid': '100'}, {'sid': '101'}], TYPES), 'deleted')
    assert [(c['op'], c['id']) for c in plan['commands']] == [('delete', 'vm:100')]


def test_plan_pve8_never_sends_failback():
    plan = plan_resources({'vm:100': res('vm:100', comment='a')},
                          desired_resources([{'sid': '100'}], TYPES), 'replaced', with_failback=False)
    assert plan['commands'][0]['params'] == {'delete': 'comment'}


def test_plan_translated_groups_update_rule_after_resources():
    rules = [rule('ha-group-web', 'node-affinity', ['vm:100'], nodes={'pve1': 0}, strict=True)]
    current = {'vm:100': res('vm:100', group='web', failback=False)}
    desired = desired_resources([{'sid': '101', 'group': 'web'}], TYPES)
    plan = plan_resources(current, desired, 'merged', translate_groups=True, rules=rules)
    ops = [(c['op'], c['kind'], c['id']) for c in plan['commands']]
    # strict group: created ignored, started once the rule holds it (test_pve_ha_gaps.py)
    assert ops == [('create', 'resource', 'vm:101'), ('update', 'rule', 'ha-group-web'), ('update', 'resource', 'vm:101')]
    assert plan['commands'][0]['params'] == {'sid': 'vm:101', 'failback': 0, 'state': 'ignored'}  # inherits nofailback
    assert 'group' not in plan['commands'][0]['params']
    assert plan['commands'][1]['params'] == {'type': 'node-affinity', 'resources': 'vm:100,vm:101'}
    assert plan['commands'][2]['params'] == {'state': 'started'}


def test_plan_translated_groups_removing_last_member_deletes_rule_before_resource():
    rules = [rule('ha-group-web', 'node-affinity', ['vm:100'], nodes={'pve1': 0})]
    current = {'vm:100': res('vm:100', group='web')}
    plan = plan_resources(current, desired_resources([{'sid': '100'}], TYPES), 'deleted', translate_groups=True, rules=rules)
    assert [(c['op'], c['kind']) for c in plan['commands']] == [('delete', 'rule'), ('delete', 'resource')]


def test_plan_translated_unknown_group_fails_before_writes():
    with pytest.raises(HaInputError, match="has no rule 'ha-group-db'"):
        plan_resources({}, desired_resources([{'sid': '100', 'group': 'db'}], TYPES), 'merged', translate_groups=True, rules=[])


def test_validate_resources_pve8_unknown_group_and_failback():
    with pytest.raises(HaInputError, match="group 'db' of vm:100 does not exist"):
        validate_resources([dict(sid='vm:100', group='db', failback=None)], ['web'], False, [], True)
    with pytest.raises(HaInputError, match='failback of vm:100 needs PVE 9'):
        validate_resources([dict(sid='vm:100', group=None, failback=False)], [], False, [], False)


def test_with_first_digest_only_on_a_put_that_is_the_files_first_write():
    puts = [dict(method='PUT', path='cluster/ha/resources/vm:1', params={}),
            dict(method='PUT', path='cluster/ha/resources/vm:2', params={})]
    out = with_first_digest(puts, 'cluster/ha/resources', 'abc')
    assert [r['params'].get('digest') for r in out] == ['abc', None]


def test_with_first_digest_not_after_our_own_post():
    # The POST changes the file, so the digest read before it is stale for the PUT that follows.
    reqs = [dict(method='POST', path='cluster/ha/resources', params={}),
            dict(method='PUT', path='cluster/ha/resources/vm:1', params={})]
    out = with_first_digest(reqs, 'cluster/ha/resources', 'abc')
    assert [r['params'].get('digest') for r in out] == [None, None]


def test_with_first_digest_ignores_writes_to_other_files():
    reqs = [dict(method='POST', path='cluster/ha/rules', params={}),
            dict(method='PUT', path='cluster/ha/resources/vm:1', params={})]
    out = with_first_digest(reqs, 'cluster/ha/resources', 'abc')
    assert [r['params'].get('digest') for r in out] == [None, 'abc']


# ----------------------------------------------------------------- datacenter options

def test_cluster_ha_parsed_objects_and_strings_are_equal():
    parsed = normalize_cluster_ha({'ha': {'shutdown_policy': 'migrate'}, 'crs': {'ha': 'static', 'ha-rebalance-on-start': 1}})
    string = normalize_cluster_ha({'ha': 'shutdown_policy=migrate', 'crs': 'ha=static,ha-rebalance-on-start=1'})
    assert parsed == string
    assert parsed['fencing'] == 'watchdog'


def test_cluster_ha_default_values_go_to_delete():
    before = normalize_cluster_ha({'ha': {'shutdown_policy': 'migrate'}, 'crs': {'ha': 'static'}, 'fencing': 'both'})
    after = desired_cluster_ha({'shutdown_policy': 'conditional', 'crs': {'ha': 'basic'}, 'fencing': 'watchdog'}, before)
    assert cluster_ha_write_params(before, after) == {'delete': 'ha,crs,fencing'}


def test_cluster_ha_set_values_and_no_change():
    before = normalize_cluster_ha({})
    after = desired_cluster_ha({'shutdown_policy': 'migrate', 'crs': {'ha': 'static', 'ha_rebalance_on_start': True}}, before)
    assert cluster_ha_write_params(before, after) == {'ha': 'shutdown_policy=migrate', 'crs': 'ha=static,ha-rebalance-on-start=1'}
    assert desired_cluster_ha({'shutdown_policy': 'conditional', 'crs': {'ha': 'basic'}}, before) == before


def test_cluster_ha_validation():
    base = normalize_cluster_ha({})
    with pytest.raises(HaInputError, match=r'needs pve-cluster 9\.1\.2 or later'):
        validate_cluster_ha(desired_cluster_ha({'crs': {'ha': 'dynamic'}}, base), '9.0.10', {'pve-cluster': '9.0.6'})
    validate_cluster_ha(desired_cluster_ha({'crs': {'ha': 'dynamic'}}, base), '9.2.1', {'pve-cluster': '9.1.6'})
    with pytest.raises(HaInputError, match='only applies with crs.ha_auto_rebalance'):
        validate_cluster_ha(desired_cluster_ha({'crs': {'ha_auto_rebalance_margin': 20}}, base), '9.2.1')
