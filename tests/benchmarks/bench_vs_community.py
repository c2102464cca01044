#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""clusterops.ha side by side with community.proxmox, community.vmware and vmware.vmware.

    .venv/bin/python tests/benchmarks/bench_vs_community.py             # everything, 3 runs
    .venv/bin/python tests/benchmarks/bench_vs_community.py --quick     # smoke: N=10, 3 hosts, 1 run
    .venv/bin/python tests/benchmarks/bench_vs_community.py --bench proxmox_bulk --sizes 10,100 --runs 5

Both sides run as real ansible-playbook processes against the same simulator instance on
127.0.0.1: ours from this checkout with .venv, the peers from the PyPI package ansible 12.3.0 in
tests/output/peer-venv (made by peer-venv.sh). Each repetition resets the simulator, runs the
playbook twice (run 1 converges, run 2 must be a no-op) and reads the simulator's request
counters after each run; sides alternate A B A B. The tables (medians) are printed and written to
tests/output/benchmarks/vs_community.md, the raw samples to vs_community.json.

A benchmark is not a test: timings never fail it. It exits non-zero when a playbook is broken,
when our side fails, or when a run did not do what it claims (e.g. run 1 left no HA resource).
A peer module that cannot work against the simulator is recorded with its error in the table
(except with --quick, where every peer is known to work, so any failure means a broken script).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS = os.path.join(HERE, 'peers')
SIMULATORS = os.path.join(ROOT, 'tests', 'simulators')
SCENARIOS = os.path.join(SIMULATORS, 'scenarios')
OUT = os.path.join(ROOT, 'tests', 'output', 'benchmarks')
OURS_VENV = os.path.join(ROOT, '.venv')
PEER_VENV = os.environ.get('PEER_VENV', os.path.join(ROOT, 'tests', 'output', 'peer-venv'))
VCSIM_BIN = os.path.join(ROOT, 'tests', 'output', 'bin', 'clusterops-vcsim')

BENCHES = ('proxmox_bulk', 'vsphere_configure', 'info', 'capacity')
READY_TIMEOUT = 180
# Bounds on one playbook run: a 1,000-item peer loop takes minutes, never an hour.
PLAYBOOK_TIMEOUT = 3600
PVE_BULK_SCENARIO = 'pve9-bulk.yml'
PVE_SMALL_SCENARIO = 'pve9-3node.yml'
BULK_COMMENT = 'bench: HA by bench_vs_community'
# What every vSphere side configures: HA on, two isolation addresses instead of the gateway, power off.
ISOLATION_ADDRESSES = ['10.0.0.253', '10.0.0.254']

# Sides: label, which venv runs it, and whether a failure is ours (fatal) or the peer's (recorded).
SIDES = {
    'ours': {'label': 'clusterops.ha', 'venv': 'ours'},
    'community.proxmox': {'label': 'community.proxmox 1.4.0', 'venv': 'peer'},
    'vmware.vmware': {'label': 'vmware.vmware 2.6.0', 'venv': 'peer'},
    'community.vmware': {'label': 'community.vmware 5.10.0', 'venv': 'peer'},
}


# ----------------------------------------------------------------- pure helpers

def median(values):
    """Median of the numbers, None when there are none (a side that never ran)."""
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def spread(values):
    """'min–max' when the samples differ, '' when they agree (request counts should)."""
    values = [v for v in values if v is not None]
    if not values or min(values) == max(values):
        return ''
    return ' ({0}–{1})'.format(fmt_num(min(values)), fmt_num(max(values)))


def fmt_num(value):
    if value is None:
        return '–'
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a median of whole counts
    if isinstance(value, float):
        if value >= 100:
            return '{0:.0f}'.format(value)
        if value >= 10:
            return '{0:.1f}'.format(value)
        return '{0:.2f}'.format(value)
    return '{0:,}'.format(value)


def ratio(peer, ours):
    """peer / ours as '12.3×'; '–' when either is missing or ours is zero."""
    if peer is None or ours is None or ours == 0:
        return '–'
    value = float(peer) / float(ours)
    return '{0:.1f}×'.format(value) if value < 100 else '{0:.0f}×'.format(value)


def markdown_table(headers, rows):
    """A GitHub Markdown table; every cell converted with str()."""
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '|'.join('---' for header in headers) + '|']
    for row in rows:
        lines.append('| ' + ' | '.join(str(cell).replace('|', '\\|').replace('\n', ' ') for cell in row) + ' |')
    return '\n'.join(lines)


def short_error(text, limit=160):
    """The first meaningful line of an error, cut to fit a table cell."""
    text = ' '.join(str(text or '').split())
    return text if len(text) <= limit else text[:limit - 1] + '…'


def bulk_resources(vmids, comment=BULK_COMMENT):
    """The HA resources both sides create: same state, restart/relocate limits and comment."""
    return [{'sid': 'vm:{0}'.format(vmid), 'state': 'started', 'max_restart': 1, 'max_relocate': 1, 'comment': comment}
            for vmid in vmids]


