"""Red-team findings of issue 16 on the vsphere_ha role, each through the role on the simulated vCenter.

L11 - vsphere_ha_isolation_addresses given as a comma string (as an AWX text survey answer gives it)
      was iterated character by character ("lists 17 addresses"); it must mean the addresses.
L9  - vsphere_ha_host_failures 0 printed "Capacity OK" and set 0 % admission control: N+0 must be
      refused as no failover protection, or (when the operator accepts it) said plainly.
"""

import pytest

import vcsimctl
from harness import Vc
from test_check_and_idempotency import VS_ROLE_VARS, role_play


@pytest.fixture(scope='module')
def vsan_module(certificate, vcsim_binary):
    with vcsimctl.running('vsphere-vsan', cert=certificate[0], key=certificate[1]) as sim:
        yield sim


@pytest.fixture
def vsan(vsan_module):
    vsan_module.reset()
    return Vc(vsan_module)


ROLE_TASK = 'clusterops.ha.vsphere_ha : '
VSAN_ROLE_VARS = dict(vsphere_ha_datacenter='DC-VSAN', vsphere_ha_cluster='VSAN-Cluster')


def stored_isolation_addresses(vc):
    options = vc.sim.state()['dasConfig'].get('Option') or []
    return sorted((o['Key'].lower(), o['Value']) for o in options if o['Key'].lower().startswith('das.isolationaddress'))


def test_l11_comma_string_of_isolation_addresses_means_the_addresses(vsan, ansible, evidence):
    evidence.case(2)
    book = role_play('clusterops.ha.vsphere_ha', dict(VSAN_ROLE_VARS, vsphere_ha_isolation_addresses='192.168.50.1,192.168.50.2'),
                     'vsphere', vsan.auth())
    checked = ansible.play(book, check=True)
    assert checked.rc == 0, checked.text[-3000:]
    assert vsan.reconfigures() == {}
    assert 'isolation address(es) 192.168.50.1, 192.168.50.2 on the vSAN network (192.168.50.0/24)' in checked.stdout
    applied = ansible.play(book)
    assert applied.rc == 0, applied.text[-3000:]
    assert stored_isolation_addresses(vsan) == [('das.isolationaddress0', '192.168.50.1'),
                                                ('das.isolationaddress1', '192.168.50.2')]


def test_l9_zero_host_failures_is_refused_as_no_failover_protection(vc, ansible, evidence):
    evidence.case(1)
    run = ansible.play(role_play('clusterops.ha.vsphere_ha', dict(VS_ROLE_VARS, vsphere_ha_host_failures=0), 'vsphere',
                                 vc.auth()))
    assert run.rc != 0
    assert 'Capacity OK' not in run.stdout and 'Failover capacity OK' not in run.stdout
    refusal = run.result(ROLE_TASK + 'Refuse when a preflight check fails (nothing has been written)')['msg']
    assert refusal.startswith('Preflight refused HA on this cluster: failover_protection: vsphere_ha_host_failures is 0')
    assert 'no failover protection' in refusal
    assert vc.reconfigures() == {}


def test_l9_zero_host_failures_accepted_on_warn_says_plainly_it_is_no_protection(vc, ansible, evidence):
    evidence.case(1)
    role_vars = dict(VS_ROLE_VARS, vsphere_ha_host_failures=0, vsphere_ha_check_failover_protection='warn',
                     vsphere_ha_admission_control='disabled')
    run = ansible.play(role_play('clusterops.ha.vsphere_ha', role_vars, 'vsphere', vc.auth()), check=True)
    assert run.rc == 0, run.text[-3000:]
    summary = run.result(ROLE_TASK + 'Print the summary - what changed, what was checked, capacity headroom')['msg']
    capacity = [line for line in summary if line.startswith('Capacity: ')]
    assert capacity and capacity[0].startswith('Capacity: NO FAILOVER PROTECTION - vsphere_ha_host_failures is 0 (N+0)')
    assert any(line.startswith('WARN     failover_protection') for line in summary)
    assert vc.reconfigures() == {}
