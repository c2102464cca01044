# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Human-readable rendering of an engine result: the summary sentence and the Markdown report.

The engine's result carries data only; ``with_report`` adds ``summary`` and ``report`` to it.
"""

from __future__ import absolute_import, division, print_function

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import format_mb

__metaclass__ = type

# Failing failure sets listed in the human report besides the worst one (the JSON has all).
REPORT_MAX_SCENARIOS = 5


def _scenario_line(s):
    failed = ', '.join(s['failed_hosts']) or 'no host'
    line = '%s down: %d HA guest(s) to restart (%s)' % (failed, s['displaced_count'], format_mb(s['displaced_mb']))
    if s['unplaced']:
        line += '; %d cannot be restarted (%s short)' % (len(s['unplaced']), format_mb(s['unplaced_mb']))
    if s['overcommitted_hosts']:
        line += '; already overcommitted: %s' % ', '.join(s['overcommitted_hosts'])
    if s['min_free_host'] is not None:
        line += '; least free afterwards: %s on %s' % (format_mb(s['min_free_mb']), s['min_free_host'])
    if s['not_restarted']:
        line += '; %d non-HA guest(s) stay down' % len(s['not_restarted'])
    return line


def summary_sentence(result):
    """One sentence: the verdict, and when refusing, the worst scenario and the shortfall."""
    k = result['host_failures']
    agg = result['aggregate']
    tolerated = result['tolerated_host_failures']
    if result['ok']:
        return 'Failover capacity OK: the cluster tolerates %d host failure(s) (%d requested, view %s), aggregate headroom %s.' % (
            tolerated, k, result['view'], format_mb(agg['headroom_mb']))
    parts = ['Failover capacity NOT sufficient for %d host failure(s) (the cluster tolerates %d, view %s)' % (k, tolerated, result['view'])]
    if not agg['ok']:
        parts.append('aggregate shortfall %s' % format_mb(max(0, -agg['headroom_mb'])))
    worst = result['worst_scenario']
    if worst is not None and not worst['ok']:
        text = 'worst scenario: ' + _scenario_line(worst)
        if worst['unplaced']:
            first = worst['unplaced'][0]
            text += ', first unplaced %s: %s' % (first['name'], first['detail'])
        parts.append(text)
    placement = result['placement']
    if placement['method'] == 'slot_bound' and not placement['ok'] and (worst is None or worst['ok']):
        parts.append('%d failure sets exceed the enumeration limit and the slot bound could not prove them safe' % placement['scenario_count'])
    if placement['method'] == 'impossible':
        parts.append('there are not more online hosts than failures')
    if k > 0 and tolerated < 0:
        parts.append('the cluster fails even with no host down')
    elif agg['ok'] and placement['ok'] and tolerated < k:
        parts.append('%d host failure(s) already fail, so %d cannot be promised' % (tolerated + 1, k))
    return '; '.join(parts) + '.'


def render_report(result):
    """Short Markdown report (also printed line by line by the role)."""
    agg = result['aggregate']
    placement = result['placement']
    title = result['cluster'] or 'cluster'
    if result['platform']:
        title += ' (%s)' % result['platform']
    lines = [
        '# Failover capacity: %s' % title,
        '',
        ('**OK** ' if result['ok'] else '**REFUSED** ') + result['summary'],
        '',
        '## Aggregate rule (k = %d)' % result['host_failures'],
        '',
        '| capacity | reserve for the %d largest host(s) | available | committed | headroom |' % result['host_failures'],
        '|---|---|---|---|---|',
        '| %s | %s | %s | %s | %s |' % tuple(
            format_mb(agg[key]) for key in ('capacity_mb', 'failover_reserve_mb', 'available_mb', 'committed_mb', 'headroom_mb')),
        '',
        '## Placement',
        '',
        '%d of %d failure set(s) checked (%s), %d failed.' % (
            placement['evaluated_count'], placement['scenario_count'], placement['method'], placement['failed_count']),
    ]
    if result['worst_scenario'] is not None:
        worst = result['worst_scenario']
        lines.append('Worst: ' + _scenario_line(worst) + '.')
        for row in worst['unplaced']:
            lines.append('- %s (%s, %s): %s - %s' % (row['name'], row['id'], format_mb(row['demand_mb']), row['reason'], row['detail']))
        others = [s for s in result['scenarios'] if not s['ok'] and s is not worst]
        if others:
            shown = ', first %d shown' % REPORT_MAX_SCENARIOS if len(others) > REPORT_MAX_SCENARIOS else ''
            lines.append('Other failing failure sets (%d%s):' % (len(others), shown))
            lines.extend('- ' + _scenario_line(s) for s in others[:REPORT_MAX_SCENARIOS])
    ac = result['vsphere_admission_control']
    if ac is not None:
        lines += ['', 'vSphere admission control: memory %d %% for %d host failure(s).' % (ac['memory_percent'], ac['failover_level'])]
    lines += ['', '## Hosts', '', '| host | state | capacity | committed | free | min free after failover |', '|---|---|---|---|---|---|']
    for row in result['hosts']:
        after = row['min_free_after_failover_mb']
        lines.append('| %s | %s | %s | %s | %s | %s |' % (
            row['name'], row['state'], format_mb(row['capacity_mb']), format_mb(row['committed_mb']),
            format_mb(row['free_mb']), '-' if after is None else format_mb(after)))
    return '\n'.join(lines) + '\n'


def with_report(result):
    """Add the summary sentence and the Markdown report to an engine result; returns it."""
    result['summary'] = summary_sentence(result)
    result['report'] = render_report(result)
    return result