def vsphere_scenario(hosts, vms, name):
    """A vcsim scenario: `hosts` 256 GiB hosts, `vms` 4 GiB VMs spread round-robin, one shared datastore."""
    host_names = ['esx{0:02d}.bench.local'.format(i) for i in range(1, hosts + 1)]
    return {
        'name': name,
        'description': 'bench_vs_community: {0} hosts x {1} VMs'.format(hosts, vms),
        'datacenter': 'DC0',
        'cluster': {'name': 'Cluster0', 'ha_enabled': False},
        'hosts': [{'name': h, 'memory_mb': 262144} for h in host_names],
        'datastores': [{'name': 'shared-ds', 'type': 'VMFS', 'shared': True, 'capacity_gb': 100000, 'free_gb': 50000}],
        'vms': [{'name': 'vm{0:05d}'.format(i), 'host': host_names[i % hosts], 'memory_mb': 4096, 'datastore': 'shared-ds'}
                for i in range(vms)],
    }


def parse_sizes(text, cast=int):
    return [cast(part) for part in str(text).split(',') if part.strip()]


def parse_vsphere_size(text):
    """'32x1000' -> (32, 1000)."""
    hosts, vms = (text.lower().split('x', 1) + ['0'])[:2]
    return int(hosts), int(vms or 0)


def summarise_median(samples, key):
    """Just the median of summarise()."""
    return summarise(samples, key)[0]


def summarise(samples, key):
    """Median and spread of one measurement over the repetitions of one (bench, size, side, run)."""
    values = [s[key] for s in samples if s.get('ok')]
    return median(values), spread(values)


# ----------------------------------------------------------------- simulators

