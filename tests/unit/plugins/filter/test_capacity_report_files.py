# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the ha_capacity role writes its report (issue 16, L16: a trailing / made hidden files)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.filter.capacity_report_files import capacity_report_files


@pytest.mark.parametrize('path, directory, markdown', [
    ('reports/', 'reports', 'reports/capacity-report.md'),
    ('reports/.md', 'reports', 'reports/capacity-report.md'),
    ('/tmp/out/.json', '/tmp/out', '/tmp/out/capacity-report.md'),
    ('reports/n1', 'reports', 'reports/n1.md'),
    ('reports/n1.md', 'reports', 'reports/n1.md'),
    ('reports/n1.json', 'reports', 'reports/n1.md'),
    ('n1', '', 'n1.md'),
    ('/', '', '/capacity-report.md'),
])
def test_report_files(path, directory, markdown):
    files = capacity_report_files(path)
    assert files['directory'] == directory and files['markdown'] == markdown
    assert files['json'] == markdown[:-len('.md')] + '.json'
    assert not any(part.startswith('.') for part in files['markdown'].split('/') if part)


@pytest.mark.parametrize('path', ['', '  ', None])
def test_empty_path_is_one_sentence(path):
    with pytest.raises(AnsibleFilterError, match='ha_capacity_report_path is empty'):
        capacity_report_files(path)
