# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight check records shared by the proxmox_ha and vsphere_ha roles.

A check is a plain dict ``{name, status, action, summary, evidence}``; ``status`` is
``pass``, ``fail``, ``warn`` or ``skipped`` and follows from whether the condition held and
what the operator asked a failed check to do (``action``: fail, warn or skip). Both roles
build their checks with :func:`check`, print them with :func:`check_lines` and refuse with
:func:`refusal_message`, so the two platforms report alike.
"""

from __future__ import absolute_import, division, print_function

import json

__metaclass__ = type

ACTIONS = ('fail', 'warn', 'skip')


def check(name, passed, action, summary, evidence=None):
    """One check record; ``action`` says what a failed check does."""
    if action not in ACTIONS:
        raise ValueError('check %s: action must be one of %s, got %r; set the role variable to one of them.'
                         % (name, ', '.join(ACTIONS), action))
    if action == 'skip':
        status = 'skipped'
    elif passed:
        status = 'pass'
    else:
        status = 'fail' if action == 'fail' else 'warn'
    return {'name': name, 'status': status, 'action': action, 'summary': summary,
            'evidence': evidence if evidence is not None else {}}


def not_applicable(name, action, summary, evidence=None):
    """A record for a check that does not apply to this cluster: status ``n/a``, never refuses."""
    record = check(name, True, action, summary, evidence)
    record['status'] = 'n/a'
    return record


def by_status(checks, status):
    """The checks with this status, in their order."""
    return [c for c in checks if c.get('status') == status]


def check_lines(checks):
    """One aligned line per check: STATUS, name, summary."""
    width = max([len(c['name']) for c in checks] + [8])
    return ['%-8s %-*s %s' % (c['status'].upper(), width, c['name'], c['summary']) for c in checks]


def refusal_message(checks, variable_prefix):
    """The sentence that stops a role when a check failed, or '' when none did."""
    failed = by_status(checks, 'fail')
    if not failed:
        return ''
    parts = ['%s: %s (evidence: %s)' % (c['name'], c['summary'], json.dumps(c['evidence'], sort_keys=True))
             for c in failed]
    return ('Preflight refused HA on this cluster: %s. Nothing has been written. Fix the cluster or the '
            'role variables, or set %s_check_<name> to warn if you accept the risk.'
            % ('; '.join(parts), variable_prefix))
