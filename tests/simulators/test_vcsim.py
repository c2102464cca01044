"""Self-tests of clusterops-vcsim over real SOAP with pyVmomi (no mocks).

Run: .venv/bin/python -m pytest tests/simulators -q -k vcsim
"""

import json
import ssl
import threading
import time

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

import vcsimctl


def connect(sim, user=None, pwd=None):
    """Log in with certificate validation against the shared test CA."""
    ctx = ssl.create_default_context(cafile=sim.cafile)
    return SmartConnect(host=sim.host, port=sim.port, user=user or sim.username, pwd=pwd or sim.password, sslContext=ctx)


def get_cluster(si):
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.ClusterComputeResource], True)
    try:
        return view.view[0]
    finally:
        view.Destroy()


def reconfigure(cluster, das=None, modify=True):
    spec = vim.cluster.ConfigSpecEx()
    if das is not None:
        spec.dasConfig = das
    return WaitForTask(cluster.ReconfigureComputeResource_Task(spec, modify))


def reconfigure_fails(cluster, das):
    task = cluster.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(dasConfig=das), True)
    with pytest.raises(vmodl.MethodFault) as err:
        WaitForTask(task)
    assert task.info.state == vim.TaskInfo.State.error
    return err.value


def options(das):
    return {o.key: o.value for o in das.option}


@pytest.fixture
def si(vcsim_3host):
    conn = connect(vcsim_3host)
    yield conn
    try:
        Disconnect(conn)
    except Exception:  # pylint: disable=broad-except  # a test may have expired the session
        pass


@pytest.fixture
def cluster(si):
    return get_cluster(si)


# ---- login and inventory ----

def test_vcsim_login_validates_certificate_and_negotiates_version(vcsim_3host):
    conn = connect(vcsim_3host)
    about = conn.content.about
    assert about.apiType == 'VirtualCenter'
    assert conn._stub.versionId.startswith('"urn:vim25/')  # pylint: disable=protected-access
    assert conn.content.sessionManager.currentSession.userName == vcsim_3host.username
    Disconnect(conn)


def test_vcsim_rejects_wrong_password(vcsim_3host):
    with pytest.raises(vim.fault.InvalidLogin):
        connect(vcsim_3host, pwd='wrong')


def test_vcsim_untrusted_certificate_is_refused(vcsim_3host):
    with pytest.raises(ssl.SSLError):
        SmartConnect(host=vcsim_3host.host, port=vcsim_3host.port, user=vcsim_3host.username,
                     pwd=vcsim_3host.password, sslContext=ssl.create_default_context())


def test_vcsim_3host_inventory_matches_scenario(cluster):
    scenario = vcsimctl.load_scenario('vsphere-3host')
    assert cluster.name == scenario['cluster']['name']
    assert cluster.parent.parent.name == scenario['datacenter']
    hosts = {h.name: h for h in cluster.host}
    assert sorted(hosts) == sorted(h['name'] for h in scenario['hosts'])
    for spec in scenario['hosts']:
        host = hosts[spec['name']]
        assert host.hardware.memorySize == spec['memory_mb'] * 1024 * 1024
        assert host.summary.hardware.memorySize == spec['memory_mb'] * 1024 * 1024
        assert host.runtime.connectionState == 'connected'
        assert host.runtime.inMaintenanceMode is False
        assert host.runtime.dasHostState is None  # HA is off in this scenario
    vms = {vm.name: vm for h in hosts.values() for vm in h.vm}
    assert len(vms) == len(scenario['vms'])
    for spec in scenario['vms']:
        vm = vms[spec['name']]
        assert vm.runtime.host.name == spec['host']
        assert vm.config.hardware.memoryMB == spec['memory_mb']
        assert vm.config.memoryAllocation.reservation == spec['reservation_mb']
        assert vm.resourceConfig.memoryAllocation.reservation == spec['reservation_mb']
        assert vm.runtime.powerState == spec['power_state']
        overhead = vm.summary.quickStats.consumedOverheadMemory or 0  # unset while powered off
        assert (overhead > 0) == (spec['power_state'] == 'poweredOn')
    datastores = {ds.name: ds for ds in cluster.datastore}
    assert sorted(datastores) == sorted(d['name'] for d in scenario['datastores'])
    for spec in scenario['datastores']:
        mounts = {m.key.name for m in datastores[spec['name']].host}
        assert mounts == ({spec['host']} if spec.get('host') else set(hosts))
        assert datastores[spec['name']].summary.type == spec['type']
    assert cluster.configurationEx.dasConfig.enabled is False
    assert cluster.configurationEx.vsanConfigInfo.enabled is False


