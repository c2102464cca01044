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
