"""The simulated Proxmox VE cluster (see docs/development.md, "Proxmox VE simulator").

    with pvesim.running('pve9-3node') as sim:
        sim.url, sim.cafile, sim.control_url, sim.sim  # sim.sim is the PveSim for direct inspection
"""

import asyncio
import contextlib
import shutil
import tempfile
import threading

from .scenario import read_scenario, scenario_path
from .server import PveSim

__all__ = ['PveSim', 'Running', 'running', 'read_scenario', 'scenario_path', 'make_certificate']

START_TIMEOUT = 30


def make_certificate(directory):
    """A self-signed certificate for 127.0.0.1 and localhost: (certfile, keyfile); the certfile is its own CA."""
    from fakepve.certs import make_cert
    made = make_cert(directory, name='pvesim', hosts=('127.0.0.1', 'localhost'))
    return made[0], made[1]


class Running(object):
    """A PveSim served on its own event loop in a thread; stop() ends the loop and joins the thread."""

    def __init__(self, sim, certfile, keyfile):
        self.sim = sim
        self.cafile = certfile
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name='pvesim', daemon=True)
        self.thread.start()
        try:
            self._call(sim.start(certfile, keyfile))
        except BaseException:
            self._halt()
            raise

    @property
    def host(self):
        return self.sim.host

    @property
    def port(self):
        return self.sim.port

    @property
    def url(self):
        return 'https://{0}:{1}'.format(self.host, self.port)

    @property
    def control_url(self):
        return self.url + '/_sim'

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(START_TIMEOUT)

    def _halt(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(START_TIMEOUT)
        if not self.thread.is_alive():
            self.loop.close()

    def stop(self):
        try:
            self._call(self.sim.stop())
        finally:
            self._halt()


@contextlib.contextmanager
def running(scenario='pve9-3node', host='127.0.0.1', port=0, certfile=None, keyfile=None):
    """Serve the scenario (a shipped name, a path or a dict) on host:port (0: a free port) until the block ends."""
    tmp = None
    if not certfile:
        tmp = tempfile.mkdtemp(prefix='pvesim-')
        certfile, keyfile = make_certificate(tmp)
    try:
        serving = Running(PveSim(scenario, host=host, port=port), certfile, keyfile)
        try:
            yield serving
        finally:
            serving.stop()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
