#!/usr/bin/env bash
# Set up everything the demo and the tests need, idempotently, on a fresh machine:
# a Python 3.11 virtualenv, the Debian packages (Go + govmomi source for the vSphere
# simulator, Chromium for the report test), the simulator build and the collection tree.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

log() { printf '== bootstrap: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------
apt_packages=(golang-go golang-github-vmware-govmomi-dev rsync shellcheck)
if [ "${CLUSTEROPS_WITH_CHROMIUM:-1}" = 1 ]; then
  apt_packages+=(chromium)
fi
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    log "missing Debian packages: ${missing[*]} (run as root or install them)"; exit 1
  fi
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python virtualenv -----------------------------------------------------
python_bin="${PYTHON:-python3.11}"
command -v "$python_bin" >/dev/null || python_bin=python3
if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $python_bin"
  "$python_bin" -m venv .venv
fi
stamp=.venv/.requirements.sha
want="$(cat requirements.txt tests/requirements.txt tests/requirements-lint.txt 2>/dev/null | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "installing Python requirements"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -r tests/requirements.txt
  if [ -f tests/requirements-lint.txt ]; then
    .venv/bin/python -m pip install -q -r tests/requirements-lint.txt
  fi
  echo "$want" > "$stamp"
fi

# --- ansible-test bootstrap --------------------------------------------------
# ansible-test --local/--venv downloads get-pip.py from a host this machine cannot
# reach. A local stand-in that uses ensurepip does the same job; it is written only
# when the cache does not already hold one. The file is named after the pip version
# each ansible-test pins: 23.1.2 (2.16, stage compat), 24.2 (2.19, .venv), 25.2 (2.21,
# stage newest).
getpip_marker="clusterops.ha stand-in v2"
for pip_version in 23_1_2 24_2 25_2; do
  getpip="$HOME/.ansible/test/cache/get_pip_${pip_version}.py"
  grep -q "$getpip_marker" "$getpip" 2>/dev/null && continue
  mkdir -p "$(dirname "$getpip")"
  cat > "$getpip" <<PY
# $getpip_marker, written by scripts/bootstrap.sh:
# bootstrap pip from the interpreter's bundled wheel instead of downloading get-pip.py,
# then install the pip version ansible-test asked for from the configured index.
import os
import subprocess
import sys

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade'])
# get-pip.py's own flags mean nothing to 'pip install'.
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel', '--disable-pip-version-check')]
if args:
    cert = '/etc/ssl/certs/ca-certificates.crt'
    extra = ['--cert', cert] if os.path.exists(cert) else []
    subprocess.check_call([sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check'] + extra + args)
PY
done

# --- vSphere simulator -------------------------------------------------------
if [ -x tests/simulators/vcsim/build.sh ]; then
  tests/simulators/vcsim/build.sh
fi

# --- collection tree for ansible-test ----------------------------------------
scripts/collection-tree.sh >/dev/null
log "ready"
