# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What real PVE versions accept and refuse, as the pure _pve_ha planners must see it (issue 13 findings)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import normalize_group
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.options import (
    cluster_ha_write_params, desired_cluster_ha, normalize_cluster_ha, validate_cluster_ha)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import (
    check_rule_support, normalize_rule, rule_defaults, rule_write_params, validate_rule)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import plan_group_rule_membership
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.versions import has, package_versions

NODES = ['pve1', 'pve2', 'pve3']
MANAGED = set('vm:%d' % n for n in range(100, 110))
PVE90 = {'pve-manager': '9.0.10', 'pve-ha-manager': '5.0.4', 'pve-cluster': '9.0.6'}
PVE91 = {'pve-manager': '9.1.8', 'pve-ha-manager': '5.1.3', 'pve-cluster': '9.1.2'}
PVE92 = {'pve-manager': '9.2.11', 'pve-ha-manager': '5.2.5', 'pve-cluster': '9.1.6'}


def rule(name, rtype, resources, **kw):
    base = dict(rule_defaults(rtype), name=name, resources=resources)
    base.update(kw)
    return base


def refused(*args, **kwargs):
    with pytest.raises(HaInputError) as err:
        validate_rule(*args, **kwargs)
    return str(err.value)


def test_installed_version_is_old_version_not_the_candidate():
    apt = [{'Package': 'pve-ha-manager', 'Version': '5.2.5', 'OldVersion': '5.0.4'}, {'Package': 'pve-cluster',
                                                                                      'Version': '9.1.6'}]
    assert package_versions(apt) == {'pve-ha-manager': '5.0.4', 'pve-cluster': '9.1.6'}
    assert not has(package_versions(apt), 'delete_purge') and has(PVE91, 'delete_purge')


# Finding 1: node-affinity `affinity` exists from pve-ha-manager 5.2.5.
def test_negative_node_affinity_needs_pve_ha_manager_525():
    avoid = rule('avoid', 'node-affinity', ['vm:100'], nodes={'pve1': 0}, affinity='negative')
    with pytest.raises(HaInputError, match=r'needs pve-ha-manager 5\.2\.5 or later \(PVE 9\.2\); this cluster runs '
                                           r'pve-ha-manager 5\.0\.4'):
        check_rule_support(avoid, PVE90)
    check_rule_support(avoid, PVE92)
    pin = rule('pin', 'node-affinity', ['vm:100'], nodes={'pve1': 0})
    assert 'affinity' not in rule_write_params(None, pin)
    assert 'affinity' not in rule_write_params(pin, dict(pin, comment='x'))


# Finding 6: every rule PUT carries `resources`.
def test_rule_put_always_sends_resources():
    before = normalize_rule({'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1'})
    assert rule_write_params(before, dict(before, comment='x'))['resources'] == 'vm:100'


# Finding 4: the feasibility checks the module missed.
def test_positive_rule_spread_over_several_node_affinity_rules():
    others = [rule('na1', 'node-affinity', ['vm:100'], nodes={'pve1': 0}),
              rule('na2', 'node-affinity', ['vm:101'], nodes={'pve2': 0})]
    text = refused(rule('pair', 'resource-affinity', ['vm:100', 'vm:101'], affinity='positive'), MANAGED, NODES, others)
    assert 'spread over node-affinity rules na1, na2' in text


def test_negative_resources_confined_to_fewer_nodes():
    others = [rule('pin', 'node-affinity', ['vm:100', 'vm:101', 'vm:102'], nodes={'pve1': 0, 'pve2': 0})]
    text = refused(rule('apart', 'resource-affinity', ['vm:100', 'vm:101', 'vm:102'], affinity='negative'),
                   MANAGED, NODES, others)
    assert "confine the resources vm:100, vm:101, vm:102 of negative rule 'apart' to 2 node(s)" in text


