# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the vSphere -> capacity_model mapping (_vsphere_capacity_model)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_capacity_model as cm
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity import model as _capacity

GIB = 1024 ** 3
HOSTS = [
    {'_moid': 'host-1', 'name': 'esx1', 'runtime.connectionState': 'connected', 'runtime.inMaintenanceMode': False,
     'summary.hardware.memorySize': 64 * GIB + 5},
    {'_moid': 'host-2', 'name': 'esx2', 'runtime.connectionState': 'connected', 'runtime.inMaintenanceMode': True,
     'summary.hardware.memorySize': 64 * GIB},
    {'_moid': 'host-3', 'name': 'esx3', 'runtime.connectionState': 'notResponding', 'runtime.inMaintenanceMode': False,
     'summary.hardware.memorySize': 64 * GIB},
]


def vm(moid, host='host-1', power='poweredOn', memory=4096, reservation=0, overhead=40, template=False):
    return {'_moid': moid, 'name': 'n-' + moid, 'runtime.host': host, 'runtime.powerState': power, 'config.hardware.memoryMB': memory,
            'config.memoryAllocation.reservation': reservation, 'summary.quickStats.consumedOverheadMemory': overhead,
            'config.template': template}


CONFIG = {
    'dasConfig': {'defaultVmSettings': {'restartPriority': 'low'}},
    # Per-VM overrides live in ClusterConfigInfoEx.dasVmConfig, next to dasConfig (not inside it).
    'dasVmConfig': [{'key': 'vm-2', 'dasSettings': {'restartPriority': 'disabled'}},
                    {'key': 'vm-3', 'dasSettings': {'restartPriority': 'clusterRestartPriority'}}],
    'group': [{'_type': 'ClusterVmGroup', 'name': 'dbs', 'vm': ['vm-1']},
              {'_type': 'ClusterVmGroup', 'name': 'webs', 'vm': ['vm-3']},
              {'_type': 'ClusterHostGroup', 'name': 'rack-a', 'host': ['host-1', 'host-2']},
              {'_type': 'ClusterHostGroup', 'name': 'rack-b', 'host': ['host-3']}],
    'rule': [{'_type': 'ClusterVmHostRuleInfo', 'name': 'db-on-a', 'enabled': True, 'mandatory': True, 'vmGroupName': 'dbs',
              'affineHostGroupName': 'rack-a'},
             {'_type': 'ClusterVmHostRuleInfo', 'name': 'web-pref-b', 'enabled': True, 'mandatory': False, 'vmGroupName': 'webs',
              'affineHostGroupName': 'rack-b'},
             {'_type': 'ClusterAntiAffinityRuleSpec', 'name': 'pair', 'enabled': True, 'vm': ['vm-1', 'vm-3']},
             {'_type': 'ClusterAntiAffinityRuleSpec', 'name': 'off', 'enabled': False, 'vm': ['vm-1']}],
}


def test_hosts_map_memory_down_to_mib_state_and_stated_reserve():
    model = cm.capacity_model('C1', CONFIG, HOSTS, [], host_reserved_mb=2048)
    assert model['platform'] == 'vsphere' and model['cluster'] == 'C1'
    assert model['hosts'] == [
        {'name': 'esx1', 'memory_mb': 65536, 'reserved_mb': 2048, 'state': 'online'},
        {'name': 'esx2', 'memory_mb': 65536, 'reserved_mb': 2048, 'state': 'maintenance'},
        {'name': 'esx3', 'memory_mb': 65536, 'reserved_mb': 2048, 'state': 'offline'},
    ]


