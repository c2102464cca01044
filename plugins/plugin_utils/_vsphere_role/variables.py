# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vsphere_ha role's variables as typed plain data.

Ansible validates a role's argument spec but hands the tasks the values as they were given:
a comma string in a list variable stays a string, ``"3"`` from ``-e`` stays text. Every
decision of the role starts from :func:`role_variables`, which converts each variable the
way its argument spec declares it (the same ansible-core conversions, so ``"a,b"`` becomes
``["a", "b"]``) and refuses a value that cannot be converted with one sentence naming the
variable. ``tests/unit/plugins/plugin_utils/test_vsphere_role_variables.py`` keeps
:data:`VARIABLES` equal to ``roles/vsphere_ha/meta/argument_specs.yml``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.validation import (
    check_type_bool, check_type_dict, check_type_float, check_type_int, check_type_list, check_type_str)
from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

PREFIX = 'vsphere_ha_'
CHECK_ACTIONS = ('fail', 'warn', 'skip')

# Short name (the variable without PREFIX) -> (type, default, choices). Defaults equal
# roles/vsphere_ha/defaults/main.yml; a missing key gets its default.
VARIABLES = {
    'datacenter': ('str', '', None),
    'cluster': ('str', '', None),
    'host_reserved_mb': ('int', 0, None),
    'check_min_hosts': ('str', 'fail', CHECK_ACTIONS),
    'check_heartbeat_datastores': ('str', 'fail', CHECK_ACTIONS),
    'check_failover_protection': ('str', 'fail', CHECK_ACTIONS),
    'check_vsan_isolation_address': ('str', 'fail', CHECK_ACTIONS),
    'check_vsan_default_isolation_address': ('str', 'fail', CHECK_ACTIONS),
    'check_vsan_isolation_response': ('str', 'fail', CHECK_ACTIONS),
    'check_vsan_heartbeat_datastore': ('str', 'warn', CHECK_ACTIONS),
    'check_vsan_host_monitoring': ('str', 'fail', CHECK_ACTIONS),
    'check_vsan_restart_priority': ('str', 'fail', CHECK_ACTIONS),
    'check_vsan_min_hosts': ('str', 'fail', CHECK_ACTIONS),
    'vsan_witness': ('bool', False, None),
    'min_hosts': ('int', 2, None),
    'vsan_prefix_length': ('int', None, None),
    'min_heartbeat_datastores': ('int', 2, None),
    'host_failures': ('int', 1, None),
    'capacity_view': ('str', 'configured', ('configured', 'reserved')),
    'capacity_reserve_percent': ('float', 0.0, None),
    'capacity_enforce': ('bool', True, None),
    'capacity_report_path': ('str', '', None),
    'admission_control': ('str', 'from_capacity', ('', 'disabled', 'slots', 'percentage_auto', 'from_capacity')),
    'enabled': ('bool', True, None),
    'host_monitoring': ('bool', True, None),
    'isolation_addresses': ('list', [], None),
    'use_default_isolation_address': ('str', '', ('', 'true', 'false')),
    'isolation_response': ('str', '', ('', 'none', 'powerOff', 'shutdown')),
    'restart_priority': ('str', '', ('', 'disabled', 'lowest', 'low', 'medium', 'high', 'highest')),
    'heartbeat_datastore_policy': ('str', '', ('', 'userSelectedDs', 'allFeasibleDs', 'allFeasibleDsWithUserPreference')),
    'heartbeat_datastores': ('list', [], None),
    'advanced_options': ('dict', {}, None),
    'reconfigure_hosts': ('str', '', ('', 'never', 'isolation_changed', 'always')),
    'vm_overrides': ('list', [], None),
    'verify': ('bool', True, None),
}
# Accepted for compatibility, no longer used: the vSAN networks come from the adapters' own masks.
DEPRECATED = {
    'vsan_prefix_length': ('vsphere_ha_vsan_prefix_length is deprecated and ignored: the vSAN networks now come from '
                           'the subnet mask of each host\'s vSAN VMkernel adapter as vCenter reports it; remove the '
                           'variable.'),
}
CONVERTERS = {
    'str': check_type_str, 'int': check_type_int, 'float': check_type_float, 'bool': check_type_bool,
    'list': check_type_list, 'dict': check_type_dict,
}
TYPE_WORDS = {
    'str': 'a string', 'int': 'a whole number', 'float': 'a number', 'bool': 'true or false',
    'list': 'a list (or a comma-separated string)', 'dict': 'a dictionary',
}


