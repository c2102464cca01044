# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Capacity model: validation and normalisation into frozen dataclasses, engine options, memory units.

Pure Python, no Ansible import, no I/O. The model shape is documented in docs/capacity-model.md.
"""

from __future__ import absolute_import, division, print_function

import math
from dataclasses import dataclass
from fractions import Fraction

__metaclass__ = type

VIEWS = ('configured', 'reserved')
HOST_STATES = ('online', 'maintenance', 'offline')
CRS_MODES = ('basic', 'static', 'dynamic')
STORAGE_DOMAINS = ('host', 'fault_domain')


class CapacityModelError(ValueError):
    """The capacity model or an engine option is malformed; the message names field and fix."""


@dataclass(frozen=True)
class Host:
    name: str
    memory_mb: int
    reserved_mb: int
    state: str
    votes: int = 0  # quorum votes (proxmox: 1 unless given; other platforms: 0 = no quorum role)
    fault_domain: str = None  # rack/site/vSAN fault domain, or None
    cpus: int = None  # logical CPUs (PVE static scheduler), or None when unknown


@dataclass(frozen=True)
class Guest:
    id: str
    name: str
    host: str
    running: bool
    ha: bool
    memory_mb: int
    reservation_mb: int
    overhead_mb: int
    allowed_hosts: tuple  # sorted host names, or None for "any host"
    host_priority: tuple  # sorted (host, priority) pairs
    anti_affinity: tuple  # sorted labels
    keep_together: tuple = ()  # sorted labels: guests sharing one are kept on one host
    occupies_host: bool = True  # holds affinity and scheduler load on its host (default: running)
    cpus: float = None  # vCPUs (PVE static scheduler), or None when unknown


@dataclass(frozen=True)
class Quorum:
    expected_votes: int  # votes the cluster expects (hosts plus QDevice)
    qdevice_votes: int


@dataclass(frozen=True)
class Storage:
    name: str
    failures_tolerated: int
    failure_domain: str  # host | fault_domain
    guests: tuple  # guest ids, or None for every guest


@dataclass(frozen=True)
class Model:
    platform: str
    cluster: str
    hosts: tuple  # Host, sorted by name
    guests: tuple  # Guest, sorted by id
    quorum: Quorum = None  # None: quorum plays no part (no host votes)
    storage: tuple = ()  # Storage, sorted by name
    crs: str = 'basic'  # PVE cluster resource scheduler mode
    crs_counts_non_ha: bool = True  # PVE scheduler counts running non-HA guests (pve-ha-manager >= 5.1.2)


# ---------------------------------------------------------------------------
# Validation and normalisation
# ---------------------------------------------------------------------------

def _fail(message):
    raise CapacityModelError('capacity model: ' + message)


def _mib(value, field, fix):
    """Return value as a non-negative int number of MiB, or fail naming the field."""
    if isinstance(value, bool):
        value = None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        _fail('%s must be a non-negative integer number of MiB, got %r; %s.' % (field, value, fix))
    return value


def _flag(value, field, default):
    if value is None:
        return default
    if not isinstance(value, bool):
        _fail('%s must be true or false, got %r; give a boolean.' % (field, value))
    return value


def _count(value, field, fix):
    """A non-negative integer (votes, CPUs, failures), or fail naming the field."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _fail('%s must be a non-negative integer, got %r; %s.' % (field, value, fix))
    return value


def _text(value, field, fix):
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == '':
        _fail('%s must be a non-empty string, got %r; %s.' % (field, value, fix))
    return str(value)


