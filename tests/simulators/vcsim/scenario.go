package main

// Scenario files: the JSON that selects the simulated inventory.
// Lists may be given literally or as a compact template ("count"/"per_host"),
// which expandScenario turns into literal lists before anything is built.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net"
	"strings"
)

type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type ClusterSpec struct {
	Name       string `json:"name"`
	HAEnabled  bool   `json:"ha_enabled"`
	DRSEnabled *bool  `json:"drs_enabled"`
	// DasOptions are HA advanced options stored at start, as [key, value] pairs in
	// order (the same key may appear in two spellings; an empty value is kept as such).
	DasOptions [][2]string `json:"das_options"`
}

type HostSpec struct {
	Name            string `json:"name"`
	MemoryMB        int64  `json:"memory_mb"`
	CPUCores        int16  `json:"cpu_cores"`
	CPUMhz          int32  `json:"cpu_mhz"`
	ConnectionState string `json:"connection_state"` // connected | disconnected | notResponding
	Maintenance     bool   `json:"maintenance"`
	ManagementIP    string `json:"management_ip"`
	VsanIP          string `json:"vsan_ip"`
}

// HostTemplate expands to Count hosts named NamePrefix01.Domain, NamePrefix02.Domain, ...
type HostTemplate struct {
	Count      int    `json:"count"`
	NamePrefix string `json:"name_prefix"`
	Domain     string `json:"domain"`
	HostSpec
}

type DatastoreSpec struct {
	Name       string `json:"name"`
	Type       string `json:"type"` // VMFS | NFS | NFS41 | vsan
	Shared     bool   `json:"shared"`
	Host       string `json:"host"` // local datastore: the one host that mounts it
	CapacityGB int64  `json:"capacity_gb"`
	FreeGB     int64  `json:"free_gb"`
}

type VMSpec struct {
	Name          string `json:"name"`
	Host          string `json:"host"`
	MemoryMB      int32  `json:"memory_mb"`
	ReservationMB int64  `json:"reservation_mb"`
	OverheadMB    int32  `json:"overhead_mb"`
	CPUs          int32  `json:"cpus"`
	PowerState    string `json:"power_state"` // poweredOn | poweredOff | suspended
	Datastore     string `json:"datastore"`
}

// VMTemplate expands to PerHost VMs on every host.
type VMTemplate struct {
	PerHost    int    `json:"per_host"`
	NamePrefix string `json:"name_prefix"`
	VMSpec
}

type VsanSpec struct {
	Enabled   bool   `json:"enabled"`
	VmkSubnet string `json:"vmk_subnet"` // IPv4 or IPv6 CIDR of the vSAN VMkernel network
	VmkDevice string `json:"vmk_device"`
	// WitnessDevice: the VMkernel adapter tagged for vSAN witness traffic (witness traffic
	// separation on 2-node/stretched clusters, often vmk0 = management). It is also listed
	// in vsanHostConfig.networkInfo.port, which has no traffic type.
	WitnessDevice string `json:"witness_device"`
	// UnreadableHosts: hosts whose config.virtualNicManagerInfo is not reported (as for a
	// host vCenter has no current configuration of), so their vSAN address cannot be read.
	UnreadableHosts []string `json:"unreadable_hosts"`
	// FaultDomains: host name -> vSAN fault domain name (vsanHostConfig.faultDomainInfo).
	FaultDomains map[string]string `json:"fault_domains"`
	// DefaultPolicyFTT: hostFailuresToTolerate of the vSAN default storage policy (reported by /_sim/state only).
	DefaultPolicyFTT *int `json:"default_policy_ftt"`
}

type Scenario struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Credentials Credentials     `json:"credentials"`
	Datacenter  string          `json:"datacenter"`
	Cluster     ClusterSpec     `json:"cluster"`
	Hosts       []HostSpec      `json:"-"`
	Datastores  []DatastoreSpec `json:"datastores"`
	VMs         []VMSpec        `json:"-"`
	Vsan        VsanSpec        `json:"vsan"`

	RawHosts json.RawMessage `json:"hosts"`
	RawVMs   json.RawMessage `json:"vms"`
}

func loadScenario(path string) (*Scenario, error) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseScenario(data)
}

func parseScenario(data []byte) (*Scenario, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("scenario: %v", err)
	}
	if err := expandScenario(&s); err != nil {
		return nil, err
	}
	return &s, validateScenario(&s)
}

func isList(raw json.RawMessage) bool {
	return len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '['
}

