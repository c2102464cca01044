# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter clusterops.ha.capacity_report_files: where the ha_capacity role writes its report.

Documentation lives in the sidecar file capacity_report_files.yml.
"""

from __future__ import absolute_import, division, print_function

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import report_files

__metaclass__ = type


def capacity_report_files(path):
    """dict(directory, markdown, json) for a report path prefix; a bad path is one AnsibleFilterError sentence."""
    try:
        return report_files(path)
    except ValueError as err:
        raise AnsibleFilterError('capacity_report_files: %s' % err)


class FilterModule(object):
    """Filters of clusterops.ha."""

    def filters(self):
        return {'capacity_report_files': capacity_report_files}
