# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Action clusterops.ha.proxmox_ha_assess: read a cluster and decide the proxmox_ha role's run.

Runs clusterops.ha.proxmox_cluster_ha_info on the task's host with the task's connection options
and hands its result to plugin_utils/_pve_role/assess.py. Only the decisions come back; the info
result (every guest) never becomes a host variable. Documentation: plugins/modules/proxmox_ha_assess.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.assess import DEFAULTS, assess
from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.domain import HaInputError

CONNECTION = ('api_host', 'api_port', 'api_user', 'api_password', 'api_token_id', 'api_token_secret',
              'validate_certs', 'ca_path', 'api_timeout')
INFO_OPTIONS = ('host_reserved_mb',)
INFO_MODULE = 'clusterops.ha.proxmox_cluster_ha_info'


class ActionModule(ActionBase):
    """Read (one module run) -> decide (pure Python) -> a small result."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(CONNECTION + INFO_OPTIONS + tuple(DEFAULTS))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp  # unused; kept for the ActionBase signature
        args = self._task.args
        unknown = sorted(set(args) - self._VALID_ARGS)
        if unknown:
            return dict(result, failed=True, msg='Unsupported parameter(s) for proxmox_ha_assess: %s.' % ', '.join(unknown))
        module_args = dict((key, args[key]) for key in CONNECTION + INFO_OPTIONS if args.get(key) is not None)
        info = self._execute_module(module_name=INFO_MODULE, module_args=module_args, task_vars=task_vars)
        if info.get('failed'):
            # The module's own failure (connection, permissions, ...) as it reported it, without its invocation.
            return dict(result, **dict((key, value) for key, value in info.items() if key != 'invocation'))
        inputs = dict((key, args[key]) for key in DEFAULTS if key in args)
        try:
            decided = assess(info, inputs, check_mode=bool(self._task.check_mode))
        except (HaInputError, CapacityModelError) as err:
            return dict(result, failed=True, msg=str(err))
        result.update(decided)
        result['changed'] = False
        return result
