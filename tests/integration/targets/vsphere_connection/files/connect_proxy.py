#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A minimal HTTP CONNECT proxy on 127.0.0.1 for the proxy_host/proxy_port test.

Usage: connect_proxy.py PORTFILE LOGFILE [SECONDS]. Writes the port it listens on to
PORTFILE, one line per tunnel ("CONNECT host:port") to LOGFILE, and exits by itself after
SECONDS (default 60) or once it has been idle for IDLE_SECONDS after its first tunnel, so
a test never leaves it running.
"""

import select
import socket
import sys
import threading
import time

IDLE_SECONDS = 3.0


def pipe(client, upstream, deadline):
    sockets = [client, upstream]
    while time.monotonic() < deadline:
        readable = select.select(sockets, [], [], 0.5)[0]
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (upstream if sock is client else client).sendall(data)


def tunnel(client, log_path, deadline):
    with client:
        request = b''
        while b'\r\n\r\n' not in request and len(request) < 65536:
            chunk = client.recv(4096)
            if not chunk:
                return
            request += chunk
        line = request.split(b'\r\n', 1)[0].decode('latin-1')
        method, target = line.split(' ')[:2]
        if method != 'CONNECT':
            client.sendall(b'HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n')
            return
        host, port = target.rsplit(':', 1)
        with socket.create_connection((host, int(port)), timeout=10) as upstream:
            client.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
            with open(log_path, 'a', encoding='utf-8') as log:
                log.write('CONNECT %s\n' % target)
            pipe(client, upstream, deadline)


def main():
    port_file, log_path = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    deadline = time.monotonic() + seconds
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', 0))
    server.listen(16)
    server.settimeout(0.5)
    with open(port_file, 'w', encoding='utf-8') as port_out:
        port_out.write(str(server.getsockname()[1]))
    last_activity = None
    while time.monotonic() < deadline:
        if last_activity is not None and time.monotonic() - last_activity > IDLE_SECONDS and threading.active_count() == 1:
            break
        try:
            client, dummy = server.accept()
        except socket.timeout:
            continue
        last_activity = time.monotonic()
        threading.Thread(target=tunnel, args=(client, log_path, deadline), daemon=True).start()
    server.close()


if __name__ == '__main__':
    main()
