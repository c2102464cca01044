"""Helpers of the reliability suite: run real ansible-playbook subprocesses against the simulators.

A playbook is written from plain Python data, run with the collection tree on
ANSIBLE_COLLECTIONS_PATH, and every task result comes back through the test-only
callback `reliability_record` (JSON lines) next to the full stdout/stderr text.
"""

import json
import os
import ssl
import subprocess
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The ansible-playbook under test: the main .venv's, or another ansible-core's (scripts/test.sh
# stages compat and newest set RELIABILITY_ANSIBLE_BIN to their virtualenv's bin).
VENV_BIN = os.environ.get('RELIABILITY_ANSIBLE_BIN') or os.path.join(REPO, '.venv', 'bin')
# Every subprocess is bounded: a hung run fails the test instead of the whole stage.
PLAYBOOK_TIMEOUT = 240
TRACEBACK_MARKERS = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr')


def refresh_collection_tree():
    """Run scripts/collection-tree.sh (the tree is a copy) and return the ANSIBLE_COLLECTIONS_PATH root."""
    out = subprocess.run([os.path.join(REPO, 'scripts', 'collection-tree.sh')], check=True, capture_output=True,
                         text=True, timeout=120)
    collection = out.stdout.strip().splitlines()[-1]
    # .../ansible_collections/clusterops/ha -> the folder holding ansible_collections
    return os.path.dirname(os.path.dirname(os.path.dirname(collection)))


def ansible_env(collections_root, record_path, workdir):
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=collections_root,
        ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'),
        ANSIBLE_CALLBACKS_ENABLED='reliability_record',
        RELIABILITY_RECORD=record_path,
        ANSIBLE_NOCOLOR='1',
        ANSIBLE_FORCE_COLOR='0',
        ANSIBLE_RETRY_FILES_ENABLED='0',
        ANSIBLE_LOCALHOST_WARNING='0',
        ANSIBLE_INVENTORY_UNPARSED_WARNING='0',
        ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp'),
        ANSIBLE_HOME=os.path.join(workdir, 'home'),
        # From 2.21 on, results carry the module arguments ('invocation') only when asked; the
        # secret checks must see them, as on 2.16-2.20 where they are always there.
        ANSIBLE_INJECT_INVOCATION='1',
        PATH=VENV_BIN + os.pathsep + env.get('PATH', ''),
    )
    # The suite sets the connection options itself; none may leak in from the caller's shell.
    for name in list(env):
        if name.startswith(('PROXMOX_', 'VMWARE_')):
            del env[name]
    return env


class Run:
    """One finished ansible-playbook run: rc, text output, and the recorded task results."""

    def __init__(self, rc, stdout, stderr, tasks):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = tasks

    @property
    def text(self):
        return self.stdout + '\n' + self.stderr

    def task(self, name):
        """The last result of the task with this name (fails the test if there is none)."""
        found = [t for t in self.tasks if t['task'] == name]
        assert found, 'no result for task %r; tasks were %r\n%s' % (name, [t['task'] for t in self.tasks], self.text[-3000:])
        return found[-1]

    def result(self, name):
        return self.task(name)['result']

    def section(self, name):
        """The default callback's text for one task: from its TASK header up to the next header."""
        marker = 'TASK [%s]' % name
        start = self.stdout.find(marker)
        assert start >= 0, 'no TASK [%s] in the output' % name
        ends = [i for i in (self.stdout.find('TASK [', start + 1), self.stdout.find('PLAY RECAP', start + 1)) if i >= 0]
        return self.stdout[start:min(ends) if ends else len(self.stdout)]

    def module_tasks(self, prefix='clusterops.ha.'):
        """Results of the collection's own module tasks (not set_fact/assert/debug)."""
        return [t for t in self.tasks if t['action'].startswith(prefix)]


