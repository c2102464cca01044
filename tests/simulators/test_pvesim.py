"""Self-tests of the PVE simulator: real HTTPS requests through proxmoxer and requests, no mocks."""

import subprocess
import sys
import time

import pytest
import requests
from proxmoxer import ProxmoxAPI
from proxmoxer.core import ResourceException

from pvesim.scenario import DEFAULT_TOKEN_SECRET, SCENARIO_DIR

SIMULATORS = SCENARIO_DIR.rsplit('/', 1)[0]


def api(sim, token=False, password='secret', timeout=5):
    if token:
        return ProxmoxAPI('127.0.0.1', port=sim.port, user='root@pam', token_name='ci',
                          token_value=DEFAULT_TOKEN_SECRET, verify_ssl=sim.cafile, timeout=timeout)
    return ProxmoxAPI('127.0.0.1', port=sim.port, user='root@pam', password=password, verify_ssl=sim.cafile,
                      timeout=timeout)


def fails(call, *args, **kwargs):
    with pytest.raises(ResourceException) as info:
        call(*args, **kwargs)
    return info.value


def control(sim, method, path, **kwargs):
    resp = requests.request(method, sim.control_url + path, verify=sim.cafile, timeout=10, **kwargs)
    resp.raise_for_status()
    return resp.json()


def raw(sim, method, path, data=None, token=True):
    """A request with the exact form body given (blank values included), as a client like curl would send it."""
    headers = {'Authorization': 'PVEAPIToken=root@pam!ci=' + DEFAULT_TOKEN_SECRET}
    return requests.request(method, sim.url + '/api2/json' + path, data=data, headers=headers if token else {},
                            verify=sim.cafile, timeout=10)


# ------------------------------------------------------------------ login


def test_password_login_gets_ticket_and_csrf(pve9):
    client = api(pve9)
    assert client.version.get()['version'].startswith('9.')
    client.cluster.ha.resources.post(sid='vm:100')  # a write needs the CSRF token proxmoxer took at login
    assert [r['sid'] for r in client.cluster.ha.resources.get()] == ['vm:100']


def test_wrong_password_is_refused(pve9):
    with pytest.raises(Exception) as info:
        api(pve9, password='wrong').version.get()
    assert '401' in str(info.value)


def test_token_login_and_wrong_token(pve9):
    assert api(pve9, token=True).cluster.status.get()[0]['quorate'] == 1
    resp = requests.get(pve9.url + '/api2/json/version', verify=pve9.cafile, timeout=5,
                        headers={'Authorization': 'PVEAPIToken=root@pam!ci=not-the-secret'})
    assert resp.status_code == 401


def test_pve8_reports_its_version(pve8):
    assert api(pve8, token=True).version.get()['release'] == '8.4'


# ------------------------------------------------------------ HA groups (PVE 8)


def test_groups_persist_and_read_back_as_stored(pve8):
    client = api(pve8, token=True)
    client.cluster.ha.groups.post(group='prod', nodes='pve2:1,pve1:2', nofailback=1, comment='production')
    group = client.cluster.ha.groups('prod').get()
    assert group['nodes'] == 'pve2:1,pve1:2'
    assert group['nofailback'] == 1 and group['comment'] == 'production' and group['type'] == 'group'
    assert 'restricted' not in group
    listed = client.cluster.ha.groups.get()
    assert [g['group'] for g in listed] == ['prod'] and listed[0]['digest'] == group['digest']


def test_group_update_keeps_blank_values_and_delete(pve8):
    client = api(pve8, token=True)
    client.cluster.ha.groups.post(group='prod', nodes='pve1,pve2', comment='x', restricted=1)
    resp = raw(pve8, 'PUT', '/cluster/ha/groups/prod', data='comment=&delete=restricted')
    assert resp.status_code == 200, resp.text
    group = client.cluster.ha.groups('prod').get()
    assert 'comment' not in group and 'restricted' not in group
    resp = raw(pve8, 'PUT', '/cluster/ha/groups/prod', data='delete=&nofailback=1')
    assert resp.status_code == 200 and client.cluster.ha.groups('prod').get()['nofailback'] == 1
    bad = raw(pve8, 'PUT', '/cluster/ha/groups/prod', data='delete=nodes')
    assert bad.status_code == 500 and "unable to delete required option 'nodes'" in bad.json()['message']


