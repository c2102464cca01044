"""Fault matrix, vSphere side: a failed reconfigure task, a broken (HTTP 500) answer, an answer slower than
`timeout`, an unreachable vCenter. The module logs in again once on an expired session and retries nothing else;
each fault fails clearly, changes nothing, and a re-run after it converges."""

import time

from harness import task, play
from test_faults import clean_failure


# ---------------------------------------------------------------- vSphere

HA_ON = dict(datacenter='DC1', cluster='Cluster1', enabled=True, restart_priority='high', isolation_response='shutdown')


def vs_play(vc, tasks, **auth):
    return play(tasks, 'vsphere', vc.auth(**auth))


def vs_converges(ansible, vc, tasks):
    again = ansible.play(vs_play(vc, tasks))
    assert again.rc == 0, again.text[-3000:]
    vc.sim.reset_calls()
    third = ansible.play(vs_play(vc, tasks))
    assert third.rc == 0 and not [t for t in third.module_tasks() if t['result'].get('changed')], third.text[-3000:]
    assert vc.reconfigures() == {}


def das(vc):
    return vc.sim.state()['dasConfig']


def test_vsphere_failed_reconfigure_task_fails_clearly_then_converges(vc, ansible, evidence):
    evidence.case()
    evidence.fault('fail_reconfigure')
    before = das(vc)
    vc.sim.fault('fail_reconfigure', count=1, message='simulated HA agent failure')
    ha = task('ha', 'vsphere_cluster_ha', HA_ON, ignore_errors=True)
    run = ansible.play(vs_play(vc, [ha]))
    clean_failure(run.result('ha'), 'simulated HA agent failure')
    assert das(vc) == before, 'a failed reconfigure task changed dasConfig'
    vs_converges(ansible, vc, [ha])
    assert das(vc)['Enabled'] is True


def test_vsphere_http500_on_reconfigure_fails_clearly(vc, ansible, evidence):
    evidence.case()
    evidence.fault('http500')
    before = das(vc)
    vc.sim.fault('http500', count=1, method='ReconfigureComputeResource_Task')
    ha = task('ha', 'vsphere_cluster_ha', HA_ON, ignore_errors=True)
    run = ansible.play(vs_play(vc, [ha]))
    clean_failure(run.result('ha'), 'vCenter')
    assert das(vc) == before
    vs_converges(ansible, vc, [ha])


def test_vsphere_slower_than_timeout_fails_clearly_then_converges(vc, ansible, evidence):
    evidence.case()
    evidence.fault('latency')
    vc.sim.fault('latency', count=1, seconds=5, method='RetrievePropertiesEx|RetrieveProperties')
    ha = task('ha', 'vsphere_cluster_ha', HA_ON, ignore_errors=True)
    began = time.monotonic()
    run = ansible.play(vs_play(vc, [ha], timeout=2))
    result = run.result('ha')
    assert time.monotonic() - began < 60
    if result.get('failed'):
        clean_failure(result, 'vCenter')
        assert vc.reconfigures() == {}
    vs_converges(ansible, vc, [ha])


def test_vsphere_unreachable_fails_clearly(vc, ansible, evidence):
    evidence.case()
    evidence.fault('unreachable')
    run = ansible.play(vs_play(vc, [task('info', 'vsphere_cluster_ha_info', dict(datacenter='DC1', cluster='Cluster1'),
                                         ignore_errors=True)], port=9))
    clean_failure(run.result('info'), '127.0.0.1')


# An expired vSphere session mid-run (one new login) is proven by the vsphere_connection integration target.
