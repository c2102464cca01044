"""Secrets never show: not at -vvvv, not in failure messages, not in diffs, not in the simulators' request logs;
certificates are verified by default and a self-signed one is refused unless the user opts out or gives ca_path."""

import json
import os

import pytest

import harness
import vcsimctl
from harness import task, play
from test_faults import with_ha

PVE_PASSWORD = 'Pw-R3liab1lity-7f2e9c'
PVE_TOKEN_SECRET = '5e1f0c2a-7d3b-4e8f-9a6c-reliab1l1ty9'
WRONG_PASSWORD = 'Wr0ng-Pw-5ecret-91ab'
WRONG_TOKEN_SECRET = '00000000-bad0-4bad-8bad-wr0ngt0ken77'
VC_PASSWORD = 'Vc-Pa55-R3liab1lity-c0ffee'
VC_WRONG_PASSWORD = 'Vc-Wr0ng-Pa55-d00d'


def secrets_file(tmp_path, **values):
    """Secrets reach the play as extra variables from a file, as vault or an AWX credential hands them over:
    the playbook only holds templates (ansible-core quotes playbook source lines in its error messages)."""
    path = os.path.join(str(tmp_path), 'secrets.json')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(values, handle)
    return ('-e', '@' + path)


def assert_no_secret(where, text, secrets):
    leaked = [s for s in secrets if s in text]
    assert not leaked, '%s shows secret(s) %s' % (where, leaked)


@pytest.fixture
def pve_secret(start_pve):
    scenario = with_ha('pve9-3node', [dict(sid='vm:100', state='started')])
    scenario['credentials'] = dict(user='root@pam', password=PVE_PASSWORD, token_id='root@pam!ci', token_secret=PVE_TOKEN_SECRET)
    return start_pve(scenario)


def pve_args(pve, **args):
    base = dict(api_host='127.0.0.1', api_port=pve.port, ca_path=pve.cafile)
    base.update(args)
    return base


def test_pve_secrets_hidden_at_vvvv_in_failures_diffs_and_request_log(pve_secret, ansible, evidence, tmp_path):
    pve = pve_secret
    secrets = [PVE_PASSWORD, PVE_TOKEN_SECRET, WRONG_PASSWORD, WRONG_TOKEN_SECRET]
    evidence.case(8)
    evidence.fault('http500')
    pw = dict(api_user='root@pam', api_password='{{ pve_password }}')
    tok = dict(api_token_id='root@pam!ci', api_token_secret='{{ pve_token_secret }}')
    # A proxy that echoes the Authorization header into its error page: the module must not relay the secret.
    pve.fault('http500', path='cluster/options', method='GET', count=1,
              message='upstream rejected Authorization PVEAPIToken=root@pam!ci=%s' % PVE_TOKEN_SECRET)
    tasks = [
        task('password-change', 'proxmox_ha_resources', dict(pve_args(pve, **pw), config=[dict(sid='vm:100', max_relocate=2)])),
        task('token-change', 'proxmox_cluster_ha', dict(pve_args(pve, **tok), shutdown_policy='migrate'), ignore_errors=True),
        task('token-rule', 'proxmox_ha_rule', dict(pve_args(pve, **tok), name='pin', type='node-affinity', resources=['vm:100'],
                                                   nodes=['pve1'])),
        task('wrong-password', 'proxmox_cluster_ha_info', pve_args(pve, api_user='root@pam', api_password='{{ wrong_password }}'),
             ignore_errors=True),
        task('assess-password', 'proxmox_ha_assess', dict(pve_args(pve, **pw), protect_running_guests=True)),
        task('assess-wrong-token', 'proxmox_ha_assess',
             pve_args(pve, api_token_id='root@pam!ci', api_token_secret='{{ wrong_token_secret }}'), ignore_errors=True),
        task('wrong-token', 'proxmox_ha_resources', dict(pve_args(pve, api_token_id='root@pam!ci',
                                                                  api_token_secret='{{ wrong_token_secret }}'), state='gathered'),
             ignore_errors=True),
    ]
    extra = secrets_file(tmp_path, pve_password=PVE_PASSWORD, pve_token_secret=PVE_TOKEN_SECRET,
                         wrong_password=WRONG_PASSWORD, wrong_token_secret=WRONG_TOKEN_SECRET)
    run = ansible.play(play(tasks), diff=True, verbosity=4, extra_args=extra)
    # As AWX injects a credential: in the environment of ansible-playbook itself.
    env_run = ansible.play(play([task('env-token', 'proxmox_ha_resources', dict(api_host='127.0.0.1', api_port=pve.port,
                                                                                ca_path=pve.cafile, state='gathered'))]),
                           verbosity=4, env_extra=dict(PROXMOX_TOKEN_ID='root@pam!ci', PROXMOX_TOKEN_SECRET=PVE_TOKEN_SECRET))
    assert env_run.rc == 0, env_run.text[-3000:]
    assert run.result('password-change')['changed'] and run.result('token-rule')['changed'], run.text[-3000:]
    assert run.result('token-change')['failed'] and run.result('wrong-password')['failed'] and run.result('wrong-token')['failed']
    # The role's read-and-decide action passes the credentials on to the info module it runs.
    assert run.result('assess-password')['desired_count'] > 0 and run.result('assess-wrong-token')['failed']
    assert 'Login' in run.result('wrong-password')['msg'] or '401' in run.result('wrong-password')['msg']
    assert 'EXEC' in run.text and 'module_args' in run.text, 'expected -vvvv output (connection commands, module arguments)'
    assert_no_secret('ansible-playbook -vvvv output', run.text + env_run.text, secrets)
    assert_no_secret('task results (msg, diff, invocation)', json.dumps(run.tasks + env_run.tasks), secrets)
    log_text = json.dumps(pve.log())
    print(log_text[:2000])          # what a failing request-log assertion would print
    assert_no_secret('the simulator request log', log_text, secrets)


