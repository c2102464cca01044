"""The HA configuration of the simulated cluster and PVE's rules for changing it.

Plain data and pure functions: no HTTP, no event loop. The server turns API calls into calls of
HaConfig methods; unit tests call them directly. Messages follow pve-ha-manager (API2/HA/*.pm,
HA/Config.pm, HA/Rules*.pm) word for word, because clients match on them.
"""

import contextlib
import hashlib
import re

from fakepve.model import PveError

from .feasibility import check_feasibility
from .versions import Features, PROFILES

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
NO_QUORUM = 'cluster not ready - no quorum?'
# pve-ha-manager 5.1.2-5.1.3: a rule PUT without `resources` dies on undef in the resources assertion.
UNDEF_RESOURCES = "Can't use an undefined value as a HASH reference at /usr/share/perl5/PVE/API2/HA/Rules.pm line 50."
HA_NODE = re.compile(r'[a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?(:\d+)?')


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


def exception_text(exc):
    """How a PVE exception reads once a lock wrapper turns it into text (PVE::Exception stringify)."""
    if exc.status == 500 and not exc.errors:
        return exc.message
    text = '{0} {1}'.format(exc.status, exc.message)
    for key, value in (exc.errors or {}).items():
        text += '\n{0}: {1}'.format(key, value)
    return text


def node_entries(text):
    """A group's node list as PVE keeps it: the entries, exact duplicates once, in the order given."""
    out = []
    for item in split_list(text):
        if item not in out:
            out.append(item)
    return out


