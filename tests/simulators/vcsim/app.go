package main

// The HTTP front of the simulator. Every /sdk request passes through app:
// it is counted, fault injection is applied, and ReconfigureComputeResource_Task
// gets our dasConfig semantics around the stock handler (hooking at the HTTP
// layer avoids wrapping simulator objects, which breaks the property collector).

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type app struct {
	scenario *Scenario
	initial  *Scenario // the scenario given at start; a plain reset returns to it
	dir      string    // where POST /_sim/reset {"scenario": NAME} finds NAME.json
	addr     string

	mu  sync.RWMutex // write-held while the model is rebuilt (reset)
	inv *Inventory
	mux *http.ServeMux

	calls    callCounter
	faults   faultTable
	sessions sessionEpochs
	agents   agentTable
}

func newApp(s *Scenario, addr string) (*app, error) {
	a := &app{scenario: s, initial: s, addr: addr}
	a.faults.init()
	a.sessions.init()
	a.agents.init()
	if err := a.build(); err != nil {
		return nil, err
	}
	a.seedAgents()
	return a, nil
}

// build creates a fresh model (simulator.Map is global, so only one lives at a time).
func (a *app) build() error {
	inv, err := buildInventory(a.scenario)
	if err != nil {
		return err
	}
	svc := inv.Model.Service
	// Login checks Listen.User; the stock default accepts any non-empty login.
	svc.Listen = &url.URL{Scheme: "https", Host: a.addr, Path: "/sdk",
		User: url.UserPassword(a.scenario.Credentials.Username, a.scenario.Credentials.Password)}
	svc.RegisterSDK(simulator.Map)
	svc.ServeMux.HandleFunc("/sdk/vimServiceVersions.xml", svc.ServiceVersions)
	svc.ServeMux.HandleFunc("/about", svc.About)
	simulator.Map.SessionManager().ServiceHostName = a.addr
	if a.inv != nil {
		a.inv.Close()
	}
	a.inv = inv
	a.mux = svc.ServeMux
	return nil
}

func (a *app) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.inv != nil {
		a.inv.Close()
	}
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/_sim/"):
		a.serveControl(w, r)
	case r.URL.Path == "/sdk" && r.Method == http.MethodPost:
		a.serveSOAP(w, r)
	default:
		a.mu.RLock()
		defer a.mu.RUnlock()
		a.mux.ServeHTTP(w, r)
	}
}

// soapMethod returns the name of the first element inside the SOAP Body.
func soapMethod(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return "unknown"
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if inBody {
			return start.Name.Local
		}
		switch start.Name.Local {
		case "Body":
			inBody = true
		case "Header":
			_ = dec.Skip()
		}
	}
}

// Methods that work without a valid session (as on vCenter).
var sessionlessMethods = map[string]bool{
	"RetrieveServiceContent": true, "Login": true, "LoginByToken": true,
	"LoginExtensionByCertificate": true, "LoginBySSPI": true, "CloneSession": true,
}

