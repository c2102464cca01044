# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action clusterops.ha.vsphere_ha_assess: read a vSphere cluster and decide the vsphere_ha role's run.

Runs clusterops.ha.vsphere_cluster_ha_info and hands its result to plugin_utils/_vsphere_role/assess.py
(the shared shape: plugin_utils/_assess_action.py). Documentation: plugins/modules/vsphere_ha_assess.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._assess_action import AssessAction
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.assess import assess
from ansible_collections.clusterops.ha.plugins.plugin_utils._vsphere_role.variables import role_variables

CONNECTION = ('hostname', 'username', 'password', 'port', 'validate_certs', 'ca_path', 'proxy_host', 'proxy_port',
              'timeout')
ALIASES = {'username': ['user'], 'password': ['pass', 'pwd']}


def with_location(variables, args):
    """The role variables, with datacenter and cluster from the task's own options where they leave them out."""
    variables = dict(variables)
    for key in ('datacenter', 'cluster'):
        if not variables.get(key) and args.get(key):
            variables[key] = args[key]
    return variables


class ActionModule(AssessAction):
    """vsphere_cluster_ha_info -> _vsphere_role.assess."""

    NAME = 'vsphere_ha_assess'
    INFO_MODULE = 'clusterops.ha.vsphere_cluster_ha_info'

    def argument_spec(self):
        """Connection options pass through untouched (the info module validates them and their environment
        fallbacks); `variables` are typed by the role's own variable table (_vsphere_role/variables.py).
        datacenter and cluster are accepted too, because module_defaults for the action group often set
        them for every vSphere module; the role variables' values win."""
        spec = dict((key, dict(type='raw', no_log=key == 'password', aliases=ALIASES.get(key, []))) for key in CONNECTION)
        spec['datacenter'] = dict(type='str', aliases=['datacenter_name'])
        spec['cluster'] = dict(type='str', aliases=['cluster_name'])
        spec['variables'] = dict(type='dict', required=True)
        return spec

    def prepare(self, args):
        variables = role_variables(with_location(args['variables'], args))
        module_args = dict((key, args[key]) for key in CONNECTION if args.get(key) is not None)
        module_args.update(datacenter=variables['datacenter'], cluster=variables['cluster'],
                           host_reserved_mb=variables['host_reserved_mb'])
        return module_args, variables

    def decide(self, info, inputs):
        return assess(info, inputs)
