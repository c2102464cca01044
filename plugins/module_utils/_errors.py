# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The input error both platforms raise before any write (private to the collection)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HaInputError(ValueError):
    """Bad user input; the message is one sentence naming the option and the fix."""
