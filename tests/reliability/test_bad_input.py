"""Bad-input matrix: every case fails before any write, naming the option, with no traceback.

All cases of one simulator run in one ansible-playbook (ignore_errors per task, block/rescue
per role case) so the matrix stays cheap; the simulator's request log, matched against each
task's start/end time, shows which case (if any) wrote something.
"""

import pytest

import harness
import pvesim
from harness import task, play

HUGE = 2000
# A message "says the fix" when it tells what to do (our modules: use/set/give/write/...) or, for ansible-core's
# own argument checks, lists the accepted values or the conversion that failed.
FIX_WORDS = ('use ', 'set ', 'give ', 'write ', 'list ', 'remove', 'drop ', 'must be one of', 'add ', 'create', 'fix ',
             'make ', 'supported parameters', 'unable to convert', 'missing required', 'at most', 'between', 'needs',
             'must list', 'is required', 'not found')


def pve_cases():
    """(id, module, args, words one of which the message must contain) on PVE 9 (groups migrated)."""
    res = 'proxmox_ha_resources'
    rule = 'proxmox_ha_rule'
    opts = 'proxmox_cluster_ha'
    return [
        ('resources-max_restart-not-int', res, dict(config=[dict(sid='vm:100', max_restart='many')]), ['max_restart']),
        ('resources-sid-empty', res, dict(config=[dict(sid='')]), ['sid']),
        ('resources-unknown-key', res, dict(config=[dict(sid='vm:100', restart_delay=5)]), ['restart_delay']),
        ('resources-bad-state', res, dict(config=[dict(sid='vm:100', state='running')]), ['state']),
        ('resources-duplicate-sid', res, dict(config=[dict(sid='vm:100'), dict(sid='100', max_relocate=2)]), ['vm:100', 'sid']),
        ('resources-unknown-guest', res, dict(config=[dict(sid='vm:9999')]), ['9999']),
        ('resources-unicode-sid', res, dict(config=[dict(sid=u'vm:w\u00e9b1')]), ['sid']),
        ('resources-sid-with-space', res, dict(config=[dict(sid='vm: 100')]), ['sid']),
        ('resources-ct-prefix-for-vm', res, dict(config=[dict(sid='ct:100')]), ['ct:100', 'sid']),
        ('resources-negative-max_relocate', res, dict(config=[dict(sid='vm:100', max_relocate=-1)]), ['max_relocate']),
        ('resources-unknown-group', res, dict(config=[dict(sid='vm:100', group='nosuchgroup')]), ['group']),
        ('resources-deleted-empty-config', res, dict(state='deleted', config=[]), ['config']),
        ('resources-config-missing', res, dict(state='merged'), ['config']),
        ('resources-config-not-a-list-of-dicts', res, dict(config=['vm:100']), ['config']),
        ('resources-unknown-top-option', res, dict(configs=[dict(sid='vm:100')]), ['configs']),
        ('resources-huge-list-unknown-guests', res, dict(config=[dict(sid='vm:%d' % n) for n in range(5000, 5000 + HUGE)]),
         ['sid', 'vm:5000']),
        ('rule-node-affinity-without-nodes', rule, dict(name='pin', type='node-affinity', resources=['vm:100']), ['nodes']),
        ('rule-resource-affinity-without-affinity', rule,
         dict(name='apart', type='resource-affinity', resources=['vm:100', 'vm:101']), ['affinity']),
        ('rule-unknown-resource', rule, dict(name='pin', type='node-affinity', resources=['vm:9999'], nodes=['pve1']),
         ['9999', 'resources']),
        ('rule-unknown-node', rule, dict(name='pin', type='node-affinity', resources=['vm:100'], nodes=['pve9']),
         ['pve9', 'nodes']),
        ('rule-node-priority-not-int', rule, dict(name='pin', type='node-affinity', resources=['vm:100'], nodes=['pve1:high']),
         ['nodes', 'pve1:high']),
        ('rule-node-as-ip-with-prefix', rule, dict(name='pin', type='node-affinity', resources=['vm:100'],
                                                   nodes=['10.0.0.1/24']), ['nodes', '10.0.0.1/24']),
        ('rule-duplicate-nodes', rule, dict(name='pin', type='node-affinity', resources=['vm:100'], nodes=['pve1', 'pve1:2']),
         ['nodes', 'pve1']),
        ('rule-one-resource-affinity', rule, dict(name='apart', type='resource-affinity', affinity='negative',
                                                  resources=['vm:100']), ['resources']),
        ('rule-nodes-on-resource-affinity', rule, dict(name='apart', type='resource-affinity', affinity='negative',
                                                       resources=['vm:100', 'vm:101'], nodes=['pve1']), ['nodes']),
        ('options-bad-shutdown_policy', opts, dict(shutdown_policy='reboot'), ['shutdown_policy']),
        ('options-bad-crs-mode', opts, dict(crs=dict(ha='magic')), ['ha', 'crs']),
        ('options-unknown-crs-key', opts, dict(crs=dict(rebalance=True)), ['rebalance']),
        ('connection-bare-token-without-user', 'proxmox_cluster_ha_info', dict(api_token_id='ci'), ['api_user']),
        ('connection-malformed-token', 'proxmox_cluster_ha_info', dict(api_token_id='root!ci'), ['api_token_id']),
        ('connection-token-user-mismatch', 'proxmox_cluster_ha_info', dict(api_user='ops@pve'), ['api_user']),
        ('connection-port-not-int', 'proxmox_cluster_ha_info', dict(api_port='eighty'), ['api_port']),
        ('info-negative-reserved', 'proxmox_cluster_ha_info', dict(host_reserved_mb=-1), ['host_reserved_mb']),
        ('assess-bad-mode', 'proxmox_ha_assess', dict(mode='sideways'), ['mode']),
        ('assess-host-failures-not-int', 'proxmox_ha_assess', dict(host_failures='lots'), ['host_failures']),
        ('assess-unknown-option', 'proxmox_ha_assess', dict(protect_running=True), ['protect_running']),
        ('assess-unknown-vmid', 'proxmox_ha_assess', dict(resources=[dict(sid='9999')]), ['resources[0].sid', '9999']),
        ('assess-negative-reserved', 'proxmox_ha_assess', dict(host_reserved_mb=-1), ['host_reserved_mb']),
    ]


