# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: the summary lines."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import check
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.domain import platform
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.summary import summary_lines
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import pve8, pve9

CHECKS = [check('min_nodes', True, 'fail', '3 node(s), at least 3 needed')]
CAPACITY = {'summary': 'Capacity OK: survives 1 host failure.'}


def assessed(info, desired_count=0, plan=None, capacity=None):
    """The parts of a proxmox_ha_assess result the summary reads."""
    return dict(platform=platform(info), cluster_name=(info.get('cluster') or {}).get('name') or '',
                desired_count=desired_count, plan=plan or {}, capacity=capacity, checks=CHECKS)


def loop(*items):
    return {'results': [dict(item=item, changed=changed) for item, changed in items]}


def test_nothing_changed():
    lines = summary_lines(assessed(pve9(), capacity=CAPACITY), 'host', False, {})
    assert lines == ['Cluster lab9: PVE 9.0.10 (groups migrated to rules)', 'Changed: nothing',
                     'Capacity: Capacity OK: survives 1 host failure.', 'Checks:',
                     'PASS     min_nodes 3 node(s), at least 3 needed']


def test_check_mode_lists_what_would_change():
    results = dict(groups=loop(({'name': 'web'}, True), ({'name': 'db'}, False)),
                   group_removals=loop(('old', True)), rules=loop(({'name': 'r1'}, True)),
                   resources={'changed': True, 'before': [], 'after': [{'sid': 'vm:100'}]}, options={'changed': True})
    lines = summary_lines(assessed(pve8(), 2, {'deferred_rules': ['db-apart']}), 'host', True, results)
    assert lines[0] == 'Cluster lab8: PVE 8.4.1 (HA groups) - CHECK MODE, nothing was written'
    assert lines[1] == ('Would change: groups web, old; rules r1; HA resources (2 managed); datacenter HA options; '
                        'rules db-apart (after the new HA resources)')
    assert lines[2] == 'Capacity: not evaluated'


def test_overridden_removals_are_counted_and_named():
    """M11: the summary said "HA resources (1 managed)" while the run deleted three."""
    resources = {'changed': True, 'before': [{'sid': s} for s in ('vm:100', 'vm:101', 'vm:103', 'ct:104')],
                 'after': [{'sid': 'vm:100'}]}
    lines = summary_lines(assessed(pve9(), 1, capacity=CAPACITY), 'host', False, {'resources': resources})
    assert lines[1] == 'Changed: HA resources (1 managed, 3 removed: vm:101, vm:103, ct:104)'


def test_n_plus_zero_is_no_failover_protection():
    """L9: N+0 gave a bare "Capacity OK"."""
    line = summary_lines(assessed(pve9(), capacity=CAPACITY), 'host', False, {}, host_failures=0)[2]
    assert line.startswith('Capacity: N+0 - NO failover protection') and line.endswith(CAPACITY['summary'])


def test_groups_left_out_without_members_are_named():
    lines = summary_lines(assessed(pve9(), plan={'empty_groups': ['web']}, capacity=CAPACITY), 'host', False, {})
    assert lines[3].endswith(': web') and lines[4] == 'Checks:'


def test_cluster_name_falls_back_to_the_inventory_host():
    info = pve9()
    info['cluster']['name'] = None
    assert summary_lines(assessed(info, capacity=CAPACITY), 'sim-pve9', False, {})[0].startswith('Cluster sim-pve9: PVE')