def http_json(method, url, cafile, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    context = ssl.create_default_context(cafile=cafile)
    with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
        text = response.read().decode() or '{}'
    return json.loads(text)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Simulator(object):
    """One simulator process on 127.0.0.1, its own process group, stopped by stop()."""

    def __init__(self, kind, scenario_path, workdir, cert, key):
        self.kind, self.scenario_path, self.cert = kind, scenario_path, cert
        self.log_path = os.path.join(workdir, '{0}-{1}.log'.format(kind, os.path.basename(scenario_path)))
        env = dict(os.environ)
        port = free_port()
        if kind == 'pve':
            env['PYTHONPATH'] = SIMULATORS + os.pathsep + env.get('PYTHONPATH', '')
            cmd = [os.path.join(OURS_VENV, 'bin', 'python'), '-m', 'pvesim', '--scenario', scenario_path,
                   '--host', '127.0.0.1', '--port', str(port), '--cert', cert, '--key', key]
        else:
            cmd = [VCSIM_BIN, '-listen', '127.0.0.1:{0}'.format(port), '-scenario', scenario_path,
                   '-tlscert', cert, '-tlskey', key]
        with open(self.log_path, 'w', encoding='utf-8') as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.port = port
        self.base = 'https://127.0.0.1:{0}'.format(port)
        self._wait_ready()

    def _wait_ready(self):
        deadline = time.time() + READY_TIMEOUT
        while time.time() < deadline:
            with open(self.log_path, encoding='utf-8', errors='replace') as log:
                if any(line.startswith('READY ') for line in log):
                    return
            if self.proc.poll() is not None:
                raise BenchError('{0} simulator exited with {1}; see {2}'.format(self.kind, self.proc.returncode, self.log_path))
            time.sleep(0.1)
        self.stop()
        raise BenchError('{0} simulator not ready after {1}s; see {2}'.format(self.kind, READY_TIMEOUT, self.log_path))

    def control(self, method, path, body=None):
        return http_json(method, self.base + '/_sim' + path, self.cert, body)

    def reset(self):
        self.control('POST', '/reset')
        self.clear_counts()

    def clear_counts(self):
        self.control('DELETE', '/requests' if self.kind == 'pve' else '/calls')

    def counts(self):
        """(total, writes, detail): PVE counts HTTP API requests, vcsim SOAP calls."""
        if self.kind == 'pve':
            view = self.control('GET', '/requests')
            counts = view['counts']
            by_path = {}
            for entry in view['requests']:
                key = '{0} {1}'.format(entry['method'], entry['path'])
                by_path[key] = by_path.get(key, 0) + 1
            return counts['total'], counts['write'], {'counts': counts, 'top': top(by_path)}
        view = self.control('GET', '/calls')
        by_method = view.get('by_method') or {}
        writes = sum(n for name, n in by_method.items() if is_vim_write(name))
        return view['total'], writes, {'by_method': by_method}

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(20)


def is_vim_write(method):
    """A SOAP call that changes the inventory (reconfigure or any task), not session or view bookkeeping."""
    return method.startswith('Reconfigure') or method.endswith('_Task')


def top(counter, limit=8):
    return dict(sorted(counter.items(), key=lambda kv: -kv[1])[:limit])


class BenchError(Exception):
    """The benchmark itself is broken (not a slow or failing peer)."""


# ----------------------------------------------------------------- ansible runs

class Runner(object):
    """Runs a playbook from peers/ with one side's venv and collections and the bench_record callback."""

    def __init__(self, workdir, cafile):
        self.workdir = workdir
        self.cafile = cafile
        # Ours: this checkout as clusterops.ha, through a symlink outside the repository (no loop in the tree).
        self.ours_collections = os.path.join(workdir, 'ours-collections')
        os.makedirs(os.path.join(self.ours_collections, 'ansible_collections', 'clusterops'), exist_ok=True)
        link = os.path.join(self.ours_collections, 'ansible_collections', 'clusterops', 'ha')
        if not os.path.lexists(link):
            os.symlink(ROOT, link)
        # Peers: only the collections bundled in the ansible package (an empty path keeps ~/.ansible out).
        self.peer_collections = os.path.join(workdir, 'peer-collections')
        os.makedirs(self.peer_collections, exist_ok=True)
        self.counter = 0

    def run(self, side, playbook, variables):
        venv = OURS_VENV if SIDES[side]['venv'] == 'ours' else PEER_VENV
        self.counter += 1
        stem = os.path.join(self.workdir, '{0:04d}-{1}'.format(self.counter, os.path.splitext(playbook)[0]))
        vars_file, record_file, log_file = stem + '.vars.json', stem + '.record.json', stem + '.log'
        variables = dict(variables, ansible_python_interpreter=os.path.join(venv, 'bin', 'python'))
        with open(vars_file, 'w', encoding='utf-8') as handle:
            json.dump(variables, handle)
        env = dict(os.environ)
        for name in list(env):
            if name.startswith('ANSIBLE_') or name.startswith(('PROXMOX_', 'VMWARE_')):
                del env[name]
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.ours_collections if venv == OURS_VENV else self.peer_collections,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(PEERS, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'bench_record',
            'BENCH_RECORD': record_file,
            # Same settings for both sides: local connection, pipelining, no retry files or warnings.
            'ANSIBLE_PIPELINING': 'True',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False',
            'ANSIBLE_LOCALHOST_WARNING': 'False',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
            'ANSIBLE_DEPRECATION_WARNINGS': 'False',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.workdir, 'tmp'),
            'ANSIBLE_HOME': os.path.join(self.workdir, 'ansible-home'),
            # Both sides verify TLS: ours with ca_path, the peers (no ca_path option) through the CA bundle variables.
            'SSL_CERT_FILE': self.cafile,
            'REQUESTS_CA_BUNDLE': self.cafile,
            'PATH': os.path.join(venv, 'bin') + os.pathsep + env.get('PATH', ''),
        })
        cmd = [os.path.join(venv, 'bin', 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', '@' + vars_file, os.path.join(PEERS, playbook)]
        start = time.monotonic()
        with open(log_file, 'w', encoding='utf-8') as log:
            try:
                proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PEERS,
                                      timeout=PLAYBOOK_TIMEOUT, check=False)
                returncode = proc.returncode
            except subprocess.TimeoutExpired:
                returncode = 'timeout'
        wall = time.monotonic() - start
        record = {'tasks': []}
        if os.path.exists(record_file):
            with open(record_file, encoding='utf-8') as handle:
                record = json.load(handle)
        return {'returncode': returncode, 'wall': wall, 'tasks': record['tasks'], 'log': log_file}


def bench_task_seconds(tasks):
    """Seconds spent in the tasks named 'bench: ...' (the measured work, without ansible start-up)."""
    return sum(t['seconds'] for t in tasks if t['name'].startswith('bench:'))


def first_error(result):
    for task in result['tasks']:
        if task.get('failed') or task.get('failed_items'):
            return '{0}: {1}'.format(task['action'], task.get('msg'))
    if result['returncode'] not in (0,):
        try:
            with open(result['log'], encoding='utf-8', errors='replace') as handle:
                lines = [line.strip() for line in handle if line.strip()]
            wanted = [line for line in lines if 'ERROR' in line or 'fatal' in line]
            return (wanted or lines[-3:] or ['no output'])[0]
        except OSError:
            return 'exit code {0}'.format(result['returncode'])
    return None


def changed_count(tasks):
    """How many changes the measured tasks reported (loop items counted one by one)."""
    total = 0
    for task in tasks:
        if task['name'].startswith('bench:'):
            total += task.get('changed_items', task['changed']) if task.get('items') else task['changed']
    return total


# ----------------------------------------------------------------- benchmark plumbing

class Bench(object):
    """Collects samples and enforces 'ours must work; a broken playbook is fatal'."""

    def __init__(self, args, runner):
        self.args = args
        self.runner = runner
        self.samples = []
        self.problems = []
        self.sink = None  # called after every sample (saves the results so far)

    def measure(self, bench, size, side, run_no, sim, playbook, variables, check=None):
        sim.clear_counts()
        load_before = os.getloadavg()[0]
        result = self.runner.run(side, playbook, variables)
        total, writes, detail = sim.counts()
        error = first_error(result)
        sample = {'bench': bench, 'size': size, 'side': side, 'run': run_no, 'wall': round(result['wall'], 3),
                  'task': round(bench_task_seconds(result['tasks']), 3), 'requests': total, 'writes': writes,
                  'changed': changed_count(result['tasks']), 'returncode': result['returncode'], 'error': error,
                  'detail': detail, 'log': os.path.relpath(result['log'], ROOT), 'ok': error is None,
                  # The machine is shared (2 cores): the load says how much else ran during the sample.
                  'load': round(max(load_before, os.getloadavg()[0]), 2)}
        if error is None and check is not None:
            problem = check(sim, sample)
            if problem:
                sample['ok'] = False
                sample['error'] = problem
                self.problem(bench, size, '{0} {1} {2} run {3}: {4}'.format(bench, size, side, run_no, problem))
        if error is not None:
            # Our failures are always fatal. A peer module failing against the simulator is a result in a
            # full run, but in the --quick smoke run every peer is known to work, so any failure means a broken script.
            broken = result['returncode'] not in (0, 2) or SIDES[side]['venv'] == 'ours' or self.args.quick
            if broken:
                self.problem(bench, size, '{0} {1} {2} run {3}: {4} (log {5})'.format(bench, size, side, run_no, error,
                                                                                      sample['log']))
        self.samples.append(sample)
        self._progress(sample)
        if self.sink is not None:
            self.sink()
        return sample

    def problem(self, bench, size, text):
        self.problems.append({'bench': bench, 'size': size, 'text': text})

    def _progress(self, s):
        status = 'ok' if s['ok'] else 'ERROR ' + short_error(s['error'], 200)
        line = '  {0:<18} {1:<10} {2:<18} run {3}: wall {4:7.2f}s task {5:7.2f}s requests {6:>6} writes {7:>5} changed {8:>5}'
        print(line.format(s['bench'], str(s['size']), s['side'], s['run'], s['wall'], s['task'], s['requests'],
                          s['writes'], s['changed']) + '  ' + status, flush=True)

    def pick(self, bench, size, side, run_no):
        return [s for s in self.samples if (s['bench'], s['size'], s['side'], s['run']) == (bench, size, side, run_no)]


def error_cell(samples):
    errors = [s['error'] for s in samples if not s['ok'] and s['error']]
    return short_error(errors[0]) if errors else ''


# ----------------------------------------------------------------- Proxmox bulk HA

def pve_connection(sim, credentials):
    token_id = credentials['token_id']
    secret = credentials['tokens'][token_id]
    user, name = token_id.split('!', 1)
    return {'api_host': '127.0.0.1', 'api_port': sim.port, 'api_user': user, 'api_token_name': name,
            'api_token_id': token_id, 'api_token_secret': secret, 'ca_path': sim.cert}


def read_pve_credentials(path):
    sys.path.insert(0, SIMULATORS)
    try:
        from pvesim.scenario import read_scenario  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.remove(SIMULATORS)
    return read_scenario(path)['credentials']


def pve_resources_check(expected):
    """Run 1 must leave exactly the expected sids under HA with the bench comment."""
    def check(sim, sample):
        state = sim.control('GET', '/state')
        resources = state.get('resources') or {}
        if isinstance(resources, list):
            resources = dict((r.get('sid'), r) for r in resources)
        have = sorted(sid for sid, res in resources.items() if (res or {}).get('comment') == BULK_COMMENT)
        if have != sorted(expected):
            return 'expected {0} HA resources with the bench comment, the simulator holds {1}'.format(len(expected), len(have))
        return None
    return check


def run_proxmox_bulk(bench, sim, credentials, sizes, runs):
    connection = pve_connection(sim, credentials)
    first_vmid = 1000
    for size in sizes:
        resources = bulk_resources(range(first_vmid, first_vmid + size))
        variables = {'pve': connection, 'bench_resources': resources}
        check = pve_resources_check([r['sid'] for r in resources])
        for dummy_repetition in range(runs):
            for side, playbook in (('ours', 'pve_bulk_ours.yml'), ('community.proxmox', 'pve_bulk_community.yml')):
                sim.reset()
                for run_no in (1, 2):
                    bench.measure('proxmox_bulk', size, side, run_no, sim, playbook, variables, check)


def table_proxmox_bulk(bench, sizes):
    rows = []
    for size in sorted(sizes):
        for run_no in (1, 2):
            ours = bench.pick('proxmox_bulk', size, 'ours', run_no)
            peer = bench.pick('proxmox_bulk', size, 'community.proxmox', run_no)
            o_wall, o_wall_sp = summarise(ours, 'wall')
            p_wall, p_wall_sp = summarise(peer, 'wall')
            o_req, o_req_sp = summarise(ours, 'requests')
            p_req, p_req_sp = summarise(peer, 'requests')
            o_wr = summarise_median(ours, 'writes')
            p_wr = summarise_median(peer, 'writes')
            o_ch = summarise_median(ours, 'changed')
            p_ch = summarise_median(peer, 'changed')
            rows.append([fmt_num(size), run_no, '{0} / {1}'.format(len(ours), len(peer)),
                         fmt_num(o_wall) + o_wall_sp, fmt_num(p_wall) + p_wall_sp, ratio(p_wall, o_wall),
                         '{0}{1} ({2} writes)'.format(fmt_num(o_req), o_req_sp, fmt_num(o_wr)),
                         '{0}{1} ({2} writes)'.format(fmt_num(p_req), p_req_sp, fmt_num(p_wr)),
                         ratio(p_req, o_req), '{0} / {1}'.format(fmt_num(o_ch), fmt_num(p_ch)),
                         error_cell(ours + peer)])
    headers = ['N guests', 'run', 'samples ours / peer', 'ours wall s', 'community wall s', 'wall peer/ours', 'ours HTTP requests',
               'community HTTP requests', 'requests peer/ours', 'changed ours / peer', 'error']
    return markdown_table(headers, rows)


# ----------------------------------------------------------------- vSphere configure

def vsphere_connection(sim):
    return {'hostname': '127.0.0.1', 'port': sim.port, 'username': 'user', 'password': 'pass', 'ca_path': sim.cert,
            'datacenter': 'DC0', 'cluster': 'Cluster0'}


VSPHERE_SIDES = (('ours', 'vsphere_ha_ours.yml'), ('vmware.vmware', 'vsphere_ha_vmware.yml'),
                 ('community.vmware', 'vsphere_ha_community.yml'))


def vsphere_ha_check(sim, sample):
    """Run 1 must leave HA on with powerOff isolation response and our isolation addresses (vcsim /_sim/state)."""
    try:
        state = sim.control('GET', '/state')
    except Exception as exc:  # pylint: disable=broad-except
        return 'could not read /_sim/state: {0}'.format(exc)
    text = json.dumps(state)
    missing = [a for a in ISOLATION_ADDRESSES if a not in text]
    if missing or 'powerOff' not in text:
        return 'the simulator does not show HA configured as asked (missing {0})'.format(missing or ['powerOff'])
    return None


def run_vsphere_configure(bench, sims, runs):
    for size, sim in sims:
        variables = {'vc': vsphere_connection(sim), 'isolation_addresses': ISOLATION_ADDRESSES}
        for dummy_repetition in range(runs):
            for side, playbook in VSPHERE_SIDES:
                sim.reset()
                for run_no in (1, 2):
                    bench.measure('vsphere_configure', size, side, run_no, sim, playbook, variables,
                                  vsphere_ha_check if run_no == 1 else None)


def table_vsphere(bench, sizes):
    rows = []
    for size in sorted(sizes, key=parse_vsphere_size):
        for run_no in (1, 2):
            ours = bench.pick('vsphere_configure', size, 'ours', run_no)
            o_wall, o_sp = summarise(ours, 'wall')
            o_req, o_rsp = summarise(ours, 'requests')
            cells = [size.replace('x', ' × '), run_no, len(ours), fmt_num(o_wall) + o_sp, fmt_num(o_req) + o_rsp]
            errors = []
            for side in ('vmware.vmware', 'community.vmware'):
                peer = bench.pick('vsphere_configure', size, side, run_no)
                p_wall, p_sp = summarise(peer, 'wall')
                p_req, p_rsp = summarise(peer, 'requests')
                p_ch = summarise_median(peer, 'changed')
                cells += [fmt_num(p_wall) + p_sp, fmt_num(p_req) + p_rsp, ratio(p_req, o_req),
                          'changed' if p_ch else ('ok' if p_ch is not None else '–')]
                if error_cell(peer):
                    errors.append('{0}: {1}'.format(side, error_cell(peer)))
            o_ch = summarise_median(ours, 'changed')
            cells.insert(5, 'changed' if o_ch else ('ok' if o_ch is not None else '–'))
            cells.append('; '.join(errors) or error_cell(ours))
            rows.append(cells)
    headers = ['hosts × VMs', 'run', 'samples per side', 'ours wall s', 'ours SOAP calls', 'ours result',
               'vmware.vmware wall s', 'vmware.vmware SOAP', 'SOAP vmware.vmware/ours', 'vmware.vmware result',
               'community.vmware wall s', 'community.vmware SOAP', 'SOAP community/ours', 'community.vmware result',
               'error']
    return markdown_table(headers, rows)


# ----------------------------------------------------------------- N+1 input gathering

def run_info(bench, pve_sims, vsphere_sims, runs):
    for size, sim, credentials, guests in pve_sims:
        variables = {'pve': pve_connection(sim, credentials), 'expected_guests': guests}
        for dummy_repetition in range(runs):
            for side, playbook in (('ours', 'pve_info_ours.yml'), ('community.proxmox', 'pve_info_community.yml')):
                sim.reset()
                bench.measure('info_proxmox', size, side, 1, sim, playbook, variables)
    for size, sim in vsphere_sims:
        hosts, vms = parse_vsphere_size(size)
        variables = {'vc': vsphere_connection(sim), 'expected_vms': vms, 'expected_hosts': hosts}
        for dummy_repetition in range(runs):
            for side, playbook in (('ours', 'vsphere_info_ours.yml'), ('community.vmware', 'vsphere_info_community.yml')):
                sim.reset()
                bench.measure('info_vsphere', size, side, 1, sim, playbook, variables)


def table_info(bench, pve_sizes, vsphere_sizes):
    rows = []
    for bench_name, sizes, peer, unit in (('info_proxmox', pve_sizes, 'community.proxmox', 'HTTP'),
                                          ('info_vsphere', vsphere_sizes, 'community.vmware', 'SOAP')):
        for size in sizes:
            ours = bench.pick(bench_name, size, 'ours', 1)
            other = bench.pick(bench_name, size, peer, 1)
            o_wall, o_sp = summarise(ours, 'wall')
            p_wall, p_sp = summarise(other, 'wall')
            o_req, o_rsp = summarise(ours, 'requests')
            p_req, p_rsp = summarise(other, 'requests')
            rows.append([bench_name.split('_')[1], str(size).replace('x', ' hosts × ') + ('' if 'x' not in str(size) else ' VMs'),
                         unit, '{0} / {1}'.format(len(ours), len(other)), fmt_num(o_wall) + o_sp, fmt_num(p_wall) + p_sp,
                         ratio(p_wall, o_wall), fmt_num(o_req) + o_rsp, fmt_num(p_req) + p_rsp, ratio(p_req, o_req),
                         error_cell(ours + other)])
    headers = ['platform', 'inventory', 'requests are', 'samples ours / peer', 'ours wall s', 'community wall s', 'wall peer/ours',
               'ours requests', 'community requests', 'requests peer/ours', 'error']
    return markdown_table(headers, rows)


# ----------------------------------------------------------------- capacity engine

def run_capacity(quick):
    """The capacity engine's own scaling benchmark (tests/benchmarks/bench_capacity.py), its table taken as is."""
    script = os.path.join(HERE, 'bench_capacity.py')
    if not os.path.exists(script):
        return None, 'tests/benchmarks/bench_capacity.py does not exist yet'
    cmd = [os.path.join(OURS_VENV, 'bin', 'python'), script] + (['--quick'] if quick else [])
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=PLAYBOOK_TIMEOUT,
                          check=False, cwd=ROOT)
    text = proc.stdout.decode(errors='replace')
    if proc.returncode != 0:
        return None, 'bench_capacity.py exited {0}: {1}'.format(proc.returncode, short_error(text[-400:], 400))
    table = [line for line in text.splitlines() if line.startswith('|')]
    return ('\n'.join(table) if table else text.strip()), None


