"""Helpers of the end-to-end tests (imported by conftest.py and the tests)."""

import json
import os
import ssl
import subprocess
import sys
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIMULATORS = os.path.join(ROOT, 'tests', 'simulators')
VENV_BIN = os.path.dirname(sys.executable)
# The ansible-core under test: this virtualenv's, or another release's bin directory (the stages
# compat and newest of scripts/test.sh set E2E_ANSIBLE_BIN; ansible-runner and ansible-builder
# stay this virtualenv's, the way AWX runs one ansible-runner against several execution environments).
ANSIBLE_BIN = os.environ.get('E2E_ANSIBLE_BIN') or VENV_BIN
CORE_TOOLS = ('ansible', 'ansible-playbook', 'ansible-inventory', 'ansible-galaxy', 'ansible-doc', 'ansible-config')
PLAYBOOKS = os.path.join(ROOT, 'playbooks')
PLAYBOOK_TIMEOUT = 600


def tool(name):
    """A console script: ansible-core's (CORE_TOOLS) from the release under test, any other from this virtualenv."""
    path = os.path.join(ANSIBLE_BIN if name in CORE_TOOLS else VENV_BIN, name)
    if os.path.exists(path):
        return path
    if name in CORE_TOOLS and os.environ.get('E2E_ANSIBLE_BIN'):
        # Never fall back to another release: the run would test the wrong ansible-core.
        raise FileNotFoundError('E2E_ANSIBLE_BIN has no %s: %s' % (name, path))
    return name


class Control:
    """The /_sim control API of one simulator over HTTPS (verified with the shared certificate)."""

    def __init__(self, url, cafile):
        self.url = url.rstrip('/')
        self.context = ssl.create_default_context(cafile=cafile)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, context=self.context, timeout=60) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else {}


def reset(sim, scenario=None):
    """Back to the scenario's start (or to another PVE scenario) and clear the request counters."""
    if sim['kind'] == 'pve':
        sim['control'].call('POST', '/scenario', {'name': scenario or sim['scenario']})
        sim['control'].call('DELETE', '/requests')
    else:
        sim['control'].call('POST', '/reset')
        sim['control'].call('DELETE', '/calls')


def writes(sim):
    """Write requests (PVE) or task-creating SOAP calls (vSphere) since the last reset."""
    if sim['kind'] == 'pve':
        return sim['control'].call('GET', '/requests')['counts']['write']
    calls = sim['control'].call('GET', '/calls')['by_method']
    return sum(count for method, count in calls.items() if method.endswith('_Task') or method.startswith('Reconfigure'))


def write_inventory(path, hosts):
    """One inventory host per cluster, grouped by platform ({host name: (sim, extra vars)})."""
    groups = {'proxmox': {'hosts': {}}, 'vsphere': {'hosts': {}}}
    for name, (sim, extra) in hosts.items():
        group = 'proxmox' if sim['kind'] == 'pve' else 'vsphere'
        groups[group]['hosts'][name] = dict(sim['vars'], ansible_connection='local', **extra)
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump({'all': {'children': groups}}, handle, sort_keys=False)
    return str(path)


def run_playbook(playbook, inventories, collections_path, extra_args=(), env=None):
    """ansible-playbook with the project's playbooks/ansible.cfg; returns the CompletedProcess."""
    command = [tool('ansible-playbook')]
    for inventory in inventories:
        command += ['-i', inventory]
    command += [os.path.join(PLAYBOOKS, playbook)] + list(extra_args)
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path,
                       ANSIBLE_CONFIG=os.path.join(PLAYBOOKS, 'ansible.cfg'), ANSIBLE_FORCE_COLOR='0',
                       ANSIBLE_NOCOLOR='1')
    environment.update(env or {})
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=PLAYBOOK_TIMEOUT,
                          cwd=ROOT, check=False)
