package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// engineSchemaBudget bounds each engine tool's input schema, which every
// tools/list sends to the model.
const engineSchemaBudget = 9000

// checkSharedDefs wants each named type described once, in $defs, and
// referred to everywhere else: the union of a property, for one, would
// otherwise be spelled out in every filter, breakdown and metric.
func checkSharedDefs(t *testing.T, tool string, in []byte, names ...string) {
	t.Helper()
	var schema struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(in, &schema); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, ok := schema.Defs[name]; !ok {
			t.Errorf("%s input schema has no $defs/%s", tool, name)
		}
	}
	if n := strings.Count(string(in), `"custom_property_id":{`); n != 1 {
		t.Errorf("%s input schema spells out the property union %d times, want once", tool, n)
	}
}

func checkEngineSchema(t *testing.T, tool string, required []string, props ...string) {
	t.Helper()
	in, out, err := Lookup(tool).Schemas()
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(in, &schema); err != nil {
		t.Fatal(err)
	}
	have, _ := schema["properties"].(map[string]any)
	for _, name := range props {
		if _, ok := have[name]; !ok {
			t.Errorf("%s input schema lacks %q", tool, name)
		}
	}
	req, _ := schema["required"].([]any)
	if len(req) != len(required) {
		t.Errorf("%s required = %v, want %v", tool, req, required)
	}
	for i := range min(len(req), len(required)) {
		if req[i] != required[i] {
			t.Errorf("%s required = %v, want %v", tool, req, required)
		}
	}
	checkSharedDefs(t, tool, in, "PropertyRef", "CohortRef", "Filter")
	t.Logf("%s input schema: %d bytes; output schema: %d bytes", tool, len(in), len(out))
	if len(in) > engineSchemaBudget {
		t.Errorf("%s input schema is %d bytes, over the %d-byte budget", tool, len(in), engineSchemaBudget)
	}
}

func TestQueryFunnelSchema(t *testing.T) {
	checkEngineSchema(t, "query_funnel", []string{"steps"}, "steps", "conversion_window", "conversion_window_unit", "order",
		"math", "math_property", "from_date", "to_date", "last", "unit", "group_by", "where", "exclusions",
		"holding_constant", "mode", "reentry_mode", "time_comparison", "data_group_id", "dry_run")
}

func TestQueryFunnelDryRunSendsNothing(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "query_funnel", `{"steps": ["Signup", {"event": "Purchase", "label": "Bought"}], "exclusions": "Refund", "holding_constant": "platform", "dry_run": true}`)
	text := mustOK(t, res)
	if !strings.HasPrefix(text, "Dry run") || !strings.Contains(text, `"renamed":"Bought"`) {
		t.Fatalf("unexpected text: %s", text)
	}
	var out FunnelOutput
	structured(t, res, &out)
	behavior := out.Params["sections"].(map[string]any)["show"].([]any)[0].(map[string]any)["behavior"].(map[string]any)
	if len(behavior["exclusions"].([]any)) != 1 || len(behavior["aggregateBy"].([]any)) != 1 || out.Result != nil {
		t.Fatalf("unexpected params: %v", behavior)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("dry run sent %d requests", n)
	}
}

func TestQueryFunnelRunsAgainstFake(t *testing.T) {
	tests := []struct {
		name, args string
		want       []string
	}{
		{"steps", `{"steps": ["Signup", "Add To Cart", "Purchase"], "from_date": "2026-01-01", "to_date": "2026-01-31"}`,
			[]string{"Funnel Signup → Add To Cart → Purchase", "conversion_rate_unique, window 14 day", "2026-01-01 to 2026-01-31", "| 3 | Purchase |", "Biggest drop-off: step"}},
		{"breakdown", `{"steps": ["Signup", "Purchase"], "group_by": "platform", "math": "conversion_rate_total"}`,
			[]string{"conversion_rate_total", "Counts above are the $overall aggregate. Per segment:", "| iOS |"}},
		{"trends", `{"steps": ["Signup", "Purchase"], "mode": "trends", "unit": "week"}`,
			[]string{"Trends mode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), "query_funnel", tt.args)
			text := mustOK(t, res)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			var out FunnelOutput
			structured(t, res, &out)
			if out.Result == nil || len(out.Result.StepsData) < 2 || out.OverallRate == nil || out.BiggestDropOff == nil {
				t.Fatalf("structured result incomplete: %+v", out)
			}
			var body mixpaneltest.InsightsBody
			srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").JSON(t, &body)
			var sent map[string]any
			if err := json.Unmarshal(body.Bookmark, &sent); err != nil || mixpaneltest.BehaviorType(sent) != "funnel" {
				t.Fatalf("posted bookmark is not a funnel: %s", body.Bookmark)
			}
		})
	}
}