def pve_last_cases():
    """Cases that currently write (known bugs): run after every other case of the cluster so they cannot skew those."""
    return [
        ('rule-empty-name', 'proxmox_ha_rule', dict(name='', type='node-affinity', resources=['vm:100'], nodes=['pve1']),
         ['name']),
        ('rule-unicode-name', 'proxmox_ha_rule', dict(name=u'r\u00e8gle', type='node-affinity', resources=['vm:101'],
                                                      nodes=['pve1']), ['name']),
    ]


def pve8_cases():
    group = 'proxmox_ha_group'
    return [
        ('group-empty-name', group, dict(name='', nodes=['pve1']), ['name']),
        ('group-no-nodes', group, dict(name='web', nodes=[]), ['nodes']),
        ('group-unknown-node', group, dict(name='web', nodes=['pve7']), ['pve7', 'nodes']),
        ('group-priority-not-int', group, dict(name='web', nodes=['pve1:first']), ['nodes', 'pve1:first']),
        ('group-duplicate-node', group, dict(name='web', nodes=['pve1', 'pve1:2']), ['nodes', 'pve1']),
        ('group-unicode-name', group, dict(name=u'gr\u00fcppe', nodes=['pve1']), ['name']),
        ('group-name-with-space', group, dict(name='web group', nodes=['pve1']), ['name']),
        ('group-restricted-not-bool', group, dict(name='web', nodes=['pve1'], restricted='sometimes'), ['restricted']),
        ('resources-failback-on-pve8', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100', failback=False)]),
         ['failback']),
        ('rule-on-pve8', 'proxmox_ha_rule', dict(name='pin', type='node-affinity', resources=['vm:100'], nodes=['pve1']),
         ['rule', 'PVE 9']),
    ]


