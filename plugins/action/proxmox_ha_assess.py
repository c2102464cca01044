# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action clusterops.ha.proxmox_ha_assess: read a cluster and decide the proxmox_ha role's run.

Runs clusterops.ha.proxmox_cluster_ha_info and hands its result to plugin_utils/_pve_role/assess.py
(the shared shape: plugin_utils/_assess_action.py). Documentation: plugins/modules/proxmox_ha_assess.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._assess_action import AssessAction
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.assess import DEFAULTS, assess

CONNECTION = ('api_host', 'api_port', 'api_user', 'api_password', 'api_token_id', 'api_token_secret',
              'validate_certs', 'ca_path', 'api_timeout')
SECRETS = ('api_password', 'api_token_secret')


class ActionModule(AssessAction):
    """proxmox_cluster_ha_info -> _pve_role.assess."""

    NAME = 'proxmox_ha_assess'
    INFO_MODULE = 'clusterops.ha.proxmox_cluster_ha_info'

    def argument_spec(self):
        """The documented options; defaults are the assessment's own. Connection options pass through
        untouched: the info module validates them (and their environment fallbacks) itself."""
        spec = dict((key, dict(type='raw', no_log=key in SECRETS)) for key in CONNECTION)
        spec.update(
            host_reserved_mb=dict(type='int', default=0),
            resources=dict(type='list', elements='dict', default=DEFAULTS['resources']),
            groups=dict(type='list', elements='dict', default=DEFAULTS['groups']),
            rules=dict(type='list', elements='dict', default=DEFAULTS['rules']),
            mode=dict(type='str', choices=['merged', 'replaced', 'overridden'], default=DEFAULTS['mode']),
            protect_running_guests=dict(type='bool', default=DEFAULTS['protect_running_guests']),
            resource_state=dict(type='str', default=DEFAULTS['resource_state']),
            nofailback=dict(type='bool', default=DEFAULTS['nofailback']),
            shutdown_policy=dict(type='str', default=DEFAULTS['shutdown_policy']),
            crs_mode=dict(type='str', default=DEFAULTS['crs_mode']),
            fencing=dict(type='str', default=DEFAULTS['fencing']),
            check_actions=dict(type='dict', default=DEFAULTS['check_actions']),
            min_nodes=dict(type='int', default=DEFAULTS['min_nodes']),
            memory_tolerance_percent=dict(type='float', default=DEFAULTS['memory_tolerance_percent']),
            host_failures=dict(type='int', default=DEFAULTS['host_failures']),
            capacity_view=dict(type='str', choices=['configured', 'reserved'], default=DEFAULTS['capacity_view']),
            capacity_reserve_percent=dict(type='float', default=DEFAULTS['capacity_reserve_percent']),
        )
        return spec

    def prepare(self, args):
        module_args = dict((key, args[key]) for key in CONNECTION if args.get(key) is not None)
        module_args['host_reserved_mb'] = args['host_reserved_mb']
        return module_args, dict((key, args[key]) for key in DEFAULTS)

    def decide(self, info, inputs):
        return assess(info, inputs, check_mode=bool(self._task.check_mode))