def _normalize_host(index, raw, default_votes):
    where = 'hosts[%d]' % index
    if not isinstance(raw, dict):
        _fail('%s must be a mapping with name and memory_mb, got %r; fix the host entry.' % (where, raw))
    name = _text(raw.get('name'), where + '.name', 'give every host its node name')
    fix = "fix the memory reported for host '%s'" % name
    memory = _mib(raw.get('memory_mb'), where + '.memory_mb', fix)
    reserved = _mib(raw.get('reserved_mb', 0) or 0, where + '.reserved_mb', fix)
    if reserved > memory:
        _fail("%s.reserved_mb (%d) exceeds memory_mb (%d) for host '%s'; lower reserved_mb." % (where, reserved, memory, name))
    state = raw.get('state', 'online') or 'online'
    if state not in HOST_STATES:
        _fail("%s.state is %r for host '%s'; use one of online, maintenance, offline." % (where, state, name))
    votes = raw.get('votes')
    votes = default_votes if votes is None else _count(votes, where + '.votes', "give host '%s' its corosync votes" % name)
    domain = raw.get('fault_domain')
    domain = None if domain in (None, '') else _text(domain, where + '.fault_domain', 'name the rack or site')
    cpus = raw.get('cpus')
    cpus = None if cpus is None else _count(cpus, where + '.cpus', "give the logical CPU count of host '%s'" % name)
    return Host(name=name, memory_mb=memory, reserved_mb=reserved, state=state, votes=votes, fault_domain=domain, cpus=cpus)


def _normalize_host_list(value, field, known, guest_id):
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        _fail("%s must be a list of host names for guest '%s', got %r; write it as a YAML list." % (field, guest_id, value))
    names = set()
    for item in value:
        name = _text(item, field, 'list host names only')
        if name not in known:
            _fail("%s names unknown host '%s' for guest '%s'; list only hosts from hosts[].name." % (field, name, guest_id))
        names.add(name)
    return tuple(sorted(names))


def _normalize_priority(value, field, known, guest_id):
    if value is None:
        return ()
    if not isinstance(value, dict):
        _fail("%s must be a mapping host: priority for guest '%s', got %r; write it as {host: number}." % (field, guest_id, value))
    pairs = []
    for name, prio in value.items():
        name = _text(name, field, 'use host names as keys')
        if name not in known:
            _fail("%s names unknown host '%s' for guest '%s'; use only hosts from hosts[].name." % (field, name, guest_id))
        if isinstance(prio, str) and prio.strip().isdigit():
            prio = int(prio.strip())
        if isinstance(prio, bool) or not isinstance(prio, int) or prio < 0:
            _fail("%s.%s must be a non-negative integer for guest '%s', got %r; use 0 or more (higher is preferred)." % (field, name, guest_id, prio))
        pairs.append((name, prio))
    return tuple(sorted(pairs))


def _normalize_labels(value, field, guest_id):
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        _fail("%s must be a list of labels for guest '%s', got %r; write it as a YAML list." % (field, guest_id, value))
    return tuple(sorted(set(_text(label, field, 'use non-empty label strings') for label in value)))


def _normalize_guest(index, raw, known):
    where = 'guests[%d]' % index
    if not isinstance(raw, dict):
        _fail('%s must be a mapping with id, host and memory_mb, got %r; fix the guest entry.' % (where, raw))
    gid = _text(raw.get('id'), where + '.id', 'give every guest its platform id (vm:100, vm-42)')
    host = _text(raw.get('host'), where + '.host', "give the host guest '%s' runs on" % gid)
    if host not in known:
        _fail("%s.host '%s' is not a known host; add '%s' to hosts or correct the host of guest '%s'." % (where, host, host, gid))
    fix = "fix the memory of guest '%s'" % gid
    memory = _mib(raw.get('memory_mb'), where + '.memory_mb', fix)
    reservation = _mib(raw.get('reservation_mb', 0) or 0, where + '.reservation_mb', fix)
    if reservation > memory:
        _fail("%s.reservation_mb (%d) exceeds memory_mb (%d) for guest '%s'; lower the reservation." % (where, reservation, memory, gid))
    name = raw.get('name')
    running = _flag(raw.get('running'), where + '.running', True)
    return Guest(
        id=gid,
        name=gid if name in (None, '') else str(name),
        host=host,
        running=running,
        ha=_flag(raw.get('ha'), where + '.ha', True),
        memory_mb=memory,
        reservation_mb=reservation,
        overhead_mb=_mib(raw.get('overhead_mb', 0) or 0, where + '.overhead_mb', fix),
        allowed_hosts=_normalize_host_list(raw.get('allowed_hosts'), where + '.allowed_hosts', known, gid),
        host_priority=_normalize_priority(raw.get('host_priority'), where + '.host_priority', known, gid),
        anti_affinity=_normalize_labels(raw.get('anti_affinity'), where + '.anti_affinity', gid),
        keep_together=_normalize_labels(raw.get('keep_together'), where + '.keep_together', gid),
        occupies_host=_flag(raw.get('occupies_host'), where + '.occupies_host', running),
        cpus=_cpus(raw.get('cpus'), where + '.cpus', gid),
    )