def test_vcsim_vsan_scenario(start_vcsim):
    sim = start_vcsim('vsphere-vsan')
    conn = connect(sim)
    cluster = get_cluster(conn)
    assert cluster.configurationEx.vsanConfigInfo.enabled is True
    types = {ds.name: ds.summary.type for ds in cluster.datastore}
    assert types == {'vsanDatastore': 'vsan', 'shared-nfs01': 'NFS'}
    assert len(cluster.host) == 4
    for host in cluster.host:
        port = host.config.vsanHostConfig.networkInfo.port[0]
        assert port.device == 'vmk1'
        vnic = [v for v in host.config.network.vnic if v.device == 'vmk1'][0]
        assert vnic.spec.ip.ipAddress.startswith('192.168.50.')
        assert vnic.spec.ip.subnetMask == '255.255.255.0'
    Disconnect(conn)


def test_vcsim_nocapacity_scenario_has_no_n_plus_1_headroom(start_vcsim):
    sim = start_vcsim('vsphere-nocapacity')
    conn = connect(sim)
    cluster = get_cluster(conn)
    host_mb = sorted(h.hardware.memorySize // (1024 * 1024) for h in cluster.host)
    used_mb = sum(vm.config.hardware.memoryMB for h in cluster.host for vm in h.vm if vm.runtime.powerState == 'poweredOn')
    assert used_mb > sum(host_mb) - host_mb[-1]
    Disconnect(conn)


# ---- dasConfig semantics ----

def test_vcsim_das_round_trip(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(
        enabled=True,
        option=[vim.option.OptionValue(key='das.isolationaddress0', value='192.168.50.1'),
                vim.option.OptionValue(key='das.usedefaultisolationaddress', value='false')],
        defaultVmSettings=vim.cluster.DasVmSettings(isolationResponse='powerOff')))
    das = cluster.configurationEx.dasConfig
    assert das.enabled is True
    assert options(das) == {'das.isolationaddress0': '192.168.50.1', 'das.usedefaultisolationaddress': 'false'}
    assert das.defaultVmSettings.isolationResponse == 'powerOff'
    assert das.defaultVmSettings.restartPriority == 'medium'  # default kept
    states = sorted(h.runtime.dasHostState.state for h in cluster.host)
    assert states == ['connectedToMaster', 'connectedToMaster', 'master']


def test_vcsim_unset_fields_are_left_untouched(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(
        enabled=True, hostMonitoring='disabled',
        option=[vim.option.OptionValue(key='das.isolationaddress0', value='10.0.0.1')],
        defaultVmSettings=vim.cluster.DasVmSettings(isolationResponse='shutdown')))
    reconfigure(cluster, vim.cluster.DasConfigInfo(
        option=[vim.option.OptionValue(key='das.isolationaddress1', value='10.0.0.2')],
        defaultVmSettings=vim.cluster.DasVmSettings(restartPriority='high')))
    das = cluster.configurationEx.dasConfig
    assert das.enabled is True
    assert das.hostMonitoring == 'disabled'
    assert das.defaultVmSettings.isolationResponse == 'shutdown'
    assert das.defaultVmSettings.restartPriority == 'high'
    assert options(das) == {'das.isolationaddress0': '10.0.0.1', 'das.isolationaddress1': '10.0.0.2'}
    reconfigure(cluster, None)  # a spec without dasConfig changes nothing
    assert cluster.configurationEx.dasConfig.defaultVmSettings.isolationResponse == 'shutdown'


def test_vcsim_option_removed_by_empty_value_and_keys_stored_as_spelled(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(option=[
        vim.option.OptionValue(key='das.isolationaddress0', value='10.0.0.1'),
        vim.option.OptionValue(key='das.heartbeatDsPerHost', value='3')]))
    reconfigure(cluster, vim.cluster.DasConfigInfo(option=[
        vim.option.OptionValue(key='das.isolationaddress0', value=''),
        vim.option.OptionValue(key='das.heartbeatdsperhost', value='4')]))
    # Another spelling is another stored key (vCenter can hold both; see docs/simulators/vsphere.md).
    assert options(cluster.configurationEx.dasConfig) == {'das.heartbeatDsPerHost': '3', 'das.heartbeatdsperhost': '4'}


@pytest.mark.parametrize('das, prop', [
    (vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(isolationResponse='reboot')),
     'dasConfig.defaultVmSettings.isolationResponse'),
    (vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(isolationResponse='clusterIsolationResponse')),
     'dasConfig.defaultVmSettings.isolationResponse'),
    (vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(restartPriority='urgent')),
     'dasConfig.defaultVmSettings.restartPriority'),
    (vim.cluster.DasConfigInfo(hostMonitoring='on'), 'dasConfig.hostMonitoring'),
    (vim.cluster.DasConfigInfo(vmMonitoring='vmOnly'), 'dasConfig.vmMonitoring'),
    (vim.cluster.DasConfigInfo(hBDatastoreCandidatePolicy='any'), 'dasConfig.hBDatastoreCandidatePolicy'),
    (vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(
        vmComponentProtectionSettings=vim.cluster.VmComponentProtectionSettings(vmStorageProtectionForAPD='panic'))),
     'dasConfig.defaultVmSettings.vmComponentProtectionSettings.vmStorageProtectionForAPD'),
    (vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(
        vmComponentProtectionSettings=vim.cluster.VmComponentProtectionSettings(vmStorageProtectionForPDL='restartConservative'))),
     'dasConfig.defaultVmSettings.vmComponentProtectionSettings.vmStorageProtectionForPDL'),
])
def test_vcsim_invalid_enum_fails_task_with_invalid_argument(cluster, das, prop):
    before = cluster.configurationEx.dasConfig
    das.enabled = True  # must not be applied either
    fault = reconfigure_fails(cluster, das)
    assert isinstance(fault, vmodl.fault.InvalidArgument)
    assert fault.invalidProperty == prop
    assert prop in fault.msg
    after = cluster.configurationEx.dasConfig
    assert after.enabled is False
    assert after.defaultVmSettings.isolationResponse == before.defaultVmSettings.isolationResponse


