# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``maintenance_order(model, order, host_failures, mode, view, reserve_percent)`` for
playbooks/maintenance_check.yml (a playbook-adjacent filter of this folder).

Asks the capacity engine whether the hosts in ``order`` may enter maintenance one after another
(``rolling``: one at a time; ``cumulative``: each stays out) while the cluster keeps N+k at every
step. The decision lives in plugins/plugin_utils/_capacity/maintenance.py; this file only turns
its errors into one AnsibleFilterError sentence.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

try:
    from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.maintenance import check_maintenance_order
    from ansible_collections.clusterops.ha.plugins.plugin_utils._capacity.model import CapacityModelError
except ImportError:  # pragma: no cover - only without the collection on the path
    check_maintenance_order = None
    CapacityModelError = ValueError


def maintenance_order(model, order, host_failures=1, mode='rolling', view='configured', reserve_percent=0):
    """The engine's verdict per step of a maintenance order."""
    if check_maintenance_order is None:
        raise AnsibleFilterError('maintenance_order: the clusterops.ha collection is not importable; set ANSIBLE_COLLECTIONS_PATH.')
    try:
        return check_maintenance_order(model, order, host_failures=int(host_failures), view=view,
                                       reserve_percent=reserve_percent, mode=mode)
    except (CapacityModelError, ValueError) as err:
        raise AnsibleFilterError('maintenance_order: %s' % err)


class FilterModule:
    """Filters of the maintenance-check playbook."""

    def filters(self):
        return {'maintenance_order': maintenance_order}
