# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The path users run: the hardening roles end to end, at three cluster sizes, against the floor.

For each platform (proxmox_ha on simulated PVE 9, vsphere_ha on the simulated vCenter) and
size (small 3 x 30, medium 16 x 1,000, large 64 x 10,000 hosts x guests; `--quick`: small
only) the benchmark generates a cluster where every guest is running and N+1 fits, then runs
the platform's playbook as an operator would (`ansible-playbook playbooks/<role>.yml`, every
running guest protected) twice: the first run hardens, the second must change nothing (the
run a scheduled compliance job repeats). It prints, per run:

- wall time, and its ratio to the floor measured in the same process: an empty playbook on
  the same inventory plus the raw reads (the GETs of the no-op run replayed with one HTTP
  session; for vSphere the SOAP calls the run made, counted, with the empty playbook alone);
- peak memory (largest process of the run, from getrusage of its children);
- requests by kind (PVE: reads, writes, logins; vSphere: SOAP calls by method);
- the time per phase, from the role's task files: read (gather), decide (preflight, capacity
  gate), write (configure), verify, summary.

Never fails on a timing; it fails when a run fails or when the second run is not a no-op.

    .venv/bin/python tests/benchmarks/bench_roles.py [--quick] [--sizes small,medium]
                                                    [--platforms proxmox,vsphere] [--crs basic|static]
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulators'))

import pvesim  # noqa: E402  (needs the path above)
import vcsimctl  # noqa: E402

SIZES = collections.OrderedDict([('small', (3, 30)), ('medium', (16, 1000)), ('large', (64, 10000))])
GUEST_MB = 1024
TOKEN_ID = 'root@pam!ci'
TOKEN_SECRET = '7c1f4e2a-9b3d-4c8e-a6f0-5d2b8e91c3a7'
RUN_TIMEOUT = 1800
PHASE_OF_FILE = {'gather.yml': 'read', 'preflight.yml': 'decide', 'capacity.yml': 'decide',
                 'configure.yml': 'write', 'verify.yml': 'verify', 'summary.yml': 'summary'}
PHASES = ('read', 'decide', 'write', 'verify', 'summary', 'other')

# Runs one command and prints the peak RSS (KiB) of its largest descendant on stderr's last line,
# so that each run's peak is its own (RUSAGE_CHILDREN is cumulative per process).
PEAK_WRAPPER = ('import resource, subprocess, sys\n'
                'rc = subprocess.call(sys.argv[1:])\n'
                'sys.stderr.write("\\nPEAK_KIB %d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n'
                'sys.exit(rc)\n')


