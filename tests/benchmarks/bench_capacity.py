#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of the failover-capacity engine. Prints a Markdown table; never fails on a timing.

    python tests/benchmarks/bench_capacity.py            # full run (64 hosts x 10,000 guests, scaling)
    python tests/benchmarks/bench_capacity.py --quick    # small smoke run used by scripts/test.sh

Clusters are generated from a fixed seed: about 156 guests per host, sizes 1-32 GiB, 10 %
non-HA, 5 % restricted to 4 hosts, 2 % in anti-affinity pairs, 10 % with host priorities, hosts
sized so that memory is about 80 % committed (N+2 passes on 64 hosts; N+3 fails: some guests are
restricted to 3 hosts). "roomy" clusters (60 %, 7 allowed hosts, no preferences) pass N+3. The "ring" cluster is
adversarial for the preferred order (see make_ring_cluster). Rows marked "pve-basic" /
"pve-static" are the same clusters on Proxmox, where the engine replays PVE's own recovery.
"""

from __future__ import absolute_import, division, print_function

import argparse
import importlib
import os
import random
import sys
import tempfile
import time

__metaclass__ = type

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..'))
GUEST_GIB = [1, 2, 2, 4, 4, 4, 8, 8, 16, 32]


def load_engine():
    """The engine package (plugins/plugin_utils/_capacity) of this checkout, importable by its collection name.

    It has no Ansible import; only the ansible_collections.clusterops.ha path is needed, so a
    checkout that is not laid out that way is linked into a temporary one.
    """
    parts = REPO.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['clusterops', 'ha']:
        root = os.sep.join(parts[:-3])
    else:
        root = tempfile.mkdtemp(prefix='bench-capacity-')
        os.makedirs(os.path.join(root, 'ansible_collections', 'clusterops'))
        os.symlink(REPO, os.path.join(root, 'ansible_collections', 'clusterops', 'ha'))
    sys.path.insert(0, root)
    return importlib.import_module('ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine')


def make_cluster(hosts, guests, seed=42, load=0.80, allowed_extra=3, preferences=True):
    rng = random.Random(seed)
    names = ['host%03d' % i for i in range(hosts)]
    entries = []
    for i in range(guests):
        entry = {
            'id': 'vm:%06d' % i,
            'host': names[i % hosts],
            'running': rng.random() < 0.97,
            'ha': rng.random() < 0.90,
            'memory_mb': rng.choice(GUEST_GIB) * 1024,
            'overhead_mb': rng.choice([0, 64, 128]),
        }
        entry['reservation_mb'] = entry['memory_mb'] // 2
        roll = rng.random()
        if roll < 0.05:
            entry['allowed_hosts'] = sorted(set([entry['host']] + rng.sample(names, min(allowed_extra, hosts))))
        elif roll < 0.15 and preferences:
            entry['host_priority'] = dict((n, rng.randint(0, 2)) for n in rng.sample(names, min(3, hosts)))
        entries.append(entry)
    # Anti-affinity pairs: two guests on different hosts share a label.
    pairs = max(1, guests // 100) if preferences else 0
    for p in range(pairs):
        a, b = rng.sample(range(guests), 2)
        if entries[a]['host'] != entries[b]['host']:
            entries[a]['anti_affinity'] = ['pair%d' % p]
            entries[b]['anti_affinity'] = ['pair%d' % p]
    position = dict((n, i) for i, n in enumerate(names))
    committed = [0] * hosts
    for entry in entries:
        if entry['running']:
            committed[position[entry['host']]] += entry['memory_mb'] + entry['overhead_mb']
    average = sum(committed) / float(hosts)
    # Every host gets the same size; the busiest host must still fit its own guests.
    size = int(max(average / load, max(committed) * 1.02) // 1024 + 1) * 1024
    return {
        'platform': 'vsphere',
        'cluster': 'bench-%dx%d' % (hosts, guests),
        'hosts': [{'name': n, 'memory_mb': size, 'reserved_mb': 4096, 'state': 'online'} for n in names],
        'guests': entries,
    }


def make_ring_cluster(hosts, guests_per_host=6):
    """Adversarial for the preferred order: every survivor has room for exactly one displaced
    guest and one guest per host may only use its 3 ring neighbours, so adjacent failures need
    the exact search."""
    names = ['host%03d' % i for i in range(hosts)]
    entries = []
    for i, name in enumerate(names):
        for j in range(guests_per_host):
            entry = {'id': 'vm:%03d%02d' % (i, j), 'host': name, 'memory_mb': 8192}
            if j == 0:
                entry['allowed_hosts'] = [names[(i + d) % hosts] for d in range(4)]
            entries.append(entry)
        entries.append({'id': 'vm:%03dxx' % i, 'host': name, 'memory_mb': 1024, 'ha': False})
    return {'platform': None, 'cluster': 'ring-%d' % hosts,  # feasibility: the exact search's worst case
            'hosts': [{'name': n, 'memory_mb': 8192 * guests_per_host + 1024 + 15360} for n in names],
            'guests': entries}


def as_proxmox(model, crs):
    """The same cluster on Proxmox: the engine replays PVE's recovery with scheduler crs."""
    model = dict(model, platform='proxmox', crs=crs)
    model['hosts'] = [dict(h, cpus=64) for h in model['hosts']]
    model['guests'] = [dict(g, cpus=2) for g in model['guests']]
    return model


