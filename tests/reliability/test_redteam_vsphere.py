"""Red-team findings on the vSphere side (issue 16: M8, M9, L7, L8): each case failed before its fix."""

import ssl
import time

from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim

from harness import no_traceback, play, task

CLUSTER = dict(datacenter='DC1', cluster='Cluster1')


def vs_play(vc, tasks):
    return play(tasks, 'vsphere', vc.auth())


def das(vc):
    return vc.sim.state()['dasConfig']


def other_admin_changes(vc, **settings):
    """What a second operator (or run) writes, straight through the API."""
    conn = SmartConnect(host='127.0.0.1', port=vc.port, user=vc.sim.username, pwd=vc.password,
                        sslContext=ssl.create_default_context(cafile=vc.cafile))
    try:
        content = conn.RetrieveContent()
        view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource], True)
        cluster = view.view[0]
        spec = vim.cluster.ConfigSpecEx(dasConfig=vim.cluster.DasConfigInfo(**settings))
        WaitForTask(cluster.ReconfigureComputeResource_Task(spec, True))
    finally:
        Disconnect(conn)


def test_m8_a_change_between_read_and_write_is_reported_not_overwritten(vc, ansible, evidence):
    evidence.case()
    evidence.fault('concurrent_edit')
    # The module's second RetrieveProperties (its re-read just before writing) is held 6 s; meanwhile
    # another operator changes the isolation address.
    vc.sim.reset_calls()
    vc.sim.control('POST', 'faults', {'kind': 'latency', 'method': 'RetrieveProperties', 'seconds': 6, 'count': 1, 'skip': 1})
    ours = task('ours', 'vsphere_cluster_ha', dict(CLUSTER, enabled=True, isolation_addresses=['10.0.0.1'],
                                                   use_default_isolation_address=False), ignore_errors=True)
    finish = ansible.play(vs_play(vc, [ours]), background=True)
    deadline = time.monotonic() + 60
    while vc.calls()['by_method'].get('RetrieveProperties', 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # until the module's re-read is being held
    other_admin_changes(vc, option=[vim.option.OptionValue(key='das.isolationaddress0', value='10.9.9.9')])
    run = finish()
    result = run.result('ours')
    assert result['failed'] and not result['changed'], run.text[-3000:]
    assert result['error_kind'] == 'conflict' and 'option' in result['conflict_fields']
    assert result['msg'].startswith('The HA settings of cluster Cluster1 changed after this run read them (option)')
    options = dict((o['Key'], o['Value']) for o in das(vc)['Option'])
    assert options == {'das.isolationaddress0': '10.9.9.9'}, 'the concurrent change was overwritten'


def test_m8_a_concurrent_change_to_another_vm_default_is_not_reverted(vc, ansible, evidence):
    evidence.case()
    other_admin_changes(vc, defaultVmSettings=vim.cluster.DasVmSettings(isolationResponse='shutdown'))
    run = ansible.play(vs_play(vc, [task('ours', 'vsphere_cluster_ha', dict(CLUSTER, restart_priority='high'))]))
    assert run.rc == 0, run.text[-3000:]
    settings = das(vc)['DefaultVmSettings']
    assert settings['RestartPriority'] == 'high' and settings['IsolationResponse'] == 'shutdown'


BAD = [
    ('loopback', dict(isolation_addresses=['127.0.0.1']), 'isolation_addresses entry 127.0.0.1 is a loopback address'),
    ('ipv6-loopback', dict(isolation_addresses=['::1']), 'isolation_addresses entry ::1 is a loopback address'),
    ('unspecified', dict(isolation_addresses=['0.0.0.0']), 'isolation_addresses entry 0.0.0.0 is the unspecified address'),
    ('broadcast', dict(isolation_addresses=['255.255.255.255']), 'is the broadcast address'),
    ('multicast', dict(isolation_addresses=['239.1.1.1']), 'is a multicast address'),
    ('none-left', dict(isolation_addresses=[], use_default_isolation_address=False),
     'isolation_addresses is empty while use_default_isolation_address is false'),
    ('index-less', dict(advanced_options={'das.isolationaddress': '10.0.0.1'}),
     "advanced_options key 'das.isolationaddress' is not an isolation address vSphere HA reads"),
    ('index-10', dict(advanced_options={'das.isolationaddress10': '10.0.0.1'}),
     "advanced_options key 'das.isolationaddress10' is not an isolation address"),
    ('first-class', dict(advanced_options={'das.usedefaultisolationaddress': 'false'}),
     "advanced_options key 'das.usedefaultisolationaddress' is managed by use_default_isolation_address"),
    ('all-dedicated', dict(admission_control=dict(policy='dedicated_hosts',
                                                  hosts=['esx01.lab.local', 'esx02.lab.local', 'esx03.lab.local'])),
     'admission_control.hosts names every host of cluster Cluster1'),
]


def test_m9_l7_l8_inputs_that_can_never_work_are_refused_before_any_write(vc, ansible, evidence):
    evidence.case(len(BAD))
    tasks = [task(name, 'vsphere_cluster_ha', dict(CLUSTER, **args), ignore_errors=True) for name, args, dummy in BAD]
    vc.sim.reset_calls()
    run = ansible.play(vs_play(vc, tasks))
    for name, dummy, message in BAD:
        result = run.result(name)
        assert result['failed'] and not result['changed'] and message in result['msg'], (name, result)
        assert no_traceback(result), (name, result)
    assert vc.reconfigures() == {}
