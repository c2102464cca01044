package main

// The HA agent (FDM) configuration each host runs with. vCenter pushes the
// cluster's HA configuration to the hosts when HA is enabled; after a change of
// isolation-affecting advanced options the agents keep the old configuration
// until "Reconfigure for vSphere HA" (HostSystem.ReconfigureHostForDAS_Task)
// runs on the host (VMware's guidance; see docs/simulators/vsphere.md). The
// state is visible in /_sim/state only: the vSphere API has no property for it.

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type agentState struct {
	Configured   map[string]string `json:"configured"`   // isolation-affecting options the agent runs with
	Stale        bool              `json:"stale"`        // the cluster's settings differ from Configured
	Reconfigured int               `json:"reconfigured"` // ReconfigureHostForDAS_Task runs that succeeded
}

type agentTable struct {
	mu    sync.Mutex
	hosts map[types.ManagedObjectReference]*agentState
}

func (t *agentTable) init() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hosts = map[types.ManagedObjectReference]*agentState{}
}

// isolationSettings are the das options that decide how a host detects isolation.
func isolationSettings(das types.ClusterDasConfigInfo) map[string]string {
	out := map[string]string{}
	for _, o := range das.Option {
		ov := o.GetOptionValue()
		key := strings.ToLower(ov.Key)
		value, _ := ov.Value.(string)
		if value == "" {
			continue
		}
		if (strings.HasPrefix(key, "das.isolationaddress") && len(key) == len("das.isolationaddress0")) || key == "das.usedefaultisolationaddress" {
			out[key] = value
		}
	}
	return out
}

func sameSettings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// afterReconfigure updates the agents after a cluster reconfigure: enabling HA configures
// every connected host; other changes leave the agents as they were (stale if different).
func (t *agentTable) afterReconfigure(hosts []types.ManagedObjectReference, wasEnabled bool, das types.ClusterDasConfigInfo,
	connected func(types.ManagedObjectReference) bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	enabled := das.Enabled != nil && *das.Enabled
	settings := isolationSettings(das)
	for _, h := range hosts {
		state := t.hosts[h]
		if state == nil {
			state = &agentState{}
			t.hosts[h] = state
		}
		if enabled && !wasEnabled && connected(h) {
			state.Configured = settings
		}
		state.Stale = enabled && state.Configured != nil && !sameSettings(state.Configured, settings)
	}
}

func (t *agentTable) reconfigureHost(h types.ManagedObjectReference, das types.ClusterDasConfigInfo) {
	t.mu.Lock()
	defer t.mu.Unlock()
	state := t.hosts[h]
	if state == nil {
		state = &agentState{}
		t.hosts[h] = state
	}
	state.Configured = isolationSettings(das)
	state.Stale = false
	state.Reconfigured++
}

func (t *agentTable) snapshot(h types.ManagedObjectReference) agentState {
	t.mu.Lock()
	defer t.mu.Unlock()
	if state := t.hosts[h]; state != nil {
		return *state
	}
	return agentState{}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// reconfigureHostForDAS answers HostSystem.ReconfigureHostForDAS_Task (not in stock 0.24.2).
func (a *app) reconfigureHostForDAS(rec *recorder, r *http.Request, body []byte) {
	m, err := simulator.UnmarshalBody(types.TypeFunc(), body)
	if err != nil || !a.sessionValid(r) {
		a.forward(rec, r, body)
		return
	}
	call, ok := m.Body.(*types.ReconfigureHostForDAS_Task)
	if !ok {
		a.forward(rec, r, body)
		return
	}
	host, isHost := simulator.Map.Get(call.This).(*simulator.HostSystem)
	if !isHost {
		writeSOAPFault(rec, fmt.Sprintf("The object '%s:%s' has already been deleted or has not been completely created", call.This.Type, call.This.Value),
			&types.ManagedObjectNotFound{Obj: call.This})
		return
	}
	cluster := simulator.Map.Get(a.inv.Cluster).(*simulator.ClusterComputeResource)
	var fault *DasFault
	var das types.ClusterDasConfigInfo
	simulator.Map.WithLock(cluster, func() { das = cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DasConfig })
	var connected bool
	simulator.Map.WithLock(host, func() { connected = host.Runtime.ConnectionState == types.HostSystemConnectionStateConnected })
	switch {
	case !connected:
		fault = &DasFault{Fault: &types.HostNotConnected{}, Message: "Unable to communicate with the remote host, since it is disconnected."}
	case das.Enabled == nil || !*das.Enabled:
		fault = &DasFault{Fault: &types.InvalidState{}, Message: "The operation is not allowed in the current state: vSphere HA is not enabled on the cluster."}
	}
	task := simulator.CreateTask(host, "reconfigureHostForDAS", func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		if fault != nil {
			return nil, fault.Fault
		}
		a.agents.reconfigureHost(call.This, das)
		return nil, nil
	})
	ref := task.Run()
	if fault != nil {
		setTaskError(task, fault)
	}
	rec.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(rec, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" `+
		`xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<soapenv:Body><ReconfigureHostForDAS_TaskResponse xmlns="urn:vim25"><returnval type="Task">%s</returnval></ReconfigureHostForDAS_TaskResponse>`+
		`</soapenv:Body></soapenv:Envelope>`, ref.Value)
}

// seedAgents: hosts of a cluster that starts with HA on run with its configuration.
func (a *app) seedAgents() {
	cluster := simulator.Map.Get(a.inv.Cluster).(*simulator.ClusterComputeResource)
	var das types.ClusterDasConfigInfo
	simulator.Map.WithLock(cluster, func() { das = cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DasConfig })
	a.agents.afterReconfigure(cluster.Host, false, das, a.inv.hostConnected)
}

func (inv *Inventory) hostConnected(ref types.ManagedObjectReference) bool {
	host, ok := simulator.Map.Get(ref).(*simulator.HostSystem)
	if !ok {
		return false
	}
	var connected bool
	simulator.Map.WithLock(host, func() { connected = host.Runtime.ConnectionState == types.HostSystemConnectionStateConnected })
	return connected
}
