"""Red-team findings of issue 16 on connections (H1, M12, L2, L3, L4, L5, M13, L1), each tried the way a careless or
hostile user would, through real ansible-playbook runs against the simulators.

Each test failed on the code before its fix: the finding is named in the test's name.
"""

import json
import socket
import threading
import time

import pytest

import harness
from harness import task, play
from test_secrets import assert_no_secret, secrets_file

TRAILING_NEWLINE_SECRET = '9d3e1b7a-2c4f-4a6e-8b0d-redteam5ecret'
VC_NEWLINE_PASSWORD = 'Vc-Newline-R3dteam-5ecret'


def pve_conn(pve, **extra):
    conn = dict(api_host='127.0.0.1', api_port=pve.port, api_token_id=pve.token_id, api_token_secret=pve.token_secret,
                ca_path=pve.cafile)
    conn.update(extra)
    return conn


def refused(result, *words):
    """A clean failure naming the words, with no traceback."""
    assert result.get('failed'), 'expected a failure, got %s' % {k: result.get(k) for k in ('changed', 'msg')}
    assert harness.no_traceback(result), result
    for word in words:
        assert word in result['msg'], 'message %r does not mention %r' % (result['msg'], word)
    return result['msg']


# ---------------------------------------------------------------- H1 and M12: secrets that leak through encodings

def test_h1_pve_token_secret_ending_in_a_newline_is_refused_without_showing_it(start_pve, ansible, evidence, tmp_path):
    """What `echo secret | ansible-vault encrypt_string` or a pasted AWX credential hands over."""
    evidence.case(2)
    pve = start_pve('pve9-3node')
    extra = secrets_file(tmp_path, token_secret=TRAILING_NEWLINE_SECRET + '\n', password=TRAILING_NEWLINE_SECRET + '\r\n')
    tasks = [
        task('token', 'proxmox_cluster_ha', dict(pve_conn(pve, api_token_secret='{{ token_secret }}'), shutdown_policy='migrate'),
             ignore_errors=True),
        task('password', 'proxmox_ha_resources',
             dict(pve_conn(pve, api_token_id=None, api_token_secret=None, api_user='root@pam', api_password='{{ password }}'),
                  state='gathered'),
             ignore_errors=True),
    ]
    for verbosity in (0, 3):
        run = ansible.play(play(tasks), verbosity=verbosity, extra_args=extra)
        refused(run.result('token'), 'api_token_secret')
        refused(run.result('password'), 'api_password')
        assert_no_secret('output at -%s' % ('v' * verbosity or 'default'), run.text, [TRAILING_NEWLINE_SECRET])
        assert_no_secret('task results', json.dumps(run.tasks), [TRAILING_NEWLINE_SECRET])
    assert pve.writes() == []


def test_h1_vsphere_password_with_a_control_character_is_refused_without_showing_it(vc, ansible, evidence, tmp_path):
    evidence.case()
    extra = secrets_file(tmp_path, vc_password=VC_NEWLINE_PASSWORD + '\n')
    logins = vc.calls().get('by_method', {}).get('Login', 0)
    run = ansible.play(play([task('info', 'vsphere_cluster_ha_info', dict(vc.auth(password='{{ vc_password }}'),
                                                                          datacenter='DC1', cluster='Cluster1'),
                                  ignore_errors=True)]), verbosity=3, extra_args=extra)
    assert refused(run.result('info'), 'password').startswith('password contains a control character')
    assert_no_secret('output', run.text + json.dumps(run.tasks), [VC_NEWLINE_PASSWORD])
    assert vc.calls().get('by_method', {}).get('Login', 0) == logins, 'a malformed password was sent to vCenter'