def test_vcsim_non_string_option_value_fails_with_invalid_type(cluster):
    fault = reconfigure_fails(cluster, vim.cluster.DasConfigInfo(option=[
        vim.option.OptionValue(key='das.isolationaddress0', value='10.0.0.1'),
        vim.option.OptionValue(key='das.heartbeatdsperhost', value=4)]))
    assert isinstance(fault, vmodl.fault.InvalidType)
    assert 'das.heartbeatdsperhost' in fault.argument
    assert cluster.configurationEx.dasConfig.option == []  # nothing applied


def test_vcsim_non_string_option_value_task_error_text_is_vcenters(cluster):
    task = cluster.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(dasConfig=vim.cluster.DasConfigInfo(option=[
        vim.option.OptionValue(key='das.heartbeatdsperhost', value=4)])), True)
    with pytest.raises(vmodl.MethodFault):
        WaitForTask(task)
    assert task.info.error.msg == 'The request refers to an unexpected or unknown type.'  # vmware.vmware issue 190


def test_vcsim_heartbeat_datastores(cluster, si):
    ghost = vim.Datastore('datastore-999', si._stub)  # pylint: disable=protected-access
    fault = reconfigure_fails(cluster, vim.cluster.DasConfigInfo(
        hBDatastoreCandidatePolicy='userSelectedDs', heartbeatDatastore=[ghost]))
    assert isinstance(fault, vmodl.fault.ManagedObjectNotFound)
    assert 'datastore-999' in fault.msg
    shared = [ds for ds in cluster.datastore if ds.name in ('shared-vmfs01', 'shared-nfs01')]
    reconfigure(cluster, vim.cluster.DasConfigInfo(hBDatastoreCandidatePolicy='userSelectedDs', heartbeatDatastore=shared))
    das = cluster.configurationEx.dasConfig
    assert das.hBDatastoreCandidatePolicy == 'userSelectedDs'
    assert sorted(ds.name for ds in das.heartbeatDatastore) == ['shared-nfs01', 'shared-vmfs01']


