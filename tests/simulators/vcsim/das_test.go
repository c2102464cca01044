package main

// Unit tests of the pure parts: dasConfig validation/merge, fault parsing and
// scenario expansion. Run through tests/simulators/test_vcsim_units.py or:
//   GO111MODULE=off GOPATH=$PWD/tests/output/gopath:/usr/share/gocode go test clusterops/vcsim

import (
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

func ref(kind, value string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: kind, Value: value}
}

func facts() ClusterFacts {
	return ClusterFacts{
		Hosts: map[types.ManagedObjectReference]bool{ref("HostSystem", "host-1"): true, ref("HostSystem", "host-2"): true, ref("HostSystem", "host-3"): true},
		Datastores: map[types.ManagedObjectReference]bool{
			ref("Datastore", "ds-shared"):    true,
			ref("Datastore", "ds-elsewhere"): false,
		},
	}
}

func opt(key string, value interface{}) types.BaseOptionValue {
	return &types.OptionValue{Key: key, Value: value}
}

func optionMap(opts []types.BaseOptionValue) map[string]interface{} {
	out := map[string]interface{}{}
	for _, o := range opts {
		out[o.GetOptionValue().Key] = o.GetOptionValue().Value
	}
	return out
}

func TestMergeOptionsUpsertsRemovesAndMatchesKeysExactly(t *testing.T) {
	cur := []types.BaseOptionValue{opt("das.isolationaddress0", "10.0.0.1"), opt("das.heartbeatDsPerHost", "3")}
	got := optionMap(MergeOptions(cur, []types.BaseOptionValue{
		opt("das.isolationaddress0", ""),
		opt("das.heartbeatDsPerHost", "4"),
		opt("das.usedefaultisolationaddress", "false"),
		opt("das.notthere", ""),
		opt("das.isolationAddress1", "10.0.0.2"),
		opt("das.isolationaddress1", "10.0.0.3"), // another spelling is another stored key
	}))
	if len(got) != 4 || got["das.heartbeatDsPerHost"] != "4" || got["das.usedefaultisolationaddress"] != "false" ||
		got["das.isolationAddress1"] != "10.0.0.2" || got["das.isolationaddress1"] != "10.0.0.3" {
		t.Fatalf("got %v", got)
	}
	if cur[1].GetOptionValue().Value != "3" {
		t.Fatalf("the stored options were mutated: %v", cur[1])
	}
}

func TestMergeOptionsCanKeepBlankValues(t *testing.T) {
	cur := []types.BaseOptionValue{opt("das.slotMemInMB", "512")}
	got := optionMap(mergeOptions(cur, []types.BaseOptionValue{opt("das.slotMemInMB", "")}, true))
	if v, ok := got["das.slotMemInMB"]; !ok || v != "" {
		t.Fatalf("got %v, want the key kept with an empty value", got)
	}
}

func TestExplicitZeroIsKeptWhenTheRequestCarriedIt(t *testing.T) {
	body := []byte(`<Envelope><Body><ReconfigureComputeResource_Task><spec><dasConfig><defaultVmSettings>` +
		`<vmToolsMonitoringSettings><minUpTime>0</minUpTime><maxFailures>0</maxFailures></vmToolsMonitoringSettings>` +
		`<vmComponentProtectionSettings><vmTerminateDelayForAPDSec>0</vmTerminateDelayForAPDSec></vmComponentProtectionSettings>` +
		`</defaultVmSettings></dasConfig></spec></ReconfigureComputeResource_Task></Body></Envelope>`)
	present := dasConfigPresence(body)
	spec := &types.ClusterDasConfigInfo{DefaultVmSettings: &types.ClusterDasVmSettings{
		VmToolsMonitoringSettings:     &types.ClusterVmToolsMonitoringSettings{},
		VmComponentProtectionSettings: &types.ClusterVmComponentProtectionSettings{},
	}}
	out := MergeDasConfigPresent(defaultDasConfig(), spec, true, 3, present, false)
	tools := out.DefaultVmSettings.VmToolsMonitoringSettings
	if tools.MinUpTime != 0 || tools.MaxFailures != 0 || tools.FailureInterval != 30 {
		t.Fatalf("explicit zeros not kept or unset fields changed: %+v", tools)
	}
	if out.DefaultVmSettings.VmComponentProtectionSettings.VmTerminateDelayForAPDSec != 0 {
		t.Fatalf("apd delay 0 not kept")
	}
	// Without the request's presence, a zero still counts as unset.
	legacy := MergeDasConfig(defaultDasConfig(), spec, true, 3)
	if legacy.DefaultVmSettings.VmToolsMonitoringSettings.MinUpTime != 120 {
		t.Fatalf("unset field changed")
	}
}

