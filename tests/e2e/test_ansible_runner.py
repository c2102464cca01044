"""site.yml through ansible-runner (the engine AWX runs jobs with), credentials only in the environment.

The Proxmox credentials come from rendering the project's AWX credential type
(extensions/awx/credential_types/proxmox_ve.yml) the way AWX does - its env injectors with the
inputs, `tower.filename.ca` pointing at the injected CA file - and the vSphere ones are the
variables AWX's built-in VMware vCenter credential injects (VMWARE_HOST/USER/PASSWORD/
VALIDATE_CERTS) plus VMWARE_PORT and VMWARE_CA_PATH for the simulator's port and certificate.
The inventory holds no credential at all.
"""

import os
import shutil

import ansible_runner
import jinja2.sandbox
import pytest
import yaml

from e2e_support import ANSIBLE_BIN, PLAYBOOKS, ROOT, reset, tool, writes

CREDENTIAL_TYPE = os.path.join(ROOT, 'extensions', 'awx', 'credential_types', 'proxmox_ve.yml')
PVE_TOKEN_ID = 'root@pam!ci'
PVE_TOKEN_SECRET = '7c1f4e2a-9b3d-4c8e-a6f0-5d2b8e91c3a7'


def awx_injected_env(credential_type, inputs, files_dir):
    """The environment AWX would inject for a credential of this type (env + file injectors)."""
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    values = dict((field['id'], field.get('default', '')) for field in credential_type['inputs']['fields'])
    values.update(inputs)
    filenames = {}
    for name, template in (credential_type['injectors'].get('file') or {}).items():
        path = os.path.join(str(files_dir), name.replace('template.', 'cred-'))
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(env.from_string(template).render(**values))
        filenames[name.replace('template.', '')] = path
    context = dict(values, tower={'filename': filenames})
    return dict((key, env.from_string(template).render(**context))
                for key, template in credential_type['injectors']['env'].items())


