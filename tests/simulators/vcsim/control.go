package main

// The /_sim control API (JSON, no auth, same HTTPS server as /sdk) and the
// fault table it drives.

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// Fault is one injected fault. Count -1 means "until cleared".
type Fault struct {
	Kind    string  `json:"kind"`
	Count   int     `json:"count"`
	Seconds float64 `json:"seconds,omitempty"`
	Method  string  `json:"method,omitempty"` // regexp on the SOAP method name (latency, http500)
	Message string  `json:"message,omitempty"`
	Skip    int     `json:"skip,omitempty"` // let this many matching calls pass first

	methodRE *regexp.Regexp
}

var faultKinds = map[string]bool{"fail_reconfigure": true, "expire_sessions": true, "latency": true, "http500": true, "keep_blank_options": true}

type faultTable struct {
	mu     sync.Mutex
	active []*Fault
}

func (t *faultTable) init() { t.active = nil }

// parseFault validates a POST /_sim/faults body and fills defaults.
func parseFault(data []byte) (*Fault, error) {
	f := &Fault{Count: 1}
	if err := json.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("body must be JSON like {\"kind\": \"fail_reconfigure\", \"count\": 1}: %v", err)
	}
	if !faultKinds[f.Kind] {
		return nil, fmt.Errorf("kind must be one of fail_reconfigure, expire_sessions, latency, http500, keep_blank_options (got %q)", f.Kind)
	}
	if f.Count == 0 || f.Count < -1 {
		return nil, fmt.Errorf("count must be a positive number or -1 (until cleared)")
	}
	if f.Kind == "latency" && f.Seconds <= 0 {
		return nil, fmt.Errorf("latency needs seconds > 0")
	}
	if f.Skip < 0 {
		return nil, fmt.Errorf("skip must be 0 or more")
	}
	if f.Seconds > 60 {
		return nil, fmt.Errorf("seconds must be at most 60")
	}
	if f.Method != "" {
		re, err := regexp.Compile("^(?:" + f.Method + ")$")
		if err != nil {
			return nil, fmt.Errorf("method is not a valid regular expression: %v", err)
		}
		f.methodRE = re
	}
	return f, nil
}

func (t *faultTable) add(f *Fault) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active = append(t.active, f)
}

func (t *faultTable) clear() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.active = nil
}

func (t *faultTable) list() []Fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := []Fault{}
	for _, f := range t.active {
		out = append(out, *f)
	}
	return out
}

// take consumes one use of the first matching fault of kind.
func (t *faultTable) take(kind, method string) *Fault {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, f := range t.active {
		if f.Kind != kind || (f.methodRE != nil && !f.methodRE.MatchString(method)) {
			continue
		}
		if f.Skip > 0 {
			f.Skip--
			return nil
		}
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				t.active = append(t.active[:i], t.active[i+1:]...)
			}
		}
		return f
	}
	return nil
}

func (t *faultTable) latency(method string) time.Duration {
	if f := t.take("latency", method); f != nil {
		return time.Duration(f.Seconds * float64(time.Second))
	}
	return 0
}

func (t *faultTable) http500(method string) bool { return t.take("http500", method) != nil }

// keepBlankOptions: the next reconfigure stores options sent with an empty value as
// present-but-empty instead of removing them (one of the removal behaviours reported for vCenter).
func (t *faultTable) keepBlankOptions() bool {
	return t.take("keep_blank_options", "ReconfigureComputeResource_Task") != nil
}

func (t *faultTable) failReconfigure() (string, bool) {
	f := t.take("fail_reconfigure", "ReconfigureComputeResource_Task")
	if f == nil {
		return "", false
	}
	if f.Message != "" {
		return f.Message, true
	}
	return "vpxd failed to reconfigure the cluster (simulated by fail_reconfigure)", true
}

