# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""read_cluster reads only the target cluster's hosts and VMs when VMs are asked for."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_client import read_cluster

LOOKUP = {
    'datacenter-1': {'_moid': 'datacenter-1', '_type': 'Datacenter', 'name': 'DC', 'parent': 'group-d1'},
    'group-h1': {'_moid': 'group-h1', '_type': 'Folder', 'parent': 'datacenter-1'},
    'domain-c1': {'_moid': 'domain-c1', '_type': 'ClusterComputeResource', 'name': 'Prod', 'parent': 'group-h1'},
    'domain-c2': {'_moid': 'domain-c2', '_type': 'ClusterComputeResource', 'name': 'Test', 'parent': 'group-h1'},
}
PROD = {
    'domain-c1': {'_moid': 'domain-c1', '_type': 'ClusterComputeResource', 'name': 'Prod', 'host': ['host-1'],
                  'datastore': ['ds-1'], 'configurationEx': {}},
    'host-1': {'_moid': 'host-1', '_type': 'HostSystem', 'name': 'esx1', 'vm': ['vm-1']},
    'ds-1': {'_moid': 'ds-1', '_type': 'Datastore', 'name': 'shared'},
    'vm-1': {'_moid': 'vm-1', '_type': 'VirtualMachine', 'name': 'web'},
}


class RecordingClient(object):
    """Answers the two reads and records what each asked for."""

    def __init__(self):
        self.calls = []

    def retrieve_in_view(self, view_types, traversal, properties):
        self.calls.append(('view', traversal, sorted(properties)))
        return dict(LOOKUP)

    def retrieve_from(self, managed_type, moid, traversal, properties):
        self.calls.append(('from', managed_type, moid, sorted(properties)))
        return dict(PROD)


def test_with_vms_the_lookup_reads_names_only_and_the_data_read_starts_at_the_cluster():
    client = RecordingClient()
    found = read_cluster(client, 'DC', 'Prod', ['summary.hardware.memorySize'], ['summary.type'],
                         vm_paths=['config.hardware.memoryMB'])
    assert client.calls[0] == ('view', [], ['ClusterComputeResource', 'Datacenter', 'Folder'])
    assert client.calls[1][:3] == ('from', 'ClusterComputeResource', 'domain-c1')
    assert 'VirtualMachine' in client.calls[1][3] and 'Datacenter' not in client.calls[1][3]
    assert found['cluster']['name'] == 'Prod' and found['cluster']['parent'] == 'group-h1'
    assert found['datacenter']['name'] == 'DC'
    assert [h['name'] for h in found['hosts']] == ['esx1']
    assert [v['name'] for v in found['vms']] == ['web'] and found['vms'][0]['runtime.host'] == 'host-1'
    assert [d['name'] for d in found['datastores']] == ['shared']


def test_without_vms_one_read_as_before():
    class OneRead(RecordingClient):
        def retrieve_in_view(self, view_types, traversal, properties):
            self.calls.append(('view', traversal, sorted(properties)))
            objects = dict(LOOKUP, **dict((k, v) for k, v in PROD.items() if k != 'vm-1'))
            objects['domain-c1'] = dict(PROD['domain-c1'], parent='group-h1')
            return objects

    client = OneRead()
    found = read_cluster(client, 'DC', 'Prod', [], [])
    assert len(client.calls) == 1 and client.calls[0][0] == 'view'
    assert found['vms'] == [] and [h['name'] for h in found['hosts']] == ['esx1']
