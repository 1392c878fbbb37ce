package tools

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// appRequests are the fake's recorded App API requests.
func appRequests(srv *mixpaneltest.Server) []mixpaneltest.Request {
	var out []mixpaneltest.Request
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, mixpaneltest.AppPrefix) {
			out = append(out, r)
		}
	}
	return out
}

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// The request shapes of argument combinations the reference's recorded
// cases do not cover.
func TestDashboardRequestShapes(t *testing.T) {
	insightsParams, err := (&query.InsightsQuery{Events: query.EventList{{Name: "Signup"}}}).Build(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	rawParams, _ := json.Marshal(insightsParams)
	dash := `"/api/app/projects/12345/dashboards"`
	tests := []struct {
		name, tool, args string
		method, path     string
		body             string // JSON; "" for none
	}{
		{"create: explicit false is sent, newlines stripped", "create_dashboard",
			`{"title": "T", "is_private": false, "rows": [{"contents": [{"content_type": "text", "content_params": {"markdown": "<h2>A</h2>\n<p>B</p>\n"}}]}]}`,
			"POST", dash, `{"title": "T", "is_private": false, "rows": [{"contents": [{"content_type": "text", "content_params": {"markdown": "<h2>A</h2><p>B</p>"}}]}]}`},
		{"create: a typed query becomes an inline report with params as a JSON string", "create_dashboard",
			`{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "Signups", "insights": {"events": "Signup"}}}}]}]}`,
			"POST", dash, `{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "Signups", "type": "insights", "params": ` + mustJSONString(t, string(rawParams)) + `}}}]}]}`},
		{"create: a dry run's params object with its type", "create_dashboard",
			`{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "S", "type": "insights", "description": "d", "params": ` + string(rawParams) + `}}}]}]}`,
			"POST", dash, `{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "S", "type": "insights", "description": "d", "params": ` + mustJSONString(t, string(rawParams)) + `}}}]}]}`},
		{"duplicate with a title", "duplicate_dashboard", `{"dashboard_id": 1001, "title": "Copy"}`,
			"POST", dash, `{"title": "Copy", "duplicate": 1001}`},
		{"update: empty lists clear, title alone", "update_dashboard", `{"dashboard_id": 1001, "title": "New", "filters": [], "time_filter": {}}`,
			"PATCH", `"/api/app/projects/12345/dashboards/1001"`, `{"title": "New", "filters": [], "time_filter": {}}`},
		{"update: delete a text card", "update_dashboard", `{"dashboard_id": 1001, "content": {"action": "delete", "content_type": "text", "content_id": 1002}}`,
			"PATCH", `"/api/app/projects/12345/dashboards/1001"`, `{"content": {"action": "delete", "content_type": "text", "content_id": 1002}}`},
		{"update: layout patch", "update_dashboard", `{"dashboard_id": 1001, "layout": {"rows_order": ["r1"], "rows": [{"id": "r1", "height": 0, "cells": [{"id": "c1", "width": 12, "content_id": 1002, "content_type": "text"}]}]}}`,
			"PATCH", `"/api/app/projects/12345/dashboards/1001"`, `{"layout": {"rows_order": ["r1"], "rows": [{"id": "r1", "height": 0, "cells": [{"id": "c1", "width": 12, "content_id": 1002, "content_type": "text"}]}]}}`},
		{"update text card: newlines stripped", "update_text_card", `{"dashboard_id": 1001, "text_card_id": 1002, "markdown": "<p>a</p>\n<p>b</p>"}`,
			"PATCH", `"/api/app/projects/12345/dashboards/1001/text-cards/1002"`, `{"markdown": "<p>a</p><p>b</p>"}`},
		{"templates with reports", "list_blueprint_templates", `{"include_reports": true}`,
			"GET", `"/api/app/projects/12345/dashboards/blueprints-all"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond("GET", "/api/app/projects/12345/dashboards/blueprints-all", 200, map[string]any{"status": "ok", "results": map[string]any{"templates": map[string]any{}}})
			env := testEnv(t, srv)
			seed := callTool(t, env, "create_dashboard", `{"title": "Seed", "rows": [{"contents": [{"content_type": "text", "content_params": {"markdown": "<p>x</p>"}}]}]}`)
			if seed.IsError {
				t.Fatal(resultText(t, seed))
			}
			before := len(appRequests(srv))
			res := callTool(t, env, tt.tool, tt.args)
			if res.IsError {
				t.Fatalf("error: %s", resultText(t, res))
			}
			reqs := appRequests(srv)[before:]
			if len(reqs) != 1 {
				t.Fatalf("sent %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			var path string
			_ = json.Unmarshal([]byte(tt.path), &path)
			if r.Method != tt.method || r.Path != path {
				t.Fatalf("sent %s %s, want %s %s", r.Method, r.Path, tt.method, path)
			}
			if tt.tool == "list_blueprint_templates" && r.Query.Get("include_reports") != "true" {
				t.Fatalf("query %v, want include_reports=true", r.Query)
			}
			if tt.body == "" {
				if len(r.Body) > 0 {
					t.Fatalf("sent a body %s", r.Body)
				}
				return
			}
			got, want := jsonOf(t, string(r.Body)), jsonOf(t, tt.body)
			if g, w := mustMarshalT(t, got), mustMarshalT(t, want); g != w {
				t.Fatalf("body\n got %s\nwant %s", g, w)
			}
		})
	}
}

func mustJSONString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustMarshalT(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Invalid input is a rule-coded error naming the field and the fix, and
// nothing is sent.
func TestDashboardValidation(t *testing.T) {
	text := `{"content_type": "text", "content_params": {"markdown": "<p>x</p>"}}`
	row := func(n int) string {
		return `{"contents": [` + strings.TrimSuffix(strings.Repeat(text+",", n), ",") + `]}`
	}
	rows := func(n int) string { return strings.TrimSuffix(strings.Repeat(row(1)+",", n), ",") }
	tests := []struct {
		name, tool, args string
		want             string // path: CODE
	}{
		{"five cards in a row", "create_dashboard", `{"title": "T", "rows": [` + row(5) + `]}`, "rows[0].contents: D4"},
		{"empty row", "create_dashboard", `{"title": "T", "rows": [` + row(0) + `]}`, "rows[0].contents: D4"},
		{"31 rows", "create_dashboard", `{"title": "T", "rows": [` + rows(31) + `]}`, "rows: D3"},
		{"empty title", "create_dashboard", `{"title": " "}`, "title: D1"},
		{"long description", "create_dashboard", `{"title": "T", "description": "` + strings.Repeat("x", 401) + `"}`, "description: D2"},
		{"report card with both sources", "create_dashboard", `{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"source_bookmark_id": 5, "bookmark": {"name": "n", "insights": {"events": "E"}}}}]}]}`, "rows[0].contents[0].content_params: D5"},
		{"text card without markdown", "create_dashboard", `{"title": "T", "rows": [{"contents": [{"content_type": "text", "content_params": {}}]}]}`, "rows[0].contents[0].content_params: D5"},
		{"the engine's own rule, under the card", "create_dashboard", `{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "n", "insights": {"events": [{"event": "Buy", "math": "median"}]}}}}]}]}`, "rows[0].contents[0].content_params.bookmark.insights.events[0].property: M2"},
		{"no query in the report", "create_dashboard", `{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "n"}}}]}]}`, "rows[0].contents[0].content_params.bookmark: X9"},
		{"params without type", "create_dashboard", `{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "n", "params": {"sections": {}}}}}]}]}`, "rows[0].contents[0].content_params.bookmark.type: X10"},
		{"layout widths", "update_dashboard", `{"dashboard_id": 1, "layout": {"rows_order": ["r"], "rows": [{"id": "r", "cells": [{"id": "c", "width": 6, "content_id": 2, "content_type": "text"}]}]}}`, "layout.rows[0].cells: D6"},
		{"layout order names a missing row", "update_dashboard", `{"dashboard_id": 1, "layout": {"rows_order": ["x"], "rows": []}}`, "layout.rows_order[0]: D7"},
		{"delete a card without its id", "update_dashboard", `{"dashboard_id": 1, "content": {"action": "delete", "content_type": "report"}}`, "content.content_id: D5"},
		{"bulk delete of nothing", "bulk_delete_dashboards", `{"ids": []}`, "ids: ID1"},
		{"bulk delete repeats an id", "bulk_delete_dashboards", `{"ids": [3, 3]}`, "ids[1]: ID1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), tt.tool, tt.args)
			text := resultText(t, res)
			if !res.IsError || !strings.Contains(text, tt.want+":") {
				t.Fatalf("want an error with %q, got (isError %v):\n%s", tt.want, res.IsError, text)
			}
			if n := len(appRequests(srv)); n != 0 {
				t.Fatalf("sent %d requests for invalid input", n)
			}
		})
	}
}

// Mixpanel's errors become clear tool errors: a 400 whose error is an
// object of field errors is readable text; 404 names the id.
func TestDashboardMixpanelErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	srv.Respond("POST", "/api/app/projects/12345/dashboards", 400, map[string]any{"status": "error", "error": map[string]any{"title": []any{"Ensure this field has no more than 255 characters."}}})
	res := callTool(t, env, "create_dashboard", `{"title": "T"}`)
	if text := resultText(t, res); !res.IsError || !strings.Contains(text, "title: Ensure this field has no more than 255 characters.") {
		t.Fatalf("400: %s", text)
	}
	res = callTool(t, env, "get_dashboard", `{"dashboard_id": 999}`)
	if text := resultText(t, res); !res.IsError || !strings.Contains(text, "999") || !strings.Contains(text, "404") {
		t.Fatalf("404: %s", text)
	}
}

// TestDashboardDeletesAskTheUser drives delete_dashboard and
// bulk_delete_dashboards through a real MCP session: the user is shown the
// dashboards' titles, and a decline or cancel sends no delete and leaves
// them in place.
func TestDashboardDeletesAskTheUser(t *testing.T) {
	for _, tc := range []struct {
		action  mcp.ElicitationResponseAction
		deleted bool
		note    string
	}{
		{mcp.ElicitationResponseActionAccept, true, "Confirmed by the user"},
		{mcp.ElicitationResponseActionDecline, false, "The user declined; nothing was changed"},
		{mcp.ElicitationResponseActionCancel, false, "The user cancelled; nothing was changed"},
	} {
		for _, tool := range []string{"delete_dashboard", "bulk_delete_dashboards"} {
			t.Run(tool+"/"+string(tc.action), func(t *testing.T) {
				srv := mixpaneltest.New(t)
				env := testEnv(t, srv)
				var a, b struct{ Result struct{ ID int64 } }
				structured(t, callTool(t, env, "create_dashboard", `{"title": "Weekly KPIs"}`), &a)
				structured(t, callTool(t, env, "create_dashboard", `{"title": "Churn watch"}`), &b)
				args := map[string]any{"dashboard_id": a.Result.ID}
				names := []string{`"Weekly KPIs"`}
				if tool == "bulk_delete_dashboards" {
					args = map[string]any{"ids": []int64{a.Result.ID, b.Result.ID}}
					names = append(names, `"Churn watch"`)
				}
				sentReqs := callAsking(t, srv, env, ToolsetDashboards, tc.action, tool, args, names, tc.note)
				sent := false
				for _, r := range sentReqs {
					sent = sent || r.Method == http.MethodDelete || strings.HasSuffix(r.Path, "/bulk-delete")
				}
				if sent != tc.deleted {
					t.Errorf("delete sent = %v, want %v", sent, tc.deleted)
				}
				var left struct{ Result struct{ Total int } }
				structured(t, callTool(t, env, "list_dashboards", `{}`), &left)
				if want := 2; !tc.deleted && left.Result.Total != want {
					t.Errorf("%d dashboards left after a %s, want %d", left.Result.Total, tc.action, want)
				}
			})
		}
	}
}

// A write answers with the id, the name and the web-app URL.
func TestDashboardWritesNameTheirResult(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	text := resultText(t, callTool(t, env, "create_dashboard", `{"title": "Weekly KPIs"}`))
	if !strings.HasPrefix(text, `Created dashboard 1001 "Weekly KPIs". https://mixpanel.com/project/12345/app/boards#id=1001`) {
		t.Fatalf("create answered:\n%s", text)
	}
	text = resultText(t, callTool(t, env, "pin_dashboard", `{"dashboard_id": 1001}`))
	if !strings.HasPrefix(text, "Pinned dashboard 1001. https://mixpanel.com/project/12345/app/boards#id=1001") {
		t.Fatalf("pin answered:\n%s", text)
	}
}

