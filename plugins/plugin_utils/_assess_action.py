# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shape both roles' read-and-decide actions share (proxmox_ha_assess, vsphere_ha_assess).

Check the task's options, run the platform's info module on the task's host with the task's
connection options, decide in Python, return only the decisions: the info result (every guest)
never becomes a host variable. A subclass names its info module and says how options become
module arguments and decision inputs, and which function decides.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError


class AssessAction(ActionBase):
    """Read (one module run) -> decide (pure Python) -> a small result."""

    TRANSFERS_FILES = False
    NAME = None          # the action's short name, in front of every error sentence
    INFO_MODULE = None   # the info module the action runs

    def argument_spec(self):
        """The documented options (the action's docs-only module file)."""
        raise NotImplementedError

    def prepare(self, args):
        """Validated options -> (info module arguments, decision inputs); raises HaInputError for bad input."""
        raise NotImplementedError

    def decide(self, info, inputs):
        """The info result and the inputs -> the decisions (a dict); raises HaInputError for input it cannot use."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super(AssessAction, self).run(tmp, task_vars)
        del tmp  # unused; kept for the ActionBase signature
        try:
            _validation, args = self.validate_argument_spec(argument_spec=self.argument_spec())
            module_args, inputs = self.prepare(args)
        except (AnsibleActionFail, HaInputError) as err:
            # One sentence naming the option, before anything is read.
            return dict(result, failed=True, msg='%s: %s' % (self.NAME, err))
        info = self._execute_module(module_name=self.INFO_MODULE, module_args=module_args, task_vars=task_vars)
        if info.get('failed'):
            # The module's own failure (connection, permissions, ...) as it reported it, without its invocation.
            return dict(result, **dict((key, value) for key, value in info.items() if key != 'invocation'))
        try:
            decided = self.decide(info, inputs)
        except (HaInputError, CapacityModelError) as err:
            return dict(result, failed=True, msg='%s: %s' % (self.NAME, err))
        result.update(decided)
        result['changed'] = False
        return result
