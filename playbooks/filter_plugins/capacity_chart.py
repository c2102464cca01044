# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Chart data for playbooks/capacity_report.yml (a playbook-adjacent filter of this folder).

``capacity_chart(result, model)`` turns one cluster's failover_capacity result (and the model it
was computed from) into plain data for the report's inline SVG: per host the usable memory, the
committed memory and the headroom now; and for the worst failure scenario the displaced guests
stacked onto the survivors where the engine restarts them (``plan_failover``), with the part
above a survivor's usable memory as overflow. Guests the engine could not place are drawn on
the survivor with the most free memory they are allowed on, so the shortfall shows as overflow.
The layout (coordinates in px) is computed here so the template only prints elements.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

try:
    from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import plan_failover
    from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError, guest_demand, normalize_model
except ImportError:  # pragma: no cover - only without the collection on the path
    plan_failover = None
    CapacityModelError = ValueError

LABEL_WIDTH = 190
BAR_WIDTH = 520
VALUE_WIDTH = 280
ROW_HEIGHT = 22
ROW_GAP = 8
SECTION_GAP = 34


def worst_failure(result, model):
    """Rows for the worst scenario: survivors with their committed memory and the guests stacked on them."""
    worst = result.get('worst_scenario')
    hosts = dict((row['name'], row) for row in result.get('hosts', []))
    if not worst:
        return None
    if plan_failover is None:
        raise AnsibleFilterError('capacity_chart: the clusterops.ha collection is not importable; set ANSIBLE_COLLECTIONS_PATH.')
    try:
        normalized = normalize_model(model)
        plan = plan_failover(normalized, worst['failed_hosts'], view=result.get('view', 'configured'),
                             reserve_percent=result.get('reserve_percent', 0))
    except CapacityModelError as err:
        raise AnsibleFilterError('capacity_chart: %s' % err)
    guests = dict((guest.id, guest) for guest in normalized.guests)
    failed = set(worst['failed_hosts'])
    survivors = sorted(name for name, row in hosts.items() if row.get('state') == 'online' and name not in failed)
    stacked = dict((name, []) for name in survivors)
    view = result.get('view', 'configured')
    for gid, host in sorted(plan.get('restarted_on', {}).items()):
        if host in stacked:
            stacked[host].append({'id': gid, 'name': guests[gid].name, 'mb': guest_demand(guests[gid], view), 'fits': True})
    free = dict((name, hosts[name]['capacity_mb'] - hosts[name]['committed_mb'] - sum(g['mb'] for g in stacked[name]))
                for name in survivors)
    homeless = []
    for row in sorted(plan.get('unplaced', []), key=lambda r: (-r['demand_mb'], r['id'])):
        allowed = guests[row['id']].allowed_hosts
        candidates = [name for name in survivors if allowed is None or name in allowed]
        item = {'id': row['id'], 'name': row.get('name', row['id']), 'mb': row['demand_mb'], 'fits': False,
                'reason': row.get('reason'), 'detail': row.get('detail')}
        if not candidates or row.get('reason') != 'insufficient_memory':
            homeless.append(item)
            continue
        target = max(candidates, key=lambda name: (free[name], name))
        stacked[target].append(item)
        free[target] -= item['mb']
    rows = []
    for name in survivors:
        usable = hosts[name]['capacity_mb']
        committed = hosts[name]['committed_mb']
        displaced = sum(g['mb'] for g in stacked[name])
        rows.append({'host': name, 'usable_mb': usable, 'committed_mb': committed, 'displaced': stacked[name],
                     'displaced_mb': displaced, 'overflow_mb': max(0, committed + displaced - usable),
                     'free_after_mb': usable - committed - displaced})
    return {'failed_hosts': list(worst['failed_hosts']), 'ok': bool(worst.get('ok')), 'hosts': rows,
            'not_placed_anywhere': homeless, 'not_restarted': list(worst.get('not_restarted', []))}


def _gib(mb):
    return '%.1f GiB' % (mb / 1024.0)


