#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark vsphere_cluster_ha_vm_overrides: 500 VMs in one reconfigure, then a no-op run and check mode.

On the simulated vsphere-large cluster (32 hosts x 1,000 VMs) it runs, as separate processes:
check mode (must make no write), run 1 (must make exactly ONE ReconfigureComputeResource_Task
for all 500 VMs), run 2 (the same again: must make no write), and prints the SOAP calls per run.
Exits non-zero when a run fails or the write counts differ from that.

    .venv/bin/python tests/benchmarks/bench_vsphere_vm_overrides.py [--vms 500] [--quick]
"""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_vsphere as bench  # noqa: E402  pylint: disable=wrong-import-position

MODULE = 'vsphere_cluster_ha_vm_overrides'


def measure(sim, root, label, args):
    """Run the module once (arguments in a file: 500 overrides are too long for one argv entry)."""
    sim.reset_calls()
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    path = os.path.join(bench.REPO, 'plugins', 'modules', MODULE + '.py')
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, path, handle.name], env=dict(os.environ, PYTHONPATH=root), capture_output=True,
                              text=True, timeout=bench.MODULE_TIMEOUT, check=False)
    finally:
        os.unlink(handle.name)
    seconds = time.monotonic() - started
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        result = {'failed': True, 'msg': (proc.stdout + proc.stderr)[-2000:]}
    calls = sim.calls()
    return {'label': label, 'failed': bool(result.get('failed')), 'msg': result.get('msg'), 'changed': result.get('changed'),
            'calls': calls['total'], 'by_method': calls['by_method'], 'seconds': seconds}


def writes(row):
    return dict((m, n) for m, n in row['by_method'].items() if m.startswith('Reconfigure') or m.endswith('_Task'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--vms', type=int, default=500, help='number of VMs given overrides (default 500)')
    parser.add_argument('--quick', action='store_true', help='smoke test: every VM of vsphere-3host (12)')
    args = parser.parse_args(argv)
    scenario, datacenter, cluster = ('vsphere-3host', 'DC1', 'Cluster1') if args.quick else ('vsphere-large', 'DC-LARGE', 'Large-Cluster')
    if args.quick:
        names = [vm['name'] for vm in bench.vcsimctl.load_scenario(scenario)['vms']]
        args.vms = len(names)
    else:
        names = ['vm%05d' % (n + 1) for n in range(args.vms)]
    bench.vcsimctl.build()
    from fakepve.certs import make_cert  # the project's simulators share this certificate helper
    workdir = tempfile.mkdtemp(prefix='bench-overrides-cert-')
    cert, key, dummy = make_cert(workdir, name='sim', hosts=('127.0.0.1',))
    root = bench.collection_root()
    try:
        with bench.vcsimctl.running(scenario, cert=cert, key=key, timeout=300) as sim:
            summary = sim.control('GET', 'scenario')
            connection = {'hostname': sim.host, 'port': sim.port, 'username': sim.username, 'password': sim.password,
                          'ca_path': cert, 'datacenter': datacenter, 'cluster': cluster}
            overrides = [{'vm': name, 'restart_priority': ('high', 'low', 'disabled')[n % 3],
                          'isolation_response': 'shutdown'} for n, name in enumerate(names)]
            task_args = dict(connection, overrides=overrides)
            rows = [
                measure(sim, root, 'check mode', dict(task_args, _ansible_check_mode=True)),
                measure(sim, root, 'run 1 (%d VMs)' % args.vms, task_args),
                measure(sim, root, 'run 2 (no-op)', task_args),
            ]
            stored = len(sim.state()['dasVmConfig'] or [])
            for row in rows:
                row.update(scenario=scenario, hosts=summary['hosts'], vms=summary['vms'])
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    print(bench.table(rows))
    problems = ['%s failed: %s' % (r['label'], r['msg']) for r in rows if r['failed']]
    if writes(rows[0]):
        problems.append('check mode wrote: %s' % writes(rows[0]))
    if writes(rows[1]) != {'ReconfigureComputeResource_Task': 1}:
        problems.append('run 1 wrote %s, expected one ReconfigureComputeResource_Task' % writes(rows[1]))
    if writes(rows[2]) or rows[2]['changed']:
        problems.append('run 2 was not a no-op: changed %s, writes %s' % (rows[2]['changed'], writes(rows[2])))
    if stored != args.vms:
        problems.append('the simulator stores %d overrides, expected %d' % (stored, args.vms))
    print()
    print('%d VM overrides stored by one reconfigure; check mode and the second run wrote nothing.' % stored if not problems else '')
    for problem in problems:
        print('FAILED: %s' % problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
