# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one module contract of clusterops.ha, for both platforms (private to the collection).

``HaModule`` is an AnsibleModule plus one error path. PveModule and VSphereModule are thin
subclasses that add only their connection (argspec, open/close, what the work function
receives, what a failure adds). The contract:

* bad input: ``HaInputError`` and any ``input_errors`` given to the constructor fail with
  ``error.kind == 'input'``; modules raise them before any write;
* platform failures: ``HaError`` subclasses, each with a ``kind``, fail with ``error``
  holding ``kind`` and the error's details;
* one failure shape: ``msg`` (one sentence) + ``error`` + what the connection adds
  (PVE: ``applied``, ``requests``; vSphere: ``task``, ``invalid_keys``);
* warnings: ``warn()`` (a ``warnings`` list in the result is accepted too), each shown once;
* the result holds exactly what the work function returns: modules set every documented
  key themselves (``result_facts()`` returns the connection's own documented keys).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaError, HaInputError


class HaModule:
    """AnsibleModule with one error path; subclasses add a connection."""

    def __init__(self, argument_spec, connection_spec, input_errors=(), **kwargs):
        spec = dict(connection_spec)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.diff_mode = self.module._diff
        self.input_errors = (HaInputError,) + tuple(input_errors)
        self.warnings = []

    # ---- hooks for the connection subclasses

    def _open(self):
        """Connect before the work function runs (a lazy connection does nothing here)."""

    def _close(self):
        """Release the connection; never raises."""

    def _work_args(self):
        """What the work function receives."""
        return (self,)

    def _failure_extras(self, error):
        """Fields the connection adds to every failure (error is the HaError, or None for input errors)."""
        return {}

    # ---- the contract

    def warn(self, message):
        if message not in self.warnings:
            self.warnings.append(message)
            self.module.warn(message)

    def fail(self, msg, error=None, kind='input', **extra):
        """Fail in the one shape: msg, error{kind, ...}, the connection's fields, then extra."""
        result = self._failure_extras(error)
        result['error'] = error.details() if error is not None else dict(kind=kind)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    def run(self, work, check=None):
        """check(self) (input only, before connecting), open, work(...) -> result dict, close, exit.

        Typed errors from any step become one clean failure.
        """
        failure = None
        try:
            if check is not None:
                check(self)
            self._open()
            result = work(*self._work_args())
        except self.input_errors as exc:
            failure = (str(exc), None)
        except HaError as exc:
            failure = (exc.message, exc)
        finally:
            self._close()
        # Failing outside the except blocks keeps Python tracebacks out of an expected, explained failure.
        if failure is not None:
            self.fail(failure[0], error=failure[1])
        for message in result.pop('warnings', None) or []:
            self.warn(message)
        self.module.exit_json(**result)
