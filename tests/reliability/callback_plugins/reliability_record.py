# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: append every task result of a run as one JSON line to $RELIABILITY_RECORD.

The reliability suite reads these lines to judge each task (changed, failed, msg, diff)
without parsing the human-readable output, which it keeps for the secrets checks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: reliability_record
type: aggregate
short_description: Write task results as JSON lines for the reliability suite
description:
  - Test helper of clusterops.ha; not part of the collection's plugins.
requirements:
  - RELIABILITY_RECORD environment variable naming the file to append to
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """One JSON line per task result: task name, action, status and the result itself."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'reliability_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('RELIABILITY_RECORD')
        self._started = time.time()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started = time.time()

    def _record(self, result, status, ignore_errors=False):
        if not self._path:
            return
        line = dict(task=result._task.get_name(), action=result._task.action, status=status,
                    ignore_errors=bool(ignore_errors), result=result._result,
                    started=self._started, ended=time.time())
        with open(self._path, 'a') as handle:
            handle.write(json.dumps(line, default=str, sort_keys=True) + '\n')

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed', ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')
