# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Connection options shared by every clusterops.ha vSphere module."""

    DOCUMENTATION = r'''
options:
  hostname:
    description:
      - Name or address of the vCenter Server.
      - Falls back to E(VMWARE_HOST) (set by the AWX/AAP "VMware vCenter" credential).
    type: str
    required: true
  username:
    description:
      - vCenter user, for example C(administrator@vsphere.local).
      - Falls back to E(VMWARE_USER).
    type: str
    required: true
    aliases: [user]
  password:
    description:
      - Password of O(username).
      - A password with a control character (the newline C(echo) adds) or leading/trailing whitespace is refused
        before connecting, without showing it.
      - Falls back to E(VMWARE_PASSWORD).
    type: str
    required: true
    aliases: [pass, pwd]
  port:
    description:
      - HTTPS port of vCenter.
      - Falls back to E(VMWARE_PORT).
    type: int
    default: 443
  validate_certs:
    description:
      - Verify vCenter's TLS certificate. Keep it on; use O(ca_path) for a private CA.
      - Falls back to E(VMWARE_VALIDATE_CERTS). The AWX/AAP credential sets that variable to the string C(False)
        unless the administrator changed the AWX setting, so certificates are not checked there by default.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA (or vCenter's own certificate) to trust when O(validate_certs=true). A path that is not a
        file is refused before connecting.
      - Falls back to E(VMWARE_CA_PATH).
    type: path
  proxy_host:
    description:
      - HTTP proxy to reach vCenter through (HTTP CONNECT).
      - Falls back to E(VMWARE_PROXY_HOST).
    type: str
  proxy_port:
    description:
      - Port of O(proxy_host) (80 when unset).
      - Falls back to E(VMWARE_PROXY_PORT).
    type: int
  timeout:
    description:
      - Seconds one vCenter request may take as a whole (connecting, sending and the complete answer), 1 or more.
      - Reconfigure tasks are polled for up to 600 s; each poll is one request.
    type: int
    default: 60
notes:
  - The session is logged out at the end of every run. An expired session leads to one new login.
  - A failure returns C(msg), C(error) (C(kind) and details) and, as before, C(error_kind). If a reconfigure was
    sent but its answer or its task's end was lost, the task fails with C(changed=true), C(error.kind=unconfirmed)
    and the task in C(unconfirmed); check it in vCenter before re-running.
  - All reads use the PropertyCollector (one C(RetrieveContents) call over a container view), so the number of SOAP
    calls does not grow with the number of hosts or VMs.
requirements:
  - pyVmomi >= 8.0
'''

    ACTIONGROUP_VSPHERE = r'''
attributes:
  action_group:
    description: Use C(group/clusterops.ha.vsphere) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - clusterops.ha.vsphere
'''
