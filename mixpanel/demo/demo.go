// Package demo is an in-process demo Mixpanel project: "Tempo", a
// synthetic subscription app on web, iOS and Android, generated
// deterministically at start. It speaks Mixpanel's wire format through an
// http.RoundTripper (no socket, no network): the query engines it
// evaluates (Insights, funnels, retention, flows, the legacy query APIs,
// the raw export and the activity feed) are computed from its events,
// discovery and Engage are served from data derived from them, management
// writes land in the stateful store of mixpaneltest (a sandbox that lives
// for the process), and every request it cannot evaluate is refused with
// an error naming what it does not support — never an invented number.
package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// projectOffset is the demo project's time zone (fixed UTC-7, the offset
// the wire answers carry).
const projectOffset = -7 * time.Hour

// Seed and DefaultUsers define the demo everyone sees.
const (
	Seed         = 2026
	DefaultUsers = 20000
)

// baseURL is the host the demo's client addresses; requests never leave
// the process, and the .invalid domain cannot resolve if one tried.
const baseURL = "http://demo.mixpanel.invalid"

// Project is a running demo project.
type Project struct {
	Events *Events
	fake   *mixpaneltest.Server
	times  timeIndex    // the export's time order, built on first use
	state  *persistence // set by Persist (state.go)
}

// New generates the default demo with data up to now.
func New(now time.Time) *Project { return NewWith(Seed, DefaultUsers, now) }

// NewWith generates a demo of the given size; the same seed, size and day
// give the same events.
func NewWith(seed uint64, users int, now time.Time) *Project {
	ev := Generate(seed, users, now)
	p := &Project{Events: ev, fake: mixpaneltest.NewHandler(projectData(ev))}
	ev.cohortDef = p.savedCohort
	p.fake.Handle(http.MethodPost, mixpaneltest.QueryPrefix+"/insights", p.postInsights)
	p.fake.Handle(http.MethodPost, mixpaneltest.QueryPrefix+"/arb_funnels", p.postFlows)
	p.fake.Handle(http.MethodGet, mixpaneltest.QueryPrefix+"/arb_funnels", p.savedFlows)
	p.fake.Handle(http.MethodGet, mixpaneltest.ExportPrefix+"/export", p.export)
	p.fake.Handle(http.MethodPost, mixpaneltest.QueryPrefix+"/stream/bookmark", p.activityFeed)
	for path, h := range p.legacyRoutes() {
		p.fake.Handle(http.MethodGet, mixpaneltest.QueryPrefix+path, h)
	}
	if err := p.attachReplays(); err != nil {
		panic("demo: attaching the session replays: " + err.Error())
	}
	p.handleSaved()
	if err := p.seed(); err != nil {
		panic("demo: seeding the saved entities: " + err.Error())
	}
	return p
}

func (p *Project) postInsights(w http.ResponseWriter, r *http.Request) {
	var body mixpaneltest.InsightsBody
	if !mixpaneltest.DecodeBody(w, r, &body) {
		return
	}
	fail := func(msg string) {
		mixpaneltest.WriteJSON(w, http.StatusBadRequest, map[string]any{"error": msg, "status": "error"})
	}
	if string(body.ProjectID) != mixpaneltest.ProjectID {
		fail(fmt.Sprintf("project_id must be the integer %s in the body, got %q", mixpaneltest.ProjectID, body.ProjectID))
		return
	}
	var bookmark map[string]any
	if err := json.Unmarshal(body.Bookmark, &bookmark); err != nil || bookmark == nil {
		fail("bookmark must be a JSON object")
		return
	}
	var answer map[string]any
	var err error
	switch kind := mixpaneltest.BehaviorType(bookmark); kind {
	case "insights":
		answer, err = p.Events.Insights(bookmark)
	case "funnel":
		answer, err = p.Events.Funnel(bookmark)
	case "retention":
		answer, err = p.Events.Retention(bookmark)
	default: // replay discovery and replay events, from the replays
		if answer, status, ok := p.fake.AnswerReplayQuery(bookmark); ok {
			mixpaneltest.WriteJSON(w, status, answer)
			return
		}
		err = unsupported("%s queries", kind)
	}
	if err != nil {
		fail(err.Error())
		return
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, answer)
}

