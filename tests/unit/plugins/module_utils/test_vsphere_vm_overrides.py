# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure planner of per-VM HA overrides (_vsphere_vm_overrides)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_vm_overrides as vo

VMS = {'vm-1': 'db01', 'vm-2': 'db02', 'vm-3': 'web01', 'vm-4': 'twin', 'vm-5': 'twin'}
STORED = [{'key': 'vm-1', 'dasSettings': {'restartPriority': 'high', 'isolationResponse': 'clusterIsolationResponse',
                                          'vmToolsMonitoringSettings': {'clusterSettings': True},
                                          'vmComponentProtectionSettings': {'vmStorageProtectionForAPD': 'clusterDefault',
                                                                            'vmTerminateDelayForAPDSec': -1}}},
          {'key': 'vm-3', 'dasSettings': {'restartPriority': 'disabled'}}]
DEFAULTS = dict((k, vo.CLUSTER_DEFAULT) for k in vo.SETTINGS)


def test_reading_maps_the_api_defaults_to_cluster_default():
    assert vo.current_overrides(STORED)['vm-1'] == dict(DEFAULTS, restart_priority='high')


def test_merged_adds_and_edits_in_one_spec_and_keeps_other_settings():
    result = vo.plan(STORED, [{'vm': 'db01', 'isolation_response': 'shutdown'}, {'vm': 'db02', 'restart_priority': 'low'}], 'merged', VMS)
    assert result['after']['db01'] == dict(DEFAULTS, restart_priority='high', isolation_response='shutdown')
    assert [(s['operation'], s['info']['key']) for s in result['spec']] == [('edit', 'vm-1'), ('add', 'vm-2')]
    settings = result['spec'][0]['info']['dasSettings']
    assert settings['restartPriority'] == 'high' and settings['isolationResponse'] == 'shutdown'
    assert settings['vmToolsMonitoringSettings'] == {'_type': 'ClusterVmToolsMonitoringSettings', 'clusterSettings': True}
    assert settings['vmComponentProtectionSettings']['vmTerminateDelayForAPDSec'] == -1
    assert result['added'] == ['db02'] and result['updated'] == ['db01'] and result['removed'] == []


def test_a_second_run_plans_nothing():
    first = vo.plan([], [{'vm': 'db01', 'restart_priority': 'low', 'vm_monitoring': 'vmMonitoringOnly', 'apd_delay': 0}], 'merged', VMS)
    stored = [s['info'] for s in first['spec']]
    again = vo.plan(stored, [{'vm': 'db01', 'restart_priority': 'low', 'vm_monitoring': 'vmMonitoringOnly', 'apd_delay': 0}], 'merged', VMS)
    assert again['spec'] is None and again['before'] == again['after']


def test_replaced_resets_unlisted_settings_overridden_removes_unlisted_vms():
    replaced = vo.plan(STORED, [{'vm': 'db01', 'isolation_response': 'none'}], 'replaced', VMS)
    assert replaced['after']['db01'] == dict(DEFAULTS, isolation_response='none')
    assert 'web01' in replaced['after']
    overridden = vo.plan(STORED, [{'vm': 'db01', 'restart_priority': 'high'}], 'overridden', VMS)
    assert overridden['removed'] == ['web01'] and overridden['updated'] == []
    assert overridden['spec'] == [{'_type': 'ClusterDasVmConfigSpec', 'operation': 'remove', 'removeKey': 'vm-3'}]


def test_deleted_and_gathered():
    deleted = vo.plan(STORED, [{'vm': 'web01'}, {'vm': 'db02'}], 'deleted', VMS)
    assert deleted['removed'] == ['web01'] and len(deleted['spec']) == 1
    assert vo.plan(STORED, [{'vm': 'nosuch'}], 'gathered', VMS)['spec'] is None


@pytest.mark.parametrize('overrides, state, message', [
    ([{'vm': 'db01'}, {'vm': 'ghost'}, {'vm': 'ghost2'}], 'merged',
     "overrides names 2 VM(s) that are not in the cluster: 'ghost', 'ghost2'; check the names (nothing was changed)."),
    ([{'vm': 'twin'}], 'merged', "overrides names VM 'twin', which matches 2 VMs of the cluster (vm-4, vm-5); give its MoID instead."),
    ([{'vm': 'db01'}, {'vm': 'vm-1'}], 'merged', "overrides lists VM db01 twice (as 'db01' and 'vm-1'); list each VM once."),
    ([{'vm': 'db01', 'restart_priority': 'low'}], 'deleted',
     'overrides[0] (VM db01) sets restart_priority, but state deleted removes whole overrides; give only vm.'),
    ([{'vm': 'db01', 'apd_delay': -5}], 'merged', 'overrides[0].apd_delay is -5; give seconds (0 or more) or cluster_default.'),
])
def test_bad_input_is_refused_with_one_sentence(overrides, state, message):
    with pytest.raises(vo.OverrideInputError) as err:
        vo.plan(STORED, overrides, state, VMS)
    assert str(err.value) == message


def test_many_unknown_names_are_summarised():
    with pytest.raises(vo.OverrideInputError, match=r"'g0', 'g1', 'g2', 'g3', 'g4' and 3 more"):
        vo.plan([], [{'vm': 'g%d' % n} for n in range(8)], 'merged', VMS)


def test_vm_by_moid_and_500_vms_in_one_spec():
    vms = dict(('vm-%d' % n, 'bulk%03d' % n) for n in range(500))
    result = vo.plan([], [{'vm': 'vm-%d' % n, 'restart_priority': 'low'} for n in range(500)], 'merged', vms)
    assert len(result['spec']) == 500 and len(result['added']) == 500
