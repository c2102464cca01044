"""PVE 9 after the groups migration: a group is the rule ha-group-<name>; moving a guest out of it
(group "") must stick - the rule loses the guest once and later runs change nothing; and a group
entry that leaves `restricted` out keeps the rule as strict as it is (issue 16 M4)."""

from e2e_support import reset, run_playbook, write_inventory, writes


def ha_group_rule(sim):
    """Resources of rule ha-group-web as the simulator stores it ({rule name: {resources: 'a,b'}})."""
    rules = sim['control'].call('GET', '/state')['rules']
    assert 'ha-group-web' in rules, rules
    return sorted(rules['ha-group-web']['resources'].split(','))


WEB = {'name': 'web', 'nodes': ['pve1:2', 'pve2:1']}


def harden(sim, tmp_path, collections_path, resources, name, group=None):
    extra = {'proxmox_ha_groups': [group or WEB], 'proxmox_ha_resources': resources}
    inventory = write_inventory(tmp_path / ('%s.yml' % name), {'pve9': (sim, extra)})
    proc = run_playbook('proxmox_ha.yml', [inventory], collections_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return proc.stdout


def test_guest_moved_out_of_a_group_stays_out(simulators, collections_path, tmp_path):
    sim = simulators['pve9']
    reset(sim)
    try:
        harden(sim, tmp_path, collections_path, [{'sid': '100', 'group': 'web'}, {'sid': '102', 'group': 'web'}], 'both')
        assert ha_group_rule(sim) == ['vm:100', 'vm:102']
        harden(sim, tmp_path, collections_path, [{'sid': '100', 'group': 'web'}, {'sid': '102', 'group': ''}], 'moved')
        assert ha_group_rule(sim) == ['vm:100']
        sim['control'].call('DELETE', '/requests')
        out = harden(sim, tmp_path, collections_path, [{'sid': '100', 'group': 'web'}, {'sid': '102', 'group': ''}], 'again')
        assert 'Changed: nothing' in out
        assert writes(sim) == 0
        assert ha_group_rule(sim) == ['vm:100']
    finally:
        reset(sim)


def test_group_entry_without_restricted_keeps_a_strict_group_strict(simulators, collections_path, tmp_path):
    sim = simulators['pve9']
    reset(sim)
    try:
        members = [{'sid': '100', 'group': 'web'}]
        harden(sim, tmp_path, collections_path, members, 'strict', dict(WEB, restricted=True))
        assert str(sim['control'].call('GET', '/state')['rules']['ha-group-web'].get('strict')) == '1'
        sim['control'].call('DELETE', '/requests')
        out = harden(sim, tmp_path, collections_path, members, 'omitted')
        assert str(sim['control'].call('GET', '/state')['rules']['ha-group-web'].get('strict')) == '1'
        assert 'Changed: nothing' in out
        assert writes(sim) == 0
    finally:
        reset(sim)
