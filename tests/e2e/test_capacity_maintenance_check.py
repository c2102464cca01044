"""maintenance_check.yml end to end: simulated clusters -> a rolling order checked step by step, nothing written.

The 3-node PVE 9 cluster cannot keep N+1 while a node is in maintenance (two votes of three left:
one more failure loses quorum), so the play refuses naming quorum; N+0 passes.
"""

import json

from e2e_support import reset, run_playbook, write_inventory, writes


def run(simulators, collections_path, folder, order, host_failures):
    reset(simulators['pve9'])
    inventory = write_inventory(folder / 'inventory.yml', {'lab-pve9': (simulators['pve9'], {})})
    extra = json.dumps({'maintenance_check_order': order, 'maintenance_check_host_failures': host_failures})
    return run_playbook('maintenance_check.yml', [inventory], collections_path, ['-e', extra])


def test_rolling_order_on_three_nodes_is_refused_for_n_plus_1_naming_quorum(simulators, collections_path, tmp_path):
    proc = run(simulators, collections_path, tmp_path, ['pve1', 'pve2'], 1)
    assert proc.returncode != 0, proc.stdout[-3000:]
    assert 'Maintenance order REFUSED (rolling) at step 1 (pve1 into maintenance)' in proc.stdout
    assert 'limited by quorum' in proc.stdout
    assert 'add a node or a QDevice vote' in proc.stdout
    assert writes(simulators['pve9']) == 0


def test_rolling_order_keeping_n_plus_0_passes_and_writes_nothing(simulators, collections_path, tmp_path):
    proc = run(simulators, collections_path, tmp_path, ['pve1', 'pve2', 'pve3'], 0)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert 'Maintenance order OK (rolling): every step keeps N+0' in proc.stdout
    assert writes(simulators['pve9']) == 0