// The JSON entry points of the dashboard cards (typed queries, dry-run
// params as objects or strings, layouts) never panic.
func FuzzCreateDashboardInput(f *testing.F) {
	fuzzEngineTool(f, "create_dashboard",
		`{"title": "T", "rows": [{"contents": [{"content_type": "text", "content_params": {"markdown": "<p>x</p>"}}]}]}`,
		`{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "n", "insights": {"events": "E"}}}}]}]}`,
		`{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "n", "type": "flows", "params": "{\"steps\": [{\"event\": \"A\"}], \"version\": 2.0}"}}}]}]}`,
		`{"title": "T", "rows": [{"contents": [{"content_type": "report", "content_params": {"bookmark": {"name": "n", "type": "insights", "params": {"sections": {"show": [{"behavior": {"type": "cohort", "id": 1.5}}]}}}}}]}]}`,
		`{"title": "T", "rows": [{"contents": []}], "time_filter": null}`, `[]`, `{"rows": null}`,
	)
}

func FuzzUpdateDashboardInput(f *testing.F) {
	fuzzEngineTool(f, "update_dashboard",
		`{"dashboard_id": 1, "layout": {"rows_order": ["r"], "rows": [{"id": "r", "cells": [{"id": "c", "width": 12, "content_id": 2, "content_type": "text"}]}]}}`,
		`{"dashboard_id": 1, "content": {"action": "create", "content_type": "report", "content_params": {"bookmark": {"name": "n", "funnel": {"steps": ["A", "B"]}}}}}`,
		`{"dashboard_id": 1, "content": {"action": "update", "content_type": "text", "content_id": 3, "content_params": {"markdown": "<p>y</p>"}}}`,
		`{"dashboard_id": 1, "filters": [], "title": ""}`,
	)
}