def _fail(message):
    raise HaInputError(message)


def _tristate(name, value):
    """"" / auto -> None; true/false in any of Ansible's spellings -> bool (use_default_isolation_address)."""
    text = str(value).strip().lower() if value is not None else ''
    if text in ('', 'none', 'auto'):
        return None
    if value in BOOLEANS_TRUE or text in BOOLEANS_TRUE:
        return True
    if value in BOOLEANS_FALSE or text in BOOLEANS_FALSE:
        return False
    _fail('%s%s is %r; set it to "true", "false" or "" (auto).' % (PREFIX, name, value))


def _convert(name, value):
    kind, default, choices = VARIABLES[name]
    if name == 'use_default_isolation_address':
        return _tristate(name, value)
    if value is None:
        return default
    if default is None and value == '':
        # An optional variable without a default: ansible-core < 2.19 renders the
        # "{{ x | default(none) }}" that roles/vsphere_ha/vars/main.yml hands over as ''.
        return None
    if kind == 'str' and not isinstance(value, str):
        value = str(value)
    try:
        converted = CONVERTERS[kind](value)
    except (TypeError, ValueError):
        _fail('%s%s is %r; give %s.' % (PREFIX, name, value, TYPE_WORDS[kind]))
    if kind == 'list':
        converted = [str(item).strip() if isinstance(item, str) else item for item in converted]
    if choices is not None and converted not in choices:
        _fail('%s%s is %r; set it to one of: %s.' % (PREFIX, name, value, ', '.join(repr(c) for c in choices)))
    return converted


def _vm_overrides(entries):
    """Each entry must be a dict naming its VM; the module checks the settings themselves."""
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not str(entry.get('vm') or '').strip():
            _fail('%svm_overrides[%d] is %r; give a dictionary with at least vm (the VM name or MoID), as the overrides '
                  'option of clusterops.ha.vsphere_cluster_ha_vm_overrides takes it.' % (PREFIX, index, entry))
    return [dict(entry) for entry in entries]


def role_variables(raw):
    """Role variables (short names, as roles/vsphere_ha/vars/main.yml passes them) -> typed dict.

    The result has every name of :data:`VARIABLES`, plus ``inventory_host`` and ``warnings``
    (sentences to show the operator). Calling it on its own result returns an equal dict.
    """
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(VARIABLES) - set(('inventory_host', 'warnings')))
    if unknown:
        _fail('unknown vsphere_ha role variable(s) %s; use the names in the role\'s argument spec.'
              % ', '.join(PREFIX + name for name in unknown))
    result = dict((name, _convert(name, raw.get(name))) for name in sorted(VARIABLES))
    result['vm_overrides'] = _vm_overrides(result['vm_overrides'])
    result['inventory_host'] = str(raw.get('inventory_host') or '')
    where = ' for inventory host %s' % result['inventory_host'] if result['inventory_host'] else ''
    for name in ('datacenter', 'cluster'):
        if not result[name].strip():
            _fail('%s%s is empty; set it (or the host variable vsphere_%s)%s.' % (PREFIX, name, name, where))
    # Ranges are checked where the values are used (info module, capacity engine, cluster module).
    result['warnings'] = [DEPRECATED[name] for name in sorted(DEPRECATED) if result[name] is not None]
    return result