@pytest.fixture
def vcsim_secret(certificate, vcsim_binary, tmp_path):
    scenario = vcsimctl.load_scenario('vsphere-3host')
    scenario['credentials'] = dict(username='automation@vsphere.local', password=VC_PASSWORD)
    path = os.path.join(str(tmp_path), 'vsphere-secret.json')
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(scenario, handle)
    with vcsimctl.running(path, cert=certificate[0], key=certificate[1]) as sim:
        yield sim


def test_vsphere_secrets_hidden_at_vvvv_in_failures_and_diffs(vcsim_secret, ansible, evidence, tmp_path):
    sim = vcsim_secret
    evidence.case(5)
    evidence.fault('http500')
    conn = dict(hostname='127.0.0.1', port=sim.port, username='automation@vsphere.local', ca_path=sim.cafile)
    ha = dict(datacenter='DC1', cluster='Cluster1', enabled=True, restart_priority='high')
    tasks = [
        task('change', 'vsphere_cluster_ha', dict(conn, password='{{ vc_password }}', **ha)),
        task('wrong-password', 'vsphere_cluster_ha_info', dict(conn, password='{{ vc_wrong_password }}', datacenter='DC1',
                                                               cluster='Cluster1'),
             ignore_errors=True),
        task('assess-wrong-password', 'vsphere_ha_assess',
             dict(conn, password='{{ vc_wrong_password }}', variables=dict(datacenter='DC1', cluster='Cluster1')),
             ignore_errors=True),
        task('broken-answer', 'vsphere_cluster_ha', dict(conn, password='{{ vc_password }}', datacenter='DC1', cluster='Cluster1',
                                                         restart_priority='low'), ignore_errors=True),
    ]
    extra = secrets_file(tmp_path, vc_password=VC_PASSWORD, vc_wrong_password=VC_WRONG_PASSWORD)
    run = ansible.play(play(tasks[:3]), diff=True, verbosity=4, extra_args=extra)
    env_run = ansible.play(play([task('env-password', 'vsphere_cluster_ha_info', dict(
        hostname='127.0.0.1', port=sim.port, ca_path=sim.cafile, datacenter='DC1', cluster='Cluster1'))]),
        verbosity=4, env_extra=dict(VMWARE_USER='automation@vsphere.local', VMWARE_PASSWORD=VC_PASSWORD))
    assert env_run.rc == 0, env_run.text[-3000:]
    # The last task meets an HTML 500 page (a failing proxy) on its reconfigure.
    sim.fault('http500', count=1, method='ReconfigureComputeResource_Task')
    failing = ansible.play(play(tasks[3:]), diff=True, verbosity=4, extra_args=extra)
    assert run.result('change')['changed'] and run.result('wrong-password')['failed'], run.text[-3000:]
    assert run.result('assess-wrong-password')['failed'], run.text[-3000:]
    assert failing.result('broken-answer')['failed'], failing.text[-3000:]
    secrets = [VC_PASSWORD, VC_WRONG_PASSWORD]
    runs = (run, env_run, failing)
    for where, text in (('-vvvv output', ''.join(r.text for r in runs)), ('task results', json.dumps([r.tasks for r in runs]))):
        assert_no_secret(where, text, secrets)


