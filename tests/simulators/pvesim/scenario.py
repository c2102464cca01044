"""Scenario files: YAML describing a simulated PVE cluster, normalised to plain dicts.

Pure functions only (no server, no I/O apart from reading the file), so unit tests can call them.
See tests/simulators/scenarios/README.md for the format.
"""

import copy
import os

import yaml

from .versions import LATEST, packages_for

SCENARIO_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'scenarios')

DEFAULT_USER = 'root@pam'
DEFAULT_PASSWORD = 'secret'
# Fixed so integration tests and docs can name it; it protects nothing but a loopback simulator.
DEFAULT_TOKEN_ID = 'root@pam!ci'
DEFAULT_TOKEN_SECRET = '7c1f4e2a-9b3d-4c8e-a6f0-5d2b8e91c3a7'

GUEST_TYPES = ('qemu', 'lxc')


class ScenarioError(ValueError):
    """A scenario file that cannot describe a cluster."""


def scenario_path(name):
    """The file of a shipped scenario by name (pve9-3node) or the path itself if it is one."""
    if os.path.exists(name):
        return name
    return os.path.join(SCENARIO_DIR, name if name.endswith('.yml') else name + '.yml')


def read_scenario(source):
    """A scenario from a path, a shipped name or an already parsed dict, normalised."""
    if isinstance(source, dict):
        raw = copy.deepcopy(source)
        if raw.get('base'):
            merged = _read_raw(scenario_path(str(raw.pop('base'))))
            merged.pop('name', None)
            merged.update(raw)
            raw = merged
    else:
        path = scenario_path(str(source))
        if not os.path.exists(path):
            raise ScenarioError('scenario {0!r} not found (looked for {1})'.format(source, path))
        raw = _read_raw(path)
        raw.setdefault('name', os.path.splitext(os.path.basename(path))[0])
    return normalise(raw)


def _read_raw(path, depth=0):
    """A scenario file's data; `base: <scenario>` starts from that scenario and overrides its top-level keys."""
    with open(path) as handle:
        raw = yaml.safe_load(handle) or {}
    base = raw.pop('base', None)
    if base:
        if depth > 3:
            raise ScenarioError('scenario bases nest too deep at {0}'.format(path))
        merged = _read_raw(scenario_path(str(base)), depth + 1)
        merged.pop('name', None)
        merged.update(raw)
        raw = merged
    return raw


def version_major(version):
    """8 for '8.4.1'."""
    return int(str(version).split('.', maxsplit=1)[0])


def _flag(value, default=False):
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ('1', 'true', 'yes', 'on')
    return bool(value)


def _node(raw):
    if isinstance(raw, str):
        raw = {'name': raw}
    if not raw.get('name'):
        raise ScenarioError('every node needs a name')
    return {'name': str(raw['name']), 'memory_mb': int(raw.get('memory_mb', 65536)), 'cpus': int(raw.get('cpus', 16)),
            'online': _flag(raw.get('online'), True), 'maintenance': _flag(raw.get('maintenance')),
            # Memory the host itself uses (kernel, ceph OSDs...), on top of the running guests.
            'host_mem_mb': int(raw.get('host_mem_mb', 2048))}


def _storage(raw):
    if not raw.get('id'):
        raise ScenarioError('every storage needs an id')
    content = raw.get('content', 'images,rootdir')
    if isinstance(content, (list, tuple)):
        content = ','.join(content)
    out = {'id': str(raw['id']), 'type': str(raw.get('type', 'dir')), 'shared': _flag(raw.get('shared')),
           'content': content}
    for key in ('nodes', 'pool', 'path', 'vgname', 'thinpool', 'server', 'export', 'datastore',
                'monhost', 'data-pool'):
        if raw.get(key) is not None:
            out[key] = raw[key]
    return out


def _guest(raw, nodes):
    try:
        vmid = int(raw['vmid'])
    except (KeyError, TypeError, ValueError):
        raise ScenarioError('every guest needs a numeric vmid: {0!r}'.format(raw)) from None
    gtype = raw.get('type', 'qemu')
    if gtype not in GUEST_TYPES:
        raise ScenarioError('guest {0}: type must be qemu or lxc, not {1!r}'.format(vmid, gtype))
    node = raw.get('node') or nodes[vmid % len(nodes)]
    if node not in nodes:
        raise ScenarioError('guest {0}: node {1!r} is not in the scenario nodes'.format(vmid, node))
    disks = raw.get('disks') or []
    if isinstance(disks, str):
        disks = [disks]
    return {'vmid': vmid, 'type': gtype, 'name': str(raw.get('name') or '{0}{1}'.format(
        'vm' if gtype == 'qemu' else 'ct', vmid)), 'node': node, 'memory_mb': int(raw.get('memory_mb', 2048)),
        'cores': int(raw.get('cores', 2)), 'running': _flag(raw.get('running'), True),
        'disks': [str(d) for d in disks], 'template': _flag(raw.get('template'))}


