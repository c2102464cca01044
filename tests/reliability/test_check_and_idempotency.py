"""Check mode writes nothing; a second identical run changes nothing - for every module and both roles.

Per cluster: a check-mode --diff run (zero write requests / zero Reconfigure*/task calls, every
configuring task changed with a diff whose before differs from after), then the real run,
then the same run again: every task changed=false and zero writes.
"""

import pytest

from harness import task, play
from test_faults import with_ha

PVE9_TASKS = [
    task('resources', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100', max_relocate=2), dict(sid='102', group='')])),
    task('rule', 'proxmox_ha_rule', dict(name='pin-web', type='node-affinity', resources=['vm:100'], nodes=['pve1', 'pve2'])),
    task('apart', 'proxmox_ha_rule', dict(name='apart', type='resource-affinity', affinity='negative',
                                          resources=['vm:100', 'vm:101'])),
    task('options', 'proxmox_cluster_ha', dict(shutdown_policy='migrate', crs=dict(ha='static'))),
    task('info', 'proxmox_cluster_ha_info', {}),
    task('assess', 'proxmox_ha_assess', dict(protect_running_guests=True, shutdown_policy='migrate')),
]
PVE8_TASKS = [
    task('group', 'proxmox_ha_group', dict(name='web', nodes=['pve1:2', 'pve2'], nofailback=True)),
    task('resources', 'proxmox_ha_resources', dict(state='overridden', config=[dict(sid='vm:100', group='web'),
                                                                               dict(sid='vm:103', state='stopped')])),
]
VS_TASKS = [
    task('ha', 'vsphere_cluster_ha', dict(datacenter='DC1', cluster='Cluster1', enabled=True, restart_priority='high',
                                          isolation_response='shutdown', isolation_addresses=['192.0.2.1'],
                                          heartbeat_datastores=dict(policy='allFeasibleDsWithUserPreference',
                                                                    datastores=['shared-vmfs01']),
                                          admission_control=dict(policy='percentage', failover_level=1))),
    task('info', 'vsphere_cluster_ha_info', dict(datacenter='DC1', cluster='Cluster1')),
    task('assess', 'vsphere_ha_assess', dict(variables=dict(datacenter='DC1', cluster='Cluster1', restart_priority='high'))),
]
READ_ONLY = ('info', 'assess')
# The group exists already (with other settings): in check mode the resources task cannot see a group created
# by an earlier task of the same run, which is the role's business (it defers such steps).
PVE8_SCENARIO = with_ha('pve8-3node', groups=[dict(group='web', nodes='pve3', nofailback=0)])


def assert_check_run(run, writes):
    assert run.rc == 0, run.text[-4000:]
    assert writes == [] or writes == {}, 'check mode wrote: %s' % (writes,)
    for record in run.module_tasks():
        result = record['result']
        if record['task'] in READ_ONLY:
            assert not result.get('changed'), record['task']
            continue
        assert result.get('changed'), '%s: check mode against a cluster needing changes said changed=false' % record['task']
        diff = result.get('diff')
        diffs = diff if isinstance(diff, list) else [diff]
        assert diff and all('before' in d and 'after' in d for d in diffs), '%s: no before/after diff' % record['task']
        assert any(d['before'] != d['after'] for d in diffs), '%s: diff shows no difference' % record['task']


def assert_second_run(run, writes):
    assert run.rc == 0, run.text[-4000:]
    changed = [t['task'] for t in run.tasks if t['result'].get('changed')]
    assert not changed, 'second identical run changed: %s' % changed
    assert writes == [] or writes == {}, 'second identical run wrote: %s' % (writes,)


@pytest.mark.parametrize('scenario,tasks', [
    pytest.param(with_ha('pve9-3node', [dict(sid='vm:100', state='started'), dict(sid='vm:101', state='started')]), PVE9_TASKS,
                 id='pve9-modules'),
    pytest.param(PVE8_SCENARIO, PVE8_TASKS, id='pve8-modules'),
])
def test_pve_modules_check_mode_then_idempotent(start_pve, ansible, evidence, scenario, tasks):
    pve = start_pve(scenario)
    evidence.case(len(tasks) * 3)
    checked = ansible.play(play(tasks, 'proxmox', pve.token_auth()), check=True, diff=True)
    assert_check_run(checked, pve.writes())
    applied = ansible.play(play(tasks, 'proxmox', pve.token_auth()), diff=True)
    assert applied.rc == 0, applied.text[-4000:]
    assert pve.writes(), 'the real run wrote nothing'
    pve.clear_log()
    again = ansible.play(play(tasks, 'proxmox', pve.token_auth()), diff=True)
    assert_second_run(again, pve.writes())


def test_vsphere_modules_check_mode_then_idempotent(vc, ansible, evidence):
    evidence.case(len(VS_TASKS) * 3)
    vc.sim.reset_calls()
    checked = ansible.play(play(VS_TASKS, 'vsphere', vc.auth()), check=True, diff=True)
    assert_check_run(checked, vc.reconfigures())
    applied = ansible.play(play(VS_TASKS, 'vsphere', vc.auth()), diff=True)
    assert applied.rc == 0 and vc.reconfigures(), applied.text[-4000:]
    vc.sim.reset_calls()
    again = ansible.play(play(VS_TASKS, 'vsphere', vc.auth()), diff=True)
    assert_second_run(again, vc.reconfigures())


def role_play(role, role_vars, group, connection):
    return play([dict(name='role', **{'ansible.builtin.include_role': dict(name=role)}, vars=role_vars)], group, connection)


PVE_ROLE_VARS = dict(proxmox_ha_protect_running_guests=True,
                     proxmox_ha_groups=[dict(name='web', nodes=['pve1:2', 'pve2:1'], restricted=False)],
                     proxmox_ha_resources=[dict(sid='100', group='web'), dict(sid='102', group='web', max_relocate=2)],
                     proxmox_ha_crs_mode='static')
VS_ROLE_VARS = dict(vsphere_ha_datacenter='DC1', vsphere_ha_cluster='Cluster1', vsphere_ha_restart_priority='high',
                    vsphere_ha_isolation_response='shutdown', vsphere_ha_heartbeat_datastore_policy='allFeasibleDsWithUserPreference',
                    vsphere_ha_heartbeat_datastores=['shared-vmfs01'])


def role_changed_tasks(run):
    return [t for t in run.module_tasks() if t['result'].get('changed') or any(
        r.get('changed') for r in t['result'].get('results', []) if isinstance(r, dict))]


def test_proxmox_ha_role_check_mode_then_idempotent(pve, ansible, evidence):
    evidence.case(3)
    book = role_play('clusterops.ha.proxmox_ha', PVE_ROLE_VARS, 'proxmox', pve.token_auth())
    checked = ansible.play(book, check=True, diff=True)
    assert checked.rc == 0, checked.text[-4000:]
    assert pve.writes() == [], 'role check mode wrote: %s' % pve.writes()
    assert role_changed_tasks(checked), 'role check mode reported no change on a cluster that needs changes'
    assert 'before' in checked.stdout or '---' in checked.stdout
    applied = ansible.play(book)
    assert applied.rc == 0 and pve.writes(), applied.text[-4000:]
    pve.clear_log()
    assert_second_run(ansible.play(book, diff=True), pve.writes())


def test_vsphere_ha_role_check_mode_then_idempotent(vc, ansible, evidence):
    evidence.case(3)
    vc.sim.reset_calls()
    book = role_play('clusterops.ha.vsphere_ha', VS_ROLE_VARS, 'vsphere', vc.auth())
    checked = ansible.play(book, check=True, diff=True)
    assert checked.rc == 0, checked.text[-4000:]
    assert vc.reconfigures() == {}, 'role check mode reconfigured: %s' % vc.reconfigures()
    assert role_changed_tasks(checked)
    applied = ansible.play(book)
    assert applied.rc == 0 and vc.reconfigures(), applied.text[-4000:]
    vc.sim.reset_calls()
    assert_second_run(ansible.play(book, diff=True), vc.reconfigures())


# ---------------------------------------------------------------- --diff as the operator sees it

DIFF_PVE9_TASKS = [t for t in PVE9_TASKS if t['name'] != 'info']


@pytest.fixture(scope='module')
def diff_output(collections_root, certificate, vcsim_module, tmp_path_factory):
    """The default callback's --check --diff text of every configuring module, from one run per cluster."""
    import pvesim
    import harness
    ansible = harness.Ansible(collections_root, str(tmp_path_factory.mktemp('diff-output')))
    runs = {}
    with pvesim.running(with_ha('pve9-3node', [dict(sid='vm:100', state='started'), dict(sid='vm:101', state='started')]),
                        certfile=certificate[0], keyfile=certificate[1]) as served:
        pve = harness.Pve(served, certificate[0])
        runs['pve9'] = ansible.play(play(DIFF_PVE9_TASKS, 'proxmox', pve.token_auth()), check=True, diff=True)
        pve.load(PVE8_SCENARIO)
        runs['pve8'] = ansible.play(play(PVE8_TASKS[:1], 'proxmox', pve.token_auth()), check=True, diff=True)
    vcsim_module.reset()
    runs['vsphere'] = ansible.play(play(VS_TASKS[:1], 'vsphere', harness.Vc(vcsim_module).auth()), check=True, diff=True)
    return runs


@pytest.mark.parametrize('cluster,name', [
    # proxmox_ha_resources (lists keyed by SID since 3dee787: before, the default callback could not render them)
    ('pve9', 'resources'),
    ('pve9', 'rule'), ('pve9', 'apart'), ('pve9', 'options'), ('pve8', 'group'), ('vsphere', 'ha')])
def test_diff_is_rendered_for_the_operator(diff_output, evidence, cluster, name):
    evidence.case()
    run = diff_output[cluster]
    assert run.rc == 0, run.text[-3000:]
    text = run.section(name)
    assert 'Callback dispatch' not in text and 'failed for plugin' not in text, text[-1500:]
    assert '--- before' in text and '+++ after' in text, 'no before/after diff shown for %s:\n%s' % (name, text[-1500:])
