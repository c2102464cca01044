# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vsphere_ha role's verdict on the read-back.

The read-back is clusterops.ha.vsphere_cluster_ha run again in check mode with the same
options (and, when per-VM overrides were given, vsphere_cluster_ha_vm_overrides the same
way): it compares every requested setting with what vCenter now stores, so "would change"
means the cluster does not hold what was asked.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

VERIFIED = 'Verified - every requested HA setting reads back as asked.'


def _ran(result):
    return bool(result) and not result.get('skipped')


def _overrides_verdict(readback):
    """None when the overrides read back as asked (or were not read back), else the failing verdict."""
    if not _ran(readback):
        return None
    if readback.get('failed'):
        return {'ok': False, 'verified': False,
                'message': 'The per-VM overrides could not be read back after the run: %s' % readback.get('msg', 'no message')}
    if readback.get('changed'):
        different = sorted(set((readback.get('added') or []) + (readback.get('updated') or [])))
        return {'ok': False, 'verified': False,
                'message': 'The per-VM overrides do not match after the run; still different for VM(s): %s.' % ', '.join(different)}
    return None


def verification(readback, overrides_readback=None):
    """The check-mode module result(s) -> {ok, verified, message}; a skipped read-back is not a verdict."""
    readback = readback or {}
    if not _ran(readback):
        return {'ok': True, 'verified': False, 'message': 'Not verified: the read-back did not run (check mode or '
                'vsphere_ha_verify false).'}
    if readback.get('failed'):
        return {'ok': False, 'verified': False,
                'message': 'The cluster could not be read back after the run: %s' % readback.get('msg', 'no message')}
    if readback.get('changed'):
        return {'ok': False, 'verified': False,
                'message': 'The cluster does not match after the run; still different: %s.'
                           % json.dumps(readback.get('diff') or {}, sort_keys=True)}
    overrides = _overrides_verdict(overrides_readback or {})
    if overrides:
        return overrides
    if _ran(overrides_readback or {}):
        return {'ok': True, 'verified': True, 'message': VERIFIED + ' So does every per-VM override.'}
    return {'ok': True, 'verified': True, 'message': VERIFIED}
