#!/usr/bin/env bash
# The demo: set up, start a simulated PVE 9 cluster, a simulated PVE 8 cluster and a
# simulated vSphere (vSAN) cluster, run the hardening playbook against all three
# (playbooks/site.yml), print the result, and stop the simulators again.
#
#   scripts/demo.sh                 # harden all three simulated clusters
#   DEMO_PLAYBOOK=playbooks/capacity_report.yml scripts/demo.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

playbook="${DEMO_PLAYBOOK:-playbooks/site.yml}"
sims="${DEMO_SIMS:-pve9 pve8 vcsim_vsan}"

scripts/bootstrap.sh
scripts/collection-tree.sh >/dev/null
py="$here/.venv/bin/python"
trap '"$py" tests/simulators/simctl.py down' EXIT

read -ra sim_names <<< "$sims"
"$py" tests/simulators/simctl.py up "${sim_names[@]}"
export ANSIBLE_COLLECTIONS_PATH="$here/.cache/tree"
export ANSIBLE_CONFIG="$here/playbooks/ansible.cfg"
# Two inventory sources: simctl's endpoints and credentials, and the overlay that says
# what a real inventory would (guests to protect, vSAN isolation address, names).
"$here/.venv/bin/ansible-playbook" -i tests/output/sims/inventory.yml -i playbooks/inventories/simulated \
  "$playbook" "$@"
