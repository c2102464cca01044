# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The errors every clusterops.ha module reports, for both platforms (private to the collection).

A module fails in one shape (see _module_base.HaModule): ``msg`` is one sentence, ``error``
holds ``kind`` plus the details of the failure. HaInputError is bad input found before any
write (kind ``input``); HaError subclasses are failures of the platform or the connection,
each with its own ``kind``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HaInputError(ValueError):
    """Bad user input; the message is one sentence naming the option and the fix."""

    kind = 'input'


class HaError(Exception):
    """A failure reported as one sentence; ``kind`` names it for callers, retries and tests."""

    kind = 'error'

    def __init__(self, message, kind=None, **details):
        super(HaError, self).__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        self.extra = details

    def details(self):
        """Plain data for the failure's ``error`` field (never a secret: messages are redacted on creation)."""
        out = dict(self.extra)
        out['kind'] = self.kind
        return out
