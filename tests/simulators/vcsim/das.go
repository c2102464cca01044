package main

// vSphere HA (dasConfig) semantics that stock vcsim 0.24.2 lacks: validation
// of a ClusterDasConfigInfo spec and merging it into the stored one the way
// ReconfigureComputeResource_Task does. Pure functions over govmomi types;
// the caller supplies what it knows about the cluster (hosts, datastores).

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// Allowed enum values for the cluster-wide defaults. The "cluster*" values
// (clusterIsolationResponse, clusterRestartPriority, useClusterDefault,
// clusterDefault) are only valid in per-VM overrides, so they are rejected here.
var dasEnums = map[string][]string{
	"dasConfig.hostMonitoring":                                           {"enabled", "disabled"},
	"dasConfig.vmMonitoring":                                             {"vmMonitoringDisabled", "vmMonitoringOnly", "vmAndAppMonitoring"},
	"dasConfig.vmComponentProtecting":                                    {"enabled", "disabled"},
	"dasConfig.hBDatastoreCandidatePolicy":                               {"userSelectedDs", "allFeasibleDs", "allFeasibleDsWithUserPreference"},
	"dasConfig.defaultVmSettings.restartPriority":                        {"disabled", "lowest", "low", "medium", "high", "highest"},
	"dasConfig.defaultVmSettings.isolationResponse":                      {"none", "powerOff", "shutdown"},
	"dasConfig.defaultVmSettings.vmToolsMonitoringSettings.vmMonitoring": {"vmMonitoringDisabled", "vmMonitoringOnly", "vmAndAppMonitoring"},
	vmcpPath + ".vmStorageProtectionForAPD":                              {"disabled", "warning", "restartConservative", "restartAggressive"},
	vmcpPath + ".vmStorageProtectionForPDL":                              {"disabled", "warning", "restartAggressive"},
	vmcpPath + ".vmReactionOnAPDCleared":                                 {"none", "reset"},
}

const vmcpPath = "dasConfig.defaultVmSettings.vmComponentProtectionSettings"

// ClusterFacts is what validation needs to know about the cluster.
type ClusterFacts struct {
	Hosts map[types.ManagedObjectReference]bool
	// Datastores maps every datastore in the inventory to whether a cluster host mounts it.
	Datastores map[types.ManagedObjectReference]bool
	// VMs are the VMs on the cluster's hosts (per-VM overrides must name one).
	VMs map[types.ManagedObjectReference]bool
}

// DasFault is a validation failure: the fault for the task and its message.
type DasFault struct {
	Fault   types.BaseMethodFault
	Message string
}

func invalidArgument(property, why string) *DasFault {
	msg := "A specified parameter was not correct: " + property
	if why != "" {
		msg += " (" + why + ")"
	}
	return &DasFault{
		Fault: &types.InvalidArgument{
			InvalidProperty: property,
			RuntimeFault: types.RuntimeFault{MethodFault: types.MethodFault{FaultMessage: []types.LocalizableMessage{{
				Key:     "com.vmware.vim.vpxd.invalidArgument",
				Arg:     []types.KeyAnyValue{{Key: "property", Value: property}},
				Message: msg,
			}}}},
		},
		Message: msg,
	}
}

func checkEnum(property, value string) *DasFault {
	if value == "" {
		return nil
	}
	for _, ok := range dasEnums[property] {
		if value == ok {
			return nil
		}
	}
	return invalidArgument(property, fmt.Sprintf("%q is not one of %s", value, strings.Join(dasEnums[property], ", ")))
}

