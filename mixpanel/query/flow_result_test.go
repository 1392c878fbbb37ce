package query

import (
	"reflect"
	"strings"
	"testing"
)

// A sankey answer in the wire shape of the API doc §6.4: totalCount is a
// string, edges name their target step (or default to the next one), and a
// DROPOFF node carries earlier drop-offs forward.
const sankeyBody = `{"computed_at":"2025-01-02T00:00:00","overallConversionRate":0.4,"metadata":{"sampling_factor":1},
 "breakdowns":[{"segment":"$overall"}],
 "steps":[
  {"nodes":[{"event":"Login","type":"ANCHOR","anchorType":"NORMAL","totalCount":"100","isCustomEvent":false,"conversionRateChange":0.0,
    "edges":[{"event":"Search","type":"NORMAL","step":1,"totalCount":"60"},{"event":"DROPOFF","type":"DROPOFF","totalCount":"40"}]}]},
  {"nodes":[{"event":"Search","type":"NORMAL","totalCount":"60",
    "edges":[{"event":"Purchase","type":"NORMAL","step":2,"totalCount":"60"}]},
   {"event":"DROPOFF","type":"DROPOFF","totalCount":"40","edges":[{"event":"DROPOFF","type":"DROPOFF","step":2,"totalCount":"40"}]}]},
  {"nodes":[{"event":"Purchase","type":"NORMAL","totalCount":60,"edges":[]}]}
 ]}`

func TestParseFlowSankey(t *testing.T) {
	res, err := ParseFlowResponse([]byte(sankeyBody), map[string]any{"version": 2}, "sankey")
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != "sankey" || res.OverallConversionRate != 0.4 || res.Meta["sampling_factor"] == nil || len(res.Breakdowns) != 1 {
		t.Fatalf("envelope = %+v", res)
	}
	nodes := res.NodeRows()
	if len(nodes) != 4 || nodes[0] != (FlowNodeRow{Step: 0, Event: "Login", Type: "ANCHOR", Count: 100, AnchorType: "NORMAL"}) {
		t.Fatalf("nodes = %+v", nodes)
	}
	edges := res.EdgeRows()
	if len(edges) != 4 || edges[1] != (FlowEdgeRow{SourceStep: 0, SourceEvent: "Login", TargetStep: 1, TargetEvent: "DROPOFF", Count: 40, TargetType: "DROPOFF"}) {
		t.Fatalf("edges = %+v", edges)
	}
	tests := []struct {
		n    int
		want []FlowTransition
	}{
		{0, []FlowTransition{}},
		{2, []FlowTransition{{"Login@0", "Search@1", 60}, {"Search@1", "Purchase@2", 60}}},
		{10, []FlowTransition{{"Login@0", "Search@1", 60}, {"Search@1", "Purchase@2", 60}, {"Login@0", "DROPOFF@1", 40}, {"DROPOFF@1", "DROPOFF@2", 40}}},
	}
	for _, tt := range tests {
		if got := res.TopTransitions(tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("TopTransitions(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	want := []FlowStepDropOff{{0, 100, 40, 0.4}, {1, 100, 0, 0}, {2, 60, 0, 0}}
	if got := res.DropOffSummary(); !reflect.DeepEqual(got, want) {
		t.Fatalf("drop-off summary = %+v, want %+v", got, want)
	}
}

func TestParseFlowPaths(t *testing.T) {
	body := `{"computed_at":"x","flows":[{"flowSteps":[{"event":"A","type":"ANCHOR","isComputed":false,"totalCount":"9"},{"event":"B","type":"NORMAL","totalCount":"4"}],"segments":[]}]}`
	res, err := ParseFlowResponse([]byte(body), nil, "paths")
	if err != nil {
		t.Fatal(err)
	}
	want := []FlowPathRow{{0, 0, "A", "ANCHOR", 9}, {0, 1, "B", "NORMAL", 4}}
	if got := res.PathRows(); res.Mode != "paths" || !reflect.DeepEqual(got, want) {
		t.Fatalf("rows = %+v", got)
	}
}

func TestParseFlowTree(t *testing.T) {
	// The live API wraps anchors in a virtual root with step=null and uses
	// camelCase; fixtures use snake_case and a real root.
	tests := []struct {
		name       string
		body       string
		wantRoots  []string
		wantCounts []int64
	}{
		{"virtual root unwrapped", `{"computed_at":"x","trees":[{"root":{"step":null,"children":[
			{"step":{"event":"Login","type":"ANCHOR","stepNumber":0,"anchorType":"NORMAL","isComputed":false},"totalCount":"100","dropOffTotalCount":10,"convertedTotalCount":90,
			 "timePercentilesFromStart":{"p50":3},"children":[{"step":{"event":"Search","type":"NORMAL","stepNumber":1},"totalCount":90,"children":[]}]},
			{"step":{"event":"Signup","type":"ANCHOR"},"totalCount":5}]},"num_steps":3}]}`,
			[]string{"Login", "Signup"}, []int64{100, 5}},
		{"snake case root kept", `{"trees":[{"root":{"step":{"event":"Login","type":"ANCHOR","step_number":0,"anchor_type":"RELATIVE_FORWARD","is_computed":true},
			"total_count":7,"drop_off_total_count":"2","converted_total_count":5,"time_percentiles_from_prev":{"p90":1}}}]}`,
			[]string{"Login"}, []int64{7}},
		{"tree mode may omit trees", `{"metadata":{}}`, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseFlowResponse([]byte(tt.body), nil, "tree")
			if err != nil {
				t.Fatal(err)
			}
			var roots []string
			var counts []int64
			for _, tr := range res.Trees {
				roots = append(roots, tr.Event)
				counts = append(counts, tr.TotalCount)
			}
			if !reflect.DeepEqual(roots, tt.wantRoots) || !reflect.DeepEqual(counts, tt.wantCounts) {
				t.Fatalf("roots = %v %v", roots, counts)
			}
		})
	}
	res, _ := ParseFlowResponse([]byte(tests[1].body), nil, "tree")
	root := res.Trees[0]
	if root.AnchorType != "RELATIVE_FORWARD" || !root.IsComputed || root.DropOffCount != 2 || root.ConvertedCount != 5 || root.TimePercentilesFromPrev["p90"] == nil {
		t.Fatalf("snake-case fields lost: %+v", root)
	}
	res, _ = ParseFlowResponse([]byte(tests[0].body), nil, "tree")
	if got := res.TreeRows(); len(got) != 3 || got[1].Path != "Login > Search" || got[1].Depth != 1 || got[2].TreeIndex != 1 {
		t.Fatalf("tree rows = %+v", got)
	}
}

func TestParseFlowErrors(t *testing.T) {
	tests := []struct{ name, body, mode, want string }{
		{"error as 200", `{"error":"boom"}`, "sankey", "flow query failed: boom"},
		{"unexpected shape", `{"foo":1}`, "paths", "unexpected response shape"},
		{"not an object", `"x"`, "tree", "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFlowResponse([]byte(tt.body), nil, tt.mode)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
