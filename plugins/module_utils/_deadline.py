# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A bound on a whole request, for both platforms (private to the collection).

The HTTP stacks (requests, http.client under pyVmomi) apply their timeout to each socket
operation, so an answer trickled a few bytes at a time never times out. deadline() arms a
real-time timer around the whole request instead; when it fires, DeadlineExceeded is raised
in the middle of whatever the request was doing. Modules run in the main thread of their own
process, where signals are available; elsewhere (a thread, no setitimer) it falls back to
the per-read timeout alone. Deadlines do not nest: an inner one leaves the outer timer alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import signal
import threading


class DeadlineExceeded(Exception):
    """The whole request took longer than its deadline (not an OSError, so no library retries it)."""


_ACTIVE = []


def _usable():
    return hasattr(signal, 'setitimer') and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def deadline(seconds):
    """Raise DeadlineExceeded if the block runs longer than seconds."""
    if not seconds or _ACTIVE or not _usable():
        yield
        return

    def expire(_signum, _frame):
        raise DeadlineExceeded('no complete answer within %s s' % seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    _ACTIVE.append(seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _ACTIVE.pop()
