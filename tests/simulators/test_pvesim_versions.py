"""The version profiles of the PVE simulator over HTTPS: what each release has, refuses and answers."""

import pytest
import requests

from pvesim.scenario import DEFAULT_TOKEN_SECRET

HEADERS = {'Authorization': 'PVEAPIToken=root@pam!ci=' + DEFAULT_TOKEN_SECRET}


def call(sim, method, path, data=None):
    return requests.request(method, sim.url + '/api2/json' + path, data=data, headers=HEADERS, verify=sim.cafile,
                            timeout=10)


def ok(sim, method, path, data=None):
    resp = call(sim, method, path, data)
    assert resp.status_code == 200, (resp.status_code, resp.reason, resp.text)
    return resp.json()['data']


def control(sim, path, body):
    resp = requests.post(sim.control_url + path, json=body, verify=sim.cafile, timeout=10)
    resp.raise_for_status()
    return resp.json()


def managed(sim, *sids):
    for sid in sids:
        ok(sim, 'POST', '/cluster/ha/resources', {'sid': sid})


@pytest.fixture
def pve84(start_pvesim):
    return start_pvesim('pve84-3node')


@pytest.fixture
def pve90(start_pvesim):
    return start_pvesim('pve90-3node')


@pytest.fixture
def pve91(start_pvesim):
    return start_pvesim('pve91-3node')


@pytest.fixture
def pve92(start_pvesim):
    return start_pvesim('pve92-3node')


@pytest.mark.parametrize('scenario, manager, ha_manager, cluster', [
    ('pve84-3node', '8.4.1', '4.0.7', '8.1.0'), ('pve90-3node', '9.0.10', '5.0.4', '9.0.6'),
    ('pve91-3node', '9.1.8', '5.1.3', '9.1.2'), ('pve92-3node', '9.2.11', '5.2.5', '9.1.6')])
def test_apt_versions_give_the_package_versions(start_pvesim, scenario, manager, ha_manager, cluster):
    sim = start_pvesim(scenario)
    packages = dict((p['Package'], p) for p in ok(sim, 'GET', '/nodes/pve1/apt/versions'))
    assert packages['pve-ha-manager']['OldVersion'] == ha_manager and packages['pve-cluster']['OldVersion'] == cluster
    assert packages['pve-manager']['ManagerVersion'].startswith(manager + '/')
    assert ok(sim, 'GET', '/version')['version'] == manager


def test_a_scenario_pins_one_package(start_pvesim):
    sim = start_pvesim({'base': 'pve9-3node', 'version': '9.2', 'packages': {'pve-ha-manager': '5.2.0'}})
    managed(sim, 'vm:100', 'vm:101')
    # 5.2.0 has no `affinity` on node-affinity rules (added with 5.2.5).
    resp = call(sim, 'POST', '/cluster/ha/rules', {'rule': 'r', 'type': 'node-affinity', 'resources': 'vm:100',
                                                   'nodes': 'pve1', 'affinity': 'negative'})
    assert resp.status_code == 400 and 'affinity' in resp.json()['errors']


# ----------------------------------------------------------------- PVE 8.4


def test_pve84_has_groups_only(pve84):
    assert call(pve84, 'GET', '/cluster/ha/rules').status_code == 501
    resp = call(pve84, 'POST', '/cluster/ha/resources', {'sid': 'vm:100', 'failback': 0})
    assert resp.status_code == 400 and 'failback' in resp.json()['errors']
    managed(pve84, 'vm:100')
    resp = call(pve84, 'DELETE', '/cluster/ha/resources/vm:100?purge=0')
    assert resp.status_code == 400 and 'purge' in resp.json()['errors']


def test_pve84_group_nodes_format_and_duplicates(pve84):
    resp = call(pve84, 'POST', '/cluster/ha/groups', {'group': 'g1', 'nodes': 'pve1.lab'})
    assert resp.status_code == 400 and 'valid ha group node' in resp.json()['errors']['nodes']
    ok(pve84, 'POST', '/cluster/ha/groups', {'group': 'g1', 'nodes': 'pve1:2,pve1,pve1:2'})
    assert ok(pve84, 'GET', '/cluster/ha/groups/g1')['nodes'] == 'pve1:2,pve1'