def test_guests_carry_memory_reservation_overhead_and_ha_from_restart_priority():
    vms = [vm('vm-1', reservation=1024), vm('vm-2', power='poweredOff'), vm('vm-3', host='host-3'), vm('vm-9', template=True)]
    guests = dict((g['id'], g) for g in cm.capacity_model('C1', CONFIG, HOSTS, vms)['guests'])
    assert sorted(guests) == ['vm-1', 'vm-2', 'vm-3']  # the template is left out
    assert guests['vm-1'] == {'id': 'vm-1', 'name': 'n-vm-1', 'host': 'esx1', 'running': True, 'ha': True, 'memory_mb': 4096,
                              'reservation_mb': 1024, 'overhead_mb': 40, 'allowed_hosts': ['esx1', 'esx2'], 'anti_affinity': ['pair']}
    assert guests['vm-2']['ha'] is False and guests['vm-2']['running'] is False
    assert guests['vm-3']['ha'] is True and guests['vm-3']['host'] == 'esx3'
    assert guests['vm-3']['host_priority'] == {'esx3': 1}


def test_restart_priority_defaults_to_medium_when_the_cluster_has_none():
    assert cm.effective_restart_priority({}, 'vm-1') == 'medium'
    assert cm.effective_restart_priority(CONFIG, 'vm-3') == 'low'
    assert cm.effective_restart_priority(CONFIG, 'vm-2') == 'disabled'
    # An override misplaced inside dasConfig is not one (that is not where vCenter reports it).
    assert cm.effective_restart_priority({'dasConfig': {'dasVmConfig': CONFIG['dasVmConfig']}}, 'vm-2') == 'medium'


def test_must_not_run_on_rule_removes_hosts():
    config = {'group': [{'_type': 'ClusterVmGroup', 'name': 'g', 'vm': ['vm-1']}, {'_type': 'ClusterHostGroup', 'name': 'h', 'host': ['host-2']}],
              'rule': [{'_type': 'ClusterVmHostRuleInfo', 'enabled': True, 'mandatory': True, 'vmGroupName': 'g', 'antiAffineHostGroupName': 'h'}]}
    assert cm.placement_constraints(config, {'host-1': 'esx1', 'host-2': 'esx2', 'host-3': 'esx3'}) == {'vm-1': {'allowed_hosts': ['esx1', 'esx3']}}


def test_the_model_is_accepted_by_the_capacity_engine():
    vms = [vm('vm-1', reservation=1024), vm('vm-2', power='poweredOff'), vm('vm-3', host='host-3')]
    model = cm.capacity_model('C1', CONFIG, HOSTS, vms)
    normalized = _capacity.normalize_model(model)
    assert len(normalized.hosts) == 3 and len(normalized.guests) == 3


def test_vsan_storage_and_fault_domains_in_the_model():
    config = {'vsanConfigInfo': {'enabled': True}}
    hosts = [{'_moid': 'host-%d' % n, 'name': 'esx%d' % n, 'summary.hardware.memorySize': 64 * 1024 ** 3,
              'runtime.connectionState': 'connected',
              'config.vsanHostConfig.faultDomainInfo': {'name': 'rack-%s' % 'ab'[n % 2]}} for n in (1, 2, 3, 4)]
    datastores = [{'name': 'vsanDatastore', 'summary.type': 'vsan'}, {'name': 'nfs', 'summary.type': 'NFS'}]
    model = cm.capacity_model('C', config, hosts, [], datastores=datastores, vsan_failures_to_tolerate=1)
    assert model['storage'] == [{'name': 'vsanDatastore', 'failures_tolerated': 1, 'failure_domain': 'fault_domain', 'guests': 'all'}]
    assert [h['fault_domain'] for h in model['hosts']] == ['rack-b', 'rack-a', 'rack-b', 'rack-a']
    for host in hosts:
        del host['config.vsanHostConfig.faultDomainInfo']
    model = cm.capacity_model('C', config, hosts, [], datastores=datastores, vsan_failures_to_tolerate=2)
    assert model['storage'][0]['failure_domain'] == 'host' and model['storage'][0]['failures_tolerated'] == 2
    assert 'fault_domain' not in model['hosts'][0]
    assert 'storage' not in cm.capacity_model('C', {}, hosts, [], datastores=datastores)
