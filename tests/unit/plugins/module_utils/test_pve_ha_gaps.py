# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the issue 13 gaps: per-resource auto-rebalance, unreadable datacenter options,
infeasible rules left out, and the order of bulk creates on migrated clusters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils import _pve_capacity_model as cm
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.options import check_options_readable, options_need_permission_check
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import (
    RESOURCE_DEFAULTS, check_resource_features, desired_resources, normalize_resource, plan_resources)

TYPES = {100: 'vm', 101: 'vm', 102: 'vm'}
PVE91 = {'pve-manager': '9.1.8', 'pve-ha-manager': '5.1.3', 'pve-cluster': '9.1.2'}
PVE92 = {'pve-manager': '9.2.11', 'pve-ha-manager': '5.2.5', 'pve-cluster': '9.1.6'}


def res(sid, **kw):
    return dict(RESOURCE_DEFAULTS, sid=sid, **kw)


# ----------------------------------------------------------------- per-resource auto-rebalance

def test_auto_rebalance_is_read_with_its_default_on():
    assert normalize_resource({'sid': 'vm:100'})['auto_rebalance'] is True
    assert normalize_resource({'sid': 'vm:100', 'auto-rebalance': 0})['auto_rebalance'] is False


def test_auto_rebalance_off_is_written_as_zero_and_back_on_as_delete():
    desired = desired_resources([{'sid': '100', 'auto_rebalance': False}], TYPES)
    planned = plan_resources({'vm:100': res('vm:100')}, desired, 'merged')
    assert planned['commands'] == [dict(op='update', kind='resource', id='vm:100', params={'auto-rebalance': 0})]
    desired = desired_resources([{'sid': '100', 'auto_rebalance': True}], TYPES)
    planned = plan_resources({'vm:100': res('vm:100', auto_rebalance=False)}, desired, 'merged')
    assert planned['commands'] == [dict(op='update', kind='resource', id='vm:100', params={'delete': 'auto-rebalance'})]
    created = plan_resources({}, desired_resources([{'sid': '101', 'auto_rebalance': False}], TYPES), 'merged')
    assert created['commands'][0]['params'] == {'sid': 'vm:101', 'auto-rebalance': 0}


def test_auto_rebalance_unchanged_plans_nothing_and_replaced_resets_it():
    current = {'vm:100': res('vm:100', auto_rebalance=False)}
    assert plan_resources(current, desired_resources([{'sid': '100', 'auto_rebalance': False}], TYPES), 'merged')['commands'] == []
    replaced = plan_resources(current, desired_resources([{'sid': '100'}], TYPES), 'replaced')
    assert replaced['commands'][0]['params'] == {'delete': 'auto-rebalance'}


def test_auto_rebalance_refused_before_pve_92_naming_the_version():
    desired = desired_resources([{'sid': '100', 'auto_rebalance': False}], TYPES)
    with pytest.raises(HaInputError, match=r'config\[0\].auto_rebalance of vm:100 needs pve-ha-manager 5.2.3 or later '
                                           r'\(PVE 9.2\); this cluster runs pve-ha-manager 5.1.3'):
        check_resource_features(desired, PVE91)
    check_resource_features(desired, PVE92)
    check_resource_features(desired_resources([{'sid': '100'}], TYPES), PVE91)


# ----------------------------------------------------------------- datacenter options without Sys.Audit

def test_options_with_ha_keys_are_readable_without_asking_for_permissions():
    assert options_need_permission_check({'crs': 'ha=static', 'allowed-tags': []}) is False
    assert options_need_permission_check({'console': 'html5', 'allowed-tags': []}) is True


def test_options_hidden_without_sys_audit_are_refused_naming_the_privilege():
    with pytest.raises(HaInputError, match=r"no Sys.Audit on '/'.*ha, crs and fencing"):
        check_options_readable({'/': {'Sys.Modify': 1}})
    with pytest.raises(HaInputError, match=r"no Sys.Audit on '/'"):
        check_options_readable({'/nodes': {'Sys.Audit': 1}})
    check_options_readable({'/': {'Sys.Audit': 1, 'Sys.Modify': 1}})


# ----------------------------------------------------------------- infeasible rules

def test_rules_pve_marks_infeasible_are_reported_with_the_reason_and_left_out():
    raw = [{'rule': 'apart', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': 'vm:100,vm:101',
            'errors': {'resources': 'rule shares two or more resources with another rule'}},
           {'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1', 'strict': 1}]
    ignored = cm.ignored_rules(raw)
    assert ignored == [dict(name='apart', reason='resources: rule shares two or more resources with another rule')]
    rules = [normalize_rule(r) for r in raw]
    constraints = cm.placement_constraints([], rules, ['pve1', 'pve2', 'pve3'], [r['name'] for r in ignored])
    assert constraints == {'vm:100': {'allowed_hosts': ['pve1'], 'host_priority': {'pve1': 0}}}
    assert cm.ignored_rules([{'rule': 'ok', 'type': 'node-affinity'}]) == []


# ----------------------------------------------------------------- order of bulk creates on migrated clusters

def group_rule(name, sids, strict):
    return dict(name='ha-group-' + name, type='node-affinity', resources=list(sids), nodes={'pve1': 0}, strict=strict,
                affinity='positive', comment='', enabled=True)


def test_new_members_of_a_strict_group_stay_ignored_until_their_rule_holds_them():
    current = {'vm:100': res('vm:100', group='web')}
    rules = [group_rule('web', ['vm:100'], True)]
    desired = desired_resources([{'sid': '101', 'group': 'web'}, {'sid': '102', 'group': 'web', 'state': 'stopped'}], TYPES)
    planned = plan_resources(current, desired, 'merged', translate_groups=True, rules=rules)
    steps = [(c['op'], c['kind'], c['id'], c['params'].get('state'), c['params'].get('resources')) for c in planned['commands']]
    assert steps == [
        ('create', 'resource', 'vm:101', 'ignored', None),      # the CRM does not manage it yet
        ('create', 'resource', 'vm:102', 'stopped', None),      # stopped is placed nowhere: no hold needed
        ('update', 'rule', 'ha-group-web', None, 'vm:100,vm:101,vm:102'),
        ('update', 'resource', 'vm:101', 'started', None),      # released once its strict rule holds it
    ]
    assert planned['after']['vm:101']['state'] == 'started'


def test_new_members_of_a_non_strict_group_and_without_group_are_created_as_asked():
    rules = [group_rule('web', ['vm:100'], False)]
    current = {'vm:100': res('vm:100', group='web')}
    desired = desired_resources([{'sid': '101', 'group': 'web'}, {'sid': '102'}], TYPES)
    planned = plan_resources(current, desired, 'merged', translate_groups=True, rules=rules)
    assert [(c['op'], c['id']) for c in planned['commands']] == [
        ('create', 'vm:101'), ('create', 'vm:102'), ('update', 'ha-group-web')]
    assert 'state' not in planned['commands'][0]['params']
