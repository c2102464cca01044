# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one Proxmox VE connection helper of clusterops.ha (private to the collection).

It wraps proxmoxer (https backend) with: the shared connection argspec, token parsing,
request timeouts, bounded retries on transient PVE errors (cfs lock timeout, no quorum,
HTTP 502/503/504, connection errors) that never retry a 4xx, typed errors, request
counting, and detection of the PVE version and of the HA groups-to-rules migration.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time
import traceback

from ansible.module_utils.basic import _load_params, env_fallback, missing_required_lib
from ansible_collections.clusterops.ha.plugins.module_utils._connection_options import check_ca_path, check_port, check_timeout
from ansible_collections.clusterops.ha.plugins.module_utils._deadline import DeadlineExceeded, deadline
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaError
from ansible_collections.clusterops.ha.plugins.module_utils._module_base import HaModule
from ansible_collections.clusterops.ha.plugins.module_utils._secrets import check_secret, redact

try:
    from proxmoxer import ProxmoxAPI
    from proxmoxer.core import AuthenticationError, ResourceException
    import requests
    PROXMOXER_IMPORT_ERROR = None
except ImportError:
    ProxmoxAPI = None
    PROXMOXER_IMPORT_ERROR = traceback.format_exc()

    class ResourceException(Exception):  # pylint: disable=missing-class-docstring
        pass

    class AuthenticationError(Exception):  # pylint: disable=missing-class-docstring
        pass


# Waits between attempts of one request that failed transiently: at most 4 retries,
# 0.5 + 1 + 2 + 4 = 7.5 s of sleeping in total (plus the time of each attempt).
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
DEFAULT_TIMEOUT = 30
WRITE_METHODS = ('POST', 'PUT', 'DELETE')
# Failure kinds worth another attempt: they clear up by themselves on a healthy cluster.
RETRYABLE_KINDS = frozenset(('lock', 'noquorum', 'unavailable', 'connection'))
# Failures after which a module reads the configuration again and plans once more.
REPLAN_KINDS = frozenset(('stale_digest', 'write_unconfirmed'))


