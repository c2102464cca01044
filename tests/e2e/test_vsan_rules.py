"""vsphere_ha.yml on the simulated vSAN clusters: the seed document's vSAN rules.

A wrong isolation setup is refused before any reconfigure; the right one ends up in vCenter
exactly as the seed asks (read back here with pyVmomi, independently of the collection).
The isolation address is judged against the vSAN network vCenter reports (each vSAN
VMkernel adapter's own mask): on the /26 cluster an address of the surrounding /24 is refused.
"""

import ssl
import sys

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from e2e_support import SIMULATORS, Control, reset, run_playbook, write_inventory, writes

if SIMULATORS not in sys.path:
    sys.path.insert(0, SIMULATORS)


@pytest.fixture()
def vsan(simulators):
    reset(simulators['vcsim_vsan'])
    yield simulators['vcsim_vsan']
    reset(simulators['vcsim_vsan'])


def harden(vsan, tmp_path, collections_path, extra):
    inventory = write_inventory(tmp_path / 'inventory.yml', {'vsan': (vsan, extra)})
    return run_playbook('vsphere_ha.yml', [inventory], collections_path)


@pytest.fixture(scope='module')
def vsan26_sim(certs):
    """vsphere-vsan26: vSAN on 192.168.50.0/26 (started here; the shared fixture starts the /24 one)."""
    import vcsimctl
    with vcsimctl.running('vsphere-vsan26', cert=certs['cert'], key=certs['key']) as sim:
        yield {'kind': 'vcsim', 'scenario': 'vsphere-vsan26', 'control': Control(sim.control_url, certs['cert']),
               'vars': {'vsphere_hostname': '127.0.0.1', 'vsphere_port': sim.port, 'vsphere_username': sim.username,
                        'vsphere_password': sim.password, 'vsphere_ca_path': certs['cert'],
                        'vsphere_datacenter': 'DC-VSAN26', 'vsphere_cluster': 'VSAN26-Cluster'}}


@pytest.fixture()
def vsan26(vsan26_sim):
    reset(vsan26_sim)
    yield vsan26_sim
    reset(vsan26_sim)


def das_config(vsan, cluster_name='VSAN-Cluster'):
    context = ssl.create_default_context(cafile=vsan['vars']['vsphere_ca_path'])
    si = SmartConnect(host='127.0.0.1', port=vsan['vars']['vsphere_port'], user=vsan['vars']['vsphere_username'],
                      pwd=vsan['vars']['vsphere_password'], sslContext=context)
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.ClusterComputeResource], True)
        cluster = [c for c in view.view if c.name == cluster_name][0]
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


def flat(text):
    # The callback wraps long messages at a width and indent that differ between ansible-core releases.
    return ' '.join(text.split())


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
    assert check in flat(proc.stdout), proc.stdout[-3000:]
    assert writes(vsan) == 0


def test_vsan_cluster_is_configured_as_the_seed_asks(vsan, tmp_path, collections_path):
    proc = harden(vsan, tmp_path, collections_path, {'vsphere_ha_isolation_addresses': ['192.168.50.1']})
    assert proc.returncode == 0, proc.stdout[-4000:]
    # One cluster reconfigure, then "Reconfigure for vSphere HA" on each of the 4 hosts (isolation changed).
    assert writes(vsan) == 1 + 4
    das = das_config(vsan)
    assert das['enabled'] is True
    assert das['options'].get('das.isolationaddress0') == '192.168.50.1'
    assert das['options'].get('das.usedefaultisolationaddress') == 'false'
    assert das['isolation_response'] == 'powerOff'
    # The vSAN datastore never carries heartbeats; the shared NFS datastore is preferred.
    assert das['heartbeat'] == ['shared-nfs01']
    assert das['heartbeat_policy'] == 'allFeasibleDsWithUserPreference'


def test_address_outside_a_26_vsan_network_is_refused_though_its_24_holds_it(vsan26, tmp_path, collections_path):
    # Drift case 3: the role used to widen each vSAN address to an assumed /24 and let this pass.
    proc = harden(vsan26, tmp_path, collections_path, {'vsphere_ha_isolation_addresses': ['192.168.50.100']})
    assert proc.returncode != 0, proc.stdout[-4000:]
    text = flat(proc.stdout)
    assert ('Preflight refused HA on this cluster: vsan_isolation_address: isolation address(es) 192.168.50.100 '
            'not in a vSAN VMkernel subnet (192.168.50.0/26)') in text
    assert writes(vsan26) == 0


def test_address_inside_the_26_vsan_network_is_applied(vsan26, tmp_path, collections_path):
    proc = harden(vsan26, tmp_path, collections_path, {'vsphere_ha_isolation_addresses': ['192.168.50.62']})
    assert proc.returncode == 0, proc.stdout[-4000:]
    # The yaml callback wraps long lines: compare with runs of whitespace collapsed.
    assert ('PASS vsan_isolation_address isolation address(es) 192.168.50.62 on the vSAN network (192.168.50.0/26)'
            in ' '.join(proc.stdout.split()))
    assert writes(vsan26) == 1 + 3  # the cluster, then each of the 3 hosts' HA agents
    das = das_config(vsan26, 'VSAN26-Cluster')
    assert das['enabled'] is True
    assert das['options'].get('das.isolationaddress0') == '192.168.50.62'
    assert das['options'].get('das.usedefaultisolationaddress') == 'false'
    assert das['isolation_response'] == 'powerOff'