# ----------------------------------------------------------------- main

def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true',
                        help='smoke run for the test command: N=10, 3 hosts, 1 run, every side of every ansible benchmark '
                             '(the capacity engine has its own --quick smoke run)')
    parser.add_argument('--bench', default=','.join(BENCHES),
                        help='comma-separated benchmarks: {0} (default all)'.format(', '.join(BENCHES)))
    parser.add_argument('--sizes', default='10,100,1000', help='Proxmox bulk HA sizes N (default 10,100,1000)')
    parser.add_argument('--vsphere-sizes', default='3x6,32x1000',
                        help='vSphere inventories as HOSTSxVMS (default 3x6,32x1000)')
    parser.add_argument('--runs', type=int, default=3, help='repetitions per side, alternating A B A B (default 3)')
    parser.add_argument('--out', default=OUT, help='where tables and raw samples go (default tests/output/benchmarks)')
    parser.add_argument('--render', action='store_true',
                        help='only rebuild vs_community.md from the saved vs_community-<bench>.json files')
    parser.add_argument('--update-docs', action='store_true',
                        help='also put the tables into docs/benchmarks.md (between its "vs-community tables" markers)')
    args = parser.parse_args(argv)
    args.bench = [b.strip() for b in args.bench.split(',') if b.strip()]
    unknown = [b for b in args.bench if b not in BENCHES]
    if unknown:
        parser.error('--bench: unknown {0}; choose from {1}'.format(', '.join(unknown), ', '.join(BENCHES)))
    if args.quick:
        # Smoke run: its results go to a folder of their own so they never replace a full run's.
        args.sizes, args.vsphere_sizes, args.runs = '10', '3x6', 1
        if args.out == OUT:
            args.out = os.path.join(OUT, 'quick')
    args.sizes = parse_sizes(args.sizes)
    args.vsphere_sizes = [s.strip() for s in args.vsphere_sizes.split(',') if s.strip()]
    if args.runs < 1:
        parser.error('--runs must be at least 1')
    if max(args.sizes) > 1000:
        parser.error('--sizes: the bulk scenario has 1,000 guests; give sizes up to 1000')
    return args


