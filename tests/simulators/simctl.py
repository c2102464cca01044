"""Start and stop the simulated clusters used by the demo and the integration tests.

    python tests/simulators/simctl.py up [NAME ...]   # default: pve9 pve8 vcsim
    python tests/simulators/simctl.py down
    python tests/simulators/simctl.py status

Each simulator runs as its own process on 127.0.0.1 with a port of its own. ``up``
waits until every one prints its READY line, then writes

* ``tests/output/sims/state.json``: endpoints, credentials and pids (for ``down``);
* ``tests/integration/integration_config.yml``: the ``sim_<name>`` variables that
  ansible-test hands to every integration target (see docs/development.md);
* ``tests/output/sims/inventory.yml``: an inventory for the demo playbooks.

All simulators share one self-signed certificate (``tests/output/sims/ca.pem``), so
clients verify TLS with ``ca_path`` rather than turning verification off.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'tests', 'output', 'sims')
STATE = os.path.join(OUT, 'state.json')
INTEGRATION_CONFIG = os.path.join(ROOT, 'tests', 'integration', 'integration_config.yml')
SCENARIOS = os.path.join(HERE, 'scenarios')
VCSIM_BIN = os.path.join(ROOT, 'tests', 'output', 'bin', 'clusterops-vcsim')

# What each simulator name means: its kind and the scenario it starts with.
SIMULATORS = {
    'pve9': {'kind': 'pve', 'scenario': 'pve9-3node.yml'},
    'pve8': {'kind': 'pve', 'scenario': 'pve8-3node.yml'},
    'pve9_nocapacity': {'kind': 'pve', 'scenario': 'pve9-nocapacity.yml'},
    'pve84': {'kind': 'pve', 'scenario': 'pve84-3node.yml'},
    'pve90': {'kind': 'pve', 'scenario': 'pve90-3node.yml'},
    'pve91': {'kind': 'pve', 'scenario': 'pve91-3node.yml'},
    'pve92': {'kind': 'pve', 'scenario': 'pve92-3node.yml'},
    'vcsim': {'kind': 'vcsim', 'scenario': 'vsphere-3host.json'},
    'vcsim_vsan': {'kind': 'vcsim', 'scenario': 'vsphere-vsan.json'},
    'vcsim_nocapacity': {'kind': 'vcsim', 'scenario': 'vsphere-nocapacity.json'},
}
DEFAULT = ['pve9', 'pve8', 'vcsim']
READY_TIMEOUT = 120


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def ensure_cert():
    """One certificate for every simulator, valid for 127.0.0.1 and localhost."""
    cert, key = os.path.join(OUT, 'ca.pem'), os.path.join(OUT, 'key.pem')
    if not (os.path.exists(cert) and os.path.exists(key)):
        from fakepve.certs import make_cert
        made_cert, made_key, _der = make_cert(OUT, name='sim', hosts=('127.0.0.1',))
        os.replace(made_cert, cert)
        os.replace(made_key, key)
    return cert, key


def scenario_defaults(path):
    """Credentials a scenario declares (the simulators' own defaults otherwise)."""
    data = {}
    if path.endswith('.json'):
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
    else:
        import yaml
        with open(path, encoding='utf-8') as handle:
            data = yaml.safe_load(handle) or {}
    return data.get('credentials') or {}


def start(name, cert, key):
    spec = SIMULATORS[name]
    scenario = os.path.join(SCENARIOS, spec['scenario'])
    port = free_port()
    log_path = os.path.join(OUT, name + '.log')
    env = dict(os.environ)
    if spec['kind'] == 'pve':
        env['PYTHONPATH'] = HERE + os.pathsep + env.get('PYTHONPATH', '')
        cmd = [sys.executable, '-m', 'pvesim', '--scenario', scenario, '--host', '127.0.0.1',
               '--port', str(port), '--cert', cert, '--key', key]
    else:
        if not os.access(VCSIM_BIN, os.X_OK):
            raise SystemExit('simctl: %s is not built; run tests/simulators/vcsim/build.sh' % VCSIM_BIN)
        cmd = [VCSIM_BIN, '-listen', '127.0.0.1:%d' % port, '-scenario', scenario, '-tlscert', cert, '-tlskey', key]
    # stdout and stderr go to one file that wait_ready() reads for the READY line; a
    # session of its own lets ``down`` stop the whole process group and leave nothing behind.
    with open(log_path, 'w', encoding='utf-8') as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return {'name': name, 'kind': spec['kind'], 'scenario': spec['scenario'], 'scenario_path': scenario,
            'port': port, 'pid': proc.pid, 'log': log_path, '_proc': proc}


def wait_ready(entry):
    proc = entry['_proc']
    deadline = time.time() + READY_TIMEOUT
    while time.time() < deadline:
        with open(entry['log'], encoding='utf-8', errors='replace') as log:
            for line in log:
                if line.startswith('READY '):
                    entry['url'] = line.split(' ', 1)[1].strip()
                    return
        if proc.poll() is not None:
            raise SystemExit('simctl: %s exited with %s; see %s' % (entry['name'], proc.returncode, entry['log']))
        time.sleep(0.1)
    raise SystemExit('simctl: %s not ready after %ss; see %s' % (entry['name'], READY_TIMEOUT, entry['log']))


def variables(entry, cert):
    creds = scenario_defaults(entry['scenario_path'])
    base = 'https://127.0.0.1:%d' % entry['port']
    scenario = os.path.splitext(entry['scenario'])[0]
    if entry['kind'] == 'pve':
        return {
            'api_host': '127.0.0.1',
            'api_port': entry['port'],
            'api_user': creds.get('user', 'root@pam'),
            'api_password': creds.get('password', 'secret'),
            'api_token_id': creds.get('token_id', 'root@pam!ci'),
            'api_token_secret': creds.get('token_secret', ''),
            'ca_path': cert,
            'control_url': base + '/_sim',
            'scenario': scenario,
        }
    return {
        'hostname': '127.0.0.1',
        'port': entry['port'],
        'username': creds.get('username', 'user'),
        'password': creds.get('password', 'pass'),
        'ca_path': cert,
        'control_url': base + '/_sim',
        'scenario': scenario,
    }


def write_outputs(entries, cert):
    import yaml
    config = {'sim_' + e['name']: variables(e, cert) for e in entries}
    state = {'simulators': [{k: v for k, v in e.items() if not k.startswith('_')} for e in entries],
             'variables': config}
    with open(STATE, 'w', encoding='utf-8') as handle:
        json.dump(state, handle, indent=2)
    with open(INTEGRATION_CONFIG, 'w', encoding='utf-8') as handle:
        handle.write('# Written by tests/simulators/simctl.py up; do not edit.\n')
        yaml.safe_dump(config, handle, sort_keys=True)
    with open(os.path.join(OUT, 'inventory.yml'), 'w', encoding='utf-8') as handle:
        yaml.safe_dump(inventory(config), handle, sort_keys=False)


def inventory(config):
    """One inventory host per simulated cluster, grouped by platform."""
    groups = {'proxmox': {'hosts': {}}, 'vsphere': {'hosts': {}}}
    for key, values in config.items():
        name = key[len('sim_'):]
        if 'api_host' in values:
            groups['proxmox']['hosts']['sim-' + name] = {
                'ansible_connection': 'local',
                'proxmox_api_host': values['api_host'],
                'proxmox_api_port': values['api_port'],
                'proxmox_api_user': values['api_user'],
                'proxmox_api_password': values['api_password'],
                'proxmox_ca_path': values['ca_path'],
            }
        else:
            groups['vsphere']['hosts']['sim-' + name] = {
                'ansible_connection': 'local',
                'vsphere_hostname': values['hostname'],
                'vsphere_port': values['port'],
                'vsphere_username': values['username'],
                'vsphere_password': values['password'],
                'vsphere_ca_path': values['ca_path'],
            }
    return {'all': {'children': groups}}


def load_state():
    try:
        with open(STATE, encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {'simulators': []}


def stop_pid(pid):
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _attempt in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def cmd_up(names):
    os.makedirs(OUT, exist_ok=True)
    cmd_down(quiet=True)
    unknown = [n for n in names if n not in SIMULATORS]
    if unknown:
        raise SystemExit('simctl: unknown simulator(s) %s; choose from %s' % (', '.join(unknown), ', '.join(SIMULATORS)))
    cert, key = ensure_cert()
    entries = []
    try:
        for name in names:
            entries.append(start(name, cert, key))
        for entry in entries:
            wait_ready(entry)
    except BaseException:
        for entry in entries:
            stop_pid(entry['pid'])
        raise
    write_outputs(entries, cert)
    for entry in entries:
        print('%-18s %s  (scenario %s)' % (entry['name'], entry['url'], entry['scenario']))


def cmd_down(quiet=False):
    state = load_state()
    for entry in state.get('simulators', []):
        stop_pid(entry['pid'])
        if not quiet:
            print('stopped %s (pid %s)' % (entry['name'], entry['pid']))
    if os.path.exists(STATE):
        os.remove(STATE)


def cmd_status():
    state = load_state()
    for entry in state.get('simulators', []):
        try:
            os.kill(entry['pid'], 0)
            alive = 'running'
        except ProcessLookupError:
            alive = 'gone'
        print('%-18s %-8s %s' % (entry['name'], alive, entry.get('url')))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up', help='start simulators and wait until ready')
    up.add_argument('names', nargs='*', default=DEFAULT)
    sub.add_parser('down', help='stop every simulator started by up')
    sub.add_parser('status', help='list the simulators and whether they run')
    args = parser.parse_args(argv)
    if args.command == 'up':
        cmd_up(args.names or DEFAULT)
    elif args.command == 'down':
        cmd_down()
    else:
        cmd_status()


if __name__ == '__main__':
    main()
