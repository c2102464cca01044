"""Quorum facts end to end: pvesim's QDevice status -> proxmox_cluster_ha_info -> the engine's verdict.

The 3-node PVE 9 simulator with a connected ffsplit QDevice has 4 expected votes (quorum 3); the
report must show that, and still say 1 tolerated host failure limited by quorum (losing two nodes
leaves 2 of 4 votes).
"""

import json

from e2e_support import reset, run_playbook, write_inventory, writes


def test_qdevice_and_votes_reach_the_verdict(simulators, collections_path, tmp_path):
    sim = simulators['pve9']
    reset(sim)
    sim['control'].call('POST', '/qdevice', {'Algorithm': 'Fifty-Fifty split', 'State': 'Connected'})
    inventory = write_inventory(tmp_path / 'inventory.yml', {'lab-pve9': (sim, {})})
    out = tmp_path / 'out'
    proc = run_playbook('capacity_report.yml', [inventory], collections_path, ['-e', 'capacity_report_dir=%s' % out])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    with open(out / 'capacity-report.json', encoding='utf-8') as handle:
        result = json.load(handle)['clusters'][0]['result']
    assert result['quorum']['expected_votes'] == 4 and result['quorum']['qdevice_votes'] == 1
    assert result['quorum']['quorum'] == 3
    assert result['tolerated_host_failures'] == 1 and result['limited_by'] == 'quorum'
    assert result['scheduler']['crs'] == 'basic'
    assert writes(sim) == 0
    reset(sim)