def test_connected_positive_rules_merge_before_the_overlap_check():
    others = [rule('p1', 'resource-affinity', ['vm:100', 'vm:101'], affinity='positive'),
              rule('p2', 'resource-affinity', ['vm:101', 'vm:102'], affinity='positive')]
    negative = rule('n', 'resource-affinity', ['vm:100', 'vm:102'], affinity='negative')
    assert 'may not overlap' in refused(negative, MANAGED, NODES, others, merged=True)
    validate_rule(negative, MANAGED, NODES, others, merged=False)  # pve-ha-manager 5.0.4 accepts it


def test_disabled_rules_are_skipped():
    others = [rule('old', 'node-affinity', ['vm:100'], nodes={'pve2': 0}, enabled=False)]
    validate_rule(rule('pin', 'node-affinity', ['vm:100'], nodes={'pve1': 0}), MANAGED, NODES, others)
    others = [rule('apart', 'resource-affinity', ['vm:100', 'vm:101'], affinity='negative', enabled=False)]
    validate_rule(rule('pair', 'resource-affinity', ['vm:100', 'vm:101'], affinity='positive'), MANAGED, NODES, others)


# Finding 5: before a first CRM master PVE counts no nodes.
def test_negative_rule_before_a_first_crm_master():
    negative = rule('apart', 'resource-affinity', ['vm:100', 'vm:101'], affinity='negative')
    assert 'no CRM master is active yet' in refused(negative, MANAGED, NODES, [], nodes_known=[])
    validate_rule(negative, MANAGED, NODES, [], nodes_known=NODES)


# Finding 3: moving a resource between groups on migrated PVE 9.
def test_moving_a_resource_between_groups_validates_the_future_rules_and_removes_first():
    rules = dict((r['name'], r) for r in [
        rule('ha-group-web', 'node-affinity', ['vm:100', 'vm:101'], nodes={'pve1': 0}),
        rule('ha-group-app', 'node-affinity', ['vm:102'], nodes={'pve2': 0})])
    current = {'vm:100': {'group': 'web'}, 'vm:101': {'group': 'web'}, 'vm:102': {'group': 'app'}}
    after = dict(current, **{'vm:100': {'group': 'app'}})
    commands = plan_group_rule_membership(current, after, rules)
    assert [(c['id'], c['params'].get('resources')) for c in commands] == [
        ('ha-group-web', 'vm:101'), ('ha-group-app', 'vm:100,vm:102')]


# Finding 8: a group listing one node twice (PVE accepts it) still reads.
def test_group_with_a_node_twice_reads():
    group = normalize_group({'group': 'web', 'nodes': 'pve1:2,pve1,pve2'})
    assert group['nodes'] == {'pve1': 2, 'pve2': 0}


# Finding 2: auto-rebalance by pve-cluster version; fractions until 9.1.4; numbers, not integers.
def test_auto_rebalance_needs_pve_cluster_912():
    current = normalize_cluster_ha({'crs': {'ha': 'static'}}, PVE90)
    after = desired_cluster_ha({'crs': {'ha_auto_rebalance': True}}, current)
    with pytest.raises(HaInputError, match=r'needs pve-cluster 9\.1\.2 or later'):
        validate_cluster_ha(after, '9.0.10', PVE90)
    with pytest.raises(HaInputError, match=r'crs.ha dynamic needs pve-cluster 9\.1\.2'):
        validate_cluster_ha(desired_cluster_ha({'crs': {'ha': 'dynamic'}}, current), '9.0.10', PVE90)


