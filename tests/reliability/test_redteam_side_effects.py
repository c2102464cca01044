"""Red-team findings of issue 16 on silent side effects (M1, M2, L16), through real ansible-playbook runs against the
simulated cluster. Each test failed on the code before its fix: the finding is named in the test's name.
"""

import os

from harness import refused_before_any_write, task
from test_faults import BASE_RESOURCES, pve_play, with_ha


USER_RULES = [dict(rule='pin', type='node-affinity', resources='vm:101', nodes='pve1'),
              dict(rule='pair', type='resource-affinity', resources='vm:101,vm:102', affinity='positive'),
              dict(rule='wide', type='node-affinity', resources='vm:101,vm:103', nodes='pve2')]
KEEP = [dict(sid='vm:100'), dict(sid='vm:102'), dict(sid='vm:103')]


def m1_scenario(name):
    return with_ha(name, BASE_RESOURCES, rules=USER_RULES)


def test_m1_overridden_that_would_delete_user_rules_is_refused_then_shown_and_applied_when_allowed(start_pve, ansible, evidence):
    """pve9 (pve-ha-manager with purge): removing vm:101 deletes 'pin' and leaves 'pair' with one resource."""
    evidence.case(3)
    pve = start_pve(m1_scenario('pve9-3node'))
    refused = task('override', 'proxmox_ha_resources', dict(state='overridden', config=KEEP), ignore_errors=True)
    for check in (True, False):
        run = ansible.play(pve_play(pve, [refused]), check=check)
        refused_before_any_write(pve, run.result('override'), "deletes node-affinity rule 'pin'",
                                 "leaves resource-affinity rule 'pair' with only vm:102", 'remove_orphaned_rules: true')
    allowed = task('override', 'proxmox_ha_resources', dict(state='overridden', config=KEEP, remove_orphaned_rules=True))
    run = ansible.play(pve_play(pve, [allowed]), check=True, diff=True)
    result = run.result('override')
    assert pve.writes() == []
    assert dict((c['rule'], c['effect']) for c in result['rule_changes']) == dict(pin='deleted', pair='invalidated', wide='reduced')
    assert result['commands'] == [dict(method='DELETE', path='cluster/ha/resources/vm:101', params=dict(purge=1))]
    assert set(result['diff']['before']['rules']) == {'pin', 'pair', 'wide'}
    assert set(result['diff']['after']['rules']) == {'pair', 'wide'}
    assert result['diff']['after']['rules']['wide']['resources'] == ['vm:103']
    warnings = ' '.join(result.get('warnings') or [])
    assert "'pin'" in warnings and "'pair'" in warnings and "'wide' loses vm:101" in warnings
    run = ansible.play(pve_play(pve, [allowed]))
    assert run.result('override')['changed'] is True
    rules = pve.state()['rules']
    assert 'pin' not in rules and rules['wide']['resources'] in ('vm:103', ['vm:103']), rules


def test_m1_pve90_without_purge_the_module_refuses_the_same_and_names_its_own_rule_writes(start_pve, ansible, evidence):
    evidence.case(2)
    pve = start_pve(m1_scenario('pve90-3node'))
    deleted = task('delete', 'proxmox_ha_resources', dict(state='deleted', config=[dict(sid='vm:101')]), ignore_errors=True)
    run = ansible.play(pve_play(pve, [deleted]), check=True)
    refused_before_any_write(pve, run.result('delete'), "deletes node-affinity rule 'pin'", "'pair'", 'remove_orphaned_rules')
    allowed = task('delete', 'proxmox_ha_resources', dict(state='deleted', config=[dict(sid='vm:101')], remove_orphaned_rules=True))
    result = ansible.play(pve_play(pve, [allowed]), check=True, diff=True).result('delete')
    # Without purge in PVE the module writes the rule changes itself; the one-resource pair is deleted (PVE refuses it).
    assert [(c['method'], c['path']) for c in result['commands']] == [
        ('DELETE', 'cluster/ha/rules/pair'), ('DELETE', 'cluster/ha/rules/pin'), ('PUT', 'cluster/ha/rules/wide'),
        ('DELETE', 'cluster/ha/resources/vm:101')]
    assert set(result['diff']['before']['rules']) == {'pin', 'pair', 'wide'}


def test_m1_a_removal_that_leaves_every_rule_valid_is_not_refused(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve(with_ha('pve9-3node', BASE_RESOURCES, rules=USER_RULES[2:]))
    run = ansible.play(pve_play(pve, [task('delete', 'proxmox_ha_resources', dict(state='deleted', config=[dict(sid='vm:101')]))]))
    result = run.result('delete')
    assert result['changed'] is True and [c['effect'] for c in result['rule_changes']] == ['reduced']
    assert any("'wide' loses vm:101" in w for w in result.get('warnings') or [])


def m2_scenario():
    return with_ha('pve9-3node', [dict(sid='vm:100', state='started'), dict(sid='vm:101', state='started')], rules=[
        dict(rule='ha-group-web', type='node-affinity', resources='vm:100', nodes='pve1:2,pve2', strict=1,
             comment='web tier')])


def test_m2_last_member_leaving_a_migrated_group_is_refused_naming_how_to_keep_it(start_pve, ansible, evidence):
    evidence.case(3)
    pve = start_pve(m2_scenario())
    cases = [dict(config=[dict(sid='vm:100', group='')]),
             dict(state='replaced', config=[dict(sid='vm:100')]),
             dict(state='overridden', config=[dict(sid='vm:101')])]
    for args in cases:
        run = ansible.play(pve_play(pve, [task('leave', 'proxmox_ha_resources', args, ignore_errors=True)]))
        refused_before_any_write(pve, run.result('leave'), "rule 'ha-group-web'", "HA group 'web'",
                                 'nodes pve1:2,pve2', 'proxmox_ha_group name: web', 'remove_orphaned_rules: true')
    assert pve.state()['rules']['ha-group-web']


def test_m2_allowed_removal_of_the_last_member_warns_and_shows_the_group_rule_in_the_diff(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve(m2_scenario())
    leave = task('leave', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100', group='')], remove_orphaned_rules=True))
    result = ansible.play(pve_play(pve, [leave]), diff=True).result('leave')
    assert result['changed'] is True and 'ha-group-web' not in pve.state()['rules']
    assert result['diff']['before']['rules']['ha-group-web']['nodes'] == {'pve1': 2, 'pve2': 0}
    assert 'rules' not in result['diff']['after'] or 'ha-group-web' not in result['diff']['after']['rules']
    assert any("HA group 'web'" in w for w in result.get('warnings') or [])


def test_l16_report_path_with_trailing_slash_writes_named_files_in_the_directory(pve, ansible, evidence, tmp_path):
    evidence.case()
    reports = os.path.join(str(tmp_path), 'reports') + '/'
    tasks = [task('info', 'proxmox_cluster_ha_info', register='info'),
             dict(name='capacity', include_role=dict(name='clusterops.ha.ha_capacity'),
                  vars=dict(ha_capacity_model='{{ info.capacity_model }}', ha_capacity_report_path=reports,
                            ha_capacity_enforce=False))]
    run = ansible.play(pve_play(pve, tasks))
    assert run.rc == 0, run.text[-3000:]
    assert sorted(os.listdir(reports)) == ['capacity-report.json', 'capacity-report.md'], os.listdir(reports)
