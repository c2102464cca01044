# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the pure parts of the PVE connection helper (_pve_client): options, tokens, error kinds, retries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _pve_client as pc

BASE = dict(api_host='pve1', api_port=None, api_user=None, api_password=None, api_token_id=None, api_token_secret=None,
            validate_certs=True, ca_path=None, api_timeout=30)


def params(**kw):
    out = dict(BASE)
    out.update(kw)
    return out


def test_argspec_names_and_secrets_match_community_proxmox():
    spec = pc.pve_auth_argspec()
    assert set(spec) == {'api_host', 'api_port', 'api_user', 'api_password', 'api_token_id', 'api_token_secret',
                         'validate_certs', 'ca_path', 'api_timeout'}
    assert spec['validate_certs']['default'] is True
    assert spec['api_password']['no_log'] and spec['api_token_secret']['no_log']
    assert spec['api_token_id']['no_log'] is False
    assert 'default' not in spec['api_user']  # never root@pam for tokens
    assert spec['api_host']['fallback'][1] == ['PROXMOX_HOST']


def test_full_token_id_needs_no_user():
    settings = pc.connection_settings(params(api_token_id='ci@pve!ansible', api_token_secret='s'))
    assert (settings['user'], settings['token_name'], settings['token_value']) == ('ci@pve', 'ansible', 's')
    assert 'password' not in settings


def test_bare_token_id_uses_api_user():
    settings = pc.connection_settings(params(api_user='ci@pve', api_token_id='ansible', api_token_secret='s'))
    assert (settings['user'], settings['token_name']) == ('ci@pve', 'ansible')


@pytest.mark.parametrize('kw, fragment', [
    (dict(api_token_id='ansible', api_token_secret='s'), 'set api_user'),
    (dict(api_user='other@pam', api_token_id='ci@pve!x', api_token_secret='s'), "belongs to 'ci@pve'"),
    (dict(api_token_id='ci@pve!', api_token_secret='s'), 'malformed'),
    (dict(api_token_id='ci@pve!x'), 'go together'),
    (dict(), 'No credentials given'),
])
def test_bad_credentials_fail_before_any_request(kw, fragment):
    with pytest.raises(pc.PveConfigError) as err:
        pc.connection_settings(params(**kw))
    assert fragment in str(err.value)


def test_password_login_defaults_to_root_pam():
    assert pc.connection_settings(params(api_password='p'))['user'] == 'root@pam'


def test_verify_uses_ca_path_and_defaults_to_true(tmp_path):
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text('x')
    assert pc.connection_settings(params(api_password='p'))['verify_ssl'] is True
    assert pc.connection_settings(params(api_password='p', ca_path=str(ca_file)))['verify_ssl'] == str(ca_file)
    assert pc.connection_settings(params(api_password='p', ca_path='/ca.pem', validate_certs=False))['verify_ssl'] is False
    assert pc.connection_settings(params(api_password='p'))['backend'] == 'https'


@pytest.mark.parametrize('status, text, kind', [
    (500, "update HA rules failed: cfs-lock 'domain-ha' error: got lock request timeout", 'lock'),
    (500, "error with cfs lock 'domain-ha': got lock timeout - aborting command", 'lock'),
    (500, 'create resource failed: no quorum!', 'noquorum'),
    (500, "create resource failed: cfs-lock 'domain-ha' error: no quorum!", 'noquorum'),
    (500, 'detected modified configuration - file changed by other user? Try again.', 'stale_digest'),
    (500, 'cannot index groups: ha groups have been migrated to rules', 'groups_migrated'),
    (503, 'Service Unavailable', 'unavailable'),
    (500, 'something else', 'server'),
    (400, "cfs-lock 'domain-ha' error: got lock request timeout", 'client'),  # 4xx never becomes retryable
    (401, 'authentication failure', 'auth'),
    (403, 'Permission check failed', 'permission'),
])
def test_classify_failure(status, text, kind):
    assert pc.classify_failure(status, text) == kind


def test_only_transient_kinds_retry():
    assert all(pc.is_retryable(k) for k in ('lock', 'noquorum', 'unavailable', 'connection'))
    assert not any(pc.is_retryable(k) for k in ('client', 'auth', 'permission', 'server', 'stale_digest'))


def test_retry_delays_are_bounded():
    assert pc.retry_delays() == [0.5, 1.0, 2.0, 4.0]
    assert sum(pc.retry_delays()) == 7.5
    assert pc.retry_delays(2) == [0.5]


def test_redact_hides_secrets():
    assert pc.redact('token root@pam!ci=abc-123 failed', ['abc-123']) == 'token root@pam!ci=******** failed'


@pytest.mark.parametrize('version, major', [('9.0.10', 9), ('8.4-1', 8), (None, 0), ('', 0)])
def test_api_major(version, major):
    assert pc.api_major(version) == major


def test_request_never_sent_only_for_failures_before_sending():
    requests = pytest.importorskip('requests')
    assert pc.request_never_sent(requests.exceptions.ConnectTimeout('connect timed out'))
    assert pc.request_never_sent(requests.exceptions.ConnectionError('NewConnectionError: [Errno 111] Connection refused'))
    assert not pc.request_never_sent(requests.exceptions.ReadTimeout('read timed out'))
    assert not pc.request_never_sent(requests.exceptions.ConnectionError("('Connection aborted.', ConnectionResetError(104))"))


def test_lost_write_answers_replan_instead_of_retrying():
    assert 'write_unconfirmed' in pc.REPLAN_KINDS and 'stale_digest' in pc.REPLAN_KINDS
    assert not pc.is_retryable('write_unconfirmed')
