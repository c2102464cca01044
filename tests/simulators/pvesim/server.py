"""PveSim: fakepve's FakePve with stateful HA, datacenter options, capacity data, faults and a control API.

fakepve answers login (tickets, CSRF, API tokens), schema checks and the generic endpoints; this layer
registers its own routes for what the project needs to be stateful and PVE-exact.
"""

import asyncio
import copy
import json
import time
import urllib.parse

from aiohttp import web
from fakepve import schema as pve_schema
from fakepve.model import PveError
from fakepve.server import FakePve, USER, collect, error, ok

from . import ceph as sim_ceph
from . import faults as sim_faults
from . import quorum as sim_quorum
from . import storage_content as sim_storage_content
from .ha import GROUP_OPTIONS, RESOURCE_OPTIONS, RULE_OPTIONS, HaConfig, parse_node_list, split_list, typed_value
from .options import apply_backup_update, apply_options_update, backup_job_view, scenario_options
from .scenario import read_scenario
from .versions import Features

MiB = 1024 * 1024
API_PREFIXES = ('/api2/json', '/api2/extjs')
# HA configuration writes (resources, groups, rules) under either API prefix: they never read a guest's hastate.
HA_WRITES = tuple(prefix + '/cluster/ha/' for prefix in API_PREFIXES)
# Share of its configured memory a running guest is shown using (the rest is free inside the guest).
GUEST_MEM_USE = 0.5


async def raw_params(request):
    """Query and body parameters, keeping blank values (`comment=`, `delete=`) as PVE does."""
    out = collect(urllib.parse.parse_qsl(request.query_string, keep_blank_values=True))
    body = await request.read()
    if not body or request.content_type == 'multipart/form-data':
        return out
    try:
        if request.content_type == 'application/json':
            data = json.loads(body)
            if isinstance(data, dict):
                out.update(data)
        else:
            out.update(collect(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)))
    except (ValueError, UnicodeDecodeError, RecursionError):
        pass  # fakepve's own parser answers malformed bodies with PVE's 400
    return out


def api_path(path):
    for prefix in API_PREFIXES:
        if path.startswith(prefix + '/'):
            return path[len(prefix):]
    return path


def json_body(data, status=200):
    return web.json_response(data, status=status)