def test_group_digest_detects_other_writers(pve8):
    client = api(pve8, token=True)
    client.cluster.ha.groups.post(group='g1', nodes='pve1')
    digest = client.cluster.ha.groups('g1').get()['digest']
    client.cluster.ha.groups('g1').put(comment='first', digest=digest)
    err = fails(client.cluster.ha.groups('g1').put, comment='second', digest=digest)
    assert err.status_code == 500
    assert 'detected modified configuration - file changed by other user? Try again.' in str(err)
    assert client.cluster.ha.groups('g1').get()['comment'] == 'first'


def test_group_in_use_cannot_be_deleted(pve8):
    client = api(pve8, token=True)
    client.cluster.ha.groups.post(group='g1', nodes='pve1,pve2')
    client.cluster.ha.resources.post(sid='vm:100', group='g1')
    err = fails(client.cluster.ha.groups('g1').delete)
    assert "ha group is used by service 'vm:100'" in str(err)
    client.cluster.ha.resources('vm:100').delete()
    client.cluster.ha.groups('g1').delete()
    assert client.cluster.ha.groups.get() == []


def test_resource_with_unknown_group(pve8):
    client = api(pve8, token=True)
    assert "ha group ID 'gx' already defined" in str(fails(
        lambda: [client.cluster.ha.groups.post(group='gx', nodes='pve1') for _attempt in range(2)]))
    # POST does not check the group (API2/HA/Resources.pm create); the index flags it, PUT refuses it.
    client.cluster.ha.resources.post(sid='vm:100', group='nope')
    assert client.cluster.ha.resources.get()[0]['errors'] == {'group': "group 'nope' does not exist"}
    assert 'errors' not in client.cluster.ha.resources('vm:100').get()
    assert "HA group 'nope' does not exist" in str(fails(client.cluster.ha.resources('vm:100').put, group='nope'))


# --------------------------------------------------------- PVE 8 vs PVE 9


def test_pve8_has_no_rules_api(pve8):
    client = api(pve8, token=True)
    for call in (client.cluster.ha.rules.get, client.cluster.ha.rules('r1').get):
        err = fails(call)
        assert err.status_code == 501 and 'not implemented' in str(err)
    err = fails(client.cluster.ha.rules.post, rule='r1', type='node-affinity', resources='vm:100', nodes='pve1')
    assert err.status_code == 501


def test_pve8_rejects_failback(pve8):
    err = fails(api(pve8, token=True).cluster.ha.resources.post, sid='vm:100', failback=0)
    assert err.status_code == 400 and 'failback' in str(err)


@pytest.mark.parametrize('verb, call', [
    ('index groups', lambda c: c.cluster.ha.groups.get()),
    ('read group', lambda c: c.cluster.ha.groups('g1').get()),
    ('create group', lambda c: c.cluster.ha.groups.post(group='g1', nodes='pve1')),
    ('update group', lambda c: c.cluster.ha.groups('g1').put(comment='x')),
    ('delete group', lambda c: c.cluster.ha.groups('g1').delete()),
])
def test_pve9_groups_are_migrated(pve9, verb, call):
    err = fails(call, api(pve9, token=True))
    assert err.status_code == 500
    assert 'cannot {0}: ha groups have been migrated to rules'.format(verb) in str(err)


def test_pve9_resource_group_refused_failback_accepted(pve9):
    client = api(pve9, token=True)
    err = fails(client.cluster.ha.resources.post, sid='vm:100', group='g1')
    assert "invalid parameter 'group': ha groups have been migrated to rules" in str(err)
    client.cluster.ha.resources.post(sid='vm:100', failback=0)
    assert client.cluster.ha.resources('vm:100').get()['failback'] == 0
    err = fails(client.cluster.ha.resources('vm:100').put, group='g1')
    assert "invalid parameter 'group'" in str(err)


