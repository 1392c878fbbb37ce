package mixpaneltest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Replay is one session replay of the fake project: what discovery finds
// ($mp_session_record), what the CDN serves, and the Mixpanel events
// tracked while it was recorded.
type Replay struct {
	ID         string
	DistinctID string
	// RetentionDays is the $mp_replay_retention_period; 0 means an old SDK
	// that did not stamp it (clients then assume 30, which names the files).
	RetentionDays int
	// Recording is an rrweb file of mixpanel/replay/testdata. Raw, when
	// set, is served instead (a JSON array, e.g. a native mobile recording).
	Recording string
	Raw       []byte
	// RRWeb, when set, is the recording itself (rrweb events in order),
	// for recordings built in memory such as a large benchmark one.
	RRWeb []json.RawMessage
	// StartTime (Unix ms) overrides the recording's first timestamp.
	StartTime int64
	// FileEvents is how many events each CDN file holds; 0 means 60.
	FileEvents int
	// Gone replays are still found by discovery but the CDN has dropped
	// them (aged out of retention): file 0 answers 404.
	Gone bool
	// ExpiredSignings makes the first N signings of this replay hand out
	// signatures the CDN refuses with 403, as an expired one would be.
	ExpiredSignings int
	// FileLatency delays each CDN file's answer, as a real network's time
	// to first byte would; a cancelled request stops waiting.
	FileLatency time.Duration
	// ReverseFiles serves each file's events newest first (events with one
	// timestamp keep their order); the client must sort them.
	ReverseFiles bool
	// Events are the Mixpanel events tracked during the replay.
	Events []ReplayEvent
}

// ReplayEvent is a Mixpanel event inside a replay's window. Offset is
// seconds after the replay's start.
type ReplayEvent struct {
	Name       string
	Offset     int64
	Properties map[string]string
}

// RetentionOrDefault is the retention that names the replay's CDN files.
func (r Replay) RetentionOrDefault() int {
	if r.RetentionDays == 0 {
		return 30
	}
	return r.RetentionDays
}

func (r Replay) eventsPerFile() int {
	if r.FileEvents <= 0 {
		return 60
	}
	return r.FileEvents
}

// replays snapshots the dataset's replays, so a handler can read them
// while a test edits Data.
func (s *Server) replays() []Replay {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.Data.Replays)
}

// Replay ids of the default dataset.
const (
	ReplayLogin    = "r-login-7f3a"
	ReplayCheckout = "r-checkout-91bc"
	ReplayRage     = "r-rage-3d21"
	ReplayPhone    = "r-phone-5e77"
	ReplayNative   = "r-ios-native-0b12"
	ReplayAgedOut  = "r-aged-out-aa00"
)

