#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark the vSphere HA modules on the simulated vCenter: SOAP calls and wall time.

For each size (vsphere-3host: 3 hosts, 12 VMs; vsphere-large: 32 hosts x 1,000 VMs) it
starts clusterops-vcsim, then runs as separate processes, the way Ansible runs a module:

* vsphere_cluster_ha, run 1 (hardening settings on a fresh cluster),
* vsphere_cluster_ha, run 2 (the same settings again: the no-op run),
* vsphere_cluster_ha_info.

It prints a Markdown table with the simulator's SOAP call counter (total and per method)
and the wall time of each run. It never fails on a timing; it exits non-zero only when a
module run fails. ``--quick`` runs the 3-host size only (a smoke test).

    .venv/bin/python tests/benchmarks/bench_vsphere.py [--quick]
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
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, 'tests', 'simulators'))

import vcsimctl  # noqa: E402  pylint: disable=wrong-import-position

SIZES = (
    ('vsphere-3host', 'DC1', 'Cluster1'),
    ('vsphere-large', 'DC-LARGE', 'Large-Cluster'),
)
HARDEN = {
    'enabled': True,
    'host_monitoring': True,
    'isolation_addresses': ['10.10.0.1', '10.10.0.2'],
    'use_default_isolation_address': False,
    'isolation_response': 'powerOff',
    'restart_priority': 'high',
    'admission_control': {'policy': 'percentage', 'failover_level': 1, 'auto_compute': True},
    'advanced_options': {'das.ignoreRedundantNetWarning': True},
}
# What the issue measured for the existing modules' no-op run on the same kind of simulator.
REFERENCE_NOOP_CALLS = {'vmware.vmware.cluster_ha': 19, 'community.vmware.vmware_cluster_ha': 18}
MODULE_TIMEOUT = 900


def collection_root():
    """A temporary ansible_collections/clusterops/ha that points at this checkout (imports need that path)."""
    root = tempfile.mkdtemp(prefix='bench-vsphere-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'clusterops'))
    os.symlink(REPO, os.path.join(root, 'ansible_collections', 'clusterops', 'ha'))
    return root


def run_module(root, module, args):
    """Run one module file as a process with ANSIBLE_MODULE_ARGS; return (result, seconds)."""
    path = os.path.join(REPO, 'plugins', 'modules', module + '.py')
    env = dict(os.environ, PYTHONPATH=root)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, path, json.dumps({'ANSIBLE_MODULE_ARGS': args})], env=env,
                          capture_output=True, text=True, timeout=MODULE_TIMEOUT, check=False)
    seconds = time.monotonic() - started
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        result = {'failed': True, 'msg': (proc.stdout + proc.stderr)[-2000:]}
    return result, seconds


def measure(sim, root, label, module, args):
    sim.reset_calls()
    result, seconds = run_module(root, module, args)
    calls = sim.calls()
    return {
        'label': label,
        'failed': bool(result.get('failed')),
        'msg': result.get('msg'),
        'changed': result.get('changed'),
        'calls': calls['total'],
        'by_method': calls['by_method'],
        'seconds': seconds,
    }


def bench_size(scenario, datacenter, cluster, cert, key, root):
    with vcsimctl.running(scenario, cert=cert, key=key, timeout=300) as sim:
        data = vcsimctl.load_scenario(scenario)
        connection = {'hostname': sim.host, 'port': sim.port, 'username': sim.username, 'password': sim.password,
                      'ca_path': cert, 'datacenter': datacenter, 'cluster': cluster}
        summary = sim.control('GET', 'scenario')
        hosts, vms = summary['hosts'], summary['vms']
        harden = dict(connection, **HARDEN)
        rows = [
            measure(sim, root, 'vsphere_cluster_ha run 1', 'vsphere_cluster_ha', harden),
            measure(sim, root, 'vsphere_cluster_ha run 2 (no-op)', 'vsphere_cluster_ha', harden),
            measure(sim, root, 'vsphere_cluster_ha_info', 'vsphere_cluster_ha_info', connection),
        ]
        for row in rows:
            row.update(scenario=data.get('name', scenario), hosts=hosts, vms=vms, startup=sim.startup_seconds)
        return rows


def table(rows):
    lines = [
        '| Scenario | Hosts | VMs | Run | changed | SOAP calls | Calls by method | Wall time (s) |',
        '|---|---:|---:|---|---|---:|---|---:|',
    ]
    for row in rows:
        methods = ', '.join('%s %d' % (m, n) for m, n in sorted(row['by_method'].items()))
        changed = 'FAILED' if row['failed'] else str(row['changed']).lower()
        lines.append('| %s | %d | %d | %s | %s | %d | %s | %.2f |' % (
            row['scenario'], row['hosts'], row['vms'], row['label'], changed, row['calls'], methods, row['seconds']))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='3-host scenario only (smoke test)')
    args = parser.parse_args(argv)
    vcsimctl.build()
    from fakepve.certs import make_cert  # the project's simulators share this certificate helper
    workdir = tempfile.mkdtemp(prefix='bench-vsphere-cert-')
    cert, key, dummy = make_cert(workdir, name='sim', hosts=('127.0.0.1',))
    root = collection_root()
    rows = []
    try:
        for scenario, datacenter, cluster in SIZES[:1] if args.quick else SIZES:
            rows.extend(bench_size(scenario, datacenter, cluster, cert, key, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(workdir, ignore_errors=True)
    print(table(rows))
    noop = [r['calls'] for r in rows if 'no-op' in r['label']]
    print()
    print('No-op run SOAP calls per size: %s (target: at most 6 = 1/3 of vmware.vmware.cluster_ha\'s %d, '
          'community.vmware.vmware_cluster_ha makes %d; the same count at every size).'
          % (', '.join(str(n) for n in noop), REFERENCE_NOOP_CALLS['vmware.vmware.cluster_ha'],
             REFERENCE_NOOP_CALLS['community.vmware.vmware_cluster_ha']))
    failures = [r for r in rows if r['failed']]
    for row in failures:
        print('FAILED %s on %s: %s' % (row['label'], row['scenario'], row['msg']), file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
