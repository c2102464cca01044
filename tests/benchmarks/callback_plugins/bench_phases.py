# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark-only callback: write each task's wall time and the role task file it came from.

tests/benchmarks/bench_roles.py maps the task files to phases (gather -> read, preflight and
capacity -> decide, configure -> write, verify, summary) to print the time per phase.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_phases
type: aggregate
short_description: Write per-task wall time as JSON lines for the role benchmark
description:
  - Test helper of clusterops.ha; not part of the collection's plugins.
requirements:
  - BENCH_PHASES environment variable naming the file to write
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """One JSON line per task: file of the task, its name and seconds from start to end."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_phases'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('BENCH_PHASES')
        self._current = None

    def _close(self):
        if self._current and self._path:
            path, name, started = self._current
            with open(self._path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps({'file': path, 'task': name, 'seconds': time.monotonic() - started}) + '\n')
        self._current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        path = (task.get_path() or '').rsplit(':', 1)[0]
        self._current = (path, task.get_name(), time.monotonic())

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close()