func strictUnmarshal(raw json.RawMessage, v interface{}) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// expandScenario fills defaults and turns host/VM templates into literal lists.
func expandScenario(s *Scenario) error {
	if s.Credentials.Username == "" {
		s.Credentials.Username = "user"
	}
	if s.Credentials.Password == "" {
		s.Credentials.Password = "pass"
	}
	if s.Datacenter == "" {
		s.Datacenter = "DC0"
	}
	if s.Cluster.Name == "" {
		s.Cluster.Name = "Cluster0"
	}
	if s.Vsan.VmkDevice == "" {
		s.Vsan.VmkDevice = "vmk1"
	}

	switch {
	case len(s.RawHosts) == 0:
		return fmt.Errorf("scenario: hosts is required (a list or {\"count\": N})")
	case isList(s.RawHosts):
		if err := strictUnmarshal(s.RawHosts, &s.Hosts); err != nil {
			return fmt.Errorf("scenario: hosts: %v", err)
		}
	default:
		var t HostTemplate
		if err := strictUnmarshal(s.RawHosts, &t); err != nil {
			return fmt.Errorf("scenario: hosts: %v", err)
		}
		if t.NamePrefix == "" {
			t.NamePrefix = "esx"
		}
		for i := 1; i <= t.Count; i++ {
			h := t.HostSpec
			h.Name = fmt.Sprintf("%s%02d", t.NamePrefix, i)
			if t.Domain != "" {
				h.Name += "." + t.Domain
			}
			s.Hosts = append(s.Hosts, h)
		}
	}
	for i := range s.Hosts {
		h := &s.Hosts[i]
		if h.MemoryMB == 0 {
			h.MemoryMB = 131072
		}
		if h.CPUCores == 0 {
			h.CPUCores = 16
		}
		if h.CPUMhz == 0 {
			h.CPUMhz = 2600
		}
		if h.ConnectionState == "" {
			h.ConnectionState = "connected"
		}
		if h.ManagementIP == "" {
			h.ManagementIP = fmt.Sprintf("10.0.0.%d", 11+i)
		}
		if s.Vsan.Enabled && h.VsanIP == "" && s.Vsan.VmkSubnet != "" {
			ip, err := nthHostIP(s.Vsan.VmkSubnet, 11+i)
			if err != nil {
				return err
			}
			h.VsanIP = ip
		}
	}

	switch {
	case len(s.RawVMs) == 0:
	case isList(s.RawVMs):
		if err := strictUnmarshal(s.RawVMs, &s.VMs); err != nil {
			return fmt.Errorf("scenario: vms: %v", err)
		}
	default:
		var t VMTemplate
		if err := strictUnmarshal(s.RawVMs, &t); err != nil {
			return fmt.Errorf("scenario: vms: %v", err)
		}
		if t.NamePrefix == "" {
			t.NamePrefix = "vm"
		}
		n := 0
		for _, h := range s.Hosts {
			for i := 0; i < t.PerHost; i++ {
				n++
				vm := t.VMSpec
				vm.Name = fmt.Sprintf("%s%05d", t.NamePrefix, n)
				vm.Host = h.Name
				s.VMs = append(s.VMs, vm)
			}
		}
	}
	for i := range s.VMs {
		vm := &s.VMs[i]
		if vm.MemoryMB == 0 {
			vm.MemoryMB = 4096
		}
		if vm.CPUs == 0 {
			vm.CPUs = 2
		}
		if vm.PowerState == "" {
			vm.PowerState = "poweredOn"
		}
		if vm.OverheadMB == 0 {
			vm.OverheadMB = defaultOverheadMB(vm.MemoryMB, vm.CPUs)
		}
	}
	return nil
}

// defaultOverheadMB is a cheap stand-in for ESXi's per-VM memory overhead
// (tens of MB, growing with configured memory and vCPUs).
func defaultOverheadMB(memoryMB, cpus int32) int32 {
	return 20 + memoryMB/100 + 5*cpus
}

func nthHostIP(cidr string, n int) (string, error) {
	_, ipnet, err := net.ParseCIDR(cidr)
	if err != nil {
		return "", fmt.Errorf("scenario: vsan.vmk_subnet %q is not a CIDR like 192.168.50.0/24 or fd00:50::/64", cidr)
	}
	base := ipnet.IP.To4()
	if base == nil {
		base = ipnet.IP.To16()
	}
	out := make(net.IP, len(base))
	copy(out, base)
	// Add n to the address (n < 65536), carrying over the last two bytes.
	v := int(out[len(out)-2])<<8 | int(out[len(out)-1])
	v += n
	out[len(out)-2], out[len(out)-1] = byte(v>>8), byte(v)
	if !ipnet.Contains(out) {
		return "", fmt.Errorf("scenario: vsan.vmk_subnet %q is too small for %d hosts", cidr, n)
	}
	return out.String(), nil
}