class Ansible:
    """Writes and runs playbooks in a test's own folder."""

    def __init__(self, collections_root, workdir):
        self.root = collections_root
        self.workdir = workdir
        self.count = 0

    def play(self, plays, check=False, diff=False, verbosity=0, extra_args=(), env_extra=None, background=False):
        self.count += 1
        name = 'run%02d' % self.count
        book = os.path.join(self.workdir, name + '.yml')
        record = os.path.join(self.workdir, name + '.jsonl')
        with open(book, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(plays, handle, sort_keys=False)
        argv = [os.path.join(VENV_BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', book]
        if check:
            argv.append('--check')
        if diff:
            argv.append('--diff')
        if verbosity:
            argv.append('-' + 'v' * verbosity)
        argv.extend(extra_args)
        env = ansible_env(self.root, record, self.workdir)
        env.update(env_extra or {})
        proc = subprocess.Popen(argv, env=env, cwd=self.workdir, stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                stderr=subprocess.PIPE, text=True)
        if background:
            return lambda: self._finish(proc, record)
        return self._finish(proc, record)

    @staticmethod
    def _finish(proc, record):
        try:
            stdout, stderr = proc.communicate(timeout=PLAYBOOK_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
        tasks = []
        if os.path.exists(record):
            with open(record, encoding='utf-8') as handle:
                tasks = [json.loads(line) for line in handle if line.strip()]
        for record in tasks:
            # ansible-core 2.19 keeps `failed` out of the result handed to callbacks; put it back from the status.
            record['result'].setdefault('failed', record['status'] == 'failed')
        return Run(proc.returncode, stdout, stderr, tasks)


def play(tasks, defaults_group=None, connection=None, name='reliability'):
    """One play on localhost with the collection's connection options as module_defaults."""
    body = dict(name=name, hosts='localhost', gather_facts=False,
                vars=dict(ansible_python_interpreter=os.path.join(VENV_BIN, 'python')), tasks=tasks)
    if defaults_group and connection:
        body['module_defaults'] = {'group/clusterops.ha.%s' % defaults_group: connection}
    return [body]


def task(name, module, args=None, **keywords):
    item = dict(name=name)
    item[module if '.' in module else 'clusterops.ha.' + module] = args or {}
    item.update(keywords)
    return item


# ---------------------------------------------------------------- simulator control (HTTPS, no auth)

def control(url, method='GET', body=None, cafile=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(request, context=context, timeout=timeout) as answer:
        text = answer.read().decode()
    return json.loads(text) if text.strip() else None


def no_traceback(result):
    """True when a failed task's result carries no Python traceback or raw module crash."""
    # ansible-core 2.19 adds exception='(traceback unavailable)' to every failure; only a real one counts.
    text = json.dumps(result)
    return not any(marker in text for marker in TRACEBACK_MARKERS)


def refused_before_any_write(pve, result, *words):
    """A PVE task refused with a message saying each of `words`, no traceback, nothing written."""
    assert result.get('failed'), 'expected a refusal, got %s' % {k: result.get(k) for k in ('changed', 'msg', 'commands')}
    assert no_traceback(result), result
    for word in words:
        assert word in result['msg'], 'message %r does not mention %r' % (result['msg'], word)
    assert pve.writes() == [], 'written before the refusal: %s' % pve.writes()
    assert result['changed'] is False


def raw_scenario(name):
    """A shipped PVE scenario file as plain data (to change and load as a dict)."""
    path = os.path.join(REPO, 'tests', 'simulators', 'scenarios', name + '.yml')
    with open(path, encoding='utf-8') as handle:
        data = yaml.safe_load(handle)
    data.setdefault('name', name)
    return data


# ---------------------------------------------------------------- simulator handles

TOKEN_ID = 'root@pam!ci'


class Pve:
    """A running simulated PVE cluster plus the helpers the tests use."""

    def __init__(self, served, certfile):
        self.served = served
        self.cafile = certfile
        self.control_url = served.control_url
        self.port = served.port
        self.refresh_credentials()

    def refresh_credentials(self):
        """The live scenario's credentials (a loaded scenario dict may bring its own)."""
        creds = self.served.sim.scenario['credentials']
        self.password = creds['password']
        self.token_id = creds.get('token_id') or TOKEN_ID
        self.token_secret = creds['tokens'][self.token_id]

    def ctl(self, path, method='GET', body=None):
        return control(self.control_url + path, method, body, cafile=self.cafile)

    def token_auth(self, **extra):
        conn = dict(api_host='127.0.0.1', api_port=self.port, api_token_id=self.token_id,
                    api_token_secret=self.token_secret, ca_path=self.cafile)
        conn.update(extra)
        return conn

    def password_auth(self, **extra):
        conn = dict(api_host='127.0.0.1', api_port=self.port, api_user='root@pam', api_password=self.password,
                    ca_path=self.cafile)
        conn.update(extra)
        return conn

    def load(self, scenario):
        """Reset to a shipped scenario name or a scenario dict."""
        body = dict(name=scenario) if isinstance(scenario, str) else dict(scenario=scenario)
        answer = self.ctl('/scenario', 'POST', body)
        self.refresh_credentials()
        return answer

    def fault(self, kind, **spec):
        spec['kind'] = kind
        return self.ctl('/faults', 'POST', spec)

    def clear_faults(self):
        return self.ctl('/faults', 'DELETE')

    def log(self):
        return self.ctl('/requests')

    def writes(self):
        return [r for r in self.log()['requests'] if r['method'] in ('POST', 'PUT', 'DELETE') and r['path'] != '/access/ticket']

    def clear_log(self):
        return self.ctl('/requests', 'DELETE')

    def state(self):
        return self.ctl('/state')


class Vc:
    """The module's vcsim, with connection options for module_defaults."""

    def __init__(self, sim):
        self.sim = sim
        self.cafile = sim.cafile
        self.port = sim.port
        self.password = sim.password

    def auth(self, **extra):
        conn = dict(hostname='127.0.0.1', port=self.sim.port, username=self.sim.username, password=self.sim.password,
                    ca_path=self.sim.cafile)
        conn.update(extra)
        return conn

    def calls(self):
        return self.sim.calls()

    def reconfigures(self):
        """SOAP calls that change something or create a task (Reconfigure*, *_Task)."""
        by_method = self.calls().get('by_method', {})
        return dict((k, v) for k, v in by_method.items() if k.startswith('Reconfigure') or k.endswith('_Task'))