type roundTripDashboard struct {
	ID       int64 `json:"id"`
	Contents struct {
		Text   map[string]struct{ Markdown string } `json:"text"`
		Report map[string]struct{ Name string }     `json:"report"`
	} `json:"contents"`
	IsFavorited bool   `json:"is_favorited"`
	PinnedDate  string `json:"pinned_date"`
}

// The card, favorite/pin and blueprint operations round-trip against the
// stateful fake.
func TestDashboardOperationsRoundTrip(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	ok := func(tool, args string) string {
		t.Helper()
		res := callTool(t, env, tool, args)
		text := resultText(t, res)
		if res.IsError {
			t.Fatalf("%s: %s", tool, text)
		}
		return text
	}
	var dash struct {
		Result roundTripDashboard `json:"result"`
	}
	get := func(id int64) {
		t.Helper()
		dash.Result = roundTripDashboard{} // decoding into the old maps would keep their keys
		structured(t, callTool(t, env, "get_dashboard", fmt.Sprintf(`{"dashboard_id": %d}`, id)), &dash)
	}
	structured(t, callTool(t, env, "create_dashboard", `{"title": "Ops", "rows": [{"contents": [
		{"content_type": "text", "content_params": {"markdown": "<p>old</p>"}},
		{"content_type": "report", "content_params": {"bookmark": {"name": "Signups", "retention": {"born_event": "Signup", "return_event": "Login"}}}}]}]}`), &dash)
	id := dash.Result.ID
	var textID, reportID string
	for k := range dash.Result.Contents.Text {
		textID = k
	}
	for k := range dash.Result.Contents.Report {
		reportID = k
	}

	ok("update_text_card", fmt.Sprintf(`{"dashboard_id": %d, "text_card_id": %s, "markdown": "<p>new</p>"}`, id, textID))
	ok("favorite_dashboard", fmt.Sprintf(`{"dashboard_id": %d}`, id))
	ok("pin_dashboard", fmt.Sprintf(`{"dashboard_id": %d}`, id))
	get(id)
	if dash.Result.Contents.Text[textID].Markdown != "<p>new</p>" || !dash.Result.IsFavorited || dash.Result.PinnedDate == "" {
		t.Fatalf("after text update, favorite and pin: %+v", dash.Result)
	}
	ok("unfavorite_dashboard", fmt.Sprintf(`{"dashboard_id": %d}`, id))
	ok("unpin_dashboard", fmt.Sprintf(`{"dashboard_id": %d}`, id))

	if text := ok("get_bookmark_dashboard_ids", `{"bookmark_id": `+reportID+`}`); !strings.Contains(text, fmt.Sprint(id)) {
		t.Fatalf("dashboards of report %s: %s", reportID, text)
	}
	if text := ok("get_dashboard_erf", fmt.Sprintf(`{"dashboard_id": %d}`, id)); !strings.Contains(text, "Signups") {
		t.Fatalf("erf: %s", text)
	}
	ok("add_report_to_dashboard", fmt.Sprintf(`{"dashboard_id": %d, "bookmark_id": %s}`, id, reportID))
	ok("remove_report_from_dashboard", fmt.Sprintf(`{"dashboard_id": %d, "bookmark_id": %s}`, id, reportID))
	get(id)
	if _, still := dash.Result.Contents.Report[reportID]; still || len(dash.Result.Contents.Report) != 1 {
		t.Fatalf("after add (a copy) and remove (the original): %v", dash.Result.Contents.Report)
	}
	ok("update_report_link", fmt.Sprintf(`{"dashboard_id": %d, "report_link_id": 5, "link_type": "embedded"}`, id))

	dup := ok("duplicate_dashboard", fmt.Sprintf(`{"dashboard_id": %d}`, id))
	if !strings.Contains(dup, `"Copy of Ops"`) {
		t.Fatalf("duplicate: %s", dup)
	}

	if text := ok("list_blueprint_templates", `{}`); !strings.Contains(text, "ecommerce") || !strings.Contains(text, "Activation") {
		t.Fatalf("templates: %s", text)
	}
	var bp struct{ Result struct{ ID int64 } }
	structured(t, callTool(t, env, "create_blueprint", `{"template_type": "ecommerce"}`), &bp)
	if text := ok("get_blueprint_config", fmt.Sprintf(`{"dashboard_id": %d}`, bp.Result.ID)); !strings.Contains(text, "order_event") {
		t.Fatalf("config: %s", text)
	}
	ok("update_blueprint_cohorts", `{"cohorts": [{"placeholder": "repeat_buyers", "cohort_id": 3108}]}`)
	fin := ok("finalize_blueprint", fmt.Sprintf(`{"dashboard_id": %d, "cards": [{"card_type": "text", "markdown": "<h2>Done</h2>"}, {"card_type": "report", "bookmark_id": %s}]}`, bp.Result.ID, reportID))
	if !strings.HasPrefix(fin, fmt.Sprintf(`Finished dashboard %d "Ecommerce essentials".`, bp.Result.ID)) {
		t.Fatalf("finalize: %s", fin)
	}
	res := callTool(t, env, "get_blueprint_config", fmt.Sprintf(`{"dashboard_id": %d}`, id))
	if text := resultText(t, res); !res.IsError || !strings.Contains(text, "not a blueprint") {
		t.Fatalf("config of a plain dashboard: %s", text)
	}
	if text := ok("create_rca_dashboard", `{"rca_source_id": 57, "rca_source_data": {"source_type": "anomaly", "date": "2026-11-20"}}`); !strings.Contains(text, "Root cause: anomaly 57") {
		t.Fatalf("rca: %s", text)
	}
}
