# -*- coding: utf-8 -*-
# Copyright (c) clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one vSphere connection helper of clusterops.ha (private to the collection).

pyVmomi login with API-version negotiation (what ``SmartConnect`` does, without its
atexit hooks), certificate and proxy handling, PropertyCollector reads over a container
view, bounded task polling, and typed errors. An expired session is logged in again
once. ``VSphereModule`` is the shared module contract (_module_base.HaModule) plus this
connection: login before the work function and a guaranteed logout.

Every attribute read on a pyVmomi managed object is one SOAP round trip, so this code
never does that: all reads go through ``RetrieveContents`` (the PropertyCollector's
``RetrieveProperties``) and results are turned into plain data with ``to_plain``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import http.client
import socket
import ssl
import time
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.clusterops.ha.plugins.module_utils._connection_options import check_ca_path, check_port, check_timeout
from ansible_collections.clusterops.ha.plugins.module_utils._deadline import DeadlineExceeded, deadline
from ansible_collections.clusterops.ha.plugins.module_utils._errors import HaError, HaInputError
from ansible_collections.clusterops.ha.plugins.module_utils._module_base import HaModule
from ansible_collections.clusterops.ha.plugins.module_utils._secrets import check_secret, redact

try:
    from pyVim.connect import SmartStubAdapter
    from pyVmomi import vim, vmodl, VmomiSupport
    PYVMOMI_IMPORT_ERROR = None
except ImportError:
    PYVMOMI_IMPORT_ERROR = traceback.format_exc()

DEFAULT_TIMEOUT = 60
TASK_TIMEOUT = 600
# Poll delays for a running task: quick at first (simulators and small changes finish in
# well under a second), then once a second; the total wait is bounded by TASK_TIMEOUT.
TASK_POLL_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)
TASK_POLL_MAX_DELAY = 1.0
# Fields holding managed-object references in the das spec, and their managed type.
MOREF_FIELDS = {'heartbeatDatastore': 'Datastore', 'failoverHosts': 'HostSystem'}


