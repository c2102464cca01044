"""The execution environment definition: `ansible-builder create` succeeds and the build context
carries the collection's run-time needs (no container engine is needed to create the context)."""

import os
import subprocess

import yaml

from e2e_support import ROOT, tool

EE_FILE = os.path.join(ROOT, 'extensions', 'ee', 'execution-environment.yml')


def read(path):
    with open(path, encoding='utf-8') as handle:
        return handle.read()


def requirement_names(text):
    names = set()
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if line:
            names.add(line.split('>')[0].split('<')[0].split('=')[0].split('[')[0].strip().lower())
    return names


def test_ansible_builder_create(tmp_path):
    context = tmp_path / 'context'
    proc = subprocess.run([tool('ansible-builder'), 'create', '-f', EE_FILE, '-c', str(context),
                           '--output-filename', 'Containerfile', '-v', '3'],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = read(context / 'Containerfile')
    assert 'EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    build = context / '_build'
    python = requirement_names(read(build / 'requirements.txt'))
    assert {'proxmoxer', 'pyvmomi', 'requests'} <= python
    assert 'ca-certificates' in read(build / 'bindep.txt')
    galaxy = yaml.safe_load(read(build / 'requirements.yml'))
    assert [c['name'] for c in galaxy['collections']] == ['clusterops.ha']


def test_collection_ee_metadata_lists_what_the_modules_import():
    meta = yaml.safe_load(read(os.path.join(ROOT, 'meta', 'execution-environment.yml')))
    assert meta['dependencies'] == {'python': 'meta/ee-requirements.txt', 'system': 'meta/ee-bindep.txt'}
    ee_python = requirement_names(read(os.path.join(ROOT, 'meta', 'ee-requirements.txt')))
    runtime = requirement_names(read(os.path.join(ROOT, 'requirements.txt')))
    # The EE gets exactly the collection's run-time requirements, nothing test-only.
    assert ee_python == runtime
    assert 'pytest' not in ee_python
