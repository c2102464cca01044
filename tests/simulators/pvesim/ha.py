"""The HA configuration of the simulated cluster and PVE's rules for changing it.

Plain data and pure functions: no HTTP, no event loop. The server turns API calls into calls of
HaConfig methods; unit tests call them directly. Messages follow pve-ha-manager (API2/HA/*.pm,
HA/Config.pm, HA/Rules*.pm) word for word, because clients match on them.
"""

import hashlib
import re

from fakepve.model import PveError

DIGEST_CHANGED = 'detected modified configuration - file changed by other user? Try again.'
GROUPS_MIGRATED = 'ha groups have been migrated to rules'
RESOURCE_STATES = ('started', 'stopped', 'enabled', 'disabled', 'ignored')
RULE_TYPES = ('node-affinity', 'resource-affinity')
# Options each section type may hold, in the order PVE writes them.
GROUP_OPTIONS = ('nodes', 'restricted', 'nofailback', 'comment')
RESOURCE_OPTIONS = ('state', 'group', 'failback', 'max_restart', 'max_relocate', 'comment', 'auto-rebalance')
RULE_OPTIONS = {'node-affinity': ('resources', 'nodes', 'strict', 'affinity', 'comment', 'disable'),
                'resource-affinity': ('resources', 'affinity', 'comment', 'disable')}
BOOLEAN_OPTIONS = ('restricted', 'nofailback', 'failback', 'strict', 'disable', 'auto-rebalance')
INTEGER_OPTIONS = ('max_restart', 'max_relocate')
NOT_IN_SCHEMA = 'property is not defined in schema and the schema does not allow additional properties'


def die(message):
    """A plain `die` in a PVE API handler: HTTP 500 with the message."""
    return PveError(500, message)


def param_error(message='Parameter verification failed.', **fields):
    """PVE's raise_param_exc: HTTP 400 with a message per field."""
    return PveError(400, message, fields)


def sha1(text):
    return hashlib.sha1(text.encode()).hexdigest()


def as_bool(value):
    """PVE booleans arrive as 0/1, true/false, yes/no, on/off."""
    if isinstance(value, bool):
        return int(value)
    return 1 if str(value).lower() in ('1', 'true', 'yes', 'on') else 0


def split_list(text):
    """PVE::Tools::split_list: items separated by commas, semicolons or white space."""
    return [item for item in re.split(r'[\s,;]+', str(text or '')) if item]


def parse_node_list(text):
    """'n1:2,n2' -> {'n1': 2, 'n2': 0} (a node without priority has priority 0)."""
    nodes = {}
    for item in split_list(text):
        name, _sep, pri = item.partition(':')
        nodes[name] = int(pri) if pri else 0
    return nodes


def encode_rule_nodes(nodes):
    """How PVE writes a rule's nodes: sorted by name, priority 0 written as the bare name."""
    return ','.join(name if not pri else '{0}:{1}'.format(name, pri) for name, pri in sorted(nodes.items()))


def sid_type(sid):
    return sid.split(':', 1)[0]


def section_text(kind_of, entries):
    """The section-config file text for entries {id: options}; its SHA1 is the digest PVE hands out."""
    lines = []
    for ident, opts in entries.items():
        lines.append('{0}: {1}'.format(kind_of(ident, opts), ident))
        for key in sorted(opts):
            if key != 'type':
                value = opts[key]
                if isinstance(value, dict):
                    value = encode_rule_nodes(value)
                elif isinstance(value, list):
                    value = ','.join(value)
                lines.append('\t{0} {1}'.format(key, value))
        lines.append('')
    return '\n'.join(lines)


def blank(value):
    """An option given as '' (comment=) is written as nothing and so reads back as absent."""
    return isinstance(value, str) and value == ''


def store_options(target, opts):
    """Set opts on a stored section, removing options given blank."""
    for key, value in opts.items():
        if blank(value):
            target.pop(key, None)
        else:
            target[key] = value
    return target


def typed_value(key, value):
    """A stored option value as PVE keeps it: booleans and integers as numbers, the rest as strings."""
    if blank(value):
        return value
    if key in BOOLEAN_OPTIONS:
        return as_bool(value)
    if key in INTEGER_OPTIONS:
        return int(value)
    return str(value)