def vsphere_argspec():
    """The connection options of every clusterops.ha vSphere module (AWX VMware credential names)."""
    return dict(
        hostname=dict(type='str', required=True, fallback=(env_fallback, ['VMWARE_HOST'])),
        username=dict(type='str', required=True, aliases=['user'], fallback=(env_fallback, ['VMWARE_USER'])),
        password=dict(type='str', required=True, aliases=['pass', 'pwd'], no_log=True, fallback=(env_fallback, ['VMWARE_PASSWORD'])),
        port=dict(type='int', default=443, fallback=(env_fallback, ['VMWARE_PORT'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['VMWARE_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['VMWARE_CA_PATH'])),
        proxy_host=dict(type='str', fallback=(env_fallback, ['VMWARE_PROXY_HOST'])),
        proxy_port=dict(type='int', fallback=(env_fallback, ['VMWARE_PROXY_PORT'])),
        timeout=dict(type='int', default=DEFAULT_TIMEOUT),
    )


# --------------------------------------------------------------------------- errors

class VSphereError(HaError):
    """Any failure talking to vCenter; ``message`` is one sentence for the user, ``extra`` its details."""


class VSphereConnectionError(VSphereError):
    kind = 'connection'


class VSphereLoginError(VSphereError):
    kind = 'login'


class VSphereNotFoundError(VSphereError):
    kind = 'not_found'


class VSphereTaskError(VSphereError):
    kind = 'task'


class VSphereTimeoutError(VSphereError):
    kind = 'timeout'


class VSphereUnconfirmedError(VSphereError):
    """A change was sent (or its task started) but the connection failed before its outcome was known."""

    kind = 'unconfirmed'


def check_connection_options(params):
    """Refuse a timeout, ca_path or password that can never work, before connecting (pure; HaInputError)."""
    problem = (check_timeout(params.get('timeout'), 'timeout') or check_port(params.get('port'), 'port', 443)
               or check_ca_path(params.get('ca_path'), params.get('validate_certs', True), 'vCenter'))
    if problem:
        raise HaInputError(problem)
    check_secret(params.get('password'), 'password')


# --------------------------------------------------------------------------- plain data

def to_plain(value):
    """pyVmomi data -> plain Python: data objects become dicts with ``_type`` (WSDL name),
    managed objects their MoID, enums and pyVmomi scalar subclasses plain str/int/float."""
    if value is None:
        return None
    if isinstance(value, VmomiSupport.ManagedObject):
        return value._moId
    if isinstance(value, VmomiSupport.DataObject):
        result = {'_type': value._wsdlName}
        for prop in value._GetPropertyList():
            item = to_plain(getattr(value, prop.name))
            if item is None or item == []:
                continue
            result[prop.name] = item
        return result
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    if isinstance(value, type):
        return value.__name__
    return str(value)


def from_plain(value, stub=None, field=None):
    """The reverse of ``to_plain`` for specs: dicts with ``_type`` become pyVmomi data objects."""
    if isinstance(value, list):
        return [from_plain(item, stub, field) for item in value]
    if isinstance(value, dict):
        data_type = VmomiSupport.GetWsdlType('urn:vim25', value['_type'])
        obj = data_type()
        for name, item in value.items():
            if name != '_type':
                setattr(obj, name, from_plain(item, stub, name))
        return obj
    if field in MOREF_FIELDS and isinstance(value, str):
        return VmomiSupport.GetWsdlType('urn:vim25', MOREF_FIELDS[field])(value, stub)
    return value


def object_contents_to_dicts(contents):
    """RetrieveContents result -> {moid: {'_type': managed type, property path: plain value}}."""
    objects = {}
    for content in contents or []:
        entry = {'_type': content.obj._wsdlName, '_moid': content.obj._moId}
        for prop in content.propSet or []:
            entry[prop.name] = to_plain(prop.val)
        objects[content.obj._moId] = entry
    return objects


def task_failure(error):
    """A failed task's ``info.error`` as plain data -> (message, invalid keys or properties).

    pyVmomi hands the LocalizedMethodFault over as the fault itself (``msg`` holds the
    localized message); the wrapped form (``fault`` + ``localizedMessage``) is accepted too.
    """
    error = error or {}
    fault = error.get('fault') or error
    message = error.get('localizedMessage') or fault.get('msg') or fault.get('reason')
    invalid = []
    for fault_message in fault.get('faultMessage') or []:
        for arg in fault_message.get('arg') or []:
            if arg.get('value') not in (None, ''):
                invalid.append(str(arg['value']))
        message = message or fault_message.get('message')
    for field in ('invalidProperty', 'argument'):
        if fault.get(field):
            invalid.append(str(fault[field]))
    return message or fault.get('_type') or 'unknown fault', sorted(set(invalid))


def _ssl_context(validate_certs, ca_path):
    if validate_certs:
        return ssl.create_default_context(cafile=ca_path) if ca_path else ssl.create_default_context()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _reason(exc, secrets=()):
    text = redact(str(exc).strip() or type(exc).__name__, secrets)
    return text.rstrip('.')


# --------------------------------------------------------------------------- the client

class VSphereClient:
    """One vCenter session. Call ``login()`` first and ``logout()`` at the end."""

    def __init__(self, hostname, username, password, port=443, validate_certs=True, ca_path=None,
                 proxy_host=None, proxy_port=None, timeout=DEFAULT_TIMEOUT, **ignored):
        self.hostname = hostname
        self.username = username
        self._password = password
        self.port = port
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.proxy_host = proxy_host
        self.proxy_port = proxy_port
        self.timeout = timeout
        self.stub = None
        self.content = None
        self.relogins = 0

    # ---- session

    def _where(self):
        return '%s:%s' % (self.hostname, self.port)

    def _why(self, exc):
        """The reason of a failure in words, with every form of the password redacted."""
        return _reason(exc, [self._password])

    def _no_answer(self, exc):
        return VSphereConnectionError('vCenter %s sent no complete answer within timeout (%s s); check the network or a proxy '
                                      'between, or raise timeout.' % (self._where(), self.timeout))

    def login(self):
        if PYVMOMI_IMPORT_ERROR:
            raise VSphereError(missing_required_lib('pyVmomi'))
        try:
            with deadline(self.timeout):
                self._login()
        except DeadlineExceeded as exc:
            raise self._no_answer(exc)

    def _login(self):
        try:
            if self.stub is None:
                # Version negotiation by HTTP GET of /sdk/vimServiceVersions.xml (not a SOAP call).
                self.stub = SmartStubAdapter(
                    host=self.hostname, port=self.port, sslContext=_ssl_context(self.validate_certs, self.ca_path),
                    httpProxyHost=self.proxy_host, httpProxyPort=self.proxy_port or 80,
                    httpConnectionTimeout=self.timeout)
                self.content = vim.ServiceInstance('ServiceInstance', self.stub).RetrieveContent()
            self.content.sessionManager.Login(self.username, self._password, None)
        except vim.fault.InvalidLogin:
            raise VSphereLoginError('Login to vCenter %s as %s was refused; check username and password.' % (self._where(), self.username))
        except ssl.SSLCertVerificationError as exc:
            raise VSphereConnectionError('The certificate of vCenter %s could not be verified (%s); set ca_path to its CA bundle, '
                                         'or validate_certs false on a trusted lab network.' % (self._where(), self._why(exc)))
        except ssl.SSLError as exc:
            raise VSphereConnectionError('The TLS handshake with vCenter %s failed (%s); check hostname and port.' % (self._where(), self._why(exc)))
        except (OSError, http.client.HTTPException, socket.timeout) as exc:
            raise VSphereConnectionError('Cannot reach vCenter %s (%s); check hostname, port and proxy_host/proxy_port.'
                                         % (self._where(), self._why(exc)))
        except vmodl.MethodFault as exc:
            raise VSphereLoginError('Login to vCenter %s failed: %s.' % (self._where(), self._why(exc.msg or exc)))
        except DeadlineExceeded:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            # SmartStubAdapter raises a bare Exception when the server is not a vSphere endpoint.
            raise VSphereConnectionError('Cannot talk to vCenter %s (%s); check hostname and port.' % (self._where(), self._why(exc)))

    def logout(self):
        """End the session (this also frees the container views it created). Never raises."""
        if self.content is None:
            return
        try:
            self.content.sessionManager.Logout()
        except Exception:  # pylint: disable=broad-except
            pass  # the session may already be gone; nothing to clean up then
        finally:
            self.content = None
            self.stub = None

    def call(self, operation):
        """Run ``operation()``; if the session expired, log in again once and retry it.

        Every pyVmomi failure leaves as a VSphereError with one sentence.
        """
        try:
            with deadline(self.timeout):
                try:
                    return operation()
                except vim.fault.NotAuthenticated:
                    if self.relogins:
                        raise
                    self.relogins += 1
                    self.login()
                    return operation()
        except VSphereError:
            raise
        except DeadlineExceeded as exc:
            raise self._no_answer(exc)
        except vim.fault.NotAuthenticated:
            raise VSphereLoginError('The vCenter session on %s expired again right after a new login; check the session settings of vCenter.'
                                    % self._where())
        except vmodl.MethodFault as exc:
            raise VSphereError('vCenter %s refused the request: %s.' % (self._where(), self._why(exc.msg or type(exc).__name__)))
        except (OSError, http.client.HTTPException, socket.timeout) as exc:
            raise VSphereConnectionError('Lost the connection to vCenter %s (%s); check that it is reachable.' % (self._where(), self._why(exc)))
        except Exception as exc:  # pylint: disable=broad-except
            # pyVmomi raises a bare Exception when an answer is not SOAP (an HTTP 500 error page, a proxy page).
            raise VSphereConnectionError('vCenter %s sent an answer that is not a SOAP response (%s); retry, and check vCenter or the proxy if it persists.'
                                         % (self._where(), self._why(exc).splitlines()[0].rstrip(':')))

    # ---- reads

    def moref(self, managed_type, moid):
        """A managed-object reference built locally (no round trip)."""
        return VmomiSupport.GetWsdlType('urn:vim25', managed_type)(moid, self.stub)

    def retrieve(self, object_specs, property_specs):
        """One PropertyCollector ``RetrieveContents`` call -> {moid: {...}} (see object_contents_to_dicts)."""
        spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=object_specs, propSet=property_specs)
        contents = self.content.propertyCollector.RetrieveContents([spec])
        return object_contents_to_dicts(contents)

    def retrieve_in_view(self, view_types, traversal, properties):
        """Create a container view over the root folder and read it with ONE RetrieveContents.

        ``view_types``: managed type names in the view; ``traversal``: list of
        (managed type, property, [nested traversal names]) followed from those objects,
        ``properties``: {managed type: [property paths]}. Re-run as a whole when the
        session expired (a view dies with its session). The view is not destroyed
        separately: it is freed with the session at logout, which saves a round trip.
        """
        def read():
            view = self.content.viewManager.CreateContainerView(
                self.content.rootFolder, [VmomiSupport.GetWsdlType('urn:vim25', t) for t in view_types], True)
            select = [self._traversal_spec('view', 'ContainerView', 'view', [name for name, dummy, dummy2, dummy3 in traversal])]
            select.extend(self._traversal_spec(name, managed_type, prop, nested) for name, managed_type, prop, nested in traversal)
            object_spec = vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=select)
            property_specs = [
                vmodl.query.PropertyCollector.PropertySpec(type=VmomiSupport.GetWsdlType('urn:vim25', t), pathSet=paths, all=False)
                for t, paths in properties.items()]
            return self.retrieve([object_spec], property_specs)
        return self.call(read)

    def retrieve_from(self, managed_type, moid, traversal, properties):
        """Like retrieve_in_view, but starting at one object (and what the traversal reaches from it)."""
        def read():
            select = [self._traversal_spec(name, mtype, prop, nested) for name, mtype, prop, nested in traversal]
            object_spec = vmodl.query.PropertyCollector.ObjectSpec(obj=self.moref(managed_type, moid), skip=False,
                                                                   selectSet=select)
            property_specs = [
                vmodl.query.PropertyCollector.PropertySpec(type=VmomiSupport.GetWsdlType('urn:vim25', t), pathSet=paths, all=False)
                for t, paths in properties.items()]
            return self.retrieve([object_spec], property_specs)
        return self.call(read)

    @staticmethod
    def _traversal_spec(name, managed_type, prop, nested):
        return vmodl.query.PropertyCollector.TraversalSpec(
            name=name, type=VmomiSupport.GetWsdlType('urn:vim25', managed_type), path=prop, skip=False,
            selectSet=[vmodl.query.PropertyCollector.SelectionSpec(name=n) for n in nested])

    def retrieve_object(self, managed_type, moid, paths):
        """Properties of one object by MoID, in one RetrieveContents call."""
        def read():
            object_spec = vmodl.query.PropertyCollector.ObjectSpec(obj=self.moref(managed_type, moid), skip=False)
            property_spec = vmodl.query.PropertyCollector.PropertySpec(
                type=VmomiSupport.GetWsdlType('urn:vim25', managed_type), pathSet=paths, all=False)
            return self.retrieve([object_spec], [property_spec]).get(moid, {})
        return self.call(read)

    # ---- writes

    def reconfigure_das(self, cluster_moid, das_spec, timeout=TASK_TIMEOUT):
        """ReconfigureComputeResource_Task with ClusterConfigSpecEx(dasConfig=spec), modify=True, waited; returns the task MoID."""
        spec = vim.cluster.ConfigSpecEx(dasConfig=from_plain(das_spec, self.stub))
        cluster = self.moref('ClusterComputeResource', cluster_moid)
        # modify=True: unset properties are left alone. modify=False would reset the whole
        # cluster configuration (DRS rules included), so it is never used.
        try:
            task = self.call(lambda: cluster.ReconfigureComputeResource_Task(spec, True))
        except VSphereConnectionError as exc:
            # The request left; its answer did not arrive: vCenter may have started the task.
            raise VSphereUnconfirmedError('The reconfigure request for cluster %s was sent but got no answer (%s); vCenter may '
                                          'have applied it, so the outcome is unknown: check the recent tasks of the cluster in '
                                          'vCenter, then run the task again.' % (cluster_moid, exc.message.rstrip('.')))
        try:
            self.wait_for_task(task._moId, timeout)
        except (VSphereConnectionError, VSphereLoginError) as exc:
            raise VSphereUnconfirmedError('vCenter task %s (reconfigure of cluster %s) was started, but the connection failed '
                                          'before it finished (%s); its outcome is unknown: check the task in vCenter, then run '
                                          'the task again.' % (task._moId, cluster_moid, exc.message.rstrip('.')), task=task._moId)
        return task._moId

    def wait_for_task(self, task_moid, timeout=TASK_TIMEOUT, sleep=time.sleep, clock=time.monotonic):
        """Poll the task's info (one RetrieveContents per poll) until it ends or ``timeout`` s pass."""
        deadline = clock() + timeout
        attempt = 0
        while True:
            task = self.retrieve_object('Task', task_moid, ['info.state', 'info.error'])
            state = task.get('info.state')
            if state == 'success':
                return
            if state == 'error':
                message, invalid = task_failure(task.get('info.error'))
                hint = ' (invalid: %s)' % ', '.join(invalid) if invalid else ''
                raise VSphereTaskError('vCenter task %s failed: %s%s.' % (task_moid, message.rstrip('.'), hint),
                                       invalid_keys=invalid, task=task_moid)
            if clock() >= deadline:
                raise VSphereTimeoutError('vCenter task %s did not finish within %d seconds; check it in vCenter.' % (task_moid, timeout),
                                          task=task_moid)
            delay = TASK_POLL_DELAYS[attempt] if attempt < len(TASK_POLL_DELAYS) else TASK_POLL_MAX_DELAY
            sleep(min(delay, max(deadline - clock(), 0)))
            attempt += 1


# --------------------------------------------------------------------------- inventory lookup (pure)

def find_cluster(objects, datacenter, cluster):
    """Pick the cluster named (or with MoID) ``cluster`` inside datacenter ``datacenter`` (name or MoID).

    ``objects`` is the plain result of a read with Datacenter/Folder/ClusterComputeResource
    ``name`` and ``parent``. Returns (datacenter entry, cluster entry) or raises VSphereNotFoundError.
    """
    datacenters = [o for o in objects.values() if o['_type'] == 'Datacenter']
    matches = [d for d in datacenters if datacenter in (d['_moid'], d.get('name'))]
    if not matches:
        names = ', '.join(sorted(d.get('name', d['_moid']) for d in datacenters)) or 'none'
        raise VSphereNotFoundError('datacenter %r was not found; use one of: %s.' % (datacenter, names))
    if len(matches) > 1:
        raise VSphereNotFoundError('datacenter name %r is ambiguous; give its MoID (%s) instead.'
                                   % (datacenter, ', '.join(sorted(d['_moid'] for d in matches))))
    found_dc = matches[0]
    clusters = [o for o in objects.values() if o['_type'] == 'ClusterComputeResource' and datacenter_of(objects, o) == found_dc['_moid']]
    hits = [c for c in clusters if cluster in (c['_moid'], c.get('name'))]
    if not hits:
        names = ', '.join(sorted(c.get('name', c['_moid']) for c in clusters)) or 'none'
        raise VSphereNotFoundError('cluster %r was not found in datacenter %s; use one of: %s.' % (cluster, found_dc.get('name'), names))
    if len(hits) > 1:
        raise VSphereNotFoundError('cluster name %r is ambiguous in datacenter %s; give its MoID (%s) instead.'
                                   % (cluster, found_dc.get('name'), ', '.join(sorted(c['_moid'] for c in hits))))
    return found_dc, hits[0]


def datacenter_of(objects, entry):
    """Walk ``parent`` links (bounded by the number of objects) up to a Datacenter MoID."""
    current = entry
    for dummy in range(len(objects) + 1):
        parent = objects.get(current.get('parent'))
        if parent is None:
            return None
        if parent['_type'] == 'Datacenter':
            return parent['_moid']
        current = parent
    return None


def read_cluster(client, datacenter, cluster, host_paths, datastore_paths, cluster_paths=(), vm_paths=None):
    """Find the cluster and read it, its hosts, datastores (and VMs) with ONE RetrieveContents.

    The container view holds datacenters, folders and clusters (names and parents, for a
    lookup scoped to the datacenter); the traversal follows each cluster's ``host`` and
    ``datastore`` (and each host's ``vm``), so the number of calls never depends on the
    inventory size. Returns {'datacenter', 'cluster', 'hosts', 'datastores', 'vms'} as plain data.
    """
    traversal = [('cluster_hosts', 'ClusterComputeResource', 'host', ['host_vms'] if vm_paths else []),
                 ('cluster_datastores', 'ClusterComputeResource', 'datastore', [])]
    properties = {
        'Datacenter': ['name', 'parent'],
        'Folder': ['parent'],
        'ClusterComputeResource': sorted(set(['name', 'parent', 'host', 'datastore', 'configurationEx']) | set(cluster_paths)),
        'HostSystem': sorted(set(['name']) | set(host_paths)),
        'Datastore': sorted(set(['name']) | set(datastore_paths)),
    }
    if vm_paths:
        # Which host a VM runs on comes from the hosts' ``vm`` lists (one reference per VM)
        # rather than from each VM's runtime.host (a whole property per VM): less to parse.
        traversal.append(('host_vms', 'HostSystem', 'vm', []))
        properties['HostSystem'] = sorted(set(properties['HostSystem']) | set(['vm']))
        properties['VirtualMachine'] = sorted((set(['name']) | set(vm_paths)) - set(['runtime.host']))
    view_types = ['Datacenter', 'Folder', 'ClusterComputeResource']
    if vm_paths:
        # VMs are most of the payload: find the cluster first (names and parents only), then read from the
        # cluster alone, so the answer holds the target cluster's hosts and VMs, not the whole vCenter's.
        lookup = client.retrieve_in_view(view_types, [], {'Datacenter': ['name', 'parent'], 'Folder': ['parent'],
                                                          'ClusterComputeResource': ['name', 'parent']})
        found_dc, found_cluster = find_cluster(lookup, datacenter, cluster)
        objects = client.retrieve_from('ClusterComputeResource', found_cluster['_moid'], traversal, dict(
            (t, paths) for t, paths in properties.items() if t not in ('Datacenter', 'Folder')))
        found_cluster = dict(objects[found_cluster['_moid']], parent=found_cluster.get('parent'))
    else:
        objects = client.retrieve_in_view(view_types, traversal, properties)
        found_dc, found_cluster = find_cluster(objects, datacenter, cluster)
    hosts = [objects[moid] for moid in found_cluster.get('host') or [] if moid in objects]
    vms = []
    if vm_paths:
        for host in hosts:
            vms.extend(dict(objects[moid], **{'runtime.host': host['_moid']}) for moid in host.get('vm') or [] if moid in objects)
    return {
        'datacenter': found_dc,
        'cluster': found_cluster,
        'hosts': hosts,
        'datastores': [objects[moid] for moid in found_cluster.get('datastore') or [] if moid in objects],
        'vms': vms,
    }


# --------------------------------------------------------------------------- module wrapper

class VSphereModule(HaModule):
    """HaModule with the vSphere connection: login before the work function, a guaranteed logout.

    The work function receives the logged-in VSphereClient. Failures keep the fields of
    earlier releases next to ``error``: ``error_kind`` and the error's details (``task``,
    ``invalid_keys``) at the top level.
    """

    def __init__(self, argument_spec, input_errors=(), **kwargs):
        super(VSphereModule, self).__init__(argument_spec, vsphere_argspec(), input_errors=input_errors, **kwargs)
        if PYVMOMI_IMPORT_ERROR:
            self.module.fail_json(msg=missing_required_lib('pyVmomi'), exception=PYVMOMI_IMPORT_ERROR)
        self.client = VSphereClient(**self.params)

    def _open(self):
        check_connection_options(self.params)
        self.client.login()

    def _close(self):
        self.client.logout()

    def _work_args(self):
        return (self.client,)

    def _failure_extras(self, error):
        if error is None:
            return {}
        result = dict(error.extra)
        result['error_kind'] = error.kind
        if error.kind == 'unconfirmed':
            # The change may be in place: never report "nothing changed" for it.
            result.update(changed=True, unconfirmed=[error.extra.get('task') or 'ReconfigureComputeResource_Task'])
        return result