def git_commit():
    """The checkout's commit (with '+changes' when ours differs from it), so a table says what code it measured."""
    try:
        head = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=True, timeout=30).stdout.decode().strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'plugins'], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return 'unknown'
    return head + ('+changes' if dirty else '')


def ensure_peer_venv():
    script = os.path.join(HERE, 'peer-venv.sh')
    subprocess.run(['bash', script], check=True, timeout=1800)


def make_certificate(workdir):
    sys.path.insert(0, SIMULATORS)
    try:
        from fakepve.certs import make_cert  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.remove(SIMULATORS)
    cert, key, _der = make_cert(workdir, name='bench', hosts=('127.0.0.1', 'localhost'))
    return cert, key


TITLES = {
    'proxmox_bulk': 'Proxmox bulk HA (pve9-bulk: 5 nodes, 1,000 guests; N of them put under HA)',
    'vsphere_configure': 'vSphere HA configure (HA on, 2 isolation addresses, no default gateway, powerOff)',
    'info': 'N+1 input gathering (everything the failover-capacity check needs, one read)',
    'capacity': 'Capacity engine scaling (bench_capacity.py)',
}


def render_bench(name, data):
    """The Markdown table of one benchmark from its saved samples (so tables can be re-rendered without re-running)."""
    view = Bench(None, None)
    view.samples = data['samples']
    meta = data['meta']
    if name == 'proxmox_bulk':
        return table_proxmox_bulk(view, meta['sizes'])
    if name == 'vsphere_configure':
        return table_vsphere(view, meta['vsphere_sizes'])
    if name == 'info':
        return table_info(view, meta['pve_sizes'], meta['vsphere_sizes'])
    return meta.get('table') or 'not measured'