func TestEnableAPDTimeoutForHostsIsNotStored(t *testing.T) {
	out := MergeDasConfig(defaultDasConfig(), &types.ClusterDasConfigInfo{DefaultVmSettings: &types.ClusterDasVmSettings{
		VmComponentProtectionSettings: &types.ClusterVmComponentProtectionSettings{EnableAPDTimeoutForHosts: types.NewBool(false)},
	}}, true, 3)
	if out.DefaultVmSettings.VmComponentProtectionSettings.EnableAPDTimeoutForHosts != nil {
		t.Fatalf("enableAPDTimeoutForHosts was stored")
	}
}

func TestDasVmConfigAddEditRemove(t *testing.T) {
	vm1, vm2 := ref("VirtualMachine", "vm-1"), ref("VirtualMachine", "vm-2")
	vms := map[types.ManagedObjectReference]bool{vm1: true, vm2: true}
	add := []types.ClusterDasVmConfigSpec{
		{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info: &types.ClusterDasVmConfigInfo{Key: vm1, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "high", IsolationResponse: "powerOff"}}},
		{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
			Info: &types.ClusterDasVmConfigInfo{Key: vm2, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "disabled"}}},
	}
	cur, f := MergeDasVmConfig(nil, add, vms)
	if f != nil || len(cur) != 2 {
		t.Fatalf("add: %v %v", cur, f)
	}
	edit := []types.ClusterDasVmConfigSpec{{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationEdit},
		Info: &types.ClusterDasVmConfigInfo{Key: vm1, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "low"}}}}
	next, f := MergeDasVmConfig(cur, edit, vms)
	if f != nil || next[0].DasSettings.RestartPriority != "low" || next[0].DasSettings.IsolationResponse != "powerOff" {
		t.Fatalf("edit must merge field by field: %+v %v", next[0].DasSettings, f)
	}
	if cur[0].DasSettings.RestartPriority != "high" {
		t.Fatalf("the stored overrides were mutated")
	}
	remove := []types.ClusterDasVmConfigSpec{{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationRemove, RemoveKey: vm2}}}
	if next, f = MergeDasVmConfig(next, remove, vms); f != nil || len(next) != 1 {
		t.Fatalf("remove: %v %v", next, f)
	}
	if _, f = MergeDasVmConfig(next, add[:1], vms); f == nil {
		t.Fatalf("adding an existing override must fail")
	}
	ghost := []types.ClusterDasVmConfigSpec{{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info: &types.ClusterDasVmConfigInfo{Key: ref("VirtualMachine", "vm-9")}}}
	if _, f = MergeDasVmConfig(nil, ghost, vms); f == nil {
		t.Fatalf("an unknown VM must fail")
	}
	bad := []types.ClusterDasVmConfigSpec{{ArrayUpdateSpec: types.ArrayUpdateSpec{Operation: types.ArrayUpdateOperationAdd},
		Info: &types.ClusterDasVmConfigInfo{Key: vm2, DasSettings: &types.ClusterDasVmSettings{RestartPriority: "urgent"}}}}
	if _, f = MergeDasVmConfig(nil, bad, vms); f == nil {
		t.Fatalf("a bad restart priority must fail")
	}
}

func TestMergeKeepsUnsetFieldsAndMergesNestedSettings(t *testing.T) {
	cur := MergeDasConfig(defaultDasConfig(), &types.ClusterDasConfigInfo{
		Enabled:           types.NewBool(true),
		HostMonitoring:    "disabled",
		DefaultVmSettings: &types.ClusterDasVmSettings{IsolationResponse: "powerOff"},
	}, true, 3)
	next := MergeDasConfig(cur, &types.ClusterDasConfigInfo{
		DefaultVmSettings: &types.ClusterDasVmSettings{
			RestartPriority:               "high",
			VmComponentProtectionSettings: &types.ClusterVmComponentProtectionSettings{VmStorageProtectionForPDL: "warning"},
		},
	}, true, 3)
	if !*next.Enabled || next.HostMonitoring != "disabled" {
		t.Fatalf("unset top-level fields changed: %+v", next)
	}
	vm := next.DefaultVmSettings
	if vm.IsolationResponse != "powerOff" || vm.RestartPriority != "high" || vm.RestartPriorityTimeout != 600 {
		t.Fatalf("defaultVmSettings not merged field by field: %+v", vm)
	}
	if vm.VmComponentProtectionSettings.VmTerminateDelayForAPDSec != 180 || vm.VmComponentProtectionSettings.VmStorageProtectionForPDL != "warning" {
		t.Fatalf("VMCP settings not merged: %+v", vm.VmComponentProtectionSettings)
	}
	if cur.DefaultVmSettings.RestartPriority != "medium" {
		t.Fatalf("merge mutated its input")
	}
}