def test_pve84_crs_has_no_dynamic_mode_and_no_auto_rebalance(pve84):
    resp = call(pve84, 'PUT', '/cluster/options', {'crs': 'ha=dynamic'})
    assert resp.status_code == 400 and 'dynamic' in resp.json()['errors']['crs']
    resp = call(pve84, 'PUT', '/cluster/options', {'crs': 'ha=static,ha-auto-rebalance=1'})
    assert resp.status_code == 400 and 'not defined in schema' in resp.json()['errors']['crs']


# ----------------------------------------------------------------- PVE 9.0


def test_pve90_delete_has_no_purge_and_leaves_stale_rule_members(pve90):
    managed(pve90, 'vm:100', 'vm:101')
    ok(pve90, 'POST', '/cluster/ha/rules', {'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:100,vm:101',
                                            'nodes': 'pve1'})
    resp = call(pve90, 'DELETE', '/cluster/ha/resources/vm:100?purge=1')
    assert resp.status_code == 400 and 'purge' in resp.json()['errors']
    ok(pve90, 'DELETE', '/cluster/ha/resources/vm:100')
    assert ok(pve90, 'GET', '/cluster/ha/rules/pin')['resources'] == 'vm:100,vm:101'
    # The stale SID blocks later edits of the rule that name it.
    resp = call(pve90, 'PUT', '/cluster/ha/rules/pin', {'type': 'node-affinity', 'resources': 'vm:100,vm:101'})
    assert resp.status_code == 500 and 'cannot use unmanaged resource(s) vm:100.' in resp.json()['message']


def test_pve90_crs_and_rule_options_it_lacks(pve90):
    resp = call(pve90, 'PUT', '/cluster/options', {'crs': 'ha=static,ha-auto-rebalance=1'})
    assert resp.status_code == 400 and 'ha-auto-rebalance' in resp.json()['errors']['crs']
    managed(pve90, 'vm:100')
    resp = call(pve90, 'POST', '/cluster/ha/rules', {'rule': 'r', 'type': 'node-affinity', 'resources': 'vm:100',
                                                     'nodes': 'pve1', 'affinity': 'negative'})
    assert resp.status_code == 400 and 'not defined in schema' in resp.json()['errors']['affinity']
    resp = call(pve90, 'POST', '/cluster/ha/resources', {'sid': 'vm:101', 'auto-rebalance': 0})
    assert resp.status_code == 400 and 'auto-rebalance' in resp.json()['errors']