class PveSim(FakePve):
    """A simulated PVE cluster described by a scenario (see scenario.py)."""

    def __init__(self, scenario, host='127.0.0.1', port=0):
        super().__init__(host=host, port=port)
        self.time_scale = 0.0
        self.faults = []
        self.log = sim_faults.RequestLog()
        self.load(scenario)

    # -------------------------------------------------------------- scenario

    def load(self, source):
        """Replace every piece of state with the scenario's (faults and the request log too).

        A scenario that fails to load leaves the previous one in place.
        """
        previous = getattr(self, 'scenario_source', None)
        try:
            self._load(source)
        except Exception:
            if previous is not None:
                self._load(previous)
            raise

    def _load(self, source):
        scn = read_scenario(source)
        self.scenario_source = copy.deepcopy(source)  # what /_sim/reset reloads
        self.scenario = scn
        creds = scn['credentials']
        self.user, self.password = creds['user'], creds['password']
        self.apitokens = dict(creds['tokens'])
        self.acl = None
        for entry in scn['acl']:
            self.grant(entry['user'], entry['path'], *entry['privs'])
        self.version = scn['version']
        self.release_version = '.'.join(scn['version'].split('.')[:2])
        self.features = Features(scn['packages'])
        self.cluster_name = scn['cluster']
        self.quorate = scn['quorate']
        self.node_info = dict((n['name'], dict(n)) for n in scn['nodes'])
        self.nodes = dict((n['name'], {'online': n['online']}) for n in scn['nodes'])
        self.storages = dict((s['id'], self._storage_entry(s)) for s in scn['storage'])
        self.vms, self.cts, self.pools, self.pool_info = [], [], {}, {}
        self.tasks, self.tasklog = {}, []
        self.guest_index = {}
        for guest in scn['guests']:
            self._add_guest(guest)
        self.crm = {'master_at': None, 'start_delay': scn['crm']['start_delay'], 'may_elect': scn['crm']['master']}
        self.crm_states = {}
        self.ha = HaConfig(self.features, lambda: sorted(self.nodes), self.guest_type, quorate=lambda: self.quorate,
                           manager_nodes=self.manager_nodes, service_state=self.crm_states.get)
        self._load_ha(scn['ha'])
        if self.ha.resources and self.crm['may_elect']:
            self.crm['master_at'] = time.time() - 1  # an earlier admin's HA config: its CRM master is long active
        self.dc_options = scenario_options(scn['options'], self.features)
        self.backup_jobs = dict((str(j['id']), dict(j)) for j in scn['backup_jobs'])
        self.faults = []
        self.log.clear()

    @staticmethod
    def _storage_entry(spec):
        entry = dict((k, v) for k, v in spec.items() if k not in ('id', 'shared'))
        entry.update(active=1, files=set())
        if spec['shared']:
            entry['shared'] = 1
        if spec['type'] == 'rbd':
            entry.setdefault('pool', spec['id'])
        return entry

    def _add_guest(self, guest):
        vmid, status = guest['vmid'], 'running' if guest['running'] else 'stopped'
        config = {'memory': str(guest['memory_mb']), 'cores': guest['cores']}
        if guest['type'] == 'qemu':
            for index, disk in enumerate(guest['disks']):
                config['scsi{0}'.format(index)] = disk if ',' in disk else disk + ',size=32G'
            obj = self.add_vm(vmid, guest['name'], node=guest['node'], status=status, config=config,
                              template=guest['template'])
        else:
            for index, disk in enumerate(guest['disks']):
                key = 'rootfs' if index == 0 else 'mp{0}'.format(index - 1)
                config[key] = disk if ',' in disk else disk + ',size=8G'
            obj = self.add_ct(vmid, guest['name'], node=guest['node'], status=status, config=config,
                              template=guest['template'])
        self.guest_index[vmid] = (guest['type'], obj)

    def add_vm(self, *args, **kwargs):
        vm = super().add_vm(*args, **kwargs)
        if hasattr(self, 'guest_index'):
            self.guest_index[vm.vmid] = ('qemu', vm)
        return vm

    def guest_type(self, vmid):
        entry = self.guest_index.get(vmid)
        return entry[0] if entry else None

    def guest(self, vmid):
        entry = self.guest_index.get(int(vmid))
        return entry[1] if entry else None

    def vm(self, vmid):
        entry = self.guest_index.get(int(vmid))
        return entry[1] if entry and entry[0] == 'qemu' else None

    def _load_ha(self, ha):
        """Scenario HA config written straight into the files, as if an earlier admin had made it."""
        for group in ha['groups']:
            self.ha.groups[group['group']] = dict((k, typed_value(k, group[k])) for k in GROUP_OPTIONS if k in group)
        for res in ha['resources']:
            sid = self.ha.parse_sid(res['sid'])
            opts = dict((k, typed_value(k, res[k])) for k in RESOURCE_OPTIONS if k in res)
            if opts.get('state') == 'enabled':
                opts['state'] = 'started'
            self.ha.resources[sid] = opts
            if res.get('crm_state'):
                self.crm_states[sid] = str(res['crm_state'])
        for rule in ha['rules']:
            rtype = rule.get('type', 'node-affinity')
            opts = {'type': rtype}
            for key in RULE_OPTIONS[rtype]:
                if key not in rule:
                    continue
                if key == 'resources':
                    opts[key] = sorted(self.ha.parse_sid(s) for s in split_list(rule[key]))
                elif key == 'nodes':
                    opts[key] = parse_node_list(rule[key])
                else:
                    opts[key] = typed_value(key, rule[key])
            self.ha.rules[rule['rule']] = opts
        self._sync_ha_state()

    def _sync_ha_state(self):
        """Guests show their HA state in /cluster/resources (hastate) and status/current; the CRM reacts."""
        if self.ha.resources and self.crm['master_at'] is None and self.crm['may_elect']:
            # CRM.pm can_get_active: a CRM only takes the manager lock once HA resources exist.
            self.crm['master_at'] = time.time() + self.crm['start_delay']
        for sid in list(self.crm_states):
            if sid not in self.ha.resources or self.ha.resources[sid].get('state') == 'disabled':
                del self.crm_states[sid]  # an error-state service the admin disabled leaves the error state
        # Guests' hastate is refreshed before the next request that may read it, not per HA write: a bulk
        # run of 10,000 writes would otherwise walk all guests 10,000 times (a simulator cost real PVE has not).
        self._guests_stale = True

    def _sync_guest_ha_state(self):
        self._guests_stale = False
        for vmid, (gtype, obj) in self.guest_index.items():
            sid = '{0}:{1}'.format('vm' if gtype == 'qemu' else 'ct', vmid)
            opts = self.ha.resources.get(sid)
            obj.ha_state = None if opts is None else opts.get('state', 'started')

    async def _ha_request(self, vm, user, state):
        # Starting or stopping an HA guest is `ha-manager set --state`: resources.cfg changes too.
        sid = '{0}:{1}'.format('vm' if self.guest_type(vm.vmid) == 'qemu' else 'ct', vm.vmid)
        if sid in self.ha.resources:
            self.ha.resources[sid]['state'] = state
        return await super()._ha_request(vm, user, state)

    # ------------------------------------------------------------ app set-up

    def _build_app(self):
        app = super()._build_app()
        # Outermost: the control API needs no login, and every API request is logged before anything fails it.
        app.middlewares.insert(0, self._sim_middleware)
        r = app.router
        r.add_get('/_sim/requests', self._ctl_requests)
        r.add_delete('/_sim/requests', self._ctl_requests_clear)
        r.add_post('/_sim/scenario', self._ctl_scenario)
        r.add_post('/_sim/reset', self._ctl_reset)
        r.add_get('/_sim/faults', self._ctl_faults)
        r.add_post('/_sim/faults', self._ctl_fault_add)
        r.add_delete('/_sim/faults', self._ctl_faults_clear)
        r.add_get('/_sim/state', self._ctl_state)
        r.add_post('/_sim/migrate_groups', self._ctl_migrate)
        r.add_post('/_sim/nodes/{node}', self._ctl_node)
        r.add_post('/_sim/quorum', self._ctl_quorum)
        r.add_post('/_sim/crm', self._ctl_crm)
        r.add_post('/_sim/services/{sid}', self._ctl_service)
        sim_quorum.register_control(r, self)
        return app

    def _register_stateful(self, router, prefixes):
        # Ours first, so they win over fakepve's tables and its catch-all.
        for method, template, handler in self._sim_routes():
            if method not in pve_schema.load().paths[template]:
                raise KeyError('{0} {1} is not in the schema'.format(method, template))
            for prefix in prefixes:
                router.add_route(method, prefix + template, self._serve(template, handler))
        super()._register_stateful(router, prefixes)

    def _serve(self, template, handler):
        methods = pve_schema.load().paths[template]

        async def serve(request):
            self._version_gate(request, template)
            match = pve_schema.Match(template, dict(request.match_info), methods)

            async def call(_match, values):
                return await handler(values, request[USER]) if asyncio.iscoroutinefunction(handler) \
                    else handler(values, request[USER])
            return ok(await self.answer(request, match, await raw_params(request), request[USER], call))
        return serve

    def check_permissions(self, user, perms, values, declared=None):
        """`user => 'all'` lets every logged-in user call, before any `check` (pve-access-control
        RPCEnvironment.pm check_api2_permissions); fakepve evaluates the check first."""
        if user is not None and (perms or {}).get('user') == 'all':
            return
        super().check_permissions(user, perms, values, declared)

    def _version_gate(self, request, template):
        """PVE 8 has no rules API: its HTTP server answers unknown paths with 501 (PVE::HTTPServer)."""
        if not self.features.rules_api and template.startswith('/cluster/ha/rules'):
            raise PveError(501, "Method '{0} {1}' not implemented".format(request.method, request.path))

    @web.middleware
    async def _sim_middleware(self, request, handler):
        if self._guests_stale and not (request.method != 'GET' and request.path.startswith(HA_WRITES)):
            # Everything but another HA configuration write may read a guest's hastate (a start request routes
            # through HA when the guest is an HA resource), so refresh first.
            self._sync_guest_ha_state()
        if request.path.startswith('/_sim/'):
            return await request.match_info.handler(request)
        path = api_path(request.path)
        self.log.add(request.method, path, await raw_params(request))
        fault = sim_faults.take_fault(self.faults, request.method, path) if self.faults else None
        if fault is not None:
            kind = fault['kind']
            if kind == 'latency' and fault.get('after'):
                response = await handler(request)
                await asyncio.sleep(fault['seconds'])
                return response
            if kind == 'latency':
                await asyncio.sleep(fault['seconds'])
            elif kind == 'reset':
                request.transport.close()
                raise ConnectionResetError('pvesim: connection reset by fault')
            elif kind == 'expire_ticket':
                self.revoke_tickets()
            else:
                return error(*sim_faults.fault_message(fault, request.method, path))
        return await handler(request)

    # ------------------------------------------------------------ API routes

    def _sim_routes(self):
        ha = '/cluster/ha'
        return [
            ('GET', ha + '/groups', lambda v, u: self.ha.list_groups()),
            ('POST', ha + '/groups', self._write(self.ha_call('create_group'))),
            ('GET', ha + '/groups/{group}', lambda v, u: self.ha.read_group(v['group'])),
            ('PUT', ha + '/groups/{group}', self._write(self.ha_call('update_group'))),
            ('DELETE', ha + '/groups/{group}', self._write(lambda v: self.ha.delete_group(v['group']))),
            ('GET', ha + '/resources', lambda v, u: self.ha.list_resources(v.get('type'))),
            ('POST', ha + '/resources', self._write(self.ha_call('create_resource'))),
            ('GET', ha + '/resources/{sid}', lambda v, u: self.ha.read_resource(v['sid'])),
            ('PUT', ha + '/resources/{sid}', self._write(self.ha_call('update_resource'))),
            ('DELETE', ha + '/resources/{sid}', self._write(
                lambda v: self.ha.delete_resource(v['sid'], v.get('purge')))),
            ('GET', ha + '/rules', lambda v, u: self.ha.list_rules(v.get('type'), v.get('resource'))),
            ('POST', ha + '/rules', self._write(self.ha_call('create_rule'))),
            ('GET', ha + '/rules/{rule}', lambda v, u: self.ha.read_rule(v['rule'])),
            ('PUT', ha + '/rules/{rule}', self._write(self.ha_call('update_rule'))),
            ('DELETE', ha + '/rules/{rule}', self._write(lambda v: self.ha.delete_rule(v['rule']))),
            ('GET', ha + '/status/current', lambda v, u: self.ha_status_current()),
            ('GET', ha + '/status/manager_status', lambda v, u: self.ha_manager_status()),
            ('GET', '/cluster/options', lambda v, u: self.options_for(u)),
            ('PUT', '/cluster/options', self._write(self._put_options)),
            ('GET', '/cluster/backup', lambda v, u: self._backup_jobs_view()),
            ('GET', '/cluster/backup/{id}', lambda v, u: self._backup_job(v['id'])),
            ('POST', '/cluster/backup', self._write(self._create_backup_job, quorum=True)),
            ('PUT', '/cluster/backup/{id}', self._write(self._update_backup_job, quorum=True)),
            ('DELETE', '/cluster/backup/{id}', self._write(self._delete_backup_job, quorum=True)),
            ('GET', '/nodes/{node}/status', lambda v, u: self.node_status(v['node'])),
            ('GET', '/nodes/{node}/apt/versions', lambda v, u: self.apt_versions(v['node'])),
        ] + sim_quorum.routes(self) + sim_storage_content.routes(self) + sim_ceph.routes(self)

    def ha_call(self, name):
        """A write on the current HaConfig (looked up per request: a scenario reset replaces it)."""
        def call(values):
            return getattr(self.ha, name)(values)
        return call

    def _write(self, change, quorum=False):
        """A configuration write, then the guests' HA state follows. HA handlers check quorum themselves
        (only the create handlers call check_cfs_quorum; the rest fail on the cfs lock)."""
        def handler(values, user):
            if quorum:
                self.need_quorum()
            change(values)
            self._sync_ha_state()
            return None
        return handler

    async def _version(self, request):
        return ok({'version': self.version, 'release': self.release_version, 'repoid': 'a1b2c3d4'})

    def _put_options(self, values):
        if not self.quorate:  # pve-manager set_options: cfs_lock_file, then `die $@` unprefixed
            raise PveError(500, "cfs-lock 'file-datacenter_cfg' error: no quorum!")
        self.dc_options = apply_options_update(self.dc_options, values, self.features)

    def apt_versions(self, node):
        """GET /nodes/{node}/apt/versions (pve-manager API2/APT.pm versions): the installed version is
        `OldVersion`, `Version` the candidate; both equal here (an up-to-date node)."""
        out = []
        for name in ('proxmox-ve', 'pve-manager', 'pve-cluster', 'pve-ha-manager'):
            version = self.features.package(name) or '{0}.0'.format(self.release_version)
            item = {'Package': name, 'Title': name, 'Version': version, 'OldVersion': version,
                    'CurrentState': 'Installed', 'Origin': 'Proxmox', 'Arch': 'all' if name != 'proxmox-ve' else 'all',
                    'Section': 'admin', 'Priority': 'optional', 'Description': 'simulated package'}
            if name == 'pve-manager':
                item['ManagerVersion'] = '{0}/a1b2c3d4'.format(self.version)
            if name == 'proxmox-ve':
                item['RunningKernel'] = '6.8.12-pve'
            out.append(item)
        return out

    def options_for(self, user):
        """GET /cluster/options: without Sys.Audit on / only console and tag-style (pve-manager get_options)."""
        view = self.options_view()
        if not self.allowed(user, '/', 'Sys.Audit'):
            view = dict((k, v) for k, v in view.items() if k in ('console', 'tag-style'))
        return view

    def options_view(self):
        view = dict((k, dict(v) if isinstance(v, dict) else v) for k, v in self.dc_options.items())
        return view

    def _create_backup_job(self, values):
        job_id = values.get('id') or 'backup-{0:08x}-{1:04x}'.format(len(self.backup_jobs) + 1, 0x5eed)
        if job_id in self.backup_jobs:
            raise PveError(500, "Job '{0}' already exists".format(job_id))
        if not any(values.get(k) for k in ('vmid', 'all', 'pool')):
            raise PveError(400, 'Parameter verification failed.',
                           {'vmid': 'one of vmid, all or pool is required'})
        self.backup_jobs[job_id] = apply_backup_update({'id': job_id}, values)

    def _update_backup_job(self, values):
        self.backup_jobs[values['id']] = apply_backup_update(self._stored_job(values['id']), values)

    def _delete_backup_job(self, values):
        self._stored_job(values['id'])
        del self.backup_jobs[values['id']]

    def _stored_job(self, job_id):
        if job_id not in self.backup_jobs:
            raise PveError(500, "Job '{0}' does not exist".format(job_id))
        return self.backup_jobs[job_id]

    def _backup_jobs_view(self):
        return [backup_job_view(self.backup_jobs[job_id]) for job_id in sorted(self.backup_jobs)]

    def _backup_job(self, job_id):
        if job_id not in self.backup_jobs:
            raise PveError(500, "Job '{0}' does not exist".format(job_id))
        return backup_job_view(self.backup_jobs[job_id])

    # --------------------------------------------------- capacity and status

    def _guests(self):
        return list(self.guest_index.values())

    @staticmethod
    def _guest_maxmem(obj):
        return int(str(obj.config.get('memory', 512)).rsplit('=', maxsplit=1)[-1]) * MiB

    def _guest_mem(self, obj):
        return int(self._guest_maxmem(obj) * GUEST_MEM_USE) if obj.status == 'running' else 0

    def _node_used(self):
        used = dict((name, info['host_mem_mb'] * MiB) for name, info in self.node_info.items())
        for _gtype, obj in self._guests():
            if obj.node in used:
                used[obj.node] += self._guest_mem(obj)
        return used

    def _node_entry(self, name, used):
        info = self.node_info.get(name) or {'memory_mb': 8192, 'cpus': 4}
        online = self.nodes[name].get('online', True)
        entry = {'id': 'node/' + name, 'type': 'node', 'node': name, 'status': 'online' if online else 'offline',
                 'level': '', 'maxmem': info['memory_mb'] * MiB, 'maxcpu': info['cpus'],
                 'mem': used.get(name, 0) if online else 0, 'cpu': 0.05 if online else 0,
                 'disk': 8 * 1024 ** 3, 'maxdisk': 100 * 1024 ** 3, 'uptime': 86400 if online else 0}
        return entry

    def _guest_entry(self, gtype, obj):
        online = self.nodes.get(obj.node, {}).get('online', True)
        entry = {'id': '{0}/{1}'.format(gtype, obj.vmid), 'type': gtype, 'vmid': obj.vmid, 'name': obj.name,
                 'node': obj.node, 'status': obj.status if online else 'unknown', 'template': 1 if obj.template else 0,
                 'maxmem': self._guest_maxmem(obj), 'mem': self._guest_mem(obj) if online else 0,
                 'maxcpu': int(obj.config.get('cores', 1)), 'cpu': 0.01 if obj.status == 'running' else 0,
                 'disk': 0, 'maxdisk': 32 * 1024 ** 3, 'uptime': 3600 if obj.status == 'running' else 0,
                 'netin': 0, 'netout': 0, 'diskread': 0, 'diskwrite': 0}
        if obj.ha_state is not None:
            entry['hastate'] = obj.ha_state
        if getattr(obj, 'lock', None):
            entry['lock'] = obj.lock
        return entry

    async def _resources(self, request):
        kind = request.query.get('type')
        data = []
        if kind in (None, 'vm'):
            data += [self._guest_entry(gtype, obj) for gtype, obj in sorted(
                self._guests(), key=lambda g: g[1].vmid)]
        if kind in (None, 'node'):
            used = self._node_used()
            data += [self._node_entry(name, used) for name in sorted(self.nodes)]
        if kind in (None, 'storage'):
            for node in sorted(self.nodes):
                data.extend(item for item in (self._storage_resource(node, s) for s in sorted(self.storages)) if item)
        return ok(data)

    def node_status(self, node):
        info = self.node_info.get(node) or {'memory_mb': 8192, 'cpus': 4}
        total = info['memory_mb'] * MiB
        used = self._node_used().get(node, 0)
        return {'memory': {'total': total, 'used': used, 'free': total - used, 'available': total - used},
                'swap': {'total': 0, 'used': 0, 'free': 0}, 'cpu': 0.05, 'uptime': 86400,
                'cpuinfo': {'cpus': info['cpus'], 'sockets': 1, 'cores': info['cpus'], 'model': 'Simulated CPU'},
                'pveversion': 'pve-manager/{0}/simulated'.format(self.version), 'kversion': 'Linux 6.8.12-pve',
                'loadavg': ['0.10', '0.10', '0.10'],
                'rootfs': {'total': 100 * 1024 ** 3, 'used': 8 * 1024 ** 3, 'avail': 92 * 1024 ** 3, 'free': 92 * 1024 ** 3}}

    def _master_node(self):
        online = [n for n in sorted(self.nodes) if self.nodes[n].get('online', True)]
        return online[0] if online else sorted(self.nodes)[0]

    def _service_status(self):
        """sid -> (node, crm state) as the CRM would report it."""
        out = {}
        for sid, opts in sorted(self.ha.resources.items()):
            obj = self.guest(int(sid.split(':')[1]))
            node = obj.node if obj else self._master_node()
            state = opts.get('state', 'started')
            if state not in ('ignored', 'disabled') and not self.nodes.get(node, {}).get('online', True):
                state = 'fence'
            out[sid] = (node, self.crm_states.get(sid, state))
        return out

    def crm_master_active(self):
        """True once a CRM holds the manager lock; before that manager_status is an empty file."""
        return self.crm['master_at'] is not None and time.time() >= self.crm['master_at']

    def manager_nodes(self):
        """The nodes in manager_status node_status: what the rules API counts, none before a first master."""
        return sorted(self.nodes) if self.crm_master_active() else []

    def _lrm_mode(self, node):
        if not self.nodes[node].get('online', True):
            return 'unknown'
        return 'maintenance' if self.node_info.get(node, {}).get('maintenance') else 'active'

    def ha_status_current(self):
        now = int(time.time())
        master = self._master_node()
        services = self._service_status()
        busy = set(node for node, _state in services.values())
        data = [{'id': 'quorum', 'type': 'quorum', 'node': master, 'quorate': 1 if self.quorate else 0,
                 'status': 'OK' if self.quorate else 'No quorum on node'}]
        if self.crm_master_active():
            data.append({'id': 'master', 'type': 'master', 'node': master, 'timestamp': now,
                         'status': '{0} (active, {1})'.format(master, time.ctime(now))})
        for node in sorted(self.nodes):
            mode = self._lrm_mode(node)
            state = 'maintenance mode' if mode == 'maintenance' else \
                'old timestamp - dead?' if mode == 'unknown' else 'active' if node in busy else 'idle'
            data.append({'id': 'lrm:' + node, 'type': 'lrm', 'node': node, 'timestamp': now,
                         'status': '{0} ({1}, {2})'.format(node, state, time.ctime(now))})
        for sid, (node, state) in services.items():
            opts = self.ha.resources[sid]
            item = {'id': 'service:' + sid, 'type': 'service', 'sid': sid, 'node': node, 'state': state,
                    'crm_state': state, 'request_state': opts.get('state', 'started'),
                    'status': '{0} ({1}, {2})'.format(sid, node, state),
                    'max_restart': opts.get('max_restart', 1), 'max_relocate': opts.get('max_relocate', 1)}
            if self.ha.version_major >= 9:
                item['failback'] = opts.get('failback', 1)
            if opts.get('group') and not self.ha.groups_migrated:
                item['group'] = opts['group']
            data.append(item)
        return data

    def ha_manager_status(self):
        now = int(time.time())
        services = self._service_status()
        node_status = {}
        for node in sorted(self.nodes):
            mode = self._lrm_mode(node)
            node_status[node] = {'active': 'online', 'maintenance': 'maintenance', 'unknown': 'unknown'}[mode]
        lrm = dict((node, {'mode': self._lrm_mode(node), 'state': 'active' if any(
            n == node for n, _state in services.values()) else 'wait_for_agent_lock', 'results': {}, 'timestamp': now})
            for node in sorted(self.nodes))
        manager = {}
        if self.crm_master_active():
            manager = {'master_node': self._master_node(), 'node_status': node_status, 'timestamp': now,
                       'service_status': dict((sid, {'node': node, 'state': state, 'uid': 'sim' + sid.replace(':', '')})
                                              for sid, (node, state) in services.items())}
        return {'manager_status': manager, 'quorum': {'node': self._master_node(), 'quorate': '1' if self.quorate else '0'},
                'lrm_status': lrm}

    # ----------------------------------------------------------- control API

    async def _ctl_body(self, request):
        try:
            body = await request.json() if await request.read() else {}
        except ValueError:
            raise web.HTTPBadRequest(text='body must be JSON') from None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text='body must be a JSON object')
        return body

    async def _ctl_requests(self, request):
        return json_body(self.log.view(int(request.query.get('since', 0))))

    async def _ctl_requests_clear(self, request):
        self.log.clear()
        return json_body({'cleared': True})

    async def _ctl_scenario(self, request):
        body = await self._ctl_body(request)
        source = body.get('scenario') if isinstance(body.get('scenario'), dict) else body.get('name')
        if not source:
            return json_body({'error': 'give {"name": "pve9-3node"} or {"scenario": {...}}'}, 400)
        try:
            self.load(source)
        except PveError as exc:
            return json_body({'error': 'scenario HA config: ' + exc.message}, 400)
        except (ValueError, KeyError, TypeError) as exc:
            return json_body({'error': 'bad scenario: {0}'.format(exc)}, 400)
        return json_body({'scenario': self.scenario['name'], 'version': self.version})

    async def _ctl_reset(self, request):
        self.load(self.scenario_source)
        return json_body({'scenario': self.scenario['name'], 'version': self.version})

    async def _ctl_faults(self, request):
        return json_body({'faults': [sim_faults.fault_view(f) for f in self.faults]})

    async def _ctl_fault_add(self, request):
        try:
            fault = sim_faults.make_fault(await self._ctl_body(request))
        except (sim_faults.FaultError, ValueError, TypeError) as exc:
            return json_body({'error': str(exc)}, 400)
        self.faults.append(fault)
        return json_body({'fault': sim_faults.fault_view(fault)})

    async def _ctl_faults_clear(self, request):
        self.faults = []
        return json_body({'cleared': True})

    async def _ctl_state(self, request):
        return json_body(dict(self.ha.snapshot(), options=self.options_view(),
                              backup_jobs=self._backup_jobs_view(),
                              nodes=self.nodes, quorate=self.quorate, version=self.version,
                              scenario=self.scenario['name']))

    async def _ctl_migrate(self, request):
        try:
            self.ha.migrate_groups()
        except PveError as exc:
            return json_body({'error': exc.message}, 400)
        self._sync_ha_state()
        return json_body(self.ha.snapshot())

    async def _ctl_node(self, request):
        node = request.match_info['node']
        if node not in self.nodes:
            return json_body({'error': 'no node {0!r}'.format(node)}, 404)
        body = await self._ctl_body(request)
        if 'online' in body:
            self.nodes[node]['online'] = bool(body['online'])
        if 'maintenance' in body:
            self.node_info[node]['maintenance'] = bool(body['maintenance'])
        return json_body({'node': node, 'online': self.nodes[node]['online'],
                          'maintenance': self.node_info[node]['maintenance']})

    async def _ctl_crm(self, request):
        """{"master": false} drops the CRM master (manager_status empty); true elects one now."""
        body = await self._ctl_body(request)
        if 'start_delay' in body:
            self.crm['start_delay'] = float(body['start_delay'])
        if 'master' in body:
            self.crm['may_elect'] = bool(body['master'])
            self.crm['master_at'] = time.time() - 1 if body['master'] else None
        return json_body({'master': self.crm_master_active(), 'start_delay': self.crm['start_delay']})

    async def _ctl_service(self, request):
        """{"state": "error"} puts an HA resource into that CRM state (null clears it)."""
        sid = request.match_info['sid']
        if sid not in self.ha.resources:
            return json_body({'error': 'no HA resource {0!r}'.format(sid)}, 404)
        state = (await self._ctl_body(request)).get('state')
        if state:
            self.crm_states[sid] = str(state)
        else:
            self.crm_states.pop(sid, None)
        return json_body({'sid': sid, 'state': self._service_status()[sid][1]})

    async def _ctl_quorum(self, request):
        self.quorate = bool((await self._ctl_body(request)).get('quorate', True))
        return json_body({'quorate': self.quorate})
