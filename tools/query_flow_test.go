package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func TestQueryFlowSchema(t *testing.T) {
	checkEngineSchema(t, "query_flow", []string{"event"}, "event", "forward", "reverse", "from_date", "to_date", "last",
		"conversion_window", "conversion_window_unit", "count_type", "cardinality", "collapse_repeated",
		"hidden_events", "mode", "where", "data_group_id", "segments", "exclusions", "dry_run", "limit")
}

func TestQueryFlowDryRun(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "query_flow", `{"event": {"event": "Purchase", "reverse": 2, "filters": {"property": "amount", "operator": "at_least", "value": 9.0}}, "mode": "paths", "dry_run": true}`)
	text := mustOK(t, res)
	if !strings.Contains(text, `"operand":"9.0"`) || !strings.Contains(text, `"chartType":"top-paths"`) {
		t.Fatalf("unexpected text: %s", text)
	}
	var out FlowOutput
	structured(t, res, &out)
	if out.QueryType != "flows_top_paths" || len(srv.Requests()) != 0 {
		t.Fatalf("query_type = %q, requests = %d", out.QueryType, len(srv.Requests()))
	}
}

func TestQueryFlowRunsAgainstFake(t *testing.T) {
	tests := []struct {
		name, args, queryType string
		want                  []string
	}{
		{"sankey", `{"event": "Product Viewed", "forward": 3, "reverse": 1}`, "flows_sankey",
			[]string{"Flow (sankey) around Product Viewed (1 back, 3 forward)", "overall conversion", "Nodes by step:", "Top transitions (event@step):", "Product Viewed@1", "Drop-off after each step:"}},
		{"paths", `{"event": "Product Viewed", "mode": "paths", "cardinality": 4}`, "flows_top_paths",
			[]string{"Top paths", "| 4 |", "Product Viewed → "}},
		{"tree", `{"event": ["Product Viewed", "Signup"], "mode": "tree", "forward": 2}`, "flows",
			[]string{"Tree from Product Viewed:", "Tree from Signup:", "├── ", "└── DROPOFF ("}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), "query_flow", tt.args)
			text := mustOK(t, res)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			var out FlowOutput
			structured(t, res, &out)
			if out.Result == nil || out.QueryType != tt.queryType {
				t.Fatalf("structured result incomplete: %+v", out)
			}
			var body mixpaneltest.ArbFunnelsBody
			srv.LastRequest(t, mixpaneltest.QueryPrefix+"/arb_funnels").JSON(t, &body)
			if body.QueryType != tt.queryType {
				t.Fatalf("posted query_type %q", body.QueryType)
			}
			switch tt.name {
			case "sankey":
				if len(out.TopTransitions) == 0 || len(out.DropOff) != 5 {
					t.Fatalf("sankey extras missing: %+v %+v", out.TopTransitions, out.DropOff)
				}
			case "tree":
				if len(out.TreeNodes) == 0 || out.TreeNodes[0].Depth != 0 || !strings.Contains(out.TreeNodes[1].Path, " > ") {
					t.Fatalf("tree nodes: %+v", out.TreeNodes)
				}
			}
		})
	}
}

func TestQueryFlowTreeLinesAreCapped(t *testing.T) {
	srv := mixpaneltest.New(t)
	text := mustOK(t, callTool(t, testEnv(t, srv), "query_flow", `{"event": "Product Viewed", "mode": "tree", "forward": 4, "limit": 10}`))
	if !strings.Contains(text, "more tree nodes not shown") || strings.Count(text, "\n") > 14 {
		t.Fatalf("tree not capped:\n%s", text)
	}
}

