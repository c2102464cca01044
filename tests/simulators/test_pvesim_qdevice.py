"""pvesim's QDevice status (tests/simulators/pvesim/quorum.py; pve-cluster ClusterConfig.pm GET qdevice)."""

import requests

from pvesim.scenario import DEFAULT_TOKEN_SECRET


def control(sim, path, body):
    resp = requests.post(sim.control_url + path, json=body, verify=sim.cafile, timeout=10)
    return resp


def read(sim):
    resp = requests.get(sim.url + '/api2/json/cluster/config/qdevice', verify=sim.cafile, timeout=10,
                        headers={'Authorization': 'PVEAPIToken=root@pam!ci=' + DEFAULT_TOKEN_SECRET})
    resp.raise_for_status()
    return resp.json()['data']


def test_no_qdevice_is_an_empty_mapping_and_a_set_status_is_returned(pve9):
    assert read(pve9) == {}
    resp = control(pve9, '/qdevice', {'Algorithm': 'Fifty-Fifty split', 'State': 'Connected', 'Model': 'Net'})
    assert resp.status_code == 200
    assert read(pve9) == {'Algorithm': 'Fifty-Fifty split', 'State': 'Connected', 'Model': 'Net'}


def test_only_the_keys_pve_returns_are_accepted_and_a_reset_clears_it(pve9):
    assert control(pve9, '/qdevice', {'Votes': 1}).status_code == 400
    control(pve9, '/qdevice', {'State': 'Connected'})
    requests.post(pve9.control_url + '/reset', verify=pve9.cafile, timeout=10).raise_for_status()
    assert read(pve9) == {}
