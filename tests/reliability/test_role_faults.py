"""The roles under faults, as AWX runs them at night: a fault mid-role fails clearly, leaves what was
configured in place, and the next run after the fault clears converges (then changes nothing)."""

import ssl
import time
import urllib.request

import harness
from test_check_and_idempotency import PVE_ROLE_VARS, VS_ROLE_VARS, role_play, assert_second_run
from test_faults import clean_failure, PVE_MAX_ATTEMPTS


def failed_tasks(run):
    return [t for t in run.tasks if t['status'] == 'failed' and not t['ignore_errors']]


def test_proxmox_ha_role_persistent_lock_on_options_fails_clearly_and_rerun_converges(pve, ansible, evidence):
    evidence.case(3)
    evidence.fault('lock')
    pve.fault('lock', path='cluster/options', method='PUT', count=-1)
    book = role_play('clusterops.ha.proxmox_ha', PVE_ROLE_VARS, 'proxmox', pve.token_auth())
    run = ansible.play(book)
    assert run.rc != 0
    failed = failed_tasks(run)
    assert len(failed) == 1 and failed[0]['action'] == 'clusterops.ha.proxmox_cluster_ha', [t['task'] for t in failed]
    clean_failure(failed[0]['result'], 'lock', 'gave up after %d attempts' % PVE_MAX_ATTEMPTS)
    # The HA resources configured before the failing step stay (the role protects every running guest).
    configured = sorted(pve.state()['resources'])
    assert 'vm:100' in configured and 'vm:102' in configured, configured
    pve.clear_faults()
    again = ansible.play(book)
    assert again.rc == 0, again.text[-3000:]
    assert pve.state()['options']['crs']['ha'] == 'static'
    assert sorted(pve.state()['resources']) == configured, 'the converging run removed or added HA resources'
    pve.clear_log()
    assert_second_run(ansible.play(book), pve.writes())


def test_vsphere_ha_role_failed_reconfigure_fails_clearly_and_rerun_converges(vc, ansible, evidence):
    evidence.case(3)
    evidence.fault('fail_reconfigure')
    before = vc.sim.state()['dasConfig']
    vc.sim.fault('fail_reconfigure', count=1, message='simulated vpxd restart')
    book = role_play('clusterops.ha.vsphere_ha', VS_ROLE_VARS, 'vsphere', vc.auth())
    run = ansible.play(book)
    assert run.rc != 0
    failed = failed_tasks(run)
    assert len(failed) == 1 and failed[0]['action'] == 'clusterops.ha.vsphere_cluster_ha', [t['task'] for t in failed]
    clean_failure(failed[0]['result'], 'simulated vpxd restart')
    assert vc.sim.state()['dasConfig'] == before
    again = ansible.play(book)
    assert again.rc == 0, again.text[-3000:]
    assert vc.sim.state()['dasConfig']['Enabled'] is True
    vc.sim.reset_calls()
    assert_second_run(ansible.play(book), vc.reconfigures())
    assert harness.no_traceback(failed[0]['result'])


def test_proxmox_ha_role_verify_catches_a_resource_removed_behind_its_back(pve, ansible, evidence):
    """Another admin deletes an HA resource between the role's last write and its read-back: the verify step must
    read the cluster as it is (not trust what the writes returned) and fail naming the resource."""
    evidence.case()
    evidence.fault('latency')
    book = role_play('clusterops.ha.proxmox_ha', PVE_ROLE_VARS, 'proxmox', pve.token_auth())
    pve.clear_log()
    finish = ansible.play(book, background=True)

    def wait_for(found, what):
        deadline = time.monotonic() + 120
        while not found(pve.log()['requests']):
            assert time.monotonic() < deadline, 'the role never sent %s' % what
            time.sleep(0.02)

    # The datacenter options PUT is the role's last write; the next read of the resource list is the read-back.
    wait_for(lambda log: any(r['method'] == 'PUT' and r['path'] == '/cluster/options' for r in log), 'PUT /cluster/options')
    pve.fault('latency', path='^/cluster/ha/resources$', method='GET', count=1, seconds=3)
    wait_for(lambda log: any(r['method'] == 'GET' and r['path'] == '/cluster/ha/resources'
                             for r in log[[i for i, r in enumerate(log) if r['path'] == '/cluster/options'][-1]:]),
             'the read-back')
    context = ssl.create_default_context(cafile=pve.cafile)
    removal = urllib.request.Request('https://127.0.0.1:%d/api2/json/cluster/ha/resources/vm:100' % pve.port,
                                     method='DELETE', headers={'Authorization': 'PVEAPIToken=%s=%s' % (
                                         pve.token_id, pve.token_secret)})
    with urllib.request.urlopen(removal, context=context, timeout=30) as answer:  # nosec - loopback simulator
        assert answer.status == 200
    run = finish()
    assert run.rc != 0, run.text[-3000:]
    failed = failed_tasks(run)
    assert [t['task'].split(' : ')[-1] for t in failed] == ['Fail unless the cluster now matches what was asked'], \
        [t['task'] for t in failed]
    assert 'vm:100: no HA resource after the run' in failed[0]['result']['msg'], failed[0]['result']['msg']