def test_vcsim_admission_control_policies_persist(cluster, si):
    reconfigure(cluster, vim.cluster.DasConfigInfo(admissionControlEnabled=True, admissionControlPolicy=vim.cluster.FailoverLevelAdmissionControlPolicy(
        failoverLevel=1, slotPolicy=vim.cluster.FixedSizeSlotPolicy(cpu=500, memory=2048))))
    policy = cluster.configurationEx.dasConfig.admissionControlPolicy
    assert isinstance(policy, vim.cluster.FailoverLevelAdmissionControlPolicy)
    assert (policy.failoverLevel, policy.slotPolicy.cpu, policy.slotPolicy.memory) == (1, 500, 2048)

    reconfigure(cluster, vim.cluster.DasConfigInfo(admissionControlPolicy=vim.cluster.FailoverResourcesAdmissionControlPolicy(
        cpuFailoverResourcesPercent=30, memoryFailoverResourcesPercent=40, autoComputePercentages=False,
        failoverLevel=1, resourceReductionToToleratePercent=80)))
    policy = cluster.configurationEx.dasConfig.admissionControlPolicy
    assert isinstance(policy, vim.cluster.FailoverResourcesAdmissionControlPolicy)
    assert (policy.cpuFailoverResourcesPercent, policy.memoryFailoverResourcesPercent) == (30, 40)
    assert (policy.autoComputePercentages, policy.resourceReductionToToleratePercent) == (False, 80)

    reconfigure(cluster, vim.cluster.DasConfigInfo(admissionControlPolicy=vim.cluster.FailoverResourcesAdmissionControlPolicy(
        cpuFailoverResourcesPercent=0, memoryFailoverResourcesPercent=0, autoComputePercentages=True, failoverLevel=1)))
    policy = cluster.configurationEx.dasConfig.admissionControlPolicy
    assert (policy.cpuFailoverResourcesPercent, policy.memoryFailoverResourcesPercent) == (34, 34)  # 1 of 3 hosts, rounded up

    spare = cluster.host[2]
    reconfigure(cluster, vim.cluster.DasConfigInfo(admissionControlPolicy=vim.cluster.FailoverHostAdmissionControlPolicy(
        failoverHosts=[spare], failoverLevel=1)))
    policy = cluster.configurationEx.dasConfig.admissionControlPolicy
    assert isinstance(policy, vim.cluster.FailoverHostAdmissionControlPolicy)
    assert [h.name for h in policy.failoverHosts] == [spare.name]

    stranger = vim.HostSystem('host-9999', si._stub)  # pylint: disable=protected-access
    fault = reconfigure_fails(cluster, vim.cluster.DasConfigInfo(admissionControlPolicy=vim.cluster.FailoverHostAdmissionControlPolicy(
        failoverHosts=[stranger])))
    assert isinstance(fault, vmodl.fault.InvalidArgument)
    assert fault.invalidProperty == 'dasConfig.admissionControlPolicy.failoverHosts'
    assert [h.name for h in cluster.configurationEx.dasConfig.admissionControlPolicy.failoverHosts] == [spare.name]

    reconfigure(cluster, vim.cluster.DasConfigInfo(admissionControlEnabled=False))
    das = cluster.configurationEx.dasConfig
    assert das.admissionControlEnabled is False
    assert isinstance(das.admissionControlPolicy, vim.cluster.FailoverHostAdmissionControlPolicy)  # kept while disabled, as vCenter does


def test_vcsim_vmcp_and_default_vm_settings_persist(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(
        vmComponentProtecting='enabled', vmMonitoring='vmAndAppMonitoring',
        defaultVmSettings=vim.cluster.DasVmSettings(
            restartPriority='highest', restartPriorityTimeout=300, isolationResponse='powerOff',
            vmToolsMonitoringSettings=vim.cluster.VmToolsMonitoringSettings(failureInterval=60, maxFailures=5),
            vmComponentProtectionSettings=vim.cluster.VmComponentProtectionSettings(
                vmStorageProtectionForAPD='restartConservative', vmTerminateDelayForAPDSec=240,
                vmReactionOnAPDCleared='reset', vmStorageProtectionForPDL='restartAggressive'))))
    reconfigure(cluster, vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(
        vmComponentProtectionSettings=vim.cluster.VmComponentProtectionSettings(vmStorageProtectionForPDL='warning'))))
    das = cluster.configurationEx.dasConfig
    assert (das.vmComponentProtecting, das.vmMonitoring) == ('enabled', 'vmAndAppMonitoring')
    vm = das.defaultVmSettings
    assert (vm.restartPriority, vm.restartPriorityTimeout, vm.isolationResponse) == ('highest', 300, 'powerOff')
    tools = vm.vmToolsMonitoringSettings
    assert (tools.failureInterval, tools.maxFailures, tools.minUpTime) == (60, 5, 120)
    vmcp = vm.vmComponentProtectionSettings
    assert (vmcp.vmStorageProtectionForAPD, vmcp.vmTerminateDelayForAPDSec, vmcp.vmReactionOnAPDCleared) == ('restartConservative', 240, 'reset')
    assert vmcp.vmStorageProtectionForPDL == 'warning'