// ValidateDasSpec checks a spec before anything is applied; nil means valid.
func ValidateDasSpec(spec *types.ClusterDasConfigInfo, facts ClusterFacts) *DasFault {
	if spec == nil {
		return nil
	}
	checks := [][2]string{
		{"dasConfig.hostMonitoring", spec.HostMonitoring},
		{"dasConfig.vmMonitoring", spec.VmMonitoring},
		{"dasConfig.vmComponentProtecting", spec.VmComponentProtecting},
		{"dasConfig.hBDatastoreCandidatePolicy", spec.HBDatastoreCandidatePolicy},
	}
	if vm := spec.DefaultVmSettings; vm != nil {
		checks = append(checks,
			[2]string{"dasConfig.defaultVmSettings.restartPriority", vm.RestartPriority},
			[2]string{"dasConfig.defaultVmSettings.isolationResponse", vm.IsolationResponse})
		if t := vm.VmToolsMonitoringSettings; t != nil {
			checks = append(checks, [2]string{"dasConfig.defaultVmSettings.vmToolsMonitoringSettings.vmMonitoring", t.VmMonitoring})
		}
		if p := vm.VmComponentProtectionSettings; p != nil {
			checks = append(checks,
				[2]string{vmcpPath + ".vmStorageProtectionForAPD", p.VmStorageProtectionForAPD},
				[2]string{vmcpPath + ".vmStorageProtectionForPDL", p.VmStorageProtectionForPDL},
				[2]string{vmcpPath + ".vmReactionOnAPDCleared", p.VmReactionOnAPDCleared})
			if p.VmTerminateDelayForAPDSec < 0 {
				return invalidArgument(vmcpPath+".vmTerminateDelayForAPDSec", "must not be negative")
			}
		}
	}
	for _, c := range checks {
		if f := checkEnum(c[0], c[1]); f != nil {
			return f
		}
	}
	if spec.FailoverLevel < 0 {
		return invalidArgument("dasConfig.failoverLevel", "must not be negative")
	}
	if f := validatePolicy(spec.AdmissionControlPolicy, facts); f != nil {
		return f
	}
	for _, ds := range spec.HeartbeatDatastore {
		mounted, exists := facts.Datastores[ds]
		if !exists {
			msg := fmt.Sprintf("The object '%s:%s' has already been deleted or has not been completely created (dasConfig.heartbeatDatastore)", ds.Type, ds.Value)
			return &DasFault{Fault: &types.ManagedObjectNotFound{Obj: ds}, Message: msg}
		}
		if !mounted {
			return invalidArgument("dasConfig.heartbeatDatastore", fmt.Sprintf("datastore %s is not mounted on any host of the cluster", ds.Value))
		}
	}
	return validateOptions(spec.Option)
}

func validatePolicy(policy types.BaseClusterDasAdmissionControlPolicy, facts ClusterFacts) *DasFault {
	if policy == nil {
		return nil
	}
	base := policy.GetClusterDasAdmissionControlPolicy()
	if r := base.ResourceReductionToToleratePercent; r != nil && (*r < 0 || *r > 100) {
		return invalidArgument("dasConfig.admissionControlPolicy.resourceReductionToToleratePercent", "must be 0-100")
	}
	switch p := policy.(type) {
	case *types.ClusterFailoverLevelAdmissionControlPolicy:
		if p.FailoverLevel < 1 || int(p.FailoverLevel) >= len(facts.Hosts) && len(facts.Hosts) > 0 {
			return invalidArgument("dasConfig.admissionControlPolicy.failoverLevel", "must be at least 1 and less than the number of hosts")
		}
	case *types.ClusterFailoverResourcesAdmissionControlPolicy:
		auto := p.AutoComputePercentages != nil && *p.AutoComputePercentages
		if !auto && (p.CpuFailoverResourcesPercent < 0 || p.CpuFailoverResourcesPercent > 100) {
			return invalidArgument("dasConfig.admissionControlPolicy.cpuFailoverResourcesPercent", "must be 0-100")
		}
		if !auto && (p.MemoryFailoverResourcesPercent < 0 || p.MemoryFailoverResourcesPercent > 100) {
			return invalidArgument("dasConfig.admissionControlPolicy.memoryFailoverResourcesPercent", "must be 0-100")
		}
		if p.FailoverLevel < 0 {
			return invalidArgument("dasConfig.admissionControlPolicy.failoverLevel", "must not be negative")
		}
	case *types.ClusterFailoverHostAdmissionControlPolicy:
		for _, h := range p.FailoverHosts {
			if !facts.Hosts[h] {
				return invalidArgument("dasConfig.admissionControlPolicy.failoverHosts", fmt.Sprintf("host %s is not in the cluster", h.Value))
			}
		}
	}
	return nil
}