def test_pve9_unmigrated_groups_show_as_rules(start_pvesim):
    sim = start_pvesim({'version': '9.0.10', 'guests': [{'vmid': 100, 'node': 'pve1'}, {'vmid': 101, 'node': 'pve2'}],
                        'ha': {'groups': [{'group': 'g1', 'nodes': 'pve1:2,pve2', 'restricted': 1, 'nofailback': 1}],
                               'resources': [{'sid': 'vm:100', 'group': 'g1'}, {'sid': 'vm:101'}]}})
    client = api(sim, token=True)
    assert client.cluster.ha.groups('g1').get()['nodes'] == 'pve1:2,pve2'
    rules = client.cluster.ha.rules.get()
    assert [(r['rule'], r['resources'], r['nodes'], r.get('strict')) for r in rules] == \
        [('ha-group-g1', 'vm:100', 'pve1:2,pve2', 1)]
    assert rules[0]['comment'] == "Generated from HA group 'g1'."
    err = fails(client.cluster.ha.rules.post, rule='r1', type='node-affinity', resources='vm:101', nodes='pve1')
    assert 'cannot create ha rule: ha groups have not been migrated yet' in str(err)
    control(sim, 'POST', '/migrate_groups')
    res = client.cluster.ha.resources('vm:100').get()
    assert res['failback'] == 0 and 'group' not in res
    assert [r['rule'] for r in client.cluster.ha.rules.get()] == ['ha-group-g1']
    assert 'migrated to rules' in str(fails(client.cluster.ha.groups.get))


def test_shipped_unmigrated_scenario(start_pvesim):
    client = api(start_pvesim('pve9-unmigrated'), token=True)
    assert [g['group'] for g in client.cluster.ha.groups.get()] == ['infra', 'prod']
    rules = dict((r['rule'], r) for r in client.cluster.ha.rules.get())
    assert rules['ha-group-prod']['resources'] == 'vm:100,vm:101' and rules['ha-group-prod']['comment'] == 'production'
    assert rules['ha-group-infra']['strict'] == 1 and rules['ha-group-infra']['nodes'] == 'pve2,pve3'


# ------------------------------------------------------------- resources


def test_resources_read_back_only_stored_keys(pve9):
    client = api(pve9, token=True)
    client.cluster.ha.resources.post(sid='101', state='enabled', max_restart=2)
    client.cluster.ha.resources.post(sid='104')
    res = client.cluster.ha.resources('vm:101').get()
    assert set(res) == {'sid', 'type', 'digest', 'state', 'max_restart'}
    assert res['state'] == 'started' and res['type'] == 'vm' and res['max_restart'] == 2
    assert client.cluster.ha.resources('104').get()['sid'] == 'ct:104'
    assert [r['sid'] for r in client.cluster.ha.resources.get(type='ct')] == ['ct:104']


def test_resource_errors(pve9):
    client = api(pve9, token=True)
    err = fails(client.cluster.ha.resources.post, sid='999')
    assert 'unable to detect SID from VMID - VM/CT 999 does not exist' in str(err)
    client.cluster.ha.resources.post(sid='vm:100')
    assert "resource ID 'vm:100' already defined" in str(fails(client.cluster.ha.resources.post, sid='vm:100'))
    assert "no such resource 'vm:102'" in str(fails(client.cluster.ha.resources('vm:102').get))
    assert "not HA managed" in str(fails(client.cluster.ha.resources('vm:102').delete))


def test_resource_update_delete_and_digest(pve9):
    client = api(pve9, token=True)
    client.cluster.ha.resources.post(sid='vm:100', comment='web', max_relocate=3)
    digest = client.cluster.ha.resources('vm:100').get()['digest']
    resp = raw(pve9, 'PUT', '/cluster/ha/resources/vm:100', data='comment=&delete=max_relocate&digest=' + digest)
    assert resp.status_code == 200, resp.text
    assert set(client.cluster.ha.resources('vm:100').get()) == {'sid', 'type', 'digest'}
    err = fails(client.cluster.ha.resources('vm:100').put, state='stopped', digest=digest)
    assert 'detected modified configuration' in str(err)


def test_starting_an_ha_guest_requests_started(pve9):
    client = api(pve9, token=True)
    client.cluster.ha.resources.post(sid='vm:100', state='stopped')
    client.nodes('pve1').qemu(100).status.start.post()
    assert client.cluster.ha.resources('vm:100').get()['state'] == 'started'


def test_cluster_resources_show_hastate(pve9):
    client = api(pve9, token=True)
    client.cluster.ha.resources.post(sid='vm:100', state='stopped')
    guests = dict((g['vmid'], g) for g in client.cluster.resources.get(type='vm'))
    assert guests[100]['hastate'] == 'stopped' and 'hastate' not in guests[101]
    assert guests[104]['type'] == 'lxc' and guests[101]['maxmem'] == 8192 * 1024 ** 2


