#!/usr/bin/env bash
# The proxmox_ha role end to end on the simulated PVE 9 and PVE 8 clusters:
# check mode (zero writes) -> real run (writes, verified read-back) -> second run (no change,
# zero writes) -> a cluster without N+1 headroom refused before any write.
set -euo pipefail
config="$(cd ../.. && pwd)/integration_config.yml"
play() { ansible-playbook -i localhost, -c local -e '{"ansible_python_interpreter": "{{ ansible_playbook_python }}"}' -e "@$config" "$@"; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT

for sim in sim_pve9 sim_pve8; do
  grep -q "^$sim:" "$config" || { echo "$sim is not in integration_config.yml (start it with simctl)"; exit 1; }
  scenario="$( [ "$sim" = sim_pve9 ] && echo pve9-3node || echo pve8-3node )"
  extra=()
  [ "$sim" = sim_pve9 ] && extra=(-e @rules_pve9.yml)
  play control.yml -e sim="$sim" -e sim_action=reset -e scenario="$scenario"

  echo "== $sim: check mode writes nothing"
  play harden.yml -e sim="$sim" "${extra[@]}" --check --diff | tee "$out"
  grep -q "CHECK MODE, nothing was written" "$out"
  play control.yml -e sim="$sim" -e sim_action=writes -e expect=zero

  echo "== $sim: the real run writes and verifies"
  play harden.yml -e sim="$sim" "${extra[@]}" | tee "$out"
  grep -q "Verified:" "$out"
  if [ "$sim" = sim_pve9 ]; then grep -q "rules db-apart" "$out"; fi
  play control.yml -e sim="$sim" -e sim_action=writes -e expect=some
  play control.yml -e sim="$sim" -e sim_action=state

  echo "== $sim: a second run changes nothing"
  play control.yml -e sim="$sim" -e sim_action=clear
  play harden.yml -e sim="$sim" "${extra[@]}" | tee "$out"
  grep -Eq "localhost +: ok=[0-9]+ +changed=0 " "$out"
  grep -q "Changed: nothing" "$out"
  play control.yml -e sim="$sim" -e sim_action=writes -e expect=zero
done

echo "== a cluster without N+1 headroom is refused before any write"
play control.yml -e sim=sim_pve9 -e sim_action=reset -e scenario=pve9-nocapacity
# That cluster has other guests: the listed VMIDs 100/102 would be refused as unknown first.
if play harden.yml -e sim=sim_pve9 -e '{"proxmox_ha_resources": []}' > "$out"; then
  echo "the role did not refuse a cluster without N+1 headroom"; exit 1
fi
grep -q "NOT sufficient for 1 host failure" "$out"
play control.yml -e sim=sim_pve9 -e sim_action=writes -e expect=zero

echo "== a failed preflight check (too few nodes for the asked minimum) refuses before any write"
play control.yml -e sim=sim_pve9 -e sim_action=reset -e scenario=pve9-3node
if play harden.yml -e sim=sim_pve9 -e proxmox_ha_min_nodes=4 > "$out"; then
  echo "the role did not refuse a cluster with too few nodes"; exit 1
fi
grep -q "Preflight refused HA on this cluster: min_nodes" "$out"
play control.yml -e sim=sim_pve9 -e sim_action=writes -e expect=zero

echo "== a strict negative node-affinity rule confines the guest in the gate too (refused: pve3 down strands vm:105)"
play control.yml -e sim=sim_pve9 -e sim_action=reset -e scenario=pve9-3node
if play harden.yml -e sim=sim_pve9 -e @strict_negative_pve9.yml > "$out"; then
  echo "the gate did not see the strict negative node-affinity rule"; exit 1
fi
grep -q "NOT sufficient for 1 host failure" "$out"
play control.yml -e sim=sim_pve9 -e sim_action=writes -e expect=zero

echo "== a resource naming a VMID the cluster lacks is refused before any write, in one sentence"
play control.yml -e sim=sim_pve9 -e sim_action=reset -e scenario=pve9-nocapacity
if play harden.yml -e sim=sim_pve9 > "$out"; then
  echo "the role did not refuse an unknown VMID"; exit 1
fi
grep -q "proxmox_ha_resources\[0\].sid '100' names VMID 100, which does not exist" "$out"
play control.yml -e sim=sim_pve9 -e sim_action=writes -e expect=zero
play control.yml -e sim=sim_pve9 -e sim_action=reset -e scenario=pve9-3node
