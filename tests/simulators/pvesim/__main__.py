"""python -m pvesim --scenario FILE --host 127.0.0.1 --port PORT --cert CRT --key KEY

Prints READY https://HOST:PORT once listening; stops cleanly on SIGTERM or SIGINT.
"""

import argparse
import asyncio
import ipaddress
import shutil
import signal
import sys
import tempfile

from . import make_certificate
from .server import PveSim


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog='pvesim', description='Simulated Proxmox VE cluster (HTTPS, loopback only).')
    parser.add_argument('--scenario', default='pve9-3node', help='scenario file or shipped name (default pve9-3node)')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0, help='0 picks a free port (printed in the READY line)')
    parser.add_argument('--cert', help='PEM certificate; a self-signed one is made if omitted')
    parser.add_argument('--key', help='PEM key for --cert')
    args = parser.parse_args(argv)
    if not (args.host == 'localhost' or ipaddress.ip_address(args.host).is_loopback):
        parser.error('--host must be a loopback address')
    if bool(args.cert) != bool(args.key):
        parser.error('--cert and --key go together')
    return args


async def serve(args):
    sim = PveSim(args.scenario, host=args.host, port=args.port)
    tmp = None
    certfile, keyfile = args.cert, args.key
    try:
        if not certfile:
            tmp = tempfile.mkdtemp(prefix='pvesim-')
            certfile, keyfile = make_certificate(tmp)
        await sim.start(certfile, keyfile)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print('READY {0}'.format(sim.url), flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def main(argv=None):
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
