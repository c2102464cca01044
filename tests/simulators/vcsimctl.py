"""Start and control clusterops-vcsim, the project's simulated vCenter.

In Python (pytest, simctl)::

    with vcsimctl.running("vsphere-3host") as sim:
        si = SmartConnect(host=sim.host, port=sim.port, user=sim.username,
                          pwd=sim.password, disableSslCertValidation=True)
        sim.calls()          # {"total": N, "by_method": {...}}
        sim.fault("fail_reconfigure", count=1)

From a shell::

    python tests/simulators/vcsimctl.py build
    python tests/simulators/vcsimctl.py serve vsphere-3host --port 18989 --cert ca.pem --key key.pem
    python tests/simulators/vcsimctl.py command vsphere-3host --port 18989   # print the argv as JSON

The binary is built by tests/simulators/vcsim/build.sh into tests/output/bin/.
"""

import argparse
import contextlib
import json
import os
import select
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BINARY = os.path.join(REPO, "tests", "output", "bin", "clusterops-vcsim")
BUILD_SCRIPT = os.path.join(HERE, "vcsim", "build.sh")
SCENARIO_DIR = os.path.join(HERE, "scenarios")

FAULT_KINDS = ("fail_reconfigure", "expire_sessions", "latency", "http500")


class VcsimError(RuntimeError):
    """The simulator could not be built, started or controlled."""


def build():
    """Build the binary if its sources changed (fast no-op otherwise); return its path."""
    proc = subprocess.run([BUILD_SCRIPT], cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise VcsimError("vcsim build failed: %s" % (proc.stderr.strip() or proc.stdout.strip()))
    return BINARY


def scenario_path(scenario):
    """Accept a scenario name (vsphere-3host) or a path to a JSON file."""
    if os.path.isfile(scenario):
        return os.path.abspath(scenario)
    path = os.path.join(SCENARIO_DIR, scenario if scenario.endswith(".json") else scenario + ".json")
    if not os.path.isfile(path):
        raise VcsimError("unknown vSphere scenario %r: no file %s" % (scenario, path))
    return path


def load_scenario(scenario):
    with open(scenario_path(scenario), encoding="utf-8") as handle:
        return json.load(handle)


def command(scenario, port=0, cert=None, key=None, host="127.0.0.1"):
    """The argv that starts the simulator (for callers that manage the process themselves)."""
    argv = [BINARY, "-listen", "%s:%d" % (host, port), "-scenario", scenario_path(scenario)]
    if cert or key:
        if not (cert and key):
            raise VcsimError("cert and key must be given together")
        argv += ["-tlscert", cert, "-tlskey", key]
    return argv


class Vcsim:
    """A running simulator: connection facts plus the /_sim control API."""

    def __init__(self, url, scenario, cafile=None, process=None, startup_seconds=None):
        self.url = url  # https://127.0.0.1:PORT/sdk
        hostport = url.split("://", 1)[1].split("/", 1)[0]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        data = load_scenario(scenario)
        creds = data.get("credentials") or {}
        self.username = creds.get("username", "user")
        self.password = creds.get("password", "pass")
        self.scenario = data.get("name", scenario)
        self.control_url = "https://%s:%d/_sim" % (self.host, self.port)
        self.cafile = cafile
        self.process = process
        self.startup_seconds = startup_seconds

    def _context(self):
        if self.cafile:
            return ssl.create_default_context(cafile=self.cafile)
        return ssl._create_unverified_context()  # pylint: disable=protected-access  # ephemeral self-signed cert

    def control(self, method, path, body=None, timeout=60):
        """Call /_sim/<path>; return the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.control_url + "/" + path.lstrip("/"), data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, context=self._context(), timeout=timeout) as resp:
                return json.loads(resp.read().decode() or "null")
        except urllib.error.HTTPError as err:
            raise VcsimError("%s /_sim/%s failed: %s %s" % (method, path, err.code, err.read().decode(errors="replace"))) from err

    def calls(self):
        return self.control("GET", "calls")

    def reset_calls(self):
        return self.control("DELETE", "calls")

    def fault(self, kind, count=1, seconds=None, method=None, message=None):
        """Inject a fault: fail_reconfigure, expire_sessions, latency (seconds), http500. count -1 = until cleared."""
        if kind not in FAULT_KINDS:
            raise VcsimError("fault kind must be one of %s" % ", ".join(FAULT_KINDS))
        body = {"kind": kind, "count": count}
        for name, value in (("seconds", seconds), ("method", method), ("message", message)):
            if value is not None:
                body[name] = value
        return self.control("POST", "faults", body)

    def clear_faults(self):
        return self.control("DELETE", "faults")

    def reset(self):
        """Rebuild the scenario's initial state (sessions, faults and the call counter are cleared too)."""
        return self.control("POST", "reset")

    def state(self):
        return self.control("GET", "state")


def _wait_ready(proc, timeout):
    deadline = time.monotonic() + timeout
    buf = b""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None
        readable = select.select([proc.stdout], [], [], 0.2)[0]
        if not readable:
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            return None
        buf += chunk
        for line in buf.decode(errors="replace").splitlines():
            if line.startswith("READY "):
                return line.split(None, 1)[1].strip()
    return None


def _stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def running(scenario, port=0, cert=None, key=None, timeout=60, cafile=None):
    """Start the simulator on 127.0.0.1 (port 0 = a free port), yield a Vcsim, stop it on exit.

    cafile defaults to cert (the project's shared certificate is self-signed).
    """
    if not os.access(BINARY, os.X_OK):
        build()
    argv = command(scenario, port=port, cert=cert, key=key)
    with tempfile.TemporaryFile() as log:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log)  # pylint: disable=consider-using-with
        try:
            url = _wait_ready(proc, timeout)
            if url is None:
                _stop(proc)
                log.seek(0)
                raise VcsimError("clusterops-vcsim exited (code %s) or was not ready within %ss: %s"
                                 % (proc.returncode, timeout, log.read().decode(errors="replace")[-2000:]))
            yield Vcsim(url, scenario, cafile=cafile or cert, process=proc,
                        startup_seconds=time.monotonic() - started)
        finally:
            _stop(proc)
            proc.stdout.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="build the simulator binary if needed")
    for name in ("serve", "command"):
        p = sub.add_parser(name, help="run the simulator in the foreground" if name == "serve" else "print the argv as JSON")
        p.add_argument("scenario")
        p.add_argument("--port", type=int, default=0)
        p.add_argument("--cert")
        p.add_argument("--key")
    args = parser.parse_args(argv)
    if args.cmd == "build":
        print(build())
        return 0
    if args.cmd == "command":
        print(json.dumps(command(args.scenario, args.port, args.cert, args.key)))
        return 0
    if not os.access(BINARY, os.X_OK):
        build()
    proc = subprocess.Popen(command(args.scenario, args.port, args.cert, args.key))  # pylint: disable=consider-using-with

    def on_sigterm(signum, frame):  # pylint: disable=unused-argument
        proc.terminate()  # the wait below then returns; waiting here would contend for the same child

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        _stop(proc)
        return 130


if __name__ == "__main__":
    sys.exit(main())