@pytest.fixture(scope='module')
def runner_setup(simulators, collections_path, certs, tmp_path_factory):
    folder = tmp_path_factory.mktemp('runner')
    with open(CREDENTIAL_TYPE, encoding='utf-8') as handle:
        credential_type = yaml.safe_load(handle)
    with open(certs['cert'], encoding='utf-8') as handle:
        ca_pem = handle.read()
    pve = simulators['pve9']
    vsan = simulators['vcsim_vsan']
    env = awx_injected_env(credential_type, {
        'api_host': '127.0.0.1', 'api_port': str(pve['vars']['proxmox_api_port']), 'api_token_id': PVE_TOKEN_ID,
        'api_token_secret': PVE_TOKEN_SECRET, 'validate_certs': True, 'ca_cert': ca_pem}, folder)
    env.update({
        'VMWARE_HOST': '127.0.0.1', 'VMWARE_USER': vsan['vars']['vsphere_username'],
        'VMWARE_PASSWORD': vsan['vars']['vsphere_password'], 'VMWARE_VALIDATE_CERTS': 'True',
        'VMWARE_PORT': str(vsan['vars']['vsphere_port']), 'VMWARE_CA_PATH': certs['cert'],
        'ANSIBLE_COLLECTIONS_PATH': collections_path, 'ANSIBLE_CONFIG': os.path.join(PLAYBOOKS, 'ansible.cfg'),
        'PATH': ANSIBLE_BIN + os.pathsep + os.environ.get('PATH', ''), 'ANSIBLE_NOCOLOR': '1'})
    # One inventory host per cluster, hardening choices only - no endpoint, no credential.
    inventory = {'all': {'children': {
        'proxmox': {'hosts': {'pve-cluster': {'proxmox_ha_protect_running_guests': True,
                                              'proxmox_ha_groups': [{'name': 'web', 'nodes': ['pve1:2', 'pve2:1']}],
                                              'proxmox_ha_resources': [{'sid': '100', 'group': 'web'}]}}},
        'vsphere': {'hosts': {'vsan-cluster': {'vsphere_datacenter': 'DC-VSAN', 'vsphere_cluster': 'VSAN-Cluster',
                                               'vsphere_ha_isolation_addresses': ['192.168.50.1']}}}}}}
    inventory_path = folder / 'inventory.yml'
    with open(inventory_path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(inventory, handle)
    return {'folder': folder, 'env': env, 'inventory': str(inventory_path), 'pve': pve, 'vsan': vsan}


def run_site(setup, name, extravars=None):
    # ansible-runner finds ansible-playbook on the PATH of envvars: the ansible-core under test.
    assert shutil.which('ansible-playbook', path=setup['env']['PATH']) == tool('ansible-playbook')
    private = setup['folder'] / name
    private.mkdir()
    return ansible_runner.run(private_data_dir=str(private), playbook=os.path.join(PLAYBOOKS, 'site.yml'),
                              inventory=setup['inventory'], envvars=setup['env'], quiet=True, timeout=900,
                              extravars=extravars)


def summaries(result):
    """The summary lines each host printed (runner events of the role's summary task)."""
    out = {}
    for event in result.events:
        data = event.get('event_data', {})
        if event.get('event') == 'runner_on_ok' and data.get('task', '').startswith('Print the summary'):
            out[data['host']] = data['res']['msg']
    return out


def test_credential_type_injects_only_what_the_modules_read(runner_setup):
    env = runner_setup['env']
    assert env['PROXMOX_TOKEN_SECRET'] == PVE_TOKEN_SECRET
    assert env['PROXMOX_VALIDATE_CERTS'] == 'True'
    assert os.path.isfile(env['PROXMOX_CA_PATH'])
    with open(runner_setup['inventory'], encoding='utf-8') as handle:
        text = handle.read()
    for secret in (PVE_TOKEN_SECRET, runner_setup['vsan']['vars']['vsphere_password'], 'api_host', 'hostname'):
        assert secret not in text


def test_site_through_ansible_runner_hardens_then_is_idempotent(runner_setup):
    reset(runner_setup['pve'])
    reset(runner_setup['vsan'])
    first = run_site(runner_setup, 'first')
    assert (first.status, first.rc) == ('successful', 0), first.stdout.read()[-4000:]
    assert first.stats['changed'].get('pve-cluster', 0) > 0
    assert first.stats['changed'].get('vsan-cluster', 0) > 0
    assert writes(runner_setup['pve']) > 0 and writes(runner_setup['vsan']) == 1 + 4  # cluster + 4 hosts' HA agents
    lines = summaries(first)
    assert any(line.startswith('Changed: ') and 'HA resources' in line for line in lines['pve-cluster'])
    assert any('PASS     vsan_isolation_address' in line for line in lines['vsan-cluster'])

    reset_counts = [runner_setup['pve']['control'].call('DELETE', '/requests'),
                    runner_setup['vsan']['control'].call('DELETE', '/calls')]
    assert reset_counts
    second = run_site(runner_setup, 'second')
    assert (second.status, second.rc) == ('successful', 0), second.stdout.read()[-4000:]
    assert second.stats['changed'] == {}
    assert writes(runner_setup['pve']) == 0 and writes(runner_setup['vsan']) == 0
    assert 'Changed: nothing' in summaries(second)['pve-cluster']


def test_cluster_without_n_plus_1_is_refused_before_any_write(runner_setup):
    reset(runner_setup['pve'], 'pve9-nocapacity')
    reset(runner_setup['vsan'])
    try:
        # The demo inventory names guests 100 and 102, which this cluster does not have (the role would
        # refuse them first): protect the running guests only, so that the capacity gate is what refuses.
        refused = run_site(runner_setup, 'refused', extravars={'proxmox_ha_resources': [], 'proxmox_ha_groups': []})
        assert refused.status == 'failed'
        assert refused.stats['failures'] == {'pve-cluster': 1}
        assert writes(runner_setup['pve']) == 0
        failed = [e for e in refused.events if e.get('event') == 'runner_on_failed']
        assert [e['event_data']['task'] for e in failed] == ['Refuse when the cluster cannot survive the requested host failures']
        assert 'NOT sufficient for 1 host failure' in failed[0]['event_data']['res']['msg']
        # The other cluster in the same job is hardened regardless.
        assert refused.stats['changed'].get('vsan-cluster', 0) > 0
    finally:
        reset(runner_setup['pve'])