# "roomy": 60 % committed, restricted guests allowed on 7 hosts, no host priorities or
# anti-affinity pairs: N+3 holds there, so the bounds must prove it rather than find a counterexample.
ROOMY = dict(load=0.60, allowed_extra=6, preferences=False)


def measure(engine, hosts, guests, k, ring=False, crs=None):
    roomy = ring == 'roomy'
    if roomy:
        ring = False
    model = make_ring_cluster(hosts) if ring else make_cluster(hosts, guests, **(ROOMY if roomy else {}))
    if crs:
        model = as_proxmox(model, crs)
    guests = len(model['guests'])
    start = time.perf_counter()
    normalized = engine.normalize_model(model)
    validate_s = time.perf_counter() - start

    start, cpu_start = time.perf_counter(), time.process_time()
    cluster = engine.new_cluster(normalized, 'configured', 0)
    summary, scenarios, _track = engine._evaluate_k(cluster, k, engine.ENUMERATION_LIMIT, engine.SEARCH_NODE_LIMIT, True)
    k_only_s, k_only_cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    displaced = sum(s['displaced_count'] for s in scenarios)
    searched = sum(1 for s in scenarios if s['placement'] == 'search')

    start, cpu_start = time.perf_counter(), time.process_time()
    result = engine.evaluate(normalized, host_failures=k)
    evaluate_s, evaluate_cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        'cluster': ('ring' if ring else 'roomy' if roomy else 'random') + (' pve-' + crs if crs else ''),
        'hosts': hosts,
        'guests': guests,
        'searched': searched,
        'k': k,
        'scenarios': summary['scenario_count'],
        'evaluated': summary['evaluated_count'],
        'method': summary['method'],
        'ok': result['ok'],
        'tolerated': result['tolerated_host_failures'],
        'validate_s': validate_s,
        'k_only_s': k_only_s,
        'k_only_cpu_s': k_only_cpu_s,
        'evaluate_s': evaluate_s,
        'evaluate_cpu_s': evaluate_cpu_s,
        'displaced': displaced,
        'us_per_displaced': 1e6 * k_only_cpu_s / displaced if displaced else 0.0,
    }


def _load_average():
    try:
        return '%.1f' % os.getloadavg()[0]
    except (AttributeError, OSError):
        return 'unknown'


def print_table(rows):
    print('| cluster | hosts | guests | k | failure sets | checked | placed only by search | method | ok | tolerated | validate s '
          '| k only s (cpu s) | full verdict s (cpu s) | displaced guests placed | cpu us per displaced guest |')
    print('|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|')
    for r in rows:
        print('| %(cluster)s | %(hosts)d | %(guests)d | %(k)d | %(scenarios)d | %(evaluated)d | %(searched)d | %(method)s | %(ok)s '
              '| %(tolerated)d | %(validate_s).3f | %(k_only_s).3f (%(k_only_cpu_s).3f) | %(evaluate_s).3f (%(evaluate_cpu_s).3f) '
              '| %(displaced)d | %(us_per_displaced).1f |' % r)
    sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='small smoke run (seconds)')
    parser.add_argument('--large', action='store_true', help='only the N+2 / N+3 rows at 64 hosts x 10,000 guests')
    args = parser.parse_args(argv)
    engine = load_engine()
    # N+2 and N+3 at 64 x 10,000 (issue 15): decided by counterexamples, bounds and symmetry. PVE's static
    # scheduler has no bound yet (docs/capacity-engine.md 5.5): its rows show what that costs.
    large = [(64, 10000, k, variant, crs) for variant in (False, 'roomy') for crs in (None, 'basic', 'static')
             for k in (2, 3)]
    if args.large:
        plan = large
    elif args.quick:
        plan = [(8, 1250, 1, False, None), (8, 1250, 2, False, None), (16, 2500, 2, False, None), (16, 0, 2, True, None),
                (16, 2500, 2, False, 'basic'), (8, 1250, 1, False, 'static'), (16, 2500, 3, 'roomy', 'basic')]
    else:
        plan = [(64, 10000, 1, False, None)] + large
        plan += [(h, h * 10000 // 64, 2, False, None) for h in (8, 16, 32)]  # same guests per host, more hosts
        plan += [(64, g, 2, False, None) for g in (2500, 5000)]  # same hosts, more guests
        plan += [(64, 0, 2, True, None)]  # adversarial: adjacent failures need the exact search
        # Proxmox: PVE's recovery replayed (basic counts services; static scores CPU and memory per placement).
        plan += [(64, 10000, 1, False, 'basic'), (16, 2500, 2, False, 'static'),
                 (32, 5000, 1, False, 'static'), (64, 10000, 1, False, 'static')]
    print('Failover-capacity engine, Python %s, %d CPU(s) visible, load average %s; "k only" = all failure sets of '
          'the requested k; "full verdict" adds every smaller k and the search for tolerated_host_failures; '
          'wall-clock seconds with CPU seconds of this process in brackets.\n'
          % (sys.version.split()[0], os.cpu_count() or 1, _load_average()))
    print_table([measure(engine, h, g, k, ring, crs) for h, g, k, ring, crs in plan])
    return 0


if __name__ == '__main__':
    sys.exit(main())