def _cpus(value, field, guest_id):
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        _fail("%s must be a non-negative number of vCPUs for guest '%s', got %r; use the guest's vCPU count." % (field, guest_id, value))
    return float(value)


def _normalize_quorum(raw, hosts):
    """Quorum from hosts' votes and the optional quorum mapping; None when no host votes."""
    raw = raw or {}
    if not isinstance(raw, dict):
        _fail('quorum must be a mapping with expected_votes and qdevice_votes, got %r; write it as a YAML mapping.' % (raw,))
    qdevice = _count(raw.get('qdevice_votes') or 0, 'quorum.qdevice_votes', 'give the QDevice votes (usually 1) or 0')
    total = sum(h.votes for h in hosts) + qdevice
    expected = raw.get('expected_votes')
    expected = total if expected is None else _count(expected, 'quorum.expected_votes', 'give corosync expected_votes')
    if expected == 0:
        return None
    return Quorum(expected_votes=expected, qdevice_votes=qdevice)


def _normalize_storage(index, raw, guest_ids):
    where = 'storage[%d]' % index
    if not isinstance(raw, dict):
        _fail('%s must be a mapping with name and failures_tolerated, got %r; fix the storage entry.' % (where, raw))
    name = _text(raw.get('name'), where + '.name', 'name the pool or datastore')
    tolerated = _count(raw.get('failures_tolerated'), where + '.failures_tolerated',
                       "give the failures storage '%s' survives (Ceph size - min_size, vSAN FTT)" % name)
    domain = raw.get('failure_domain') or 'host'
    if domain not in STORAGE_DOMAINS:
        _fail("%s.failure_domain is %r for storage '%s'; use host or fault_domain." % (where, domain, name))
    members = raw.get('guests', 'all')
    if members in ('all', None):
        members = None
    elif isinstance(members, (list, tuple)) and not isinstance(members, str):
        members = tuple(sorted(set(_text(g, where + '.guests', 'list guest ids') for g in members)))
        for gid in members:
            if gid not in guest_ids:
                _fail("%s.guests names unknown guest '%s' for storage '%s'; list ids from guests[].id or use all." % (where, gid, name))
    else:
        _fail("%s.guests must be a list of guest ids or 'all' for storage '%s', got %r; write a YAML list or all." % (where, name, members))
    return Storage(name=name, failures_tolerated=tolerated, failure_domain=domain, guests=members)