func TestModifyFalseStartsFromDefaults(t *testing.T) {
	cur := MergeDasConfig(defaultDasConfig(), &types.ClusterDasConfigInfo{
		Option:            []types.BaseOptionValue{opt("das.isolationaddress0", "10.0.0.1")},
		DefaultVmSettings: &types.ClusterDasVmSettings{IsolationResponse: "powerOff"},
	}, true, 3)
	next := MergeDasConfig(cur, &types.ClusterDasConfigInfo{Enabled: types.NewBool(true)}, false, 3)
	if len(next.Option) != 0 || next.DefaultVmSettings.IsolationResponse != "none" || !*next.Enabled {
		t.Fatalf("modify=false did not reset: %+v", next)
	}
}

func TestAutoComputedPercentagesFollowFailoverLevelAndHostCount(t *testing.T) {
	for _, c := range []struct {
		level, hosts int
		want         int32
	}{{1, 3, 34}, {1, 4, 25}, {2, 4, 50}, {1, 32, 4}, {0, 2, 50}} {
		policy := autoComputePercentages(&types.ClusterFailoverResourcesAdmissionControlPolicy{
			FailoverLevel: int32(c.level), AutoComputePercentages: types.NewBool(true),
		}, c.hosts).(*types.ClusterFailoverResourcesAdmissionControlPolicy)
		if policy.CpuFailoverResourcesPercent != c.want || policy.MemoryFailoverResourcesPercent != c.want {
			t.Errorf("level %d of %d hosts: got %d/%d, want %d", c.level, c.hosts,
				policy.CpuFailoverResourcesPercent, policy.MemoryFailoverResourcesPercent, c.want)
		}
	}
	manual := &types.ClusterFailoverResourcesAdmissionControlPolicy{CpuFailoverResourcesPercent: 30, AutoComputePercentages: types.NewBool(false)}
	if autoComputePercentages(manual, 3).(*types.ClusterFailoverResourcesAdmissionControlPolicy).CpuFailoverResourcesPercent != 30 {
		t.Fatal("explicit percentages were overwritten")
	}
}

func TestValidateRejectsBadEnumsWithThePropertyPath(t *testing.T) {
	cases := map[string]*types.ClusterDasConfigInfo{
		"dasConfig.hostMonitoring":                      {HostMonitoring: "on"},
		"dasConfig.vmMonitoring":                        {VmMonitoring: "x"},
		"dasConfig.hBDatastoreCandidatePolicy":          {HBDatastoreCandidatePolicy: "any"},
		"dasConfig.defaultVmSettings.isolationResponse": {DefaultVmSettings: &types.ClusterDasVmSettings{IsolationResponse: "clusterIsolationResponse"}},
		"dasConfig.defaultVmSettings.restartPriority":   {DefaultVmSettings: &types.ClusterDasVmSettings{RestartPriority: "clusterRestartPriority"}},
		vmcpPath + ".vmStorageProtectionForPDL": {DefaultVmSettings: &types.ClusterDasVmSettings{
			VmComponentProtectionSettings: &types.ClusterVmComponentProtectionSettings{VmStorageProtectionForPDL: "restartConservative"}}},
		vmcpPath + ".vmReactionOnAPDCleared": {DefaultVmSettings: &types.ClusterDasVmSettings{
			VmComponentProtectionSettings: &types.ClusterVmComponentProtectionSettings{VmReactionOnAPDCleared: "useClusterDefault"}}},
	}
	for prop, spec := range cases {
		f := ValidateDasSpec(spec, facts())
		if f == nil {
			t.Errorf("%s: accepted", prop)
			continue
		}
		ia, ok := f.Fault.(*types.InvalidArgument)
		if !ok || ia.InvalidProperty != prop || !strings.Contains(f.Message, prop) {
			t.Errorf("%s: got %T %+v %q", prop, f.Fault, f.Fault, f.Message)
		}
	}
	good := &types.ClusterDasConfigInfo{HostMonitoring: "enabled", DefaultVmSettings: &types.ClusterDasVmSettings{IsolationResponse: "powerOff", RestartPriority: "highest"}}
	if f := ValidateDasSpec(good, facts()); f != nil {
		t.Fatalf("valid spec rejected: %s", f.Message)
	}
}