def cert_tasks(pve_conn, vc_conn):
    where = dict(datacenter='DC1', cluster='Cluster1')
    return [
        task('pve-default', 'proxmox_cluster_ha_info', pve_conn, ignore_errors=True),
        task('pve-optout', 'proxmox_cluster_ha_info', dict(pve_conn, validate_certs=False)),
        task('pve-ca', 'proxmox_cluster_ha_info', dict(pve_conn, ca_path=pve_conn['ca_path_for_test'])),
        task('vc-default', 'vsphere_cluster_ha_info', dict(vc_conn, **where), ignore_errors=True),
        task('vc-optout', 'vsphere_cluster_ha_info', dict(vc_conn, validate_certs=False, **where)),
        task('vc-ca', 'vsphere_cluster_ha_info', dict(vc_conn, ca_path=vc_conn['ca_path_for_test'], **where)),
    ]


@pytest.fixture
def cert_run(pve, vc, ansible):
    """One run: each platform without ca_path (the default validate_certs=true), opted out, and with ca_path."""
    pve_conn = dict(api_host='127.0.0.1', api_port=pve.port, api_token_id=pve.token_id, api_token_secret=pve.token_secret)
    vc_conn = dict(hostname='127.0.0.1', port=vc.port, username=vc.sim.username, password=vc.sim.password)
    tasks = cert_tasks(dict(pve_conn, ca_path_for_test=pve.cafile), dict(vc_conn, ca_path_for_test=vc.cafile))
    for item in tasks:
        args = item[[k for k in item if k.startswith('clusterops.')][0]]
        args.pop('ca_path_for_test')
    run = ansible.play(play(tasks))
    assert pve.writes() == [] and vc.reconfigures() == {}
    return run


@pytest.mark.parametrize('platform', ['pve', 'vc'])
def test_self_signed_certificate_refused_by_default_accepted_with_ca_path_or_opt_out(cert_run, evidence, platform):
    evidence.case(3)
    result = cert_run.result(platform + '-default')
    assert result['failed'], '%s: a self-signed certificate was accepted without ca_path' % platform
    assert 'certif' in result['msg'].lower(), result['msg']
    assert harness.no_traceback(result)
    for name in ('-optout', '-ca'):
        assert not cert_run.result(platform + name)['failed'], '%s%s: %s' % (platform, name, cert_run.result(platform + name).get('msg'))


@pytest.mark.parametrize('platform', [
    'pve',
    'vc'])
def test_certificate_failure_message_names_the_fix(cert_run, evidence, platform):
    evidence.case()
    result = cert_run.result(platform + '-default')
    assert 'ca_path' in result['msg'], '%s: the message does not say how to fix it: %s' % (platform, result['msg'])
    assert 'gave up after' not in result['msg'], '%s: a certificate failure was retried' % platform