def test_m12_whole_token_pasted_into_api_token_id_is_refused_with_a_hint_and_never_shown(pve, ansible, evidence, tmp_path):
    evidence.case(2)
    secret = pve.token_secret
    extra = secrets_file(tmp_path, token_id='%s=%s' % (pve.token_id, secret), header_form='PVEAPIToken=%s=%s' % (pve.token_id, secret))
    pve.clear_log()
    tasks = [task('pasted-%s' % name, 'proxmox_ha_resources',
                  dict(pve_conn(pve, api_token_id='{{ %s }}' % name, api_token_secret=None), state='gathered'), ignore_errors=True)
             for name in ('token_id', 'header_form')]
    run = ansible.play(play(tasks), verbosity=3, extra_args=extra)
    for name in ('token_id', 'header_form'):
        msg = refused(run.result('pasted-' + name), 'api_token_id', 'api_token_secret')
        assert '=' in msg
    assert 'invocation' in run.text or 'module_args' in run.text, 'expected -vvv output with the module arguments'
    assert_no_secret('-vvv output and results (invocation)', run.text + json.dumps(run.tasks), [secret])
    assert pve.log()['requests'] == [], 'a request was sent with a pasted token'
    # The same paste with the secret given too (what most users have): the same refusal.
    both = ansible.play(play([task('pasted-both', 'proxmox_ha_resources', dict(pve_conn(pve, api_token_id='{{ token_id }}'),
                                                                               state='gathered'), ignore_errors=True)]),
                        verbosity=3, extra_args=extra)
    refused(both.result('pasted-both'), 'api_token_id', 'api_token_secret')
    assert_no_secret('-vvv output and results', both.text + json.dumps(both.tasks), [secret])


# ---------------------------------------------------------------- L2, L3, L5, L4: options that can never work

def test_l2_l3_l5_pve_connection_options_that_can_never_work_fail_at_once_naming_the_option(pve, ansible, evidence):
    cases = [
        ('timeout-negative', dict(api_timeout=-1), ['api_timeout']),
        ('timeout-zero', dict(api_timeout=0), ['api_timeout']),
        ('ca-missing', dict(ca_path='/nonexistent/ca.pem'), ['ca_path']),
        ('port-out-of-range', dict(api_port=70000), ['api_port']),
        ('host-is-url', dict(api_host='https://127.0.0.1:%d' % pve.port, api_port=None), ['api_host', 'api_port']),
        ('host-port-conflict', dict(api_host='127.0.0.1:%d' % (pve.port + 1)), ['api_host', 'api_port']),
    ]
    evidence.case(len(cases))
    tasks = [task(name, 'proxmox_ha_resources', dict(pve_conn(pve, **args), state='gathered'), ignore_errors=True)
             for name, args, _words in cases]
    started = time.monotonic()
    run = ansible.play(play(tasks))
    elapsed = time.monotonic() - started
    for name, _args, words in cases:
        result = run.result(name)
        refused(result, *words)
        assert 'gave up' not in result['msg'], '%s was retried: %s' % (name, result['msg'])
    # Six refusals before any request: no retry backoff (7.5 s each) may be in there.
    assert elapsed < 6 * 7.5, elapsed
    assert pve.log()['requests'] == [], 'a request was sent with options that cannot work'


def test_l4_vsphere_missing_ca_path_and_bad_timeout_are_named(vc, ansible, evidence):
    cases = [('ca-missing', dict(ca_path='/nonexistent/ca.pem'), 'ca_path'), ('timeout-negative', dict(timeout=-1), 'timeout'),
             ('timeout-zero', dict(timeout=0), 'timeout')]
    evidence.case(len(cases))
    tasks = [task(name, 'vsphere_cluster_ha_info', dict(vc.auth(**args), datacenter='DC1', cluster='Cluster1'), ignore_errors=True)
             for name, args, _word in cases]
    run = ansible.play(play(tasks))
    for name, _args, word in cases:
        msg = refused(run.result(name), word)
        assert msg.startswith(word), msg
        assert 'check hostname' not in msg, msg


# ---------------------------------------------------------------- M13: whole answers are bounded

class TrickleProxy:
    """A TCP proxy that relays the server's bytes a few at a time: every read succeeds quickly, the whole is slow."""

    def __init__(self, port, chunk=20, delay=0.5):
        self.target = ('127.0.0.1', port)
        self.chunk = chunk
        self.delay = delay
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.closing = False
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closing:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets.extend([client, upstream])
            threading.Thread(target=self._pipe, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, True), daemon=True).start()

    def _pipe(self, source, sink, slow):
        try:
            while not self.closing:
                data = source.recv(4096)
                if not data:
                    break
                if not slow:
                    sink.sendall(data)
                    continue
                for start in range(0, len(data), self.chunk):
                    if self.closing:
                        return
                    sink.sendall(data[start:start + self.chunk])
                    time.sleep(self.delay)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closing = True
        for sock in [self.listener] + self.sockets:
            try:
                sock.close()
            except OSError:
                pass