// defaultReplays are the four shared rrweb recordings plus a native mobile
// recording (not rrweb) and one the CDN no longer has.
func defaultReplays() []Replay {
	native, _ := json.Marshal([]map[string]any{
		{"screen": "ProductList", "ts": 1795625000000, "wireframe": map[string]any{"id": 1, "type": "screen"}},
		{"screen": "ProductDetail", "ts": 1795625004000, "wireframe": map[string]any{"id": 2, "type": "screen"}},
	})
	return []Replay{
		{ID: ReplayLogin, DistinctID: "jane.doe@acme.io", RetentionDays: 30, Recording: "web_login_board.json", Events: []ReplayEvent{
			{Name: "Page View", Offset: 0, Properties: map[string]string{"$current_url": "/login", "plan": "team"}},
			{Name: "Login Failed", Offset: 4, Properties: map[string]string{"$current_url": "/login", "plan": "team"}},
			{Name: "Login", Offset: 7, Properties: map[string]string{"$current_url": "/login", "plan": "team"}},
			{Name: "Card Completed", Offset: 10, Properties: map[string]string{"$current_url": "/boards/123/cards/3", "plan": "team"}},
			{Name: "Board Settings Saved", Offset: 19, Properties: map[string]string{"$current_url": "/boards/456/settings", "plan": "team"}},
		}},
		{ID: ReplayCheckout, DistinctID: "jane.doe@acme.io", RetentionDays: 90, Recording: "web_checkout_form.json", Events: []ReplayEvent{
			{Name: "Checkout Started", Offset: 0, Properties: map[string]string{"$current_url": "/checkout", "plan": "team"}},
			{Name: "Coupon Rejected", Offset: 9, Properties: map[string]string{"$current_url": "/checkout", "plan": "team"}},
			{Name: "Coupon Applied", Offset: 11, Properties: map[string]string{"$current_url": "/checkout", "plan": "team"}},
			{Name: "Purchase", Offset: 18, Properties: map[string]string{"$current_url": "/checkout", "plan": "team"}},
		}},
		{ID: ReplayRage, DistinctID: "sam.lee@acme.io", RetentionDays: 7, Recording: "web_rage_errors.json", Events: []ReplayEvent{
			{Name: "Export Failed", Offset: 1, Properties: map[string]string{"$current_url": "/boards?id=123", "plan": "free"}},
			{Name: "Export Failed", Offset: 3, Properties: map[string]string{"$current_url": "/boards?id=123", "plan": "free"}},
			{Name: "Docs Viewed", Offset: 7, Properties: map[string]string{"$current_url": "/docs", "plan": "free"}},
		}},
		{ID: ReplayPhone, DistinctID: "kim.ng@acme.io", Recording: "mobile_shop_idle.json", Events: []ReplayEvent{
			{Name: "Add to Cart", Offset: 5, Properties: map[string]string{"$current_url": "/shop", "plan": "free"}},
			{Name: "Add to Cart", Offset: 6, Properties: map[string]string{"$current_url": "/shop", "plan": "free"}},
			{Name: "Search", Offset: 25, Properties: map[string]string{"$current_url": "/shop", "plan": "free"}},
		}},
		{ID: ReplayNative, DistinctID: "kim.ng@acme.io", RetentionDays: 30, Raw: native, StartTime: 1795625000000},
		{ID: ReplayAgedOut, DistinctID: "jane.doe@acme.io", RetentionDays: 1, Gone: true, StartTime: 1795500000000},
	}
}

func routesReplays(s *Server) {
	s.cdn = &replayCDN{s: s, signings: map[string]int{}, recordings: map[string][]json.RawMessage{}, files: map[string][]byte{}}
	s.handle(http.MethodPost, AppPrefix+"/projects/"+ProjectID+"/replays/sign/bulk", s.cdn.sign)
}

// AnswerReplayQuery answers the Insights queries of replay discovery
// ($mp_session_record) and replay events ($all_events by $mp_replay_id)
// from Data.Replays; ok is false for any other bookmark. A server that
// answers /insights itself (the demo) calls it for these.
func (s *Server) AnswerReplayQuery(bookmark map[string]any) (answer any, status int, ok bool) {
	switch kind := BehaviorType(bookmark); kind {
	case "replays", "replay_events":
		respond, _ := insightsResponder(kind)
		answer, status = respond(s, bookmark)
		return answer, status, true
	}
	return nil, 0, false
}

// testdataDir is mixpanel/replay/testdata, found from this file so tests of
// any package can serve the recordings.
func testdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "replay", "testdata")
}

// replayCDN is the fake's replay CDN: a host of its own, started on the
// first signing, that checks signatures the way a signed-URL CDN does and
// takes no Mixpanel credentials. Its requests are recorded with the
// fake's and Server.Fail applies to its paths too. A NewHandler fake has
// no listener: its CDN is the host InProcessCDN, served by the fake's own
// handler (whatever transport serves the fake serves the CDN).
type replayCDN struct {
	s    *Server
	once sync.Once
	base string // scheme and host
	key  []byte

	mu         sync.Mutex
	signings   map[string]int
	recordings map[string][]json.RawMessage
	files      map[string][]byte
}

const cdnPrefix = "/srr-us/sha-" + ProjectID + "/"

// InProcessCDN is the replay CDN host of a NewHandler fake; the .invalid
// domain cannot resolve, so only an in-process transport reaches it.
const InProcessCDN = "http://replay-cdn.mixpanel.invalid"

func (c *replayCDN) start() {
	c.once.Do(func() {
		c.key = make([]byte, 32)
		_, _ = rand.Read(c.key)
		if c.s.Server == nil {
			c.base = InProcessCDN
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(c.serve))
		c.s.t.Cleanup(srv.Close)
		c.base = srv.URL
	})
}