def test_vcsim_modify_false_resets_das_to_defaults(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(
        enabled=True, option=[vim.option.OptionValue(key='das.isolationaddress0', value='10.0.0.1')],
        defaultVmSettings=vim.cluster.DasVmSettings(isolationResponse='powerOff')))
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True), modify=False)
    das = cluster.configurationEx.dasConfig
    assert das.enabled is True
    assert das.option == []
    assert das.defaultVmSettings.isolationResponse == 'none'
    assert isinstance(das.admissionControlPolicy, vim.cluster.FailoverResourcesAdmissionControlPolicy)


# ---- control API ----

def test_vcsim_call_counter_counts_every_soap_method(vcsim_3host):
    vcsim_3host.reset_calls()
    assert vcsim_3host.calls() == {'total': 0, 'by_method': {}}
    conn = connect(vcsim_3host)
    content = conn.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.HostSystem], True)
    pc = content.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[
            vmodl.query.PropertyCollector.TraversalSpec(name='v', path='view', skip=False, type=vim.view.ContainerView)])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.HostSystem, pathSet=['name'])])
    result = pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions())
    assert len(result.objects) == 3
    Disconnect(conn)
    calls = vcsim_3host.calls()
    for method in ('RetrieveServiceContent', 'Login', 'CreateContainerView', 'RetrievePropertiesEx', 'Logout'):
        assert calls['by_method'].get(method, 0) >= 1, method
    assert calls['by_method']['RetrievePropertiesEx'] == 1
    assert calls['total'] == sum(calls['by_method'].values())
    vcsim_3host.reset_calls()
    assert vcsim_3host.calls()['total'] == 0


def test_vcsim_fault_fail_reconfigure(vcsim_3host, cluster):
    vcsim_3host.fault('fail_reconfigure', count=1)
    fault = reconfigure_fails(cluster, vim.cluster.DasConfigInfo(enabled=True))
    assert isinstance(fault, vmodl.fault.SystemError)
    assert 'fail_reconfigure' in fault.msg
    assert cluster.configurationEx.dasConfig.enabled is False
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True))  # count was 1
    assert cluster.configurationEx.dasConfig.enabled is True


def test_vcsim_fault_expire_sessions(vcsim_3host, si):
    assert si.content.sessionManager.currentSession is not None
    answer = vcsim_3host.fault('expire_sessions')
    assert answer['expired_sessions'] >= 1
    with pytest.raises(vim.fault.NotAuthenticated):
        get_cluster(si)
    fresh = connect(vcsim_3host)
    assert get_cluster(fresh).name == 'Cluster1'
    Disconnect(fresh)


def test_vcsim_fault_latency(vcsim_3host, si):
    vcsim_3host.fault('latency', count=1, seconds=0.5, method='RetrieveServiceContent')
    started = time.monotonic()
    si.RetrieveContent()
    slow = time.monotonic() - started
    started = time.monotonic()
    si.RetrieveContent()
    fast = time.monotonic() - started
    assert slow >= 0.5
    assert fast < 0.5


def test_vcsim_fault_http500(vcsim_3host, si):
    vcsim_3host.fault('http500', count=1)
    vcsim_3host.reset_calls()
    # A bare HTTP 500 (no SOAP body), as from a failing proxy; pyVmomi cannot decode it into a
    # vmodl fault and raises a plain Exception ("Raising a non-exception object").
    with pytest.raises(Exception) as err:
        get_cluster(si)
    assert not isinstance(err.value, vmodl.MethodFault)
    assert vcsim_3host.calls()['total'] == 1  # the failed request is counted too
    assert get_cluster(si).name == 'Cluster1'  # only one request failed
    vcsim_3host.fault('http500', count=-1)
    assert vcsim_3host.control('GET', 'faults')['faults'][0]['count'] == -1
    vcsim_3host.clear_faults()
    assert get_cluster(si).name == 'Cluster1'


def test_vcsim_bad_fault_request_is_rejected(vcsim_3host):
    with pytest.raises(vcsimctl.VcsimError) as err:
        vcsim_3host.control('POST', 'faults', {'kind': 'meteor'})
    assert 'kind must be one of' in str(err.value)


def test_vcsim_reset_restores_initial_state(vcsim_3host, si, cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True))
    vcsim_3host.fault('http500', count=-1, method='NoSuchMethod')
    answer = vcsim_3host.reset()
    assert answer['scenario'] == 'vsphere-3host'
    assert vcsim_3host.control('GET', 'faults')['faults'] == []
    with pytest.raises(vim.fault.NotAuthenticated):  # a reset model knows no sessions
        get_cluster(si)
    fresh = connect(vcsim_3host)
    assert get_cluster(fresh).configurationEx.dasConfig.enabled is False
    Disconnect(fresh)


