package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The wire contract of the management tools: every case of
// testdata/crudwire/cases.json (recorded from the reference library; see its
// README) is run through the tool of the same name with equivalent
// arguments, against a transport that answers the case's responses, and the
// requests the tool sent are compared with the reference's, field by field.

// wireCase is one recorded call of the reference.
type wireCase struct {
	ID      string            `json:"id"`
	Group   string            `json:"group"`
	Method  string            `json:"method"`
	Session wireSession       `json:"session"`
	Args    []json.RawMessage `json:"args"`
	Kwargs  map[string]any    `json:"kwargs"`
	Reqs    []wireRequest     `json:"requests"`
	Resps   []wireResponse    `json:"responses"`
	Outcome string            `json:"outcome"`
	Result  any               `json:"result"`
	// Fixtures are files that existed before the call, by the path the
	// arguments name them with (pub-lookup-upload-replace).
	Fixtures map[string]string `json:"fixtures"`
}

type wireSession struct {
	Auth        string       `json:"auth"`
	Region      string       `json:"region"`
	WorkspaceID *json.Number `json:"workspace_id"`
}

type wireRequest struct {
	Method   string            `json:"method"`
	Host     string            `json:"url_host"`
	Path     string            `json:"path"`
	Query    [][2]string       `json:"query"`
	AuthKind *string           `json:"auth_kind"`
	Headers  map[string]string `json:"headers"`
	BodyKind *string           `json:"body_kind"`
	Body     any               `json:"body"`
}

type wireResponse struct {
	Status   int               `json:"status"`
	BodyKind string            `json:"body_kind"`
	Body     any               `json:"body"`
	Headers  map[string]string `json:"headers"`
}

// wireArgs turns a case's Python arguments into the tool's JSON arguments.
type wireArgs func(c wireCase) map[string]any

// wireTables holds, per group, how each method's arguments translate.
// A domain adds its table here; groups absent from it are not yet built.
var wireTables = map[string]map[string]wireArgs{
	"dashboards":       dashboardsWire,
	"annotations":      annotationsWire,
	"webhooks":         webhooksWire,
	"alerts":           alertsWire,
	"feature_flags":    flagsWire,
	"bookmarks":        bookmarksWire,
	"cohorts":          cohortsWire,
	"experiments":      experimentsWire,
	"lexicon":          lexiconWire,
	"tracking_history": trackingHistoryWire,
}

// refusedBeforeSending lists error cases where the reference sent a request
// that Mixpanel refused, and this server refuses the same input itself with
// a rule-coded error before any request — on purpose, with the reason.
var refusedBeforeSending = map[string]string{
	"pub-webhooks-update-400": "a webhook URL must be https (MG4_URL), checked before sending",
}

// wireTools names the tool of a reference method whose name differs: one
// tool covers both of the reference's bookmark listings.
var wireTools = map[string]string{
	"list_bookmarks_v2": "list_bookmarks",
}

// transitionReadsFirst lists the lifecycle calls that read the entity's
// status before sending (one GET the reference does not send) so that a
// step that does not fit is refused with the status named; the harness
// answers that GET with the case's entity in the status before the step.
var transitionReadsFirst = map[string]string{
	"launch_experiment":   "draft",
	"conclude_experiment": "active",
	"decide_experiment":   "concluded",
}

// stateAnswer is the case's answered entity with its status set to prior.
func stateAnswer(t *testing.T, c wireCase, prior string) wireResponse {
	body, _ := c.Resps[len(c.Resps)-1].Body.(map[string]any)
	entity, _ := body["results"].(map[string]any)
	if entity == nil {
		t.Fatalf("%s: no entity in the answer to build the status read from", c.ID)
	}
	cp := map[string]any{}
	for k, v := range entity {
		cp[k] = v
	}
	cp["status"] = prior
	return wireResponse{Status: 200, BodyKind: "json", Body: map[string]any{"status": "ok", "results": cp}}
}

// positional names the Python method's positional parameters; a typed
// argument ({"$type": ..., "kwargs": {...}}) in a position named "" has its
// fields merged into the tool arguments, and keyword arguments are passed
// under their own names.
func positional(names ...string) wireArgs {
	return func(c wireCase) map[string]any {
		out := map[string]any{}
		for i, raw := range c.Args {
			var v any
			_ = json.Unmarshal(raw, &v)
			v = plainArgs(v)
			if i >= len(names) || names[i] == "" {
				if m, ok := v.(map[string]any); ok {
					for k, x := range m {
						out[k] = x
					}
					continue
				}
			}
			if i < len(names) {
				out[names[i]] = v
			}
		}
		for k, v := range c.Kwargs {
			// A typed keyword argument named params (conclude_experiment's)
			// is the tool's input itself.
			if m, typed := v.(map[string]any); typed && k == "params" && m["$type"] != nil {
				for pk, pv := range plainArgs(m).(map[string]any) {
					out[pk] = pv
				}
				continue
			}
			out[k] = plainArgs(v)
		}
		return out
	}
}

