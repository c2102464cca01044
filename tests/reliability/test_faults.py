"""Fault matrix: each fault either is retried within the documented bound or fails with a clear message;
nothing unrequested is removed; after the fault clears, a re-run converges and a further run changes nothing.

PVE faults are injected through the simulator's /_sim/faults; vSphere ones through vcsim's.
Retry bounds (documented in plugins/doc_fragments/proxmox.py): at most 4 retries after 0.5, 1, 2, 4 s.
"""

import time

import harness
from harness import task, play

PVE_MAX_ATTEMPTS = 5          # 1 try + 4 retries (RETRY_DELAYS in _pve_client.py)
PVE_MAX_BACKOFF = 7.5         # seconds of sleeping between them


def with_ha(scenario_name, resources=(), rules=(), groups=()):
    scenario = harness.raw_scenario(scenario_name)
    scenario['ha'] = dict(resources=list(resources), rules=list(rules), groups=list(groups))
    return scenario


BASE_RESOURCES = [dict(sid='vm:100', state='started'), dict(sid='vm:101', state='started'), dict(sid='vm:102', state='started'),
                  dict(sid='vm:103', state='started')]


def pve_play(pve, tasks, **auth):
    conn = pve.password_auth(**auth) if auth.pop('password', False) else pve.token_auth(**auth)
    return play(tasks, 'proxmox', conn)


def clean_failure(result, *words):
    """A failed module result with a one-message reason naming the words, and no traceback."""
    assert result.get('failed'), 'expected a failure, got %s' % {k: result.get(k) for k in ('changed', 'msg')}
    msg = result.get('msg', '')
    assert harness.no_traceback(result), result
    for word in words:
        assert word.lower() in msg.lower(), 'message %r does not mention %r' % (msg, word)
    return msg


def converges(ansible, pve, tasks, **auth):
    """After the fault cleared: the re-run succeeds, and one more identical run changes nothing with zero writes."""
    again = ansible.play(pve_play(pve, tasks, **auth))
    assert again.rc == 0, again.text[-3000:]
    pve.clear_log()
    third = ansible.play(pve_play(pve, tasks, **auth))
    assert third.rc == 0, third.text[-3000:]
    assert not [t for t in third.module_tasks() if t['result'].get('changed')], 'not idempotent after the fault'
    assert pve.writes() == [], 'a converged re-run still wrote: %s' % pve.writes()
    return again


def sids(pve):
    return sorted(pve.state()['resources'])


# ---------------------------------------------------------------- PVE: lock, quorum, 5xx

def test_lock_timeout_transient_is_retried_on_datacenter_options(pve, ansible, evidence):
    evidence.case()
    evidence.fault('lock', 2)
    pve.fault('lock', path='cluster/options', method='PUT', count=2)
    run = ansible.play(pve_play(pve, [task('options', 'proxmox_cluster_ha', dict(shutdown_policy='migrate'))]))
    assert run.rc == 0, run.text[-3000:]
    result = run.result('options')
    assert result['changed'] and result['requests']['retries'] == 2
    assert pve.state()['options']['ha']['shutdown_policy'] == 'migrate'
    puts = [r for r in pve.log()['requests'] if r['method'] == 'PUT']
    assert len(puts) == 3, puts


