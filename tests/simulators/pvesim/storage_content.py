"""Storage content as a node sees it: GET /nodes/{node}/storage/{storage}/content.

Upstream (proxmox/pve-storage, read at 0c56bad8, July 2026):
- src/PVE/API2/Storage/Content.pm, method `index`: proxied to the node; lists `volume_list` filtered by
  `content` and `vmid`, drops volumes `check_volume_access` refuses (silently), integer size/used/vmid.
- src/PVE/Storage.pm, `volume_list`: only content types the storage is configured for; sorted by
  lower-cased volid. `check_volume_access`: Datastore.Allocate on the storage sees everything; image and
  rootdir volumes need Datastore.Audit on the storage and VM.Config.Disk on the owning guest.
- src/PVE/Storage/Plugin.pm, `list_volumes`: image volumes of a container are reported as `rootdir`,
  of anything else as `images`.
A local (non-shared) storage holds only the disks of the guests on that node; a shared one shows every
guest's disks from any node. fakepve's own handler lists every guest on every node and cannot see
PveSim's guests (PveSim keeps them in guest_index), hence this route.
"""

from fakepve.model import PveError

TEMPLATE = '/nodes/{node}/storage/{storage}/content'
DISK_KEYS = ('ide', 'sata', 'scsi', 'virtio', 'efidisk', 'tpmstate', 'unused', 'rootfs', 'mp')


def guest_volumes(server, storage, node):
    """{volname: volume} of the guests' disks on `storage` as `node` sees it."""
    shared = bool(server.storages[storage].get('shared'))
    out = {}
    for vmid, (gtype, obj) in server.guest_index.items():
        if not shared and obj.node != node:
            continue
        for key, value in obj.config.items():
            if key.rstrip('0123456789') not in DISK_KEYS:
                continue
            parts = str(value).split(',')
            if not parts[0].startswith(storage + ':'):
                continue
            volname = parts[0][len(storage) + 1:]
            if volname.startswith(('iso/', 'vztmpl/', 'snippets/')):
                continue  # files on the storage, not volumes a guest owns
            size = next((p[5:] for p in parts[1:] if p.startswith('size=')), '0')
            out[volname] = {'content': 'rootdir' if gtype == 'lxc' else 'images', 'vmid': vmid,
                            'format': server._ext_format(volname), 'size': _bytes(size), 'ctime': 0}
    return out


def _bytes(text):
    units = {'K': 1024, 'M': 1024 ** 2, 'G': 1024 ** 3, 'T': 1024 ** 4}
    text = str(text)
    if text[-1:].upper() in units:
        return int(float(text[:-1]) * units[text[-1].upper()])
    return int(text or 0)


def content_list(server, values, user):
    name, node = values['storage'], values['node']
    if node not in server.nodes:
        raise PveError(595, "no such cluster node '{0}'".format(node))
    if not server.nodes[node].get('online', True):
        raise PveError(595, 'No route to host')  # the request is proxied to the node
    store = server._active_store(name, node)
    allowed = [c.strip() for c in str(store.get('content') or '').split(',') if c.strip()]
    wanted = values.get('content')
    volumes = dict(('iso/' + fname, {'content': 'iso', 'format': 'iso', 'size': 0, 'ctime': 0})
                   for fname in sorted(store.get('files') or ()))
    volumes.update(store.get('volumes') or {})
    for volname, vol in guest_volumes(server, name, node).items():
        volumes.setdefault(volname, vol)
    out = []
    for volname, vol in volumes.items():
        if vol['content'] not in allowed or (wanted and vol['content'] != wanted):
            continue
        if values.get('vmid') is not None and vol.get('vmid') != int(values['vmid']):
            continue
        volid = '{0}:{1}'.format(name, volname)
        try:
            server._check_access(user, name, vol['content'], vol.get('vmid'), volid)
        except PveError:
            continue
        out.append(server._item(name, volname, vol))
    return sorted(out, key=lambda item: item['volid'].lower())


def routes(server):
    """API routes (method, template, handler) for the server's route table."""
    return [('GET', TEMPLATE, lambda values, user: content_list(server, values, user))]