// plainArgs replaces typed objects by their keyword arguments, recursively.
func plainArgs(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if _, typed := x["$type"]; typed {
			kw, _ := x["kwargs"].(map[string]any)
			if kw == nil {
				kw = map[string]any{}
			}
			return plainArgs(kw)
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = plainArgs(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainArgs(e)
		}
		return out
	}
	return v
}

func loadWireCases(t *testing.T) []wireCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/crudwire/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []wireCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// wireTransport answers request i with response i and records requests.
type wireTransport struct {
	mu    sync.Mutex
	resps []wireResponse
	got   []recorded
}

type recorded struct {
	method, host, path, contentType, authKind, userAgent string
	query                                                [][2]string
	body                                                 []byte
}

func (w *wireTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	rec := recorded{method: r.Method, host: r.URL.Scheme + "://" + r.URL.Host, path: r.URL.EscapedPath(), contentType: r.Header.Get("Content-Type"), userAgent: r.Header.Get("User-Agent")}
	if a := r.Header.Get("Authorization"); a != "" {
		rec.authKind, _, _ = strings.Cut(a, " ")
	}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			rec.query = append(rec.query, [2]string{k, v})
		}
	}
	sort.SliceStable(rec.query, func(i, j int) bool { return rec.query[i][0] < rec.query[j][0] })
	if r.Body != nil {
		rec.body, _ = io.ReadAll(r.Body)
	}
	w.got = append(w.got, rec)
	i := len(w.got) - 1
	if i >= len(w.resps) {
		return &http.Response{StatusCode: 599, Body: io.NopCloser(strings.NewReader(`{"error":"no canned response"}`)), Header: http.Header{}, Request: r}, nil
	}
	resp := w.resps[i]
	h := http.Header{}
	var body []byte
	switch resp.BodyKind {
	case "json":
		h.Set("Content-Type", "application/json")
		body, _ = json.Marshal(resp.Body)
	case "text":
		body = []byte(fmt.Sprint(resp.Body))
	}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: resp.Status, Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

