"""Shared fixtures for the simulator self-tests. PVE fixtures first; vSphere ones may follow below."""

import contextlib
import os
import sys

import pytest

SIMULATORS = os.path.dirname(os.path.abspath(__file__))
if SIMULATORS not in sys.path:
    sys.path.insert(0, SIMULATORS)

import pvesim  # noqa: E402  (needs the path above)


@pytest.fixture(scope='session')
def sim_certificate(tmp_path_factory):
    """(certfile, keyfile) for 127.0.0.1/localhost; the certfile doubles as the CA bundle."""
    return pvesim.make_certificate(str(tmp_path_factory.mktemp('sim-pki')))


@pytest.fixture
def start_pvesim(sim_certificate):
    """start_pvesim(scenario) -> a running simulator (url, host, port, cafile, control_url, sim); stopped after the test."""
    with contextlib.ExitStack() as stack:
        def start(scenario='pve9-3node'):
            return stack.enter_context(pvesim.running(scenario, certfile=sim_certificate[0], keyfile=sim_certificate[1]))
        yield start


@pytest.fixture
def pve9(start_pvesim):
    return start_pvesim('pve9-3node')


@pytest.fixture
def pve8(start_pvesim):
    return start_pvesim('pve8-3node')


# ---- vSphere simulator fixtures (tests/simulators/vcsim; owned by the vcsim helper) ----

import vcsimctl  # noqa: E402  (needs the path above)


@pytest.fixture(scope='session')
def vcsim_binary():
    """Build clusterops-vcsim if its sources changed; the path of the binary."""
    return vcsimctl.build()


@pytest.fixture
def start_vcsim(sim_certificate, vcsim_binary):
    """start_vcsim(scenario) -> a running vcsimctl.Vcsim (url, host, port, username, password, cafile, control_url); stopped after the test."""
    with contextlib.ExitStack() as stack:
        def start(scenario='vsphere-3host'):
            return stack.enter_context(vcsimctl.running(scenario, cert=sim_certificate[0], key=sim_certificate[1]))
        yield start


@pytest.fixture(scope='module')
def vcsim_3host_module(sim_certificate, vcsim_binary):
    """One vsphere-3host simulator per test module (use vcsim_3host for a reset one per test)."""
    with vcsimctl.running('vsphere-3host', cert=sim_certificate[0], key=sim_certificate[1]) as sim:
        yield sim


@pytest.fixture
def vcsim_3host(vcsim_3host_module):
    """The module's vsphere-3host simulator, reset to the scenario's initial state."""
    vcsim_3host_module.reset()
    return vcsim_3host_module