func (a *app) serveControl(w http.ResponseWriter, r *http.Request) {
	body, _ := ioutil.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	switch r.URL.Path + " " + r.Method {
	case "/_sim/calls GET":
		writeJSON(w, http.StatusOK, a.calls.snapshot())
	case "/_sim/calls DELETE":
		a.calls.reset()
		writeJSON(w, http.StatusOK, a.calls.snapshot())
	case "/_sim/faults GET":
		writeJSON(w, http.StatusOK, map[string]interface{}{"faults": a.faults.list()})
	case "/_sim/faults POST":
		f, err := parseFault(body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if f.Kind == "expire_sessions" {
			n := a.sessions.expireAll()
			writeJSON(w, http.StatusOK, map[string]interface{}{"expired_sessions": n, "faults": a.faults.list()})
			return
		}
		a.faults.add(f)
		writeJSON(w, http.StatusOK, map[string]interface{}{"faults": a.faults.list()})
	case "/_sim/faults DELETE":
		a.faults.clear()
		writeJSON(w, http.StatusOK, map[string]interface{}{"faults": a.faults.list()})
	case "/_sim/reset POST":
		started := time.Now()
		next, err := a.scenarioFor(body)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		a.mu.Lock()
		previous := a.scenario
		a.scenario = next
		err = a.build()
		if err != nil {
			a.scenario = previous
		}
		a.mu.Unlock()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		a.faults.clear()
		a.calls.reset()
		a.sessions.forget()
		a.agents.init()
		a.mu.RLock()
		a.seedAgents()
		a.mu.RUnlock()
		writeJSON(w, http.StatusOK, map[string]interface{}{"scenario": a.scenario.Name, "seconds": time.Since(started).Seconds()})
	case "/_sim/state GET":
		a.mu.RLock()
		defer a.mu.RUnlock()
		writeJSON(w, http.StatusOK, a.stateSnapshot())
	case "/_sim/scenario GET":
		writeJSON(w, http.StatusOK, map[string]interface{}{
			"name": a.scenario.Name, "datacenter": a.scenario.Datacenter, "cluster": a.scenario.Cluster.Name,
			"hosts": len(a.scenario.Hosts), "vms": len(a.scenario.VMs), "datastores": len(a.scenario.Datastores),
			"username": a.scenario.Credentials.Username,
		})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown control endpoint " + r.Method + " " + r.URL.Path})
	}
}

var scenarioName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// scenarioFor: an empty reset body means the scenario given at start; {"scenario": NAME}
// loads NAME.json from the start scenario's directory (names only, no paths).
func (a *app) scenarioFor(body []byte) (*Scenario, error) {
	var req struct {
		Scenario string `json:"scenario"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return nil, fmt.Errorf("body must be empty or JSON like {\"scenario\": \"vsphere-vsan\"}: %v", err)
		}
	}
	if req.Scenario == "" {
		return a.initial, nil
	}
	if !scenarioName.MatchString(req.Scenario) || a.dir == "" {
		return nil, fmt.Errorf("scenario must be the name of a JSON file next to the start scenario, like vsphere-vsan (got %q)", req.Scenario)
	}
	return loadScenario(filepath.Join(a.dir, req.Scenario+".json"))
}

// stateSnapshot reports the stored dasConfig (as govmomi types, JSON-encoded) for debugging.
func (a *app) stateSnapshot() map[string]interface{} {
	cluster := simulator.Map.Get(a.inv.Cluster).(*simulator.ClusterComputeResource)
	var das types.ClusterDasConfigInfo
	var vsan *types.VsanClusterConfigInfo
	var vmConfig []types.ClusterDasVmConfigInfo
	simulator.Map.WithLock(cluster, func() {
		cfg := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
		das = cfg.DasConfig
		vmConfig = cfg.DasVmConfig
		vsan = cfg.VsanConfigInfo
	})
	hosts := map[string]interface{}{}
	for name, ref := range a.inv.Hosts {
		host := simulator.Map.Get(ref).(*simulator.HostSystem)
		simulator.Map.WithLock(host, func() {
			hosts[name] = map[string]interface{}{"moid": ref.Value, "das_host_state": host.Runtime.DasHostState,
				"ha_agent": a.agents.snapshot(ref)}
		})
	}
	return map[string]interface{}{
		"cluster":              map[string]string{"name": a.scenario.Cluster.Name, "moid": a.inv.Cluster.Value},
		"dasConfig":            das,
		"dasVmConfig":          vmConfig,
		"vsanDefaultPolicyFTT": a.scenario.Vsan.DefaultPolicyFTT,
		"vsanConfig":           vsan,
		"hosts":                hosts,
		"datastores":           a.inv.Datastores,
	}
}
