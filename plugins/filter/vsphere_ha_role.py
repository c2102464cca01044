# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters behind the clusterops.ha.vsphere_ha role, plain data in and out.

vsphere_ha_role_variables types the role variables; everything decided before the write (cluster
facts, preflight, N+k verdict, settings) comes from the action clusterops.ha.vsphere_ha_assess, so
the cluster's VMs never pass through host variables; vsphere_ha_verification and
vsphere_ha_summary_lines judge and print after the write. The logic lives in
plugins/plugin_utils/_vsphere_role/ (one file per concern); documentation in one YAML sidecar file
per filter next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.summary import summary_lines
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.verify import verification


def _input_errors_as_filter_errors(function, name):
    """Bad role input becomes one AnsibleFilterError sentence (no traceback)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except HaInputError as err:
            raise AnsibleFilterError('%s: %s' % (name, err))
    return wrapper


FILTERS = {
    'vsphere_ha_role_variables': role_variables,
    'vsphere_ha_verification': verification,
    'vsphere_ha_summary_lines': summary_lines,
}


class FilterModule(object):
    """The vsphere_ha role's decision filters."""

    def filters(self):
        return dict((name, _input_errors_as_filter_errors(function, name)) for name, function in FILTERS.items())