def merge_sizes(old, new):
    """Sizes of an earlier invocation plus this one's, in first-seen order."""
    merged = list(old or [])
    for size in new or []:
        if size not in merged:
            merged.append(size)
    return merged


def save_bench(out_dir, name, bench, meta):
    """One file per benchmark, rewritten after every sample so that a stopped run keeps what it measured.

    Sizes measured by an earlier invocation and not by this one are kept, so that, for example,
    `--sizes 10,100 --runs 3` and then `--sizes 1000 --runs 1` end up in one table.
    """
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'vs_community-{0}.json'.format(name))
    prefix = name.split('_')[0]
    new_samples = [s for s in bench.samples if s['bench'].split('_')[0] == prefix]
    new_problems = [p for p in bench.problems if p['bench'].split('_')[0] == prefix]
    sizes_now = set(s['size'] for s in new_samples)
    old = {'samples': [], 'problems': [], 'meta': {}}
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            old = json.load(handle)
    merged_meta = dict(old.get('meta') or {})
    for key, value in meta.items():
        if key.endswith('sizes'):
            merged_meta[key] = merge_sizes(merged_meta.get(key), value)
        else:
            merged_meta[key] = value
    runs_by_size = dict(merged_meta.get('runs_by_size') or {})
    for size in sizes_now:
        runs_by_size[str(size)] = {'runs': meta.get('runs'), 'commit': meta.get('commit')}
    merged_meta['runs_by_size'] = runs_by_size
    data = {'bench': name, 'generated': time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), 'meta': merged_meta,
            'samples': [s for s in old.get('samples', []) if s['size'] not in sizes_now] + new_samples,
            'problems': [p for p in old.get('problems', []) if p.get('size') not in sizes_now] + new_problems}
    with open(path + '.tmp', 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=1)
    os.replace(path + '.tmp', path)