def test_vcsim_state_endpoint_reports_das(vcsim_3host, cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True))
    state = vcsim_3host.state()
    assert state['dasConfig']['Enabled'] is True
    assert state['cluster']['name'] == 'Cluster1'


def test_vcsim_invalid_scenario_fails_to_start(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{"hosts": {"count": 1}, "datastores": [{"name": "d", "type": "VMFS", "shared": true}], "colour": "red"}')
    with pytest.raises(vcsimctl.VcsimError) as err:
        with vcsimctl.running(str(bad), timeout=20):
            pass
    assert 'colour' in str(err.value)


def test_vcsim_large_scenario_starts_quickly(start_vcsim):
    started = time.monotonic()
    sim = start_vcsim('vsphere-large')
    seconds = time.monotonic() - started
    print('\nvsphere-large (32 hosts x 1,000 VMs) ready in %.2f s' % seconds)
    conn = connect(sim)
    cluster = get_cluster(conn)
    assert cluster.summary.numHosts == 32
    assert len(cluster.host[0].vm) == 1000
    assert cluster.host[0].vm[0].config.hardware.memoryMB == 768
    Disconnect(conn)
    assert seconds < 20, 'the 32x1000 scenario should start in a few seconds, took %.1f s' % seconds


def test_vcsim_reset_is_not_blocked_by_a_waiting_client(vcsim_3host, si):
    pc = si.content.propertyCollector
    view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.ClusterComputeResource], True)
    pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[
            vmodl.query.PropertyCollector.TraversalSpec(name='v', path='view', skip=False, type=vim.view.ContainerView)])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.ClusterComputeResource, pathSet=['name'])]), True)
    version = pc.WaitForUpdatesEx('', vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)).version

    def wait_forever():
        try:
            pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions())  # no maxWait: blocks
        except Exception:  # pylint: disable=broad-except  # ends when the simulator stops
            pass

    waiter = threading.Thread(target=wait_forever, daemon=True)
    waiter.start()
    time.sleep(0.5)
    started = time.monotonic()
    vcsim_3host.control('POST', 'reset', timeout=30)
    assert time.monotonic() - started < 10


def test_vcsim_host_states_and_das_host_state(start_vcsim, tmp_path):
    scenario = vcsimctl.load_scenario('vsphere-3host')
    scenario['name'] = 'states'
    scenario['cluster']['ha_enabled'] = True
    scenario['hosts'][1]['maintenance'] = True
    scenario['hosts'][2]['connection_state'] = 'notResponding'
    path = tmp_path / 'states.json'
    path.write_text(json.dumps(scenario))
    sim = start_vcsim(str(path))
    conn = connect(sim)
    cluster = get_cluster(conn)
    hosts = {h.name: h for h in cluster.host}
    first, second, third = (hosts[h['name']] for h in scenario['hosts'])
    assert first.runtime.dasHostState.state == 'master'
    assert (second.runtime.inMaintenanceMode, second.runtime.dasHostState.state) == (True, 'uninitialized')
    assert (third.runtime.connectionState, third.runtime.dasHostState.state) == ('notResponding', 'fdmUnreachable')
    assert cluster.summary.numHosts == 3
    assert cluster.summary.numEffectiveHosts == 1
    assert cluster.summary.effectiveMemory == scenario['hosts'][0]['memory_mb']
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=False))
    assert all(h.runtime.dasHostState is None for h in cluster.host)
    Disconnect(conn)


def test_vcsim_admission_control_info_follows_reservations(cluster):
    assert cluster.summary.admissionControlInfo is None  # HA off
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True))
    vms = [vm for h in cluster.host for vm in h.vm if vm.runtime.powerState == 'poweredOn']
    reserved_mb = sum(vm.config.memoryAllocation.reservation + vm.summary.quickStats.consumedOverheadMemory for vm in vms)
    capacity_mb = sum(h.hardware.memorySize // (1024 * 1024) for h in cluster.host)
    info = cluster.summary.admissionControlInfo
    assert isinstance(info, vim.cluster.FailoverResourcesAdmissionControlInfo)
    assert info.currentMemoryFailoverResourcesPercent == (capacity_mb - reserved_mb) * 100 // capacity_mb
    assert cluster.summary.usageSummary.memReservationMB == reserved_mb
    assert 0 < info.currentCpuFailoverResourcesPercent < 100


def test_vcsim_das_change_reaches_property_filters(si, cluster):
    pc = si.content.propertyCollector
    pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=cluster)],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.ClusterComputeResource, pathSet=['configurationEx'])]), True)
    version = pc.WaitForUpdatesEx('', vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=0)).version
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True))
    update = pc.WaitForUpdatesEx(version, vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=5))
    assert update is not None
    changes = [c for f in update.filterSet for o in f.objectSet for c in o.changeSet if c.name == 'configurationEx']
    assert changes and changes[-1].val.dasConfig.enabled is True


