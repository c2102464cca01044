# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Red-team findings M1/M2 of issue 16: what removing HA resources does to rules nobody named (pure planners)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import (
    check_rule_removals, normalize_resource, plan_resources, purge_effects)
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule


def res(sid, group=None):
    return normalize_resource(dict(sid=sid, state='started', group=group))


CURRENT = dict((sid, res(sid)) for sid in ('vm:100', 'vm:101', 'vm:102', 'vm:103'))
PIN = normalize_rule({'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:101', 'nodes': 'pve1'})
PAIR = normalize_rule({'rule': 'pair', 'type': 'resource-affinity', 'resources': 'vm:101,vm:102', 'affinity': 'positive'})
WIDE = normalize_rule({'rule': 'wide', 'type': 'node-affinity', 'resources': 'vm:101,vm:103', 'nodes': 'pve2'})
WEB = normalize_rule({'rule': 'ha-group-web', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve1:2,pve2',
                      'strict': 1, 'comment': 'web tier'})


def desired(*sids, **kw):
    return [dict(sid=sid, state=None, group=kw.get('group'), max_restart=None, max_relocate=None, failback=None, comment=None)
            for sid in sids]


def effects_by_rule(planned):
    return dict((c['rule'], c['effect']) for c in planned['rule_changes'])


@pytest.mark.parametrize('purge_rules', [False, True])
def test_m1_overridden_plans_the_rule_consequences_of_the_purge(purge_rules):
    planned = plan_resources(CURRENT, desired('vm:100', 'vm:102', 'vm:103'), 'overridden', rules=[PIN, PAIR, WIDE],
                             purge_rules=purge_rules)
    # With purge in PVE the pair stays, ineffective; without it the module deletes it (PVE refuses a 1-resource update).
    assert effects_by_rule(planned) == dict(pin='deleted', pair='deleted' if purge_rules else 'invalidated', wide='reduced')
    wide = [c for c in planned['rule_changes'] if c['rule'] == 'wide'][0]
    assert wide['before']['resources'] == ['vm:101', 'vm:103'] and wide['after']['resources'] == ['vm:103']
    delete = planned['commands'][-1]
    assert delete['op'] == 'delete' and delete['id'] == 'vm:101'
    # Where PVE purges, the DELETE names purge so `commands` shows that it changes rules.
    assert delete['params'] == ({} if purge_rules else dict(purge=1))


def test_m1_lossy_rule_changes_are_refused_naming_rules_and_opt_in():
    planned = plan_resources(CURRENT, desired('vm:100', 'vm:102', 'vm:103'), 'overridden', rules=[PIN, PAIR, WIDE])
    with pytest.raises(HaInputError) as err:
        check_rule_removals(planned['rule_changes'], False, 'overridden')
    msg = str(err.value)
    assert "deletes node-affinity rule 'pin' (vm:101 was all it held)" in msg
    assert "leaves resource-affinity rule 'pair' with only vm:102" in msg
    assert 'remove_orphaned_rules: true' in msg and 'wide' not in msg
    warnings = check_rule_removals(planned['rule_changes'], True, 'overridden')
    assert len(warnings) == 3 and any("'wide' loses vm:101" in w for w in warnings)


def test_m1_a_rule_that_keeps_valid_members_only_warns():
    planned = plan_resources(CURRENT, desired('vm:101'), 'deleted', rules=[WIDE])
    assert effects_by_rule(planned) == dict(wide='reduced')
    assert check_rule_removals(planned['rule_changes'], False, 'deleted') == ["rule 'wide' loses vm:101 (removed HA resources leave every rule)."]


def test_m1_no_rules_no_changes():
    planned = plan_resources(CURRENT, desired('vm:100'), 'overridden', rules=[])
    assert planned['rule_changes'] == [] and check_rule_removals([], False, 'overridden') == []
    assert all(c['params'] == {} for c in planned['commands'] if c['op'] == 'delete')


def test_m1_purge_effects_follow_pve_purge():
    effects = purge_effects(['vm:101', 'vm:102'], dict((r['name'], r) for r in (PIN, PAIR, WIDE, WEB)))
    assert [(e['rule'], e['effect'], e['removed']) for e in effects] == [
        ('pair', 'deleted', ['vm:101', 'vm:102']), ('pin', 'deleted', ['vm:101']), ('wide', 'reduced', ['vm:101'])]


@pytest.mark.parametrize('state, items', [
    ('merged', desired('vm:100', group='')),
    ('replaced', desired('vm:100')),
    ('overridden', desired('vm:101')),
])
def test_m2_last_member_leaving_a_migrated_group_is_refused_with_how_to_keep_it(state, items):
    current = dict(CURRENT, **{'vm:100': res('vm:100', 'web')})
    planned = plan_resources(current, items, state, translate_groups=True, rules=[WEB])
    change = [c for c in planned['rule_changes'] if c['rule'] == 'ha-group-web']
    assert change and change[0]['group'] == 'web' and change[0]['before']['nodes'] == {'pve1': 2, 'pve2': 0}
    with pytest.raises(HaInputError) as err:
        check_rule_removals(planned['rule_changes'], False, state)
    msg = str(err.value)
    assert "deletes rule 'ha-group-web' with HA group 'web''s definition (nodes pve1:2,pve2, strict true)" in msg
    assert 'clusterops.ha.proxmox_ha_group name: web, nodes: pve1:2,pve2, restricted: true, resources: [...]' in msg
    assert 'remove_orphaned_rules: true' in msg
    assert any("'ha-group-web'" in w for w in check_rule_removals(planned['rule_changes'], True, state))


def test_m2_group_keeping_a_member_is_no_side_effect():
    web = dict(WEB, resources=['vm:100', 'vm:101'])
    current = dict(CURRENT, **{'vm:100': res('vm:100', 'web'), 'vm:101': res('vm:101', 'web')})
    planned = plan_resources(current, desired('vm:100', group=''), 'merged', translate_groups=True, rules=[web])
    assert planned['rule_changes'] == []