def pve_auth_argspec():
    """The connection options every clusterops.ha Proxmox module takes (community.proxmox names)."""
    return dict(
        api_host=dict(type='str', required=True, fallback=(env_fallback, ['PROXMOX_HOST'])),
        api_port=dict(type='int', fallback=(env_fallback, ['PROXMOX_PORT'])),
        api_user=dict(type='str', fallback=(env_fallback, ['PROXMOX_USER'])),
        api_password=dict(type='str', no_log=True, fallback=(env_fallback, ['PROXMOX_PASSWORD'])),
        api_token_id=dict(type='str', no_log=False, fallback=(env_fallback, ['PROXMOX_TOKEN_ID'])),
        api_token_secret=dict(type='str', no_log=True, fallback=(env_fallback, ['PROXMOX_TOKEN_SECRET'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['PROXMOX_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['PROXMOX_CA_PATH'])),
        api_timeout=dict(type='int', default=DEFAULT_TIMEOUT, fallback=(env_fallback, ['PROXMOX_API_TIMEOUT'])),
    )


# --------------------------------------------------------------------------- errors

class PveError(HaError):
    """Any failure talking to PVE; `kind` says which, `status` is the HTTP status (0 if none)."""

    def __init__(self, message, kind='error', status=0, method=None, path=None, attempts=1):
        super(PveError, self).__init__(message, kind=kind)
        self.status = status
        self.method = method
        self.path = path
        self.attempts = attempts

    def details(self):
        """Plain data for the module result (no secrets: messages are redacted on creation)."""
        return dict(kind=self.kind, status=self.status, method=self.method, path=self.path, attempts=self.attempts)


class PveConfigError(PveError):
    """The connection options themselves are wrong; raised before any request."""


class PveApiError(PveError):
    """PVE answered with an error status."""


class PveConnectionError(PveError):
    """No HTTP answer at all (refused, reset, TLS, timeout)."""


def classify_failure(status, text):
    """Which kind of failure an HTTP status plus PVE message is (pure; drives the retry decision)."""
    lower = (text or '').lower()
    if 400 <= status < 500:
        # 4xx is the caller's fault (or auth): never retried, whatever the text says.
        if status == 401:
            return 'auth'
        if status == 403:
            return 'permission'
        return 'client'
    if 'no quorum' in lower:
        return 'noquorum'
    if "cfs-lock" in lower or "cfs lock" in lower or 'got lock request timeout' in lower:
        return 'lock'
    if 'detected modified configuration' in lower or 'file changed by other user' in lower:
        return 'stale_digest'
    if 'have been migrated to rules' in lower:
        return 'groups_migrated'
    if 'have not been migrated yet' in lower:
        return 'groups_not_migrated'
    if status in (502, 503, 504):
        return 'unavailable'
    return 'server'


def request_never_sent(exc):
    """True when a requests error proves the request never reached PVE (connect timeout, refused)."""
    if isinstance(exc, DeadlineExceeded):
        return False
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    text = str(exc)
    return isinstance(exc, requests.exceptions.ConnectionError) and (
        'NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text)


def certificate_failure(host, exc, secrets):
    """A TLS verification failure: waiting never fixes it, so it is reported with the fix, not retried."""
    return PveConnectionError(
        'The TLS certificate of PVE at %s could not be verified (%s); give the CA that signed it with ca_path, '
        'or set validate_certs: false if you accept an unverified connection.' % (host, redact(exc, secrets)),
        kind='tls', method=None, path=None)


def is_retryable(kind):
    """True for failures that may go away by waiting (lock, quorum, 5xx overload, network)."""
    return kind in RETRYABLE_KINDS


def retry_delays(attempt_limit=None):
    """The sleeps between attempts, bounded (see RETRY_DELAYS)."""
    delays = RETRY_DELAYS
    if attempt_limit is not None:
        delays = delays[:max(0, attempt_limit - 1)]
    return list(delays)


def parse_token(api_user, api_token_id):
    """(user, token name) from a bare token id plus api_user, or from `user@realm!name`."""
    if '=' in api_token_id:
        # A whole token (PVEAPIToken=user@realm!name=secret) pasted into the id: never quote it back.
        raise PveConfigError("api_token_id contains '=', so it holds a whole API token including its secret; put only "
                             "user@realm!tokenname in api_token_id and the part after '=' in api_token_secret.", kind='config')
    if '!' in api_token_id:
        user, _sep, name = api_token_id.partition('!')
        if not user or not name or '@' not in user:
            raise PveConfigError("api_token_id '%s' is malformed; write it as user@realm!tokenname or give the bare "
                                 "token name together with api_user." % api_token_id, kind='config')
        if api_user and api_user != user:
            raise PveConfigError("api_token_id '%s' belongs to '%s' but api_user is '%s'; drop api_user or make "
                                 "them match." % (api_token_id, user, api_user), kind='config')
        return user, name
    if not api_user:
        raise PveConfigError("api_token_id '%s' is a bare token name, so set api_user (user@realm) too, or write "
                             "the token as user@realm!%s." % (api_token_id, api_token_id), kind='config')
    return api_user, api_token_id


def split_host_port(api_host):
    """(host, port or None) from api_host; a bracketed or bare IPv6 address keeps its colons."""
    host = api_host.strip()
    if host.startswith('['):
        inner, _sep, rest = host[1:].partition(']')
        return inner, (rest[1:] if rest.startswith(':') else None)
    if host.count(':') == 1:
        name, _sep, port = host.partition(':')
        return name, port
    return host, None


def check_endpoint(params):
    """Refuse an api_host/api_port/api_timeout/ca_path that can never work, before any request (pure)."""
    api_host = params['api_host'] or ''
    if '://' in api_host or '/' in api_host:
        raise PveConfigError("api_host %r is a URL; give only the host name or address (e.g. pve1.example.com) and the "
                             "port in api_port." % api_host, kind='config')
    host, port_text = split_host_port(api_host)
    if not host:
        raise PveConfigError('api_host is empty; give the host name or address of a PVE node.', kind='config')
    port = params.get('api_port')
    if port_text is not None:
        if not port_text.isdigit():
            raise PveConfigError("api_host %r ends in ':%s', which is not a port; give the port in api_port." % (api_host, port_text),
                                 kind='config')
        if port is not None and int(port_text) != port:
            raise PveConfigError('api_host %r names port %s but api_port is %d; give the port once, in api_port.'
                                 % (api_host, port_text, port), kind='config')
        port = int(port_text)
    problem = (check_port(port, 'api_port', 8006) or check_timeout(params.get('api_timeout'), 'api_timeout')
               or check_ca_path(params.get('ca_path'), params.get('validate_certs', True), 'PVE'))
    if problem:
        raise PveConfigError(problem, kind='config')
    return host, port


def connection_settings(params):
    """Validated keyword arguments for ProxmoxAPI from module params (pure; raises PveConfigError)."""
    token_id = params.get('api_token_id')
    token_secret = params.get('api_token_secret')
    password = params.get('api_password')
    if token_id and '=' in token_id:
        parse_token(None, token_id)   # refuses a pasted whole token before anything else is said about it
    host, port = check_endpoint(params)
    check_secret(token_secret, 'api_token_secret', inner_space_allowed=False)
    check_secret(password, 'api_password')
    settings = dict(host=host, backend='https', timeout=params.get('api_timeout') or DEFAULT_TIMEOUT)
    if port is not None:
        settings['port'] = port
    # requests' verify takes a CA bundle path in place of True.
    if params.get('validate_certs', True):
        settings['verify_ssl'] = params.get('ca_path') or True
    else:
        settings['verify_ssl'] = False
    if token_id or token_secret:
        if not (token_id and token_secret):
            raise PveConfigError('api_token_id and api_token_secret go together; set both, or use api_user with '
                                 'api_password.', kind='config')
        user, name = parse_token(params.get('api_user'), token_id)
        settings.update(user=user, token_name=name, token_value=token_secret)
    elif password:
        # Password logins keep community.proxmox's default user; tokens never assume one.
        settings.update(user=params.get('api_user') or 'root@pam', password=password)
    else:
        raise PveConfigError('No credentials given; set api_token_id with api_token_secret, or api_user with '
                             'api_password (or their PROXMOX_* environment variables).', kind='config')
    return settings


def api_major(version_string):
    """Major PVE release from /version's `version` (e.g. '9.0.3' -> 9, '8.4-1' -> 8)."""
    match = re.match(r'\s*(\d+)', str(version_string or ''))
    return int(match.group(1)) if match else 0


# --------------------------------------------------------------------------- client

class PveClient:
    """proxmoxer over HTTPS with bounded retries, typed errors and request counting."""

    def __init__(self, params, sleep=time.sleep):
        self._secrets = [s for s in (params.get('api_password'), params.get('api_token_secret')) if s]
        self.settings = connection_settings(params)
        self._sleep = sleep
        self._api = None
        self.counts = dict(read=0, write=0, retries=0)
        self._ha_state = None
        self._nodes = None

    def _connect(self):
        if self._api is None:
            try:
                with deadline(self.settings['timeout']):
                    self._api = ProxmoxAPI(**self.settings)
            except AuthenticationError as exc:
                raise PveApiError('Login to PVE at %s failed: %s' % (self.settings['host'], redact(exc, self._secrets)),
                                  kind='auth', status=401, method='POST', path='access/ticket')
            except requests.exceptions.SSLError as exc:
                raise certificate_failure(self.settings['host'], exc, self._secrets)
            except (requests.exceptions.RequestException, DeadlineExceeded) as exc:
                raise PveConnectionError('Cannot reach PVE at %s: %s' % (self.settings['host'], redact(exc, self._secrets)),
                                         kind='connection', method='POST', path='access/ticket')
            except Exception as exc:  # pylint: disable=broad-except
                # Whatever else the HTTP stack raises (a ValueError for a header, ...) may quote a credential.
                raise PveConnectionError('Login to PVE at %s could not be sent: %s' % (self.settings['host'], redact(exc, self._secrets)),
                                         kind='request', method='POST', path='access/ticket')
        return self._api

    def _once(self, method, path, params):
        """One attempt, bounded as a whole by api_timeout; returns data or raises PveError with its kind."""
        api = self._connect()
        resource = api(path)
        try:
            with deadline(self.settings['timeout']):
                if method == 'GET':
                    return resource.get(**params)
                if method == 'POST':
                    return resource.post(**params)
                if method == 'PUT':
                    return resource.put(**params)
                return resource.delete(**params)
        except ResourceException as exc:
            text = redact(exc, self._secrets)
            kind = classify_failure(exc.status_code, text)
            raise PveApiError('%s /%s failed: %s' % (method, path, text), kind=kind, status=exc.status_code,
                              method=method, path=path)
        except requests.exceptions.SSLError as exc:
            raise certificate_failure(self.settings['host'], exc, self._secrets)
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema) as exc:
            # A request that cannot be formed never heals by waiting: not retried.
            raise PveConnectionError('%s /%s could not be sent: %s' % (method, path, redact(exc, self._secrets)),
                                     kind='config', method=method, path=path)
        except (requests.exceptions.RequestException, DeadlineExceeded) as exc:
            kind = 'connection'
            if method in WRITE_METHODS and not request_never_sent(exc):
                # PVE may have applied it: resending could double a POST, so the caller re-reads instead.
                kind = 'write_unconfirmed'
            raise PveConnectionError('%s /%s got no answer: %s' % (method, path, redact(exc, self._secrets)),
                                     kind=kind, method=method, path=path)
        except Exception as exc:  # pylint: disable=broad-except
            # Whatever else the HTTP stack raises (http.client's ValueError for a header, ...) may quote a
            # credential in some encoding: one clean, redacted failure, never a traceback.
            raise PveConnectionError('%s /%s could not be sent: %s' % (method, path, redact(exc, self._secrets)),
                                     kind='request', method=method, path=path)

    def request(self, method, api_path, **params):
        """Send one request, retrying transient failures with bounded backoff.

        The API path is `api_path` so that a query parameter named `path` (GET /access/permissions)
        can be passed like any other."""
        path = api_path
        params = dict((k, v) for k, v in params.items() if v is not None)
        delays = retry_delays()
        attempt = 0
        reauthed = False
        while True:
            attempt += 1
            self.counts['write' if method in WRITE_METHODS else 'read'] += 1
            try:
                return self._once(method, path, dict(params))
            except PveError as exc:
                exc.attempts = attempt
                if exc.kind == 'auth' and 'password' in self.settings and not reauthed:
                    # An expired ticket: log in again once (not a blind retry of the 4xx).
                    reauthed = True
                    self._api = None
                    continue
                if not is_retryable(exc.kind) or not delays:
                    if is_retryable(exc.kind):
                        exc.message = '%s (gave up after %d attempts)' % (exc.message, attempt)
                        exc.args = (exc.message,)
                    raise
                self.counts['retries'] += 1
                self._sleep(delays.pop(0))

    def get(self, api_path, **params):
        return self.request('GET', api_path, **params)

    def post(self, api_path, **params):
        return self.request('POST', api_path, **params)

    def put(self, api_path, **params):
        return self.request('PUT', api_path, **params)

    def delete(self, api_path, **params):
        return self.request('DELETE', api_path, **params)

    def node_names(self):
        """Cluster node names (GET /nodes, cached)."""
        if self._nodes is None:
            self._nodes = sorted(item['node'] for item in self.get('nodes') or [])
        return self._nodes

    # ------------------------------------------------------- version and migration

    def ha_state(self):
        """Version, major release and whether HA groups were migrated to rules (cached; 1-2 GETs).

        On PVE 8 (and on a PVE 9 cluster that still has groups.cfg) the groups list is kept so
        callers do not read it twice.
        """
        if self._ha_state is None:
            version = self.get('version') or {}
            major = api_major(version.get('version'))
            state = dict(version=version.get('version'), release=version.get('release'), major=major,
                         groups_migrated=False, groups=None, rules_supported=major >= 9)
            try:
                state['groups'] = self.get('cluster/ha/groups') or []
            except PveApiError as exc:
                if exc.kind != 'groups_migrated':
                    raise
                state['groups_migrated'] = True
            self._ha_state = state
        return self._ha_state


def raw_token_id():
    """api_token_id as the task (or PROXMOX_TOKEN_ID) gives it, read before the argument spec is applied."""
    try:
        value = _load_params().get('api_token_id')
    except Exception:  # pylint: disable=broad-except
        value = None  # unreadable arguments: AnsibleModule reports them itself
    if value is None:
        value = os.environ.get('PROXMOX_TOKEN_ID')
    return str(value or '')


class PveModule(HaModule):
    """HaModule plus a lazily connected PveClient (the connection is made by the first request).

    Failures add ``applied`` (writes PVE confirmed), ``unconfirmed`` (writes sent whose answer
    was lost: PVE may hold them), ``changed`` (true when either is non-empty) and ``requests``.
    """

    def __init__(self, argument_spec, input_errors=(), **kwargs):
        connection_spec = pve_auth_argspec()
        if '=' in raw_token_id():
            # A whole token (with its secret) pasted into the id: hide it like a secret from the first output on,
            # argument errors and `invocation` included (the id alone is not secret, so it is no_log=False), and
            # let connection_settings() refuse it with the hint rather than a generic "required together".
            connection_spec['api_token_id']['no_log'] = True
        else:
            kwargs.setdefault('required_together', []).append(('api_token_id', 'api_token_secret'))
        super(PveModule, self).__init__(argument_spec, connection_spec, input_errors=input_errors, **kwargs)
        self.applied = []
        self.unconfirmed = []
        self._client = None
        token_id = self.params.get('api_token_id') or ''
        if '=' in token_id:
            self.module.no_log_values.add(token_id.partition('=')[2])
        if PROXMOXER_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('proxmoxer'), exception=PROXMOXER_IMPORT_ERROR)

    def _open(self):
        # Builds the client, which checks every connection option; no request is sent yet.
        return self.client

    @property
    def client(self):
        if self._client is None:
            self._client = PveClient(self.params)
        return self._client

    def result_facts(self):
        """The documented keys every PVE module returns: pve (version, migration) and requests."""
        state = self.client.ha_state()
        return dict(pve=dict(version=state['version'], major=state['major'], groups_migrated=state['groups_migrated']),
                    requests=dict(self.client.counts))

    def apply(self, writes):
        """Send planned writes in order; each is dict(method, path, params). Returns what was sent."""
        for write in writes:
            try:
                self.client.request(write['method'], write['path'], **write['params'])
            except PveError as exc:
                if exc.kind == 'write_unconfirmed':
                    self.unconfirmed.append(write)
                raise
            self.applied.append(write)
        return list(self.applied)

    def converge(self, plan_fn):
        """Read+plan, apply; on a stale digest or a lost answer read and plan again once, then fail clearly.

        plan_fn() returns a dict with at least `writes` (ordered requests); check mode sends nothing.
        The returned plan's `writes` are all the writes this run made, so `changed` follows from them.
        """
        plan = plan_fn()
        if self.check_mode or not plan['writes']:
            return plan
        try:
            self.apply(plan['writes'])
            return plan
        except PveError as exc:
            # A stale digest or a write whose answer was lost: read again and plan what is still missing.
            if exc.kind not in REPLAN_KINDS:
                raise
        # If this re-read fails, the lost write stays in `unconfirmed` and the failure says changed.
        replanned = plan_fn()
        lost, self.unconfirmed = self.unconfirmed, []
        for write in lost:
            if not any(w['method'] == write['method'] and w['path'] == write['path'] for w in replanned['writes']):
                # The re-read shows it in place: PVE applied it although its answer was lost.
                self.applied.append(write)
        try:
            self.apply(replanned['writes'])
        except PveError as exc:
            if exc.kind == 'stale_digest':
                raise PveApiError('The HA configuration was changed by someone else twice while this task ran '
                                  '(stale digest on %s /%s); nothing more was written, re-run the task.' % (exc.method, exc.path),
                                  kind='stale_digest', status=exc.status, method=exc.method, path=exc.path)
            raise
        replanned['replanned'] = True
        replanned['before'] = plan.get('before')
        replanned['writes'] = list(self.applied)
        return replanned

    def _failure_extras(self, error):
        result = dict(applied=list(self.applied), changed=bool(self.applied or self.unconfirmed))
        if self.unconfirmed:
            result['unconfirmed'] = list(self.unconfirmed)
        if self._client is not None:
            result['requests'] = dict(self._client.counts)
        return result