def generate_guests(spec, nodes, taken):
    """Guests from a compact generator: {guests: N, memory_mb, start_vmid, type, storage, running, name_prefix}.

    Spread round-robin over the nodes so every node carries the same load (give `nodes` to limit them).
    """
    count = int(spec.get('guests', 0))
    targets = spec.get('nodes') or nodes
    vmid = int(spec.get('start_vmid', 1000))
    storage = spec.get('storage', 'local-lvm')
    out = []
    for index in range(count):
        while vmid in taken:
            vmid += 1
        taken.add(vmid)
        gtype = spec.get('type', 'qemu')
        disk = '{0}:{1}-{2}-disk-0'.format(storage, 'vm' if gtype == 'qemu' else 'subvol', vmid)
        out.append({'vmid': vmid, 'type': gtype, 'name': '{0}{1}'.format(spec.get('name_prefix', 'bulk'), vmid),
                    'node': targets[index % len(targets)], 'memory_mb': int(spec.get('memory_mb', 1024)),
                    'cores': int(spec.get('cores', 1)), 'running': _flag(spec.get('running'), True),
                    'disks': [disk], 'template': False})
        vmid += 1
    return out


def _credentials(raw):
    """user/password, the main token as token_id/token_secret (the keys simctl reads), extra `tokens`."""
    raw = raw or {}
    tokens = {str(raw.get('token_id', DEFAULT_TOKEN_ID)): str(raw.get('token_secret', DEFAULT_TOKEN_SECRET))}
    for token in raw.get('tokens') or []:
        tokens[str(token['id'])] = str(token['secret'])
    for token_id in tokens:
        if '!' not in token_id or '@' not in token_id.split('!')[0]:
            raise ScenarioError('token id {0!r} must look like user@realm!name'.format(token_id))
    return {'user': raw.get('user', DEFAULT_USER), 'password': str(raw.get('password', DEFAULT_PASSWORD)),
            'token_id': str(raw.get('token_id', DEFAULT_TOKEN_ID)), 'tokens': tokens}


def _acl(raw):
    """ACL entries [{user, path, privs}]: the first one makes fakepve check privileges (root@pam holds all)."""
    out = []
    for entry in raw or []:
        if not entry.get('user') or not isinstance(entry.get('privs'), list):
            raise ScenarioError('every acl entry needs user and a privs list: {0!r}'.format(entry))
        out.append({'user': str(entry['user']), 'path': str(entry.get('path', '/')), 'privs': [str(p) for p in entry['privs']]})
    return out


def _ha(raw):
    raw = raw or {}
    groups = [dict(g) for g in raw.get('groups') or []]
    resources = [dict(r) for r in raw.get('resources') or []]
    rules = [dict(r) for r in raw.get('rules') or []]
    for kind, items, key in (('group', groups, 'group'), ('resource', resources, 'sid'), ('rule', rules, 'rule')):
        for item in items:
            if not item.get(key):
                raise ScenarioError('every HA {0} needs {1!r}: {2!r}'.format(kind, key, item))
    return {'groups': groups, 'resources': resources, 'rules': rules}


def normalise(raw):
    """The scenario with every default filled in and every name checked."""
    nodes = [_node(n) for n in raw.get('nodes') or ['pve1', 'pve2', 'pve3']]
    names = [n['name'] for n in nodes]
    if len(set(names)) != len(names):
        raise ScenarioError('node names must be unique')
    guests = [_guest(g, names) for g in raw.get('guests') or []]
    taken = set(g['vmid'] for g in guests)
    if len(taken) != len(guests):
        raise ScenarioError('guest vmids must be unique')
    if raw.get('generate'):
        guests += [_guest(g, names) for g in generate_guests(raw['generate'], names, taken)]
    storages = [_storage(s) for s in raw.get('storage') or [{'id': 'local-lvm', 'type': 'lvmthin'}]]
    try:
        packages = packages_for(raw.get('version', LATEST), raw.get('packages'))
    except ValueError as exc:
        raise ScenarioError(str(exc)) from None
    version = packages['pve-manager']
    crm = dict(raw.get('crm') or {})
    return {'name': str(raw.get('name', 'custom')), 'version': version, 'packages': packages,
            'crm': {'start_delay': float(crm.get('start_delay', 0)), 'master': _flag(crm.get('master'), True)},
            'cluster': str(raw.get('cluster', 'simcluster')),
            'quorate': _flag(raw.get('quorate'), True), 'nodes': nodes, 'storage': storages, 'guests': guests,
            'ha': _ha(raw.get('ha')), 'options': dict(raw.get('options') or {}),
            'backup_jobs': [dict(j) for j in raw.get('backup_jobs') or []],
            'ceph': raw.get('ceph'),  # pools and CRUSH rules, read by pvesim/ceph.py
            'credentials': _credentials(raw.get('credentials')), 'acl': _acl(raw.get('acl'))}
