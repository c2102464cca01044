"""pvesim's Ceph reads (tests/simulators/pvesim/ceph.py; pve-manager Ceph/Pool.pm lspools, Ceph.pm rules/crush)."""

import requests

from pvesim.scenario import DEFAULT_TOKEN_SECRET

HEADERS = {'Authorization': 'PVEAPIToken=root@pam!ci=' + DEFAULT_TOKEN_SECRET}


def get(sim, path):
    return requests.get(sim.url + '/api2/json' + path, verify=sim.cafile, timeout=10, headers=HEADERS)


def ceph_scenario(**ceph):
    scenario = {'base': 'pve9-3node', 'name': 'ceph-test',
                'storage': [{'id': 'ceph-vm', 'type': 'rbd', 'shared': True, 'pool': 'vmpool'},
                            {'id': 'ext', 'type': 'rbd', 'shared': True, 'monhost': '10.9.9.1', 'pool': 'far'}]}
    if ceph:
        scenario['ceph'] = ceph
    return scenario


def test_default_pools_follow_internal_rbd_storage_with_ceph_defaults(start_pvesim):
    sim = start_pvesim(ceph_scenario())
    resp = get(sim, '/nodes/pve1/ceph/pool')
    assert resp.status_code == 200
    pools = resp.json()['data']
    # Only the storage without monhost is the cluster's own Ceph.
    assert [(p['pool_name'], p['size'], p['min_size'], p['crush_rule'], p['crush_rule_name'], p['type'])
            for p in pools] == [('vmpool', 3, 2, 0, 'replicated_rule', 'replicated')]
    assert get(sim, '/nodes/pve2/ceph/rules').json()['data'] == [{'name': 'replicated_rule'}]
    crush = get(sim, '/nodes/pve3/ceph/crush').json()['data']
    assert 'rule replicated_rule {' in crush and 'step chooseleaf firstn 0 type host' in crush
    assert 'host pve3 {' in crush and 'type 1 host' in crush


def test_scenario_pools_rules_and_nodes_without_ceph(start_pvesim):
    sim = start_pvesim(ceph_scenario(
        nodes=['pve1', 'pve2'],
        rules=[{'name': 'replicated_rule'}, {'name': 'by-osd', 'failure_domain': 'osd'}],
        pools=[{'name': 'vmpool', 'size': 3, 'min_size': 1},
               {'name': 'scratch', 'size': 2, 'min_size': 1, 'crush_rule': 'by-osd'},
               {'name': 'orphan', 'crush_rule': 'gone'}]))
    pools = dict((p['pool_name'], p) for p in get(sim, '/nodes/pve2/ceph/pool').json()['data'])
    assert (pools['vmpool']['size'], pools['vmpool']['min_size']) == (3, 1)
    assert (pools['scratch']['crush_rule'], pools['scratch']['crush_rule_name']) == (1, 'by-osd')
    assert 'crush_rule_name' not in pools['orphan']  # PVE leaves it out when the id is not in the CRUSH map
    assert 'step choose firstn 0 type osd' in get(sim, '/nodes/pve1/ceph/crush').json()['data']
    resp = get(sim, '/nodes/pve3/ceph/pool')
    assert resp.status_code == 500 and 'binary not installed' in resp.text


def test_no_ceph_at_all_answers_not_installed(start_pvesim):
    sim = start_pvesim({'base': 'pve9-3node', 'name': 'no-ceph',
                        'storage': [{'id': 'local-lvm', 'type': 'lvmthin'}], 'guests': []})
    for path in ('pool', 'rules', 'crush'):
        resp = get(sim, '/nodes/pve1/ceph/' + path)
        assert resp.status_code == 500 and 'binary not installed' in resp.text
