#!/usr/bin/env bash
# Lay the checkout out as .cache/tree/ansible_collections/clusterops/ha, the path that
# ansible-test and collection imports require. A copy (not a symlink): ansible-test
# resolves the working directory, so a symlink would lead it back out of the tree.
# Prints the path of the collection inside the tree.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$here/.cache/tree/ansible_collections/clusterops/ha"
mkdir -p "$dest"
rsync -a --delete \
  --exclude '/.git/' --exclude '/.venv/' --exclude '/.cache/' --exclude '/tests/output/' \
  --exclude '__pycache__/' --exclude '.pytest_cache/' --exclude '.hypothesis/' \
  --filter 'P /tests/output/' \
  "$here/" "$dest/"
echo "$dest"
