# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Connection options both platforms check before any request (pure, private to the collection).

Each check returns the one-sentence refusal naming the option, or None; the caller raises
its own error type. Waiting never fixes these, so they are never retried.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os


def check_timeout(value, option):
    """A timeout must be able to bound a request: 0 or less cannot."""
    if value is None or value >= 1:
        return None
    return '%s is %s; give the number of seconds a request may take, 1 or more.' % (option, value)


def check_port(value, option, usual):
    if value is None or 1 <= value <= 65535:
        return None
    return '%s is %d; give a TCP port between 1 and 65535 (the usual one is %d).' % (option, value, usual)


def check_ca_path(ca_path, validate_certs, what):
    """A CA bundle that is not there would fail every TLS handshake with a misleading network error."""
    if not ca_path or not validate_certs or os.path.isfile(ca_path):
        return None
    return ("ca_path %r is not a readable file; give the path of the PEM file of the CA that signed the %s "
            "certificate." % (ca_path, what))