# ------------------------------------------------------------------ rules


def managed(client, *sids):
    for sid in sids:
        client.cluster.ha.resources.post(sid=sid)


def test_rules_persist_sorted_and_defaults_hidden(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100', 'vm:101', 'vm:102', 'vm:103')
    client.cluster.ha.rules.post(rule='pin', type='node-affinity', resources='vm:101,vm:100',
                                 nodes='pve3:0,pve1:2', strict=0, disable=0, comment='keep')
    rule = client.cluster.ha.rules('pin').get()
    assert rule['nodes'] == 'pve1:2,pve3' and rule['resources'] == 'vm:100,vm:101'
    assert 'strict' not in rule and 'disable' not in rule and rule['order'] == 1
    client.cluster.ha.rules.post(rule='apart', type='resource-affinity', resources='vm:102,vm:103',
                                 affinity='negative')
    assert [r['rule'] for r in client.cluster.ha.rules.get()] == ['pin', 'apart']
    assert [r['rule'] for r in client.cluster.ha.rules.get(type='resource-affinity')] == ['apart']


def test_rule_disable_needs_delete_to_reenable(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100')
    client.cluster.ha.rules.post(rule='pin', type='node-affinity', resources='vm:100', nodes='pve1', disable=1)
    client.cluster.ha.rules('pin').put(type='node-affinity', disable=0)
    assert client.cluster.ha.rules('pin').get()['disable'] == 1
    client.cluster.ha.rules('pin').put(type='node-affinity', delete='disable')
    assert 'disable' not in client.cluster.ha.rules('pin').get()
    err = fails(client.cluster.ha.rules('pin').put, comment='no type')
    assert err.status_code == 400 and 'type' in err.errors
    err = fails(client.cluster.ha.rules('pin').put, type='resource-affinity')
    assert "update HA rules failed: unexpected property 'type'" in str(err)


def test_rule_digest(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100')
    client.cluster.ha.rules.post(rule='pin', type='node-affinity', resources='vm:100', nodes='pve1')
    digest = client.cluster.ha.rules('pin').get()['digest']
    client.cluster.ha.rules('pin').put(type='node-affinity', strict=1, digest=digest)
    assert 'detected modified configuration' in str(fails(client.cluster.ha.rules('pin').put, type='node-affinity', comment='x', digest=digest))


def test_rule_validation_errors(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100', 'vm:101', 'vm:102', 'vm:103')
    err = fails(client.cluster.ha.rules.post, rule='r', type='node-affinity', resources='vm:100,vm:105', nodes='pve1')
    assert err.status_code == 500 and 'cannot use unmanaged resource(s) vm:105.' in str(err)
    err = fails(client.cluster.ha.rules.post, rule='r', type='node-affinity', resources='vm:100', nodes='pve1,pve7')
    assert 'cannot use non-existent node(s) pve7.' in str(err)
    client.cluster.ha.rules.post(rule='a', type='node-affinity', resources='vm:100', nodes='pve1')
    # Feasibility failures are a 400 exception stringified under the HA lock: HTTP 500, reasons in the body only.
    resp = raw(pve9, 'POST', '/cluster/ha/rules',
               {'rule': 'b', 'type': 'node-affinity', 'resources': 'vm:100', 'nodes': 'pve2'})
    assert resp.status_code == 500 and resp.reason == "create ha rule failed: 400 Rule 'b' is invalid."
    assert "\nresources: resource 'vm:100' is already used in another node affinity rule" in resp.json()['message']
    assert 'errors' not in resp.json()
    resp = raw(pve9, 'POST', '/cluster/ha/rules',
               {'rule': 'c', 'type': 'resource-affinity', 'resources': 'vm:101', 'affinity': 'positive'})
    assert resp.status_code == 500 and 'less than two resources' in resp.json()['message']
    resp = raw(pve9, 'POST', '/cluster/ha/rules',
               {'rule': 'd', 'type': 'resource-affinity', 'resources': 'vm:100,vm:101,vm:102,vm:103', 'affinity': 'negative'})
    assert resp.status_code == 500 and 'more resources than available nodes' in resp.json()['message']
    err = fails(client.cluster.ha.rules.post, rule='e', type='resource-affinity', resources='vm:100,vm:101', nodes='pve1',
                affinity='positive')
    assert err.status_code == 400 and 'nodes' in str(err.errors)
    assert [r['rule'] for r in client.cluster.ha.rules.get()] == ['a']


def test_delete_resource_purges_rules(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100', 'vm:101', 'vm:102')
    client.cluster.ha.rules.post(rule='solo', type='node-affinity', resources='vm:100', nodes='pve1')
    client.cluster.ha.rules.post(rule='pair', type='resource-affinity', resources='vm:100,vm:101', affinity='positive')
    client.cluster.ha.rules.post(rule='keep', type='node-affinity', resources='vm:102', nodes='pve2')
    client.cluster.ha.resources('vm:100').delete()
    rules = dict((r['rule'], r) for r in client.cluster.ha.rules.get())
    assert set(rules) == {'pair', 'keep'} and rules['pair']['resources'] == 'vm:101'
    assert 'less than two resources' in rules['pair']['errors']['resources']
    client.cluster.ha.resources('vm:102').delete(purge=0)
    assert client.cluster.ha.rules('keep').get()['resources'] == 'vm:102'


# ------------------------------------------------------ datacenter options


def test_cluster_options_parse_update_delete(pve9):
    client = api(pve9, token=True)
    opts = client.cluster.options.get()
    assert opts['ha'] == {'shutdown_policy': 'conditional'} and opts['crs'] == {'ha': 'basic'}
    client.cluster.options.put(ha='shutdown_policy=migrate', crs='ha=static,ha-rebalance-on-start=1', fencing='both')
    opts = client.cluster.options.get()
    assert opts['ha'] == {'shutdown_policy': 'migrate'} and opts['fencing'] == 'both'
    assert opts['crs'] == {'ha': 'static', 'ha-rebalance-on-start': 1}
    err = fails(client.cluster.options.put, ha='shutdown_policy=bogus')
    assert err.status_code == 400 and 'shutdown_policy' in str(err)
    assert fails(client.cluster.options.put, fencing='sometimes').status_code == 400
    client.cluster.options.put(delete='crs,fencing')
    opts = client.cluster.options.get()
    assert 'crs' not in opts and 'fencing' not in opts and opts['ha'] == {'shutdown_policy': 'migrate'}


# ------------------------------------------------- cluster facts for capacity


def test_cluster_facts(pve9):
    client = api(pve9, token=True)
    nodes = client.cluster.resources.get(type='node')
    assert [n['node'] for n in nodes] == ['pve1', 'pve2', 'pve3']
    assert all(n['maxmem'] == 64 * 1024 ** 3 and n['status'] == 'online' and n['mem'] > 0 for n in nodes)
    status = client.nodes('pve1').status.get()
    assert status['memory']['total'] == 64 * 1024 ** 3 and status['memory']['used'] == nodes[0]['mem']
    assert client.cluster.status.get()[0]['quorate'] == 1
    shared = dict((s['storage'], s.get('shared', 0)) for s in client.storage.get())
    assert shared['ceph-rbd'] == 1 and shared['local-lvm'] == 0
    jobs = client.cluster.backup.get()
    assert jobs[0]['id'] == 'backup-daily' and jobs[0]['all'] == 1 and jobs[0]['enabled'] == 1
    assert client.cluster.backup('backup-daily').get()['schedule'] == '02:00'
    assert 'ceph-rbd:vm-101-disk-1' in client.nodes('pve1').qemu(101).config.get()['scsi1']
    assert client.nodes('pve3').lxc(104).config.get()['rootfs'].startswith('ceph-rbd:')


def test_backup_jobs_are_stored(pve9):
    client = api(pve9, token=True)
    client.cluster.backup.post(id='weekly', schedule='sun 03:00', vmid='100,101', storage='pbs', enabled=1)
    client.cluster.backup('weekly').put(vmid='100', comment='x')
    resp = raw(pve9, 'PUT', '/cluster/backup/weekly', data='comment=&delete=storage')
    assert resp.status_code == 200, resp.text
    job = client.cluster.backup('weekly').get()
    assert job['vmid'] == '100' and 'comment' not in job and 'storage' not in job and job['enabled'] == 1
    client.cluster.backup('backup-daily').delete()
    assert [j['id'] for j in client.cluster.backup.get()] == ['weekly']
    assert 'does not exist' in str(fails(client.cluster.backup('nope').get))


def test_ha_status_is_derived_from_state(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100', 'vm:102')
    control(pve9, 'POST', '/nodes/pve2', json={'online': False})
    control(pve9, 'POST', '/nodes/pve3', json={'maintenance': True})
    current = dict((s['id'], s) for s in client.cluster.ha.status.current.get())
    assert current['quorum']['quorate'] == 1 and current['service:vm:100']['state'] == 'started'
    assert current['service:vm:102']['state'] == 'fence'
    manager = client.cluster.ha.status.manager_status.get()
    assert manager['manager_status']['node_status']['pve2'] == 'unknown'
    assert manager['manager_status']['node_status']['pve3'] == 'maintenance'
    assert 'maintenance mode' in current['lrm:pve3']['status']
    assert [n['status'] for n in client.cluster.resources.get(type='node')] == ['online', 'offline', 'online']
    assert fails(client.nodes('pve2').status.get).status_code == 595
    assert manager['manager_status']['service_status']['vm:100']['node'] == 'pve1'


# ------------------------------------------------------------------ faults


def add_fault(sim, **fault):
    return control(sim, 'POST', '/faults', json=fault)['fault']


def test_fault_lock_is_prefixed_and_counted(pve9):
    client = api(pve9, token=True)
    add_fault(pve9, kind='lock', path='^/cluster/ha/resources$', method='POST', count=2)
    for _attempt in range(2):
        err = fails(client.cluster.ha.resources.post, sid='vm:100')
        assert "create resource failed: cfs-lock 'domain-ha' error: got lock request timeout" in str(err)
    client.cluster.ha.resources.post(sid='vm:100')
    assert control(pve9, 'GET', '/faults')['faults'] == []


def test_fault_noquorum_http500_http503(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100')
    add_fault(pve9, kind='noquorum', path='/cluster/ha/rules', method='POST')
    err = fails(client.cluster.ha.rules.post, rule='r', type='node-affinity', resources='vm:100', nodes='pve1')
    assert 'create ha rule failed:' in str(err) and 'no quorum!' in str(err)
    add_fault(pve9, kind='http500', path='/version')
    assert fails(client.version.get).status_code == 500
    add_fault(pve9, kind='http503', path='/version', count=-1)
    assert fails(client.version.get).status_code == 503 and fails(client.version.get).status_code == 503
    control(pve9, 'DELETE', '/faults')
    assert client.version.get()['release'] == '9.2'


def test_fault_latency_exceeds_client_timeout(pve9):
    add_fault(pve9, kind='latency', path='/version', seconds=1.5)
    with pytest.raises(requests.exceptions.Timeout):
        api(pve9, token=True, timeout=0.5).version.get()
    started = time.monotonic()
    assert api(pve9, token=True).version.get()
    assert time.monotonic() - started < 1.0
    add_fault(pve9, kind='latency', path='/cluster/ha/resources', method='POST', seconds=0.8)
    with pytest.raises(requests.exceptions.Timeout):
        api(pve9, token=True, timeout=0.3).cluster.ha.resources.post(sid='vm:100')
    time.sleep(1.0)  # the server finishes the request the client gave up on, as PVE would
    assert [r['sid'] for r in api(pve9, token=True).cluster.ha.resources.get()] == ['vm:100']


def test_fault_reset_closes_connection(pve9):
    add_fault(pve9, kind='reset', path='/cluster/status')
    with pytest.raises(requests.exceptions.ConnectionError):
        api(pve9, token=True).cluster.status.get()
    assert api(pve9, token=True).cluster.status.get()[0]['type'] == 'cluster'


def test_fault_stale_digest(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100')
    add_fault(pve9, kind='stale_digest', path='/cluster/ha/resources/')
    digest = client.cluster.ha.resources('vm:100').get()['digest']
    err = fails(client.cluster.ha.resources('vm:100').put, comment='x', digest=digest)
    assert 'detected modified configuration - file changed by other user? Try again.' in str(err)
    client.cluster.ha.resources('vm:100').put(comment='x', digest=digest)
    assert client.cluster.ha.resources('vm:100').get()['comment'] == 'x'


def test_fault_expire_ticket_until_relogin(pve9):
    client = api(pve9)
    assert client.version.get()
    add_fault(pve9, kind='expire_ticket', path='/cluster/resources')
    err = fails(client.cluster.resources.get)
    assert err.status_code == 401
    assert fails(client.version.get).status_code == 401
    assert api(pve9).cluster.resources.get()


def test_bad_fault_is_refused(pve9):
    resp = requests.post(pve9.control_url + '/faults', json={'kind': 'meteor'}, verify=pve9.cafile, timeout=5)
    assert resp.status_code == 400 and 'kind must be one of' in resp.json()['error']


# --------------------------------------------------------- log and control


def test_request_log_counts_and_redacts(pve9):
    client = api(pve9)
    client.cluster.ha.resources.post(sid='vm:100', comment='')
    client.cluster.ha.resources.get()
    log = control(pve9, 'GET', '/requests')
    assert log['counts'] == {'read': 1, 'write': 1, 'login': 1, 'total': 3}
    login, post, get = log['requests']
    assert login['path'] == '/access/ticket' and login['params']['password'] == '***'
    assert post == dict(post, method='POST', path='/cluster/ha/resources', params={'sid': 'vm:100', 'comment': ''})
    assert get['method'] == 'GET'
    control(pve9, 'DELETE', '/requests')
    assert control(pve9, 'GET', '/requests')['counts']['total'] == 0


def test_scenario_reset_and_switch(pve9):
    client = api(pve9, token=True)
    managed(client, 'vm:100')
    add_fault(pve9, kind='http500', path='/nothing', count=-1)
    control(pve9, 'POST', '/reset')
    assert client.cluster.ha.resources.get() == []
    assert control(pve9, 'GET', '/faults')['faults'] == []
    control(pve9, 'POST', '/scenario', json={'name': 'pve8-3node'})
    assert client.version.get()['release'] == '8.4'
    control(pve9, 'POST', '/scenario', json={'scenario': {'version': '9.0.10', 'nodes': ['a', 'b']}})
    assert [n['node'] for n in client.cluster.resources.get(type='node')] == ['a', 'b']
    state = control(pve9, 'GET', '/state')
    assert state['groups_migrated'] is True and state['resources'] == {}
    bad = requests.post(pve9.control_url + '/scenario', json={'scenario': {'ha': {'resources': [{'sid': '555'}]}}},
                        verify=pve9.cafile, timeout=10)
    assert bad.status_code == 400 and 'VM/CT 555 does not exist' in bad.json()['error']
    control(pve9, 'POST', '/reset')  # still the last good scenario
    assert [n['node'] for n in client.cluster.resources.get(type='node')] == ['a', 'b']


def test_bulk_scenario_handles_a_thousand_writes(start_pvesim):
    sim = start_pvesim('pve9-bulk')
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override the simulator's CA
    session.verify = sim.cafile
    session.headers['Authorization'] = 'PVEAPIToken=root@pam!ci=' + DEFAULT_TOKEN_SECRET
    guests = session.get(sim.url + '/api2/json/cluster/resources', params={'type': 'vm'}, timeout=30).json()['data']
    assert len(guests) == 1000
    started = time.monotonic()
    for guest in guests:
        resp = session.post(sim.url + '/api2/json/cluster/ha/resources', data={'sid': 'vm:{0}'.format(guest['vmid'])},
                            timeout=30)
        assert resp.status_code == 200
    elapsed = time.monotonic() - started
    listed = session.get(sim.url + '/api2/json/cluster/ha/resources', timeout=30).json()['data']
    assert len(listed) == 1000
    assert control(sim, 'GET', '/requests')['counts']['write'] == 1000
    print('pvesim: {0} HA resource POSTs in {1:.2f}s ({2:.2f} ms each)'.format(len(guests), elapsed, elapsed * 1000.0 / len(guests)))


def test_cli_prints_ready_and_stops(sim_certificate):
    proc = subprocess.Popen([sys.executable, '-m', 'pvesim', '--scenario', 'pve8-3node', '--host', '127.0.0.1',
                             '--port', '0', '--cert', sim_certificate[0], '--key', sim_certificate[1]],
                            cwd=SIMULATORS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith('READY https://127.0.0.1:'), (line, proc.stderr.read() if proc.poll() else '')
        url = line.split()[1]
        resp = requests.get(url + '/api2/json/version', verify=sim_certificate[0], timeout=10,
                            headers={'Authorization': 'PVEAPIToken=root@pam!ci=' + DEFAULT_TOKEN_SECRET})
        assert resp.json()['data']['release'] == '8.4'
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
