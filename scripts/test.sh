#!/usr/bin/env bash
# Run every test of clusterops.ha on this machine: set up (scripts/bootstrap.sh), then
# the stages below, each against the copy of the collection at
# .cache/tree/ansible_collections/clusterops/ha. Every stage runs even when an earlier
# one failed; the exit status is non-zero when any stage failed.
#
#   scripts/test.sh                                   # everything
#   STAGES="units integration" scripts/test.sh        # a subset
#   TARGETS="proxmox_ha_group" STAGES=integration scripts/test.sh
#   STAGES=compat scripts/test.sh                     # units + role targets on ansible-core 2.16
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here" || exit 1

STAGES="${STAGES:-sanity units simulators integration e2e compat reliability lint benchmarks}"
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

# --- compat: the oldest ansible-core that meta/runtime.yml promises (>=2.16.0) -----------
# A second virtualenv from tests/requirements-core216.txt, built here rather than in
# bootstrap.sh: only this stage needs it, and the demo and every other stage should not
# pay for it. A hash stamp (as bootstrap.sh keeps for .venv) rebuilds it when the
# requirements change. The simulators still run from the main .venv.
compat_venv="$here/.venv-core216"
compat_requirements=(requirements.txt tests/requirements-core216.txt)
COMPAT_TARGETS="${COMPAT_TARGETS:-role_proxmox_ha proxmox_ha_resources role_vsphere_ha}"
COMPAT_SIMS="${COMPAT_SIMS:-pve9 pve8 vcsim}"

compat_venv_ready() {
  local stamp="$compat_venv/.requirements.sha" want
  want="$(cat "${compat_requirements[@]}" | sha256sum | cut -d' ' -f1)"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
  echo "--- building $compat_venv from tests/requirements-core216.txt"
  rm -rf "$compat_venv"
  "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "the main .venv is not Python 3.11"; return 1; }
  "$(readlink -f "$py")" -m venv "$compat_venv" || return 1
  "$compat_venv/bin/python" -m pip install -q --upgrade pip >/dev/null || return 1
  "$compat_venv/bin/python" -m pip install -q -r tests/requirements-core216.txt || return 1
  echo "$want" > "$stamp"
}

stage_compat() {
  local rc=0 sims targets
  compat_venv_ready || return 1
  "$compat_venv/bin/python" -c 'import ansible.release as r; print("compat: ansible-core", r.__version__)'
  read -ra sims <<< "$COMPAT_SIMS"
  read -ra targets <<< "$COMPAT_TARGETS"
  # Units first (no simulators needed), then the role targets against the simulators.
  # ansible-test puts its own ansible-playbook (2.16) first on PATH for the targets.
  (cd "$tree" && "$compat_venv/bin/ansible-test" units --local --python 3.11 --color no) || rc=1
  "$py" tests/simulators/simctl.py up "${sims[@]}" || return 1
  scripts/collection-tree.sh >/dev/null
  (cd "$tree" && PATH="$compat_venv/bin:$PATH" "$compat_venv/bin/ansible-test" integration --local --python 3.11 --color no "${targets[@]}") || rc=1
  "$py" tests/simulators/simctl.py down
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
    sanity|units|simulators|integration|e2e|compat|reliability|lint|benchmarks) run_stage "$stage" "stage_$stage" ;;
    *) echo "unknown stage: $stage"; failed=$((failed + 1)); failed_names+=("$stage") ;;
  esac
done

printf '\n'
[ "$failed" -eq 0 ] || echo "failed stages: ${failed_names[*]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