# ---- explicit zeros, deprecated fields, option removal modes ----

def test_vcsim_explicit_zero_timers_are_kept(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(
        vmToolsMonitoringSettings=vim.cluster.VmToolsMonitoringSettings(minUpTime=0, maxFailures=0),
        vmComponentProtectionSettings=vim.cluster.VmComponentProtectionSettings(vmTerminateDelayForAPDSec=0))))
    settings = cluster.configurationEx.dasConfig.defaultVmSettings
    assert settings.vmToolsMonitoringSettings.minUpTime == 0
    assert settings.vmToolsMonitoringSettings.maxFailures == 0
    assert settings.vmToolsMonitoringSettings.failureInterval == 30  # not sent, kept
    assert settings.vmComponentProtectionSettings.vmTerminateDelayForAPDSec == 0


def test_vcsim_does_not_keep_enable_apd_timeout_for_hosts(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(defaultVmSettings=vim.cluster.DasVmSettings(
        vmComponentProtectionSettings=vim.cluster.VmComponentProtectionSettings(enableAPDTimeoutForHosts=False))))
    assert cluster.configurationEx.dasConfig.defaultVmSettings.vmComponentProtectionSettings.enableAPDTimeoutForHosts is None


def test_vcsim_keep_blank_options_fault_and_skip(vcsim_3host, cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(option=[vim.option.OptionValue(key='das.slotMemInMB', value='512')]))
    vcsim_3host.control('POST', 'faults', {'kind': 'keep_blank_options', 'count': 1})
    reconfigure(cluster, vim.cluster.DasConfigInfo(option=[vim.option.OptionValue(key='das.slotMemInMB', value='')]))
    assert [(o.key, o.value) for o in cluster.configurationEx.dasConfig.option] == [('das.slotMemInMB', '')]
    vcsim_3host.control('POST', 'faults', {'kind': 'fail_reconfigure', 'count': 1, 'skip': 1})
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True))  # skipped
    reconfigure_fails(cluster, vim.cluster.DasConfigInfo(enabled=False))
    assert cluster.configurationEx.dasConfig.enabled is True


def test_vcsim_slot_policy_reports_current_failover_level_in_admission_control_info(cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True, admissionControlEnabled=True,
                                                   admissionControlPolicy=vim.cluster.FailoverLevelAdmissionControlPolicy(failoverLevel=1)))
    info = cluster.summary.admissionControlInfo
    assert isinstance(info, vim.cluster.FailoverLevelAdmissionControlInfo)
    assert info.currentFailoverLevel == 2


# ---- host networking: traffic-type assignment ----

def selected(host, nic_type):
    for config in host.config.virtualNicManagerInfo.netConfig:
        if config.nicType == nic_type:
            return [v for v in config.candidateVnic if v.key in (config.selectedVnic or [])]
    return []


def test_vcsim_witness_traffic_on_the_management_vmknic(start_vcsim):
    sim = start_vcsim('vsphere-vsan-2node')
    conn = connect(sim)
    cluster = get_cluster(conn)
    for host in cluster.host:
        assert [v.device for v in selected(host, 'vsan')] == ['vmk1']
        assert [v.device for v in selected(host, 'vsanWitness')] == ['vmk0']
        assert [v.device for v in selected(host, 'management')] == ['vmk0']
        assert selected(host, 'vsan')[0].spec.ip.subnetMask == '255.255.255.248'
        # vsanHostConfig.networkInfo has no traffic type: it lists the witness vmknic too.
        assert sorted(p.device for p in host.config.vsanHostConfig.networkInfo.port) == ['vmk0', 'vmk1']
    domains = sorted(h.config.vsanHostConfig.faultDomainInfo.name for h in cluster.host)
    assert domains == ['preferred', 'secondary']
    Disconnect(conn)