// RoundTrip serves req in-process: the demo is the whole of "Mixpanel".
// The answer streams through a pipe as the handler writes it (the export
// is never held whole); closing the body stops the handler's writes.
func (p *Project) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	in := req.Clone(req.Context())
	in.Body = io.NopCloser(bytes.NewReader(body))
	if p.savesAfter(req) {
		return p.roundTripSaved(req, in)
	}
	pr, pw := io.Pipe()
	rw := &pipeResponse{header: http.Header{}, body: pw, ready: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				rw.WriteHeader(http.StatusInternalServerError)
				_ = pw.CloseWithError(fmt.Errorf("demo: handling %s %s: %v", req.Method, req.URL.Path, v))
				return
			}
			rw.WriteHeader(http.StatusOK)
			_ = pw.Close()
		}()
		p.fake.ServeHTTP(rw, in)
	}()
	<-rw.ready
	return &http.Response{
		Status: fmt.Sprintf("%d %s", rw.status, http.StatusText(rw.status)), StatusCode: rw.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rw.sent, Body: &pipeBody{PipeReader: pr, done: done}, ContentLength: -1, Request: req,
	}, nil
}

// pipeBody is an in-process answer's body. Close waits for the handler to
// return (its writes fail once the body is closed), so requests stay in
// sequence as over a connection: a write the handler makes after its
// answer is done before the caller's next request.
type pipeBody struct {
	*io.PipeReader
	done chan struct{}
}

func (b *pipeBody) Close() error {
	err := b.PipeReader.Close()
	<-b.done
	return err
}

// pipeResponse is the http.ResponseWriter of an in-process request: the
// status and headers are sent at the first write, the body through a pipe.
type pipeResponse struct {
	header, sent http.Header
	status       int
	body         *io.PipeWriter
	once         sync.Once
	ready        chan struct{}
}

func (w *pipeResponse) Header() http.Header { return w.header }

