# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maintenance question: may these hosts enter maintenance one after another and the
cluster still keep N+k at every step?

Each step takes its host out (no capacity; no quorum vote, because maintenance usually means a
reboot; its running guests must be moved first, so they are placed like displaced guests) and
asks the engine for the usual verdict. ``rolling`` (default) returns each host before the next
one goes; ``cumulative`` keeps every earlier host out as well. Nothing is written anywhere.
"""

from __future__ import absolute_import, division, print_function

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError, Model, normalize_model
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import factors_text, summary_sentence

__metaclass__ = type

MODES = ('rolling', 'cumulative')


def check_maintenance_order(model, order, host_failures=1, view='configured', reserve_percent=0, mode='rolling'):
    """{'ok', 'mode', 'host_failures', 'steps': [...], 'first_failing_step', 'summary'} for an order of hosts."""
    if not isinstance(model, Model):
        model = normalize_model(model)
    if isinstance(order, str) or not isinstance(order, (list, tuple)) or not order:
        raise CapacityModelError('order must be a non-empty list of host names, got %r; list the hosts in the order '
                                 'they enter maintenance.' % (order,))
    if mode not in MODES:
        raise CapacityModelError("mode must be 'rolling' or 'cumulative', got %r; use rolling for one host at a time." % (mode,))
    known = set(h.name for h in model.hosts)
    for name in order:
        if name not in known:
            raise CapacityModelError("order names unknown host '%s'; use names from hosts[].name." % (name,))
    if len(set(order)) != len(order):
        raise CapacityModelError('order lists a host twice; list each host once.')
    steps = []
    for i, name in enumerate(order):
        out = list(order[:i + 1]) if mode == 'cumulative' else [name]
        result = evaluate(model, host_failures=host_failures, view=view, reserve_percent=reserve_percent, maintenance=out)
        result['summary'] = summary_sentence(result)
        steps.append({
            'step': i + 1,
            'host': name,
            'in_maintenance': out,
            'ok': result['ok'],
            'tolerated_host_failures': result['tolerated_host_failures'],
            'limited_by': result['limited_by'],
            'factors': result['factors'],
            'refusal': result['refusal'],
            'summary': result['summary'],
        })
    failing = next((s for s in steps if not s['ok']), None)
    if failing is None:
        summary = ('Maintenance order OK (%s): every step keeps N+%d; %s.' % (
            mode, host_failures, '; '.join('%s out: tolerates %d (%s)' % (
                s['host'], s['tolerated_host_failures'], factors_text(s['factors'], s['limited_by'])) for s in steps)))
    else:
        summary = 'Maintenance order REFUSED (%s) at step %d (%s into maintenance): %s' % (
            mode, failing['step'], failing['host'], failing['summary'])
    return {
        'ok': failing is None,
        'mode': mode,
        'host_failures': host_failures,
        'order': list(order),
        'steps': steps,
        'first_failing_step': None if failing is None else failing['step'],
        'summary': summary,
    }
