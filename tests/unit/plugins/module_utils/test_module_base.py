# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the one module contract (_module_base.HaModule) and its two connection subclasses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 has no testing helper: the classic way, by hand.
    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode('utf-8')
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaError, HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._module_base import HaModule
from ansible_collections.clusterops.ha.plugins.module_utils._pve_client import PveApiError, PveModule
from ansible_collections.clusterops.ha.plugins.module_utils._vsphere_client import VSphereModule, VSphereTaskError


class OtherInputError(Exception):
    pass


def finish(module, work, capsys, check=None):
    """Run the module's work function and return (exit code, result JSON)."""
    with patch_module_args(module.test_args), pytest.raises(SystemExit) as ended:
        module.run(work, check=check)
    return ended.value.code, json.loads(capsys.readouterr().out)


def make(cls, args, **kwargs):
    with patch_module_args(args):
        module = cls(dict(name=dict(type='str')), **kwargs)
    module.test_args = args
    return module


PVE_ARGS = dict(api_host='pve.example', api_token_id='root@pam!ci', api_token_secret='s3cret')
VS_ARGS = dict(hostname='vc.example', username='u', password='vc-pass-word')


def test_result_is_exactly_what_the_work_returns_plus_warnings(capsys, monkeypatch):
    module = make(HaModule, {}, connection_spec={})
    shown = []
    monkeypatch.setattr(module.module, 'warn', shown.append)

    def work(m):
        m.warn('first')
        m.warn('first')
        return dict(changed=False, value=1, warnings=['second'])
    code, result = finish(module, work, capsys)
    assert code == 0
    assert result['value'] == 1 and result['changed'] is False
    assert module.warnings == ['first', 'second'] and shown == ['first', 'second']
    assert 'warnings' not in result or len(result['warnings']) == 2


@pytest.mark.parametrize('cls,args', [(PveModule, PVE_ARGS), (VSphereModule, VS_ARGS)])
def test_input_errors_fail_in_one_shape_on_both_platforms(cls, args, capsys, monkeypatch):
    module = make(cls, args, input_errors=(OtherInputError,))
    monkeypatch.setattr(module, '_open', lambda: None)
    monkeypatch.setattr(module, '_close', lambda: None)
    for error in (HaInputError('name is bad; fix it.'), OtherInputError('name is bad; fix it.')):
        def work(*_args, error=error):
            raise error
        code, result = finish(module, work, capsys)
        assert code == 1 and result['failed'] is True
        assert result['msg'] == 'name is bad; fix it.'
        assert result['error'] == {'kind': 'input'}


@pytest.mark.parametrize('cls,args', [(PveModule, PVE_ARGS), (VSphereModule, VS_ARGS)])
def test_input_check_runs_before_connecting(cls, args, capsys, monkeypatch):
    module = make(cls, args)
    opened = []
    monkeypatch.setattr(module, '_open', lambda: opened.append(True))
    monkeypatch.setattr(module, '_close', lambda: None)

    def check(_m):
        raise HaInputError('name is bad; fix it.')
    code, result = finish(module, lambda *a: {}, capsys, check=check)
    assert code == 1 and result['error'] == {'kind': 'input'} and opened == []


def test_typed_errors_carry_their_kind_and_details_on_pve(capsys):
    module = make(PveModule, PVE_ARGS)

    def work(_m):
        raise PveApiError('PUT /x failed: locked', kind='lock', status=500, method='PUT', path='x', attempts=5)
    code, result = finish(module, work, capsys)
    assert code == 1
    assert result['error'] == dict(kind='lock', status=500, method='PUT', path='x', attempts=5)
    assert result['applied'] == [] and result['changed'] is False


def test_typed_errors_carry_their_kind_and_details_on_vsphere(capsys, monkeypatch):
    module = make(VSphereModule, VS_ARGS)
    monkeypatch.setattr(module.client, 'login', lambda: None)
    monkeypatch.setattr(module.client, 'logout', lambda: None)

    def work(_client):
        raise VSphereTaskError('vCenter task task-1 failed: bad.', invalid_keys=['k'], task='task-1')
    code, result = finish(module, work, capsys)
    assert code == 1
    assert result['error'] == dict(kind='task', invalid_keys=['k'], task='task-1')
    # The fields of earlier releases stay next to it.
    assert result['error_kind'] == 'task' and result['task'] == 'task-1' and result['invalid_keys'] == ['k']


def test_a_generic_ha_error_is_one_failure(capsys):
    module = make(HaModule, {}, connection_spec={})

    def work(_m):
        raise HaError('it broke; retry.', kind='conflict', field='x')
    code, result = finish(module, work, capsys)
    assert code == 1 and result['msg'] == 'it broke; retry.' and result['error'] == dict(kind='conflict', field='x')