def layout(now, worst):
    """SVG elements (rects and texts with px coordinates) for the two sections of one cluster."""
    biggest = [row['usable_mb'] for row in now] + [row['committed_mb'] for row in now]
    if worst:
        biggest += [row['committed_mb'] + row['displaced_mb'] for row in worst['hosts']]
    top = max(biggest + [1])
    scale = float(BAR_WIDTH) / top
    rects, texts = [], []
    y = 20
    texts.append({'x': 0, 'y': y, 'text': 'Now: usable memory, committed, headroom', 'cls': 'section'})
    y += 12
    for row in now:
        texts.append({'x': 0, 'y': y + 15, 'text': '%s (%s)' % (row['host'], row['state']), 'cls': 'host'})
        x0 = LABEL_WIDTH
        rects.append(_rect('now', x0, y, row['usable_mb'] * scale, row['host'], 'usable', row['usable_mb'],
                           '%s usable %s' % (row['host'], _gib(row['usable_mb']))))
        committed_px = row['committed_mb'] * scale
        rects.append(_rect('now', x0, y, committed_px, row['host'], 'committed', row['committed_mb'],
                           '%s committed %s' % (row['host'], _gib(row['committed_mb']))))
        if row['headroom_mb'] > 0:
            rects.append(_rect('now', x0 + committed_px, y, row['headroom_mb'] * scale, row['host'], 'headroom', row['headroom_mb'],
                               '%s headroom %s' % (row['host'], _gib(row['headroom_mb']))))
        texts.append({'x': LABEL_WIDTH + BAR_WIDTH + 8, 'y': y + 15, 'cls': 'value',
                      'text': '%s of %s used, %s free' % (_gib(row['committed_mb']), _gib(row['usable_mb']), _gib(row['headroom_mb']))})
        y += ROW_HEIGHT + ROW_GAP
    if worst:
        y += SECTION_GAP - ROW_GAP
        texts.append({'x': 0, 'y': y, 'cls': 'section',
                      'text': 'Worst failure: %s down - displaced guests restarted on the survivors' % ', '.join(worst['failed_hosts'])})
        y += 12
        for row in worst['hosts']:
            texts.append({'x': 0, 'y': y + 15, 'text': row['host'], 'cls': 'host'})
            rects.append(_rect('worst', LABEL_WIDTH, y, row['usable_mb'] * scale, row['host'], 'usable', row['usable_mb'],
                               '%s usable %s' % (row['host'], _gib(row['usable_mb']))))
            rects.append(_rect('worst', LABEL_WIDTH, y, row['committed_mb'] * scale, row['host'], 'committed', row['committed_mb'],
                               '%s committed %s' % (row['host'], _gib(row['committed_mb']))))
            cursor = row['committed_mb']
            for guest in row['displaced']:
                # Split a guest's segment at the usable line: the part above it is overflow.
                inside = max(0, min(guest['mb'], row['usable_mb'] - cursor))
                if inside:
                    rects.append(_rect('worst', LABEL_WIDTH + cursor * scale, y, inside * scale, row['host'], 'displaced', inside,
                                       '%s restarts %s (%s)' % (row['host'], guest['name'], _gib(guest['mb'])), guest['id']))
                if guest['mb'] - inside:
                    rects.append(_rect('worst', LABEL_WIDTH + (cursor + inside) * scale, y, (guest['mb'] - inside) * scale, row['host'],
                                       'overflow', guest['mb'] - inside,
                                       '%s cannot hold %s: %s over' % (row['host'], guest['name'], _gib(guest['mb'] - inside)), guest['id']))
                cursor += guest['mb']
            if row['committed_mb'] > row['usable_mb']:
                rects.append(_rect('worst', LABEL_WIDTH + row['usable_mb'] * scale, y, (row['committed_mb'] - row['usable_mb']) * scale,
                                   row['host'], 'overflow', row['committed_mb'] - row['usable_mb'],
                                   '%s is overcommitted already' % row['host']))
            texts.append({'x': LABEL_WIDTH + BAR_WIDTH + 8, 'y': y + 15, 'cls': 'value' if not row['overflow_mb'] else 'value warn',
                          'text': ('+%s restarted, %s free' % (_gib(row['displaced_mb']), _gib(row['free_after_mb'])))
                          if not row['overflow_mb'] else ('+%s restarted, %s OVER' % (_gib(row['displaced_mb']), _gib(row['overflow_mb'])))})
            y += ROW_HEIGHT + ROW_GAP
        for guest in worst['not_placed_anywhere']:
            texts.append({'x': 0, 'y': y + 15, 'cls': 'warn',
                          'text': 'not restartable: %s (%s) - %s' % (guest['name'], _gib(guest['mb']), guest.get('detail') or guest.get('reason'))})
            y += ROW_HEIGHT
    return {'width': LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH + 20, 'height': y + 10, 'scale_mb_per_px': top / float(BAR_WIDTH),
            'rects': rects, 'texts': texts}


def _rect(section, x, y, width, host, kind, mb, title, guest=None):
    return {'section': section, 'x': round(x, 2), 'y': y, 'w': round(max(width, 0), 2), 'h': ROW_HEIGHT, 'host': host,
            'kind': kind, 'mb': int(mb), 'title': title, 'guest': guest or ''}


def capacity_chart(result, model):
    """Chart data (rows and SVG layout) for one cluster's capacity result."""
    if not isinstance(result, dict) or 'hosts' not in result:
        raise AnsibleFilterError('capacity_chart expects the result of clusterops.ha.failover_capacity.')
    now = [{'host': row['name'], 'state': row.get('state', 'online'), 'usable_mb': row['capacity_mb'],
            'committed_mb': row['committed_mb'], 'headroom_mb': row['free_mb']} for row in result['hosts']]
    worst = worst_failure(result, model)
    return {'now': now, 'worst': worst, 'svg': layout(now, worst)}


class FilterModule:
    """Filters of the capacity report playbook."""

    def filters(self):
        return {'capacity_chart': capacity_chart}
