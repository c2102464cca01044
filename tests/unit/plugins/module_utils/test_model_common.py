# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of what both capacity-model builders share (_model_common)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._model_common import (
    MIB, check_host_reserved_mb, dedupe_anti_affinity, mib_down, mib_up)


def test_mib_rounding_directions():
    assert mib_down(MIB * 2 - 1) == 1
    assert mib_up(MIB + 1) == 2
    assert mib_down(None) == 0 and mib_up(None) == 0


def test_anti_affinity_labels_sorted_once():
    constraints = {'vm:1': {'anti_affinity': ['b', 'a', 'b']}, 'vm:2': {'allowed_hosts': ['h1']}}
    assert dedupe_anti_affinity(constraints) == {'vm:1': {'anti_affinity': ['a', 'b']}, 'vm:2': {'allowed_hosts': ['h1']}}


def test_host_reserved_mb_negative_is_refused_naming_the_option():
    check_host_reserved_mb(0)
    check_host_reserved_mb(4096)
    with pytest.raises(HaInputError, match=r'^host_reserved_mb is -1; set it to 0 or more MiB\.$'):
        check_host_reserved_mb(-1)
