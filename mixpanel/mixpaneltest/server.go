// Package mixpaneltest is an in-process fake of Mixpanel's HTTP APIs for
// tests. It checks credentials the way Mixpanel does, answers each endpoint
// the client uses with Mixpanel's real response shapes, can be told to fail,
// and records every request so tests assert on method, path, query and body.
package mixpaneltest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Default credentials and ids of the fake project.
const (
	Username    = "sa-test.1234.mp-service-account"
	Secret      = "s3cr3t-service-account-key"
	OAuthToken  = "oauth-access-token-abc123"
	ProjectID   = "12345"
	WorkspaceID = "3001"
	OrgID       = "777"
)

// Path prefixes of the four API families on the fake's single host.
const (
	QueryPrefix  = "/api/query"
	ExportPrefix = "/api/2.0"
	EngagePrefix = "/api/query/engage"
	AppPrefix    = "/api/app"
)

// Request is one recorded request. The Authorization header is kept only as
// the scheme used ("Basic", "Bearer" or ""), never the credential.
type Request struct {
	Method string
	Path   string
	// RawPath is the path as sent, percent-encoding kept.
	RawPath  string
	Query    url.Values
	Body     []byte
	AuthType string
}

// JSON decodes the recorded body into v and fails the test on error.
func (r Request) JSON(t TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode body of %s %s: %v (%s)", r.Method, r.Path, err, r.Body)
	}
}

// Failure makes matching requests fail. Times is how many requests it
// affects (0: all of them). Delay holds the answer back (a slow server);
// with Status 0 the request is answered normally after the delay.
type Failure struct {
	Method string // "" matches any method
	Path   string // full path, e.g. "/api/query/events/names"; "" matches any
	Status int
	Header http.Header
	Body   string
	Times  int
	Delay  time.Duration
	// CutOff announces twice Body's length and closes the connection after
	// Body: an answer cut off in transit.
	CutOff bool
}

// TB is the part of testing.TB the fake uses; *testing.T and *testing.B
// satisfy it. The fake does not import "testing", so a shipped binary can
// serve it in-process (see NewHandler).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Server is the fake. Create it with New, or NewHandler for a fake with no
// listener.
type Server struct {
	*httptest.Server
	t TB

	mu       sync.Mutex
	requests []Request
	failures []*Failure
	canned   map[string]canned
	routes   map[string]http.HandlerFunc
	mux      *http.ServeMux // pattern routes with path values (entities.go)
	// unrecorded: a NewHandler fake keeps no request log, which would grow
	// for as long as the process serves.
	unrecorded bool

	// Store keeps the management entities tests create (entities.go).
	Store *Store
	// seedBookmarks copies Data.Bookmarks into a scope once (bookmarks.go).
	seedBookmarks func(scope string)
	// lookups is the storage bucket and upload tasks of lookup tables
	// (governance.go).
	lookups *lookupState
	// cdn is the replay CDN (replays.go); a NewHandler fake serves it
	// in-process.
	cdn *replayCDN

	// Data is the fake project's content that the discovery and entity
	// endpoints serve; tests may change it before making requests.
	Data *Data
}

type canned struct {
	status int
	body   []byte
}

// registrars add the routes of each domain's file: a list, not init()
// functions, so that a binary linking the fake (the demo) runs none of
// its code at start.
var registrars = []func(*Server){
	routesAlerts, routesAnnotations, routesBookmarks, routesBookmarksRoute, routesBusinessContext,
	routesCohorts, routesDashboards, routesDiscovery, routesEngage, routesExport, routesFlags, routesFlows,
	routesGovernance, routesGovernanceB, routesGovernanceB2, routesLegacy, routesLexicon, routesReplays, routesReports,
}

// New starts a fake with the default dataset and closes it when t ends.
func New(t TB) *Server {
	s := newServer(DefaultData())
	s.t = t
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// NewHandler builds a fake over data that opens no listener: serve it with
// ServeHTTP (through an http.RoundTripper, for instance). Its Server field
// is nil; Respond, the replay CDN and the test helpers need New.
func NewHandler(data *Data) *Server {
	s := newServer(data)
	s.unrecorded = true
	return s
}

func newServer(data *Data) *Server {
	s := &Server{canned: map[string]canned{}, routes: map[string]http.HandlerFunc{}, mux: http.NewServeMux(), Store: newStore(), Data: data}
	for _, r := range registrars {
		r(s)
	}
	return s
}

// ServeHTTP answers one request the way Mixpanel would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.serve(w, r) }

// Config is a client configuration pointing every API family at the fake,
// with service-account credentials and the fake's project.
func (s *Server) Config() mixpanel.Config {
	return mixpanel.Config{
		Username:  Username,
		Secret:    Secret,
		ProjectID: ProjectID,
		QueryURL:  s.URL + QueryPrefix,
		ExportURL: s.URL + ExportPrefix,
		EngageURL: s.URL + EngagePrefix,
		AppURL:    s.URL + AppPrefix,
		// Tests must not wait for real backoff.
		Sleep:        func(context.Context, time.Duration) error { return nil },
		QueryPerHour: -1,
		// Each call reaches the fake, so tests see every request.
		CacheTTL: -1,
	}
}

// Client returns a client configured by Config.
func (s *Server) Client(t TB) *mixpanel.Client {
	t.Helper()
	c, err := mixpanel.New(s.Config())
	if err != nil {
		t.Fatalf("mixpaneltest client: %v", err)
	}
	return c
}

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// LastRequest returns the most recent request to path (any method), and
// fails the test when there is none.
func (s *Server) LastRequest(t TB, path string) Request {
	t.Helper()
	reqs := s.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Path == path {
			return reqs[i]
		}
	}
	t.Fatalf("no request to %s; got %d requests", path, len(reqs))
	return Request{}
}