def render_report(out_dir, command):
    """vs_community.md from every vs_community-<bench>.json in out_dir; returns its text."""
    parts = ['# clusterops.ha vs the community collections', '',
             'Made by `{0}`; medians over the runs, a range in brackets when runs differed. '
             'Wall = the whole ansible-playbook process; requests = what the simulator counted.'.format(command), '']
    datas = {}
    for name in BENCHES:
        path = os.path.join(out_dir, 'vs_community-{0}.json'.format(name))
        if not os.path.exists(path):
            continue
        with open(path, encoding='utf-8') as handle:
            data = json.load(handle)
        datas[name] = data
        meta = data['meta']
        loads = [s['load'] for s in data['samples'] if 'load' in s]
        load = '; 1-min load average during the runs {0:.1f}–{1:.1f} on {2} cores'.format(
            min(loads), max(loads), os.cpu_count()) if loads else ''
        commits = sorted(set(v.get('commit') or '?' for v in (meta.get('runs_by_size') or {}).values())) or [meta.get('commit', '?')]
        parts += ['## ' + TITLES[name], '',
                  '{0}; code at commit {1}{2}.'.format(data['generated'], ', '.join(commits), load), '',
                  render_bench(name, data), '']
        if data.get('problems'):
            parts += ['Problems: ' + '; '.join(short_error(p['text'], 300) for p in data['problems']), '']
    targets = targets_table(datas)
    if targets:
        parts += ['## Targets', '', targets, '']
    text = '\n'.join(parts)
    with open(os.path.join(out_dir, 'vs_community.md'), 'w', encoding='utf-8') as handle:
        handle.write(text)
    return text


def verdict(holds):
    return '–' if holds is None else ('holds' if holds else 'does NOT hold')


def targets_table(datas):
    """The issue's targets, each with the measured figures and whether it holds."""
    rows = []
    if 'proxmox_bulk' in datas:
        view = Bench(None, None)
        view.samples = datas['proxmox_bulk']['samples']
        sizes = sorted(set(s['size'] for s in view.samples))
        if sizes:
            big = sizes[-1]
            o_wall = summarise_median(view.pick('proxmox_bulk', big, 'ours', 1), 'wall')
            p_wall = summarise_median(view.pick('proxmox_bulk', big, 'community.proxmox', 1), 'wall')
            # The target is about N = 1,000; a smaller largest size gets no verdict.
            holds = None if o_wall is None or p_wall is None or big < 1000 else p_wall >= 50 * o_wall
            rows.append(['Bulk HA, N = {0}: ours ≥ 50× faster than the peer loop on run 1'.format(fmt_num(big)),
                         'ours {0} s, peer {1} s: {2}'.format(fmt_num(o_wall), fmt_num(p_wall), ratio(p_wall, o_wall)),
                         verdict(holds)])
            run2 = [s for s in view.samples if s['side'] == 'ours' and s['run'] == 2 and s['ok']]
            counts = sorted(set(s['requests'] for s in run2))
            writes = sum(s['writes'] for s in run2)
            rows.append(['Bulk HA run 2: only reads, a constant number',
                         'ours run 2 requests at N = {0}: {1}; writes {2}'.format(
                             ', '.join(fmt_num(n) for n in sizes), ', '.join(fmt_num(c) for c in counts), writes),
                         verdict(None if not run2 else (writes == 0 and len(counts) == 1))])
    if 'vsphere_configure' in datas:
        view = Bench(None, None)
        view.samples = datas['vsphere_configure']['samples']
        sizes = sorted(set(s['size'] for s in view.samples), key=parse_vsphere_size)
        ours = [summarise_median(view.pick('vsphere_configure', size, 'ours', 2), 'requests') for size in sizes]
        peer = [summarise_median(view.pick('vsphere_configure', size, 'vmware.vmware', 2), 'requests') for size in sizes]
        known = [o is not None and p is not None for o, p in zip(ours, peer)]
        holds = None if not sizes or not all(known) else (
            all(3 * o <= p for o, p in zip(ours, peer)) and len(set(ours)) == 1)
        rows.append(['vSphere no-op run: ≤ ⅓ of vmware.vmware\'s SOAP calls, same count at every size',
                     '; '.join('{0}: ours {1}, vmware.vmware {2}'.format(size, fmt_num(o), fmt_num(p))
                               for size, o, p in zip(sizes, ours, peer)), verdict(holds)])
    if 'info' in datas:
        view = Bench(None, None)
        view.samples = datas['info']['samples']
        for bench_name in ('info_proxmox', 'info_vsphere'):
            mine = [s for s in view.samples if s['bench'] == bench_name and s['side'] == 'ours' and s['ok']]
            by_size = {}
            for sample in mine:
                by_size.setdefault(sample['size'], set()).add(sample['requests'])
            counts = sorted(set().union(*by_size.values())) if by_size else []
            rows.append(['Info gathering ({0}): requests constant in inventory size'.format(bench_name.split('_')[1]),
                         '; '.join('{0}: {1}'.format(size, ', '.join(str(c) for c in sorted(v))) for size, v in by_size.items()),
                         verdict(None if len(by_size) < 2 else len(counts) == 1)])
    return markdown_table(['target', 'measured (medians)', 'verdict'], rows) if rows else ''


