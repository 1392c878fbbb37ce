package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestQueryInsightsSchemaIsLean(t *testing.T) {
	checkEngineSchema(t, "query_insights", []string{"events"}, "events", "from_date", "to_date", "last", "unit", "math",
		"math_property", "per_user", "percentile_value", "group_by", "where", "formula", "formula_label", "rolling",
		"cumulative", "mode", "time_comparison", "data_group_id", "dry_run", "limit", "offset")
	in, _, err := Lookup("query_insights").Schemas()
	if err != nil {
		t.Fatal(err)
	}
	checkSharedDefs(t, "query_insights", in, "InsightsMath")
}

func TestQueryInsightsDryRunSendsNothing(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "query_insights", `{"events": ["Signup", "Purchase"], "math": "unique", "formula": "B / A", "formula_label": "Conversion", "dry_run": true}`)
	text := mustOK(t, res)
	if !strings.HasPrefix(text, "Dry run") || !strings.Contains(text, "bookmark_type insights") || !strings.Contains(text, `"definition":"B / A"`) {
		t.Fatalf("unexpected text: %s", text)
	}
	var out InsightsOutput
	structured(t, res, &out)
	show := out.Params["sections"].(map[string]any)["show"].([]any)
	if len(show) != 3 || !out.DryRun || out.Result != nil {
		t.Fatalf("unexpected output: %+v", out)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("dry run sent %d requests", n)
	}
}

func TestQueryInsightsRunsAgainstFake(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "query_insights", `{"events": "Signup", "math": "unique", "from_date": "2026-11-01", "to_date": "2026-11-07", "group_by": "platform"}`)
	text := mustOK(t, res)
	for _, want := range []string{
		"Insights: Signup (unique) | 2026-11-01 to 2026-11-07 | by day | breakdown: platform",
		"| Signup [Unique Users] by date | ",
		"| 2026-11-07 |",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	var out InsightsOutput
	structured(t, res, &out)
	if out.Result == nil || out.Result.FromDate != "2026-11-01T00:00:00-07:00" || len(out.Result.Rows()) != 21 {
		t.Fatalf("unexpected result: %+v", out.Result)
	}
	req := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights")
	var body struct {
		ProjectID   int64          `json:"project_id"`
		Bookmark    map[string]any `json:"bookmark"`
		QueryLimits map[string]any `json:"queryLimits"`
	}
	req.JSON(t, &body)
	if body.ProjectID == 0 || body.QueryLimits["limit"] == nil {
		t.Fatalf("body lacks project_id or queryLimits: %s", req.Body)
	}
	group := body.Bookmark["sections"].(map[string]any)["group"].([]any)
	if len(group) != 1 || group[0].(map[string]any)["propertyName"] != "platform" {
		t.Fatalf("bookmark group = %v", group)
	}
}

func TestQueryInsightsTotalsAndPaging(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	text := mustOK(t, callTool(t, env, "query_insights", `{"events": "Purchase", "mode": "total", "group_by": "country", "limit": 5, "offset": 5}`))
	if !strings.Contains(text, "| event | segment | value |") || !strings.Contains(text, "more rows (showing 6–10 of 20)") {
		t.Fatalf("unexpected text:\n%s", text)
	}
}

func TestQueryInsightsInvalidInputNeverQueries(t *testing.T) {
	tests := []struct {
		name, args string
		want       []string
	}{
		{"property math without property", `{"events": "Purchase", "math": "average"}`,
			[]string{"math: V1:", "set math_property"}},
		{"formula letter beyond events", `{"events": ["A", "B"], "formula": "C / A"}`,
			[]string{"formula: V19:", "(A-B)"}},
		{"unknown filter operator", `{"events": "Signup", "where": {"property": "country", "operator": "is", "value": "US"}}`,
			[]string{"where[0].operator: X2:", "equals, not_equals"}},
		{"several constructor errors at once", `{"events": [{"event": "Buy", "math": "median"}, {"cohort": 0}], "time_comparison": {"type": "relative"}}`,
			[]string{"events[0].property: M2:", "events[1].cohort: CM1:", "time_comparison.unit: TC1:"}},
		{"unknown argument", `{"events": "Signup", "bogus": 1}`, []string{"unknown argument"}},
		{"unknown nested field names its place", `{"events": [{"event": "A", "filters": [{"property": "p", "operator": "is_set", "bogus": 1}]}]}`,
			[]string{"events[0]: metric: filters[0]: filter: unknown field \"bogus\""}},
		{"missing events", `{}`, []string{"events"}},
		{"bad limit", `{"events": "Signup", "limit": 5000}`, []string{"limit: MG6: must be between 1 and 1000 (got 5000); omit it"}},
		{"negative offset", `{"events": "Signup", "offset": -1}`, []string{"offset: MG6: must be 0 or more (got -1)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustFail(t, callTool(t, testEnv(t, srv), "query_insights", tc.args))
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("error lacks %q:\n%s", w, text)
				}
			}
			if n := len(srv.Requests()); n != 0 {
				t.Fatalf("invalid input sent %d requests", n)
			}
		})
	}
}

func TestQueryInsightsServerErrorIsToolError(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond("POST", mixpaneltest.QueryPrefix+"/insights", 200, map[string]any{"error": "unknown event", "status": "error"})
	text := mustFail(t, callTool(t, testEnv(t, srv), "query_insights", `{"events": "Nope"}`))
	if !strings.Contains(text, "unknown event") {
		t.Fatalf("error text: %s", text)
	}
}

func TestBuildCohortDefinition(t *testing.T) {
	env := testEnv(t, mixpaneltest.New(t))
	res := callTool(t, env, "build_cohort_definition", `{"all_of": [
		{"criterion": "did_event", "event": "Purchase", "at_least": 3, "within_days": 30},
		{"any_of": [{"criterion": "has_property", "property": "plan", "value": "premium"},
		            {"criterion": "did_not_do_event", "event": "Churn", "within_weeks": 2}]}]}`)
	mustOK(t, res)
	var out CohortDefinitionOutput
	structured(t, res, &out)
	raw, _ := json.Marshal(out.Definition)
	for _, want := range []string{`"bhvr_0"`, `"bhvr_1"`, `"operator":"or"`, `"operand":3`, `"selector":null`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("definition lacks %s: %s", want, raw)
		}
	}
	if out.Behaviors != 2 {
		t.Errorf("behaviors = %d, want 2", out.Behaviors)
	}
	text := mustFail(t, callTool(t, env, "build_cohort_definition", `{"all_of": [{"criterion": "did_event", "event": "Purchase", "within_days": 30}]}`))
	if !strings.Contains(text, "CD1") {
		t.Fatalf("error lacks CD1: %s", text)
	}
}

func TestQueryInsightsTimeComparisonAndFormulaAreOwnSeries(t *testing.T) {
	srv := mixpaneltest.New(t)
	text := mustOK(t, callTool(t, testEnv(t, srv), "query_insights", `{"events": ["Signup", "Purchase", {"expression": "B / A", "label": "Conversion"}],
		"math": "unique", "from_date": "2026-11-01", "to_date": "2026-11-03", "time_comparison": {"type": "relative", "unit": "month"}}`))
	for _, want := range []string{"| date | Conversion | Conversion (relative month) |", "compared with relative month", "formula Conversion = B / A"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}
