#!/usr/bin/env bash
# The vsphere_ha role on the simulated vSAN cluster: the seed's vSAN rules end to end.
# A management-network isolation address and a missing address are refused before any
# reconfigure; the deprecated vsphere_ha_vsan_prefix_length only warns; a comma string of
# vSAN addresses is applied as addresses (one reconfigure, read back, every host's HA agent
# reconfigured), and a second run changes nothing. Issue 14: an isolation change without
# host reconfigure leaves the agents stale, the role's default reconfigures them; host
# monitoring off / restart priority disabled are refused; per-VM overrides are applied in one
# reconfigure and read back; a 2-node cluster needs vsphere_ha_vsan_witness.
set -euo pipefail
config="$(cd ../.. && pwd)/integration_config.yml"
play() { ansible-playbook -i localhost, -c local -e '{"ansible_python_interpreter": "{{ ansible_playbook_python }}"}' -e "@$config" "$@"; }
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
grep -q "^sim_vcsim_vsan:" "$config" || { echo "sim_vcsim_vsan is not in integration_config.yml (start it with simctl)"; exit 1; }
flat() { tr -s ' \n' ' ' < "$out"; }
# The control playbook of role_vsphere_ha, pointed at the vSAN simulator.
control() { play ../role_vsphere_ha/control.yml -e sim_name=vcsim_vsan "$@"; }

control -e sim_action=reset
echo "== no isolation address on a vSAN cluster is refused before any reconfigure"
if play harden.yml > "$out"; then echo "not refused"; exit 1; fi
flat | grep -q "Preflight refused HA on this cluster: vsan_isolation_address: no isolation address given"
control -e sim_action=writes -e expect=zero

echo "== a management-network isolation address is refused; the old prefix variable only warns"
if play harden.yml -e '{"vsphere_ha_isolation_addresses": ["10.20.0.1"], "vsphere_ha_vsan_prefix_length": 16}' > "$out"; then
  echo "not refused"; exit 1
fi
flat | grep -q "WARNING vsphere_ha_vsan_prefix_length is deprecated and ignored"
flat | grep -q "isolation address(es) 10.20.0.1 not in a vSAN VMkernel subnet (192.168.50.0/24)"
control -e sim_action=writes -e expect=zero

echo "== host monitoring off and restart priority disabled are refused on vSAN before any reconfigure"
if play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.1 -e vsphere_ha_host_monitoring=false \
     -e vsphere_ha_restart_priority=disabled > "$out"; then echo "not refused"; exit 1; fi
flat | grep -q "vsan_host_monitoring: host monitoring off (on wanted: without it no isolation response happens)"
flat | grep -q "vsan_restart_priority: default restart priority disabled"
control -e sim_action=writes -e expect=zero

echo "== vSAN addresses given as a comma string are applied as addresses, read back, the hosts reconfigured"
play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.1,192.168.50.2 | tee "$out"
flat | grep -q "isolation address(es) 192.168.50.1, 192.168.50.2 on the vSAN network (192.168.50.0/24)"
flat | grep -q "PASS vsan_min_hosts 4 connected vSAN host(s), at least 3 needed"
flat | grep -q "heartbeat datastore(s) shared-nfs01 (not vSAN, mounted by at least two hosts of this cluster)"
grep -q "Verified - every requested HA setting reads back as asked" "$out"
flat | grep -q "Hosts reconfigured for HA (changed: isolation_addresses, use_default_isolation_address): vsan01.lab.local reconfigured; vsan02.lab.local reconfigured; vsan03.lab.local reconfigured; vsan04.lab.local reconfigured"
control -e sim_action=writes -e expect=one
control -e sim_action=agents -e expect=reconfigured

echo "== an isolation change without host reconfigure leaves the HA agents stale; the role's default fixes them"
play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.3 -e vsphere_ha_reconfigure_hosts=never | tee "$out"
flat | grep -q "Hosts reconfigured for HA: none (reconfigure_hosts is never)"
control -e sim_action=agents -e expect=stale
play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.1,192.168.50.2 | tee "$out"
flat | grep -q "Hosts reconfigured for HA (changed: isolation_addresses): vsan01.lab.local reconfigured"
control -e sim_action=agents -e expect=reconfigured

echo "== a second run changes nothing"
control -e sim_action=clear
play harden.yml -e vsphere_ha_isolation_addresses=192.168.50.1,192.168.50.2 | tee "$out"
grep -Eq "localhost +: ok=[0-9]+ +changed=0 " "$out"
flat | grep -q "Hosts reconfigured for HA: none (no isolation setting changed)"
control -e sim_action=writes -e expect=zero

echo "== per-VM overrides: check mode writes nothing, the real run one reconfigure read back, a second run nothing"
overrides='{"vsphere_ha_isolation_addresses": ["192.168.50.1", "192.168.50.2"], "vsphere_ha_vm_overrides": [{"vm": "k8s01", "restart_priority": "disabled"}, {"vm": "k8s02", "restart_priority": "highest", "isolation_response": "shutdown"}]}'
control -e sim_action=clear
play harden.yml --check -e "$overrides" | tee "$out"
flat | grep -q "VM overrides that would change (merged): added k8s01, k8s02"
control -e sim_action=writes -e expect=zero
play harden.yml -e "$overrides" | tee "$out"
flat | grep -q "VM overrides (merged): added k8s01, k8s02"
grep -q "So does every per-VM override" "$out"
control -e sim_action=writes -e expect=one
control -e sim_action=clear
play harden.yml -e "$overrides" | tee "$out"
grep -Eq "localhost +: ok=[0-9]+ +changed=0 " "$out"
flat | grep -q "VM overrides: 2 VM(s) already as asked"
control -e sim_action=writes -e expect=zero

echo "== a bad override is refused naming the variable, before any write"
if play harden.yml -e '{"vsphere_ha_isolation_addresses": ["192.168.50.1"], "vsphere_ha_vm_overrides": [{"restart_priority": "high"}]}' > "$out"; then
  echo "not refused"; exit 1
fi
flat | grep -q "vsphere_ha_vm_overrides\[0\]"
control -e sim_action=writes -e expect=zero

echo "== 2-node vSAN (witness traffic on the management vmknic): 2 hosts need vsphere_ha_vsan_witness"
robo='{"vsphere_ha_datacenter": "DC-ROBO", "vsphere_ha_cluster": "ROBO-Cluster", "vsphere_ha_isolation_addresses": ["172.16.10.6"]}'
control -e sim_action=reset -e scenario=vsphere-vsan-2node
if play harden.yml -e "$robo" > "$out"; then echo "not refused"; exit 1; fi
flat | grep -q "vsan_min_hosts: 2 connected vSAN host(s); vSAN needs 3, or 2 with a witness host"
if play harden.yml -e "$robo" -e vsphere_ha_vsan_witness=true -e vsphere_ha_isolation_addresses=10.30.0.1 > "$out"; then
  echo "not refused"; exit 1
fi
flat | grep -q "isolation address(es) 10.30.0.1 not in a vSAN VMkernel subnet (172.16.10.0/29)"
control -e sim_action=writes -e expect=zero
play harden.yml --check -e "$robo" -e vsphere_ha_vsan_witness=true | tee "$out"
flat | grep -q "PASS vsan_min_hosts 2 connected vSAN hosts and a witness host (vsphere_ha_vsan_witness)"
control -e sim_action=writes -e expect=zero
control -e sim_action=reset
