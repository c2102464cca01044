#!/usr/bin/env bash
# The vsphere_ha role end to end on the simulated vCenter: check mode (no reconfigure) ->
# real run (one reconfigure, read back) -> second run (no reconfigure) -> refusals (capacity
# gate, N+0, preflight) before any reconfigure; a comma string of addresses is a list.
set -euo pipefail
config="$(cd ../.. && pwd)/integration_config.yml"
play() { ansible-playbook -i localhost, -c local -e '{"ansible_python_interpreter": "{{ ansible_playbook_python }}"}' -e "@$config" "$@"; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
grep -q "^sim_vcsim:" "$config" || { echo "sim_vcsim is not in integration_config.yml (start it with simctl)"; exit 1; }

play control.yml -e sim_action=reset
echo "== check mode sends no reconfigure"
play harden.yml --check --diff | tee "$out"
grep -q "CHECK MODE, nothing was written" "$out"
grep -q "Would change: HA settings in one reconfigure" "$out"
play control.yml -e sim_action=writes -e expect=zero

echo "== the real run sends one reconfigure and reads it back"
play harden.yml | tee "$out"
grep -q "Verified - every requested HA setting reads back as asked" "$out"
# Admission control derived from the capacity model: 1 of 3 equal hosts = 34 % (rounded up).
grep -Eq 'cpu_percent[^0-9]+34[^0-9]+memory_percent[^0-9]+34' "$out"
# Heartbeat datastores count when two hosts of THIS cluster mount them (the info module's mounted_by).
grep -Eq "heartbeat_datastores +2 non-vSAN datastore\(s\) mounted by at least two hosts of this cluster" "$out"
# Not a vSAN cluster: the hosts' HA agents are left alone unless vsphere_ha_reconfigure_hosts says otherwise.
grep -q "Hosts reconfigured for HA: none (reconfigure_hosts is never)" "$out"
play control.yml -e sim_action=writes -e expect=one

echo "== a second run changes nothing"
play control.yml -e sim_action=clear
play harden.yml | tee "$out"
grep -Eq "localhost +: ok=[0-9]+ +changed=0 " "$out"
play control.yml -e sim_action=writes -e expect=zero

echo "== the capacity gate refuses 3 host failures on 3 hosts before any reconfigure"
play control.yml -e sim_action=reset
if play harden.yml -e vsphere_ha_host_failures=3 > "$out"; then echo "not refused"; exit 1; fi
grep -q "NOT sufficient for 3 host failure" "$out"
play control.yml -e sim_action=writes -e expect=zero

echo "== N+0 is refused as no failover protection before any reconfigure"
if play harden.yml -e vsphere_ha_host_failures=0 > "$out"; then echo "not refused"; exit 1; fi
grep -q "Preflight refused HA on this cluster: failover_protection: vsphere_ha_host_failures is 0 (N+0)" "$out"
play control.yml -e sim_action=writes -e expect=zero

echo "== a comma-separated string of isolation addresses means the addresses (check mode)"
play harden.yml --check -e vsphere_ha_isolation_addresses=192.0.2.1,192.0.2.2 | tee "$out"
# The summary prints the applied settings as JSON inside a JSON string (quotes escaped).
grep -qF 'isolation_addresses\": [\"192.0.2.1\", \"192.0.2.2\"]' "$out"
play control.yml -e sim_action=writes -e expect=zero

echo "== a failed preflight check refuses before any reconfigure"
if play harden.yml -e vsphere_ha_min_hosts=4 > "$out"; then echo "not refused"; exit 1; fi
grep -q "Preflight refused HA on this cluster: min_hosts" "$out"
play control.yml -e sim_action=writes -e expect=zero
play control.yml -e sim_action=reset