def normalize_model(model):
    """Validate a capacity model (dict) and return a Model with hosts and guests sorted."""
    if isinstance(model, dict) and 'capacity_model' in model and 'hosts' not in model:
        model = model['capacity_model']  # accept an info module's whole result too
    if not isinstance(model, dict):
        _fail('expected a mapping with hosts and guests, got %s; pass the capacity_model returned by an info module.' % type(model).__name__)
    raw_hosts = model.get('hosts')
    if not isinstance(raw_hosts, (list, tuple)) or not raw_hosts:
        _fail("'hosts' is missing or empty; give at least one host with name and memory_mb.")
    platform = str(model.get('platform') or '')
    default_votes = 1 if platform == 'proxmox' else 0  # corosync: one vote per node unless configured
    hosts = [_normalize_host(i, h, default_votes) for i, h in enumerate(raw_hosts)]
    known = set()
    for i, host in enumerate(hosts):
        if host.name in known:
            _fail("hosts[%d].name '%s' appears twice; list each host once." % (i, host.name))
        known.add(host.name)
    raw_guests = model.get('guests')
    if raw_guests is None:
        raw_guests = []
    if not isinstance(raw_guests, (list, tuple)):
        _fail("'guests' must be a list, got %s; give a list of guests (it may be empty)." % type(raw_guests).__name__)
    guests = [_normalize_guest(i, g, known) for i, g in enumerate(raw_guests)]
    seen = set()
    for i, guest in enumerate(guests):
        if guest.id in seen:
            _fail("guests[%d].id '%s' appears twice; list each guest once." % (i, guest.id))
        seen.add(guest.id)
    raw_storage = model.get('storage') or []
    if not isinstance(raw_storage, (list, tuple)):
        _fail("'storage' must be a list, got %s; give a list of pools/datastores (it may be empty)." % type(raw_storage).__name__)
    storage = [_normalize_storage(i, s, seen) for i, s in enumerate(raw_storage)]
    crs = model.get('crs') or 'basic'
    if crs not in CRS_MODES:
        _fail("crs is %r; use basic, static or dynamic (the PVE cluster resource scheduler mode)." % (crs,))
    cluster = model.get('cluster') or ''
    return Model(
        platform=platform,
        cluster=str(cluster),
        hosts=tuple(sorted(hosts, key=lambda h: h.name)),
        guests=tuple(sorted(guests, key=lambda g: g.id)),
        quorum=_normalize_quorum(model.get('quorum'), hosts),
        storage=tuple(sorted(storage, key=lambda s: s.name)),
        crs=crs,
        crs_counts_non_ha=_flag(model.get('crs_counts_non_ha'), 'crs_counts_non_ha', True),
    )


def check_options(host_failures, view, reserve_percent):
    """Validate the engine options; return them normalised."""
    if isinstance(host_failures, str) and host_failures.strip().isdigit():
        host_failures = int(host_failures.strip())
    if isinstance(host_failures, bool) or not isinstance(host_failures, int) or host_failures < 0:
        raise CapacityModelError('host_failures must be a non-negative integer, got %r; use 1 for N+1.' % (host_failures,))
    if view not in VIEWS:
        raise CapacityModelError("view must be 'configured' or 'reserved', got %r; use 'configured' unless you mean vSphere reservations." % (view,))
    if isinstance(reserve_percent, str):
        try:
            reserve_percent = float(reserve_percent)
        except ValueError:
            pass
    if isinstance(reserve_percent, bool) or not isinstance(reserve_percent, (int, float)) or not 0 <= reserve_percent < 100:
        raise CapacityModelError('reserve_percent must be a number from 0 to below 100, got %r; use 0 for no extra margin.' % (reserve_percent,))
    if isinstance(reserve_percent, float) and reserve_percent.is_integer():
        reserve_percent = int(reserve_percent)
    return host_failures, view, reserve_percent


# ---------------------------------------------------------------------------
# Memory per guest and per host, and how MiB are printed
# ---------------------------------------------------------------------------

def guest_demand(guest, view):
    """Memory a guest needs in MiB under the chosen view."""
    base = guest.memory_mb if view == 'configured' else guest.reservation_mb
    return base + guest.overhead_mb


def host_capacity(host, reserve_percent):
    """Usable MiB of an online host after the safety margin (0 for hosts that carry none)."""
    if host.state != 'online':
        return 0
    usable = host.memory_mb - host.reserved_mb
    # Exact rational arithmetic: float rounding would make e.g. 1.1 % of 22000 MiB 243 MiB, one MiB too many.
    share = Fraction(reserve_percent) if isinstance(reserve_percent, int) else Fraction(repr(float(reserve_percent)))
    return usable - math.ceil(usable * share / 100)


def ceil_div(numerator, denominator):
    return -(-numerator // denominator)


def format_mb(mb):
    """'49152 MiB (48.0 GiB)'; negative values keep their sign."""
    return '%d MiB (%.1f GiB)' % (mb, mb / 1024.0)
