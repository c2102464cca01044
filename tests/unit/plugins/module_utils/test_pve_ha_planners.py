# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure group and rule planners and of the one place digests are attached."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.groups import desired_group, normalize_group, plan_group
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.requests import to_requests
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule, plan_rule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.translate import plan_group_as_rule

NODES = ['pve1', 'pve2', 'pve3']
TYPES = {100: 'vm', 101: 'vm', 102: 'vm', 104: 'ct'}
WEB = normalize_group({'group': 'web', 'nodes': 'pve1:2,pve2', 'restricted': 1})


def group_params(**kwargs):
    params = dict(name='web', nodes=None, restricted=None, nofailback=None, comment=None)
    params.update(kwargs)
    return params


def rule_params(**kwargs):
    params = dict(name='keep-apart', type=None, resources=None, nodes=None, strict=None, affinity=None, comment=None,
                  enabled=None, state='present')
    params.update(kwargs)
    return params


# ----------------------------------------------------------------- groups (PVE 8)

def test_plan_group_creates_with_its_name_and_nodes():
    planned = plan_group(None, desired_group(group_params(nodes=['pve1:2', 'pve2'])), 'present', NODES)
    assert planned['before'] is None and planned['after']['nodes'] == {'pve1': 2, 'pve2': 0}
    assert planned['commands'] == [dict(op='create', kind='group', id='web', params=dict(group='web', nodes='pve1:2,pve2'))]


def test_plan_group_same_request_twice_plans_nothing():
    planned = plan_group(WEB, desired_group(group_params(nodes=['pve2', 'pve1:2'], restricted=True)), 'present', NODES)
    assert planned['commands'] == [] and planned['before'] == planned['after']


def test_plan_group_update_sends_only_the_change():
    planned = plan_group(WEB, desired_group(group_params(restricted=False)), 'present')
    assert planned['commands'] == [dict(op='update', kind='group', id='web', params=dict(delete='restricted'))]


def test_plan_group_absent_refuses_while_resources_use_it_and_deletes_otherwise():
    with pytest.raises(HaInputError, match="HA group 'web' is still used by vm:100"):
        plan_group(WEB, dict(name='web'), 'absent', users=['vm:100'])
    assert plan_group(WEB, dict(name='web'), 'absent')['commands'] == [dict(op='delete', kind='group', id='web', params={})]
    assert plan_group(None, dict(name='web'), 'absent')['commands'] == []


def test_plan_group_refuses_unknown_nodes_before_any_write():
    with pytest.raises(HaInputError, match='unknown node'):
        plan_group(None, desired_group(group_params(nodes=['pve9'])), 'present', NODES)


# ----------------------------------------------------------------- groups on migrated PVE 9

GROUP_RULE = normalize_rule({'rule': 'ha-group-web', 'type': 'node-affinity', 'resources': 'vm:100,vm:101',
                             'nodes': 'pve1:2,pve2', 'strict': 1})


def test_plan_group_as_rule_updates_the_rule_and_member_failback():
    planned = plan_group_as_rule(GROUP_RULE, desired_group(group_params(restricted=False, nofailback=True)), 'present',
                                 {'vm:100': True, 'vm:101': False}, NODES, [GROUP_RULE])
    assert planned['commands'] == [
        dict(op='update', kind='rule', id='ha-group-web', params=dict(type='node-affinity', resources='vm:100,vm:101', delete='strict')),
        dict(op='update', kind='resource', id='vm:100', params=dict(failback=0)),
    ]
    assert planned['translated']['strict'] is False and planned['warnings'] == []


def test_plan_group_as_rule_without_members_is_pending_with_a_warning():
    planned = plan_group_as_rule(None, desired_group(group_params(nodes=['pve1'])), 'present', {}, NODES, [])
    assert planned['commands'] == [] and planned['translated']['pending'] is True
    assert "cannot exist without resources" in planned['warnings'][0]


# ----------------------------------------------------------------- rules

APART = normalize_rule({'rule': 'keep-apart', 'type': 'resource-affinity', 'affinity': 'negative',
                        'resources': 'vm:100,vm:101'})


def test_plan_rule_creates_with_bare_vmids_resolved():
    planned = plan_rule([], rule_params(type='resource-affinity', affinity='negative', resources=['100', '104']),
                        TYPES, {'vm:100', 'ct:104'}, NODES)
    assert planned['commands'] == [dict(op='create', kind='rule', id='keep-apart', params=dict(
        type='resource-affinity', rule='keep-apart', resources='vm:100,ct:104', affinity='negative'))]


def test_plan_rule_second_run_plans_nothing():
    planned = plan_rule([APART], rule_params(resources=['vm:101', 'vm:100']), TYPES, {'vm:100', 'vm:101'}, NODES)
    assert planned['commands'] == []


def test_plan_rule_absent():
    assert plan_rule([APART], rule_params(state='absent'))['commands'] == [
        dict(op='delete', kind='rule', id='keep-apart', params={})]
    assert plan_rule([], rule_params(state='absent'))['commands'] == []


@pytest.mark.parametrize('params,fragment', [
    (rule_params(), 'type is required'),
    (rule_params(type='node-affinity', name='keep-apart'), 'PVE cannot change it'),
    (rule_params(strict=True), 'strict applies only to node-affinity'),
])
def test_plan_rule_refuses_before_any_write(params, fragment):
    rules = [APART] if params['type'] or params['strict'] else []
    with pytest.raises(HaInputError, match=fragment):
        plan_rule(rules, params, TYPES, {'vm:100', 'vm:101'}, NODES)


# ----------------------------------------------------------------- digests, attached in one place

def test_to_requests_attaches_each_files_digest_to_its_first_put():
    commands = [dict(op='update', kind='rule', id='r1', params=dict(type='node-affinity')),
                dict(op='update', kind='resource', id='vm:100', params=dict(failback=0)),
                dict(op='update', kind='resource', id='vm:101', params=dict(failback=0))]
    requests = to_requests(commands, dict(rule='R', resource='S', group=None))
    assert [r['params'].get('digest') for r in requests] == ['R', 'S', None]
    assert requests[0] == dict(method='PUT', path='cluster/ha/rules/r1', params=dict(type='node-affinity', digest='R'))


def test_to_requests_group_paths():
    requests = to_requests([dict(op='create', kind='group', id='web', params=dict(group='web')),
                            dict(op='delete', kind='group', id='db', params={})], dict(group='G'))
    assert [(r['method'], r['path']) for r in requests] == [('POST', 'cluster/ha/groups'), ('DELETE', 'cluster/ha/groups/db')]
    assert 'digest' not in requests[0]['params']
