//go:build schemagen

package tools

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// newDashboard creates a dashboard in the fake for reports to go on.
func newDashboard(t *testing.T, env *Env) int64 {
	t.Helper()
	var d struct{ Result struct{ ID int64 } }
	structured(t, callTool(t, env, "create_dashboard", `{"title": "Reports"}`), &d)
	return d.Result.ID
}

// The request shapes of argument combinations the reference's recorded
// cases do not cover: reports from typed queries, updates with and
// without a type, listing filters, history cursors, cohorts from criteria.
func TestReportsAndCohortsRequestShapes(t *testing.T) {
	funnel, err := (&query.FunnelQuery{Steps: query.FunnelStepList{{Event: "Signup"}, {Event: "Purchase"}}}).Build(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	insights, err := (&query.InsightsQuery{Events: query.EventList{{Name: "Signup"}}}).Build(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var def query.CohortDefinition
	if err := json.Unmarshal([]byte(`{"all_of": [{"criterion": "did_event", "event": "Purchase", "at_least": 2, "within_days": 30}]}`), &def); err != nil {
		t.Fatal(err)
	}
	criteria, err := def.ToDict()
	if err != nil {
		t.Fatal(err)
	}
	js := func(v any) string { raw, _ := json.Marshal(v); return string(raw) }
	bm := "/api/app/projects/12345/bookmarks"
	tests := []struct {
		name, tool, args string
		method, path     string
		query            string // encoded, "" for none
		body             string // JSON; "" for none
	}{
		{"create from a typed funnel: the engine builds the params, the type follows", "create_bookmark",
			`{"name": "Signup to purchase", "dashboard_id": {dash}, "funnel": {"steps": ["Signup", "Purchase"], "dry_run": true}}`,
			"POST", bm, "", `{"name": "Signup to purchase", "type": "funnels", "dashboard_id": {dash}, "v": 2, "params": ` + js(funnel) + `}`},
		{"create with restrictions set to false sends them", "create_bookmark",
			`{"name": "S", "bookmark_type": "insights", "dashboard_id": {dash}, "params": ` + js(insights) + `, "is_visibility_restricted": false}`,
			"POST", bm, "", `{"name": "S", "type": "insights", "dashboard_id": {dash}, "v": 2, "is_visibility_restricted": false, "params": ` + js(insights) + `}`},
		{"update with a typed query sends its params", "update_bookmark",
			`{"bookmark_id": 63880001, "insights": {"events": "Signup"}}`,
			"PATCH", bm + "/63880001", "", `{"params": ` + js(insights) + `, "v": 2}`},
		{"update with params but no type sends them as given", "update_bookmark",
			`{"bookmark_id": 63880001, "params": {"sections": {"show": []}}, "deleted": false}`,
			"PATCH", bm + "/63880001", "", `{"params": {"sections": {"show": []}}, "deleted": false, "v": 2}`},
		{"list by ids and type", "list_bookmarks", `{"ids": [63880001, 63880003], "type": "funnels"}`,
			"GET", bm, "ids=63880001%2C63880003&type=funnels&v=2", ""},
		{"history with a cursor", "get_bookmark_history", `{"bookmark_id": 63880001, "cursor": "20"}`,
			"GET", bm + "/63880001/history", "cursor=20", ""},
		{"create a cohort from criteria: the definition is merged", "create_cohort",
			`{"name": "Buyers", "is_visible": false, "criteria": {"all_of": [{"criterion": "did_event", "event": "Purchase", "at_least": 2, "within_days": 30}]}}`,
			"POST", "/api/app/projects/12345/cohorts", "", `{"name": "Buyers", "is_visible": false, "selector": ` + js(criteria["selector"]) + `, "behaviors": ` + js(criteria["behaviors"]) + `}`},
		{"list cohorts of a data group", "list_cohorts_full", `{"data_group_id": "5"}`,
			"GET", "/api/app/projects/12345/cohorts", "data_group_id=5", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			env := testEnv(t, srv)
			dash := fmt.Sprint(newDashboard(t, env))
			args := strings.ReplaceAll(tt.args, "{dash}", dash)
			before := len(appRequests(srv))
			mustOK(t, callTool(t, env, tt.tool, args))
			reqs := appRequests(srv)[before:]
			var got *mixpaneltest.Request
			for i := range reqs {
				if reqs[i].Method == tt.method && reqs[i].Path == tt.path {
					got = &reqs[i]
					break
				}
			}
			if got == nil {
				t.Fatalf("no %s %s among %v", tt.method, tt.path, reqs)
			}
			if q := got.Query.Encode(); q != tt.query {
				t.Errorf("query %s, want %s", q, tt.query)
			}
			if tt.body == "" {
				if len(got.Body) > 0 {
					t.Errorf("sent a body %s", got.Body)
				}
				return
			}
			want := jsonOf(t, strings.ReplaceAll(tt.body, "{dash}", dash))
			if g := jsonOf(t, string(got.Body)); !reflect.DeepEqual(g, want) {
				t.Errorf("body\n got %s\nwant %s", got.Body, strings.ReplaceAll(tt.body, "{dash}", dash))
			}
		})
	}
}

// Invalid input is a rule-coded error naming the field, and nothing is sent.
func TestReportsAndCohortsValidation(t *testing.T) {
	tests := []struct {
		name, tool, args string
		want             string // path: CODE
	}{
		{"no dashboard", "create_bookmark", `{"name": "S", "bookmark_type": "insights", "params": {"sections": {}}, "dashboard_id": 0}`, "dashboard_id: X5"},
		{"no name", "create_bookmark", `{"name": " ", "dashboard_id": 3, "insights": {"events": "E"}}`, "name: X5"},
		{"no query", "create_bookmark", `{"name": "S", "dashboard_id": 3}`, "X9"},
		{"two queries", "create_bookmark", `{"name": "S", "dashboard_id": 3, "insights": {"events": "E"}, "params": {"sections": {}}}`, "X9"},
		{"params without a type", "create_bookmark", `{"name": "S", "dashboard_id": 3, "params": {"sections": {}}}`, "bookmark_type: X10"},
		{"type contradicts the query", "create_bookmark", `{"name": "S", "bookmark_type": "funnels", "dashboard_id": 3, "insights": {"events": "E"}}`, "bookmark_type: X10"},
		{"the engine's own rule, under its field", "create_bookmark", `{"name": "S", "dashboard_id": 3, "insights": {"events": [{"event": "Buy", "math": "median"}]}}`, "insights.events[0].property: M2"},
		{"params break a bookmark rule", "create_bookmark", `{"name": "S", "bookmark_type": "insights", "dashboard_id": 3, "params": {"displayOptions": {}}}`, "params: B1"},
		{"unknown type", "update_bookmark", `{"bookmark_id": 5, "bookmark_type": "boards"}`, "bookmark_type: X1"},
		{"bad id", "get_bookmark", `{"bookmark_id": 0}`, "bookmark_id: ID1"},
		{"bulk delete repeats an id", "bulk_delete_bookmarks", `{"bookmark_ids": [4, 4]}`, "bookmark_ids[1]: ID1"},
		{"bulk update of nothing", "bulk_update_bookmarks", `{"bookmarks": []}`, "bookmarks: ID1"},
		{"cohort without a name", "create_cohort", `{"criteria": {"all_of": [{"criterion": "did_event", "event": "E"}]}}`, "name: X5"},
		{"criteria and a definition", "update_cohort", `{"cohort_id": 3, "criteria": {"all_of": [{"criterion": "did_event", "event": "E"}]}, "definition": {"selector": {}}}`, "criteria: X9"},
		{"a definition without a selector", "create_cohort", `{"name": "C", "definition": {"behaviors": {}}}`, "definition: X5"},
		{"criteria broken in a bulk entry", "bulk_update_cohorts", `{"cohorts": [{"id": 3, "criteria": {"all_of": [{"criterion": "did_event"}]}}]}`, "cohorts[0].criteria"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), tt.tool, tt.args)
			text := resultText(t, res)
			if !res.IsError || !strings.Contains(text, tt.want) {
				t.Fatalf("want an error with %q, got (isError %v):\n%s", tt.want, res.IsError, text)
			}
			if n := len(appRequests(srv)); n != 0 {
				t.Fatalf("sent %d requests for invalid input", n)
			}
		})
	}
}