// validateOptions: option values must be strings (vCenter stores das.* options as strings).
func validateOptions(options []types.BaseOptionValue) *DasFault {
	for _, o := range options {
		ov := o.GetOptionValue()
		if strings.TrimSpace(ov.Key) == "" {
			return invalidArgument("dasConfig.option.key", "option keys must not be empty")
		}
		switch ov.Value.(type) {
		case nil, string:
		default:
			// vCenter fails the task with InvalidType and only this text (reported in
			// ansible-collections/vmware.vmware issue 190); which option and type is not said.
			arg := fmt.Sprintf("dasConfig.option[%s].value", ov.Key)
			return &DasFault{
				Fault:   &types.InvalidType{Argument: arg},
				Message: invalidTypeMessage,
			}
		}
	}
	return nil
}

const invalidTypeMessage = "The request refers to an unexpected or unknown type."

// DefaultDasConfig is what a new vCenter 7/8 cluster reports (and what modify=false resets to).
func defaultDasConfig() types.ClusterDasConfigInfo {
	return types.ClusterDasConfigInfo{
		Enabled:               types.NewBool(false),
		VmMonitoring:          "vmMonitoringDisabled",
		HostMonitoring:        "enabled",
		VmComponentProtecting: "disabled",
		FailoverLevel:         1,
		AdmissionControlPolicy: &types.ClusterFailoverResourcesAdmissionControlPolicy{
			ClusterDasAdmissionControlPolicy: types.ClusterDasAdmissionControlPolicy{ResourceReductionToToleratePercent: types.NewInt32(100)},
			CpuFailoverResourcesPercent:      50,
			MemoryFailoverResourcesPercent:   50,
			FailoverLevel:                    1,
			AutoComputePercentages:           types.NewBool(true),
		},
		AdmissionControlEnabled: types.NewBool(true),
		DefaultVmSettings: &types.ClusterDasVmSettings{
			RestartPriority:        "medium",
			RestartPriorityTimeout: 600,
			IsolationResponse:      "none",
			VmToolsMonitoringSettings: &types.ClusterVmToolsMonitoringSettings{
				Enabled:          types.NewBool(false),
				VmMonitoring:     "vmMonitoringDisabled",
				ClusterSettings:  types.NewBool(true),
				FailureInterval:  30,
				MinUpTime:        120,
				MaxFailures:      3,
				MaxFailureWindow: -1,
			},
			VmComponentProtectionSettings: &types.ClusterVmComponentProtectionSettings{
				VmStorageProtectionForAPD: "disabled",
				VmTerminateDelayForAPDSec: 180,
				VmReactionOnAPDCleared:    "none",
				VmStorageProtectionForPDL: "disabled",
			},
		},
		HBDatastoreCandidatePolicy: "allFeasibleDsWithUserPreference",
	}
}

func setString(dst *string, src string) {
	if src != "" {
		*dst = src
	}
}

func setInt32(dst *int32, src int32) {
	if src != 0 {
		*dst = src
	}
}

// Present lists the dasConfig field paths a request carried ("defaultVmSettings/
// vmToolsMonitoringSettings/minUpTime"); nil means "not known", and then a zero int
// counts as unset. Go's decoder cannot tell an explicit 0 from an absent field.
type Present map[string]bool

// setInt32At keeps an explicit 0 that the request carried.
func setInt32At(dst *int32, src int32, present Present, path string) {
	if src != 0 || present[path] {
		*dst = src
	}
}