def test_vcsim_ipv6_only_vsan_vmknic_and_unreadable_host(start_vcsim):
    conn = connect(start_vcsim('vsphere-vsan-ipv6'))
    host = get_cluster(conn).host[0]
    ip = selected(host, 'vsan')[0].spec.ip
    assert not ip.ipAddress
    assert [(a.ipAddress, a.prefixLength) for a in ip.ipV6Config.ipV6Address] == [('fd00:50::b', 64)]
    Disconnect(conn)
    conn = connect(start_vcsim('vsphere-vsan-unreadable'))
    by_name = {h.name: h for h in get_cluster(conn).host}
    assert by_name['esx03.lab.local'].config.virtualNicManagerInfo is None
    assert selected(by_name['esx01.lab.local'], 'vsan')[0].spec.ip.ipAddress == '192.168.60.11'
    Disconnect(conn)


def test_vcsim_reset_to_another_scenario_and_back(vcsim_3host):
    assert vcsim_3host.control('POST', 'reset', {'scenario': 'vsphere-vsan-2node'})['scenario'] == 'vsphere-vsan-2node'
    assert vcsim_3host.control('GET', 'scenario')['hosts'] == 2
    with pytest.raises(vcsimctl.VcsimError, match='400'):
        vcsim_3host.control('POST', 'reset', {'scenario': '../etc/passwd'})
    assert vcsim_3host.control('POST', 'reset')['scenario'] == 'vsphere-3host'


# ---- HA agents and ReconfigureHostForDAS_Task ----

def agents(sim):
    return dict((name, h['ha_agent']) for name, h in sim.state()['hosts'].items())


def test_vcsim_ha_agents_are_stale_after_an_isolation_change_until_reconfigured(vcsim_3host, cluster):
    reconfigure(cluster, vim.cluster.DasConfigInfo(enabled=True, option=[
        vim.option.OptionValue(key='das.isolationaddress0', value='10.0.0.1')]))
    assert all(a['configured'] == {'das.isolationaddress0': '10.0.0.1'} and not a['stale'] for a in agents(vcsim_3host).values())
    reconfigure(cluster, vim.cluster.DasConfigInfo(option=[vim.option.OptionValue(key='das.isolationaddress0', value='10.0.0.2')]))
    assert all(a['stale'] for a in agents(vcsim_3host).values())
    host = cluster.host[0]
    WaitForTask(host.ReconfigureHostForDAS_Task())
    state = agents(vcsim_3host)[host.name]
    assert state == {'configured': {'das.isolationaddress0': '10.0.0.2'}, 'stale': False, 'reconfigured': 1}
    assert sum(a['stale'] for a in agents(vcsim_3host).values()) == 2


def test_vcsim_reconfigure_host_for_das_needs_ha_on(cluster):
    task = cluster.host[0].ReconfigureHostForDAS_Task()
    with pytest.raises(vim.fault.InvalidState):
        WaitForTask(task)


# ---- per-VM HA overrides ----

def vm_spec(operation, vm, **settings):
    if operation == 'remove':
        return vim.cluster.DasVmConfigSpec(operation='remove', removeKey=vm)
    return vim.cluster.DasVmConfigSpec(operation=operation, info=vim.cluster.DasVmConfigInfo(
        key=vm, dasSettings=vim.cluster.DasVmSettings(**settings)))


def test_vcsim_das_vm_overrides_add_edit_remove(cluster):
    vms = [vm for host in cluster.host for vm in host.vm][:2]
    WaitForTask(cluster.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(dasVmConfigSpec=[
        vm_spec('add', vms[0], restartPriority='high', isolationResponse='powerOff'),
        vm_spec('add', vms[1], restartPriority='disabled')]), True))
    stored = dict((c.key._moId, c.dasSettings) for c in cluster.configurationEx.dasVmConfig)
    assert stored[vms[0]._moId].restartPriority == 'high' and stored[vms[1]._moId].restartPriority == 'disabled'
    WaitForTask(cluster.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(dasVmConfigSpec=[
        vm_spec('edit', vms[0], restartPriority='low'), vm_spec('remove', vms[1])]), True))
    stored = dict((c.key._moId, c.dasSettings) for c in cluster.configurationEx.dasVmConfig)
    assert list(stored) == [vms[0]._moId]
    assert stored[vms[0]._moId].restartPriority == 'low' and stored[vms[0]._moId].isolationResponse == 'powerOff'


def test_vcsim_das_vm_override_errors_apply_nothing(cluster):
    vm = cluster.host[0].vm[0]
    task = cluster.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(
        dasConfig=vim.cluster.DasConfigInfo(enabled=True),
        dasVmConfigSpec=[vm_spec('add', vm, restartPriority='urgent')]), True)
    with pytest.raises(vmodl.fault.InvalidArgument):
        WaitForTask(task)
    assert cluster.configurationEx.dasVmConfig == []
    assert cluster.configurationEx.dasConfig.enabled is False
