# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by every clusterops.ha Proxmox VE module."""

    DOCUMENTATION = r'''
options:
  api_host:
    description:
      - Name or address of a Proxmox VE node to talk to (HTTPS API), without C(https://) or a path.
      - A port may be appended as C(host:port); if O(api_port) is set too, both must name the same port.
      - Falls back to E(PROXMOX_HOST).
    type: str
    required: true
  api_port:
    description:
      - API port (1-65535); PVE's default 8006 when unset.
      - Falls back to E(PROXMOX_PORT).
    type: int
  api_user:
    description:
      - User as C(user@realm).
      - With O(api_password) it defaults to C(root@pam). With a bare O(api_token_id) it is required, because the
        token belongs to a user; it is never assumed for tokens.
      - Falls back to E(PROXMOX_USER).
    type: str
  api_password:
    description:
      - Password of O(api_user) (ticket login). Prefer an API token.
      - Falls back to E(PROXMOX_PASSWORD).
    type: str
  api_token_id:
    description:
      - API token, either the bare token name (with O(api_user)) or the full C(user@realm!name).
      - Never the whole token with its secret (C(user@realm!name=secret)); that is refused with a hint and hidden
        from the output.
      - Falls back to E(PROXMOX_TOKEN_ID).
    type: str
  api_token_secret:
    description:
      - Secret (UUID) of O(api_token_id).
      - A secret with whitespace or a control character (the newline C(echo) adds) is refused before any request,
        without showing it.
      - Falls back to E(PROXMOX_TOKEN_SECRET).
    type: str
  validate_certs:
    description:
      - Verify the API's TLS certificate. Keep it on; use O(ca_path) for a private CA or a self-signed node certificate.
      - Falls back to E(PROXMOX_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or the node certificate) to trust when O(validate_certs=true). A path that is not a
        file is refused before any request.
      - Falls back to E(PROXMOX_CA_PATH).
    type: path
  api_timeout:
    description:
      - Seconds one API request may take as a whole (connecting, sending and the complete answer), 1 or more.
        PVE itself waits up to 10 s for the HA lock, so keep it above that.
      - Falls back to E(PROXMOX_API_TIMEOUT).
    type: int
    default: 30
notes:
  - Transient failures (C(cfs-lock 'domain-ha') timeouts, C(no quorum), HTTP 502/503/504, connection errors) are
    retried at most 4 times after waiting 0.5, 1, 2 and 4 seconds (7.5 s in total). An HTTP 4xx is never retried;
    an expired login ticket leads to one new login. A write whose answer is lost (read timeout, connection reset) is
    not resent blindly, because PVE may have applied it - the module reads the configuration again and sends only
    what is still missing, once. If that read fails too, the task fails with C(changed=true) and the write in
    C(unconfirmed), because its outcome is unknown.
  - Connection options that can never work (O(api_timeout) below 1, a missing O(ca_path), a port out of range, a
    URL in O(api_host)) fail at once, naming the option, and are not retried.
  - A failure returns C(msg) and C(error) (C(kind) plus C(status), C(method), C(path), C(attempts)); C(error.kind)
    is C(input) or C(config) for bad options. C(applied) lists the writes PVE confirmed.
requirements:
  - proxmoxer >= 2.3
  - requests
'''

    ACTIONGROUP_PROXMOX = r'''
attributes:
  action_group:
    description: Use C(group/clusterops.ha.proxmox) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - clusterops.ha.proxmox
'''