// Writes answer with the id, the name and the web-app URL, a report's by
// its type; Mixpanel's 400 field errors and 404s read as text.
func TestReportsAndCohortsResults(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	dash := newDashboard(t, env)
	res := callTool(t, env, "create_bookmark", fmt.Sprintf(`{"name": "Checkout", "dashboard_id": %d, "funnel": {"steps": ["Add To Cart", "Purchase"]}}`, dash))
	text := mustOK(t, res)
	var created struct{ Result struct{ ID int64 } }
	structured(t, res, &created)
	id := created.Result.ID
	if want := fmt.Sprintf(`Created report %d "Checkout". https://mixpanel.com/project/12345/app/funnels#report/%d`, id, id); !strings.HasPrefix(text, want) {
		t.Fatalf("create answered:\n%s\nwant prefix %s", text, want)
	}
	got := mustOK(t, callTool(t, env, "get_bookmark", fmt.Sprintf(`{"bookmark_id": %d}`, id)))
	if !strings.Contains(got, `params: {"displayOptions"`) || !strings.Contains(got, "type: funnels") {
		t.Fatalf("get shows no definition:\n%s", got)
	}
	res = callTool(t, env, "create_cohort", `{"name": "Buyers", "criteria": {"all_of": [{"criterion": "did_event", "event": "Purchase", "at_least": 1, "within_days": 30}]}}`)
	text = mustOK(t, res)
	structured(t, res, &created)
	cohort := created.Result.ID
	if want := fmt.Sprintf(`Created cohort %d "Buyers". https://mixpanel.com/project/12345/app/cohorts#id=%d`, cohort, cohort); !strings.HasPrefix(text, want) {
		t.Fatalf("create_cohort answered:\n%s", text)
	}
	bad := mustFail(t, callTool(t, env, "create_bookmark", `{"name": "S", "dashboard_id": 999, "insights": {"events": "E"}}`))
	if !strings.Contains(bad, "dashboard_id: Dashboard 999 does not exist.") {
		t.Fatalf("400 field errors: %s", bad)
	}
	if gone := mustFail(t, callTool(t, env, "get_cohort", `{"cohort_id": 77}`)); !strings.Contains(gone, "404") {
		t.Fatalf("404: %s", gone)
	}
	srv.Fail(mixpaneltest.Failure{Path: fmt.Sprintf("/api/app/projects/12345/cohorts/%d", cohort), Status: http.StatusForbidden, Body: `{"error": "You do not have permission to edit this cohort", "status": "error"}`})
	if denied := mustFail(t, callTool(t, env, "update_cohort", fmt.Sprintf(`{"cohort_id": %d, "name": "X"}`, cohort))); !strings.Contains(denied, "403") {
		t.Fatalf("403: %s", denied)
	}
}

