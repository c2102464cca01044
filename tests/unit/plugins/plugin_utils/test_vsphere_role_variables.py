# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Role variables typed as the argument spec declares them; the spec, defaults, vars and table agree."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import VARIABLES, role_variables
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils._vsphere_role_data import ROLE, variables


def _yaml(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


def test_comma_string_of_isolation_addresses_is_a_list_not_characters():
    # L11: the argument spec accepts "a,b" for a list but hands the role the string.
    result = role_variables(variables(isolation_addresses='192.168.50.1, 192.168.50.2'))
    assert result['isolation_addresses'] == ['192.168.50.1', '192.168.50.2']


def test_texts_from_extra_vars_are_typed():
    result = role_variables(variables(host_failures='2', enabled='no', capacity_reserve_percent='7.5',
                                      heartbeat_datastores='nfs-a,nfs-b'))
    assert (result['host_failures'], result['enabled'], result['capacity_reserve_percent']) == (2, False, 7.5)
    assert result['heartbeat_datastores'] == ['nfs-a', 'nfs-b']


def test_defaults_fill_what_is_missing_and_a_second_pass_changes_nothing():
    once = role_variables(variables())
    assert once['host_failures'] == 1 and once['admission_control'] == 'from_capacity'
    assert once['use_default_isolation_address'] is None and once['warnings'] == []
    assert role_variables(once) == once


@pytest.mark.parametrize('given, expected', [('', None), ('true', True), ('false', False), (False, False),
                                             ('yes', True), ('auto', None)])
def test_use_default_isolation_address_is_auto_true_or_false(given, expected):
    assert role_variables(variables(use_default_isolation_address=given))['use_default_isolation_address'] is expected


@pytest.mark.parametrize('overrides, words', [
    ({'cluster': ''}, ['vsphere_ha_cluster is empty', 'set it', 'vsphere_cluster', 'esx-lab']),
    ({'host_failures': 'two'}, ['vsphere_ha_host_failures', 'whole number']),
    ({'admission_control': 'always'}, ['vsphere_ha_admission_control', 'from_capacity']),
    ({'use_default_isolation_address': 'maybe'}, ['vsphere_ha_use_default_isolation_address', '"true"']),
    ({'typo_variable': 1}, ['vsphere_ha_typo_variable']),
    ({'vm_overrides': [{'restart_priority': 'high'}]}, ['vsphere_ha_vm_overrides[0]', 'vm (the VM name or MoID)']),
    ({'vm_overrides': ['db01']}, ['vsphere_ha_vm_overrides[0]', 'dictionary']),
    ({'reconfigure_hosts': 'sometimes'}, ['vsphere_ha_reconfigure_hosts', 'isolation_changed']),
])
def test_bad_values_are_refused_naming_the_variable(overrides, words):
    with pytest.raises(HaInputError) as caught:
        role_variables(dict(variables(**overrides), inventory_host='esx-lab'))
    for word in words:
        assert word in str(caught.value)


def test_prefix_length_is_accepted_but_ignored_with_a_warning():
    result = role_variables(variables(vsan_prefix_length=24))
    assert len(result['warnings']) == 1 and 'deprecated and ignored' in result['warnings'][0]
    assert 'subnet mask' in result['warnings'][0]


def test_table_equals_the_argument_spec_defaults_and_the_vars_handed_over():
    options = _yaml('meta', 'argument_specs.yml')['argument_specs']['main']['options']
    defaults = _yaml('defaults', 'main.yml')
    handed = _yaml('vars', 'main.yml')['vsphere_ha_variables']
    assert sorted('vsphere_ha_' + name for name in VARIABLES) == sorted(options)
    assert sorted(VARIABLES) == sorted(k for k in handed if k != 'inventory_host')
    for name, (kind, default, choices) in VARIABLES.items():
        spec = options['vsphere_ha_' + name]
        assert spec['type'] == kind, name
        assert spec.get('choices') == (list(choices) if choices else None), name
        if name in ('datacenter', 'cluster'):
            continue  # defaults come from the host variables vsphere_datacenter / vsphere_cluster
        assert spec.get('default') == default, name
        if default is None:
            assert 'vsphere_ha_' + name not in defaults, name
        else:
            assert defaults['vsphere_ha_' + name] == default, name
        assert handed[name].startswith('{{ vsphere_ha_%s ' % name) or handed[name] == '{{ vsphere_ha_%s }}' % name


def test_vm_overrides_are_kept_as_given():
    given = [{'vm': 'db01', 'restart_priority': 'highest'}, {'vm': 'vm-42', 'isolation_response': 'shutdown'}]
    result = role_variables(variables(vm_overrides=given))
    assert result['vm_overrides'] == given and result['vsan_witness'] is False and result['reconfigure_hosts'] == ''


def _render_handed_variables(extra):
    """roles/vsphere_ha/vars/main.yml rendered by the installed ansible-core, as a play would."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.template import Templar
    try:
        from ansible.template import trust_as_template  # ansible-core >= 2.19 renders only trusted text
    except ImportError:  # older ansible-core renders every string
        def trust_as_template(text):
            return text
    context = dict(_yaml('defaults', 'main.yml'), inventory_hostname='esx-lab', vsphere_ha_datacenter='DC-VSAN',
                   vsphere_ha_cluster='VSAN-Cluster')
    context.update(extra)
    templar = Templar(loader=DataLoader(), variables=context)
    handed = _yaml('vars', 'main.yml')['vsphere_ha_variables']
    return dict((name, templar.template(trust_as_template(text))) for name, text in handed.items())


def test_an_unset_prefix_length_rendered_by_ansible_is_unset_without_a_warning():
    # ansible-core < 2.19 renders "{{ x | default(none) }}" as '' rather than None.
    result = role_variables(_render_handed_variables({}))
    assert result['vsan_prefix_length'] is None and result['warnings'] == []
    assert result['host_failures'] == 1 and result['isolation_addresses'] == [] and result['verify'] is True


def test_a_set_prefix_length_rendered_by_ansible_still_warns():
    result = role_variables(_render_handed_variables({'vsphere_ha_vsan_prefix_length': 24}))
    assert result['vsan_prefix_length'] == 24 and len(result['warnings']) == 1
