# -*- coding: utf-8 -*-
# Copyright: (c) 2026, clusterops.ha maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HA resources the proxmox_ha role converges, and the HA resources the cluster has after the run.

desired_resources: proxmox_ha_resources (a bare VMID takes the guest type the cluster reports, so
"104" of a container is ct:104), plus every running guest when proxmox_ha_protect_running_guests is
on; explicit entries win field by field. The seed's nofailback advice becomes failback=false on
PVE 9 resources that do not say otherwise; PVE 8 resources have no failback field.

projected_resources: the module's own planner (plan_resources) applied to the info result, so
merged/replaced/overridden mean here exactly what the resources module then does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.clusterops.ha.plugins.plugin_utils._pve_role import domain as d


def desired_resources(info, resources, protect_running_guests=False, resource_state='started', nofailback=True):
    """The list of resource entries (module `config` items, sid normalised) the role converges."""
    types = d.guest_types(info)
    with_failback = d.platform(info)['failback']
    items, seen = [], set()
    for index, entry in enumerate(resources or []):
        entry = d.given(entry)
        sid = d.normalize_sid(entry.get('sid'), types, '%s[%d].sid' % (d.RESOURCES_VAR, index))
        if sid in seen:
            raise d.HaInputError("%s lists %s twice (entry %d); give each resource once." % (d.RESOURCES_VAR, sid, index))
        seen.add(sid)
        items.append(dict(entry, sid=sid))
    if protect_running_guests:
        guests = (info.get('capacity_model') or {}).get('guests') or []
        for guest in sorted(guests, key=lambda g: g['id']):
            if guest.get('running', True) and guest['id'] not in seen:
                items.append(dict(sid=guest['id']))
                seen.add(guest['id'])
    out = []
    for item in items:
        resource = dict(state=resource_state)
        if with_failback:
            resource['failback'] = not nofailback
        resource.update(item)
        if not with_failback:
            resource.pop('failback', None)
        out.append(resource)
    return out


def projected_resources(info, desired, mode):
    """{sid: canonical resource} as the cluster holds them after the resources task in this mode."""
    canonical = d.canonical_resources(desired, d.guest_types(info))
    return d.plan_resources(d.current_resources(info), canonical, mode)['after']


def removed_sids(info, desired, mode):
    """HA resources the run deletes (overridden mode: every one not listed)."""
    after = projected_resources(info, desired, mode)
    return d.sort_sids(sid for sid in d.current_resources(info) if sid not in after)


def ha_protected_sids(info, desired, mode):
    """Guests HA-protected once the run is done: HA resources whose requested state is started."""
    return d.sort_sids(sid for sid, res in projected_resources(info, desired, mode).items() if res['state'] == 'started')
