"""Fixtures of the end-to-end tests: real simulated clusters, real ansible-playbook runs.

The simulators are started here on free loopback ports (not through simctl, so that a test
run never stops simulators somebody else started) and stopped when the session ends.
"""

import contextlib
import os
import subprocess
import sys

import pytest

from e2e_support import ROOT, SIMULATORS, Control

if SIMULATORS not in sys.path:
    sys.path.insert(0, SIMULATORS)


@pytest.fixture(scope='session')
def collections_path():
    """The collection laid out as ansible_collections/clusterops/ha (a fresh copy of the checkout)."""
    out = subprocess.run([os.path.join(ROOT, 'scripts', 'collection-tree.sh')], check=True, capture_output=True,
                         text=True, timeout=300)
    tree = out.stdout.strip().splitlines()[-1]
    return os.path.dirname(os.path.dirname(os.path.dirname(tree)))


@pytest.fixture(scope='session')
def certs(tmp_path_factory):
    """One self-signed certificate for every simulator (clients verify it with ca_path)."""
    from fakepve.certs import make_cert
    folder = str(tmp_path_factory.mktemp('certs'))
    cert, key, _der = make_cert(folder, name='sim', hosts=('127.0.0.1',))
    return {'cert': cert, 'key': key}


@pytest.fixture(scope='session')
def simulators(certs):
    """Simulated PVE 9, PVE 8 and vSphere clusters: {name: {'kind', 'vars', 'control', 'scenario'}}."""
    import pvesim
    import vcsimctl
    started = {}
    with contextlib.ExitStack() as stack:
        for name, scenario in (('pve9', 'pve9-3node'), ('pve8', 'pve8-3node')):
            sim = stack.enter_context(pvesim.running(scenario, certfile=certs['cert'], keyfile=certs['key']))
            started[name] = {'kind': 'pve', 'scenario': scenario, 'control': Control(sim.control_url, certs['cert']),
                             'vars': {'proxmox_api_host': '127.0.0.1', 'proxmox_api_port': sim.port,
                                      'proxmox_api_user': 'root@pam', 'proxmox_api_password': 'secret',
                                      'proxmox_ca_path': certs['cert']}}
        for name, scenario, datacenter, cluster in (('vcsim_vsan', 'vsphere-vsan', 'DC-VSAN', 'VSAN-Cluster'),
                                                    ('vcsim', 'vsphere-3host', 'DC1', 'Cluster1')):
            sim = stack.enter_context(vcsimctl.running(scenario, cert=certs['cert'], key=certs['key']))
            started[name] = {'kind': 'vcsim', 'scenario': scenario, 'control': Control(sim.control_url, certs['cert']),
                             'vars': {'vsphere_hostname': '127.0.0.1', 'vsphere_port': sim.port,
                                      'vsphere_username': sim.username, 'vsphere_password': sim.password,
                                      'vsphere_ca_path': certs['cert'], 'vsphere_datacenter': datacenter,
                                      'vsphere_cluster': cluster}}
        yield started
