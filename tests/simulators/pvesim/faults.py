"""Injected faults and the request log: plain data the server consults on every API request."""

import re
import time

# Longest latency a fault may add, so no test can hang a server (or its shutdown) for long.
MAX_LATENCY = 300
KINDS = ('lock', 'noquorum', 'http500', 'http503', 'latency', 'reset', 'stale_digest', 'expire_ticket')
SECRET_PARAMS = ('password', 'new-password', 'confirmation-password', 'ticket', 'vncticket', 'otp', 'tfa-challenge',
                 'value', 'token')
LOGIN_PATH = '/access/ticket'

# What lock_ha_domain puts in front of a cfs-lock error, by method and API path (HA API2/HA/*.pm).
LOCK_PREFIXES = (
    ('POST', r'/cluster/ha/groups', 'create ha group failed: '),
    ('PUT', r'/cluster/ha/groups/[^/]+', 'update ha group failed: '),
    ('DELETE', r'/cluster/ha/groups/[^/]+', 'delete ha group failed: '),
    ('POST', r'/cluster/ha/resources', 'create resource failed: '),
    ('PUT', r'/cluster/ha/resources/[^/]+', 'update resources config failed: '),
    ('DELETE', r'/cluster/ha/resources/[^/]+', 'delete resource failed: '),
    ('POST', r'/cluster/ha/rules', 'create ha rule failed: '),
    ('PUT', r'/cluster/ha/rules/[^/]+', 'update HA rules failed: '),
    ('DELETE', r'/cluster/ha/rules/[^/]+', 'delete ha rule failed: '),
)


class FaultError(ValueError):
    """A fault request the control API refuses."""


def lock_prefix(method, path):
    for wanted, pattern, prefix in LOCK_PREFIXES:
        if method == wanted and re.fullmatch(pattern, path):
            return prefix
    return ''


def make_fault(spec):
    """A fault from its control-API form: {kind, path (regex, searched), method, count (-1 = until cleared), seconds}.

    A latency fault with ``after: true`` computes the answer first and holds it for ``seconds``: a slow
    wire rather than a slow server, so requests held together all see the state of their arrival.
    """
    kind = spec.get('kind')
    if kind not in KINDS:
        raise FaultError('kind must be one of {0}, not {1!r}'.format(', '.join(KINDS), kind))
    try:
        pattern = re.compile(spec.get('path') or '.*')
    except re.error as exc:
        raise FaultError('path is not a valid regular expression: {0}'.format(exc)) from None
    count = int(spec.get('count', 1))
    if count == 0 or count < -1:
        raise FaultError('count must be a positive number, or -1 for until cleared')
    seconds = float(spec.get('seconds', 0))
    if not 0 <= seconds <= MAX_LATENCY:
        raise FaultError('seconds must be between 0 and {0}'.format(MAX_LATENCY))
    method = spec.get('method')
    if kind == 'stale_digest' and method is None:
        method = 'PUT'
    return {'kind': kind, 'path': pattern.pattern, 'regex': pattern, 'method': method.upper() if method else None,
            'count': count, 'seconds': seconds, 'message': spec.get('message'), 'after': bool(spec.get('after')), 'hits': 0}


def take_fault(faults, method, path):
    """The first fault matching the request, its count used up by one; None if none matches."""
    for fault in faults:
        if fault['method'] not in (None, method) or not fault['regex'].search(path):
            continue
        fault['hits'] += 1
        if fault['count'] > 0:
            fault['count'] -= 1
            if fault['count'] == 0:
                faults.remove(fault)
        return fault
    return None


def fault_view(fault):
    return dict((k, v) for k, v in fault.items() if k != 'regex')


def fault_message(fault, method, path):
    """(status, message) a failing fault answers with, worded as PVE does."""
    if fault.get('message'):
        return (503 if fault['kind'] == 'http503' else 500), fault['message']
    kind = fault['kind']
    if kind == 'lock':
        return 500, lock_prefix(method, path) + "cfs-lock 'domain-ha' error: got lock request timeout"
    if kind == 'noquorum':
        return 500, lock_prefix(method, path) + "cfs-lock 'domain-ha' error: no quorum!"
    if kind == 'stale_digest':
        return 500, 'detected modified configuration - file changed by other user? Try again.'
    if kind == 'http503':
        return 503, 'Service Unavailable'
    return 500, 'Internal Server Error'


def redact(params):
    return dict((k, '***' if k in SECRET_PARAMS else v) for k, v in params.items())


class RequestLog(object):
    """Every API request (method, path without /api2/json, params with secrets redacted) and counters."""

    def __init__(self, limit=200000):
        self.limit = limit
        self.entries = []
        self.counts = {'read': 0, 'write': 0, 'login': 0, 'total': 0}

    def add(self, method, path, params):
        if method == 'POST' and path == LOGIN_PATH:
            self.counts['login'] += 1
        elif method in ('GET', 'HEAD'):
            self.counts['read'] += 1
        else:
            self.counts['write'] += 1
        self.counts['total'] += 1
        self.entries.append({'method': method, 'path': path, 'params': redact(params), 'time': round(time.time(), 3)})
        if len(self.entries) > self.limit:
            del self.entries[:len(self.entries) - self.limit]

    def clear(self):
        self.entries = []
        self.counts = dict.fromkeys(self.counts, 0)

    def view(self, since=0):
        return {'requests': self.entries[since:], 'counts': dict(self.counts)}
