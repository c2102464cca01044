# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Red-team findings of issue 16 on the connection options, secrets and request bounds (pure parts)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.clusterops.ha.plugins.module_utils import _pve_client as pc
from ansible_collections.clusterops.ha.plugins.module_utils._connection_options import check_timeout
from ansible_collections.clusterops.ha.plugins.module_utils._deadline import DeadlineExceeded, deadline
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._secrets import check_secret, redact

SECRET = '5e1f0c2a-7d3b-4e8f-9a6c-0123456789ab'


def params(**kwargs):
    base = dict(api_host='pve1', api_port=None, api_user=None, api_password=None, api_token_id='root@pam!ci',
                api_token_secret=SECRET, validate_certs=True, ca_path=None, api_timeout=30)
    base.update(kwargs)
    return base


# ----------------------------------------------------------------- H1: secrets with whitespace or control characters

@pytest.mark.parametrize('secret', [SECRET + '\n', SECRET + ' ', '\t' + SECRET, SECRET[:8] + '\r' + SECRET[8:], SECRET + '\x00'])
def test_h1_token_secret_with_whitespace_or_control_chars_is_refused_without_echo(secret):
    with pytest.raises(HaInputError) as caught:
        pc.connection_settings(params(api_token_secret=secret))
    message = str(caught.value)
    assert message.startswith('api_token_secret contains ')
    assert SECRET not in message and SECRET[:8] not in message and SECRET[-8:] not in message


def test_h1_password_may_hold_inner_spaces_but_no_newline():
    check_secret('correct horse battery', 'api_password')
    with pytest.raises(HaInputError, match='^api_password contains a control character'):
        check_secret('correct horse\n', 'api_password')
    with pytest.raises(HaInputError, match='^password contains leading or trailing whitespace'):
        check_secret(' pass-word', 'password')


def test_h1_redact_covers_repr_bytes_url_and_json_forms():
    secret = SECRET + '\n'
    texts = [
        "Invalid header value b'PVEAPIToken=root@pam!ci=%s\\n'" % SECRET,   # what http.client's putheader says
        'Authorization: %r' % secret,
        'token=5e1f0c2a-7d3b-4e8f-9a6c-0123456789ab%0A',
        '{"secret": "5e1f0c2a-7d3b-4e8f-9a6c-0123456789ab\\n"}',
    ]
    for text in texts:
        assert SECRET not in redact(text, [secret]), text


def test_h1_an_unexpected_exception_in_the_http_stack_is_one_redacted_failure(monkeypatch):
    client = pc.PveClient(params())

    class Resource:
        def get(self, **_params):
            raise ValueError("Invalid header value b'PVEAPIToken=root@pam!ci=%s\\n'" % SECRET)

    client._api = lambda path: Resource()
    with pytest.raises(pc.PveError) as caught:
        client.request('GET', 'version')
    assert caught.value.kind == 'request' and SECRET not in caught.value.message
    assert caught.value.attempts == 1, 'a request that cannot be formed must not be retried'


# ----------------------------------------------------------------- M12: a whole token in api_token_id

@pytest.mark.parametrize('token_id', ['root@pam!ci=' + SECRET, 'PVEAPIToken=root@pam!ci=' + SECRET])
def test_m12_whole_token_in_api_token_id_is_refused_with_a_hint_and_never_echoed(token_id):
    with pytest.raises(pc.PveConfigError) as caught:
        pc.connection_settings(params(api_token_id=token_id))
    assert 'api_token_secret' in caught.value.message and SECRET not in caught.value.message
    assert 'root@pam!ci' not in caught.value.message


# ----------------------------------------------------------------- L2, L3, L5, M13: endpoint options

@pytest.mark.parametrize('overrides, fragment', [
    (dict(api_timeout=-1), 'api_timeout is -1'),
    (dict(api_timeout=0), 'api_timeout is 0'),
    (dict(ca_path='/nonexistent/ca.pem'), "ca_path '/nonexistent/ca.pem' is not a readable file"),
    (dict(api_port=70000), 'api_port is 70000'),
    (dict(api_host='https://pve1:8006'), 'is a URL'),
    (dict(api_host='pve1/api2/json'), 'is a URL'),
    (dict(api_host='pve1:8101', api_port=8102), 'names port 8101 but api_port is 8102'),
    (dict(api_host='pve1:http'), 'which is not a port'),
])
def test_endpoint_options_that_can_never_work_are_refused_locally(overrides, fragment):
    with pytest.raises(pc.PveConfigError) as caught:
        pc.connection_settings(params(**overrides))
    assert fragment in caught.value.message and caught.value.kind == 'config'


def test_host_with_port_and_ipv6_literals():
    assert pc.connection_settings(params(api_host='pve1:8101'))['port'] == 8101
    assert pc.connection_settings(params(api_host='pve1:8101', api_port=8101))['host'] == 'pve1'
    settings = pc.connection_settings(params(api_host='fd00::1'))
    assert settings['host'] == 'fd00::1' and 'port' not in settings
    assert pc.connection_settings(params(api_host='[fd00::1]:8006'))['port'] == 8006


def test_ca_path_is_not_needed_when_certificates_are_not_checked():
    assert pc.connection_settings(params(ca_path='/nonexistent/ca.pem', validate_certs=False))['verify_ssl'] is False


def test_m13_timeout_below_one_second_cannot_bound_anything():
    assert check_timeout(1, 'timeout') is None and check_timeout(None, 'timeout') is None
    assert check_timeout(0, 'timeout') == 'timeout is 0; give the number of seconds a request may take, 1 or more.'


def test_m13_deadline_bounds_a_block_that_keeps_making_progress():
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        with deadline(1):
            for _step in range(40):
                time.sleep(0.1)      # every step is quick, like a trickled answer; only the whole is slow
    assert time.monotonic() - started < 2


def test_m13_deadlines_do_not_nest_and_are_disarmed_after_the_block():
    with deadline(1):
        with deadline(5):
            time.sleep(0.1)
    time.sleep(1.2)      # an armed timer would fire here