class HaConfig(object):
    """groups.cfg, resources.cfg and rules.cfg of one cluster, with its pve-ha-manager version's behaviour.

    features: versions.Features. Before pve-ha-manager 5 (PVE 8): groups, no rules API. From 5.0: rules;
    groups are "migrated" once groups.cfg is empty (fresh installs too), as HA/Config.pm
    have_groups_been_migrated decides. Callables give the rest of the cluster: node names, guest types,
    quorum, the nodes the HA manager knows (manager_status node_status) and a service's CRM state.
    """

    def __init__(self, features, node_names, guest_type_of, quorate=None, manager_nodes=None, service_state=None):
        if isinstance(features, int):  # a bare major version: that release's profile
            features = Features(PROFILES['9.2' if features >= 9 else '8.4'])
        self.features = features
        self.version_major = 9 if features.rules_api else 8
        self.node_names = node_names          # callable -> list of node names
        self.guest_type_of = guest_type_of    # callable vmid -> 'qemu' | 'lxc' | None
        self.quorate = quorate or (lambda: True)
        self.manager_nodes = manager_nodes or node_names
        self.service_state = service_state or (lambda sid: None)
        self.groups = {}
        self.resources = {}
        self.rules = {}

    # ------------------------------------------------------------------ state

    @property
    def groups_migrated(self):
        return self.features.rules_api and not self.groups

    def digest(self, kind):
        if kind == 'groups':
            return sha1(section_text(lambda i, o: 'group', self.groups))
        if kind == 'resources':
            return sha1(section_text(lambda i, o: sid_type(i), self.resources))
        return sha1(section_text(lambda i, o: o['type'], self.rules))

    def check_digest(self, kind, given):
        """PVE::SectionConfig::assert_if_modified: a PUT with a digest of an older file fails."""
        if given and given != self.digest(kind):
            raise die(DIGEST_CHANGED)

    def check_quorum(self):
        """PVE::Cluster::check_cfs_quorum, which only the create handlers call before anything else."""
        if not self.quorate():
            raise die(NO_QUORUM)

    @contextlib.contextmanager
    def locked(self, prefix):
        """PVE::HA::Config::lock_ha_domain: errors inside come back as '<prefix>: <error>' (HTTP 500).

        Without quorum the cfs lock itself fails (after its 10 s timeout on a real cluster).
        """
        if not self.quorate():
            raise die("{0}: cfs-lock 'domain-ha' error: no quorum!".format(prefix))
        try:
            yield
        except PveError as exc:
            raise die('{0}: {1}'.format(prefix, exception_text(exc))) from None

    def snapshot(self):
        """The configuration as stored (for /_sim/state)."""
        rules = dict((rid, dict(r, nodes=encode_rule_nodes(r['nodes'])) if 'nodes' in r else dict(r))
                     for rid, r in self.rules.items())
        for rule in rules.values():
            rule['resources'] = ','.join(rule['resources'])
        return {'groups': dict((g, dict(o)) for g, o in self.groups.items()),
                'resources': dict((s, dict(o)) for s, o in self.resources.items()), 'rules': rules,
                'groups_migrated': self.groups_migrated, 'version_major': self.version_major,
                'packages': dict(self.features.packages)}

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

    def check_node_format(self, text):
        """The pve-ha-node(-list) format: names without dots, optional :priority (HA/Tools.pm)."""
        for item in split_list(text):
            if not HA_NODE.fullmatch(item):
                raise param_error(nodes='invalid format - value does not look like a valid {0}'.format(
                    self.features.node_format_text))

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
        if values.get('nodes') is not None:
            self.check_node_format(values['nodes'])
        for key in GROUP_OPTIONS:
            if values.get(key) is not None:
                opts[key] = typed_value(key, values[key])
        if opts.get('nodes'):
            # Kept as a set of entries: 'pve1:2,pve1' holds pve1 twice, which PVE accepts.
            opts['nodes'] = ','.join(node_entries(opts['nodes']))
        return opts  # PVE checks only the syntax of a group's nodes, not that they exist

    def create_group(self, values):
        self._groups_gate('create')
        self.check_quorum()
        if values.get('type') not in (None, 'group'):
            raise die('types does not match')
        name = values['group']
        opts = self._group_options(values)
        if not opts.get('nodes'):
            raise die("missing value for required option 'nodes'")
        with self.locked('create ha group failed'):
            if name in self.groups:
                raise die("ha group ID '{0}' already defined".format(name))
            self.groups[name] = store_options({}, opts)

    def update_group(self, values):
        self._groups_gate('update')
        if values.get('type') not in (None, 'group'):
            raise die('types does not match')
        name = values['group']
        opts = self._group_options(values)
        with self.locked('update ha group failed'):
            self.check_digest('groups', values.get('digest'))
            if name not in self.groups:
                raise die("no such ha group '{0}'".format(name))
            group = dict(self.groups[name])
            store_options(group, opts)
            # Set first, then delete: a key both given and deleted ends up deleted.
            for key in check_deletable(values.get('delete'), GROUP_OPTIONS, required=('nodes',)):
                group.pop(key, None)
            self.groups[name] = group

    def delete_group(self, name):
        self._groups_gate('delete')
        with self.locked('delete ha group failed'):
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
        """The index also flags a group that does not exist (errors.group); reading one resource does not."""
        digest = self.digest('resources')
        out = []
        for sid in sorted(self.resources):
            if kind is not None and sid_type(sid) != kind:
                continue
            view = self.resource_view(sid, digest)
            if view.get('group') and view['group'] not in self.groups:
                view['errors'] = {'group': "group '{0}' does not exist".format(view['group'])}
            out.append(view)
        return out

    def read_resource(self, sid):
        return self.resource_view(self.parse_sid(sid))

    def _resource_options(self, values):
        features = self.features
        gates = (('failback', features.resource_failback), ('auto-rebalance', features.resource_auto_rebalance))
        unknown = [key for key, present in gates if key in values and not present]
        if unknown:
            raise param_error(**dict((key, NOT_IN_SCHEMA) for key in unknown))
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

    def _check_type(self, sid, values):
        if values.get('type') not in (None, sid_type(sid)):
            raise die('types does not match')

    def create_resource(self, values):
        """POST: quorum first; a `group` is not checked to exist (the index then shows errors.group)."""
        self.check_quorum()
        sid = self.parse_sid(values['sid'])
        self._check_type(sid, values)
        if values.get('group') is not None and self.groups_migrated:
            raise die("invalid parameter 'group': " + GROUPS_MIGRATED)
        self._check_guest(sid)
        opts = self._resource_options(values)
        with self.locked('create resource failed'):
            if sid in self.resources:
                raise die("resource ID '{0}' already defined".format(sid))
            self.resources[sid] = store_options({}, opts)
        return sid

    def update_resource(self, values):
        sid = self.parse_sid(values['sid'])
        self._check_type(sid, values)
        if values.get('group'):
            if self.groups_migrated:
                raise die("invalid parameter 'group': " + GROUPS_MIGRATED)
            if values['group'] not in self.groups:
                raise die("HA group '{0}' does not exist".format(values['group']))
        if sid in self.resources and self.service_state(sid) == 'error' and values.get('state') != 'disabled':
            raise die("service '{0}' in error state, must be disabled and fixed first".format(sid))
        opts = self._resource_options(values)
        with self.locked('update resources config failed'):
            self.check_digest('resources', values.get('digest'))
            if sid not in self.resources:
                raise die("no such resource '{0}'".format(sid))
            resource = dict(self.resources[sid])
            store_options(resource, opts)
            # Set first, then delete: a key both given and deleted ends up deleted.
            for key in check_deletable(values.get('delete'), RESOURCE_OPTIONS):
                resource.pop(key, None)
            self.resources[sid] = resource
        return sid

    def delete_resource(self, sid, purge=None):
        """DELETE; from pve-ha-manager 5.0.7 `purge` (default on) also drops the SID from rules, and rules left empty."""
        if purge is not None and not self.features.delete_purge:
            raise param_error(purge=NOT_IN_SCHEMA)
        sid = self.parse_sid(sid)
        if sid not in self.resources:
            raise die("cannot delete service '{0}', not HA managed!".format(sid))
        with self.locked('delete resource failed'):
            del self.resources[sid]
            if self.features.delete_purge and (purge is None or as_bool(purge)):
                for rid in list(self.rules):
                    members = self.rules[rid]['resources']
                    if sid in members:
                        members.remove(sid)
                        if not members:
                            del self.rules[rid]
        return sid

    # ------------------------------------------------------------------ rules

    def _rules_gate(self, verb=None):
        if not self.features.rules_api:
            return False
        if verb and not self.groups_migrated:
            raise die('cannot {0} ha rule: ha groups have not been migrated yet'.format(verb))
        return True

    def group_rules(self):
        """Rules PVE 9 derives in memory from groups not yet migrated (ha-group-<name>, Groups.pm)."""
        derived = {}
        if self.groups_migrated or not self.features.rules_api:
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

    def feasibility(self, rules):
        """The API's check: over the nodes in manager_status (none before a first CRM master)."""
        return check_feasibility(rules, list(self.manager_nodes()), self.features.merged_positive_checks)

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
        errors = self.feasibility(rules)
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
        errors = self.feasibility(rules)
        return self.rule_view(rid, rules[rid], list(rules).index(rid) + 1, self.digest('rules'), errors.get(rid))

    def _rule_type(self, values):
        """The `type` every rules POST and PUT must name (the isolated section schema's type property)."""
        rtype = values.get('type')
        if rtype is None:
            raise param_error(type='property is missing and it is not optional')
        if rtype not in RULE_TYPES:
            raise param_error(type="value '{0}' does not have a value in the enumeration '{1}'".format(
                rtype, ', '.join(RULE_TYPES)))
        return rtype

    def _rule_allowed(self, rtype):
        allowed = RULE_OPTIONS[rtype]
        if rtype == 'node-affinity' and not self.features.node_affinity_affinity:
            allowed = tuple(k for k in allowed if k != 'affinity')
        return allowed

    def _rule_options(self, rtype, values, creating):
        """Schema checks (HTTP 400, before any lock), then the values as stored."""
        allowed = self._rule_allowed(rtype)
        extra = dict((k, NOT_IN_SCHEMA) for k in ('nodes', 'strict', 'affinity') if k not in allowed and k in values)
        if extra:
            raise param_error(**extra)
        missing = [k for k in (('resources', 'nodes') if rtype == 'node-affinity' else ('resources', 'affinity'))
                   if creating and values.get(k) is None]
        if missing:
            raise param_error(**dict((k, 'property is missing and it is not optional') for k in missing))
        if values.get('affinity') is not None and values['affinity'] not in ('positive', 'negative'):
            raise param_error(affinity="value '{0}' does not have a value in the enumeration 'positive, negative'"
                              .format(values['affinity']))
        if values.get('nodes') is not None:
            self.check_node_format(values['nodes'])
        opts = {}
        for key in allowed:
            if values.get(key) is None:
                continue
            if key == 'resources':
                items = split_list(values[key])
                if any(':' not in item for item in items):  # pve-ha-resource-id-list takes no bare VMIDs
                    raise param_error(resources='invalid format - value does not look like a valid ha resource id')
                opts[key] = sorted(set(self.parse_sid(s) for s in items))
            elif key == 'nodes':
                opts[key] = parse_node_list(values[key])
            else:
                opts[key] = typed_value(key, values[key])
        if 'disable' in opts and not opts['disable']:
            del opts['disable']   # PVE drops a false `disable`: only delete=disable re-enables a rule
        if 'strict' in opts and not opts['strict']:
            opts['strict'] = ''   # a false strict is the default, which GET does not show
        return opts

    def _check_rule_refs(self, opts):
        """Inside the lock: non-empty lists (5.1.2+), managed resources, existing nodes."""
        if 'resources' in opts:
            if not opts['resources'] and self.features.empty_rule_lists_refused:
                raise die('no resources were specified')
            unmanaged = [sid for sid in opts['resources'] if sid not in self.resources]
            if unmanaged:
                raise die('cannot use unmanaged resource(s) {0}.'.format(', '.join(sorted(unmanaged))))
        if 'nodes' in opts:
            if not opts['nodes'] and self.features.empty_rule_lists_refused:
                raise die('no nodes were specified')
            known = set(self.node_names())
            missing = sorted(n for n in opts['nodes'] if n not in known)
            if missing:
                raise die('cannot use non-existent node(s) {0}.'.format(', '.join(missing)))

    def _assert_feasible(self, rules, rid):
        """An infeasible rule is a 400 exception; the lock wrapper turns it into '<prefix>: 400 Rule ...'."""
        errors = self.feasibility(dict(rules, **self.group_rules())).get(rid)
        if errors:
            raise PveError(400, "Rule '{0}' is invalid.".format(rid),
                           dict((k, ', '.join(v)) for k, v in errors.items()))

    def _store_rules(self, candidate):
        # Before 5.1.2 an empty list was written; the section then lacks a required key and is not read back.
        self.rules = dict((rid, r) for rid, r in candidate.items() if r.get('resources') and
                          (r['type'] != 'node-affinity' or r.get('nodes')))

    def create_rule(self, values):
        rid, rtype = values['rule'], self._rule_type(values)  # the HTTP schema check comes first
        opts = self._rule_options(rtype, values, creating=True)
        self.check_quorum()
        self._rules_gate('create')
        with self.locked('create ha rule failed'):
            if rid in self.rules:
                raise die("HA rule '{0}' already defined".format(rid))
            self._check_rule_refs(opts)
            candidate = dict(self.rules)
            candidate[rid] = store_options({'type': rtype}, opts)
            self._assert_feasible(candidate, rid)
            self._store_rules(candidate)

    def update_rule(self, values):
        rid, rtype = values['rule'], self._rule_type(values)  # the HTTP schema check comes first
        opts = self._rule_options(rtype, values, creating=False)
        self._rules_gate('update')
        with self.locked('update HA rules failed'):
            self.check_digest('rules', values.get('digest'))
            if rid not in self.rules:
                raise die("HA rule '{0}' does not exist".format(rid))
            rule = dict(self.rules[rid])
            if rtype != rule['type']:
                raise die("unexpected property 'type'")
            if 'resources' not in opts and self.features.rule_put_needs_resources:
                raise die(UNDEF_RESOURCES)
            self._check_rule_refs(opts)
            required = ('resources', 'nodes') if rule['type'] == 'node-affinity' else ('resources', 'affinity')
            for key in check_deletable(values.get('delete'), self._rule_allowed(rule['type']), required=required):
                if key in opts:
                    raise die("cannot set and delete property '{0}' at the same time!".format(key))
                rule.pop(key, None)
            store_options(rule, opts)
            candidate = dict(self.rules)
            candidate[rid] = rule
            self._assert_feasible(candidate, rid)
            self._store_rules(candidate)

    def delete_rule(self, rid):
        # PVE deletes without checking that the rule exists or that groups were migrated.
        with self.locked('delete ha rule failed'):
            self.rules.pop(rid, None)

    # ------------------------------------------------------------- migration

    def migrate_groups(self):
        """What the CRM does once all nodes run PVE 9: groups become ha-group-<g> rules, resources lose `group`."""
        if not self.features.rules_api:
            raise die('groups can only be migrated on PVE 9')
        for rid, rule in self.group_rules().items():
            self.rules[rid] = rule
        for name, group in self.groups.items():
            for opts in self.resources.values():
                if opts.get('group') == name:
                    del opts['group']
                    opts['failback'] = 0 if group.get('nofailback') else 1
        self.groups = {}