func (a *app) serveSOAP(w http.ResponseWriter, r *http.Request) {
	body, err := ioutil.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	method := soapMethod(body)
	a.calls.add(method)

	if d := a.faults.latency(method); d > 0 {
		time.Sleep(d)
	}
	if a.faults.http500(method) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body><h1>500 Internal Server Error</h1>simulated by clusterops-vcsim (http500 fault)</body></html>\n"))
		return
	}

	a.mu.RLock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			a.mu.RUnlock()
		}
	}
	defer unlock()

	if cookie, err := r.Cookie(soap.SessionCookieName); err == nil && a.sessions.revoked(cookie.Value) {
		if !sessionlessMethods[method] {
			writeSOAPFault(w, "The session is not authenticated.", &types.NotAuthenticated{
				NoPermission: types.NoPermission{Object: types.ManagedObjectReference{Type: "SessionManager", Value: "SessionManager"}, PrivilegeId: "System.View"},
			})
			return
		}
		r.Header.Del("Cookie") // an expired cookie must not block a fresh Login
	}

	if readMethods[method] {
		r.Header.Del("Accept-Encoding") // fillZeroTimers edits the answer: it must not be compressed
	}
	rec := newRecorder()
	switch {
	case method == "ReconfigureComputeResource_Task":
		a.reconfigure(rec, r, body)
	case method == "ReconfigureHostForDAS_Task":
		a.reconfigureHostForDAS(rec, r, body)
	case longPollMethods[method]:
		// Stock WaitForUpdates* can block indefinitely (it ignores a closed
		// connection); holding the model lock meanwhile would stall a reset.
		mux := a.mux
		unlock()
		forwardTo(mux, rec, r, body)
	default:
		a.forward(rec, r, body)
	}
	a.sessions.noteResponse(rec.header)
	if readMethods[method] {
		filled := fillZeroTimers(rec.body.Bytes())
		rec.body.Reset()
		rec.body.Write(filled)
	}
	rec.copyTo(w)
}

var longPollMethods = map[string]bool{"WaitForUpdates": true, "WaitForUpdatesEx": true}

// readMethods answer with property values (see fillZeroTimers).
var readMethods = map[string]bool{"Fetch": true, "RetrieveProperties": true, "RetrievePropertiesEx": true, "ContinueRetrievePropertiesEx": true,
	"WaitForUpdates": true, "WaitForUpdatesEx": true, "CheckForUpdates": true}

// forward hands the request to the stock simulator; callers hold a.mu (read).
func (a *app) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	forwardTo(a.mux, w, r, body)
}

