# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure parts of the vSphere client: plain-data conversion with real pyVmomi
types, the datacenter-scoped cluster lookup, task fault decoding and the connection argspec."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ssl

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_client as client
from ansible_collections.clusterops.ha.plugins.module_utils import _vsphere_ha as ha

vim = pytest.importorskip('pyVmomi').vim


# ----------------------------------------------------------------- plain data

def test_to_plain_turns_data_objects_into_typed_dicts_and_managed_objects_into_moids():
    das = vim.cluster.DasConfigInfo(
        enabled=True, hostMonitoring='enabled',
        heartbeatDatastore=[vim.Datastore('datastore-11')],
        admissionControlPolicy=vim.cluster.FailoverResourcesAdmissionControlPolicy(
            cpuFailoverResourcesPercent=25, memoryFailoverResourcesPercent=30, autoComputePercentages=False),
        option=[vim.option.OptionValue(key='das.isolationaddress0', value='192.0.2.1')])
    plain = client.to_plain(das)
    assert plain['_type'] == 'ClusterDasConfigInfo'
    assert plain['heartbeatDatastore'] == ['datastore-11']
    assert plain['admissionControlPolicy'] == {'_type': 'ClusterFailoverResourcesAdmissionControlPolicy', 'cpuFailoverResourcesPercent': 25,
                                               'memoryFailoverResourcesPercent': 30, 'autoComputePercentages': False}
    assert plain['option'] == [{'_type': 'OptionValue', 'key': 'das.isolationaddress0', 'value': '192.0.2.1'}]
    assert plain['hostMonitoring'].__class__ is str  # pyVmomi enum -> plain str


def test_planner_spec_converts_to_pyvmomi_objects_with_morefs():
    spec = ha.plan({}, dict(heartbeat_datastores={'policy': 'userSelectedDs', 'datastores': ['nfs']}, restart_priority='high',
                            admission_control=dict(policy='dedicated_hosts', hosts=['esx1'], failover_level=None, cpu_percent=None,
                                                   memory_percent=None, auto_compute=None, performance_tolerance=None),
                            advanced_options={'das.x': True}),
                   {'name': 'c', 'vsan_enabled': False, 'hosts': {'esx1': 'host-1', 'esx2': 'host-2'},
                    'datastores': {'nfs': {'moid': 'datastore-9', 'type': 'NFS', 'shared': True}}},
                   {}, {})['spec']
    obj = client.from_plain(spec)
    assert isinstance(obj, vim.cluster.DasConfigInfo)
    assert isinstance(obj.heartbeatDatastore[0], vim.Datastore) and obj.heartbeatDatastore[0]._moId == 'datastore-9'
    assert isinstance(obj.admissionControlPolicy, vim.cluster.FailoverHostAdmissionControlPolicy)
    assert obj.admissionControlPolicy.failoverHosts[0]._moId == 'host-1'
    assert obj.defaultVmSettings.restartPriority == 'high'
    assert obj.option[0].key == 'das.x' and obj.option[0].value == 'true'
    assert client.to_plain(obj) == spec  # round trip


# ----------------------------------------------------------------- lookup

OBJECTS = {
    'group-d1': {'_type': 'Folder', '_moid': 'group-d1'},
    'group-f9': {'_type': 'Folder', '_moid': 'group-f9', 'parent': 'group-d1'},
    'datacenter-2': {'_type': 'Datacenter', '_moid': 'datacenter-2', 'name': 'DC1', 'parent': 'group-f9'},
    'datacenter-3': {'_type': 'Datacenter', '_moid': 'datacenter-3', 'name': 'DC2', 'parent': 'group-d1'},
    'group-h4': {'_type': 'Folder', '_moid': 'group-h4', 'parent': 'datacenter-2'},
    'group-h5': {'_type': 'Folder', '_moid': 'group-h5', 'parent': 'group-h4'},
    'group-h6': {'_type': 'Folder', '_moid': 'group-h6', 'parent': 'datacenter-3'},
    'domain-c7': {'_type': 'ClusterComputeResource', '_moid': 'domain-c7', 'name': 'prod', 'parent': 'group-h5'},
    'domain-c8': {'_type': 'ClusterComputeResource', '_moid': 'domain-c8', 'name': 'prod', 'parent': 'group-h6'},
}


