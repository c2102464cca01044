# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark helper: write what each task did, and how long it took, to a JSON file.

bench_vs_community.py enables it for both sides (ours and the community collections) so that
task times, changed counts and the first error message are read from the same place.
The file named by BENCH_RECORD gets {"tasks": [{name, action, seconds, changed, failed, items,
ok, skipped, msg}]} when the playbook ends.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: bench_record
type: aggregate
short_description: Record per-task time, changed and failed counts for the benchmarks
description:
  - Writes one JSON document per playbook run to the file named by E(BENCH_RECORD).
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.tasks = []
        self.current = None

    def _close_current(self):
        if self.current is not None:
            self.current['seconds'] = round(time.monotonic() - self.current.pop('_start'), 4)
            self.tasks.append(self.current)
            self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close_current()
        self.current = {'name': task.get_name(), 'action': task.action, '_start': time.monotonic(), 'changed': 0,
                        'failed': 0, 'ok': 0, 'skipped': 0, 'items': 0, 'msg': None}

    def _count(self, result, outcome):
        if self.current is None:
            return
        data = result._result
        self.current[outcome] += 1
        if data.get('changed'):
            self.current['changed'] += 1
        if 'results' in data:
            self.current['items'] += len(data['results'])
            self.current['changed_items'] = sum(1 for item in data['results'] if item.get('changed'))
            failed_items = [item for item in data['results'] if item.get('failed')]
            self.current['failed_items'] = len(failed_items)
            if failed_items and self.current['msg'] is None:
                self.current['msg'] = str(failed_items[0].get('msg') or failed_items[0])[:2000]
        if outcome == 'failed' and self.current['msg'] is None:
            self.current['msg'] = str(data.get('msg') or data.get('exception') or data)[:2000]

    def v2_runner_on_ok(self, result):
        self._count(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._count(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._count(result, 'failed')

    def v2_playbook_on_stats(self, stats):
        self._close_current()
        path = os.environ.get('BENCH_RECORD')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump({'tasks': self.tasks}, handle, indent=1)