def vsphere_cases():
    mod = 'vsphere_cluster_ha'
    where = dict(datacenter='DC1', cluster='Cluster1')

    def ha(**args):
        merged = dict(where)
        merged.update(args)
        return merged
    return [
        ('vsphere-isolation-ip-with-prefix', mod, ha(isolation_addresses=['10.0.0.1/24']), ['isolation_addresses']),
        ('vsphere-isolation-not-an-ip', mod, ha(isolation_addresses=['gateway.local']), ['isolation_addresses']),
        ('vsphere-isolation-duplicates', mod, ha(isolation_addresses=['10.0.0.1', '10.0.0.1']), ['isolation_addresses']),
        ('vsphere-isolation-huge-list', mod, ha(isolation_addresses=['10.0.%d.%d' % (n // 200, n % 200 + 1) for n in range(500)]),
         ['isolation_addresses']),
        ('vsphere-all-feasible-with-list', mod, ha(heartbeat_datastores=dict(policy='allFeasibleDs', datastores=['shared-vmfs01'])),
         ['datastores']),
        ('vsphere-unknown-heartbeat-datastore', mod, ha(heartbeat_datastores=dict(policy='userSelectedDs', datastores=['nods'])),
         ['nods', 'datastores']),
        ('vsphere-heartbeat-per-host-7', mod, ha(heartbeat_datastores_per_host=7), ['heartbeat_datastores_per_host']),
        ('vsphere-cpu-percent-150', mod, ha(admission_control=dict(policy='percentage', cpu_percent=150)), ['cpu_percent']),
        ('vsphere-failover-level-too-high', mod, ha(admission_control=dict(policy='slots', failover_level=3)),
         ['failover_level']),
        ('vsphere-dedicated-unknown-host', mod, ha(admission_control=dict(policy='dedicated_hosts', hosts=['esx-nope'])),
         ['hosts', 'esx-nope']),
        ('vsphere-empty-cluster', mod, dict(datacenter='DC1', cluster='', enabled=True), ['cluster']),
        ('vsphere-unknown-cluster', mod, dict(datacenter='DC1', cluster='Nope', enabled=True), ['cluster', 'Nope']),
        ('vsphere-unicode-datacenter', mod, dict(datacenter=u'Datacent\u00e9r', cluster='Cluster1', enabled=True),
         ['datacenter']),
        ('vsphere-bad-restart-priority', mod, ha(restart_priority='urgent'), ['restart_priority']),
        ('vsphere-negative-shutdown-timeout', mod, ha(isolation_response='shutdown', isolation_shutdown_timeout=-5),
         ['isolation_shutdown_timeout']),
        ('vsphere-monitoring-interval-not-int', mod, ha(vm_monitoring=dict(mode='vmMonitoringOnly', failure_interval='soon')),
         ['failure_interval']),
        ('vsphere-advanced-option-not-dict', mod, ha(advanced_options=['das.isolationaddress0=10.0.0.1']), ['advanced_options']),
        ('vsphere-unknown-option', mod, ha(enable=True), ['enable']),
        ('vsphere-info-unknown-cluster', 'vsphere_cluster_ha_info', dict(datacenter='DC1', cluster='Nope'), ['Nope', 'cluster']),
    ]


def role_cases(kind):
    if kind == 'pve':
        role = 'clusterops.ha.proxmox_ha'
        return [
            ('role-pve-bad-resources-mode', role, dict(proxmox_ha_resources_mode='everything'), ['proxmox_ha_resources_mode']),
            ('role-pve-host-failures-not-int', role, dict(proxmox_ha_host_failures='two'), ['proxmox_ha_host_failures']),
            ('role-pve-resource-without-sid', role, dict(proxmox_ha_resources=[dict(group='web')]), ['sid']),
            ('role-pve-bad-capacity-view', role, dict(proxmox_ha_capacity_view='optimistic'), ['proxmox_ha_capacity_view']),
            ('role-pve-unknown-guest', role, dict(proxmox_ha_resources=[dict(sid='vm:4242')]), ['4242']),
        ]
    if kind == 'vsphere':
        role = 'clusterops.ha.vsphere_ha'
        return [
            ('role-vsphere-no-cluster', role, dict(vsphere_ha_datacenter='DC1', vsphere_ha_cluster=''), ['vsphere_ha_cluster']),
            ('role-vsphere-ip-with-prefix', role, dict(vsphere_ha_datacenter='DC1', vsphere_ha_cluster='Cluster1',
                                                       vsphere_ha_isolation_addresses=['10.1.1.1/24']), ['isolation_address']),
            ('role-vsphere-bad-admission-control', role, dict(vsphere_ha_datacenter='DC1', vsphere_ha_cluster='Cluster1',
                                                              vsphere_ha_admission_control='always'),
             ['vsphere_ha_admission_control']),
        ]
    role = 'clusterops.ha.ha_capacity'
    return [
        ('role-capacity-empty-model', role, dict(ha_capacity_model={}), ['ha_capacity_model', 'capacity model']),
        ('role-capacity-negative-failures', role, dict(ha_capacity_model=dict(platform='proxmox', hosts=[]),
                                                       ha_capacity_host_failures=-1), ['host_failures']),
    ]


# ---------------------------------------------------------------- running the matrix

def with_ha_resources(name):
    """The shipped scenario with vm:100 and vm:101 already HA resources, so rule cases reach the rule checks."""
    scenario = harness.raw_scenario(name)
    scenario['ha'] = dict(resources=[dict(sid='vm:100', state='started'), dict(sid='vm:101', state='started')])
    return scenario


def case_tasks(cases):
    tasks = []
    for case_id, module, args, _words in cases:
        if module.startswith('clusterops.ha.') and module.count('.') == 2 and module.split('.')[-1] in (
                'proxmox_ha', 'vsphere_ha', 'ha_capacity'):
            tasks.append(dict(name='role-block:' + case_id, block=[
                dict(name='include:' + case_id, **{'ansible.builtin.include_role': dict(name=module)}, vars=args)],
                rescue=[dict(name='case:' + case_id, **{'ansible.builtin.debug': dict(var='ansible_failed_result')})]))
        else:
            tasks.append(task('case:' + case_id, module, args, ignore_errors=True))
    return tasks


def judge(run, case_id, words, writes):
    """Problems of one case: did not fail, wrote, traceback, option not named, not one short message."""
    found = [t for t in run.tasks if t['task'] == 'case:' + case_id]
    if not found:
        return ['no result recorded (the case did not fail, or the run stopped early)']
    record = found[-1]
    result = record['result']
    if record['action'] == 'ansible.builtin.debug' or 'ansible_failed_result' in result:
        result = result.get('ansible_failed_result', result)
    elif record['status'] != 'failed':
        return ['did not fail: %s' % {k: result.get(k) for k in ('changed', 'msg')}]
    problems = []
    msg = str(result.get('msg', ''))
    began, ended = record['started'], record['ended']
    wrote = [w for w in writes if began - 0.05 <= w['time'] <= ended + 0.05]
    if wrote:
        problems.append('wrote before failing: %s' % wrote[:3])
    if not harness.no_traceback(result):
        problems.append('traceback/module crash in result: %s' % str(result)[:500])
    if not any(word.lower() in msg.lower() for word in words):
        problems.append('message names none of %s: %r' % (words, msg[:400]))
    if not any(word in msg.lower() for word in FIX_WORDS):
        problems.append('message does not say how to fix it: %r' % msg[:400])
    if len(msg) > 1500:
        problems.append('message is %d characters long' % len(msg))
    return problems


def run_matrix(ansible, cases, group, connection, sim_writes):
    run = ansible.play(play(case_tasks(cases), group, connection))
    writes = sim_writes()
    return run, writes


@pytest.fixture(scope='module')
def pve_matrix(collections_root, certificate, tmp_path_factory):
    out = {}
    with pvesim.running(with_ha_resources('pve9-3node'), certfile=certificate[0], keyfile=certificate[1]) as served:
        sim = harness.Pve(served, certificate[0])
        ansible = harness.Ansible(collections_root, str(tmp_path_factory.mktemp('bad-pve9')))
        cases = pve_cases() + role_cases('pve') + pve_last_cases()
        connection_cases = [c for c in cases if c[0].startswith('connection-')]
        plain = [c for c in cases if not c[0].startswith('connection-')]
        out['pve9'] = run_matrix(ansible, plain, 'proxmox', sim.token_auth(), sim.writes)
        # Connection cases bring their own (broken) credentials on top of valid ones.
        conn_tasks_run = ansible.play(play(case_tasks(connection_cases), 'proxmox',
                                           dict(api_host='127.0.0.1', api_port=sim.port, ca_path=sim.cafile,
                                                api_token_id=sim.token_id, api_token_secret=sim.token_secret)))
        out['connection'] = (conn_tasks_run, sim.writes())
        sim.load('pve8-3node')
        out['pve8'] = run_matrix(ansible, pve8_cases(), 'proxmox', sim.token_auth(), sim.writes)
    return out


@pytest.fixture(scope='module')
def vsphere_matrix(collections_root, vcsim_module, tmp_path_factory):
    vcsim_module.reset()
    vc = harness.Vc(vcsim_module)
    ansible = harness.Ansible(collections_root, str(tmp_path_factory.mktemp('bad-vsphere')))
    cases = vsphere_cases() + role_cases('vsphere')
    run = ansible.play(play(case_tasks(cases), 'vsphere', vc.auth()))
    capacity = ansible.play(play(case_tasks(role_cases('capacity'))))
    return dict(vsphere=(run, vc.reconfigures()), capacity=(capacity, {}))


# Bugs found by this matrix (reported to the lead); strict, so a fix turns them into failures to remove here.
KNOWN_BUGS = {'resources-config-not-a-list-of-dicts': ('ansible-core\'s element conversion message for config: [\'vm:100\'] '
                                                       'does not name the option config')}


def _params(cases, where):
    return [pytest.param(where, c[0], c[3], id=c[0],
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[c[0]])] if c[0] in KNOWN_BUGS else [])
            for c in cases]


PVE_PARAMS = (_params([c for c in pve_cases() if not c[0].startswith('connection-')] + role_cases('pve') + pve_last_cases(), 'pve9')
              + _params([c for c in pve_cases() if c[0].startswith('connection-')], 'connection')
              + _params(pve8_cases(), 'pve8'))


@pytest.mark.parametrize('where,case_id,words', PVE_PARAMS)
def test_pve_bad_input_fails_before_any_write(pve_matrix, evidence, where, case_id, words):
    evidence.case()
    run, writes = pve_matrix[where]
    problems = judge(run, case_id, words, writes)
    assert not problems, '%s: %s' % (case_id, '; '.join(problems))


VSPHERE_PARAMS = _params(vsphere_cases() + role_cases('vsphere'), 'vsphere') + _params(role_cases('capacity'), 'capacity')


@pytest.mark.parametrize('where,case_id,words', VSPHERE_PARAMS)
def test_vsphere_and_capacity_bad_input_fails_before_any_reconfigure(vsphere_matrix, evidence, where, case_id, words):
    evidence.case()
    run, reconfigures = vsphere_matrix[where]
    # vcsim counts calls, not times: any reconfigure at all fails every case of the run.
    assert not reconfigures, 'a bad-input run reconfigured the cluster: %s' % reconfigures
    problems = judge(run, case_id, words, [])
    assert not problems, '%s: %s' % (case_id, '; '.join(problems))