def test_thresholds_are_percent_for_the_user_and_fractions_before_pve_cluster_915():
    current = normalize_cluster_ha({'crs': {'ha': 'static', 'ha-auto-rebalance': 1,
                                            'ha-auto-rebalance-threshold': 0.4}}, PVE91)
    assert current['crs']['ha_auto_rebalance_threshold'] == 40
    after = desired_cluster_ha({'crs': {'ha_auto_rebalance_margin': 12.5}}, current)
    assert 'ha-auto-rebalance-margin=0.125' in cluster_ha_write_params(current, after, packages=PVE91)['crs']
    current = normalize_cluster_ha({'crs': {'ha': 'static', 'ha-auto-rebalance': 1,
                                            'ha-auto-rebalance-hold-duration': 2.5}}, PVE92)
    assert current['crs']['ha_auto_rebalance_hold_duration'] == 2.5
    after = desired_cluster_ha({'crs': {'ha_auto_rebalance_margin': 12.5}}, current)
    assert 'ha-auto-rebalance-margin=12.5' in cluster_ha_write_params(current, after, packages=PVE92)['crs']


# Finding 7: a resource in error state takes no update but state: disabled.
def test_error_state_resources_take_only_disabled():
    from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import check_error_states
    update = [dict(op='update', kind='resource', id='vm:100', params=dict(comment='x'))]
    with pytest.raises(HaInputError, match="vm:100 is in error state.*set state: disabled"):
        check_error_states(update, {'vm:100': 'error'})
    check_error_states([dict(op='update', kind='resource', id='vm:100', params=dict(state='disabled'))],
                       {'vm:100': 'error'})
    check_error_states(update, {'vm:100': 'started'})


# pve-ha-manager < 5.0.7 has no purge: the module takes deleted resources out of the rules itself.
def test_delete_without_purge_plans_the_rule_changes():
    from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import plan_resources
    current = dict((sid, dict(sid=sid, state='started', group=None, max_restart=1, max_relocate=1, failback=True,
                              comment='')) for sid in ('vm:100', 'vm:101', 'vm:102'))
    rules = [rule('pin', 'node-affinity', ['vm:100', 'vm:101'], nodes={'pve1': 0}),
             rule('pair', 'resource-affinity', ['vm:100', 'vm:102'], affinity='positive'),
             rule('alone', 'node-affinity', ['vm:100'], nodes={'pve2': 0})]
    planned = plan_resources(current, [dict(sid='vm:100')], 'deleted', translate_groups=True, rules=rules,
                             purge_rules=True)
    assert [(c['op'], c['kind'], c['id'], c['params'].get('resources')) for c in planned['commands']] == [
        ('delete', 'rule', 'alone', None), ('delete', 'rule', 'pair', None), ('update', 'rule', 'pin', 'vm:101'),
        ('delete', 'resource', 'vm:100', None)]
    assert planned['purged'] == ['alone', 'pair']
    planned = plan_resources(current, [dict(sid='vm:100')], 'deleted', translate_groups=True, rules=rules)
    assert [c['kind'] for c in planned['commands']] == ['resource']


def test_auto_rebalance_with_basic_scheduling_is_refused():
    current = normalize_cluster_ha({}, PVE92)
    with pytest.raises(HaInputError, match='does nothing with crs.ha basic'):
        validate_cluster_ha(desired_cluster_ha({'crs': {'ha_auto_rebalance': True}}, current), '9.2.11', PVE92, current)
    validate_cluster_ha(desired_cluster_ha({'crs': {'ha': 'static', 'ha_auto_rebalance': True}}, current), '9.2.11',
                        PVE92, current)


def test_node_names_with_dots_are_refused_like_pve():
    from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.parse import parse_nodes
    with pytest.raises(HaInputError, match='no valid node name'):
        parse_nodes(['pve1.lab'])


def test_failback_a_group_overwrites_before_migration_is_warned():
    from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import failback_overridden
    current = {'vm:100': dict(sid='vm:100', group='web')}
    warnings = failback_overridden([dict(sid='vm:100', group=None, failback=True)], current, {'web': True})
    assert len(warnings) == 1 and "group 'web''s nofailback" in warnings[0]
    assert failback_overridden([dict(sid='vm:100', group=None, failback=False)], current, {'web': True}) == []
    assert failback_overridden([dict(sid='vm:101', group=None, failback=True)], current, {'web': True}) == []
