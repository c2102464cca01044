"""The cluster's own Ceph as PVE shows it: pools, CRUSH rules and the CRUSH map.

Upstream (proxmox/pve-manager, read at 14a22df3, August 2026):
- PVE/API2/Ceph/Pool.pm, method `lspools` (GET /nodes/{node}/ceph/pool): proxied to the node, needs
  Sys.Audit or Datastore.Audit on /; one object per pool from `osd dump` with pool (integer id), pool_name,
  size, min_size, pg_num, crush_rule (integer id), crush_rule_name (only when the id is in the CRUSH map),
  pg_autoscale_mode, application_metadata and type (replicated | erasure | unknown).
- PVE/API2/Ceph.pm, method `rules` (GET /nodes/{node}/ceph/rules): [{name}] from `osd crush rule ls`,
  names only; method `crush` (GET /nodes/{node}/ceph/crush): the decompiled CRUSH map as one string.
- PVE/Ceph/Tools.pm, `check_ceph_inited`: every one of them dies "binary not installed: /usr/bin/ceph-mon"
  on a node without Ceph (HTTP 500).
The decompiled map's layout (types, host buckets, rules with `step chooseleaf firstn 0 type <domain>`) follows
Ceph's crushtool output; the default type list is Ceph's (src/crush/CrushWrapper.cc) - unverified here.

Scenario key `ceph` (tests/simulators/scenarios/README.md); without it, a scenario with an RBD storage that has
no `monhost` gets Ceph's defaults: one pool per such storage, size 3, min_size 2, rule replicated_rule (host).
"""

from fakepve.model import PveError

CEPH_TYPES = ('osd', 'host', 'chassis', 'rack', 'row', 'pdu', 'pod', 'room', 'datacenter', 'zone', 'region',
              'root')
DEFAULT_RULE = 'replicated_rule'
NOT_INSTALLED = 'binary not installed: /usr/bin/ceph-mon'


def ceph_config(server):
    """{pools: [...], rules: [...], nodes: [...]} of the loaded scenario, or None when it has no Ceph."""
    raw = server.scenario.get('ceph')
    internal = [s for s in server.scenario['storage'] if s['type'] == 'rbd' and not s.get('monhost')]
    if raw is None and not internal:
        return None
    raw = dict(raw or {})
    rules = [dict(name=str(r['name']), failure_domain=str(r.get('failure_domain', 'host')))
             for r in raw.get('rules') or [{'name': DEFAULT_RULE}]]
    pools_raw = raw.get('pools')
    if pools_raw is None:
        pools_raw = [{'name': s.get('pool', s['id'])} for s in internal]
    pools = []
    for index, pool in enumerate(pools_raw):
        pools.append(dict(name=str(pool['name']), size=int(pool.get('size', 3)), min_size=int(pool.get('min_size', 2)),
                          crush_rule=str(pool.get('crush_rule', rules[0]['name'])),
                          type=str(pool.get('type', 'replicated')), id=index + 1))
    nodes = raw.get('nodes') or sorted(server.nodes)
    return dict(pools=pools, rules=rules, nodes=[str(n) for n in nodes])


def _config_on(server, node):
    if node not in server.nodes:
        raise PveError(595, "no such cluster node '{0}'".format(node))
    if not server.nodes[node].get('online', True):
        raise PveError(595, 'No route to host')  # proxied to the node
    config = ceph_config(server)
    if config is None or node not in config['nodes']:
        raise PveError(500, NOT_INSTALLED)
    return config


def pool_list(server, values):
    config = _config_on(server, values['node'])
    rule_ids = dict((rule['name'], index) for index, rule in enumerate(config['rules']))
    out = []
    for pool in config['pools']:
        item = {'pool': pool['id'], 'pool_name': pool['name'], 'size': pool['size'], 'min_size': pool['min_size'],
                'pg_num': 32, 'pg_autoscale_mode': 'on', 'type': pool['type'],
                'application_metadata': {'rbd': {}}, 'crush_rule': rule_ids.get(pool['crush_rule'], 99)}
        if pool['crush_rule'] in rule_ids:
            item['crush_rule_name'] = pool['crush_rule']
        out.append(item)
    return out


def rule_list(server, values):
    return [{'name': rule['name']} for rule in _config_on(server, values['node'])['rules']]


def crush_map(server, values):
    """The decompiled CRUSH map: types, one host bucket per Ceph node (one OSD each), the root, the rules."""
    config = _config_on(server, values['node'])
    lines = ['# begin crush map', '', '# devices']
    lines += ['device {0} osd.{0} class ssd'.format(i) for i in range(len(config['nodes']))]
    lines += ['', '# types'] + ['type {0} {1}'.format(i, name) for i, name in enumerate(CEPH_TYPES)]
    lines += ['', '# buckets']
    for index, node in enumerate(config['nodes']):
        lines += ['host {0} {{'.format(node), '\tid -{0}\t\t# do not change unnecessarily'.format(index + 2),
                  '\talg straw2', '\thash 0\t# rjenkins1', '\titem osd.{0} weight 1.00000'.format(index), '}']
    lines += ['root default {', '\tid -1\t\t# do not change unnecessarily', '\talg straw2', '\thash 0\t# rjenkins1']
    lines += ['\titem {0} weight 1.00000'.format(node) for node in config['nodes']] + ['}', '', '# rules']
    for index, rule in enumerate(config['rules']):
        step = 'chooseleaf' if rule['failure_domain'] != 'osd' else 'choose'
        lines += ['rule {0} {{'.format(rule['name']), '\tid {0}'.format(index), '\ttype replicated',
                  '\tstep take default', '\tstep {0} firstn 0 type {1}'.format(step, rule['failure_domain']),
                  '\tstep emit', '}']
    return '\n'.join(lines + ['', '# end crush map', ''])


def routes(server):
    """API routes (method, template, handler) for the server's route table."""
    return [('GET', '/nodes/{node}/ceph/pool', lambda values, user: pool_list(server, values)),
            ('GET', '/nodes/{node}/ceph/rules', lambda values, user: rule_list(server, values)),
            ('GET', '/nodes/{node}/ceph/crush', lambda values, user: crush_map(server, values))]
