"""Partial failure of a bulk proxmox_ha_resources run, and two runs against one cluster at once."""

import time

from harness import task, play
from test_faults import with_ha, sids

EXISTING = [dict(sid='vm:%d' % n, state='started') for n in (100, 101, 102, 103)]


def test_bulk_run_failing_halfway_reports_what_was_applied_and_rerun_finishes(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', EXISTING))
    evidence.case(2)
    evidence.fault('http500')
    # The third update fails for good (a plain 500 is not retried), so the first two stay applied.
    pve.fault('http500', path='cluster/ha/resources/vm:102$', method='PUT', count=-1, message='simulated disk full')
    config = [dict(sid=r['sid'], max_relocate=3, comment='bulk') for r in EXISTING] + [dict(sid='vm:105', max_relocate=3)]
    bulk = task('bulk', 'proxmox_ha_resources', dict(config=config), ignore_errors=True)
    run = ansible.play(play([bulk], 'proxmox', pve.token_auth()))
    result = run.result('bulk')
    assert result['failed'] and 'vm:102' in result['msg'] and 'simulated disk full' in result['msg']
    applied = result['applied']
    done = sorted(a['path'].rsplit('/', 1)[-1] if a['method'] == 'PUT' else a['params']['sid'] for a in applied)
    assert done, 'nothing was applied before the failure; the test needs a failure halfway'
    # Exactly the entries reported as applied carry the change - no more, no fewer.
    state = pve.state()['resources']
    changed = sorted(sid for sid, entry in state.items() if str(entry.get('max_relocate')) == '3')
    assert done == changed, 'reported applied %s, but the cluster has %s changed' % (done, changed)
    assert 'vm:102' not in done
    pve.clear_faults()
    pve.clear_log()
    rerun = ansible.play(play([bulk], 'proxmox', pve.token_auth()))
    result = rerun.result('bulk')
    assert rerun.rc == 0 and result['changed'], rerun.text[-3000:]
    resent = [c['path'].rsplit('/', 1)[-1] if c['method'] == 'PUT' else c['params']['sid'] for c in result['commands']]
    assert not set(resent) & set(done), 'the re-run repeated writes that were already applied: %s' % resent
    state = pve.state()['resources']
    assert all(str(state[c['sid']]['max_relocate']) == '3' for c in config)
    pve.clear_log()
    final = ansible.play(play([bulk], 'proxmox', pve.token_auth()))
    assert final.rc == 0 and not final.result('bulk')['changed'] and pve.writes() == []


def test_two_runs_at_once_on_different_resources_both_converge(pve, ansible, evidence):
    """Both runs update existing resources and read the same digest (their first reads are held 5 s), so the
    second PUT carrying that digest meets a changed file and its run must re-read and re-plan."""
    rounds = 2
    conflicts = 0
    for round_no in range(rounds):
        evidence.case(2)
        evidence.fault('concurrent_edit')
        pve.load(with_ha('pve9-3node', EXISTING))
        # Both runs' first list reads are answered from the state they arrived at and then held 5 s
        # ('after'), so both plan on the same digest whatever their start-up jitter.
        pve.fault('latency', path='cluster/ha/resources$', method='GET', count=2, seconds=5, after=True)
        left = [task('left', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100', max_restart=2), dict(sid='vm:101', max_restart=2)])),
                task('left-rule', 'proxmox_ha_rule', dict(name='left-pin', type='node-affinity', resources=['vm:100'],
                                                          nodes=['pve1']))]
        # Updates only: each run's first write is then a PUT carrying the digest both runs read, so
        # whichever lands second must meet a stale digest (a create first would carry none).
        right = [task('right', 'proxmox_ha_resources', dict(config=[dict(sid='vm:102', state='stopped'),
                                                                    dict(sid='vm:103', max_relocate=2)])),
                 task('right-options', 'proxmox_cluster_ha', dict(shutdown_policy='migrate'))]
        started = time.monotonic()
        finish_left = ansible.play(play(left, 'proxmox', pve.token_auth()), background=True)
        finish_right = ansible.play(play(right, 'proxmox', pve.token_auth()), background=True)
        runs = [finish_left(), finish_right()]
        assert time.monotonic() - started < 120
        for run in runs:
            assert run.rc == 0, 'round %d: %s' % (round_no, run.text[-3000:])
        state = pve.state()
        assert sorted(state['resources']) == ['vm:100', 'vm:101', 'vm:102', 'vm:103']
        assert [str(state['resources'][s].get('max_restart')) for s in ('vm:100', 'vm:101')] == ['2', '2']
        assert state['resources']['vm:102']['state'] == 'stopped'
        assert str(state['resources']['vm:103'].get('max_relocate')) == '2'
        assert 'left-pin' in state['rules'] and state['options']['ha']['shutdown_policy'] == 'migrate'
        # 4 resource writes are needed (4 PUTs); more means stale-digest answers were met and re-planned.
        resource_writes = [w for w in pve.writes() if w['path'].startswith('/cluster/ha/resources')]
        conflicts += len(resource_writes) - 4
        # Run both again at once: nothing left to do for either.
        pve.clear_log()
        again = [ansible.play(play(left, 'proxmox', pve.token_auth()), background=True),
                 ansible.play(play(right, 'proxmox', pve.token_auth()), background=True)]
        for finish in again:
            run = finish()
            assert run.rc == 0 and not [t for t in run.module_tasks() if t['result'].get('changed')], run.text[-3000:]
        assert pve.writes() == []
    evidence.note('concurrent_resource_writes_beyond_needed', conflicts)
    # The held reads make both runs plan on one digest; at least one round must have shown the re-plan at work.
    assert conflicts >= 1, 'the two runs never collided on a digest, so this test proved nothing about digest handling'


def test_create_plus_update_in_one_run_reports_every_write_and_meets_no_stale_digest(start_pve, ansible, evidence):
    pve = start_pve(with_ha('pve9-3node', EXISTING[:2]))
    evidence.case()
    run = ansible.play(play([task('mixed', 'proxmox_ha_resources', dict(config=[dict(sid='vm:100', max_relocate=2),
                                                                                dict(sid='vm:102')]))],
                            'proxmox', pve.token_auth()))
    result = run.result('mixed')
    assert run.rc == 0 and sids(pve) == ['vm:100', 'vm:101', 'vm:102'], run.text[-3000:]
    sent = [(w['method'], w['path']) for w in pve.writes()]
    reported = [(c['method'], '/' + c['path'].lstrip('/')) for c in result['commands']]
    assert len(sent) == 2, 'two changes took %d writes: %s' % (len(sent), sent)
    assert reported == sent, 'commands %s do not match the writes sent %s' % (reported, sent)