func TestValidateOptionsHeartbeatDatastoresAndFailoverHosts(t *testing.T) {
	f := ValidateDasSpec(&types.ClusterDasConfigInfo{Option: []types.BaseOptionValue{opt("das.heartbeatdsperhost", int32(4))}}, facts())
	if it, ok := f.Fault.(*types.InvalidType); !ok || !strings.Contains(it.Argument, "das.heartbeatdsperhost") || f.Message != "The request refers to an unexpected or unknown type." {
		t.Fatalf("non-string option: got %#v", f)
	}
	f = ValidateDasSpec(&types.ClusterDasConfigInfo{HeartbeatDatastore: []types.ManagedObjectReference{ref("Datastore", "ds-ghost")}}, facts())
	if _, ok := f.Fault.(*types.ManagedObjectNotFound); !ok {
		t.Fatalf("unknown datastore: got %#v", f)
	}
	f = ValidateDasSpec(&types.ClusterDasConfigInfo{HeartbeatDatastore: []types.ManagedObjectReference{ref("Datastore", "ds-elsewhere")}}, facts())
	if ia, ok := f.Fault.(*types.InvalidArgument); !ok || ia.InvalidProperty != "dasConfig.heartbeatDatastore" {
		t.Fatalf("unmounted datastore: got %#v", f)
	}
	f = ValidateDasSpec(&types.ClusterDasConfigInfo{AdmissionControlPolicy: &types.ClusterFailoverHostAdmissionControlPolicy{
		FailoverHosts: []types.ManagedObjectReference{ref("HostSystem", "host-1"), ref("HostSystem", "host-99")}}}, facts())
	if ia, ok := f.Fault.(*types.InvalidArgument); !ok || ia.InvalidProperty != "dasConfig.admissionControlPolicy.failoverHosts" {
		t.Fatalf("foreign failover host: got %#v", f)
	}
	f = ValidateDasSpec(&types.ClusterDasConfigInfo{AdmissionControlPolicy: &types.ClusterFailoverLevelAdmissionControlPolicy{FailoverLevel: 3}}, facts())
	if f == nil {
		t.Fatal("failover level 3 of 3 hosts accepted")
	}
}

func TestParseFault(t *testing.T) {
	f, err := parseFault([]byte(`{"kind": "latency", "seconds": 0.5, "method": "Retrieve.*"}`))
	if err != nil || f.Count != 1 || !f.methodRE.MatchString("RetrievePropertiesEx") || f.methodRE.MatchString("XRetrieve") {
		t.Fatalf("latency fault: %+v %v", f, err)
	}
	for _, bad := range []string{`{"kind": "meteor"}`, `{"kind": "latency"}`, `{"kind": "http500", "count": 0}`, `not json`} {
		if _, err := parseFault([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	var table faultTable
	table.add(&Fault{Kind: "http500", Count: 2})
	if !table.http500("Login") || !table.http500("Login") || table.http500("Login") {
		t.Fatal("count 2 should fail exactly two calls")
	}
}

func TestScenarioTemplatesExpandAndTyposAreRejected(t *testing.T) {
	s, err := parseScenario([]byte(`{"name": "t", "hosts": {"count": 3, "domain": "x.test", "memory_mb": 1024},
		"datastores": [{"name": "d", "type": "VMFS", "shared": true}],
		"vms": {"per_host": 2, "memory_mb": 512},
		"vsan": {"enabled": true, "vmk_subnet": "192.168.50.0/24"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Hosts) != 3 || s.Hosts[2].Name != "esx03.x.test" || s.Hosts[0].VsanIP != "192.168.50.11" {
		t.Fatalf("hosts: %+v", s.Hosts)
	}
	if len(s.VMs) != 6 || s.VMs[5].Host != "esx03.x.test" || s.VMs[0].OverheadMB != defaultOverheadMB(512, 2) {
		t.Fatalf("vms: %+v", s.VMs)
	}
	for _, bad := range []string{
		`{"hosts": [{"name": "a"}], "datastores": [{"name": "d", "type": "VMFS", "shared": true}], "colour": 1}`,
		`{"hosts": [{"name": "a", "memroy_mb": 1}], "datastores": [{"name": "d", "type": "VMFS", "shared": true}]}`,
		`{"hosts": [{"name": "a"}], "datastores": [{"name": "d", "type": "ZFS", "shared": true}]}`,
		`{"hosts": [{"name": "a"}], "datastores": [{"name": "d", "type": "VMFS"}]}`,
		`{"hosts": [{"name": "a"}], "datastores": [{"name": "d", "type": "VMFS", "shared": true}], "vms": [{"name": "v", "host": "b"}]}`,
	} {
		if _, err := parseScenario([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
