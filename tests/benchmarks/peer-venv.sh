#!/usr/bin/env bash
# Create the virtualenv the community ("peer") side of bench_vs_community.py runs in:
# the PyPI package ansible 12.3.0 (it bundles community.proxmox, community.vmware and
# vmware.vmware) plus the client libraries those modules import. It is kept apart from
# .venv so that the peers run with their own ansible-core and collections, not ours.
# Idempotent: does nothing when the venv already holds what this script pins.
#
#   tests/benchmarks/peer-venv.sh            # creates/refreshes tests/output/peer-venv
#   PEER_VENV=/some/dir tests/benchmarks/peer-venv.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="${PEER_VENV:-$here/tests/output/peer-venv}"
python_bin="${PYTHON:-python3.11}"
command -v "$python_bin" >/dev/null || python_bin=python3

# What the peer side is measured with; change it here and the stamp makes the venv refresh.
packages=(ansible==12.3.0 proxmoxer==2.3.0 pyvmomi==9.1.1.0 requests)
want="$(printf '%s\n' "${packages[@]}" | sha256sum | cut -d' ' -f1)"
stamp="$venv/.peer-packages.sha"

if [ -x "$venv/bin/ansible-playbook" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
printf '== peer-venv: installing %s into %s\n' "${packages[*]}" "$venv" >&2
[ -x "$venv/bin/python" ] || "$python_bin" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${packages[@]}"
echo "$want" > "$stamp"
