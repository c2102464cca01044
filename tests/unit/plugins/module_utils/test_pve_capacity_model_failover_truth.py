# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The PVE reads the failover verdict needs: quorum votes and QDevice, CRS mode, CPUs, keep-together,
rules PVE drops, and services that hold their node while not running (_pve_capacity_model)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils import _pve_capacity_model as cm
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.resources import normalize_resource
from ansible_collections.clusterops.ha.plugins.module_utils._pve_ha.rules import normalize_rule
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate

GIB = 1024 ** 3
NODES = [{'name': 'pve%d' % i, 'nodeid': str(i), 'quorum_votes': '1'} for i in (1, 2, 3, 4)]
RESOURCES = [{'type': 'node', 'node': 'pve%d' % i, 'status': 'online', 'maxmem': 256 * GIB, 'maxcpu': 32} for i in (1, 2, 3, 4)] + [
    {'type': 'qemu', 'vmid': 100 + i, 'node': 'pve%d' % (i % 4 + 1), 'status': 'running', 'maxmem': 8 * GIB, 'maxcpu': 2}
    for i in range(8)]


def test_votes_and_a_connected_ffsplit_qdevice():
    votes, quorum = cm.quorum_votes(NODES, {'Algorithm': 'Fifty-Fifty split', 'State': 'Connected'})
    assert votes == {'pve1': 1, 'pve2': 1, 'pve3': 1, 'pve4': 1}
    assert quorum == {'expected_votes': 5, 'qdevice_votes': 1}


def test_a_disconnected_qdevice_is_expected_but_not_present():
    assert cm.quorum_votes(NODES, {'Algorithm': 'Fifty-Fifty split', 'State': 'Disconnected'})[1] == {
        'expected_votes': 5, 'qdevice_votes': 0}
    assert cm.quorum_votes(NODES, {})[1] == {'expected_votes': 4, 'qdevice_votes': 0}
    assert cm.quorum_votes(NODES, {'Algorithm': 'LMS', 'State': 'Connected'})[1] == {'expected_votes': 7, 'qdevice_votes': 3}


def test_model_carries_votes_quorum_crs_and_cpus_and_the_engine_uses_them():
    ha = [normalize_resource({'sid': 'vm:%d' % (100 + i)}) for i in range(8)]
    votes, quorum = cm.quorum_votes(NODES, {'Algorithm': 'Fifty-Fifty split', 'State': 'Connected'})
    model = cm.build_capacity_model('lab', RESOURCES, ha, {}, node_votes=votes, quorum=quorum, crs='static')
    assert model['quorum'] == quorum and model['crs'] == 'static'
    assert model['hosts'][0]['votes'] == 1 and model['hosts'][0]['cpus'] == 32
    assert model['guests'][0]['cpus'] == 2.0
    result = evaluate(model, host_failures=2)
    assert result['ok'] is True and result['quorum']['quorum'] == 3
    del model['quorum']
    assert evaluate(model, host_failures=2)['limited_by'] == 'quorum'  # one vote per node by default


def test_error_state_service_holds_its_node():
    resources = RESOURCES + [{'type': 'qemu', 'vmid': 200, 'node': 'pve1', 'status': 'stopped', 'maxmem': GIB}]
    status = {'vm:200': {'state': 'error', 'node': 'pve1'}, 'vm:101': {'state': 'started', 'node': 'pve2'}}
    model = cm.build_capacity_model('lab', resources, [normalize_resource({'sid': 'vm:200'})], {}, service_status=status)
    guests = dict((g['id'], g) for g in model['guests'])
    assert guests['vm:200']['occupies_host'] is True
    assert 'occupies_host' not in guests['vm:101']  # running and started agree


def test_keep_together_from_positive_rules_and_rules_with_errors_dropped():
    raw = [{'rule': 'pair', 'type': 'resource-affinity', 'affinity': 'positive', 'resources': 'vm:101,vm:102'},
           {'rule': 'bad', 'type': 'resource-affinity', 'affinity': 'negative', 'resources': 'vm:101,vm:102',
            'errors': {'resources': 'conflicts with pair'}}]
    rules = [normalize_rule(r) for r in raw]
    out = cm.placement_constraints([], rules, ['pve1', 'pve2'], cm.rules_with_errors(raw))
    assert out['vm:101'] == {'keep_together': ['pair']}
    assert cm.rules_with_errors(raw) == ['bad']