def check_deletable(delete, allowed, required=()):
    """The delete= keys, or PVE's error for one it cannot delete."""
    keys = split_list(delete)
    for key in keys:
        if key not in allowed:
            raise die("no such option '{0}'".format(key))
        if key in required:
            raise die("unable to delete required option '{0}'".format(key))
    return keys


class HaConfig(object):
    """groups.cfg, resources.cfg and rules.cfg of one cluster, with the PVE version's behaviour.

    version_major 8: groups, no rules API. 9: rules; groups are "migrated" once groups.cfg is
    empty (fresh installs too), as HA/Config.pm have_groups_been_migrated decides.
    """

    def __init__(self, version_major, node_names, guest_type_of):
        self.version_major = version_major
        self.node_names = node_names          # callable -> list of node names
        self.guest_type_of = guest_type_of    # callable vmid -> 'qemu' | 'lxc' | None
        self.groups = {}
        self.resources = {}
        self.rules = {}

    # ------------------------------------------------------------------ state

    @property
    def groups_migrated(self):
        return self.version_major >= 9 and not self.groups

    def digest(self, kind):
        if kind == 'groups':
            return sha1(section_text(lambda i, o: 'group', self.groups))
        if kind == 'resources':
            return sha1(section_text(lambda i, o: sid_type(i), self.resources))
        return sha1(section_text(lambda i, o: o['type'], self.rules))

    def check_digest(self, kind, given):
        """PVE::Tools::assert_if_modified: a PUT with a digest of an older file fails."""
        if given and given != self.digest(kind):
            raise die(DIGEST_CHANGED)

    def snapshot(self):
        """The configuration as stored (for /_sim/state)."""
        rules = dict((rid, dict(r, nodes=encode_rule_nodes(r['nodes'])) if 'nodes' in r else dict(r))
                     for rid, r in self.rules.items())
        for rule in rules.values():
            rule['resources'] = ','.join(rule['resources'])
        return {'groups': dict((g, dict(o)) for g, o in self.groups.items()),
                'resources': dict((s, dict(o)) for s, o in self.resources.items()), 'rules': rules,
                'groups_migrated': self.groups_migrated, 'version_major': self.version_major}

    # ------------------------------------------------------------------ sids

    def parse_sid(self, text):
        """'vm:100', 'ct:101' or a bare VMID looked up in the cluster's guest list (HA/Config.pm parse_sid)."""
        text = str(text)
        if re.fullmatch(r'\d+', text):
            gtype = self.guest_type_of(int(text))
            if gtype is None:
                raise die('unable to detect SID from VMID - VM/CT {0} does not exist'.format(text))
            return '{0}:{1}'.format('vm' if gtype == 'qemu' else 'ct', text)
        match = re.fullmatch(r'(\w+):(\S+)', text)
        if not match:
            raise die("unable to parse service id '{0}'".format(text))
        if match.group(1) not in ('vm', 'ct'):
            raise die("unknown PVE resource type '{0}'".format(match.group(1)))
        return text

    # ---------------------------------------------------------------- groups

    def _groups_gate(self, verb):
        if self.groups_migrated:
            raise die('cannot {0} group: {1}'.format(verb, GROUPS_MIGRATED) if verb != 'index'
                      else 'cannot index groups: ' + GROUPS_MIGRATED)

    def group_view(self, name):
        if name not in self.groups:
            raise die("no such ha group '{0}'".format(name))
        return dict(self.groups[name], group=name, type='group', digest=self.digest('groups'))

    def list_groups(self):
        self._groups_gate('index')
        digest = self.digest('groups')
        return [dict(opts, group=name, type='group', digest=digest) for name, opts in sorted(self.groups.items())]

    def read_group(self, name):
        self._groups_gate('read')
        return self.group_view(name)

    def _group_options(self, values):
        opts = {}
        for key in GROUP_OPTIONS:
            if values.get(key) is not None:
                opts[key] = typed_value(key, values[key])
        return opts  # PVE checks only the syntax of a group's nodes, not that they exist

    def create_group(self, values):
        self._groups_gate('create')
        if values.get('type') not in (None, 'group'):
            raise die('types does not match')
        name = values['group']
        if name in self.groups:
            raise die("ha group ID '{0}' already defined".format(name))
        self.groups[name] = store_options({}, self._group_options(values))

    def update_group(self, values):
        self._groups_gate('update')
        name = values['group']
        self.check_digest('groups', values.get('digest'))
        if name not in self.groups:
            raise die("no such ha group '{0}'".format(name))
        deletes = check_deletable(values.get('delete'), GROUP_OPTIONS, required=('nodes',))
        group = self.groups[name]
        for key in deletes:
            group.pop(key, None)
        store_options(group, self._group_options(values))

    def delete_group(self, name):
        self._groups_gate('delete')
        for sid, opts in sorted(self.resources.items()):
            if opts.get('group') == name:
                raise die("ha group is used by service '{0}'".format(sid))
        self.groups.pop(name, None)

    # ------------------------------------------------------------- resources

    def resource_view(self, sid, digest=None):
        if sid not in self.resources:
            raise die("no such resource '{0}'".format(sid))
        view = dict(self.resources[sid], sid=sid, type=sid_type(sid), digest=digest or self.digest('resources'))
        if self.groups_migrated:
            view.pop('group', None)
        return view

    def list_resources(self, kind=None):
        digest = self.digest('resources')
        return [self.resource_view(sid, digest) for sid in sorted(self.resources)
                if kind is None or sid_type(sid) == kind]

    def read_resource(self, sid):
        return self.resource_view(self.parse_sid(sid))

    def _resource_options(self, values):
        if values.get('group') is not None:
            if self.groups_migrated:
                raise die("invalid parameter 'group': " + GROUPS_MIGRATED)
            if values['group'] not in self.groups:
                raise die("HA group '{0}' does not exist".format(values['group']))
        if self.version_major < 9:
            for key in ('failback', 'auto-rebalance'):
                if key in values:
                    raise param_error(**{key: NOT_IN_SCHEMA})
        opts = {}
        for key in RESOURCE_OPTIONS:
            if values.get(key) is not None:
                opts[key] = typed_value(key, values[key])
        if opts.get('state') == 'enabled':
            opts['state'] = 'started'  # PVE reads 'enabled' back as its alias 'started'
        return opts

    def _check_guest(self, sid):
        gtype = self.guest_type_of(int(sid.split(':', 1)[1])) if sid.split(':', 1)[1].isdigit() else None
        wanted = 'qemu' if sid_type(sid) == 'vm' else 'lxc'
        if gtype != wanted:
            raise die("resource '{0}' does not exist in cluster".format(sid))

    def create_resource(self, values):
        sid = self.parse_sid(values['sid'])
        if values.get('type') not in (None, sid_type(sid)):
            raise die('types does not match')
        opts = self._resource_options(values)
        if sid in self.resources:
            raise die("resource ID '{0}' already defined".format(sid))
        self._check_guest(sid)
        self.resources[sid] = store_options({}, opts)
        return sid

    def update_resource(self, values):
        sid = self.parse_sid(values['sid'])
        if values.get('type') not in (None, sid_type(sid)):
            raise die('types does not match')
        opts = self._resource_options(values)
        self.check_digest('resources', values.get('digest'))
        if sid not in self.resources:
            raise die("no such resource '{0}'".format(sid))
        for key in check_deletable(values.get('delete'), RESOURCE_OPTIONS):
            self.resources[sid].pop(key, None)
        store_options(self.resources[sid], opts)
        return sid

    def delete_resource(self, sid, purge=True):
        """Remove the service; with purge (the default) also from every rule, dropping rules left empty."""
        sid = self.parse_sid(sid)
        if sid not in self.resources:
            raise die("cannot delete service '{0}', not HA managed!".format(sid))
        del self.resources[sid]
        if purge:
            for rid in list(self.rules):
                members = self.rules[rid]['resources']
                if sid in members:
                    members.remove(sid)
                    if not members:
                        del self.rules[rid]
        return sid

    # ------------------------------------------------------------------ rules

    def _rules_gate(self, verb=None):
        if self.version_major < 9:
            return False
        if verb and not self.groups_migrated:
            raise die('cannot {0} ha rule: ha groups have not been migrated yet'.format(verb))
        return True

    def group_rules(self):
        """Rules PVE 9 derives in memory from groups not yet migrated (ha-group-<name>)."""
        derived = {}
        if self.groups_migrated or self.version_major < 9:
            return derived
        for name, group in sorted(self.groups.items()):
            members = sorted(sid for sid, opts in self.resources.items() if opts.get('group') == name)
            if not members:
                continue
            rule = {'type': 'node-affinity', 'resources': members, 'nodes': parse_node_list(group['nodes']),
                    'comment': group.get('comment') or "Generated from HA group '{0}'.".format(name)}
            if 'restricted' in group:
                rule['strict'] = group['restricted']  # copied as stored, so a stored 0 shows as strict 0
            derived['ha-group-' + name] = rule
        return derived

    def all_rules(self):
        rules = dict(self.rules)
        rules.update(self.group_rules())
        return rules

    def rule_view(self, rid, rule, order, digest, errors=None):
        view = dict(rule, rule=rid, order=order, digest=digest, resources=','.join(sorted(rule['resources'])))
        if 'nodes' in rule:
            view['nodes'] = encode_rule_nodes(rule['nodes'])
        if errors:
            view['errors'] = dict((k, ', '.join(v)) for k, v in errors.items())
        return view

    def list_rules(self, kind=None, resource=None):
        rules = self.all_rules()
        digest = self.digest('rules')
        errors = check_feasibility(rules, self.node_names())
        out = []
        for order, (rid, rule) in enumerate(rules.items(), 1):
            if kind and rule['type'] != kind:
                continue
            if resource and resource not in rule['resources']:
                continue
            out.append(self.rule_view(rid, rule, order, digest, errors.get(rid)))
        return out

    def read_rule(self, rid):
        rules = self.all_rules()
        if rid not in rules:
            raise die("no such ha rule '{0}'".format(rid))
        errors = check_feasibility(rules, self.node_names())
        return self.rule_view(rid, rules[rid], list(rules).index(rid) + 1, self.digest('rules'), errors.get(rid))

    @staticmethod
    def _rule_type(values):
        """The `type` every rules POST and PUT must name (SectionConfig's isolated schema makes it required)."""
        rtype = values.get('type')
        if rtype is None:
            raise param_error(type='property is missing and it is not optional')
        if rtype not in RULE_TYPES:
            raise param_error(type="value '{0}' does not have a value in the enumeration '{1}'".format(
                rtype, ', '.join(RULE_TYPES)))
        return rtype

    def _rule_options(self, rtype, values, creating):
        allowed = RULE_OPTIONS[rtype]
        extra = dict((k, NOT_IN_SCHEMA) for k in ('nodes', 'strict') if k not in allowed and k in values)
        if extra:
            raise param_error(**extra)
        if creating and rtype == 'resource-affinity' and values.get('affinity') is None:
            raise param_error(affinity='property is missing and it is not optional')
        opts = {}
        for key in allowed:
            if values.get(key) is None:
                continue
            if key == 'resources':
                sids = [self.parse_sid(s) for s in split_list(values[key])]
                if not sids:
                    raise die('no resources were specified')
                opts[key] = sorted(set(sids))
            elif key == 'nodes':
                nodes = parse_node_list(values[key])
                if not nodes:
                    raise die('no nodes were specified')
                opts[key] = nodes
            else:
                opts[key] = typed_value(key, values[key])
        if 'disable' in opts and not opts['disable']:
            del opts['disable']   # PVE drops a false `disable`: only delete=disable re-enables a rule
        if 'strict' in opts and not opts['strict']:
            opts['strict'] = ''   # a false strict is the default, which GET does not show
        return opts

    def _check_rule_refs(self, opts):
        unmanaged = [sid for sid in opts.get('resources', []) if sid not in self.resources]
        if unmanaged:
            raise die('cannot use unmanaged resource(s) {0}.'.format(', '.join(sorted(unmanaged))))
        if 'nodes' in opts:
            self._check_nodes_exist(opts['nodes'])

    def _check_nodes_exist(self, nodes):
        known = set(self.node_names())
        missing = sorted(n for n in nodes if n not in known)
        if missing:
            raise die('cannot use non-existent node(s) {0}.'.format(', '.join(missing)))

    def _assert_feasible(self, rules, rid):
        errors = check_feasibility(rules, self.node_names()).get(rid)
        if errors:
            raise PveError(400, "Rule '{0}' is invalid.".format(rid),
                           dict((k, ', '.join(v)) for k, v in errors.items()))

    def create_rule(self, values):
        rid, rtype = values['rule'], self._rule_type(values)
        self._rules_gate('create')
        opts = self._rule_options(rtype, values, creating=True)
        if rid in self.rules:
            raise die("HA rule '{0}' already defined".format(rid))
        self._check_rule_refs(opts)
        candidate = dict(self.rules)
        candidate[rid] = store_options({'type': rtype}, opts)
        self._assert_feasible(candidate, rid)
        self.rules = candidate

    def update_rule(self, values):
        rid, rtype = values['rule'], self._rule_type(values)  # a schema error comes before anything else
        self._rules_gate('update')
        self.check_digest('rules', values.get('digest'))
        if rid not in self.rules:
            raise die("HA rule '{0}' does not exist".format(rid))
        rule = dict(self.rules[rid])
        if rtype != rule['type']:
            raise die('types does not match')
        opts = self._rule_options(rule['type'], values, creating=False)
        self._check_rule_refs(opts)
        required = ('resources', 'nodes') if rule['type'] == 'node-affinity' else ('resources', 'affinity')
        for key in check_deletable(values.get('delete'), RULE_OPTIONS[rule['type']], required=required):
            rule.pop(key, None)
        store_options(rule, opts)
        candidate = dict(self.rules)
        candidate[rid] = rule
        self._assert_feasible(candidate, rid)
        self.rules = candidate

    def delete_rule(self, rid):
        # PVE deletes without checking that the rule exists or that groups were migrated.
        self.rules.pop(rid, None)

    # ------------------------------------------------------------- migration

    def migrate_groups(self):
        """What the CRM does once all nodes run PVE 9: groups become ha-group-<g> rules, resources lose `group`."""
        if self.version_major < 9:
            raise die('groups can only be migrated on PVE 9')
        for rid, rule in self.group_rules().items():
            self.rules[rid] = rule
        for name, group in self.groups.items():
            for opts in self.resources.values():
                if opts.get('group') == name:
                    del opts['group']
                    opts['failback'] = 0 if group.get('nofailback') else 1
        self.groups = {}