def collection_root():
    dest = subprocess.run([os.path.join(ROOT, 'scripts', 'collection-tree.sh')], check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    return os.path.dirname(os.path.dirname(os.path.dirname(dest)))


def node_memory_mb(hosts, guests):
    """Room for N+1 with a margin: each node takes its share of a failed node's guests."""
    per_host = -(-guests // hosts)
    need = per_host * GUEST_MB * hosts / max(hosts - 1, 1)
    return int(need * 1.5 // 1024 + 1) * 1024


def pve_scenario(hosts, guests, crs='basic'):
    memory = node_memory_mb(hosts, guests)
    return {
        'options': {'crs': {'ha': crs}},
        'version': '9.0.10', 'cluster': 'bench%d' % hosts, 'quorate': True,
        'credentials': {'user': 'root@pam', 'password': 'secret', 'token_id': TOKEN_ID, 'token_secret': TOKEN_SECRET},
        'nodes': [{'name': 'pve%02d' % (i + 1), 'memory_mb': memory, 'cpus': 64} for i in range(hosts)],
        'storage': [{'id': 'ceph-rbd', 'type': 'rbd', 'shared': True, 'content': 'images,rootdir'}],
        'generate': {'guests': guests, 'start_vmid': 1000, 'memory_mb': GUEST_MB, 'type': 'qemu',
                     'storage': 'ceph-rbd', 'running': True, 'name_prefix': 'g'},
        'backup_jobs': [{'id': 'backup-daily', 'schedule': '02:00', 'enabled': True, 'all': True, 'storage': 'local'}],
    }


def vsphere_scenario(hosts, guests):
    return {
        'name': 'bench-%dx%d' % (hosts, guests),
        'description': 'Role benchmark: %d hosts x %d VMs, shared datastores, HA off.' % (hosts, guests),
        'credentials': {'username': 'user', 'password': 'pass'},
        'datacenter': 'DC-BENCH',
        'cluster': {'name': 'Bench-Cluster', 'ha_enabled': False},
        'hosts': {'count': hosts, 'name_prefix': 'esx', 'domain': 'bench.local',
                  'memory_mb': node_memory_mb(hosts, guests), 'cpu_cores': 64, 'cpu_mhz': 2800},
        'datastores': [{'name': 'shared-vmfs01', 'type': 'VMFS', 'shared': True, 'capacity_gb': 65536},
                       {'name': 'shared-nfs01', 'type': 'NFS', 'shared': True, 'capacity_gb': 65536}],
        'vms': {'per_host': -(-guests // hosts), 'name_prefix': 'vm', 'memory_mb': GUEST_MB, 'reservation_mb': 0,
                'cpus': 1, 'power_state': 'poweredOn'},
    }


def write_yaml(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(data, handle, sort_keys=False)
    return path


def inventory(folder, group, host_vars):
    return write_yaml(folder, 'inventory.yml', {'all': {'children': {group: {'hosts': {'bench': dict(
        host_vars, ansible_connection='local', ansible_python_interpreter=sys.executable)}}}}})


def run_playbook(playbook, inventory_path, folder, label, extra=()):
    """ansible-playbook in its own wrapper process; returns a dict of figures."""
    phases_path = os.path.join(folder, label + '.phases.jsonl')
    log_path = os.path.join(folder, label + '.log')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_CONFIG=os.path.join(ROOT, 'playbooks', 'ansible.cfg'),
               ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'), ANSIBLE_CALLBACKS_ENABLED='bench_phases',
               BENCH_PHASES=phases_path, ANSIBLE_FORCE_COLOR='0', ANSIBLE_NOCOLOR='1')
    argv = [sys.executable, '-c', PEAK_WRAPPER, os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
            '-i', inventory_path, playbook] + list(extra)
    started = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        proc = subprocess.run(argv, stdout=log, stderr=subprocess.PIPE, text=True, env=env, timeout=RUN_TIMEOUT,
                              check=False)
    seconds = time.monotonic() - started
    peak_kib = int(proc.stderr.strip().rsplit('PEAK_KIB', 1)[-1]) if 'PEAK_KIB' in proc.stderr else 0
    with open(log_path, encoding='utf-8') as log:
        output = log.read()
    if proc.returncode != 0:
        raise SystemExit('bench_roles: %s failed (rc %s); see %s\n%s' % (label, proc.returncode, log_path, output[-3000:]))
    recap = [line for line in output.splitlines() if line.startswith('bench ')]
    changed = int(recap[-1].split('changed=')[1].split()[0]) if recap else -1
    return {'seconds': seconds, 'peak_mb': peak_kib / 1024.0, 'changed': changed, 'phases': phase_times(phases_path)}


def phase_times(path):
    totals = dict.fromkeys(PHASES, 0.0)
    if not os.path.exists(path):
        return totals
    with open(path, encoding='utf-8') as handle:
        for line in handle:
            entry = json.loads(line)
            name = os.path.basename(entry['file'])
            phase = 'decide' if '/roles/ha_capacity/' in entry['file'] else PHASE_OF_FILE.get(name, 'other')
            totals[phase] += entry['seconds']
    return totals


def empty_playbook(folder, group):
    return write_yaml(folder, 'empty.yml', [{'name': 'Floor', 'hosts': group, 'gather_facts': False, 'tasks': []}])


def bench_proxmox(hosts, guests, folder, crs='basic'):
    with pvesim.running(scenario=pve_scenario(hosts, guests, crs)) as sim:
        inv = inventory(folder, 'proxmox', {
            'proxmox_api_host': sim.host, 'proxmox_api_port': sim.port, 'proxmox_api_token_id': TOKEN_ID,
            'proxmox_api_token_secret': TOKEN_SECRET, 'proxmox_ca_path': sim.cafile,
            'proxmox_ha_protect_running_guests': True})
        playbook = os.path.join(ROOT, 'playbooks', 'proxmox_ha.yml')
        runs = []
        for label in ('first', 'noop'):
            pve_control(sim, 'DELETE', '/requests')
            figures = run_playbook(playbook, inv, folder, 'pve-%s' % label)
            log = pve_control(sim, 'GET', '/requests')
            figures['requests'] = log['counts']
            figures['gets'] = [(r['path'], r.get('params') or {}) for r in log['requests'] if r['method'] == 'GET']
            runs.append((label, figures))
        floor = run_playbook(empty_playbook(folder, 'proxmox'), inv, folder, 'pve-floor')['seconds']
        floor += replay_gets(sim, runs[-1][1]['gets'])
    return runs, floor


def pve_control(sim, method, path):
    resp = requests.request(method, sim.control_url + path, verify=sim.cafile, timeout=60)
    resp.raise_for_status()
    return resp.json()


def replay_gets(sim, paths):
    """The raw reads: the no-op run's GETs (errors included, as the run got them) with one session."""
    session = requests.Session()
    session.headers['Authorization'] = 'PVEAPIToken=%s=%s' % (TOKEN_ID, TOKEN_SECRET)
    started = time.monotonic()
    for path, params in paths:
        session.get('%s/api2/json%s' % (sim.url.rstrip('/'), path), params=params, verify=sim.cafile, timeout=60)
    return time.monotonic() - started


def bench_vsphere(hosts, guests, folder):
    scenario = os.path.join(folder, 'vsphere-bench.json')
    with open(scenario, 'w', encoding='utf-8') as handle:
        json.dump(vsphere_scenario(hosts, guests), handle)
    cert, key = certificate(folder)
    with vcsimctl.running(scenario, cert=cert, key=key, timeout=600) as sim:
        inv = inventory(folder, 'vsphere', {
            'vsphere_hostname': sim.host, 'vsphere_port': sim.port, 'vsphere_username': sim.username,
            'vsphere_password': sim.password, 'vsphere_ca_path': cert, 'vsphere_datacenter': 'DC-BENCH',
            'vsphere_cluster': 'Bench-Cluster'})
        playbook = os.path.join(ROOT, 'playbooks', 'vsphere_ha.yml')
        runs = []
        for label in ('first', 'noop'):
            sim.reset_calls()
            figures = run_playbook(playbook, inv, folder, 'vs-%s' % label)
            calls = sim.calls()
            figures['requests'] = {'soap': calls.get('total', 0)}
            figures['by_method'] = calls.get('by_method', {})
            runs.append((label, figures))
        floor = run_playbook(empty_playbook(folder, 'vsphere'), inv, folder, 'vs-floor')['seconds']
    return runs, floor


def certificate(folder):
    from fakepve.certs import make_cert
    cert, key, _der = make_cert(folder, name='bench', hosts=('127.0.0.1',))
    return cert, key


def print_table(platform, size, hosts, guests, runs, floor):
    print('\n### %s, %s: %d hosts x %d guests (floor %.1f s: empty playbook + raw reads)\n'
          % (platform, size, hosts, guests, floor))
    print('| run | wall s | x floor | peak MB | changed | requests | %s |' % ' | '.join('%s s' % p for p in PHASES))
    print('|---|---:|---:|---:|---:|---|%s|' % '|'.join(['---:'] * len(PHASES)))
    for label, f in runs:
        requests_text = ', '.join('%s %s' % (k, v) for k, v in sorted(f['requests'].items()))
        print('| %s | %.1f | %.1f | %.0f | %d | %s | %s |' % (
            label, f['seconds'], f['seconds'] / floor if floor else 0, f['peak_mb'], f['changed'], requests_text,
            ' | '.join('%.1f' % f['phases'][p] for p in PHASES)))
    if runs and runs[-1][1].get('by_method'):
        top = sorted(runs[-1][1]['by_method'].items(), key=lambda kv: -kv[1])
        print('\nno-op run SOAP calls by method: %s' % ', '.join('%s %d' % kv for kv in top))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='smallest size only (smoke run)')
    parser.add_argument('--sizes', default='small,medium,large', help='comma list of %s' % ', '.join(SIZES))
    parser.add_argument('--platforms', default='proxmox,vsphere', help='comma list of proxmox, vsphere')
    parser.add_argument('--crs', default='basic', choices=('basic', 'static'),
                        help="PVE's HA scheduler (datacenter option crs: ha=) of the simulated cluster")
    args = parser.parse_args()
    sizes = ['small'] if args.quick else [s.strip() for s in args.sizes.split(',') if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error('unknown size %s; use %s' % (', '.join(unknown), ', '.join(SIZES)))
    global COLLECTIONS  # pylint: disable=global-statement  # set once, read by run_playbook
    COLLECTIONS = collection_root()
    print('# Role benchmark (%s)' % time.strftime('%Y-%m-%d'))
    bad = []
    for platform in [p.strip() for p in args.platforms.split(',') if p.strip()]:
        bench = {'proxmox': bench_proxmox, 'vsphere': bench_vsphere}.get(platform)
        if bench is None:
            parser.error('unknown platform %s; use proxmox or vsphere' % platform)
        for size in sizes:
            hosts, guests = SIZES[size]
            with tempfile.TemporaryDirectory(prefix='bench-roles-') as folder:
                runs, floor = bench(hosts, guests, folder, args.crs) if platform == 'proxmox' else bench(hosts, guests, folder)
            print_table(platform + ('' if platform != 'proxmox' or args.crs == 'basic' else ' (crs %s)' % args.crs),
                        size, hosts, guests, runs, floor)
            noop = dict(runs)['noop']
            if noop['changed'] != 0 or noop['requests'].get('write', 0):
                bad.append('%s %s: the second run changed %s task(s), %s write(s)'
                           % (platform, size, noop['changed'], noop['requests'].get('write', 0)))
    if bad:
        raise SystemExit('bench_roles: the no-op run is not a no-op: %s' % '; '.join(bad))


COLLECTIONS = None

if __name__ == '__main__':
    main()
