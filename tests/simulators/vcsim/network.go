package main

// Host networking facts vSphere HA and vSAN checks read: the VMkernel adapters
// (config.network.vnic), their traffic-type assignment
// (config.virtualNicManagerInfo.netConfig: nicType, candidateVnic, selectedVnic,
// whose keys are "<nicType>.<vnic key>" as in govmomi's simulator/esx template and
// internal.HostSystemManagementIPs), and vsanHostConfig (networkInfo, faultDomainInfo).

import (
	"fmt"
	"net"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// hostIPConfig is an IPv4 address with its mask, or an IPv6 address with its prefix.
func hostIPConfig(address, cidr string) *types.HostIpConfig {
	ip := net.ParseIP(address)
	prefix := 64
	if _, ipnet, err := net.ParseCIDR(cidr); err == nil {
		prefix, _ = ipnet.Mask.Size()
	}
	if ip != nil && ip.To4() == nil {
		return &types.HostIpConfig{IpV6Config: &types.HostIpConfigIpV6AddressConfiguration{
			IpV6Address: []types.HostIpConfigIpV6Address{{
				IpAddress: ip.String(), PrefixLength: int32(prefix), Origin: "manual", DadState: "preferred",
			}},
		}}
	}
	mask := "255.255.255.0"
	if m, err := subnetMask(cidr); err == nil && ip != nil {
		mask = m
	}
	return &types.HostIpConfig{IpAddress: address, SubnetMask: mask}
}

func applyHostNetwork(host *simulator.HostSystem, s *Scenario, index int, spec HostSpec) {
	if len(host.Config.Network.Vnic) > 0 {
		host.Config.Network.Vnic[0].Spec.Ip.IpAddress = spec.ManagementIP
		host.Config.Network.Vnic[0].Spec.Ip.SubnetMask = "255.255.255.0"
	}
	vsanOn := s.Vsan.Enabled && spec.VsanIP != ""
	if vsanOn {
		host.Config.Network.Vnic = append(host.Config.Network.Vnic, types.HostVirtualNic{
			Device:    s.Vsan.VmkDevice,
			Key:       "key-vim.host.VirtualNic-" + s.Vsan.VmkDevice,
			Portgroup: "vSAN",
			Spec: types.HostVirtualNicSpec{
				Ip:  hostIPConfig(spec.VsanIP, s.Vsan.VmkSubnet),
				Mac: fmt.Sprintf("00:50:56:6a:%02x:%02x", (index>>8)&0xff, index&0xff),
				Mtu: 9000,
			},
		})
		ports := []types.VsanHostConfigInfoNetworkInfoPortConfig{{Device: s.Vsan.VmkDevice}}
		if s.Vsan.WitnessDevice != "" {
			ports = append(ports, types.VsanHostConfigInfoNetworkInfoPortConfig{Device: s.Vsan.WitnessDevice})
		}
		host.Config.VsanHostConfig = &types.VsanHostConfigInfo{
			Enabled:     types.NewBool(true),
			HostSystem:  &host.Self,
			NetworkInfo: &types.VsanHostConfigInfoNetworkInfo{Port: ports},
		}
		if domain := s.Vsan.FaultDomains[spec.Name]; domain != "" {
			host.Config.VsanHostConfig.FaultDomainInfo = &types.VsanHostFaultDomainInfo{Name: domain}
		}
	}
	selected := map[string]string{"management": host.Config.Network.Vnic[0].Device}
	if vsanOn {
		selected["vsan"] = s.Vsan.VmkDevice
		if s.Vsan.WitnessDevice != "" {
			selected["vsanWitness"] = s.Vsan.WitnessDevice
		}
	}
	if contains(s.Vsan.UnreadableHosts, spec.Name) {
		host.Config.VirtualNicManagerInfo = nil
		return
	}
	host.Config.VirtualNicManagerInfo = nicManagerInfo(host.Config.Network.Vnic, host.Config.VirtualNicManagerInfo, selected)
}

// nicManagerInfo lists every VMkernel adapter as a candidate of every stock nicType
// and selects the adapters named in selected (nicType -> device).
func nicManagerInfo(vnics []types.HostVirtualNic, stock *types.HostVirtualNicManagerInfo, selected map[string]string) *types.HostVirtualNicManagerInfo {
	nicTypes := []string{"management", "vmotion", "vsan", "vsanWitness", "faultToleranceLogging"}
	if stock != nil && len(stock.NetConfig) > 0 {
		nicTypes = nicTypes[:0]
		for _, nc := range stock.NetConfig {
			nicTypes = append(nicTypes, nc.NicType)
		}
	}
	info := &types.HostVirtualNicManagerInfo{}
	for _, nicType := range nicTypes {
		nc := types.VirtualNicManagerNetConfig{NicType: nicType, MultiSelectAllowed: true}
		for _, v := range vnics {
			candidate := v
			candidate.Key = nicType + "." + v.Key
			nc.CandidateVnic = append(nc.CandidateVnic, candidate)
			if selected[nicType] == v.Device {
				nc.SelectedVnic = append(nc.SelectedVnic, candidate.Key)
			}
		}
		info.NetConfig = append(info.NetConfig, nc)
	}
	return info
}

func contains(list []string, item string) bool {
	for _, x := range list {
		if x == item {
			return true
		}
	}
	return false
}
