# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_ha role: what the cluster reports after the run against what was asked."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.verify import mismatches, run_mismatches
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import pve9, resource


def test_matching_cluster_has_no_mismatch():
    after = pve9(resources=[resource('vm:100', group='web'), resource('ct:104')])
    after['resources'][0]['group'] = 'web'
    desired = [{'sid': 'vm:100', 'state': 'enabled', 'group': 'web'}, {'sid': 'ct:104', 'group': ''}]
    assert mismatches(after, desired, {'shutdown_policy': 'conditional', 'crs': {'ha': 'basic'}}) == []


def test_each_difference_is_one_sentence():
    after = pve9(resources=[resource('vm:100', state='stopped')])
    desired = [{'sid': 'vm:100', 'state': 'started', 'group': 'web'}, {'sid': 'vm:101'}]
    options = {'shutdown_policy': 'migrate', 'crs': {'ha': 'static'}, 'fencing': 'hardware'}
    assert mismatches(after, desired, options) == [
        'vm:100: state started asked, cluster reports stopped', 'vm:100: group web asked, cluster reports none',
        'vm:101: no HA resource after the run', 'shutdown_policy migrate asked, cluster reports conditional',
        'crs ha static asked, cluster reports basic', 'fencing hardware asked, cluster reports watchdog']


def test_overridden_mode_verifies_the_removals():
    after = pve9(resources=[resource('vm:100'), resource('vm:101')])
    assert mismatches(after, [{'sid': 'vm:100'}], {}, 'merged') == []
    assert mismatches(after, [{'sid': 'vm:100'}], {}, 'overridden') == [
        'vm:101: still an HA resource although proxmox_ha_resources_mode is overridden']


def readback(resources, options=None):
    """The registered read-back tasks: proxmox_ha_resources state=gathered and proxmox_cluster_ha (check mode)."""
    return dict(resources=dict(changed=False, gathered=resources),
                options=dict(skipped=True) if options is None else dict(changed=False, before=options, after=options))


def test_a_skipped_read_back_is_the_gathered_verification():
    """No write task changed anything: the gathered state is the state after the run."""
    assessment = {'gathered_mismatches': ['vm:100: no HA resource after the run'], 'plan': {}, 'expected': []}
    assert run_mismatches({'resources': {'skipped': True, 'changed': False}}, assessment) == [
        'vm:100: no HA resource after the run']
    assert run_mismatches(None, assessment) == ['vm:100: no HA resource after the run']


def test_a_read_back_verifies_what_the_resources_task_sent():
    sent = {'plan': {'converge_resources': True, 'options': {}}, 'expected': [{'sid': 'vm:100'}, {'sid': 'vm:102'}]}
    assert run_mismatches(readback([resource('vm:100'), resource('vm:101')]), sent, 'overridden') == [
        'vm:102: no HA resource after the run',
        'vm:101: still an HA resource although proxmox_ha_resources_mode is overridden']


def test_the_options_read_back_is_compared_with_the_options_asked():
    asked = {'plan': {'converge_resources': False, 'options': {'shutdown_policy': 'migrate', 'crs': {'ha': 'static'}}},
             'expected': []}
    read = readback([], dict(shutdown_policy='migrate', fencing='watchdog', crs=dict(ha='basic')))
    assert run_mismatches(read, asked) == ['crs ha static asked, cluster reports basic']


def test_without_a_resources_task_the_mode_does_not_judge_the_resources():
    """Only the options were written: no resource entry was sent, so overridden must not flag every resource."""
    only_options = {'plan': {'converge_resources': False, 'options': {}}, 'expected': []}
    assert run_mismatches(readback([resource('vm:100')]), only_options, 'overridden') == []
