"""QDevice status: GET /cluster/config/qdevice, set with POST /_sim/qdevice.

Upstream: pve-cluster, src/PVE/API2/ClusterConfig.pm, method GET `qdevice` ("Get QDevice status").
It answers {} when the corosync-qdevice socket does not exist (no QDevice configured); otherwise it
sends `status verbose` to the socket and returns the top-level "Key: value" lines whose key is one of
Algorithm, Echo reply, Last poll call, Model, QNetd host, State, Tie-breaker. The simulator keeps that
mapping as set through the control API, per loaded scenario (a scenario reset clears it).

    POST /_sim/qdevice {"Algorithm": "Fifty-Fifty split", "State": "Connected", "Model": "Net"}
    POST /_sim/qdevice {}        # no QDevice
"""

import json

from aiohttp import web

QDEVICE_KEYS = ('Algorithm', 'Echo reply', 'Last poll call', 'Model', 'QNetd host', 'State', 'Tie-breaker')


def _state(server):
    """The QDevice mapping of the loaded scenario ({} after every scenario load)."""
    holder = server.__dict__.setdefault('_qdevice', {'scenario': None, 'status': {}})
    if holder['scenario'] is not server.scenario:
        holder.update(scenario=server.scenario, status={})
    return holder


def routes(server):
    """API routes (method, template, handler) for the server's route table."""
    return [('GET', '/cluster/config/qdevice', lambda values, user: dict(_state(server)['status']))]


def register_control(router, server):
    """POST /_sim/qdevice: replace the QDevice status (only the keys PVE returns)."""
    async def set_qdevice(request):
        body = await server._ctl_body(request)
        unknown = sorted(set(body) - set(QDEVICE_KEYS))
        if unknown:
            raise web.HTTPBadRequest(text='unknown QDevice keys {0}; use {1}'.format(unknown, list(QDEVICE_KEYS)))
        _state(server)['status'] = dict((key, str(value)) for key, value in body.items())
        return web.Response(text=json.dumps(_state(server)['status']), content_type='application/json')
    router.add_post('/_sim/qdevice', set_qdevice)
