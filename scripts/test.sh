#!/usr/bin/env bash
# Run every test of clusterops.ha on this machine: set up (scripts/bootstrap.sh), then
# the stages below, each against the copy of the collection at
# .cache/tree/ansible_collections/clusterops/ha. Every stage runs even when an earlier
# one failed; the exit status is non-zero when any stage failed.
#
#   scripts/test.sh                                   # everything
#   STAGES="units integration" scripts/test.sh        # a subset
#   TARGETS="proxmox_ha_group" STAGES=integration scripts/test.sh
#   STAGES=compat scripts/test.sh                     # sanity, units, integration, reliability, e2e on ansible-core 2.16
#   STAGES=newest scripts/test.sh                     # the same on the newest ansible-core (Python 3.12+)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here" || exit 1

STAGES="${STAGES:-sanity units simulators integration e2e reliability compat newest lint benchmarks}"
TARGETS="${TARGETS:-}"
SIMS="${SIMS:-pve9 pve8 pve84 pve90 pve91 pve92 vcsim vcsim_vsan}"
py="$here/.venv/bin/python"
venv_bin="$here/.venv/bin"

scripts/bootstrap.sh || { echo "bootstrap failed"; exit 1; }
tree="$(scripts/collection-tree.sh)"
export PATH="$venv_bin:$PATH"
# ansible-test reads no PIP_* variables, the collection needs no Galaxy access, and
# every test talks to loopback only.
export ANSIBLE_COLLECTIONS_PATH="$here/.cache/tree"
export ANSIBLE_FORCE_COLOR=0
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"

passed=0; failed=0; failed_names=()
run_stage() {
  local name="$1"; shift
  printf '\n===== stage %s =====\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1)); printf '===== stage %s passed (%ss)\n' "$name" $((SECONDS - start))
  else
    failed=$((failed + 1)); failed_names+=("$name"); printf '===== stage %s FAILED (%ss)\n' "$name" $((SECONDS - start))
  fi
}

stage_sanity() {
  (cd "$tree" && "$venv_bin/ansible-test" sanity --local --python 3.11 --color no)
}

stage_units() {
  (cd "$tree" && "$venv_bin/ansible-test" units --local --python 3.11 --color no)
}

stage_simulators() {
  "$py" -m pytest -q -p no:cacheprovider tests/simulators
}

stage_integration() {
  local rc=0
  local sims targets
  read -ra sims <<< "$SIMS"
  read -ra targets <<< "$TARGETS"
  "$py" tests/simulators/simctl.py up "${sims[@]}" || return 1
  # The collection tree holds a copy of the repository: refresh it so that it carries the
  # integration_config.yml simctl just wrote.
  scripts/collection-tree.sh >/dev/null
  (cd "$tree" && "$venv_bin/ansible-test" integration --local --python 3.11 --color no "${targets[@]}") || rc=$?
  "$py" tests/simulators/simctl.py down
  return $rc
}

# --- other ansible-core releases: the oldest that meta/runtime.yml promises (>=2.16.0) and the newest --
# Each has a virtualenv of its own, built here rather than in bootstrap.sh: only its stage
# needs it, and the demo and every other stage should not pay for it. A hash stamp (as
# bootstrap.sh keeps for .venv) rebuilds it when its requirements or its interpreter
# change. The simulators still run from the main .venv.
core_venv_ready() {  # VENV REQUIREMENTS PYTHON
  local venv="$1" requirements="$2" python="$3" stamp="$1/.requirements.sha" want
  want="$( (cat requirements.txt "$requirements"; "$python" -VV) | sha256sum | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  echo "--- building $venv from $requirements with $("$python" -V 2>&1)"
  rm -rf "$venv"
  "$python" -m venv "$venv" || return 1
  "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null || return 1
  "$venv/bin/python" -m pip install -q -r "$requirements" || return 1
  echo "$want" > "$stamp"
}

# Integration targets on another release: ansible-test puts that release's ansible-playbook
# first on PATH; ANSIBLE_COLLECTIONS_PATH already points at the collection tree.
core_integration() {  # VENV PYTHON_VERSION SIMS TARGETS
  local venv="$1" version="$2" rc=0 sims targets
  read -ra sims <<< "$3"
  read -ra targets <<< "$4"
  "$py" tests/simulators/simctl.py up "${sims[@]}" || return 1
  scripts/collection-tree.sh >/dev/null
  (cd "$tree" && PATH="$venv/bin:$PATH" "$venv/bin/ansible-test" integration --local --python "$version" --color no "${targets[@]}") || rc=1
  "$py" tests/simulators/simctl.py down
  return $rc
}

# The reliability suite drives that release's ansible-playbook (tests/reliability/harness.py).
core_reliability() {  # VENV
  RELIABILITY_ANSIBLE_BIN="$1/bin" "$py" -m pytest -q -p no:cacheprovider tests/reliability
}