func TestQueryFlowInvalidInputNeverQueries(t *testing.T) {
	tests := []struct{ name, args, want string }{
		{"no direction", `{"event": ["A", "B"], "forward": 0, "reverse": 0}`, "FL5"},
		{"non-integer forward", `{"event": "A", "forward": 2.5}`, "forward: FL_TYPE_FORWARD"},
		{"session count without session window", `{"event": "A", "count_type": "session"}`, "FL9"},
		{"in_the_next step filter", `{"event": {"event": "A", "filters": [{"property": "d", "operator": "in_the_next", "value": 3, "unit": "day"}]}}`, "SG3"},
		{"empty steps", `{"event": []}`, "FL1"},
		{"step direction out of range names the event item", `{"event": ["A", {"event": "B", "forward": 9}]}`, "event[1].forward: FL2"},
		{"limit too big", `{"event": "A", "limit": 1001}`, "limit: MG6: must be between 1 and 1000 (got 1001); omit it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustFail(t, callTool(t, testEnv(t, srv), "query_flow", tt.args))
			if !strings.Contains(text, tt.want) {
				t.Fatalf("error %q lacks %q", text, tt.want)
			}
			if len(srv.Requests()) != 0 {
				t.Fatalf("invalid input sent %d requests", len(srv.Requests()))
			}
		})
	}
}

// TestFlowRenderingIsSmallerThanTheAnswer measures the brief's figure: a
// 3-step-forward sankey answer against its rendered text.
func TestFlowRenderingIsSmallerThanTheAnswer(t *testing.T) {
	srv := mixpaneltest.New(t)
	fwd := query.Number("3")
	q := query.FlowQuery{Event: query.FlowStepList{{Event: "Product Viewed"}}, Forward: &fwd}
	params, err := q.Build(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := srv.Client(t).QueryArbFunnels(context.Background(), "flows_sankey", params)
	if err != nil {
		t.Fatal(err)
	}
	res, err := query.ParseFlowResponse(raw, params, "sankey")
	if err != nil {
		t.Fatal(err)
	}
	text := RenderFlow(res, params, 0)
	res.Params = nil
	structuredJSON, _ := json.Marshal(FlowOutput{Params: params, Result: res, TopTransitions: res.TopTransitions(flowTopEdges), DropOff: res.DropOffSummary()})
	t.Logf("3-forward sankey: raw answer %d bytes, rendered text %d bytes, structuredContent %d bytes", len(raw), len(text), len(structuredJSON))
	if len(res.Steps) != 4 {
		t.Fatalf("want 4 step columns, got %d", len(res.Steps))
	}
	if len(text) >= len(raw) {
		t.Fatalf("rendered text (%d bytes) is not smaller than the raw answer (%d bytes)", len(text), len(raw))
	}
}

func FuzzQueryFlowInput(f *testing.F) {
	fuzzEngineTool(f, "query_flow",
		`{"event": "A", "dry_run": true}`,
		`{"event": [{"event": "$session_start", "session_event": "start", "forward": 2}, "B"], "reverse": 1, "mode": "tree", "dry_run": true}`,
		`{"event": {"event": "A", "filters": [{"property": "n", "operator": "not_between", "value": [0, 1.5]}, {"property": "d", "operator": "date_between", "value": ["2024-01-01", "2024-02-01"]}]}, "where": [{"operator": "not_in_cohort", "cohort": 9}, {"property": "x", "operator": "is_set"}], "segments": ["p", {"cohort": 2}], "dry_run": true}`,
		`{"event": "A", "forward": 1e400}`, `{"event": [], "forward": -1}`, `{"event": "A", "conversion_window": 2, "conversion_window_unit": "session"}`,
	)
}

// The tree cap counts nodes: a limit that fits every node adds no note, a
// smaller one names exactly how many were left out.
func TestRenderFlowTreeCap(t *testing.T) {
	r := &query.FlowQueryResult{Mode: "tree", Trees: []*query.FlowTreeNode{
		{Event: "A", TotalCount: 5, Children: []*query.FlowTreeNode{{Event: "B", TotalCount: 3}}},
		{Event: "C", TotalCount: 2},
	}}
	tests := []struct {
		limit     int
		want, not string
	}{
		{3, "C (2)", "not shown"},
		{2, "1 more tree nodes not shown", "Tree from C"},
		{1, "2 more tree nodes not shown", "B (3)"},
	}
	for _, tt := range tests {
		text := RenderFlow(r, query.Params{}, tt.limit)
		if !strings.Contains(text, tt.want) || strings.Contains(text, tt.not) {
			t.Errorf("limit %d: want %q and no %q in:\n%s", tt.limit, tt.want, tt.not, text)
		}
	}
}
