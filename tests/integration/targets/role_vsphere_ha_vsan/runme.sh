#!/usr/bin/env bash
# The vsphere_ha role on the simulated vSAN cluster: the seed's vSAN rules end to end.
# A management-network isolation address and a missing address are refused before any
# reconfigure; the deprecated vsphere_ha_vsan_prefix_length only warns; a comma string of
# vSAN addresses is applied as addresses (one reconfigure, read back), and a second run
# changes nothing.
set -euo pipefail
config="$(cd ../.. && pwd)/integration_config.yml"
play() { ansible-playbook -i localhost, -c local -e '{"ansible_python_interpreter": "{{ ansible_playbook_python }}"}' -e "@$config" "$@"; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
grep -q "^sim_vcsim_vsan:" "$config" || { echo "sim_vcsim_vsan is not in integration_config.yml (start it with simctl)"; exit 1; }
flat() { tr -s ' \n' ' ' < "$out"; }
# The control playbook of role_vsphere_ha, pointed at the vSAN simulator.
control() { play ../role_vsphere_ha/control.yml -e sim_name=vcsim_vsan "$@"; }

control -e action=reset
echo "== no isolation address on a vSAN cluster is refused before any reconfigure"
if play harden.yml > "$out"; then echo "not refused"; exit 1; fi
flat | grep -q "Preflight refused HA on this cluster: vsan_isolation_address: no isolation address given"
control -e action=writes -e expect=zero

echo "== a management-network isolation address is refused; the old prefix variable only warns"
if play harden.yml -e '{"vsphere_ha_isolation_addresses": ["10.20.0.1"], "vsphere_ha_vsan_prefix_length": 16}' > "$out"; then
  echo "not refused"; exit 1
fi
flat | grep -q "WARNING vsphere_ha_vsan_prefix_length is deprecated and ignored"
flat | grep -q "isolation address(es) 10.20.0.1 not in a vSAN VMkernel subnet (192.168.50.0/24)"
control -e action=writes -e expect=zero

echo "== vSAN addresses given as a comma string are applied as addresses and read back"
play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.1,192.168.50.2 | tee "$out"
flat | grep -q "isolation address(es) 192.168.50.1, 192.168.50.2 on the vSAN network (192.168.50.0/24)"
grep -q "Verified - every requested HA setting reads back as asked" "$out"
control -e action=writes -e expect=one

echo "== a second run changes nothing"
control -e action=clear
play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.1,192.168.50.2 | tee "$out"
grep -Eq "localhost +: ok=[0-9]+ +changed=0 " "$out"
control -e action=writes -e expect=zero
control -e action=reset