DOCS = os.path.join(ROOT, 'docs', 'benchmarks.md')
DOCS_BEGIN = '<!-- vs-community tables: begin (written by bench_vs_community.py --update-docs) -->'
DOCS_END = '<!-- vs-community tables: end -->'


def replace_block(text, block):
    """text with everything between the markers replaced by block; ValueError when a marker is missing."""
    start, end = text.index(DOCS_BEGIN) + len(DOCS_BEGIN), text.index(DOCS_END)
    return text[:start] + '\n' + block.strip() + '\n' + text[end:]


def update_docs(report):
    # The report's own title is dropped: the page has its own headings around the block.
    body = report.split('\n', 2)[2] if report.startswith('# ') else report
    with open(DOCS, encoding='utf-8') as handle:
        text = handle.read()
    with open(DOCS, 'w', encoding='utf-8') as handle:
        handle.write(replace_block(text, body.replace('\n## ', '\n### ')))


def main(argv=None):
    args = parse_args(argv)
    if args.render:
        report = render_report(args.out, 'tests/benchmarks/bench_vs_community.py')
        if args.update_docs:
            update_docs(report)
        print(report)
        return 0
    ensure_peer_venv()
    os.makedirs(args.out, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix='run-', dir=args.out)
    cert, key = make_certificate(workdir)
    runner = Runner(workdir, cert)
    bench = Bench(args, runner)
    sims = []
    common = {'runs': args.runs, 'quick': args.quick, 'commit': git_commit()}

    def start(kind, path):
        sim = Simulator(kind, path, workdir, cert, key)
        sims.append(sim)
        return sim

    def stop_all():
        for sim in sims:
            sim.stop()

    def on_sigterm(signum, frame):
        # The finally below stops the simulators.
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        pve_bulk = None
        if 'proxmox_bulk' in args.bench or 'info' in args.bench:
            bulk_path = os.path.join(SCENARIOS, PVE_BULK_SCENARIO)
            pve_bulk = (start('pve', bulk_path), read_pve_credentials(bulk_path))
        vsphere = []
        if 'vsphere_configure' in args.bench or 'info' in args.bench:
            for size in args.vsphere_sizes:
                hosts, vms = parse_vsphere_size(size)
                path = os.path.join(workdir, 'vsphere-{0}.json'.format(size))
                with open(path, 'w', encoding='utf-8') as handle:
                    json.dump(vsphere_scenario(hosts, vms, 'bench-' + size), handle)
                vsphere.append((size, start('vcsim', path)))

        if 'proxmox_bulk' in args.bench:
            print('== Proxmox bulk HA: sizes {0}, {1} runs'.format(args.sizes, args.runs), flush=True)
            bench.sink = lambda: save_bench(args.out, 'proxmox_bulk', bench, dict(common, sizes=args.sizes))
            run_proxmox_bulk(bench, pve_bulk[0], pve_bulk[1], args.sizes, args.runs)
        if 'vsphere_configure' in args.bench:
            print('== vSphere configure: {0}, {1} runs'.format(args.vsphere_sizes, args.runs), flush=True)
            bench.sink = lambda: save_bench(args.out, 'vsphere_configure', bench, dict(common, vsphere_sizes=args.vsphere_sizes))
            run_vsphere_configure(bench, vsphere, args.runs)
        if 'info' in args.bench:
            small_path = os.path.join(SCENARIOS, PVE_SMALL_SCENARIO)
            pve_small = (start('pve', small_path), read_pve_credentials(small_path))
            pve_sizes = [('3 nodes × 6', pve_small[0], pve_small[1], 6), ('5 nodes × 1,000', pve_bulk[0], pve_bulk[1], 1000)]
            if args.quick:
                pve_sizes = pve_sizes[:1]
            print('== N+1 input gathering, {0} runs'.format(args.runs), flush=True)
            info_meta = dict(common, pve_sizes=[s[0] for s in pve_sizes], vsphere_sizes=args.vsphere_sizes)
            bench.sink = lambda: save_bench(args.out, 'info', bench, info_meta)
            run_info(bench, pve_sizes, vsphere, args.runs)
        if 'capacity' in args.bench and not args.quick:
            print('== capacity engine (bench_capacity.py)', flush=True)
            table, error = run_capacity(args.quick)
            if error:
                bench.problem('capacity', 'all', 'capacity: ' + error)
            save_bench(args.out, 'capacity', bench, dict(common, table=table or 'not measured: ' + str(error)))
    finally:
        stop_all()
    command = 'tests/benchmarks/bench_vs_community.py' + (' --quick' if args.quick else '')
    report = render_report(args.out, command)
    if args.update_docs:
        update_docs(report)
    print('\n' + report)
    print('written: {0}'.format(os.path.relpath(os.path.join(args.out, 'vs_community.md'), ROOT)))
    if not bench.problems and all(sample['ok'] for sample in bench.samples):
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print('logs kept in {0}'.format(os.path.relpath(workdir, ROOT)))
    if bench.problems:
        print('\nBROKEN ({0}), logs kept in {1}:'.format(len(bench.problems), os.path.relpath(workdir, ROOT)))
        for problem in bench.problems:
            print('  - ' + problem['text'])
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