func (w *pipeResponse) WriteHeader(status int) {
	w.once.Do(func() {
		w.status, w.sent = status, w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// Config points a client configuration at the demo: its credentials,
// project and in-process transport replace base's; timeouts, limits and
// the cache stay base's, and the hourly query limit is off (the demo has
// no quota to protect).
func (p *Project) Config(base mixpanel.Config) mixpanel.Config {
	c := base
	c.Username, c.Secret, c.OAuthToken, c.Tokens = mixpaneltest.Username, mixpaneltest.Secret, "", nil
	c.ProjectID, c.WorkspaceID = mixpaneltest.ProjectID, mixpaneltest.WorkspaceID
	c.Region = mixpanel.RegionUS
	c.QueryURL = baseURL + mixpaneltest.QueryPrefix
	c.ExportURL = baseURL + mixpaneltest.ExportPrefix
	c.EngageURL = baseURL + mixpaneltest.EngagePrefix
	c.AppURL = baseURL + mixpaneltest.AppPrefix
	c.HTTPClient = &http.Client{Transport: p}
	c.QueryPerHour = -1
	return c
}

// projectData is what the fake's discovery, Engage and context routes
// serve: derived from the generated events, not written by hand.
func projectData(e *Events) *mixpaneltest.Data {
	d := mixpaneltest.DefaultData()
	d.Now = e.today()
	d.User = mixpaneltest.User{ID: 1, Email: "demo@tempo.example", Name: "Demo Analyst"}
	d.Organizations = []mixpaneltest.Organization{{ID: 777, Name: "Tempo Labs (demo)", Role: "admin", Permissions: []string{"view_projects", "manage_projects"}}}
	d.Projects = []mixpaneltest.Project{{ID: 12345, Name: "Tempo Demo", OrganizationID: 777, Timezone: "Etc/GMT+7", Domain: "mixpanel.com", HasWorkspaces: true}}
	d.Workspaces = []mixpaneltest.Workspace{{ID: 3001, Name: "All Project Data", ProjectID: 12345, IsDefault: true, IsGlobal: true, IsVisible: true, Description: "Every event and profile of the demo", CreatedISO: e.Start.Format(time.RFC3339), CreatorName: "Demo Analyst"}}
	d.EventNamesMaxDays = 0
	d.LexiconJoinTimesOut = false
	d.SavedFunnels, d.SavedCohorts, d.Bookmarks, d.LexiconSchemas = nil, nil, nil, nil
	d.RawEvents, d.Export, d.FunnelSteps, d.Replays = nil, nil, nil, nil

	counts := make([]int, numEvents)
	todayN, yesterdayN := make([]int, numEvents), make([]int, numEvents)
	todayDay := int(e.Now / day)
	// Counting: user-level properties once per user, event-level ones by
	// their (event, a, b) columns; Sign Up (user-dependent properties) one
	// by one. Every count is over every event.
	propCount := map[string]int{}
	valCount := map[string]map[string]int{}
	add := func(name, v string, n int) {
		propCount[name] += n
		if name == "email" {
			return // too many distinct values to list; counted above
		}
		if valCount[name] == nil {
			valCount[name] = map[string]int{}
		}
		valCount[name][v] += n
	}
	var byCols [numEvents][16][16]int
	var rep [numEvents][16][16]int
	for u := range e.users {
		lo, hi := int(e.first[u]), int(e.first[u+1])
		if hi > lo {
			for _, name := range commonProps {
				v, _ := accessors()[name](e, lo, u)
				add(name, v.String(), hi-lo)
			}
		}
		for i := lo; i < hi; i++ {
			id := e.ev[i]
			counts[id]++
			switch int(e.t[i] / day) {
			case todayDay:
				todayN[id]++
			case todayDay - 1:
				yesterdayN[id]++
			}
			if id == evSignUp || id == evSignUpBug {
				for _, name := range eventProps[id] {
					v, _ := accessors()[name](e, i, u)
					add(name, v.String(), 1)
				}
				continue
			}
			byCols[id][e.a[i]][e.b[i]]++
			rep[id][e.a[i]][e.b[i]] = i
		}
	}
	for id := range byCols {
		for a := range byCols[id] {
			for b, n := range byCols[id][a] {
				if n == 0 {
					continue
				}
				for _, name := range eventProps[id] {
					v, _ := accessors()[name](e, rep[id][a][b], -1)
					add(name, v.String(), n)
				}
			}
		}
	}
	descriptions := map[string]string{
		"Page View":    "A web page was viewed",
		"Sign Up":      "An account was created",
		"Activate":     "The user finished onboarding and created a first document",
		"Start Trial":  "A 7-day trial of a paid plan started",
		"Purchase":     "A subscription payment succeeded",
		"Feature Used": "A core feature was used",
	}
	d.Events = nil
	for id, name := range eventNames {
		d.Events = append(d.Events, mixpaneltest.Event{Name: name, Description: descriptions[name], Verified: descriptions[name] != "", Properties: append(slices.Clone(commonProps), eventProps[id]...)})
	}
	sort.SliceStable(d.Events, func(i, j int) bool { return counts[eventID(d.Events[i].Name)] > counts[eventID(d.Events[j].Name)] })
	d.TopEvents = nil
	for id, name := range eventNames {
		pc := 0.0
		if yesterdayN[id] > 0 {
			pc = float64(todayN[id]-yesterdayN[id]) / float64(yesterdayN[id])
		}
		d.TopEvents = append(d.TopEvents, mixpaneltest.TopEvent{Event: name, Amount: todayN[id], PercentChange: pc})
	}
	sort.SliceStable(d.TopEvents, func(i, j int) bool { return d.TopEvents[i].Amount > d.TopEvents[j].Amount })
	propDesc := map[string]string{
		"platform": "web, ios or android", "country": "ISO country code", "utm_source": "Acquisition source",
		"plan": "Subscription plan", "amount": "Payment in USD", "feature": "Which feature was used",
	}
	total := float64(len(e.t))
	d.EventProperties = nil
	for _, name := range sortedKeys(propCount) {
		typ := "string"
		if numericProps()[name] {
			typ = "number"
		} else if name == "coupon_applied" {
			typ = "boolean"
		}
		vals := valCount[name]
		list := sortedKeys(vals)
		sort.SliceStable(list, func(i, j int) bool { return vals[list[i]] > vals[list[j]] })
		d.EventProperties = append(d.EventProperties, mixpaneltest.Property{Name: name, Type: typ, Description: propDesc[name], Values: list, Count: propCount[name], Density: float64(propCount[name]) / total})
	}
	d.UserProperties = []mixpaneltest.Property{
		{Name: "$email", Type: "string", Description: "Email address", Sensitive: true},
		{Name: "$name", Type: "string"},
		{Name: "$created", Type: "datetime", Description: "Signup time"},
		{Name: "platform", Type: "string", Values: platforms},
		{Name: "country", Type: "string", Values: countries},
		{Name: "plan", Type: "string", Description: "Current plan, or free", Values: append([]string{"free"}, plans...)},
		{Name: "utm_source", Type: "string", Values: utmSources},
		{Name: "lifetime_value", Type: "number", Description: "Total paid, USD"},
	}
	d.Profiles = make([]mixpaneltest.Profile, len(e.users))
	for u, us := range e.users {
		plan := "free"
		if us.plan >= 0 {
			plan = plans[us.plan]
		}
		created := e.Start.Add(time.Duration(us.signup) * time.Second)
		d.Profiles[u] = mixpaneltest.Profile{DistinctID: distinctID(u), Properties: map[string]any{
			"$email": e.email(u), "$name": e.profileName(u),
			"$created": created.Format("2006-01-02T15:04:05"), "platform": platforms[us.platform],
			"country": countries[us.country], "plan": plan, "utm_source": utmSources[us.utm],
			"lifetime_value": round2(float64(us.ltv)),
		}}
	}
	return d
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