func TestQueryFunnelInvalidInputNeverQueries(t *testing.T) {
	tests := []struct{ name, args, want string }{
		{"one step", `{"steps": "Signup"}`, "F1: At least 2 steps"},
		{"property math without property", `{"steps": ["A", "B"], "math": "p90"}`, "math_property: F10"},
		{"blank holding constant", `{"steps": ["A", "B"], "holding_constant": ["  "]}`, "HC1"},
		{"bad step object", `{"steps": ["A", {"name": "B"}]}`, "unknown field"},
		{"unknown argument", `{"steps": ["A", "B"], "windw": 3}`, "unknown argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustFail(t, callTool(t, testEnv(t, srv), "query_funnel", tt.args))
			if !strings.Contains(text, tt.want) {
				t.Fatalf("error %q lacks %q", text, tt.want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Fatalf("invalid input sent %d requests", n)
			}
		})
	}
}

func TestQueryFunnelServerErrorIsToolError(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond("POST", mixpaneltest.QueryPrefix+"/insights", 200, map[string]any{"error": "Unknown event"})
	text := mustFail(t, callTool(t, testEnv(t, srv), "query_funnel", `{"steps": ["A", "B"]}`))
	if !strings.Contains(text, "Unknown event") {
		t.Fatalf("error text: %s", text)
	}
}

// fuzzEngineTool calls a tool with arbitrary arguments on an environment
// without a client: whatever the input, the tool must answer with a result
// (never panic, never reach the network).
func fuzzEngineTool(f *testing.F, tool string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	env := NewEnv(nil, nil, zerolog.Nop())
	f.Fuzz(func(t *testing.T, args string) {
		res := Lookup(tool).Call(t.Context(), env, json.RawMessage(args))
		if res == nil || len(res.Content) == 0 {
			t.Fatalf("%s returned no content for %q", tool, args)
		}
		if strings.Contains(resultText(t, res), "internal error") {
			t.Fatalf("%s panicked on %q", tool, args)
		}
	})
}

func FuzzQueryFunnelInput(f *testing.F) {
	fuzzEngineTool(f, "query_funnel",
		`{"steps": ["A", "B"], "dry_run": true}`,
		`{"steps": [{"event": "A", "filters": {"property": "x", "operator": "between", "value": [1, 2]}}, "B"], "exclusions": [{"event": "E", "from_step": 0, "to_step": 1}], "dry_run": true}`,
		`{"steps": ["A", "B", "C"], "conversion_window": 2.5, "conversion_window_unit": "session", "math": "p75", "dry_run": true}`,
		`{"steps": ["A", "B"], "holding_constant": [{"property": "p", "resource_type": "people"}], "group_by": {"cohort": 3}, "where": {"event": "E", "value": 2}, "time_comparison": {"type": "relative", "unit": "week"}, "dry_run": true}`,
		`{"steps": []}`, `[]`, `{"steps": null}`, `{"steps": ["A","B"], "last": "7", "from_date": "2024-02-30"}`,
	)
}

// A refused request comes back naming the tool's query and Mixpanel's
// message, for every engine.
func TestQueryToolsNameTheQueryOnAPIError(t *testing.T) {
	tests := []struct{ tool, path, args, want string }{
		{"query_insights", "/insights", `{"events": "Signup"}`, "query insights: "},
		{"query_funnel", "/insights", `{"steps": ["A", "B"]}`, "query funnel: "},
		{"query_retention", "/insights", `{"born_event": "A", "return_event": "B"}`, "query retention: "},
		{"query_flow", "/arb_funnels", `{"event": "A"}`, "query flow: "},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(mixpaneltest.Failure{Method: "POST", Path: mixpaneltest.QueryPrefix + tt.path, Status: 400, Body: `{"error": "event quota exceeded"}`})
			text := mustFail(t, callTool(t, testEnv(t, srv), tt.tool, tt.args))
			if !strings.Contains(text, tt.want) || !strings.Contains(text, "event quota exceeded") {
				t.Fatalf("error %q lacks %q and Mixpanel's message", text, tt.want)
			}
		})
	}
}
