# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request counts and wall time of clusterops.ha.proxmox_ha_resources converging N HA resources.

For each N (10, 100, 1000; `--quick`: 10 only) on the simulated `pve9-bulk` cluster (1,000 guests,
5 nodes): reset the simulator, run the module once (creates N resources) and once more with the
same input (must be a no-op), and count the requests from the simulator's request log. The module
runs as Ansible runs it: a separate Python process fed the module arguments as JSON. Prints a
Markdown table; never fails on a timing, only on a wrong result (run 2 not a no-op, wrong count).

    .venv/bin/python tests/benchmarks/bench_proxmox_bulk.py [--quick] [--sizes 10,100]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'simulators'))

import pvesim  # noqa: E402  (needs the path above)

FIRST_VMID = 1000  # pve9-bulk generates guests 1000..1999
MODULE = 'ansible_collections.clusterops.ha.plugins.modules.proxmox_ha_resources'
RUN_TIMEOUT = 600


def collection_tree():
    """Lay out the collection (scripts/collection-tree.sh) and return the directory to put on PYTHONPATH."""
    dest = subprocess.run([os.path.join(ROOT, 'scripts', 'collection-tree.sh')], check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    return os.path.dirname(os.path.dirname(os.path.dirname(dest)))


def control(sim, method, path, body=None):
    resp = requests.request(method, sim.control_url + path, json=body, verify=sim.cafile, timeout=30)
    resp.raise_for_status()
    return resp.json()


def run_module(sim, tree, config):
    """Run the module in its own process; returns (result dict, seconds)."""
    args = dict(api_host=sim.host, api_port=sim.port, api_token_id='root@pam!ci',
                api_token_secret='7c1f4e2a-9b3d-4c8e-a6f0-5d2b8e91c3a7', ca_path=sim.cafile, config=config, state='merged')
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': args}, handle)
    env = dict(os.environ, PYTHONPATH=tree)
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, '-m', MODULE, handle.name], capture_output=True, text=True, env=env,
                              timeout=RUN_TIMEOUT, check=False)
    finally:
        os.unlink(handle.name)
    seconds = time.monotonic() - started
    result = json.loads(proc.stdout)
    if result.get('failed'):
        raise SystemExit('module failed: %s' % result.get('msg'))
    return result, seconds


def measure(sim, tree, size):
    control(sim, 'POST', '/scenario', {'name': 'pve9-bulk'})
    config = [{'sid': 'vm:%d' % (FIRST_VMID + i), 'max_relocate': 2} for i in range(size)]
    rows = []
    for run in (1, 2):
        control(sim, 'DELETE', '/requests')
        result, seconds = run_module(sim, tree, config)
        counts = control(sim, 'GET', '/requests')['counts']
        rows.append(dict(n=size, run=run, changed=result['changed'], reads=counts['read'], writes=counts['write'],
                         total=counts['total'], seconds=seconds))
    first, second = rows
    if first['writes'] != size or second['writes'] != 0 or second['changed']:
        raise SystemExit('unexpected result for N=%d: run 1 wrote %d, run 2 wrote %d (changed=%s)'
                         % (size, first['writes'], second['writes'], second['changed']))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--quick', action='store_true', help='N=10 only (smoke)')
    parser.add_argument('--sizes', default='10,100,1000', help='comma-separated N values (at most 1000)')
    args = parser.parse_args(argv)
    sizes = [10] if args.quick else [int(s) for s in args.sizes.split(',')]
    if any(not 0 < s <= 1000 for s in sizes):
        parser.error('sizes must be between 1 and 1000 (the pve9-bulk scenario has 1,000 guests)')
    tree = collection_tree()
    rows = []
    with pvesim.running('pve9-bulk') as sim:
        for size in sizes:
            rows.extend(measure(sim, tree, size))
    print('| N | run | changed | reads | writes | total requests | wall time (s) |')
    print('|---:|---:|:---|---:|---:|---:|---:|')
    for row in rows:
        print('| {n} | {run} | {changed} | {reads} | {writes} | {total} | {seconds:.2f} |'.format(**row))
    return 0


if __name__ == '__main__':
    sys.exit(main())