// Deletes and bulk changes of reports and cohorts ask the user through a
// real MCP session, naming what changes; a decline or cancel sends no
// write and leaves everything in place.
func TestReportsAndCohortsWritesAskTheUser(t *testing.T) {
	type call struct {
		tool    string
		args    func(a, b int64) map[string]any
		toolset Toolset
	}
	calls := []call{
		{"delete_bookmark", func(a, _ int64) map[string]any { return map[string]any{"bookmark_id": a} }, ToolsetBookmarks},
		{"bulk_delete_bookmarks", func(a, b int64) map[string]any { return map[string]any{"bookmark_ids": []int64{a, b}} }, ToolsetBookmarks},
		{"bulk_update_bookmarks", func(a, b int64) map[string]any {
			return map[string]any{"bookmarks": []any{map[string]any{"id": a, "description": "x"}, map[string]any{"id": b, "icon": "y"}}}
		}, ToolsetBookmarks},
		{"delete_cohort", func(a, _ int64) map[string]any { return map[string]any{"cohort_id": a} }, ToolsetCohorts},
		{"bulk_delete_cohorts", func(a, b int64) map[string]any { return map[string]any{"cohort_ids": []int64{a, b}} }, ToolsetCohorts},
		{"bulk_update_cohorts", func(a, b int64) map[string]any {
			return map[string]any{"cohorts": []any{map[string]any{"id": a, "is_locked": true}, map[string]any{"id": b, "name": "Z"}}}
		}, ToolsetCohorts},
	}
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		changed bool
		note    string
	}{
		{mcp.ElicitationResponseActionAccept, true, "Confirmed by the user"},
		{mcp.ElicitationResponseActionDecline, false, "The user declined; nothing was changed"},
		{mcp.ElicitationResponseActionCancel, false, "The user cancelled; nothing was changed"},
	} {
		for _, cl := range calls {
			t.Run(cl.tool+"/"+string(tc.action), func(t *testing.T) {
				srv := mixpaneltest.New(t)
				env := testEnv(t, srv)
				var a, b struct{ Result struct{ ID int64 } }
				if cl.toolset == ToolsetBookmarks {
					dash := newDashboard(t, env)
					structured(t, callTool(t, env, "create_bookmark", fmt.Sprintf(`{"name": "Weekly signups", "dashboard_id": %d, "insights": {"events": "Signup"}}`, dash)), &a)
					structured(t, callTool(t, env, "create_bookmark", fmt.Sprintf(`{"name": "Churn funnel", "dashboard_id": %d, "funnel": {"steps": ["A", "B"]}}`, dash)), &b)
				} else {
					structured(t, callTool(t, env, "create_cohort", `{"name": "Weekly signups"}`), &a)
					structured(t, callTool(t, env, "create_cohort", `{"name": "Churn funnel"}`), &b)
				}
				args := cl.args(a.Result.ID, b.Result.ID)
				names := []string{`"Weekly signups"`}
				if strings.HasPrefix(cl.tool, "bulk_") {
					names = append(names, `"Churn funnel"`)
				}
				sentReqs := callAsking(t, srv, env, cl.toolset, tc.action, cl.tool, args, names, tc.note)
				sent := false
				for _, r := range sentReqs {
					sent = sent || r.Method == http.MethodDelete || strings.HasSuffix(r.Path, "/bulk-delete") || strings.HasSuffix(r.Path, "/bulk-update")
				}
				if sent != tc.changed {
					t.Errorf("write sent = %v, want %v", sent, tc.changed)
				}
			})
		}
	}
}

// FuzzCreateBookmarkArgs feeds arbitrary arguments to create_bookmark's
// decoding and validation: never a panic, and input that passes is a
// report Mixpanel can take (a creatable type, params, a dashboard).
func FuzzCreateBookmarkArgs(f *testing.F) {
	for _, s := range []string{
		`{"name": "S", "dashboard_id": 3, "insights": {"events": "Signup"}}`,
		`{"name": "S", "dashboard_id": 3, "funnel": {"steps": ["A", "B"], "dry_run": true}}`,
		`{"name": "S", "dashboard_id": 3, "bookmark_type": "flows", "params": "{\"steps\": []}"}`,
		`{"name": "S", "dashboard_id": 3, "bookmark_type": "user", "params": {"x": 1}}`,
		`{"name": "S", "dashboard_id": 3, "retention": {"born_event": "A", "return_event": "B"}, "flow": {}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		var in createBookmarkIn
		if err := decodeArgs(json.RawMessage(args), &in); err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		b := in.built
		if b.Params == nil || b.DashboardID < 1 || strings.TrimSpace(b.Name) == "" || !slices.Contains(mixpanel.CreatableBookmarkTypes, b.BookmarkType) {
			t.Fatalf("accepted %s as %+v", args, b)
		}
	})
}
