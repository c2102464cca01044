# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Differences between what the proxmox_ha role asked for and what the cluster reports after the run.

One sentence per mismatch; an empty list means verified.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def requested_state(value):
    return 'started' if (value or 'started') == 'enabled' else (value or 'started')


def run_mismatches(readback, assessment, mode='merged'):
    """The verdict of the role's verify step.

    readback: {resources: the registered proxmox_ha_resources state=gathered task, options: the
    registered proxmox_cluster_ha read (check mode, nothing asked)}. When the resources read was
    skipped (no write task changed anything) the state gathered before the run is the state after
    it, and the assessment already holds its verification. Resource entries are verified when the
    resources task ran; otherwise it had nothing to write (the same planner said so) and the
    gathered verification covers them.
    """
    readback = readback or {}
    resources = readback.get('resources') or {}
    if not resources or resources.get('skipped'):
        return list(assessment.get('gathered_mismatches') or [])
    options = readback.get('options') or {}
    after = dict(resources=resources.get('gathered') or [],
                 options={} if options.get('skipped') else options.get('before') or {})
    plan = assessment.get('plan') or {}
    resources_mode = mode if plan.get('converge_resources') else 'merged'
    return mismatches(after, assessment.get('expected') or [], plan.get('options') or {}, resources_mode)


def mismatches(after, desired, options, mode='merged'):
    """after: {resources, options} as read (an info result has both); options: the datacenter options asked for."""
    problems = []
    current = dict((res['sid'], res) for res in after.get('resources') or [])
    for item in desired:
        have = current.get(item['sid'])
        if have is None:
            problems.append('%s: no HA resource after the run' % item['sid'])
            continue
        want_state, have_state = requested_state(item.get('state')), requested_state(have.get('state'))
        if have_state != want_state:
            problems.append('%s: state %s asked, cluster reports %s' % (item['sid'], want_state, have_state))
        if item.get('group') and item['group'] != (have.get('group') or ''):
            problems.append('%s: group %s asked, cluster reports %s' % (item['sid'], item['group'], have.get('group') or 'none'))
    if mode == 'overridden':
        listed = set(item['sid'] for item in desired)
        for sid in sorted(set(current) - listed):
            problems.append('%s: still an HA resource although proxmox_ha_resources_mode is overridden' % sid)
    have_options = after.get('options') or {}
    if 'shutdown_policy' in options and have_options.get('shutdown_policy') != options['shutdown_policy']:
        problems.append('shutdown_policy %s asked, cluster reports %s'
                        % (options['shutdown_policy'], have_options.get('shutdown_policy') or 'none'))
    if 'crs' in options and (have_options.get('crs') or {}).get('ha') != options['crs']['ha']:
        problems.append('crs ha %s asked, cluster reports %s' % (options['crs']['ha'], (have_options.get('crs') or {}).get('ha') or 'none'))
    if 'fencing' in options and have_options.get('fencing') != options['fencing']:
        problems.append('fencing %s asked, cluster reports %s' % (options['fencing'], have_options.get('fencing') or 'none'))
    return problems