func subnetMask(cidr string) (string, error) {
	_, ipnet, err := net.ParseCIDR(cidr)
	if err != nil {
		return "", err
	}
	return net.IP(ipnet.Mask).String(), nil
}

var validConnectionStates = map[string]bool{"connected": true, "disconnected": true, "notResponding": true}
var validPowerStates = map[string]bool{"poweredOn": true, "poweredOff": true, "suspended": true}
var validDatastoreTypes = map[string]bool{"VMFS": true, "NFS": true, "NFS41": true, "vsan": true}

func validateScenario(s *Scenario) error {
	if len(s.Hosts) == 0 {
		return fmt.Errorf("scenario: at least one host is required")
	}
	hosts := map[string]bool{}
	for _, h := range s.Hosts {
		if h.Name == "" {
			return fmt.Errorf("scenario: every host needs a name")
		}
		if hosts[h.Name] {
			return fmt.Errorf("scenario: duplicate host name %q", h.Name)
		}
		hosts[h.Name] = true
		if !validConnectionStates[h.ConnectionState] {
			return fmt.Errorf("scenario: host %s: connection_state must be connected, disconnected or notResponding", h.Name)
		}
	}
	if len(s.Datastores) == 0 {
		return fmt.Errorf("scenario: at least one datastore is required")
	}
	datastores := map[string]bool{}
	for _, d := range s.Datastores {
		if d.Name == "" || datastores[d.Name] {
			return fmt.Errorf("scenario: datastore names must be set and unique (%q)", d.Name)
		}
		datastores[d.Name] = true
		if !validDatastoreTypes[d.Type] {
			return fmt.Errorf("scenario: datastore %s: type must be one of VMFS, NFS, NFS41, vsan", d.Name)
		}
		if d.Host != "" && !hosts[d.Host] {
			return fmt.Errorf("scenario: datastore %s: host %q is not in the scenario", d.Name, d.Host)
		}
		if d.Host == "" && !d.Shared {
			return fmt.Errorf("scenario: datastore %s: set shared: true or name the host that mounts it", d.Name)
		}
	}
	vms := map[string]bool{}
	for _, vm := range s.VMs {
		if vm.Name == "" || vms[vm.Name] {
			return fmt.Errorf("scenario: VM names must be set and unique (%q)", vm.Name)
		}
		vms[vm.Name] = true
		if !hosts[vm.Host] {
			return fmt.Errorf("scenario: VM %s: host %q is not in the scenario", vm.Name, vm.Host)
		}
		if vm.Datastore != "" && !datastores[vm.Datastore] {
			return fmt.Errorf("scenario: VM %s: datastore %q is not in the scenario", vm.Name, vm.Datastore)
		}
		if !validPowerStates[vm.PowerState] {
			return fmt.Errorf("scenario: VM %s: power_state must be poweredOn, poweredOff or suspended", vm.Name)
		}
		if vm.ReservationMB > int64(vm.MemoryMB) {
			return fmt.Errorf("scenario: VM %s: reservation_mb exceeds memory_mb", vm.Name)
		}
	}
	if s.Vsan.Enabled && s.Vsan.VmkSubnet != "" {
		if _, _, err := net.ParseCIDR(s.Vsan.VmkSubnet); err != nil {
			return fmt.Errorf("scenario: vsan.vmk_subnet %q is not a CIDR", s.Vsan.VmkSubnet)
		}
	}
	if s.Vsan.WitnessDevice != "" && s.Vsan.WitnessDevice == s.Vsan.VmkDevice {
		return fmt.Errorf("scenario: vsan.witness_device must differ from vsan.vmk_device (%s)", s.Vsan.VmkDevice)
	}
	for _, name := range s.Vsan.UnreadableHosts {
		if !hosts[name] {
			return fmt.Errorf("scenario: vsan.unreadable_hosts: host %q is not in the scenario", name)
		}
	}
	for name := range s.Vsan.FaultDomains {
		if !hosts[name] {
			return fmt.Errorf("scenario: vsan.fault_domains: host %q is not in the scenario", name)
		}
	}
	if strings.TrimSpace(s.Credentials.Username) == "" {
		return fmt.Errorf("scenario: credentials.username must not be blank")
	}
	return nil
}