func setBool(dst **bool, src *bool) {
	if src != nil {
		*dst = types.NewBool(*src)
	}
}

// MergeDasConfig returns the stored config after applying spec. With modify
// true, unset fields keep their stored value; with modify false the result
// starts from the defaults (vCenter's "replace the configuration").
// numHosts is used to derive auto-computed failover percentages.
func MergeDasConfig(cur types.ClusterDasConfigInfo, spec *types.ClusterDasConfigInfo, modify bool, numHosts int) types.ClusterDasConfigInfo {
	return MergeDasConfigPresent(cur, spec, modify, numHosts, nil, false)
}

// MergeDasConfigPresent is MergeDasConfig knowing which fields the request carried;
// keepBlank stores options sent with an empty value as present-but-empty.
func MergeDasConfigPresent(cur types.ClusterDasConfigInfo, spec *types.ClusterDasConfigInfo, modify bool, numHosts int,
	present Present, keepBlank bool) types.ClusterDasConfigInfo {
	out := cur
	if !modify {
		out = defaultDasConfig()
	}
	// Copy the parts we may change so the stored object is never mutated in place.
	out.Option = append([]types.BaseOptionValue(nil), out.Option...)
	out.HeartbeatDatastore = append([]types.ManagedObjectReference(nil), out.HeartbeatDatastore...)
	if out.DefaultVmSettings != nil {
		vm := *out.DefaultVmSettings
		out.DefaultVmSettings = &vm
	}
	if spec != nil {
		setBool(&out.Enabled, spec.Enabled)
		setString(&out.VmMonitoring, spec.VmMonitoring)
		setString(&out.HostMonitoring, spec.HostMonitoring)
		setString(&out.VmComponentProtecting, spec.VmComponentProtecting)
		setInt32At(&out.FailoverLevel, spec.FailoverLevel, present, "failoverLevel")
		setBool(&out.AdmissionControlEnabled, spec.AdmissionControlEnabled)
		setString(&out.HBDatastoreCandidatePolicy, spec.HBDatastoreCandidatePolicy)
		if spec.AdmissionControlPolicy != nil {
			out.AdmissionControlPolicy = spec.AdmissionControlPolicy
		}
		if len(spec.HeartbeatDatastore) > 0 {
			out.HeartbeatDatastore = append([]types.ManagedObjectReference(nil), spec.HeartbeatDatastore...)
		}
		if spec.DefaultVmSettings != nil {
			out.DefaultVmSettings = mergeVmSettings(out.DefaultVmSettings, spec.DefaultVmSettings, present)
		}
		out.Option = mergeOptions(out.Option, spec.Option, keepBlank)
	}
	out.AdmissionControlPolicy = autoComputePercentages(out.AdmissionControlPolicy, numHosts)
	if len(out.HeartbeatDatastore) == 0 {
		out.HeartbeatDatastore = nil
	}
	if len(out.Option) == 0 {
		out.Option = nil
	}
	return out
}