def test_pve90_checks_positive_rules_one_by_one(pve90, start_pvesim):
    rules = [{'rule': 'p1', 'type': 'resource-affinity', 'affinity': 'positive', 'resources': 'vm:100,vm:101'},
             {'rule': 'p2', 'type': 'resource-affinity', 'affinity': 'positive', 'resources': 'vm:101,vm:102'}]
    negative = {'rule': 'n', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': 'vm:100,vm:102'}
    for sim, accepted in ((pve90, True), (start_pvesim('pve91-3node'), False)):
        managed(sim, 'vm:100', 'vm:101', 'vm:102')
        for rule in rules:
            ok(sim, 'POST', '/cluster/ha/rules', rule)
        resp = call(sim, 'POST', '/cluster/ha/rules', negative)
        assert (resp.status_code == 200) is accepted, resp.text
        if not accepted:
            assert 'shares two or more resources with a positive' in resp.json()['message']


# ----------------------------------------------------------------- PVE 9.1


def test_pve91_purges_and_crashes_on_a_rule_put_without_resources(pve91):
    managed(pve91, 'vm:100', 'vm:101')
    ok(pve91, 'POST', '/cluster/ha/rules', {'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:100,vm:101',
                                            'nodes': 'pve1'})
    resp = call(pve91, 'PUT', '/cluster/ha/rules/pin', {'type': 'node-affinity', 'comment': 'x'})
    assert resp.status_code == 500 and resp.reason.startswith("update HA rules failed: Can't use an undefined value")
    ok(pve91, 'PUT', '/cluster/ha/rules/pin', {'type': 'node-affinity', 'comment': 'x', 'resources': 'vm:100,vm:101'})
    ok(pve91, 'DELETE', '/cluster/ha/resources/vm:100')
    assert ok(pve91, 'GET', '/cluster/ha/rules/pin')['resources'] == 'vm:101'
    resp = call(pve91, 'PUT', '/cluster/ha/rules/pin', {'type': 'node-affinity', 'resources': ''})
    assert resp.status_code == 500 and resp.reason == 'update HA rules failed: no resources were specified'


def test_pve91_auto_rebalance_thresholds_are_fractions(pve91):
    ok(pve91, 'PUT', '/cluster/options', {'crs': 'ha=dynamic,ha-auto-rebalance=1,ha-auto-rebalance-threshold=0.3,'
                                                 'ha-auto-rebalance-hold-duration=2.5'})
    crs = ok(pve91, 'GET', '/cluster/options')['crs']
    assert crs['ha-auto-rebalance-threshold'] == 0.3 and crs['ha-auto-rebalance-hold-duration'] == 2.5
    # No maximum before 9.1.5: 40 is accepted and means 4000 %.
    ok(pve91, 'PUT', '/cluster/options', {'crs': 'ha=dynamic,ha-auto-rebalance=1,ha-auto-rebalance-threshold=40'})
    resp = call(pve91, 'PUT', '/cluster/options', {'crs': 'ha=static,ha-auto-rebalance-margin=0.1'})
    assert resp.status_code == 400 and "missing property required by 'crs.ha-auto-rebalance-margin'" in \
        resp.json()['errors']['crs']


# ----------------------------------------------------------------- PVE 9.2


def test_pve92_percent_thresholds_and_new_options(pve92):
    ok(pve92, 'PUT', '/cluster/options', {'crs': 'ha=static,ha-auto-rebalance=1,ha-auto-rebalance-margin=12.5'})
    assert ok(pve92, 'GET', '/cluster/options')['crs']['ha-auto-rebalance-margin'] == 12.5
    resp = call(pve92, 'PUT', '/cluster/options', {'crs': 'ha=static,ha-auto-rebalance=1,ha-auto-rebalance-threshold=150'})
    assert resp.status_code == 400 and 'maximum value of 100' in resp.json()['errors']['crs']
    ok(pve92, 'POST', '/cluster/ha/resources', {'sid': 'vm:100', 'auto-rebalance': 0})
    ok(pve92, 'POST', '/cluster/ha/rules', {'rule': 'avoid', 'type': 'node-affinity', 'resources': 'vm:100',
                                            'nodes': 'pve1', 'affinity': 'negative'})
    assert ok(pve92, 'GET', '/cluster/ha/rules/avoid')['affinity'] == 'negative'
    ok(pve92, 'PUT', '/cluster/ha/rules/avoid', {'type': 'node-affinity', 'comment': 'no resources needed'})


# ------------------------------------------------------- every PVE 9 profile


def test_set_and_delete_of_one_key(pve92):
    managed(pve92, 'vm:100')
    ok(pve92, 'PUT', '/cluster/ha/resources/vm:100', {'comment': 'x', 'delete': 'comment'})
    assert 'comment' not in ok(pve92, 'GET', '/cluster/ha/resources/vm:100')
    ok(pve92, 'POST', '/cluster/ha/rules', {'rule': 'pin', 'type': 'node-affinity', 'resources': 'vm:100',
                                            'nodes': 'pve1'})
    resp = call(pve92, 'PUT', '/cluster/ha/rules/pin', {'type': 'node-affinity', 'comment': 'x', 'delete': 'comment',
                                                        'resources': 'vm:100'})
    assert resp.reason == "update HA rules failed: cannot set and delete property 'comment' at the same time!"
    ok(pve92, 'PUT', '/cluster/options', {'fencing': 'both', 'delete': 'fencing'})
    assert 'fencing' not in ok(pve92, 'GET', '/cluster/options')


def test_quorum_is_checked_on_create_and_by_the_lock(pve92):
    managed(pve92, 'vm:100')
    control(pve92, '/quorum', {'quorate': False})
    resp = call(pve92, 'POST', '/cluster/ha/resources', {'sid': 'vm:101'})
    assert resp.status_code == 500 and resp.reason == 'cluster not ready - no quorum?'
    resp = call(pve92, 'PUT', '/cluster/ha/resources/vm:100', {'comment': 'x'})
    assert resp.reason == "update resources config failed: cfs-lock 'domain-ha' error: no quorum!"
    resp = call(pve92, 'DELETE', '/cluster/ha/resources/vm:100')
    assert resp.reason == "delete resource failed: cfs-lock 'domain-ha' error: no quorum!"


def test_errors_under_the_lock_carry_the_handler_prefix(pve92):
    managed(pve92, 'vm:100')
    resp = call(pve92, 'POST', '/cluster/ha/resources', {'sid': 'vm:100'})
    assert resp.reason == "create resource failed: resource ID 'vm:100' already defined"
    resp = call(pve92, 'PUT', '/cluster/ha/resources/vm:100', {'delete': 'nosuch'})
    assert resp.reason == "update resources config failed: no such option 'nosuch'"
    resp = call(pve92, 'PUT', '/cluster/ha/rules/none', {'type': 'node-affinity', 'resources': 'vm:100'})
    assert resp.reason == "update HA rules failed: HA rule 'none' does not exist"


def test_no_crm_master_before_the_first_resources(start_pvesim):
    sim = start_pvesim({'base': 'pve92-3node', 'version': '9.2', 'crm': {'start_delay': 600}})
    assert ok(sim, 'GET', '/cluster/ha/status/manager_status')['manager_status'] == {}
    managed(sim, 'vm:100', 'vm:101')
    assert ok(sim, 'GET', '/cluster/ha/status/manager_status')['manager_status'] == {}
    assert 'master' not in [item['type'] for item in ok(sim, 'GET', '/cluster/ha/status/current')]
    negative = {'rule': 'apart', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': 'vm:100,vm:101'}
    resp = call(sim, 'POST', '/cluster/ha/rules', negative)
    assert resp.status_code == 500 and 'rule defines more resources than available nodes' in resp.json()['message']
    assert control(sim, '/crm', {'master': True})['master'] is True
    assert sorted(ok(sim, 'GET', '/cluster/ha/status/manager_status')['manager_status']['node_status']) == \
        ['pve1', 'pve2', 'pve3']
    ok(sim, 'POST', '/cluster/ha/rules', negative)


def test_a_service_in_error_state_accepts_only_disabled(pve92):
    managed(pve92, 'vm:100')
    assert control(pve92, '/services/vm:100', {'state': 'error'})['state'] == 'error'
    current = dict((i['id'], i) for i in ok(pve92, 'GET', '/cluster/ha/status/current'))
    assert current['service:vm:100']['state'] == 'error'
    resp = call(pve92, 'PUT', '/cluster/ha/resources/vm:100', {'state': 'started'})
    assert resp.status_code == 500 and resp.reason == \
        "service 'vm:100' in error state, must be disabled and fixed first"
    ok(pve92, 'PUT', '/cluster/ha/resources/vm:100', {'state': 'disabled'})
    current = dict((i['id'], i) for i in ok(pve92, 'GET', '/cluster/ha/status/current'))
    assert current['service:vm:100']['state'] == 'disabled'


def test_options_without_sys_audit_hide_ha_crs_and_fencing(pve92):
    """pve-manager PVE/API2/Cluster.pm get_options: without Sys.Audit on / only console and tag-style."""
    ok(pve92, 'PUT', '/cluster/options', {'crs': 'ha=static', 'console': 'html5', 'fencing': 'hardware'})
    assert ok(pve92, 'GET', '/cluster/options')['crs']['ha'] == 'static'
    ops = {'Authorization': 'PVEAPIToken=ops@pve!ha=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'}
    resp = requests.get(pve92.url + '/api2/json/cluster/options', headers=ops, verify=pve92.cafile, timeout=10)
    assert resp.status_code == 200 and resp.json()['data'] == {'console': 'html5'}
    resp = requests.get(pve92.url + '/api2/json/access/permissions', params={'path': '/'}, headers=ops,
                        verify=pve92.cafile, timeout=10)
    assert 'Sys.Audit' not in resp.json()['data']['/']