// Fail installs a failure; see Failure.
func (s *Server) Fail(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &f)
}

// Respond makes method+path answer with a fixed status and JSON body,
// overriding the built-in handler.
func (s *Server) Respond(method, path string, status int, body any) {
	raw, ok := body.([]byte)
	if !ok {
		if str, isStr := body.(string); isStr {
			raw = []byte(str)
		} else {
			var err error
			if raw, err = json.Marshal(body); err != nil {
				s.t.Fatalf("mixpaneltest.Respond: %v", err)
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canned[method+" "+path] = canned{status: status, body: raw}
}

// handle registers a built-in route. Paths are full paths on the fake host.
func (s *Server) handle(method, path string, h http.HandlerFunc) {
	s.routes[method+" "+path] = h
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// The in-process replay CDN takes no Mixpanel credentials.
	if s.Server == nil && s.cdn != nil && strings.HasPrefix(r.URL.Path, cdnPrefix) {
		s.cdn.serve(w, r)
		return
	}
	auth := r.Header.Get("Authorization")
	f := s.record(r)
	s.mu.Lock()
	c, hasCanned := s.canned[r.Method+" "+r.URL.Path]
	route := s.routes[r.Method+" "+r.URL.Path]
	s.mu.Unlock()
	if answerFailure(w, r, f) {
		return
	}
	// Signed storage URLs (lookup-table uploads) take no credentials.
	if strings.HasPrefix(r.URL.Path, SignedPrefix) {
		s.mux.ServeHTTP(w, r)
		return
	}
	if !s.authorized(auth) {
		WriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "Invalid username or secret", "status": "error"})
		return
	}
	if hasCanned {
		writeRaw(w, c.status, c.body)
		return
	}
	if route == nil {
		if _, pattern := s.mux.Handler(r); pattern != "" {
			s.mux.ServeHTTP(w, r)
			return
		}
		WriteJSON(w, http.StatusNotFound, map[string]any{"error": "mixpaneltest: no route for " + r.Method + " " + r.URL.Path, "status": "error"})
		return
	}
	if needsProjectParam(r.URL.Path) && r.URL.Query().Get("project_id") == "" {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "project_id is required", "status": "error"})
		return
	}
	route(w, r)
}

// record logs the request (its body stays readable) and returns the
// failure installed for it, if any.
func (s *Server) record(r *http.Request) *Failure {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	authType, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unrecorded {
		return s.takeFailure(r)
	}
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawPath: r.URL.EscapedPath(), Query: r.URL.Query(), Body: body, AuthType: authType})
	return s.takeFailure(r)
}

// answerFailure waits out f's delay and answers with its status when it has
// one; it reports whether the request was answered.
func answerFailure(w http.ResponseWriter, r *http.Request, f *Failure) bool {
	if f == nil {
		return false
	}
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	if f.Status == 0 {
		return false
	}
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if f.CutOff {
		w.Header().Set("Content-Length", strconv.Itoa(2*len(f.Body)+1))
	}
	writeRaw(w, f.Status, []byte(f.Body))
	return true
}

func (s *Server) takeFailure(r *http.Request) *Failure {
	for i, f := range s.failures {
		if (f.Method == "" || f.Method == r.Method) && (f.Path == "" || f.Path == r.URL.Path) {
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					s.failures = append(s.failures[:i], s.failures[i+1:]...)
				}
			}
			return f
		}
	}
	return nil
}

// authorized accepts HTTP Basic with the fake's service account or a
// Bearer token equal to the fake's OAuth token, as Mixpanel does.
func (s *Server) authorized(h string) bool {
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok {
		return false
	}
	switch scheme {
	case "Basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		return err == nil && string(raw) == Username+":"+Secret
	case "Bearer":
		return cred == OAuthToken
	}
	return false
}

// needsProjectParam: Query-family GETs and export carry project_id in the
// query string; the bookmark POSTs carry it in their body instead.
func needsProjectParam(path string) bool {
	switch {
	case strings.HasPrefix(path, EngagePrefix):
		return true
	case path == QueryPrefix+"/insights" || path == QueryPrefix+"/arb_funnels" || path == QueryPrefix+"/stream/bookmark":
		return false
	case strings.HasPrefix(path, QueryPrefix+"/"), strings.HasPrefix(path, ExportPrefix+"/"):
		return true
	}
	return false
}

// WriteJSON writes v as a JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, raw)
}

// WriteApp writes v inside the App API envelope {"status":"ok","results":v}.
func WriteApp(w http.ResponseWriter, v any) {
	WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": v})
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// DecodeBody decodes a JSON request body, answering 400 when it is not JSON.
func DecodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid JSON body: " + err.Error(), "status": "error"})
		return false
	}
	return true
}