def test_cluster_lookup_is_scoped_to_the_datacenter_through_nested_folders():
    dc, found = client.find_cluster(OBJECTS, 'DC1', 'prod')
    assert (dc['_moid'], found['_moid']) == ('datacenter-2', 'domain-c7')
    dc, found = client.find_cluster(OBJECTS, 'datacenter-3', 'prod')
    assert found['_moid'] == 'domain-c8'


def test_cluster_lookup_by_moid_must_still_be_in_that_datacenter():
    assert client.find_cluster(OBJECTS, 'DC2', 'domain-c8')[1]['name'] == 'prod'
    with pytest.raises(client.VSphereNotFoundError, match="cluster 'domain-c7' was not found in datacenter DC2; use one of: prod."):
        client.find_cluster(OBJECTS, 'DC2', 'domain-c7')


def test_unknown_datacenter_names_the_known_ones():
    with pytest.raises(client.VSphereNotFoundError, match="datacenter 'DCX' was not found; use one of: DC1, DC2."):
        client.find_cluster(OBJECTS, 'DCX', 'prod')


def test_datacenter_of_stops_on_a_parent_loop():
    loop = {'a': {'_type': 'Folder', '_moid': 'a', 'parent': 'b'}, 'b': {'_type': 'Folder', '_moid': 'b', 'parent': 'a'}}
    assert client.datacenter_of(loop, loop['a']) is None


# ----------------------------------------------------------------- task faults

def test_task_failure_names_the_invalid_keys_from_fault_messages():
    error = {'localizedMessage': 'A specified parameter was not correct: dasConfig.option',
             'fault': {'_type': 'InvalidArgument', 'invalidProperty': 'dasConfig.option',
                       'faultMessage': [{'key': 'x', 'arg': [{'key': 'option', 'value': 'das.bogus'}]}]}}
    message, invalid = client.task_failure(error)
    assert message == 'A specified parameter was not correct: dasConfig.option'
    assert invalid == ['das.bogus', 'dasConfig.option']


def test_task_failure_reads_the_fault_pyvmomi_unwraps():
    error = {'_type': 'InvalidType', 'msg': 'Invalid type for dasConfig.option[das.x].value: xsd:int',
             'faultMessage': [{'key': 'k', 'arg': [{'key': 'option', 'value': 'das.x'}]}], 'argument': 'dasConfig.option[das.x].value'}
    assert client.task_failure(error) == ('Invalid type for dasConfig.option[das.x].value: xsd:int', ['das.x', 'dasConfig.option[das.x].value'])
    assert client.task_failure({'_type': 'SystemError', 'msg': 'A general system error occurred: boom'})[0] == 'A general system error occurred: boom'


def test_task_failure_without_details_still_gives_a_message():
    assert client.task_failure({}) == ('unknown fault', [])
    assert client.task_failure({'fault': {'_type': 'SystemError'}})[0] == 'SystemError'


# ----------------------------------------------------------------- connection options

def test_argspec_uses_the_awx_credential_variables_and_safe_defaults():
    spec = client.vsphere_argspec()
    assert spec['hostname']['fallback'][1] == ['VMWARE_HOST']
    assert spec['username']['fallback'][1] == ['VMWARE_USER']
    assert spec['password']['fallback'][1] == ['VMWARE_PASSWORD'] and spec['password']['no_log'] is True
    assert spec['validate_certs']['fallback'][1] == ['VMWARE_VALIDATE_CERTS'] and spec['validate_certs']['default'] is True
    assert spec['port']['fallback'][1] == ['VMWARE_PORT'] and spec['port']['default'] == 443


def test_ssl_context_verifies_unless_told_not_to():
    assert client._ssl_context(True, None).verify_mode == ssl.CERT_REQUIRED
    unverified = client._ssl_context(False, None)
    assert unverified.verify_mode == ssl.CERT_NONE and unverified.check_hostname is False


def test_pyvmomi_drops_empty_arrays_so_removing_the_last_option_must_send_it_blank():
    soap = pytest.importorskip('pyVmomi.SoapAdapter')
    assert b'<option>' not in soap.Serialize(client.from_plain({'_type': 'ClusterDasConfigInfo', 'option': []}))
    spec = ha.plan({'option': [{'key': 'das.isolationaddress0', 'value': '192.0.2.1'}]},
                   dict(isolation_addresses=[]), {'name': 'c', 'vsan_enabled': False, 'hosts': {}, 'datastores': {}}, {}, {})['spec']
    serialized = soap.Serialize(client.from_plain(spec))
    assert b'<key>das.isolationaddress0</key>' in serialized
    assert b'<value xsi:type="xsd:string"></value>' in serialized
