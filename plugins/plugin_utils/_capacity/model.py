# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Capacity model: validation and normalisation into frozen dataclasses, engine options, memory units.

Pure Python, no Ansible import, no I/O. The model shape is documented in docs/capacity-model.md.
"""

from __future__ import absolute_import, division, print_function

import math
from dataclasses import dataclass

__metaclass__ = type

VIEWS = ('configured', 'reserved')
HOST_STATES = ('online', 'maintenance', 'offline')


class CapacityModelError(ValueError):
    """The capacity model or an engine option is malformed; the message names field and fix."""


@dataclass(frozen=True)
class Host:
    name: str
    memory_mb: int
    reserved_mb: int
    state: str


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


@dataclass(frozen=True)
class Model:
    platform: str
    cluster: str
    hosts: tuple  # Host, sorted by name
    guests: tuple  # Guest, sorted by id


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


def _text(value, field, fix):
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == '':
        _fail('%s must be a non-empty string, got %r; %s.' % (field, value, fix))
    return str(value)


def _normalize_host(index, raw):
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
    return Host(name=name, memory_mb=memory, reserved_mb=reserved, state=state)


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
    return Guest(
        id=gid,
        name=gid if name in (None, '') else str(name),
        host=host,
        running=_flag(raw.get('running'), where + '.running', True),
        ha=_flag(raw.get('ha'), where + '.ha', True),
        memory_mb=memory,
        reservation_mb=reservation,
        overhead_mb=_mib(raw.get('overhead_mb', 0) or 0, where + '.overhead_mb', fix),
        allowed_hosts=_normalize_host_list(raw.get('allowed_hosts'), where + '.allowed_hosts', known, gid),
        host_priority=_normalize_priority(raw.get('host_priority'), where + '.host_priority', known, gid),
        anti_affinity=_normalize_labels(raw.get('anti_affinity'), where + '.anti_affinity', gid),
    )


def normalize_model(model):
    """Validate a capacity model (dict) and return a Model with hosts and guests sorted."""
    if isinstance(model, dict) and 'capacity_model' in model and 'hosts' not in model:
        model = model['capacity_model']  # accept an info module's whole result too
    if not isinstance(model, dict):
        _fail('expected a mapping with hosts and guests, got %s; pass the capacity_model returned by an info module.' % type(model).__name__)
    raw_hosts = model.get('hosts')
    if not isinstance(raw_hosts, (list, tuple)) or not raw_hosts:
        _fail("'hosts' is missing or empty; give at least one host with name and memory_mb.")
    hosts = [_normalize_host(i, h) for i, h in enumerate(raw_hosts)]
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
    platform = model.get('platform') or ''
    cluster = model.get('cluster') or ''
    return Model(
        platform=str(platform),
        cluster=str(cluster),
        hosts=tuple(sorted(hosts, key=lambda h: h.name)),
        guests=tuple(sorted(guests, key=lambda g: g.id)),
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
    if isinstance(reserve_percent, int):
        return usable - ceil_div(usable * reserve_percent, 100)  # exact: no float rounding
    return usable - int(math.ceil(usable * reserve_percent / 100.0))


def ceil_div(numerator, denominator):
    return -(-numerator // denominator)


def format_mb(mb):
    """'49152 MiB (48.0 GiB)'; negative values keep their sign."""
    return '%d MiB (%.1f GiB)' % (mb, mb / 1024.0)

