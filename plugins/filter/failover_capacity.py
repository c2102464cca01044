# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter clusterops.ha.failover_capacity: the N+k verdict for a capacity model.

Documentation lives in the sidecar file failover_capacity.yml.
"""

from __future__ import absolute_import, division, print_function

from ansible.errors import AnsibleFilterError

from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.engine import evaluate
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError
from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.report import with_report

__metaclass__ = type


def failover_capacity(model, host_failures=1, view='configured', reserve_percent=0, domain_failures=0, maintenance=None):
    """Return the engine's result dict with its summary and report; malformed input becomes one AnsibleFilterError sentence."""
    try:
        return with_report(evaluate(model, host_failures=host_failures, view=view, reserve_percent=reserve_percent,
                                    domain_failures=domain_failures, maintenance=maintenance or []))
    except CapacityModelError as err:
        raise AnsibleFilterError('failover_capacity: %s' % err)


class FilterModule(object):
    """Filters of clusterops.ha."""

    def filters(self):
        return {'failover_capacity': failover_capacity}