func forwardTo(mux *http.ServeMux, w http.ResponseWriter, r *http.Request, body []byte) {
	// A panic in the stock simulator (e.g. govmomi 0.24's property collector on some
	// property paths) would otherwise just drop the connection; answer it as the
	// SystemError fault a client can report instead.
	defer func() {
		if p := recover(); p != nil {
			var reason bytes.Buffer
			_ = xml.EscapeText(&reason, []byte(fmt.Sprint(p)))
			w.Header().Set("Content-Type", "text/xml; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
				`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
				`<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>vcsim: %s</faultstring>`+
				`<detail><SystemErrorFault xmlns="urn:vim25" xsi:type="SystemError"><reason>%s</reason></SystemErrorFault></detail>`+
				`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`, reason.String(), reason.String())
		}
	}()
	r.Body = ioutil.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	mux.ServeHTTP(w, r)
}

var taskRefPattern = regexp.MustCompile(`<returnval type="Task">([^<]+)</returnval>`)

// neuteredReconfigure is a request the stock handler fails (InvalidArgument)
// without touching anything; we then put our own fault on that task.
func neuteredReconfigure(this types.ManagedObjectReference) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<soapenv:Body><ReconfigureComputeResource_Task xmlns="urn:vim25"><_this type="%s">%s</_this>`+
		`<spec xsi:type="ComputeResourceConfigSpec"></spec><modify>true</modify></ReconfigureComputeResource_Task></soapenv:Body></soapenv:Envelope>`,
		this.Type, this.Value))
}

func (a *app) reconfigure(rec *recorder, r *http.Request, body []byte) {
	// Anything we cannot decode or that is not a cluster reconfigure goes to the stock handler as is.
	m, err := simulator.UnmarshalBody(types.TypeFunc(), body)
	if err != nil {
		a.forward(rec, r, body)
		return
	}
	call, ok := m.Body.(*types.ReconfigureComputeResource_Task)
	if !ok {
		a.forward(rec, r, body)
		return
	}
	cluster, isCluster := simulator.Map.Get(call.This).(*simulator.ClusterComputeResource)
	spec, isSpecEx := call.Spec.(*types.ClusterConfigSpecEx)
	if !isCluster || !isSpecEx {
		a.forward(rec, r, body)
		return
	}

	var fault *DasFault
	var overrides []types.ClusterDasVmConfigInfo
	if a.sessionValid(r) {
		if msg, hit := a.faults.failReconfigure(); hit {
			fault = &DasFault{Fault: &types.SystemError{Reason: msg}, Message: "A general system error occurred: " + msg}
		} else {
			var facts ClusterFacts
			simulator.Map.WithLock(cluster, func() { facts = clusterFacts(cluster) })
			fault = ValidateDasSpec(spec.DasConfig, facts)
			if fault == nil && len(spec.DasVmConfigSpec) > 0 {
				simulator.Map.WithLock(cluster, func() {
					fillRemoveKeys(body, spec.DasVmConfigSpec)
					cur := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DasVmConfig
					overrides, fault = MergeDasVmConfig(cur, spec.DasVmConfigSpec, facts.VMs)
				})
			}
		}
	}
	if fault != nil {
		a.forward(rec, r, neuteredReconfigure(call.This))
		if task := a.taskFromResponse(rec); task != nil {
			setTaskError(task, fault)
		}
		return
	}

	if len(spec.DasVmConfigSpec) > 0 {
		body = withoutDasVmConfigSpec(body)
	}
	a.forward(rec, r, body)
	task := a.taskFromResponse(rec)
	if task == nil {
		return
	}
	var state types.TaskInfoState
	simulator.Map.WithLock(task, func() { state = task.Info.State })
	if state != types.TaskInfoStateSuccess {
		return
	}
	keepBlank := a.faults.keepBlankOptions()
	present := dasConfigPresence(body)
	var wasEnabled bool
	var das types.ClusterDasConfigInfo
	simulator.Map.WithLock(cluster, func() {
		cfg := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
		wasEnabled = cfg.DasConfig.Enabled != nil && *cfg.DasConfig.Enabled
		if spec.DasConfig != nil || !call.Modify {
			applyDasConfig(cluster, spec.DasConfig, call.Modify, present, keepBlank)
		}
		if len(spec.DasVmConfigSpec) > 0 {
			cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DasVmConfig = overrides
		}
		das = cluster.ConfigurationEx.(*types.ClusterConfigInfoEx).DasConfig
	})
	if spec.DasConfig != nil || !call.Modify {
		a.inv.refreshDasHostStates()
		a.agents.afterReconfigure(cluster.Host, wasEnabled, das, a.inv.hostConnected)
	}
}

// sessionValid reports whether the request carries a live session (else the
// stock handler answers NotAuthenticated and no task exists to fail).
func (a *app) sessionValid(r *http.Request) bool {
	cookie, err := r.Cookie(soap.SessionCookieName)
	if err != nil {
		return false
	}
	return a.sessions.known(cookie.Value)
}

func (a *app) taskFromResponse(rec *recorder) *simulator.Task {
	if rec.status != http.StatusOK {
		return nil
	}
	match := taskRefPattern.FindSubmatch(rec.body.Bytes())
	if match == nil {
		return nil
	}
	task, _ := simulator.Map.Get(types.ManagedObjectReference{Type: "Task", Value: string(match[1])}).(*simulator.Task)
	return task
}

func setTaskError(task *simulator.Task, fault *DasFault) {
	simulator.Map.WithLock(task, func() {
		simulator.Map.Update(task, []types.PropertyChange{
			{Name: "info.state", Val: types.TaskInfoStateError},
			{Name: "info.result", Val: nil},
			{Name: "info.error", Val: types.LocalizedMethodFault{Fault: fault.Fault, LocalizedMessage: fault.Message}},
		})
	})
}

func clusterFacts(cluster *simulator.ClusterComputeResource) ClusterFacts {
	facts := ClusterFacts{
		Hosts:      map[types.ManagedObjectReference]bool{},
		Datastores: map[types.ManagedObjectReference]bool{},
	}
	for _, h := range cluster.Host {
		facts.Hosts[h] = true
	}
	for _, obj := range simulator.Map.All("Datastore") {
		facts.Datastores[obj.Reference()] = false
	}
	for _, ds := range cluster.Datastore {
		facts.Datastores[ds] = true
	}
	facts.VMs = map[types.ManagedObjectReference]bool{}
	for _, h := range cluster.Host {
		for _, vm := range simulator.Map.Get(h).(*simulator.HostSystem).Vm {
			facts.VMs[vm] = true
		}
	}
	return facts
}

// applyDasConfig stores the merged config; callers hold the cluster lock.
func applyDasConfig(cluster *simulator.ClusterComputeResource, spec *types.ClusterDasConfigInfo, modify bool, present Present, keepBlank bool) {
	cur := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
	next := *cur
	next.DasConfig = MergeDasConfigPresent(cur.DasConfig, spec, modify, len(cluster.Host), present, keepBlank)
	simulator.Map.Update(cluster, []types.PropertyChange{
		{Name: "configurationEx", Val: &next},
	})
	cluster.ConfigurationEx = &next                  // in case the update path did not assign it
	cluster.Configuration.DasConfig = next.DasConfig // the legacy property mirrors it
	refreshClusterSummary(cluster)
}

// writeSOAPFault writes a SOAP 1.1 fault in the shape vCenter (and vcsim) use.
func writeSOAPFault(w http.ResponseWriter, msg string, fault types.BaseMethodFault) {
	var detail bytes.Buffer
	enc := xml.NewEncoder(&detail)
	kind := fmt.Sprintf("%T", fault)
	kind = kind[strings.LastIndex(kind, ".")+1:]
	start := xml.StartElement{Name: xml.Name{Local: kind + "Fault"}, Attr: []xml.Attr{
		{Name: xml.Name{Local: "xmlns"}, Value: "urn:vim25"},
		{Name: xml.Name{Local: "xsi:type"}, Value: kind},
	}}
	if err := enc.EncodeElement(fault, start); err != nil {
		logger.Printf("encode fault: %v", err)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" `+
		`xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`+
		`<soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail>%s</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		xmlEscape(msg), detail.String())
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// recorder buffers a response so we can adjust state before the client sees it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

func (r *recorder) copyTo(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

// callCounter counts SOAP methods by name.
type callCounter struct {
	mu       sync.Mutex
	total    int
	byMethod map[string]int
}

func (c *callCounter) add(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byMethod == nil {
		c.byMethod = map[string]int{}
	}
	c.total++
	c.byMethod[method]++
}

func (c *callCounter) snapshot() map[string]interface{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	by := map[string]int{}
	for k, v := range c.byMethod {
		by[k] = v
	}
	return map[string]interface{}{"total": c.total, "by_method": by}
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = 0
	c.byMethod = map[string]int{}
}

// sessionEpochs remembers which session cookies were issued before the last
// expire_sessions fault; those are answered with NotAuthenticated.
type sessionEpochs struct {
	mu     sync.Mutex
	epoch  int
	issued map[string]int
}

func (s *sessionEpochs) init() { s.issued = map[string]int{} }

func (s *sessionEpochs) noteResponse(h http.Header) {
	resp := http.Response{Header: h}
	for _, c := range resp.Cookies() {
		if c.Name == soap.SessionCookieName {
			s.mu.Lock()
			s.issued[c.Value] = s.epoch
			s.mu.Unlock()
		}
	}
}

func (s *sessionEpochs) revoked(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.issued[key]
	return ok && e < s.epoch
}

func (s *sessionEpochs) known(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.issued[key]
	return ok && e == s.epoch
}

func (s *sessionEpochs) expireAll() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.issued {
		if e == s.epoch {
			n++
		}
	}
	s.epoch++
	return n
}

// forget drops all sessions (after a reset the new model knows none of them).
func (s *sessionEpochs) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = map[string]int{}
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