func (c *replayCDN) signature(prefix string, expires int64) string {
	m := hmac.New(sha256.New, c.key)
	fmt.Fprintf(m, "%s|%d", prefix, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// sign answers POST /projects/{pid}/replays/sign/bulk.
func (c *replayCDN) sign(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Replays []struct {
			ReplayID  string `json:"replay_id"`
			ReplayEnv string `json:"replay_env"`
		} `json:"replays"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	if len(body.Replays) == 0 {
		WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "replays must be a non-empty list", "status": "error"})
		return
	}
	c.s.mu.Lock()
	sensitive := c.s.Data.ReplaySensitiveData
	replays := slices.Clone(c.s.Data.Replays)
	c.s.mu.Unlock()
	if sensitive {
		WriteJSON(w, http.StatusForbidden, map[string]any{"error": []string{"SESSION_RECORDING_SENSITIVE_DATA"}, "status": "error"})
		return
	}
	c.start()
	now := time.Now().Unix()
	results := make([]map[string]any, 0, len(body.Replays))
	for i, item := range body.Replays {
		if item.ReplayID == "" || (item.ReplayEnv != "prod" && item.ReplayEnv != "dev") {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": fmt.Sprintf("replays[%d]: replay_id is required and replay_env must be prod or dev", i), "status": "error"})
			return
		}
		c.mu.Lock()
		c.signings[item.ReplayID]++
		n := c.signings[item.ReplayID]
		c.mu.Unlock()
		expires := now + 300
		if i := slices.IndexFunc(replays, func(rp Replay) bool { return rp.ID == item.ReplayID }); i >= 0 && n <= replays[i].ExpiredSignings {
			expires = now - 1
		}
		prefix := c.base + cdnPrefix + url.PathEscape(item.ReplayID) + "/"
		qs := url.Values{}
		qs.Set("URLPrefix", base64.URLEncoding.EncodeToString([]byte(prefix)))
		qs.Set("Expires", strconv.FormatInt(expires, 10))
		qs.Set("KeyName", "mixpaneltest")
		qs.Set("Signature", c.signature(prefix, expires))
		results = append(results, map[string]any{"replay_id": item.ReplayID, "url": prefix, "query_string": qs.Encode()})
	}
	WriteApp(w, results)
}

func (c *replayCDN) serve(w http.ResponseWriter, r *http.Request) {
	s := c.s
	f := s.record(r)
	replays := s.replays()
	if answerFailure(w, r, f) {
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, cdnPrefix)
	id, file, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || r.Method != http.MethodGet {
		cdnError(w, http.StatusNotFound)
		return
	}
	c.start()
	if !c.authorized(r, c.base+cdnPrefix+url.PathEscape(id)+"/") {
		cdnError(w, http.StatusForbidden)
		return
	}
	i := slices.IndexFunc(replays, func(rp Replay) bool { return rp.ID == id })
	if i < 0 || replays[i].Gone {
		cdnError(w, http.StatusNotFound)
		return
	}
	rp := replays[i]
	var n, days int
	if _, err := fmt.Sscanf(file, "%04d-%d.json", &n, &days); err != nil || file != fmt.Sprintf("%04d-%d.json", n, days) || days != rp.RetentionOrDefault() {
		cdnError(w, http.StatusNotFound)
		return
	}
	if rp.Raw != nil {
		if n > 0 {
			cdnError(w, http.StatusNotFound)
			return
		}
		writeRaw(w, http.StatusOK, rp.Raw)
		return
	}
	events := rp.RRWeb
	if events == nil {
		var err error
		if events, err = c.recording(rp.Recording); err != nil {
			WriteJSON(w, http.StatusInternalServerError, map[string]any{"error": err.Error()})
			return
		}
	}
	if rp.FileLatency > 0 {
		select {
		case <-time.After(rp.FileLatency):
		case <-r.Context().Done():
			return
		}
	}
	per := rp.eventsPerFile()
	if n*per >= len(events) {
		cdnError(w, http.StatusNotFound)
		return
	}
	writeRaw(w, http.StatusOK, c.file(rp, events, n))
}

// file is the body of CDN file n, built once: the fake's own encoding
// work should not weigh on a client being measured.
func (c *replayCDN) file(rp Replay, events []json.RawMessage, n int) []byte {
	key := fmt.Sprintf("%s/%s/%d/%d/%t/%d", rp.ID, rp.Recording, rp.eventsPerFile(), n, rp.ReverseFiles, len(events))
	c.mu.Lock()
	raw, ok := c.files[key]
	c.mu.Unlock()
	if ok {
		return raw
	}
	per := rp.eventsPerFile()
	chunk := slices.Clone(events[n*per : min((n+1)*per, len(events))])
	if rp.ReverseFiles {
		chunk = newestFirst(chunk)
	}
	raw, _ = json.Marshal(chunk)
	c.mu.Lock()
	c.files[key] = raw
	c.mu.Unlock()
	return raw
}

// newestFirst reverses the order of timestamps but not of the events that
// share one, so a stable sort by timestamp restores the recording exactly.
func newestFirst(events []json.RawMessage) []json.RawMessage {
	var groups [][]json.RawMessage
	last := int64(-1)
	for _, e := range events {
		var ev struct {
			Timestamp int64 `json:"timestamp"`
		}
		_ = json.Unmarshal(e, &ev)
		if len(groups) == 0 || ev.Timestamp != last {
			groups = append(groups, nil)
			last = ev.Timestamp
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], e)
	}
	slices.Reverse(groups)
	return slices.Concat(groups...)
}

// authorized checks the signed query string against the URL prefix it
// was issued for, and its expiry.
func (c *replayCDN) authorized(r *http.Request, prefix string) bool {
	q := r.URL.Query()
	raw, err := base64.URLEncoding.DecodeString(q.Get("URLPrefix"))
	if err != nil || string(raw) != prefix {
		return false
	}
	expires, err := strconv.ParseInt(q.Get("Expires"), 10, 64)
	if err != nil || expires <= time.Now().Unix() {
		return false
	}
	return hmac.Equal([]byte(q.Get("Signature")), []byte(c.signature(prefix, expires)))
}

// cdnError answers like a storage CDN: plain XML-ish text, no JSON.
func cdnError(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, http.StatusText(status))
}

func (c *replayCDN) recording(name string) ([]json.RawMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ev, ok := c.recordings[name]; ok {
		return ev, nil
	}
	ev, err := loadRecording(c.s.Data.Recording, name)
	if err != nil {
		return nil, err
	}
	c.recordings[name] = ev
	return ev, nil
}

// loadRecording reads a recording through read, or from the testdata
// directory when read is nil.
func loadRecording(read func(string) ([]byte, error), name string) ([]json.RawMessage, error) {
	if read == nil {
		read = func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(testdataDir(), name)) }
	}
	raw, err := read(name)
	if err != nil {
		return nil, fmt.Errorf("mixpaneltest: recording %s: %w", name, err)
	}
	var events []json.RawMessage
	if err := json.Unmarshal(raw, &events); err != nil {
		return nil, fmt.Errorf("mixpaneltest: recording %s: %w", name, err)
	}
	return events, nil
}

// events is the recording: RRWeb, else the named file read through read
// (see loadRecording).
func (r Replay) events(read func(string) ([]byte, error)) ([]json.RawMessage, error) {
	if r.RRWeb != nil {
		return r.RRWeb, nil
	}
	return loadRecording(read, r.Recording)
}

// ReplayStart is the replay's start in Unix ms: StartTime, else the first
// timestamp of its recording (of mixpanel/replay/testdata).
func ReplayStart(r Replay) (int64, error) { return replayStart(nil, r) }

func (s *Server) replayStart(r Replay) (int64, error) { return replayStart(s.Data.Recording, r) }

func replayStart(read func(string) ([]byte, error), r Replay) (int64, error) {
	if r.StartTime > 0 {
		return r.StartTime, nil
	}
	events, err := r.events(read)
	if err != nil {
		return 0, err
	}
	for _, e := range events {
		var ev struct {
			Timestamp int64 `json:"timestamp"`
		}
		if json.Unmarshal(e, &ev) == nil && ev.Timestamp > 0 {
			return ev.Timestamp, nil
		}
	}
	return 0, fmt.Errorf("mixpaneltest: recording %s has no timestamp", r.Recording)
}

// RecordingBytes is the size of the replay's raw recording as the CDN
// serves it, summed over its files.
func RecordingBytes(r Replay) (int, error) {
	if r.Raw != nil {
		return len(r.Raw), nil
	}
	events, err := r.events(nil)
	if err != nil {
		return 0, err
	}
	per := r.eventsPerFile()
	total := 0
	for i := 0; i < len(events); i += per {
		raw, _ := json.Marshal(events[i:min(i+per, len(events))])
		total += len(raw)
	}
	return total, nil
}

// replayFilters reads the filters a replay query may carry: property ->
// (operator, values).
type replayFilter struct {
	property, operator string
	values             []string
}

func replayFilters(bookmark map[string]any) ([]replayFilter, error) {
	sections, _ := bookmark["sections"].(map[string]any)
	list, _ := sections["filter"].([]any)
	var out []replayFilter
	for _, item := range list {
		f, _ := item.(map[string]any)
		prop, _ := f["value"].(string)
		op, _ := f["filterOperator"].(string)
		var vals []string
		switch v := f["filterValue"].(type) {
		case []any:
			for _, x := range v {
				s, _ := x.(string)
				vals = append(vals, s)
			}
		case string:
			vals = []string{v}
		}
		if op != "equals" && op != "does not equal" {
			return nil, fmt.Errorf("mixpaneltest: replay queries support equals and does not equal filters, got %q on %s", op, prop)
		}
		out = append(out, replayFilter{property: prop, operator: op, values: vals})
	}
	return out, nil
}

func replayGroups(bookmark map[string]any) []string {
	sections, _ := bookmark["sections"].(map[string]any)
	list, _ := sections["group"].([]any)
	var out []string
	for _, item := range list {
		g, _ := item.(map[string]any)
		if v, ok := g["value"].(string); ok {
			out = append(out, v)
		}
	}
	return out
}

// replayWindow is the [from, to] range of the query in Unix ms. "in the
// last N days" counts back from Data.Now only when a test set it: the
// fake's recordings never age otherwise.
func (s *Server) replayWindow(bookmark map[string]any) (int64, int64, error) {
	sections, _ := bookmark["sections"].(map[string]any)
	list, _ := sections["time"].([]any)
	if len(list) == 0 {
		return 0, 0, fmt.Errorf("sections.time is required")
	}
	t, _ := list[0].(map[string]any)
	switch t["dateRangeType"] {
	case "between":
		v, _ := t["value"].([]any)
		if len(v) != 2 {
			return 0, 0, fmt.Errorf("between needs [from, to]")
		}
		from, err1 := time.Parse("2006-01-02", fmt.Sprint(v[0]))
		to, err2 := time.Parse("2006-01-02", fmt.Sprint(v[1]))
		if err1 != nil || err2 != nil {
			return 0, 0, fmt.Errorf("dates must be YYYY-MM-DD")
		}
		return from.UnixMilli(), to.AddDate(0, 0, 1).UnixMilli() - 1, nil
	case "in the last":
		if s.Data.Now.IsZero() {
			return 0, 1<<62 - 1, nil
		}
		win, _ := t["window"].(map[string]any)
		days, _ := win["value"].(float64)
		return s.Data.Now.AddDate(0, 0, -int(days)).UnixMilli(), s.Data.Now.UnixMilli(), nil
	}
	return 0, 0, fmt.Errorf("unsupported dateRangeType %v", t["dateRangeType"])
}

func badReplayQuery(err error) (any, int) {
	return map[string]any{"error": err.Error(), "status": "error"}, http.StatusBadRequest
}

// matches applies equals / does not equal filters to a row's properties.
func matches(filters []replayFilter, props map[string]string) bool {
	for _, f := range filters {
		in := slices.Contains(f.values, props[f.property])
		if (f.operator == "equals") != in {
			return false
		}
	}
	return true
}

// replayDiscovery answers the $mp_session_record query: the minimum $time
// (Unix seconds) per group, nested in group order, with $overall rollups.
func replayDiscovery(s *Server, bookmark map[string]any) (any, int) {
	sections, _ := bookmark["sections"].(map[string]any)
	show, _ := sections["show"].([]any)
	first, _ := show[0].(map[string]any)
	measurement, _ := first["measurement"].(map[string]any)
	prop, _ := measurement["property"].(map[string]any)
	groups := replayGroups(bookmark)
	filters, err := replayFilters(bookmark)
	if err != nil {
		return badReplayQuery(err)
	}
	from, to, err := s.replayWindow(bookmark)
	if err != nil {
		return badReplayQuery(err)
	}
	series := map[string]any{}
	answer := map[string]any{
		"computed_at": time.Now().UTC().Format(time.RFC3339),
		"date_range":  map[string]any{"from_date": time.UnixMilli(from).UTC().Format(time.RFC3339), "to_date": time.UnixMilli(min(to, 1<<52)).UTC().Format(time.RFC3339)},
		"headers":     append([]string{"$metric"}, groups...),
		"series":      series,
		"meta":        map[string]any{"is_segmentation_limit_hit": false, "sub_query_count": 1},
	}
	// Mixpanel answers an empty series when the aggregated property is the
	// plain "time" rather than the reserved "$time".
	if measurement["math"] != "min" || prop["name"] != "$time" {
		return answer, http.StatusOK
	}
	replays := s.replays()
	metric := map[string]any{}
	for _, rp := range replays {
		start, err := s.replayStart(rp)
		if err != nil {
			return map[string]any{"error": err.Error()}, http.StatusInternalServerError
		}
		props := map[string]string{"$mp_replay_id": rp.ID, "$distinct_id": rp.DistinctID, "$mp_replay_retention_period": "undefined"}
		if rp.RetentionDays != 0 {
			props["$mp_replay_retention_period"] = strconv.Itoa(rp.RetentionDays)
		}
		if start < from || start > to || !matches(filters, props) {
			continue
		}
		addLeaf(metric, groups, props, float64(start/1000), func(a, b float64) float64 { return min(a, b) })
	}
	if len(metric) > 0 {
		series["Minimum of $time of "+"$mp_session_record"] = metric
	}
	return answer, http.StatusOK
}

// addLeaf puts value at the path of the row's group values, combining with
// what is there, and keeps an $overall rollup at every level.
func addLeaf(node map[string]any, groups []string, props map[string]string, value float64, combine func(a, b float64) float64) {
	for _, g := range groups {
		rollup(node, value, combine)
		key := props[g]
		if key == "" {
			key = "undefined"
		}
		child, _ := node[key].(map[string]any)
		if child == nil {
			child = map[string]any{}
			node[key] = child
		}
		node = child
	}
	if v, ok := node["all"].(float64); ok {
		node["all"] = combine(v, value)
	} else {
		node["all"] = value
	}
}

func rollup(node map[string]any, value float64, combine func(a, b float64) float64) {
	o, _ := node["$overall"].(map[string]any)
	if o == nil {
		node["$overall"] = map[string]any{"all": value}
		return
	}
	o["all"] = combine(o["all"].(float64), value)
}

// replayEventsAnswer answers the $all_events query grouped by $time,
// $event_name, $mp_replay_id and extra properties: event counts.
func replayEventsAnswer(s *Server, bookmark map[string]any) (any, int) {
	groups := replayGroups(bookmark)
	if len(groups) < 3 || groups[0] != "$time" || groups[1] != "$event_name" || groups[2] != "$mp_replay_id" {
		return badReplayQuery(fmt.Errorf("mixpaneltest: replay events group by $time, $event_name, $mp_replay_id first, got %v", groups))
	}
	if len(groups) > 8 {
		return badReplayQuery(fmt.Errorf("too many group by properties: %d (max 8)", len(groups)))
	}
	filters, err := replayFilters(bookmark)
	if err != nil {
		return badReplayQuery(err)
	}
	from, to, err := s.replayWindow(bookmark)
	if err != nil {
		return badReplayQuery(err)
	}
	replays := s.replays()
	metric := map[string]any{}
	for _, rp := range replays {
		start, err := s.replayStart(rp)
		if err != nil {
			return map[string]any{"error": err.Error()}, http.StatusInternalServerError
		}
		for _, e := range rp.Events {
			at := start + e.Offset*1000
			props := map[string]string{
				"$time":         time.UnixMilli(at).UTC().Format("2006-01-02T15:04:05"),
				"$event_name":   e.Name,
				"$mp_replay_id": rp.ID,
			}
			for k, v := range e.Properties {
				props[k] = v
			}
			if at < from || at > to || !matches(filters, props) {
				continue
			}
			addLeaf(metric, groups, props, 1, func(a, b float64) float64 { return a + b })
		}
	}
	series := map[string]any{}
	if len(metric) > 0 {
		series["All Events [Total Events]"] = metric
	}
	return map[string]any{
		"computed_at": time.Now().UTC().Format(time.RFC3339),
		"headers":     append([]string{"$metric"}, groups...),
		"series":      series,
		"meta":        map[string]any{"is_segmentation_limit_hit": false, "sub_query_count": 1},
	}, http.StatusOK
}
