# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Secrets of both platforms: refuse malformed ones before any request, redact every form of them (pure).

Ansible's no_log masks the exact value only; an error raised by the HTTP stack quotes a
secret in other forms (Python repr with ``\\n``, URL-encoded, JSON-escaped, bytes), so
redact() replaces those too. A secret is never quoted in a message of this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from urllib.parse import quote

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError

MASK = '********'
# Shorter forms would mask ordinary words of a message; Ansible's own no_log has the same limit in spirit.
MIN_FORM_LENGTH = 4


def _bad_characters(value, inner_space_allowed):
    """Why a secret is malformed (without quoting it), or None."""
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return 'a control character (such as the newline that `echo ... |` or a pasted credential adds)'
    if value != value.strip():
        return 'leading or trailing whitespace'
    if not inner_space_allowed and any(char.isspace() for char in value):
        return 'whitespace'
    return None


def check_secret(value, option, inner_space_allowed=True):
    """Refuse a secret with control characters or stray whitespace, naming the option but never the value."""
    if not value:
        return
    problem = _bad_characters(value, inner_space_allowed)
    if problem:
        raise HaInputError('%s contains %s, which no valid secret has; remove it (for example with '
                           "`printf '%%s'` instead of `echo`, or `| trim` in Jinja) and run again." % (option, problem))


def secret_forms(secret):
    """The forms in which a secret may show up in an error text."""
    forms = set([secret, secret.strip()])
    forms.add(repr(secret)[1:-1])
    forms.add(repr(secret.encode('utf-8'))[2:-1])
    forms.add(json.dumps(secret)[1:-1])
    forms.add(quote(secret, safe=''))
    forms.add(quote(secret))
    return sorted((form for form in forms if len(form) >= MIN_FORM_LENGTH), key=len, reverse=True)


def redact(text, secrets):
    """Text with every form of every secret replaced, so errors never leak credentials."""
    text = str(text)
    for secret in secrets:
        if secret:
            for form in secret_forms(secret):
                text = text.replace(form, MASK)
    return text
