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
    for row in s.get('overloaded_detail', []):
        line += "; PVE's choices put %d guest(s) on %s, %s over its usable memory" % (
            len(row['restarted_here']), row['host'], format_mb(row['over_mb']))
    if s['min_free_host'] is not None:
        line += '; least free afterwards: %s on %s' % (format_mb(s['min_free_mb']), s['min_free_host'])
    if s['not_restarted']:
        line += '; %d non-HA guest(s) stay down' % len(s['not_restarted'])
    ties = s.get('tie_branches')
    if ties and ties.get('failing_branch'):
        line += ('; PVE scores several nodes equally and may take any of them: this is one of its possible '
                 'choices (%d replayed)' % ties['replayed'])
    elif ties and not ties['complete']:
        line += ('; PVE scores several nodes equally and may take any of them: %d replays did not cover '
                 'every choice, so this failure set is not proven' % ties['replayed'])
    return line


def _figure(row):
    return '%d%s' % (row['tolerated'], ' or more' if row['at_least'] else '')


def factors_text(factors, limited_by):
    """'limited by quorum: quorum 1, storage 1, memory 2 or more'."""
    shown = ', '.join('%s %s' % (row['factor'], _figure(row)) for row in factors)
    return 'limited by %s: %s' % (limited_by, shown)


def summary_sentence(result):
    """One sentence: the verdict with its limiting factor, and when refusing, the reason."""
    k = result['host_failures']
    agg = result['aggregate']
    tolerated = result['tolerated_host_failures']
    why = factors_text(result['factors'], result['limited_by'])
    domains = result.get('fault_domains')
    if result['ok']:
        text = 'Failover capacity OK: the cluster tolerates %d host failure(s) (%s; %d requested, view %s), aggregate headroom %s' % (
            tolerated, why, k, result['view'], format_mb(agg['headroom_mb']))
        if domains is not None:
            text += '; and %d fault-domain failure(s) (%s)' % (
                domains['tolerated_domain_failures'], factors_text(domains['factors'], domains['limited_by']))
        return text + '.'
    head = 'Failover capacity NOT sufficient for %d host failure(s) (the cluster tolerates %d, %s; view %s)' % (
        k, tolerated, why, result['view'])
    if result['refusal']:
        return head + ': ' + result['refusal']
    if tolerated >= k and domains is not None and not domains['ok']:
        reason = domains['refusal'] or _domain_failure_text(domains)
        return '%s: %d fault-domain failure(s) requested, %d tolerated (%s): %s' % (
            head.replace('NOT sufficient', 'sufficient'), domains['domain_failures'], domains['tolerated_domain_failures'],
            factors_text(domains['factors'], domains['limited_by']), reason)
    parts = [head]
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
    if placement['method'] == 'sampled':
        parts.append("%d failure sets exceed the enumeration limit; PVE's recovery was replayed only for the likeliest "
                     "worst ones, so this is not promised" % placement['scenario_count'])
    if placement['method'] == 'impossible':
        parts.append('there are not more online hosts than failures')
    if k > 0 and tolerated < 0:
        parts.append('the cluster fails even with no host down')
    elif agg['ok'] and placement['ok'] and tolerated < k:
        parts.append('%d host failure(s) already fail, so %d cannot be promised' % (tolerated + 1, k))
    return '; '.join(parts) + '.'


def _domain_failure_text(domains):
    failing = domains['first_failing']
    if not failing:
        return 'quorum or storage cannot survive it'
    if 'failed_hosts' not in failing:
        return 'losing %s leaves %s' % (', '.join(failing['failed_domains']), failing['reason'])
    return 'losing %s: %s' % (', '.join(failing['failed_domains']), _scenario_line(failing))


def _factor_lines(result):
    lines = ['## Tolerated host failures: %d (%s)' % (result['tolerated_host_failures'], factors_text(result['factors'], result['limited_by'])), '']
    quorum = result['quorum']
    if quorum is not None:
        lines.append('- quorum: %d expected vote(s) (QDevice %d), quorum %d, %d present: survives %d host failure(s).' % (
            quorum['expected_votes'], quorum['qdevice_votes'], quorum['quorum'], quorum['votes_present'], quorum['tolerated']))
    for row in result['storage']:
        lines.append("- storage '%s': failures_tolerated %d per %s, %d HA guest(s): survives %d host failure(s)." % (
            row['name'], row['failures_tolerated'], row['failure_domain'], row['ha_guests'], row['tolerated']))
    memory = [row for row in result['factors'] if row['factor'] == 'memory'][0]
    lines.append('- memory and placement: survives %s host failure(s).' % _figure(memory))
    skipped = result.get('not_explored')
    if skipped:
        lines.append("- k = %d was not replayed: PVE's static scheduler scores every node for every displaced guest, "
                     "%d scorings for all %d-failure sets (more than %d); ask for it (host_failures) to have it decided."
                     % (skipped['host_failures'], skipped['static_scorings'], skipped['host_failures'], skipped['budget']))
    scheduler = result.get('scheduler')
    if scheduler is not None:
        lines.append("- placement replays PVE's own recovery (CRS %s%s, service-ID order, no backtracking), then checks memory." % (
            scheduler['crs'], '' if scheduler['crs'] == scheduler['replayed_as'] else ' replayed as ' + scheduler['replayed_as']))
    if scheduler is not None and scheduler.get('static_fixes_overloads'):
        lines.append("- with CRS `static` (memory-aware) PVE's own choices fit the failure sets `basic` overloads: "
                     "consider the datacenter option crs: ha=static.")
    elif scheduler is not None and scheduler.get('static_fixes_overloads') is False:
        lines.append('- CRS `static` overloads a survivor too on those failure sets: add memory or hosts.')
    if result.get('maintenance'):
        lines.append('- in maintenance for this check (no capacity, no vote): %s.' % ', '.join(result['maintenance']))
    if result['refusal']:
        lines.append('- refused: ' + result['refusal'])
    domains = result.get('fault_domains')
    if domains is not None:
        lines += ['', '## Fault domains: %d failure(s) tolerated (%s)' % (
            domains['tolerated_domain_failures'], factors_text(domains['factors'], domains['limited_by'])), '']
        lines.extend('- %s: %s' % (name, ', '.join(hosts)) for name, hosts in sorted(domains['domains'].items()))
        if not domains['ok']:
            lines.append('- %d requested: %s' % (domains['domain_failures'], domains['refusal'] or _domain_failure_text(domains)))
    return lines + ['']


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
    ] + _factor_lines(result) + [
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


# File name used when ha_capacity_report_path names a directory (ends with "/").
REPORT_DEFAULT_NAME = 'capacity-report'


def report_files(path):
    """The report files for ha_capacity_report_path: dict(directory, markdown, json) (pure).

    A trailing .md or .json is dropped; a path naming a directory ("reports/", or "reports/.md" which
    would make hidden files) gets REPORT_DEFAULT_NAME inside it (issue 16, L16).
    """
    if not isinstance(path, str) or not path.strip():
        raise ValueError('ha_capacity_report_path is empty; give a path prefix such as reports/capacity, or leave it '
                         'unset to write no report.')
    stem = path
    for suffix in ('.md', '.json'):
        if stem.endswith(suffix):
            stem = stem[:-len(suffix)]
            break
    directory, _sep, name = stem.rpartition('/')
    if not name:
        stem = stem + REPORT_DEFAULT_NAME
        directory, _sep, name = stem.rpartition('/')
    return dict(directory=directory if _sep else '', markdown=stem + '.md', json=stem + '.json')