func TestCRUDWireContract(t *testing.T) {
	cases := loadWireCases(t)
	passed, total := 0, 0
	for _, c := range cases {
		table, built := wireTables[c.Group]
		if !built && c.Group != "business_context" && c.Group != "discovery" {
			t.Errorf("%s: the management group %s has no wire table", c.ID, c.Group)
		}
		if !built { // the file's extra groups are covered by their own tests
			continue
		}
		total++
		t.Run(c.ID, func(t *testing.T) {
			toArgs, ok := table[c.Method]
			if !ok {
				t.Fatalf("no argument translation for %s: add it to the %s wire table", c.Method, c.Group)
			}
			name := c.Method
			if n, ok := wireTools[name]; ok {
				name = n
			}
			tool := Lookup(name)
			if tool == nil {
				t.Fatalf("no tool %s", name)
			}
			tr := &wireTransport{resps: c.Resps}
			prior, readsFirst := transitionReadsFirst[c.Method]
			if readsFirst {
				tr.resps = append([]wireResponse{stateAnswer(t, c, prior)}, c.Resps...)
			}
			cfg := mixpanel.Config{Region: mixpanel.Region(c.Session.Region), ProjectID: "12345", HTTPClient: &http.Client{Transport: tr}}
			if c.Session.Auth == "oauth_token" {
				cfg.OAuthToken = "tok-0123456789abcdef"
			} else {
				cfg.Username, cfg.Secret = "sa.test", "s3cr3t"
			}
			if c.Session.WorkspaceID != nil {
				cfg.WorkspaceID = c.Session.WorkspaceID.String()
			}
			client, err := mixpanel.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			env := NewEnv(client, nil, zerolog.Nop())
			env.Transport = "stdio"
			args, _ := json.Marshal(withFixtures(t, c, toArgs(c)))
			res := tool.Call(context.Background(), env, args)
			text := resultText(t, res)
			// An irreversible or bulk operation is first refused for its
			// confirmation, before any request; then made again with it.
			if phrase, ok := phraseIn(text); ok && res.IsError {
				if len(tr.got) != 0 {
					t.Fatalf("refused for confirmation after sending %d requests", len(tr.got))
				}
				var m map[string]any
				_ = json.Unmarshal(args, &m)
				m["confirm"] = phrase
				args, _ = json.Marshal(m)
				res = tool.Call(context.Background(), env, args)
				text = resultText(t, res)
			}
			if got, want := res.IsError, c.Outcome == "error"; got != want {
				t.Fatalf("isError = %v, want %v (outcome %s)\nargs %s\n%s", got, want, c.Outcome, args, text)
			}
			if !res.IsError {
				checkOutputSchema(t, tool, res.StructuredContent)
			}
			if why, ok := refusedBeforeSending[c.ID]; ok {
				if len(tr.got) != 0 || !res.IsError {
					t.Errorf("want the input refused before any request (%s); sent %d requests", why, len(tr.got))
				}
				t.Logf("refused before sending, on purpose: %s\n%s", why, text)
			} else {
				got := tr.got
				if readsFirst && len(got) > 0 {
					if g := got[0]; g.method != http.MethodGet || g.path != c.Reqs[0].Path[:strings.LastIndex(c.Reqs[0].Path, "/")] {
						t.Errorf("the status read is %s %s, want a GET of the experiment", g.method, g.path)
					}
					got = got[1:]
				}
				compareRequests(t, c, got)
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("wire contract: %d/%d cases passed", passed, total)
}

// compareRequests checks what the tool sent against the reference's
// requests, in order. One tolerance, on purpose: a GET that met a 5xx may
// be repeated (this client retries safe requests after server errors; the
// reference does not).
func compareRequests(t *testing.T, c wireCase, got []recorded) {
	t.Helper()
	if len(got) > len(c.Reqs) && len(c.Reqs) > 0 {
		last := c.Resps[len(c.Resps)-1]
		if last.Status >= 500 && c.Reqs[len(c.Reqs)-1].Method == http.MethodGet {
			got = got[:len(c.Reqs)]
		}
	}
	if len(got) != len(c.Reqs) {
		t.Errorf("sent %d requests, the reference sent %d", len(got), len(c.Reqs))
		for i, g := range got {
			t.Logf("sent %d: %s %s%s %v", i, g.method, g.host, g.path, g.query)
		}
	}
	for i := range min(len(got), len(c.Reqs)) {
		g, w := got[i], c.Reqs[i]
		where := fmt.Sprintf("request %d (%s %s)", i, w.Method, w.Path)
		if g.method != w.Method || g.host != w.Host || g.path != w.Path {
			t.Errorf("%s: sent %s %s%s", where, g.method, g.host, g.path)
		}
		wq := w.Query
		if wq == nil {
			wq = [][2]string{}
		}
		gq := g.query
		if gq == nil {
			gq = [][2]string{}
		}
		if !reflect.DeepEqual(gq, wq) {
			t.Errorf("%s: query %v, want %v", where, gq, wq)
		}
		wantAuth := ""
		if w.AuthKind != nil {
			wantAuth = *w.AuthKind
		}
		if g.authKind != wantAuth {
			t.Errorf("%s: auth %q, want %q", where, g.authKind, wantAuth)
		}
		if ct := w.Headers["content-type"]; ct != "" && !strings.HasPrefix(g.contentType, ct) {
			t.Errorf("%s: content-type %q, want %q", where, g.contentType, ct)
		}
		// The reference sets no User-Agent on the signed upload PUT; this
		// client must not send its own there either.
		if w.Headers["user-agent"] == "<http-client default>" && strings.HasPrefix(g.userAgent, "mixpanel") {
			t.Errorf("%s: sent the library's User-Agent %q to a signed URL", where, g.userAgent)
		}
		compareBody(t, where, w, g.body)
	}
}

// withFixtures writes the case's fixture files to a temporary directory
// and points the arguments that name them there.
func withFixtures(t *testing.T, c wireCase, args map[string]any) map[string]any {
	if len(c.Fixtures) == 0 {
		return args
	}
	dir := t.TempDir()
	for name, content := range c.Fixtures {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		for k, v := range args {
			if v == name {
				args[k] = p
			}
		}
	}
	return args
}

func compareBody(t *testing.T, where string, w wireRequest, got []byte) {
	t.Helper()
	kind := ""
	if w.BodyKind != nil {
		kind = *w.BodyKind
	}
	switch kind {
	case "":
		if len(bytes.TrimSpace(got)) > 0 {
			t.Errorf("%s: sent a body %s, the reference sent none", where, got)
		}
	case "json":
		var g any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Errorf("%s: body is not JSON: %q", where, got)
			return
		}
		if !reflect.DeepEqual(g, w.Body) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w.Body)
			t.Errorf("%s: body\n got %s\nwant %s", where, gj, wj)
		}
	case "form":
		vals, err := url.ParseQuery(string(got))
		if err != nil {
			t.Errorf("%s: body is not a form: %q", where, got)
			return
		}
		g := map[string]any{}
		for k := range vals {
			g[k] = vals.Get(k)
		}
		if !reflect.DeepEqual(g, w.Body) {
			t.Errorf("%s: form\n got %v\nwant %v", where, g, w.Body)
		}
	case "text":
		if string(got) != fmt.Sprint(w.Body) {
			t.Errorf("%s: text body %q, want %q", where, got, w.Body)
		}
	}
}

var dashboardsWire = map[string]wireArgs{
	"list_dashboards":              positional(),
	"get_dashboard":                positional("dashboard_id"),
	"create_dashboard":             positional(""),
	"update_dashboard":             positional("dashboard_id", ""),
	"delete_dashboard":             positional("dashboard_id"),
	"bulk_delete_dashboards":       positional("ids"),
	"favorite_dashboard":           positional("dashboard_id"),
	"unfavorite_dashboard":         positional("dashboard_id"),
	"pin_dashboard":                positional("dashboard_id"),
	"unpin_dashboard":              positional("dashboard_id"),
	"add_report_to_dashboard":      positional("dashboard_id", "bookmark_id"),
	"remove_report_from_dashboard": positional("dashboard_id", "bookmark_id"),
	"update_report_link":           positional("dashboard_id", "report_link_id", ""),
	"update_text_card":             positional("dashboard_id", "text_card_id", ""),
	"list_blueprint_templates":     positional(),
	"create_blueprint":             positional("template_type"),
	"get_blueprint_config":         positional("dashboard_id"),
	"update_blueprint_cohorts":     positional("cohorts"),
	"finalize_blueprint":           positional(""),
	"create_rca_dashboard":         positional(""),
	"get_bookmark_dashboard_ids":   positional("bookmark_id"),
	"get_dashboard_erf":            positional("dashboard_id"),
}

var annotationsWire = map[string]wireArgs{
	"list_annotations":      positional(),
	"get_annotation":        positional("annotation_id"),
	"create_annotation":     positional(),
	"update_annotation":     positional("annotation_id"),
	"delete_annotation":     positional("annotation_id"),
	"list_annotation_tags":  positional(),
	"create_annotation_tag": positional(),
}

var webhooksWire = map[string]wireArgs{
	"list_webhooks":  positional(),
	"create_webhook": positional(),
	"update_webhook": positional("webhook_id"),
	"delete_webhook": positional("webhook_id"),
	"test_webhook":   positional(),
}

var alertsWire = map[string]wireArgs{
	"list_alerts":                  positional(),
	"get_alert":                    positional("alert_id"),
	"create_alert":                 positional(),
	"update_alert":                 positional("alert_id"),
	"delete_alert":                 positional("alert_id"),
	"bulk_delete_alerts":           positional("alert_ids"),
	"get_alert_count":              positional(),
	"get_alert_history":            positional("alert_id"),
	"test_alert":                   positional(),
	"get_alert_screenshot_url":     positional("gcs_key"),
	"validate_alerts_for_bookmark": positional(),
}

var flagsWire = map[string]wireArgs{
	"list_feature_flags":     positional(),
	"get_feature_flag":       positional("flag_id"),
	"create_feature_flag":    positional(),
	"update_feature_flag":    positional("flag_id"),
	"delete_feature_flag":    positional("flag_id"),
	"archive_feature_flag":   positional("flag_id"),
	"restore_feature_flag":   positional("flag_id"),
	"duplicate_feature_flag": positional("flag_id"),
	"set_flag_test_users":    positional("flag_id"),
	"get_flag_history":       positional("flag_id"),
	"get_flag_limits":        positional(),
}

var experimentsWire = map[string]wireArgs{
	"list_experiments":     positional(),
	"get_experiment":       positional("experiment_id"),
	"create_experiment":    positional(),
	"update_experiment":    positional("experiment_id"),
	"delete_experiment":    positional("experiment_id"),
	"launch_experiment":    positional("experiment_id"),
	"conclude_experiment":  positional("experiment_id", ""),
	"decide_experiment":    positional("experiment_id"),
	"archive_experiment":   positional("experiment_id"),
	"restore_experiment":   positional("experiment_id"),
	"duplicate_experiment": positional("experiment_id"),
	"list_erf_experiments": positional(),
}

var lexiconWire = map[string]wireArgs{
	"get_event_definitions":            positional(),
	"update_event_definition":          positional("name", ""),
	"delete_event_definition":          positional("name"),
	"bulk_update_event_definitions":    positional(""),
	"get_property_definitions":         positional(),
	"update_property_definition":       positional("name", ""),
	"bulk_update_property_definitions": positional(""),
	"list_lexicon_tags":                positional(),
	"create_lexicon_tag":               positional(""),
	"update_lexicon_tag":               positional("tag_id", ""),
	"delete_lexicon_tag":               positional("name"),
}

var trackingHistoryWire = map[string]wireArgs{
	"get_tracking_metadata": positional("event_name"),
	"get_event_history":     positional("event_name"),
	"get_property_history":  positional("property_name", "entity_type"),
	"export_lexicon":        positional(),
}
