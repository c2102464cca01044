# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.plugin_utils._checks import (
    by_status, check, check_lines, refusal_message)


@pytest.mark.parametrize('passed, action, status', [
    (True, 'fail', 'pass'), (False, 'fail', 'fail'), (False, 'warn', 'warn'),
    (True, 'warn', 'pass'), (False, 'skip', 'skipped'), (True, 'skip', 'skipped'),
])
def test_status_follows_condition_and_action(passed, action, status):
    assert check('quorum', passed, action, 's')['status'] == status


def test_unknown_action_is_refused_naming_the_values():
    with pytest.raises(ValueError, match='fail, warn, skip'):
        check('quorum', True, 'ignore', 's')


def test_lines_align_names():
    checks = [check('a', True, 'fail', 'one'), check('longer_name', False, 'warn', 'two')]
    assert check_lines(checks) == ['PASS     a           one', 'WARN     longer_name two']


def test_refusal_names_failed_checks_and_the_variable():
    checks = [check('a', True, 'fail', 'fine'), check('b', False, 'fail', 'broken', {'x': 1})]
    message = refusal_message(checks, 'proxmox_ha')
    assert 'b: broken (evidence: {"x": 1})' in message
    assert 'a: fine' not in message
    assert 'proxmox_ha_check_<name>' in message
    assert refusal_message(checks[:1], 'proxmox_ha') == ''
    assert by_status(checks, 'fail') == checks[1:]
