"""vsphere_ha.yml on the simulated vSAN cluster: the seed document's vSAN rules.

A wrong isolation setup is refused before any reconfigure; the right one ends up in vCenter
exactly as the seed asks (read back here with pyVmomi, independently of the collection).
"""

import ssl

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from e2e_support import reset, run_playbook, write_inventory, writes


@pytest.fixture()
def vsan(simulators):
    reset(simulators['vcsim_vsan'])
    yield simulators['vcsim_vsan']
    reset(simulators['vcsim_vsan'])


def harden(vsan, tmp_path, collections_path, extra):
    inventory = write_inventory(tmp_path / 'inventory.yml', {'vsan': (vsan, extra)})
    return run_playbook('vsphere_ha.yml', [inventory], collections_path)


def das_config(vsan):
    context = ssl.create_default_context(cafile=vsan['vars']['vsphere_ca_path'])
    si = SmartConnect(host='127.0.0.1', port=vsan['vars']['vsphere_port'], user=vsan['vars']['vsphere_username'],
                      pwd=vsan['vars']['vsphere_password'], sslContext=context)
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.ClusterComputeResource], True)
        cluster = [c for c in view.view if c.name == 'VSAN-Cluster'][0]
        das = cluster.configurationEx.dasConfig
        return {
            'enabled': das.enabled,
            'options': dict((o.key.lower(), o.value) for o in das.option or []),
            'isolation_response': das.defaultVmSettings.isolationResponse if das.defaultVmSettings else None,
            'heartbeat': sorted(ds.name for ds in das.heartbeatDatastore or []),
            'heartbeat_policy': das.hBDatastoreCandidatePolicy,
        }
    finally:
        Disconnect(si)


@pytest.mark.parametrize('extra, check', [
    ({}, 'vsan_isolation_address: no isolation address given'),
    ({'vsphere_ha_isolation_addresses': ['10.20.0.1']}, 'vsan_isolation_address: isolation address(es) 10.20.0.1 not in a vSAN'),
    ({'vsphere_ha_isolation_addresses': ['192.168.50.1'], 'vsphere_ha_isolation_response': 'none'},
     'vsan_isolation_response: host isolation response none (powerOff wanted)'),
    ({'vsphere_ha_isolation_addresses': ['192.168.50.1'], 'vsphere_ha_use_default_isolation_address': 'true'},
     'vsan_default_isolation_address: das.usedefaultisolationaddress true (false wanted)'),
], ids=['no-address', 'address-off-vsan', 'isolation-response-none', 'default-address-kept'])
def test_broken_vsan_rule_is_refused_before_any_write(vsan, tmp_path, collections_path, extra, check):
    proc = harden(vsan, tmp_path, collections_path, extra)
    assert proc.returncode != 0
    assert 'Preflight refused HA on this cluster' in proc.stdout
    assert check in proc.stdout.replace('\n', ' ').replace('  ', ' ')
    assert writes(vsan) == 0


def test_vsan_cluster_is_configured_as_the_seed_asks(vsan, tmp_path, collections_path):
    proc = harden(vsan, tmp_path, collections_path, {'vsphere_ha_isolation_addresses': ['192.168.50.1']})
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert writes(vsan) == 1
    das = das_config(vsan)
    assert das['enabled'] is True
    assert das['options'].get('das.isolationaddress0') == '192.168.50.1'
    assert das['options'].get('das.usedefaultisolationaddress') == 'false'
    assert das['isolation_response'] == 'powerOff'
    # The vSAN datastore never carries heartbeats; the shared NFS datastore is preferred.
    assert das['heartbeat'] == ['shared-nfs01']
    assert das['heartbeat_policy'] == 'allFeasibleDsWithUserPreference'
