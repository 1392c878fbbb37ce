package demo

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"

	mpquery "github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// flow runs a query_flow input (the tool's JSON) through the query
// builder, the client and the flow response parser, as the tool does.
func flow(t *testing.T, p *Project, input string) *mpquery.FlowQueryResult {
	t.Helper()
	res, err := tryFlow(t, p, input)
	if err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	return res
}

func tryFlow(t *testing.T, p *Project, input string) (*mpquery.FlowQueryResult, error) {
	t.Helper()
	var q mpquery.FlowQuery
	if err := json.Unmarshal([]byte(input), &q); err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	params, err := q.Build(p.Events.today())
	if err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	raw, err := client(t, p).QueryArbFunnels(context.Background(), mpquery.FlowQueryType(q.Mode), params)
	if err != nil {
		return nil, err
	}
	return mpquery.ParseFlowResponse(raw, params, q.Mode)
}

// nextEvents counts, straight from the columns, the event that follows
// each user's first anchor of the last 30 days within 7 days ("" when
// none does).
func nextEvents(p *Project, anchor string) map[string]int {
	e := p.Events
	lo := int32(Days-30) * day
	out := map[string]int{}
	for u := range e.users {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.t[i] < lo || eventNames[e.ev[i]] != anchor {
				continue
			}
			next := ""
			if j := i + 1; j < int(e.first[u+1]) && e.t[j] <= e.t[i]+7*day {
				next = eventNames[e.ev[j]]
			}
			out[next]++
			break
		}
	}
	return out
}

func TestFlowSankeyMatchesCounts(t *testing.T) {
	p := smallDemo()
	for _, tc := range []struct {
		name, input, event, math string
		filter                   []any
	}{
		{"unique", `{"event": "Sign Up", "forward": 3, "last": 30, "cardinality": 50}`, "Sign Up", "unique", nil},
		{"total", `{"event": "Activate", "forward": 2, "last": 30, "count_type": "total"}`, "Activate", "total", nil},
		{"where", `{"event": "Sign Up", "forward": 2, "last": 30, "where": [{"property": "platform", "operator": "equals", "value": ["web"]}]}`, "Sign Up", "unique", []any{equalsFilter("platform", "web")}},
		{"step filter", `{"event": [{"event": "Purchase", "forward": 1, "filters": [{"property": "plan", "operator": "equals", "value": ["pro"]}]}], "last": 30}`, "Purchase", "unique", []any{equalsFilter("plan", "pro")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := flow(t, p, tc.input)
			label := tc.event + " [" + map[string]string{"unique": "Unique Users", "total": "Total Events"}[tc.math] + "]"
			want := int64(series(t, query(t, p, insightsBookmark(tc.event, tc.math, "bar", tc.filter)), label)["all"].(float64))
			anchor := res.Steps[0].Nodes
			if len(anchor) != 1 || anchor[0].Type != "ANCHOR" || anchor[0].TotalCount != want || want == 0 {
				t.Fatalf("anchor column %+v; want one ANCHOR node of %d (Insights)", anchor, want)
			}
			for c, col := range res.Steps {
				var inCol int64
				for _, n := range col.Nodes {
					inCol += n.TotalCount
					var out int64
					for _, e := range n.Edges {
						out += e.TotalCount
						if e.Step != c+1 {
							t.Errorf("column %d: edge to step %d", c, e.Step)
						}
					}
					if c+1 < len(res.Steps) && out != n.TotalCount {
						t.Errorf("column %d %s: edges carry %d of %d", c, n.Event, out, n.TotalCount)
					}
				}
				if inCol != want {
					t.Errorf("column %d holds %d paths, want all %d (events and drop-off)", c, inCol, want)
				}
			}
		})
	}
	// The first step after Sign Up, against a direct count.
	res := flow(t, p, `{"event": "Sign Up", "forward": 1, "last": 30, "cardinality": 50}`)
	direct := nextEvents(p, "Sign Up")
	for _, n := range res.Steps[1].Nodes {
		name := n.Event
		if name == "DROPOFF" {
			name = ""
		}
		if int64(direct[name]) != n.TotalCount {
			t.Errorf("after Sign Up, %s: flow %d, direct %d", n.Event, n.TotalCount, direct[name])
		}
	}
	if len(res.Steps[1].Nodes) != len(direct) || res.OverallConversionRate <= 0 || res.OverallConversionRate > 1 {
		t.Errorf("step 1 has %d nodes, direct %d next events; conversion %v", len(res.Steps[1].Nodes), len(direct), res.OverallConversionRate)
	}
}

