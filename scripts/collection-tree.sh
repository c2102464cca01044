#!/usr/bin/env bash
# Lay the checkout out as .../ansible_collections/clusterops/ha, the path that
# ansible-test and collection imports require, and print that path.
#
# The tree is a copy (not a symlink: ansible-test resolves the working directory) and
# it lives OUTSIDE the git checkout: inside it, ansible-test would list files through
# the checkout's git, where the ignored copy has none, and silently skip every test.
# .cache/tree in the checkout is a symlink to it, for convenience.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
key="$(printf '%s' "$here" | sha256sum | cut -c1-12)"
root="${CLUSTEROPS_TREE_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/clusterops-ha/tree-$key}"
dest="$root/ansible_collections/clusterops/ha"
mkdir -p "$dest" "$here/.cache"
if [ -d "$here/.cache/tree" ] && [ ! -L "$here/.cache/tree" ]; then
  rm -rf "$here/.cache/tree"          # a copy from before the tree moved out
fi
ln -sfn "$root" "$here/.cache/tree"
rsync -a --delete \
  --exclude '/.git/' --exclude '/.venv' --exclude '/.venv-core216' --exclude '/.venv-newest' --exclude '/.cache/' --exclude '/tests/output/' \
  --exclude '__pycache__/' --exclude '.pytest_cache/' --exclude '.hypothesis/' \
  --filter 'P /tests/output/' \
  "$here/" "$dest/"
echo "$dest"