@pytest.fixture
def trickle():
    proxies = []

    def make(port):
        proxies.append(TrickleProxy(port))
        return proxies[-1]
    yield make
    for proxy in proxies:
        proxy.close()


def start_up_seconds(ansible, refused_task):
    """Wall time of the same task failing on a local check: Ansible's and the module's start-up on this
    machine now, so that the bounds below hold on a loaded machine too."""
    started = time.monotonic()
    run = ansible.play(play([refused_task]))
    assert run.result(refused_task['name'])['failed'], 'the floor task must fail before connecting'
    return time.monotonic() - started


def test_m13_pve_api_timeout_bounds_a_trickled_answer(pve, ansible, evidence, trickle):
    """api_timeout: 3 against 40 bytes/s: each attempt ends at 3 s, so the task ends within the retry bound."""
    evidence.case()
    evidence.fault('trickle')
    proxy = trickle(pve.port)
    floor = start_up_seconds(ansible, task('gathered', 'proxmox_ha_resources', dict(
        pve_conn(pve, api_port=proxy.port, api_timeout=-1), state='gathered'), ignore_errors=True))
    started = time.monotonic()
    run = ansible.play(play([task('gathered', 'proxmox_ha_resources', dict(pve_conn(pve, api_port=proxy.port, api_timeout=3),
                                                                           state='gathered'), ignore_errors=True)]))
    elapsed = time.monotonic() - started
    msg = refused(run.result('gathered'), '3 s')
    # 5 attempts of at most 3 s plus 7.5 s of backoff, beyond what the same task takes to fail locally.
    assert elapsed - floor < 5 * 3 + 7.5 + 10, 'took %.0f s (%.0f s to fail locally): %s' % (elapsed, floor, msg)


def test_m13_vsphere_timeout_bounds_a_trickled_answer(vc, ansible, evidence, trickle):
    evidence.case()
    evidence.fault('trickle')
    proxy = trickle(vc.port)
    floor = start_up_seconds(ansible, task('info', 'vsphere_cluster_ha_info', dict(
        vc.auth(port=proxy.port, timeout=-1), datacenter='DC1', cluster='Cluster1'), ignore_errors=True))
    started = time.monotonic()
    run = ansible.play(play([task('info', 'vsphere_cluster_ha_info', dict(vc.auth(port=proxy.port, timeout=3), datacenter='DC1',
                                                                          cluster='Cluster1'), ignore_errors=True)]))
    elapsed = time.monotonic() - started
    refused(run.result('info'), 'timeout')
    # Before the fix the trickled answer took 46 s; now one bound of 3 s beyond the local failure.
    assert elapsed - floor < 3 + 10, 'took %.0f s (%.0f s to fail locally)' % (elapsed, floor)


# ---------------------------------------------------------------- L1: the reconfigure's answer is lost

def test_l1_vsphere_reconfigure_without_answer_reports_an_unknown_outcome_not_unchanged(vc, ansible, evidence):
    evidence.case()
    evidence.fault('latency')
    vc.sim.fault('latency', count=1, seconds=5, method='ReconfigureComputeResource_Task')
    change = task('change', 'vsphere_cluster_ha', dict(vc.auth(timeout=2), datacenter='DC1', cluster='Cluster1',
                                                       restart_priority='low'), ignore_errors=True)
    run = ansible.play(play([change]))
    result = run.result('change')
    msg = refused(result, 'outcome is unknown')
    assert result['changed'] is True and result['unconfirmed'], result
    assert result['error']['kind'] == 'unconfirmed', result
    time.sleep(4)          # let the simulator finish (or drop) the held request
    # Whichever way it ended, a re-run converges and one more run changes nothing.
    again = ansible.play(play([dict(change, ignore_errors=False)]))
    assert again.rc == 0, (msg, again.text[-2000:])
    third = ansible.play(play([dict(change, ignore_errors=False)]))
    assert third.rc == 0 and not third.result('change')['changed'], third.text[-2000:]
