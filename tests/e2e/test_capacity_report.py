"""capacity_report.yml end to end: simulated clusters -> report files -> rendered in headless Chromium.

Checks that the page renders to a non-blank screenshot with the chart's colours, that the
chart's numbers (the SVG rects' data-mb and their widths) match the JSON report, that the
worst-failure stacking agrees with the engine's own totals, and that the page is
self-contained (no script, no network fetch) and the run wrote nothing to any cluster.
"""

import json
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from e2e_support import reset, run_playbook, write_inventory, writes

CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']
WINDOW = (1000, 2600)
COLOURS = {'committed': (0x2f, 0x6f, 0xb0), 'headroom': (0x7c, 0xc3, 0x8f), 'displaced': (0xf0, 0xa0, 0x30),
           'overflow': (0xd9, 0x30, 0x25)}


def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail('Chromium is not installed; scripts/bootstrap.sh installs the Debian package chromium.')


def run_chromium(args, profile):
    command = [chromium()] + CHROMIUM_FLAGS + ['--user-data-dir=%s' % profile] + args
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


def decode_png(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes)."""
    with open(path, 'rb') as handle:
        data = handle.read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG file'
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', chunk)
        elif kind == b'IDAT':
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _comp, _filter, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, 'unexpected PNG format %s' % (header,)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _row in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xff
        elif kind == 2:
            for i in range(stride):
                line[i] = (line[i] + previous[i]) & 0xff
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xff
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 0xff
        rows.append([tuple(line[i:i + 3]) for i in range(0, stride, channels)])
        previous = line
    return width, height, rows


class ChartParser(HTMLParser):
    """Collects the SVG rects (with their data attributes) per cluster section, and every script/link/img."""

    def __init__(self):
        super().__init__()
        self.rects = {}
        self.cluster = None
        self.external = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'svg' and 'data-cluster' in attrs:
            self.cluster = attrs['data-cluster']
            self.rects[self.cluster] = {'mb_per_px': float(attrs['data-mb-per-px']), 'rects': []}
        elif tag == 'rect' and self.cluster and 'data-kind' in attrs:
            self.rects[self.cluster]['rects'].append({
                'section': attrs['data-section'], 'host': attrs['data-host'], 'kind': attrs['data-kind'],
                'mb': int(attrs['data-mb']), 'width': float(attrs['width'])})
        if tag in ('script', 'link', 'img', 'iframe', 'object', 'embed'):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == 'svg':
            self.cluster = None


@pytest.fixture(scope='module')
def report(simulators, collections_path, tmp_path_factory):
    """Run capacity_report.yml on four simulated clusters, one of them without N+1 headroom."""
    folder = tmp_path_factory.mktemp('report')
    reset(simulators['pve9'], 'pve9-nocapacity')
    reset(simulators['pve8'])
    reset(simulators['vcsim_vsan'])
    reset(simulators['vcsim'])
    inventory = write_inventory(folder / 'inventory.yml', {
        'tight-pve9': (simulators['pve9'], {}), 'lab-pve8': (simulators['pve8'], {}),
        'vsan': (simulators['vcsim_vsan'], {}), 'compute': (simulators['vcsim'], {})})
    out_dir = folder / 'out'
    proc = run_playbook('capacity_report.yml', [inventory], collections_path, ['-e', 'capacity_report_dir=%s' % out_dir])
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    with open(out_dir / 'capacity-report.json', encoding='utf-8') as handle:
        data = json.load(handle)
    yield {'dir': out_dir, 'json': data, 'html': out_dir / 'capacity-report.html', 'stdout': proc.stdout,
           'writes': dict((name, writes(sim)) for name, sim in simulators.items())}
    reset(simulators['pve9'])


def test_report_is_read_only_and_covers_every_cluster(report):
    assert report['writes'] == {'pve9': 0, 'pve8': 0, 'vcsim_vsan': 0, 'vcsim': 0}
    clusters = dict((entry['inventory_host'], entry) for entry in report['json']['clusters'])
    assert sorted(clusters) == ['compute', 'lab-pve8', 'tight-pve9', 'vsan']
    assert clusters['tight-pve9']['result']['ok'] is False
    assert clusters['lab-pve8']['result']['ok'] is True
    assert clusters['vsan']['platform'] == 'vsphere'
    markdown = (report['dir'] / 'capacity-report.md').read_text(encoding='utf-8')
    for entry in clusters.values():
        assert '## %s' % entry['cluster'] in markdown
        assert entry['result']['summary'] in markdown
    assert '| tight9 | proxmox | REFUSED | 0 |' in markdown


def test_page_is_self_contained(report):
    html = report['html'].read_text(encoding='utf-8')
    parser = ChartParser()
    parser.feed(html)
    assert parser.external == []
    urls = [part.split('"')[0] for part in html.split('http')[1:]]
    assert all(url.startswith('://www.w3.org/2000/svg') for url in urls), urls
    assert len(parser.rects) == 4


def test_rendered_page_shows_the_chart(report, tmp_path):
    shot = tmp_path / 'shot.png'
    run_chromium(['--window-size=%d,%d' % WINDOW, '--hide-scrollbars', '--screenshot=%s' % shot,
                  'file://%s' % report['html']], str(tmp_path / 'profile'))
    width, height, rows = decode_png(str(shot))
    assert (width, height) == WINDOW
    counts = {}
    white = 0
    for row in rows:
        for pixel in row:
            counts[pixel] = counts.get(pixel, 0) + 1
            if pixel == (255, 255, 255):
                white += 1
    total = width * height
    assert white < 0.95 * total, 'the screenshot is (almost) blank'
    assert len(counts) > 20, 'the screenshot has hardly any colours'
    for kind, colour in COLOURS.items():
        # Every bar kind is drawn in its own colour; the refused cluster brings the overflow red.
        assert counts.get(colour, 0) > 200, '%s colour %s hardly visible (%d px)' % (kind, colour, counts.get(colour, 0))


def test_chart_numbers_match_the_json(report, tmp_path):
    dom = run_chromium(['--dump-dom', 'file://%s' % report['html']], str(tmp_path / 'profile')).stdout.decode()
    parser = ChartParser()
    parser.feed(dom)
    for entry in report['json']['clusters']:
        chart = parser.rects[entry['cluster']]
        rects = chart['rects']
        for rect in rects:
            # Bars are drawn to scale: width = MiB / (MiB per px).
            assert abs(rect['width'] - rect['mb'] / chart['mb_per_px']) < 0.05, rect
        now = dict(((r['host'], r['kind']), r['mb']) for r in rects if r['section'] == 'now')
        for host in entry['result']['hosts']:
            assert now[(host['name'], 'usable')] == host['capacity_mb']
            assert now[(host['name'], 'committed')] == host['committed_mb']
            assert now.get((host['name'], 'headroom'), 0) == max(0, host['free_mb'])
        worst = entry['result']['worst_scenario']
        survivors = entry['chart']['worst']['hosts']
        stacked = 0
        for row in survivors:
            mine = [r for r in rects if r['section'] == 'worst' and r['host'] == row['host']]
            assert [r['mb'] for r in mine if r['kind'] == 'usable'] == [row['usable_mb']]
            assert [r['mb'] for r in mine if r['kind'] == 'committed'] == [row['committed_mb']]
            guests = sum(r['mb'] for r in mine if r['kind'] in ('displaced', 'overflow'))
            overcommitted = max(0, row['committed_mb'] - row['usable_mb'])
            assert guests == row['displaced_mb'] + overcommitted
            assert sum(r['mb'] for r in mine if r['kind'] == 'overflow') == row['overflow_mb'] + overcommitted
            stacked += row['displaced_mb']
        homeless = sum(g['mb'] for g in entry['chart']['worst']['not_placed_anywhere'])
        # Everything the engine says is displaced in the worst scenario is drawn somewhere.
        assert stacked + homeless == worst['displaced_mb']
        if entry['result']['ok']:
            assert not [r for r in rects if r['kind'] == 'overflow']
        else:
            assert sum(r['mb'] for r in rects if r['kind'] == 'overflow') > 0
