"""Fixtures of the reliability suite: the collection tree, simulators per test, evidence counts.

Each test gets a freshly started simulated PVE cluster (in-process, its own port) or the
module's vcsim reset to its scenario; modules and roles run through real ansible-playbook
subprocesses. At the end the counts (cases tried, faults injected, outcomes) go to
tests/output/reliability-summary.json and one line `reliability: N cases, M faults injected`.
"""

import contextlib
import json
import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)
SIMULATORS = os.path.join(os.path.dirname(HERE), 'simulators')
if SIMULATORS not in sys.path:
    sys.path.insert(0, SIMULATORS)

import harness  # noqa: E402
import pvesim  # noqa: E402
import vcsimctl  # noqa: E402

SUMMARY_PATH = os.path.join(os.path.dirname(HERE), 'output', 'reliability-summary.json')


# ---------------------------------------------------------------- evidence counts

class Evidence:
    """What one test tried: cases (inputs/scenarios judged) and faults injected into a simulator."""

    def __init__(self, node):
        self.node = node

    def case(self, count=1):
        self.node.user_properties.append(('reliability_cases', count))

    def note(self, key, count):
        """A further figure for the summary (added up over the run)."""
        self.node.user_properties.append(('reliability_note', (key, count)))

    def fault(self, kind, count=1):
        self.node.user_properties.append(('reliability_faults', count))
        self.node.user_properties.append(('reliability_fault_kind', kind))


@pytest.fixture
def evidence(request):
    return Evidence(request.node)


_TOTALS = dict(cases=0, faults=0, fault_kinds={}, notes={}, passed=0, failed=0, xfailed=0, xpassed=0, skipped=0, tests=0, seconds=0.0)
_STARTED = [time.monotonic()]


def pytest_runtest_logreport(report):
    """Runs where the reports arrive (the controller under xdist): add up the counts."""
    if report.when == 'call' or (report.when == 'setup' and report.outcome != 'passed'):
        _TOTALS['tests'] += 1
        if hasattr(report, 'wasxfail'):
            _TOTALS['xfailed' if report.outcome == 'skipped' else 'xpassed'] += 1
        else:
            _TOTALS[report.outcome if report.outcome != 'passed' else 'passed'] += 1
        for key, value in report.user_properties:
            if key == 'reliability_cases':
                _TOTALS['cases'] += value
            elif key == 'reliability_faults':
                _TOTALS['faults'] += value
            elif key == 'reliability_note':
                _TOTALS['notes'][value[0]] = _TOTALS['notes'].get(value[0], 0) + value[1]
            elif key == 'reliability_fault_kind':
                _TOTALS['fault_kinds'][value] = _TOTALS['fault_kinds'].get(value, 0) + 1


def pytest_sessionfinish(session):
    if hasattr(session.config, 'workerinput'):
        return
    _TOTALS['seconds'] = round(time.monotonic() - _STARTED[0], 1)
    os.makedirs(os.path.dirname(SUMMARY_PATH), exist_ok=True)
    with open(SUMMARY_PATH, 'w', encoding='utf-8') as handle:
        json.dump(_TOTALS, handle, indent=2, sort_keys=True)


def pytest_terminal_summary(terminalreporter, config):
    if hasattr(config, 'workerinput'):
        return
    terminalreporter.write_line(
        'reliability: %d cases, %d faults injected; tests %d passed, %d failed, %d xfailed (known bugs), %d xpassed '
        '(summary: %s)' % (_TOTALS['cases'], _TOTALS['faults'], _TOTALS['passed'], _TOTALS['failed'],
                           _TOTALS['xfailed'], _TOTALS['xpassed'], os.path.relpath(SUMMARY_PATH, os.getcwd())))


# ---------------------------------------------------------------- ansible

def pytest_configure(config):
    """Refresh the collection tree (a copy) once per pytest run, before xdist starts its workers."""
    if not hasattr(config, 'workerinput') and not config.option.collectonly:
        os.environ['RELIABILITY_COLLECTIONS_ROOT'] = harness.refresh_collection_tree()


@pytest.fixture(scope='session')
def collections_root():
    return os.environ.get('RELIABILITY_COLLECTIONS_ROOT') or harness.refresh_collection_tree()


@pytest.fixture
def ansible(collections_root, tmp_path):
    return harness.Ansible(collections_root, str(tmp_path))


@pytest.fixture(scope='session')
def certificate(tmp_path_factory):
    """(certfile, keyfile): self-signed for 127.0.0.1; the certfile is its own CA."""
    return pvesim.make_certificate(str(tmp_path_factory.mktemp('reliability-pki')))


# ---------------------------------------------------------------- Proxmox VE

@pytest.fixture
def start_pve(certificate):
    """start_pve(scenario) -> Pve on its own port; stopped after the test."""
    with contextlib.ExitStack() as stack:
        def start(scenario='pve9-3node'):
            served = stack.enter_context(pvesim.running(scenario, certfile=certificate[0], keyfile=certificate[1]))
            return harness.Pve(served, certificate[0])
        yield start


@pytest.fixture
def pve(start_pve):
    return start_pve('pve9-3node')


# ---------------------------------------------------------------- vSphere

@pytest.fixture(scope='session')
def vcsim_binary():
    return vcsimctl.build()


@pytest.fixture(scope='module')
def vcsim_module(certificate, vcsim_binary):
    with vcsimctl.running('vsphere-3host', cert=certificate[0], key=certificate[1]) as sim:
        yield sim


@pytest.fixture
def vc(vcsim_module):
    vcsim_module.reset()
    return harness.Vc(vcsim_module)
