"""Red-team findings of issue 16 on the PVE modules (M7, M3, M10, L13), through real ansible-playbook runs against
the simulated cluster. Each test failed on the code before its fix: the finding is named in the test's name.
"""

import time

import harness
from harness import refused_before_any_write, task
from test_faults import BASE_RESOURCES, pve_play, with_ha


def test_m7_lost_write_answer_then_failing_reread_says_changed_and_unconfirmed(pve, ansible, evidence):
    """PVE applies the PUT but its answer comes after api_timeout; the re-read that should tell fails too."""
    evidence.case()
    evidence.fault('latency')
    evidence.fault('http500')
    pve.load(with_ha('pve9-3node', BASE_RESOURCES[:1]))
    pve.fault('latency', path='cluster/ha/resources/vm:100$', method='PUT', count=1, seconds=4, after=True)
    res = task('resources', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100', max_relocate=3)]), ignore_errors=True)
    finish = ansible.play(pve_play(pve, [res], api_timeout=2), background=True)
    # Once the PUT is in (and held), the next read of the resources fails: the module cannot learn what happened.
    deadline = time.monotonic() + 60
    while not [r for r in pve.log()['requests'] if r['method'] == 'PUT']:
        assert time.monotonic() < deadline, 'the PUT never arrived'
        time.sleep(0.05)
    pve.fault('http500', path='cluster/ha/resources$', method='GET', count=1)
    run = finish()
    result = run.result('resources')
    assert result['failed'] and harness.no_traceback(result), result
    assert pve.state()['resources']['vm:100']['max_relocate'] == 3, 'the simulator did not apply the held PUT'
    # The cluster holds the write: the result must not say "nothing changed".
    assert result['changed'] is True, result
    assert [w['path'] for w in result['unconfirmed']] == ['cluster/ha/resources/vm:100'], result


def test_m3_migrated_group_still_in_use_is_not_deleted(start_pve, ansible, evidence):
    evidence.case(2)
    pve = start_pve(with_ha('pve9-3node', [dict(sid='vm:100', state='started')], rules=[
        dict(rule='ha-group-web', type='node-affinity', resources='vm:100', nodes='pve1:2,pve2', strict=1)]))
    absent = task('absent', 'proxmox_ha_group', dict(name='web', state='absent'), ignore_errors=True)
    for check in (True, False):
        run = ansible.play(pve_play(pve, [absent]), check=check)
        refused_before_any_write(pve, run.result('absent'), "HA group 'web' is still used by vm:100")
    assert 'ha-group-web' in pve.state()['rules']


def test_m10_empty_node_list_on_an_existing_group_is_refused_on_pve8(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve(with_ha('pve8-3node', [dict(sid='vm:100', state='started', group='web')],
                            groups=[dict(group='web', nodes='pve1:2,pve2')]))
    run = ansible.play(pve_play(pve, [task('empty', 'proxmox_ha_group', dict(name='web', nodes=[]), ignore_errors=True)]))
    refused_before_any_write(pve, run.result('empty'), 'nodes', 'web')


def test_l13_crs_number_out_of_range_is_refused_locally(pve, ansible, evidence):
    evidence.case(2)
    tasks = [task('threshold', 'proxmox_cluster_ha', dict(crs=dict(ha_auto_rebalance=True, ha_auto_rebalance_threshold=250)),
                  ignore_errors=True),
             task('margin', 'proxmox_cluster_ha', dict(crs=dict(ha_auto_rebalance=True, ha_auto_rebalance_margin=-3)),
                  ignore_errors=True)]
    run = ansible.play(pve_play(pve, tasks))
    refused_before_any_write(pve, run.result('threshold'), 'crs.ha_auto_rebalance_threshold', '100')
    refused_before_any_write(pve, run.result('margin'), 'crs.ha_auto_rebalance_margin')


def test_options_never_set_are_written_after_the_privilege_check(start_pve, ansible, evidence):
    """A fresh datacenter.cfg shows none of ha/crs/fencing, so the module asks GET /access/permissions?path=/
    before writing; that query parameter, named `path`, once collided with the client's own argument and
    failed the task with a TypeError (found by bench_roles on a generated cluster)."""
    evidence.case()
    pve = start_pve({'base': 'pve9-3node', 'options': {}})
    run = ansible.play(pve_play(pve, [task('options', 'proxmox_cluster_ha', dict(shutdown_policy='migrate'))]))
    result = run.result('options')
    assert not result.get('failed') and result['changed'] is True, result
    assert [w['path'] for w in pve.writes()] == ['/cluster/options'], pve.writes()
