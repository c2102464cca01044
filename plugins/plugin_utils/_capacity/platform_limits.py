# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How many failures quorum and storage survive, whatever the memory.

A failure *unit* is a host, or a whole fault domain (rack, site) when the engine evaluates the
loss of domains. Every figure is the worst case: the units that hurt most fail first.

- Quorum (corosync votequorum): the cluster stays quorate while the votes present reach
  floor(expected_votes / 2) + 1; a QDevice adds its votes. PVE HA recovers only on the quorate
  side, and a node that loses quorum fences itself, so a failure that breaks quorum recovers
  nothing.
- Storage: a pool or datastore survives ``failures_tolerated`` losses of its failure domain
  (Ceph size - min_size over a host domain; vSAN FTT over hosts or fault domains). Storage only
  counts when HA guests depend on it; external shared storage is not listed and not affected.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

UNLIMITED = None  # the factor does not limit (no quorum role, no storage listed)


def quorum_needed(expected_votes):
    """Corosync majority."""
    return expected_votes // 2 + 1


def quorum_figure(model, units, out_of_service=()):
    """Quorum facts and the number of failure units the cluster survives, or None without votes.

    units: list of lists of host names (each unit fails as a whole); out_of_service: hosts that
    are already down for this question (maintenance reboots).
    """
    quorum = model.quorum
    if quorum is None:
        return None
    votes = dict((h.name, h.votes) for h in model.hosts if h.state != 'offline' and h.name not in out_of_service)
    present = sum(votes.values()) + quorum.qdevice_votes
    needed = quorum_needed(quorum.expected_votes)
    losses = sorted((sum(votes.get(name, 0) for name in unit) for unit in units), reverse=True)
    tolerated = -1
    lost = 0
    if present >= needed:
        tolerated = 0
        for loss in losses:
            if present - lost - loss < needed:
                break
            lost += loss
            tolerated += 1
    return {
        'expected_votes': quorum.expected_votes,
        'qdevice_votes': quorum.qdevice_votes,
        'quorum': needed,
        'votes_present': present,
        'tolerated': tolerated,
        'unit_votes': losses,  # votes per failure unit, largest first
    }


def storage_figures(model, units, domain_of, down=()):
    """Per storage that HA guests depend on: the failure units it survives.

    units: list of lists of host names; domain_of: {host: fault domain} (a host without one is its
    own domain); down: hosts already out (offline, maintenance reboots), which use up the budget.
    """
    ha_guests = set(g.id for g in model.guests if g.ha and g.running)
    rows = []
    for storage in model.storage:
        members = ha_guests if storage.guests is None else ha_guests.intersection(storage.guests)
        if not members:
            continue
        if storage.failure_domain == 'host':
            losses = sorted((len(unit) for unit in units), reverse=True)
            lost = len(set(down))
        else:
            losses = sorted((len(set(domain_of.get(name, name) for name in unit)) for unit in units), reverse=True)
            lost = len(set(domain_of.get(name, name) for name in down))
        tolerated = 0 if lost <= storage.failures_tolerated else -1
        for loss in losses if tolerated == 0 else ():
            if lost + loss > storage.failures_tolerated:
                break
            lost += loss
            tolerated += 1
        rows.append({
            'name': storage.name,
            'failures_tolerated': storage.failures_tolerated,
            'failure_domain': storage.failure_domain,
            'ha_guests': len(members),
            'tolerated': tolerated,
        })
    return rows
