# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action clusterops.ha.vsphere_ha_assess: read a vSphere cluster and decide the vsphere_ha role's run.

Runs clusterops.ha.vsphere_cluster_ha_info on the task's host with the task's connection options
and hands its result to plugin_utils/_vsphere_role/assess.py. Only the decisions come back; the
info result (every VM) never becomes a host variable. Documentation: plugins/modules/vsphere_ha_assess.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.assess import assess
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables

CONNECTION = ('hostname', 'username', 'password', 'port', 'validate_certs', 'ca_path', 'proxy_host', 'proxy_port',
              'timeout')
INFO_MODULE = 'clusterops.ha.vsphere_cluster_ha_info'


ALIASES = {'username': ['user'], 'password': ['pass', 'pwd']}


def argument_spec():
    """Connection options pass through untouched (the info module validates them and their environment
    fallbacks); `variables` are typed by the role's own variable table (_vsphere_role/variables.py).

    datacenter and cluster are accepted too, because module_defaults for the action group often set
    them for every vSphere module; the role variables' values win."""
    spec = dict((key, dict(type='raw', no_log=key == 'password', aliases=ALIASES.get(key, []))) for key in CONNECTION)
    spec['datacenter'] = dict(type='str', aliases=['datacenter_name'])
    spec['cluster'] = dict(type='str', aliases=['cluster_name'])
    spec['variables'] = dict(type='dict', required=True)
    return spec


def with_location(variables, args):
    """The role variables, with datacenter and cluster from the task's own options where they leave them out."""
    variables = dict(variables)
    for key in ('datacenter', 'cluster'):
        if not variables.get(key) and args.get(key):
            variables[key] = args[key]
    return variables


class ActionModule(ActionBase):
    """Read (one module run) -> decide (pure Python) -> a small result."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # unused; kept for the ActionBase signature
        try:
            _validation, args = self.validate_argument_spec(argument_spec=argument_spec())
            variables = role_variables(with_location(args['variables'], args))
        except (AnsibleActionFail, HaInputError) as err:
            # One sentence naming the option or role variable, before anything is read.
            return dict(result, failed=True, msg='vsphere_ha_assess: %s' % err)
        module_args = dict((key, args[key]) for key in CONNECTION if args.get(key) is not None)
        module_args.update(datacenter=variables['datacenter'], cluster=variables['cluster'],
                           host_reserved_mb=variables['host_reserved_mb'])
        info = self._execute_module(module_name=INFO_MODULE, module_args=module_args, task_vars=task_vars)
        if info.get('failed'):
            # The module's own failure (connection, missing cluster, ...) as it reported it, without its invocation.
            return dict(result, **dict((key, value) for key, value in info.items() if key != 'invocation'))
        try:
            decided = assess(info, variables)
        except (HaInputError, CapacityModelError) as err:
            return dict(result, failed=True, msg='vsphere_ha_assess: %s' % err)
        result.update(decided)
        result['changed'] = False
        return result
