package main

// What a SOAP request carried, beyond what Go's decoder keeps: which dasConfig
// fields were present (an explicit 0 decodes like an absent field).

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// dasConfigPresence lists the element paths under spec/dasConfig, relative to it.
func dasConfigPresence(body []byte) Present {
	present := Present{}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []string
	depth := -1 // index of "dasConfig" in stack, -1 outside it
	for {
		tok, err := dec.Token()
		if err != nil {
			return present
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			if depth < 0 && t.Name.Local == "dasConfig" && len(stack) >= 2 && stack[len(stack)-2] == "spec" {
				depth = len(stack) - 1
			} else if depth >= 0 {
				present[strings.Join(stack[depth+1:], "/")] = true
			}
		case xml.EndElement:
			if len(stack) > 0 {
				if len(stack)-1 == depth {
					depth = -1
				}
				stack = stack[:len(stack)-1]
			}
		}
	}
}

var dasVmConfigSpecElement = regexp.MustCompile(`(?s)<dasVmConfigSpec\b.*?</dasVmConfigSpec>`)

// withoutDasVmConfigSpec removes the per-VM HA changes from a request before the stock
// handler sees it: stock 0.24.2 merges only restartPriority on edit (and dereferences
// a missing dasSettings); we apply them ourselves (overrides.go).
func withoutDasVmConfigSpec(body []byte) []byte {
	return dasVmConfigSpecElement.ReplaceAll(body, nil)
}

// govmomi 0.24.2 declares these int32 fields omitempty, so a stored 0 would leave the
// answer without the element (read as unset). In the cluster's defaultVmSettings they
// always hold a value (the defaults set them), so a missing element there is a 0.
var (
	defaultVmSettingsElement = regexp.MustCompile(`(?s)<defaultVmSettings\b[^>]*>.*?</defaultVmSettings>`)
	zeroFields               = []struct {
		parent *regexp.Regexp
		fields []string
	}{
		{regexp.MustCompile(`(?s)(<vmToolsMonitoringSettings\b[^>]*>)(.*?)(</vmToolsMonitoringSettings>)`), []string{"minUpTime", "maxFailures"}},
		{regexp.MustCompile(`(?s)(<vmComponentProtectionSettings\b[^>]*>)(.*?)(</vmComponentProtectionSettings>)`), []string{"vmTerminateDelayForAPDSec"}},
	}
)

func fillZeroTimers(body []byte) []byte {
	if !bytes.Contains(body, []byte("<defaultVmSettings")) {
		return body
	}
	return defaultVmSettingsElement.ReplaceAllFunc(body, func(settings []byte) []byte {
		for _, z := range zeroFields {
			settings = z.parent.ReplaceAllFunc(settings, func(part []byte) []byte {
				m := z.parent.FindSubmatch(part)
				inner := append([]byte(nil), m[2]...)
				for _, f := range z.fields {
					if !bytes.Contains(inner, []byte("<"+f+">")) {
						inner = append(inner, []byte("<"+f+">0</"+f+">")...)
					}
				}
				out := append([]byte(nil), m[1]...)
				out = append(out, inner...)
				return append(out, m[3]...)
			})
		}
		return settings
	})
}

var removeKeyElement = regexp.MustCompile(`<removeKey\b([^>]*)>([^<]*)</removeKey>`)
var typeAttribute = regexp.MustCompile(`\stype="([^"]*)"`)

// fillRemoveKeys: pyVmomi types a managed-object removeKey as xsi:type="ManagedObject",
// which govmomi's decoder leaves nil; read those references from the request itself.
func fillRemoveKeys(body []byte, specs []types.ClusterDasVmConfigSpec) {
	elements := dasVmConfigSpecElement.FindAll(body, -1)
	for i := range specs {
		if specs[i].RemoveKey != nil || i >= len(elements) {
			continue
		}
		m := removeKeyElement.FindSubmatch(elements[i])
		if m == nil {
			continue
		}
		kind := "VirtualMachine"
		if t := typeAttribute.FindSubmatch(m[1]); t != nil {
			kind = string(t[1])
		}
		specs[i].RemoveKey = types.ManagedObjectReference{Type: kind, Value: strings.TrimSpace(string(m[2]))}
	}
}
