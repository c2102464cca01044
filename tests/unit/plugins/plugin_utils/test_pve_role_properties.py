# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Properties of the proxmox_ha role's projected model over generated clusters."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from hypothesis import given, settings, strategies as st

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role.projected import projected_model
from ansible_collections.clusterops.ha.tests.unit.plugins.plugin_utils.pve_role_cluster import (
    GUESTS, NODES, pve9, resource, rule)

SIDS = ['%s:%d' % (kind, vmid) for vmid, kind, _name, _node, _mem in GUESTS]
node_sets = st.sets(st.sampled_from(NODES), min_size=1).map(sorted)


@st.composite
def clusters(draw):
    """A migrated PVE 9 cluster with some HA resources and node-/resource-affinity rules over them."""
    managed = sorted(draw(st.sets(st.sampled_from(SIDS), min_size=2)))
    rules, free = [], list(managed)
    for index in range(draw(st.integers(0, 2))):
        members = draw(st.sets(st.sampled_from(free), min_size=1, max_size=2)) if free else set()
        if not members:
            break
        free = [sid for sid in free if sid not in members]
        nodes = dict((node, draw(st.integers(0, 2))) for node in draw(node_sets))
        rules.append(rule('na%d' % index, resources=sorted(members), nodes=nodes, strict=draw(st.booleans()),
                          affinity=draw(st.sampled_from(['positive', 'negative'])), enabled=draw(st.booleans())))
    if draw(st.booleans()):
        rules.append(rule('apart', 'resource-affinity', managed[:2], affinity='negative'))
    states = dict((sid, draw(st.sampled_from(['started', 'stopped']))) for sid in managed)
    return pve9(resources=[resource(sid, state=states[sid]) for sid in managed], rules=rules)


@settings(max_examples=60, deadline=None)
@given(clusters())
def test_a_run_that_changes_nothing_projects_the_cluster_as_the_info_module_maps_it(info):
    assert projected_model(info, [], [], [], 'merged') == info['capacity_model']


@settings(max_examples=60, deadline=None)
@given(clusters(), st.sets(st.sampled_from(SIDS)))
def test_overridden_protects_exactly_the_listed_started_guests(info, listed):
    model = projected_model(info, [{'sid': sid, 'state': 'started'} for sid in sorted(listed)], [], [], 'overridden')
    assert set(g['id'] for g in model['guests'] if g['ha']) == listed
