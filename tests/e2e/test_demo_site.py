"""The demo path: site.yml with simctl's inventory shape plus playbooks/inventories/simulated.

simctl names one inventory host per simulated cluster (sim-pve9, sim-pve8, sim-vcsim_vsan) and
gives only endpoints and credentials; the overlay adds the hardening choices. The run must
harden all three clusters, print every summary, and change nothing the second time.
"""

import os
import re

from e2e_support import PLAYBOOKS, reset, run_playbook, write_inventory, writes

OVERLAY = os.path.join(PLAYBOOKS, 'inventories', 'simulated')
SIM_HOSTS = {'sim-pve9': 'pve9', 'sim-pve8': 'pve8', 'sim-vcsim_vsan': 'vcsim_vsan'}


def recap(stdout):
    return dict((m.group(1), (int(m.group(2)), int(m.group(3))))
                for m in re.finditer(r'^(\S+)\s+: ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)', stdout, re.M))


def test_demo_site_hardens_three_clusters_then_changes_nothing(simulators, collections_path, tmp_path):
    for name in SIM_HOSTS.values():
        reset(simulators[name])
    hosts = {}
    for host, name in SIM_HOSTS.items():
        sim = simulators[name]
        # simctl's inventory carries endpoints and credentials only (no datacenter/cluster names).
        only_connection = dict((k, v) for k, v in sim['vars'].items() if k not in ('vsphere_datacenter', 'vsphere_cluster'))
        hosts[host] = (dict(sim, vars=only_connection), {})
    inventory = write_inventory(tmp_path / 'inventory.yml', hosts)

    first = run_playbook('site.yml', [inventory, OVERLAY], collections_path)
    assert first.returncode == 0, first.stdout[-4000:]
    assert recap(first.stdout) == {'sim-pve8': (3, 0), 'sim-pve9': (3, 0), 'sim-vcsim_vsan': (1, 0)}
    assert "Show every cluster's summary together" in first.stdout
    for line in ('Cluster lab9: PVE 9', 'Cluster lab8: PVE 8', 'Cluster VSAN-Cluster in DC-VSAN (vSAN)',
                 'Changed: groups ha-group-web', 'Changed: groups web'):
        assert line in first.stdout
    assert writes(simulators['pve9']) > 0 and writes(simulators['vcsim_vsan']) == 1 + 4  # cluster + 4 hosts' HA agents
    # The tolerated failures the demo prints must be true: 3 PVE nodes lose quorum after 1 failure,
    # and vSAN's default policy (FTT=1) loses objects after 1 host failure, whatever memory allows.
    # (the YAML callback folds long lines: read the output as one line)
    verdicts = re.findall(r'tolerates (\d+) host failure\(s\) \(limited by (\w+)', re.sub(r'\s*\n\s*', ' ', first.stdout))
    assert verdicts and all(tolerated == '1' for tolerated, _factor in verdicts), verdicts
    factors = set(factor for _tolerated, factor in verdicts)
    assert 'quorum' in factors and 'storage' in factors, verdicts

    for name in SIM_HOSTS.values():
        sim = simulators[name]
        sim['control'].call('DELETE', '/requests' if sim['kind'] == 'pve' else '/calls')
    second = run_playbook('site.yml', [inventory, OVERLAY], collections_path)
    assert second.returncode == 0, second.stdout[-4000:]
    assert recap(second.stdout) == {'sim-pve8': (0, 0), 'sim-pve9': (0, 0), 'sim-vcsim_vsan': (0, 0)}
    assert [writes(simulators[name]) for name in SIM_HOSTS.values()] == [0, 0, 0]
