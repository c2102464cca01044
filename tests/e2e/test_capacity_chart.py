"""Pure tests of the report's chart layout (playbooks/filter_plugins/capacity_chart.py) on small models.

The worst-failure stacking must account for every displaced HA guest exactly once, split a
guest's bar at the usable line, and list guests with no allowed survivor separately.
"""

import importlib.util
import os
import sys

import pytest

from e2e_support import PLAYBOOKS


@pytest.fixture(scope='module')
def chart(collections_path):
    if collections_path not in sys.path:
        sys.path.insert(0, collections_path)
    from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate
    spec = importlib.util.spec_from_file_location('capacity_chart', os.path.join(PLAYBOOKS, 'filter_plugins', 'capacity_chart.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def build(model, host_failures=1):
        result = evaluate(model, host_failures)
        return result, module.capacity_chart(result, model)
    return build


def hosts(*sizes):
    return [{'name': 'n%d' % i, 'memory_mb': size} for i, size in enumerate(sizes, 1)]


def test_fitting_cluster_stacks_every_displaced_guest_without_overflow(chart):
    model = {'hosts': hosts(32768, 32768, 32768), 'guests': [
        {'id': 'vm:1', 'host': 'n1', 'memory_mb': 8192}, {'id': 'vm:2', 'host': 'n1', 'memory_mb': 4096},
        {'id': 'vm:3', 'host': 'n2', 'memory_mb': 8192}, {'id': 'vm:4', 'host': 'n3', 'memory_mb': 2048}]}
    result, data = chart(model)
    worst = data['worst']
    assert worst['failed_hosts'] == result['worst_scenario']['failed_hosts']
    assert sum(row['displaced_mb'] for row in worst['hosts']) == result['worst_scenario']['displaced_mb']
    assert all(row['overflow_mb'] == 0 for row in worst['hosts'])
    assert not [r for r in data['svg']['rects'] if r['kind'] == 'overflow']
    assert [row['headroom_mb'] for row in data['now']] == [row['free_mb'] for row in result['hosts']]


def test_guest_that_does_not_fit_is_split_at_the_usable_line(chart):
    # Worst failure: n2 with its 48 GiB guest; the only survivor n1 has 40 GiB free, so 8 GiB overflow.
    model = {'hosts': hosts(65536, 65536), 'guests': [
        {'id': 'vm:1', 'host': 'n1', 'memory_mb': 24576}, {'id': 'vm:2', 'host': 'n2', 'memory_mb': 49152}]}
    result, data = chart(model)
    assert result['ok'] is False
    assert data['worst']['failed_hosts'] == ['n2']
    [row] = data['worst']['hosts']
    assert (row['host'], row['displaced_mb'], row['overflow_mb']) == ('n1', 49152, 8192)
    segments = [r for r in data['svg']['rects'] if r['section'] == 'worst' and r.get('guest') == 'vm:2']
    assert [(r['kind'], r['mb']) for r in segments] == [('displaced', 40960), ('overflow', 8192)]
    # The overflow segment starts exactly where the usable bar ends.
    usable = [r for r in data['svg']['rects'] if r['section'] == 'worst' and r['kind'] == 'usable' and r['host'] == 'n1'][0]
    assert abs(segments[1]['x'] - (usable['x'] + usable['w'])) < 0.05


def test_guest_without_an_allowed_survivor_is_listed_not_stacked(chart):
    model = {'hosts': hosts(65536, 65536, 65536), 'guests': [
        {'id': 'vm:1', 'host': 'n1', 'memory_mb': 4096, 'allowed_hosts': ['n1']},
        {'id': 'vm:2', 'host': 'n2', 'memory_mb': 4096}]}
    result, data = chart(model)
    assert result['ok'] is False
    worst = data['worst']
    assert worst['failed_hosts'] == ['n1']
    assert [g['id'] for g in worst['not_placed_anywhere']] == ['vm:1']
    assert all(row['displaced_mb'] == 0 for row in worst['hosts'])
    assert any('not restartable' in t['text'] for t in data['svg']['texts'])