def test_lock_timeout_persistent_fails_clearly_then_converges(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', BASE_RESOURCES[:2]))
    evidence.case()
    evidence.fault('lock')
    pve.fault('lock', path='cluster/ha/rules', method='POST', count=-1)
    rule = task('rule', 'proxmox_ha_rule', dict(name='keep-apart', type='resource-affinity', affinity='negative',
                                                resources=['vm:100', 'vm:101']), ignore_errors=True)
    began = time.monotonic()
    run = ansible.play(pve_play(pve, [rule]))
    msg = clean_failure(run.result('rule'), 'lock', 'gave up after %d attempts' % PVE_MAX_ATTEMPTS)
    assert 'cluster/ha/rules' in msg
    posts = [r for r in pve.log()['requests'] if r['method'] == 'POST' and r['path'] == '/cluster/ha/rules']
    assert len(posts) == PVE_MAX_ATTEMPTS
    assert time.monotonic() - began >= PVE_MAX_BACKOFF
    assert pve.state()['rules'] == {} and sids(pve) == ['vm:100', 'vm:101'], 'something was removed or half-written'
    pve.clear_faults()
    converges(ansible, pve, [rule])
    assert sorted(pve.state()['rules']) == ['keep-apart']


def test_no_quorum_fails_clearly_and_removes_nothing(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', BASE_RESOURCES))
    evidence.case()
    evidence.fault('noquorum')
    pve.fault('noquorum', count=-1, method='POST')
    config = dict(state='overridden', config=[dict(sid=s['sid']) for s in BASE_RESOURCES] + [dict(sid='vm:105')])
    res = task('resources', 'proxmox_ha_resources', config, ignore_errors=True)
    run = ansible.play(pve_play(pve, [res]))
    result = run.result('resources')
    clean_failure(result, 'quorum')
    assert result['applied'] == []
    assert sids(pve) == ['vm:100', 'vm:101', 'vm:102', 'vm:103']
    pve.clear_faults()
    converges(ansible, pve, [res])
    assert sids(pve) == ['vm:100', 'vm:101', 'vm:102', 'vm:103', 'vm:105']


def test_http500_is_not_retried_and_nothing_else_changes(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', BASE_RESOURCES[:2]))
    evidence.case()
    evidence.fault('http500')
    pve.fault('http500', path='cluster/ha/resources/vm:101', method='DELETE', count=1, message='internal error')
    res = task('resources', 'proxmox_ha_resources', dict(state='deleted', config=[dict(sid='vm:101')]), ignore_errors=True)
    run = ansible.play(pve_play(pve, [res]))
    result = run.result('resources')
    msg = clean_failure(result, 'vm:101', '500')
    assert 'gave up' not in msg and result['error']['attempts'] == 1 and result['requests']['retries'] == 0
    assert sids(pve) == ['vm:100', 'vm:101']
    converges(ansible, pve, [res])
    assert sids(pve) == ['vm:100']


def test_http503_transient_is_retried(pve, ansible, evidence):
    evidence.case()
    evidence.fault('http503', 2)
    pve.fault('http503', path='cluster/ha/resources$', method='GET', count=2)
    run = ansible.play(pve_play(pve, [task('resources', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100')]))]))
    assert run.rc == 0, run.text[-3000:]
    result = run.result('resources')
    assert result['changed'] and result['requests']['retries'] == 2
    assert sids(pve) == ['vm:100']


def test_http503_persistent_gives_up_within_the_bound(pve, ansible, evidence):
    evidence.case()
    evidence.fault('http503')
    pve.fault('http503', path='cluster/ha/status', count=-1)
    info = task('info', 'proxmox_cluster_ha_info', {}, ignore_errors=True)
    run = ansible.play(pve_play(pve, [info]))
    msg = clean_failure(run.result('info'), 'gave up after %d attempts' % PVE_MAX_ATTEMPTS)
    assert '503' in msg
    pve.clear_faults()
    again = ansible.play(pve_play(pve, [info]))
    assert again.rc == 0, again.text[-3000:]


# ---------------------------------------------------------------- PVE: connection reset, slow API, ticket, digest

def test_connection_reset_on_a_write_rereads_instead_of_resending_blindly(pve, ansible, evidence):
    evidence.case()
    evidence.fault('reset')
    pve.fault('reset', path='cluster/ha/resources$', method='POST', count=1)
    res = task('resources', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100'), dict(sid='vm:102')]))
    run = ansible.play(pve_play(pve, [res]))
    assert run.rc == 0, run.text[-3000:]
    assert sids(pve) == ['vm:100', 'vm:102']
    # The reset POST was not applied by the simulator, so the re-plan had to send it again: exactly once.
    posts = [r for r in pve.log()['requests'] if r['method'] == 'POST' and r['path'] == '/cluster/ha/resources']
    assert len(posts) == 3, posts
    converges(ansible, pve, [res])


def test_connection_reset_on_a_read_is_retried(pve, ansible, evidence):
    evidence.case()
    evidence.fault('reset')
    pve.fault('reset', path='^/version', method='GET', count=1)
    run = ansible.play(pve_play(pve, [task('resources', 'proxmox_ha_resources', dict(state='gathered'))]))
    assert run.rc == 0, run.text[-3000:]
    assert run.result('resources')['requests']['retries'] == 1


def test_api_slower_than_api_timeout_on_a_read_is_retried(pve, ansible, evidence):
    evidence.case()
    evidence.fault('latency')
    pve.fault('latency', path='cluster/ha/resources$', method='GET', count=1, seconds=4)
    run = ansible.play(pve_play(pve, [task('resources', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100')]))],
                                api_timeout=2))
    assert run.rc == 0, run.text[-3000:]
    result = run.result('resources')
    assert result['changed'] and result['requests']['retries'] == 1
    assert sids(pve) == ['vm:100']


def test_api_slower_than_api_timeout_on_a_write_converges_without_duplicates(pve, ansible, evidence):
    """The lost answer: PVE applies the write after the client gave up; the module re-reads and re-plans."""
    evidence.case()
    evidence.fault('latency')
    pve.fault('latency', path='cluster/options', method='PUT', count=1, seconds=4)
    opts = task('options', 'proxmox_cluster_ha', dict(shutdown_policy='failover'), ignore_errors=True)
    run = ansible.play(pve_play(pve, [opts], api_timeout=2))
    result = run.result('options')
    if result.get('failed'):
        clean_failure(result, 'cluster/options')
    time.sleep(2.5)      # let the held request finish on the simulator, as it would on PVE
    converges(ansible, pve, [opts])
    assert pve.state()['options']['ha']['shutdown_policy'] == 'failover'


def test_expired_ticket_leads_to_one_new_login(pve, ansible, evidence):
    evidence.case()
    evidence.fault('expire_ticket')
    pve.fault('expire_ticket', path='cluster/ha/resources$', method='POST', count=1)
    res = task('resources', 'proxmox_ha_resources', dict(config=[dict(sid='vm:103')]))
    run = ansible.play(pve_play(pve, [res], password=True))
    assert run.rc == 0, run.text[-3000:]
    assert pve.log()['counts']['login'] == 2
    assert sids(pve) == ['vm:103']
    converges(ansible, pve, [res], password=True)


def test_stale_digest_once_is_replanned(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', BASE_RESOURCES[:2], rules=[
        dict(rule='pin', type='node-affinity', resources='vm:100', nodes='pve1')]))
    evidence.case()
    evidence.fault('stale_digest')
    pve.fault('stale_digest', path='cluster/ha/rules/pin', count=1)
    rule = task('rule', 'proxmox_ha_rule', dict(name='pin', type='node-affinity', resources=['vm:100', 'vm:101'],
                                                nodes=['pve1', 'pve2']))
    run = ansible.play(pve_play(pve, [rule]))
    assert run.rc == 0, run.text[-3000:]
    stored = pve.state()['rules']['pin']
    assert 'vm:101' in str(stored['resources']) and 'pve2' in str(stored['nodes'])
    converges(ansible, pve, [rule])


def test_stale_digest_twice_fails_clearly_and_writes_nothing_more(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', BASE_RESOURCES[:2], rules=[
        dict(rule='pin', type='node-affinity', resources='vm:100', nodes='pve1')]))
    evidence.case()
    evidence.fault('stale_digest', 2)
    pve.fault('stale_digest', path='cluster/ha/rules/pin', count=2)
    rule = task('rule', 'proxmox_ha_rule', dict(name='pin', type='node-affinity', resources=['vm:100'], nodes=['pve2']),
                ignore_errors=True)
    run = ansible.play(pve_play(pve, [rule]))
    clean_failure(run.result('rule'), 're-run')
    assert pve.state()['rules']['pin']['nodes'] == 'pve1'
    converges(ansible, pve, [rule])


def test_unreachable_pve_fails_clearly_within_the_retry_bound(pve, ansible, evidence):
    evidence.case()
    evidence.fault('unreachable')
    began = time.monotonic()
    run = ansible.play(pve_play(pve, [task('info', 'proxmox_cluster_ha_info', {}, ignore_errors=True)], api_port=9))
    clean_failure(run.result('info'), '127.0.0.1')
    # 5 refused connects and 7.5 s of backoff; generous for a busy machine, but bounded.
    assert time.monotonic() - began < 60