func TestFlowCardinalityReverseAndCollapse(t *testing.T) {
	p := smallDemo()
	res := flow(t, p, `{"event": "Feature Used", "forward": 2, "last": 30, "cardinality": 1}`)
	for c, col := range res.Steps[1:] {
		real := 0
		for _, n := range col.Nodes {
			switch n.Type {
			case "PRUNED":
				if n.Event != otherEvents {
					t.Errorf("pruned node %q", n.Event)
				}
			case "DROPOFF":
			default:
				real++
			}
		}
		if real != 1 {
			t.Errorf("column %d shows %d events with cardinality 1", c+1, real)
		}
	}

	rev := flow(t, p, `{"event": "Purchase", "forward": 0, "reverse": 2, "last": 30}`)
	if len(rev.Steps) != 3 || rev.Steps[2].Nodes[0].Type != "ANCHOR" {
		t.Fatalf("reverse 2: %d columns, last %+v; want the anchor third", len(rev.Steps), rev.Steps[len(rev.Steps)-1])
	}
	var before int64
	for _, n := range rev.Steps[1].Nodes {
		before += n.TotalCount
		if n.Type != "REVERSE" && n.Type != "PRUNED" {
			t.Errorf("reverse column node %s of type %s", n.Event, n.Type)
		}
	}
	if anchor := rev.Steps[2].Nodes[0].TotalCount; before == 0 || before > anchor {
		t.Errorf("%d paths one step before %d purchases", before, anchor)
	}

	repeats := func(res *mpquery.FlowQueryResult) bool {
		for _, path := range res.Flows {
			for k := 1; k < len(path.FlowSteps); k++ {
				if path.FlowSteps[k].Event == path.FlowSteps[k-1].Event {
					return true
				}
			}
		}
		return false
	}
	plain := flow(t, p, `{"event": "Feature Used", "forward": 3, "last": 30, "mode": "paths", "cardinality": 10}`)
	collapsed := flow(t, p, `{"event": "Feature Used", "forward": 3, "last": 30, "mode": "paths", "cardinality": 10, "collapse_repeated": true}`)
	if !repeats(plain) || repeats(collapsed) || len(collapsed.Flows) == 0 {
		t.Errorf("repeats without collapse %v, with %v (%d paths)", repeats(plain), repeats(collapsed), len(collapsed.Flows))
	}
}

func TestFlowTopPathsAndTree(t *testing.T) {
	p := smallDemo()
	signups := int64(series(t, query(t, p, insightsBookmark("Sign Up", "unique", "bar", nil)), "Sign Up [Unique Users]")["all"].(float64))
	// One step forward has at most one path per next event (and the
	// drop-off), so 50 paths hold every anchor.
	paths := flow(t, p, `{"event": "Sign Up", "forward": 1, "last": 30, "mode": "paths", "cardinality": 50}`)
	direct := nextEvents(p, "Sign Up")
	var sum int64
	for k, path := range paths.Flows {
		steps := path.FlowSteps
		if steps[0].Type != "ANCHOR" || steps[0].TotalCount != signups {
			t.Fatalf("path %d starts %+v; want the anchor with %d", k, steps[0], signups)
		}
		n := int64(direct[""]) // the path that ends at the anchor
		if len(steps) == 2 {
			n = int64(direct[steps[1].Event])
			if steps[1].TotalCount != n {
				t.Errorf("path Sign Up > %s: %d, direct %d", steps[1].Event, steps[1].TotalCount, n)
			}
		}
		sum += n
	}
	if sum != signups {
		t.Errorf("paths hold %d anchors, want %d", sum, signups)
	}

	tree := flow(t, p, `{"event": "Sign Up", "forward": 3, "last": 30, "mode": "tree", "cardinality": 2}`)
	if len(tree.Trees) != 1 || tree.Trees[0].Event != "Sign Up" || tree.Trees[0].TotalCount != signups {
		t.Fatalf("trees %+v; want one rooted at Sign Up with %d", tree.Trees, signups)
	}
	var check func(n *mpquery.FlowTreeNode, depth int)
	check = func(n *mpquery.FlowTreeNode, depth int) {
		if len(n.Children) == 0 {
			return
		}
		var sum, dropped int64
		real := 0
		for _, c := range n.Children {
			sum += c.TotalCount
			switch c.Type {
			case "DROPOFF":
				dropped += c.TotalCount
			case "NORMAL":
				real++
			}
			check(c, depth+1)
		}
		if sum != n.TotalCount || dropped != n.DropOffCount || n.ConvertedCount != n.TotalCount-dropped || real > 2 {
			t.Errorf("%s at %d: children hold %d of %d, %d dropped of %d, %d events shown", n.Event, depth, sum, n.TotalCount, dropped, n.DropOffCount, real)
		}
	}
	check(tree.Trees[0], 0)
	if tree.Trees[0].Depth() != 3 {
		t.Errorf("tree depth %d, want 3", tree.Trees[0].Depth())
	}
}

