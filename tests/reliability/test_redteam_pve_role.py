"""Red-team findings of the proxmox_ha role (issue 16: M4, M5, M6, M11, L9, L10, L12), end to end.

Each test runs the role through ansible-playbook against a fresh simulated cluster and checks
what a careless user would hit: the stored HA state, the write requests and the role's words.
"""

import pytest

from harness import play
from test_faults import with_ha

ROLE = 'clusterops.ha.proxmox_ha'
STRICT_WEB = dict(rule='ha-group-web', type='node-affinity', nodes='pve1:2,pve2:1', strict=1, resources='vm:100')


def role_run(ansible, pve, role_vars, check=False):
    book = play([dict(name='role', **{'ansible.builtin.include_role': dict(name=ROLE)}, vars=role_vars)],
                'proxmox', pve.token_auth())
    return ansible.play(book, check=check, diff=check)


def facts(run, name):
    """A fact as the role's last set_fact task that set it left it."""
    for record in reversed(run.tasks):
        found = (record['result'].get('ansible_facts') or {}).get(name)
        if found is not None:
            return found
    raise AssertionError('no task set %s' % name)


def refused_without_writes(run, pve, *words):
    assert run.rc != 0, run.text[-3000:]
    for word in words:
        assert word in run.text, 'the refusal does not say %r:\n%s' % (word, run.text[-3000:])
    assert pve.writes() == [], pve.writes()


def test_m4_group_entry_without_restricted_keeps_the_strict_rule(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve(with_ha('pve9-3node', [dict(sid='vm:100', state='started')], rules=[STRICT_WEB]))
    run = role_run(ansible, pve, dict(proxmox_ha_groups=[dict(name='web', nodes=['pve1:2', 'pve2:1'])],
                                      proxmox_ha_resources=[dict(sid='100', group='web')], proxmox_ha_nofailback=False,
                                      proxmox_ha_shutdown_policy=''))
    assert run.rc == 0, run.text[-3000:]
    assert int(pve.state()['rules']['ha-group-web'].get('strict') or 0) == 1, pve.state()['rules']
    assert [w for w in pve.writes() if 'rules' in w['path']] == []
    assert 'Changed: nothing' in run.stdout


def test_m5_rules_before_the_groups_migration_are_refused_before_any_write(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve('pve9-unmigrated')
    pve.clear_log()
    run = role_run(ansible, pve, dict(
        proxmox_ha_groups=[dict(name='web', nodes=['pve1:2', 'pve2:1'])],
        proxmox_ha_resources=[dict(sid='102', group='web'), dict(sid='103')],
        proxmox_ha_rules=[dict(name='db-apart', type='resource-affinity', affinity='negative',
                               resources=['vm:101', 'vm:103'])]))
    refused_without_writes(run, pve, 'groups_migrated is false', 'Nothing has been written')


@pytest.mark.parametrize('check', [True, False], ids=['check', 'real'])
def test_m6_new_group_without_nodes_is_refused_in_check_mode_as_in_the_real_run(start_pve, ansible, evidence, check):
    evidence.case()
    pve = start_pve('pve9-3node')
    pve.clear_log()
    run = role_run(ansible, pve, dict(proxmox_ha_groups=[dict(name='web', restricted=True)],
                                      proxmox_ha_resources=[dict(sid='100', group='web')]), check=check)
    refused_without_writes(run, pve, "proxmox_ha_groups entry 'web' has no nodes")


def test_l12_duplicate_group_names_are_refused(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve('pve8-3node')
    pve.clear_log()
    run = role_run(ansible, pve, dict(proxmox_ha_groups=[dict(name='web', nodes=['pve1'], restricted=True),
                                                         dict(name='web', nodes=['pve1'], restricted=False)]))
    refused_without_writes(run, pve, "lists group 'web' twice")


def test_l10_container_given_as_bare_vmid_is_protected_as_a_container(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve('pve9-3node')
    run = role_run(ansible, pve, dict(proxmox_ha_resources=[dict(sid='104')], proxmox_ha_shutdown_policy=''))
    assert run.rc == 0, run.text[-3000:]
    assert sorted(pve.state()['resources']) == ['ct:104']
    assert [item['sid'] for item in facts(run, 'proxmox_ha_resources_config')] == ['ct:104']


def test_m11_overridden_mode_is_reflected_in_the_gate_and_the_summary(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve(with_ha('pve9-3node', [dict(sid=sid, state='started') for sid in ('vm:100', 'vm:101', 'vm:103')]))
    run = role_run(ansible, pve, dict(proxmox_ha_resources=[dict(sid='100')], proxmox_ha_resources_mode='overridden',
                                      proxmox_ha_shutdown_policy=''))
    assert run.rc == 0, run.text[-3000:]
    assert sorted(pve.state()['resources']) == ['vm:100']
    # The gate judged the cluster as the run leaves it: vm:100 is the only guest a node failure restarts.
    scenarios = facts(run, 'ha_capacity_result')['scenarios']
    assert sum(s['displaced_count'] for s in scenarios) == 1
    assert [s['not_restarted'] for s in scenarios if s['failed_hosts'] == ['pve1']] == [['vm:101']]
    checks = dict((c['name'], c) for c in facts(run, 'proxmox_ha_checks'))
    assert checks['shared_storage']['evidence']['ha_guests'] == ['vm:100']
    assert 'HA resources (1 managed, 2 removed: vm:101, vm:103)' in run.stdout, run.stdout[-3000:]


def test_l9_n_plus_zero_says_there_is_no_failover_protection(start_pve, ansible, evidence):
    evidence.case()
    pve = start_pve('pve9-3node')
    run = role_run(ansible, pve, dict(proxmox_ha_host_failures=0), check=True)
    assert run.rc == 0, run.text[-3000:]
    assert 'WARNING proxmox_ha_host_failures is 0 (N+0)' in run.stdout
    assert 'Capacity: N+0 - NO failover protection' in run.stdout
    assert pve.writes() == []