def check_feasibility(rules, node_names):
    """{rule id: {option: [messages]}} for enabled rules PVE would drop (HA/Rules.pm check_feasibility)."""
    errors = {}

    def blame(rid, message):
        errors.setdefault(rid, {}).setdefault('resources', []).append(message)
    active = dict((rid, r) for rid, r in rules.items() if not r.get('disable'))
    node_aff = dict((rid, r) for rid, r in active.items() if r['type'] == 'node-affinity')
    res_aff = dict((rid, r) for rid, r in active.items() if r['type'] == 'resource-affinity')
    # A resource may be in one node-affinity rule only; every rule that shares it is dropped.
    users = {}
    for rid, rule in node_aff.items():
        for sid in rule['resources']:
            users.setdefault(sid, []).append(rid)
    for sid, rids in sorted(users.items()):
        if len(rids) > 1:
            for rid in rids:
                blame(rid, "resource '{0}' is already used in another node affinity rule".format(sid))
    for rid, rule in sorted(res_aff.items()):
        if len(rule['resources']) < 2:
            blame(rid, 'rule is ineffective as there are less than two resources')
        elif rule.get('affinity') == 'negative' and len(rule['resources']) > len(node_names):
            blame(rid, 'rule defines more resources than available nodes')
    positives = dict((rid, set(r['resources'])) for rid, r in res_aff.items() if r.get('affinity') == 'positive')
    negatives = dict((rid, set(r['resources'])) for rid, r in res_aff.items() if r.get('affinity') == 'negative')
    for pid, pres in sorted(positives.items()):
        for nid, nres in sorted(negatives.items()):
            if len(pres & nres) >= 2:
                blame(pid, 'rule shares two or more resources with a negative resource affinity rule')
                blame(nid, 'rule shares two or more resources with a positive resource affinity rule')
    multi = set(sid for r in node_aff.values() if len(set(r['nodes'].values())) > 1 for sid in r['resources'])
    for rid, rule in sorted(res_aff.items()):
        if multi & set(rule['resources']):
            blame(rid, 'resources are in node affinity rules with multiple priorities')
    return errors