func mergeVmSettings(cur, spec *types.ClusterDasVmSettings, present Present) *types.ClusterDasVmSettings {
	out := types.ClusterDasVmSettings{}
	if cur != nil {
		out = *cur
	}
	setString(&out.RestartPriority, spec.RestartPriority)
	setInt32At(&out.RestartPriorityTimeout, spec.RestartPriorityTimeout, present, "defaultVmSettings/restartPriorityTimeout")
	setString(&out.IsolationResponse, spec.IsolationResponse)
	if t := spec.VmToolsMonitoringSettings; t != nil {
		merged := types.ClusterVmToolsMonitoringSettings{}
		if out.VmToolsMonitoringSettings != nil {
			merged = *out.VmToolsMonitoringSettings
		}
		setBool(&merged.Enabled, t.Enabled)
		setString(&merged.VmMonitoring, t.VmMonitoring)
		setBool(&merged.ClusterSettings, t.ClusterSettings)
		const tools = "defaultVmSettings/vmToolsMonitoringSettings/"
		setInt32At(&merged.FailureInterval, t.FailureInterval, present, tools+"failureInterval")
		setInt32At(&merged.MinUpTime, t.MinUpTime, present, tools+"minUpTime")
		setInt32At(&merged.MaxFailures, t.MaxFailures, present, tools+"maxFailures")
		setInt32At(&merged.MaxFailureWindow, t.MaxFailureWindow, present, tools+"maxFailureWindow")
		out.VmToolsMonitoringSettings = &merged
	}
	if p := spec.VmComponentProtectionSettings; p != nil {
		merged := types.ClusterVmComponentProtectionSettings{}
		if out.VmComponentProtectionSettings != nil {
			merged = *out.VmComponentProtectionSettings
		}
		setString(&merged.VmStorageProtectionForAPD, p.VmStorageProtectionForAPD)
		// enableAPDTimeoutForHosts is deprecated and not kept by vCenter: never stored.
		setInt32At(&merged.VmTerminateDelayForAPDSec, p.VmTerminateDelayForAPDSec, present,
			"defaultVmSettings/vmComponentProtectionSettings/vmTerminateDelayForAPDSec")
		setString(&merged.VmReactionOnAPDCleared, p.VmReactionOnAPDCleared)
		setString(&merged.VmStorageProtectionForPDL, p.VmStorageProtectionForPDL)
		out.VmComponentProtectionSettings = &merged
	}
	return &out
}

// MergeOptions upserts spec options into cur. Keys match exactly, so the same key in
// two spellings can be stored (vCenter keeps both: see docs/simulators/vsphere.md); an
// empty or missing value removes the key. The result is sorted by key (case-insensitively,
// stable) so reads are stable.
func MergeOptions(cur, spec []types.BaseOptionValue) []types.BaseOptionValue {
	return mergeOptions(cur, spec, false)
}

// mergeOptions with keepBlank stores a key sent with an empty value as present-but-empty.
func mergeOptions(cur, spec []types.BaseOptionValue, keepBlank bool) []types.BaseOptionValue {
	out := make([]types.BaseOptionValue, 0, len(cur)+len(spec))
	for _, o := range cur {
		ov := *o.GetOptionValue()
		out = append(out, &ov)
	}
	for _, o := range spec {
		ov := o.GetOptionValue()
		idx := -1
		for i, have := range out {
			if have.GetOptionValue().Key == ov.Key {
				idx = i
				break
			}
		}
		value, _ := ov.Value.(string)
		switch {
		case value == "" && idx >= 0 && keepBlank:
			out[idx] = &types.OptionValue{Key: ov.Key, Value: ""}
		case value == "" && idx >= 0:
			out = append(out[:idx], out[idx+1:]...)
		case value == "":
		case idx >= 0:
			out[idx] = &types.OptionValue{Key: ov.Key, Value: value}
		default:
			out = append(out, &types.OptionValue{Key: ov.Key, Value: value})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].GetOptionValue().Key) < strings.ToLower(out[j].GetOptionValue().Key)
	})
	return out
}

// autoComputePercentages mirrors vCenter 6.5+: with autoComputePercentages the
// reserved CPU/memory percentage is failoverLevel/numHosts, rounded up.
func autoComputePercentages(policy types.BaseClusterDasAdmissionControlPolicy, numHosts int) types.BaseClusterDasAdmissionControlPolicy {
	p, ok := policy.(*types.ClusterFailoverResourcesAdmissionControlPolicy)
	if !ok || p.AutoComputePercentages == nil || !*p.AutoComputePercentages || numHosts == 0 {
		return policy
	}
	level := p.FailoverLevel
	if level < 1 {
		level = 1
	}
	pct := int32((int(level)*100 + numHosts - 1) / numHosts)
	if pct > 100 {
		pct = 100
	}
	out := *p
	out.CpuFailoverResourcesPercent = pct
	out.MemoryFailoverResourcesPercent = pct
	return &out
}