# Whole playbooks end to end with that release's ansible-playbook (tests/e2e/e2e_support.py); the
# test of the execution-environment definition does not run ansible-core and is left to stage e2e.
core_e2e() {  # VENV
  "$1/bin/python" -c 'import ansible.release as r; print("e2e: ansible-core", r.__version__)'
  E2E_ANSIBLE_BIN="$1/bin" "$py" -m pytest -q -p no:cacheprovider tests/e2e \
    --ignore=tests/e2e/test_execution_environment.py
}

# compat: ansible-core 2.16 on the main .venv's Python 3.11. Every integration target runs on
# the newest release below; here the role targets and the bulk resources module, to keep the
# CI run short (COMPAT_TARGETS="" runs them all).
compat_venv="$here/.venv-core216"
COMPAT_TARGETS="${COMPAT_TARGETS-role_proxmox_ha proxmox_ha_resources role_vsphere_ha}"
COMPAT_SIMS="${COMPAT_SIMS:-pve9 pve8 vcsim}"

stage_compat() {
  local rc=0
  "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "the main .venv is not Python 3.11"; return 1; }
  core_venv_ready "$compat_venv" tests/requirements-core216.txt "$(readlink -f "$py")" || return 1
  "$compat_venv/bin/python" -c 'import ansible.release as r; print("compat: ansible-core", r.__version__)'
  (cd "$tree" && "$compat_venv/bin/ansible-test" sanity --local --python 3.11 --color no) || rc=1
  (cd "$tree" && "$compat_venv/bin/ansible-test" units --local --python 3.11 --color no) || rc=1
  core_integration "$compat_venv" 3.11 "$COMPAT_SIMS" "$COMPAT_TARGETS" || rc=1
  core_reliability "$compat_venv" || rc=1
  core_e2e "$compat_venv" || rc=1
  return $rc
}

# newest: the newest ansible-core, which needs Python 3.12+ on the controller. NEWEST_PYTHON
# names the interpreter; else the newest python3.13/3.12 on PATH or under pyenv is taken.
newest_venv="$here/.venv-newest"
NEWEST_TARGETS="${NEWEST_TARGETS:-}"
NEWEST_SIMS="${NEWEST_SIMS:-$SIMS}"

newest_python() {
  local candidate
  for candidate in "${NEWEST_PYTHON:-}" python3.13 python3.12 \
      "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.13*/bin/python \
      "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.12*/bin/python; do
    [ -n "$candidate" ] || continue
    candidate="$(command -v "$candidate" 2>/dev/null)" || continue
    "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$candidate"; return 0; }
  done
  return 1
}

stage_newest() {
  local rc=0 python version
  python="$(newest_python)" || {
    echo "no Python 3.12 or later found for ansible-core 2.21: set NEWEST_PYTHON to one"; return 1; }
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  core_venv_ready "$newest_venv" tests/requirements-newest.txt "$python" || return 1
  "$newest_venv/bin/python" -c 'import ansible.release as r, sys; print("newest: ansible-core", r.__version__, "on Python", sys.version.split()[0])'
  (cd "$tree" && "$newest_venv/bin/ansible-test" sanity --local --python "$version" --color no) || rc=1
  (cd "$tree" && "$newest_venv/bin/ansible-test" units --local --python "$version" --color no) || rc=1
  core_integration "$newest_venv" "$version" "$NEWEST_SIMS" "$NEWEST_TARGETS" || rc=1
  core_reliability "$newest_venv" || rc=1
  core_e2e "$newest_venv" || rc=1
  return $rc
}

stage_e2e() {
  # Whole playbooks end to end: site.yml through ansible-runner, the capacity report in
  # headless Chromium, ansible-builder on the execution-environment definition.
  "$py" -m pytest -q -p no:cacheprovider tests/e2e
}

stage_reliability() {
  # Check mode, idempotency, bad input, faults, partial failure, concurrency, secrets.
  "$py" -m pytest -q -p no:cacheprovider tests/reliability
}

stage_lint() {
  if [ ! -x "$venv_bin/ansible-lint" ]; then
    echo "ansible-lint is not installed (tests/requirements-lint.txt)"; return 1
  fi
  (cd "$tree" && "$venv_bin/ansible-lint" --offline) || return 1
  # Plugin, module and role documentation as the Ansible docsite builds it.
  (cd "$tree" && "$venv_bin/antsibull-docs" lint-collection-docs --plugin-docs .)
}

stage_benchmarks() {
  # Smoke runs: a broken benchmark fails the tests, a slow one never does.
  local rc=0 script
  for script in tests/benchmarks/bench_*.py; do
    [ -e "$script" ] || continue
    echo "--- $script --quick"
    "$py" "$script" --quick || rc=1
  done
  return $rc
}

trap '"$py" tests/simulators/simctl.py down >/dev/null 2>&1' EXIT
for stage in $STAGES; do
  case "$stage" in
    sanity|units|simulators|integration|e2e|compat|newest|reliability|lint|benchmarks) run_stage "$stage" "stage_$stage" ;;
    *) echo "unknown stage: $stage"; failed=$((failed + 1)); failed_names+=("$stage") ;;
  esac
done

printf '\n'
[ "$failed" -eq 0 ] || echo "failed stages: ${failed_names[*]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