func TestFlowRefusesWhatItDoesNotEvaluate(t *testing.T) {
	p := smallDemo()
	if res := flow(t, p, `{"event": "Checkout", "mode": "paths"}`); len(res.Flows) != 0 {
		t.Errorf("an event the demo never tracks has paths: %+v", res.Flows)
	}
	for name, input := range map[string]string{
		"two anchors":  `{"event": ["Sign Up", "Purchase"], "forward": 2}`,
		"sessions":     `{"event": "Sign Up", "count_type": "session", "conversion_window": 1, "conversion_window_unit": "session"}`,
		"segments":     `{"event": "Sign Up", "segments": ["platform"]}`,
		"tree reverse": `{"event": "Sign Up", "reverse": 1, "mode": "tree"}`,
	} {
		_, err := tryFlow(t, p, input)
		if err == nil || !strings.Contains(err.Error(), "the demo project does not support") {
			t.Errorf("%s: err %v; want the demo's refusal", name, err)
		}
	}
}

func BenchmarkFlowSankey3Forward(b *testing.B) {
	e := benchDemo().Events
	params := json.RawMessage(`{"steps":[{"event":"Sign Up","forward":3,"reverse":1}],"date_range":{"type":"in the last","from_date":{"unit":"day","value":30},"to_date":"$now"},"count_type":"unique","cardinality_threshold":5,"conversion_window":{"unit":"day","value":7}}`)
	for range b.N {
		if _, err := e.Flow("flows_sankey", params); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzFlow: any flow params either answer or fail with an error; none
// panics.
func FuzzFlow(f *testing.F) {
	for _, s := range []string{
		`{"steps":[{"event":"Sign Up","forward":3,"reverse":1}],"date_range":{"type":"in the last","from_date":{"unit":"day","value":30},"to_date":"$now"},"count_type":"unique","cardinality_threshold":2,"conversion_window":{"unit":"day","value":7},"collapse_repeated":true}`,
		`{"steps":[{"event":"Purchase","forward":1,"bool_op":"or","property_filter_params_list":[{"property":{"name":"amount","source":"properties"},"type":"number","filter":{"operator":"><","operand":["5","20"]}}]}],"date_range":{"type":"between","from_date":"2026-11-01","to_date":"2026-11-20"},"conversion_window":{"unit":"week","value":1},"filter_by_event":{"operator":"and","children":[{"propertyName":"platform","filterOperator":"equals","filterValue":["web"],"filterType":"string"}]}}`,
		`{"steps":[{"event":"Feature Used","forward":5,"reverse":5}],"date_range":{"type":"in the last","from_date":{"unit":"week","value":2}},"conversion_window":{"unit":"month","value":1},"count_type":"total","hidden_events":["App Open"]}`,
		`{"steps":[]}`, `[]`, `{"steps":[{"event":"x","forward":-1}]}`,
	} {
		for _, qt := range []string{"flows_sankey", "flows_top_paths", "flows"} {
			f.Add(qt, s)
		}
	}
	e := NewWith(Seed, 60, now).Events
	f.Fuzz(func(t *testing.T, queryType, params string) {
		out, err := e.Flow(queryType, json.RawMessage(params))
		if err == nil {
			if _, err := json.Marshal(out); err != nil {
				t.Fatalf("answer does not encode: %v", err)
			}
		}
	})
}

// TestSavedFlowsRunTheirParams: the seeded flows report (saved with the
// query builder's params) answers by id as the same flow run ad hoc.
func TestSavedFlowsRunTheirParams(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	reports, err := c.ListBookmarks(ctx, mixpanel.ListBookmarksParams{Type: "flows"})
	if err != nil || len(reports) == 0 {
		t.Fatalf("%d flows reports, err %v; want the seeded one", len(reports), err)
	}
	id := reports[0].ID
	saved, err := c.QuerySavedFlows(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	adhoc := flow(t, p, `{"event": ["Sign Up"], "forward": 3, "last": 30}`)
	if len(saved.Steps) != 4 || saved.Metadata["bookmark_id"] != float64(id) {
		t.Fatalf("saved flow: %d steps, metadata %v; want the seeded 3 steps after Sign Up", len(saved.Steps), saved.Metadata)
	}
	anchor := saved.Steps[0]["nodes"].([]any)[0].(map[string]any)
	if got := anchor["totalCount"]; got != strconv.FormatInt(adhoc.Steps[0].Nodes[0].TotalCount, 10) || saved.OverallConversionRate != adhoc.OverallConversionRate {
		t.Errorf("saved anchor %v, conversion %v; ad hoc %d, %v", got, saved.OverallConversionRate, adhoc.Steps[0].Nodes[0].TotalCount, adhoc.OverallConversionRate)
	}
	if _, err := c.QuerySavedFlows(ctx, 999999); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown bookmark: err %v", err)
	}
}
