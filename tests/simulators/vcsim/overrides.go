package main

// Per-VM vSphere HA overrides (ClusterConfigSpecEx.dasVmConfigSpec ->
// configurationEx.dasVmConfig): validation and merge, as ArrayUpdateSpec
// describes (add a new key, edit an existing one field by field, remove by key).

import (
	"fmt"

	"github.com/vmware/govmomi/vim25/types"
)

// Per-VM values; the cluster* / useClusterDefault / clusterDefault values mean "use the cluster default".
var dasVmEnums = map[string][]string{
	"restartPriority":           {"disabled", "lowest", "low", "medium", "high", "highest", "clusterRestartPriority"},
	"isolationResponse":         {"none", "powerOff", "shutdown", "clusterIsolationResponse"},
	"vmMonitoring":              {"vmMonitoringDisabled", "vmMonitoringOnly", "vmAndAppMonitoring"},
	"vmStorageProtectionForAPD": {"disabled", "warning", "restartConservative", "restartAggressive", "clusterDefault"},
	"vmStorageProtectionForPDL": {"disabled", "warning", "restartAggressive", "clusterDefault"},
	"vmReactionOnAPDCleared":    {"none", "reset", "useClusterDefault"},
}

func checkVmEnum(index int, field, value string) *DasFault {
	if value == "" {
		return nil
	}
	for _, ok := range dasVmEnums[field] {
		if ok == value {
			return nil
		}
	}
	return invalidArgument(fmt.Sprintf("dasVmConfigSpec[%d].info.dasSettings.%s", index, field), fmt.Sprintf("%q is not a valid value", value))
}

func validateVmSettings(index int, s *types.ClusterDasVmSettings) *DasFault {
	if s == nil {
		return nil
	}
	checks := [][2]string{{"restartPriority", s.RestartPriority}, {"isolationResponse", s.IsolationResponse}}
	if t := s.VmToolsMonitoringSettings; t != nil {
		checks = append(checks, [2]string{"vmMonitoring", t.VmMonitoring})
	}
	if p := s.VmComponentProtectionSettings; p != nil {
		checks = append(checks, [2]string{"vmStorageProtectionForAPD", p.VmStorageProtectionForAPD},
			[2]string{"vmStorageProtectionForPDL", p.VmStorageProtectionForPDL},
			[2]string{"vmReactionOnAPDCleared", p.VmReactionOnAPDCleared})
	}
	for _, c := range checks {
		if f := checkVmEnum(index, c[0], c[1]); f != nil {
			return f
		}
	}
	return nil
}

// MergeDasVmConfig applies the per-VM changes to cur (not modified); vms are the
// cluster's VMs. A fault leaves nothing applied.
func MergeDasVmConfig(cur []types.ClusterDasVmConfigInfo, specs []types.ClusterDasVmConfigSpec,
	vms map[types.ManagedObjectReference]bool) ([]types.ClusterDasVmConfigInfo, *DasFault) {
	out := make([]types.ClusterDasVmConfigInfo, 0, len(cur)+len(specs))
	index := map[types.ManagedObjectReference]int{}
	for _, c := range cur {
		index[c.Key] = len(out)
		out = append(out, c)
	}
	removed := map[types.ManagedObjectReference]bool{}
	for i, spec := range specs {
		switch spec.Operation {
		case types.ArrayUpdateOperationRemove:
			key, ok := spec.RemoveKey.(types.ManagedObjectReference)
			if _, exists := index[key]; !ok || !exists || removed[key] {
				return nil, invalidArgument(fmt.Sprintf("dasVmConfigSpec[%d].removeKey", i), "no HA override exists for this VM")
			}
			removed[key] = true
			continue
		case types.ArrayUpdateOperationAdd, types.ArrayUpdateOperationEdit:
		default:
			return nil, invalidArgument(fmt.Sprintf("dasVmConfigSpec[%d].operation", i), "must be add, edit or remove")
		}
		if spec.Info == nil {
			return nil, invalidArgument(fmt.Sprintf("dasVmConfigSpec[%d].info", i), "is required for add and edit")
		}
		key := spec.Info.Key
		if !vms[key] {
			msg := fmt.Sprintf("The object '%s:%s' has already been deleted or has not been completely created", key.Type, key.Value)
			return nil, &DasFault{Fault: &types.ManagedObjectNotFound{Obj: key}, Message: msg}
		}
		if f := validateVmSettings(i, spec.Info.DasSettings); f != nil {
			return nil, f
		}
		pos, exists := index[key]
		if spec.Operation == types.ArrayUpdateOperationAdd {
			if exists && !removed[key] {
				return nil, invalidArgument(fmt.Sprintf("dasVmConfigSpec[%d].info.key", i), "an HA override exists for this VM already; use edit")
			}
			info := *spec.Info
			if exists {
				out[pos] = info
				delete(removed, key)
			} else {
				index[key] = len(out)
				out = append(out, info)
			}
			continue
		}
		if !exists || removed[key] {
			return nil, invalidArgument(fmt.Sprintf("dasVmConfigSpec[%d].info.key", i), "no HA override exists for this VM; use add")
		}
		if spec.Info.DasSettings != nil {
			out[pos].DasSettings = mergeVmSettings(out[pos].DasSettings, spec.Info.DasSettings, nil)
		}
	}
	kept := out[:0]
	for _, c := range out {
		if !removed[c.Key] {
			kept = append(kept, c)
		}
	}
	return kept, nil
}
