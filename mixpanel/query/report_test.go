package query

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestReportBuild(t *testing.T) {
	// Params a dry run returns, sent back whole (object or string).
	insights, err := buildJSON(`{"events": "Signup"}`)
	if err != nil {
		t.Fatal(err)
	}
	dry := mustMarshal(t, insights)
	var flowQ FlowQuery
	if err := decodeStrict([]byte(`{"event": "Signup"}`), &flowQ); err != nil {
		t.Fatal(err)
	}
	flowParams, err := flowQ.Build(testToday)
	if err != nil {
		t.Fatal(err)
	}
	flowDry := mustMarshal(t, flowParams)

	tests := []struct {
		name, input, declared string
		wantType              string
		wantRule, wantPath    string
	}{
		{"insights query", `{"insights": {"events": "Signup"}}`, "", "insights", "", ""},
		{"funnel query", `{"funnel": {"steps": ["Signup", "Purchase"]}}`, "funnels", "funnels", "", ""},
		{"retention query", `{"retention": {"born_event": "Signup", "return_event": "Login"}}`, "", "retention", "", ""},
		{"flow query", `{"flow": {"event": "Signup"}}`, "", "flows", "", ""},
		{"dry-run params object", `{"params": ` + dry + `}`, "insights", "insights", "", ""},
		{"dry-run params string", `{"params": ` + mustMarshal(t, dry) + `}`, "insights", "insights", "", ""},
		{"flow dry-run params", `{"params": ` + flowDry + `}`, "flows", "flows", "", ""},
		{"nothing", `{}`, "", "", "X9", ""},
		{"two queries", `{"insights": {"events": "A"}, "flow": {"event": "A"}}`, "", "", "X9", ""},
		{"type mismatch", `{"insights": {"events": "A"}}`, "funnels", "", "X10", "type"},
		{"params without type", `{"params": ` + dry + `}`, "", "", "X10", "type"},
		{"engine rule under its field", `{"insights": {"events": [{"event": "Buy", "math": "median"}]}}`, "", "", "M2", "insights.events[0].property"},
		{"bookmark rule on params", `{"params": {"sections": {"show": [], "time": []}, "displayOptions": {"chartType": "line"}}}`, "insights", "", "B4", "params.sections.show"},
		{"flow rule on params", `{"params": {"steps": [], "count_type": "unique", "chartType": "sankey", "date_range": {}, "version": 2}}`, "flows", "", "FLB1", "params.steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Report
			if err := decodeStrict([]byte(tt.input), &r); err != nil {
				t.Fatalf("decode: %v", err)
			}
			typ, params, err := r.Build(tt.declared, testToday)
			if tt.wantRule == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if typ != tt.wantType || len(params) == 0 {
					t.Fatalf("type %q, params %v; want type %q and params", typ, params, tt.wantType)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a ValidationError", err)
			}
			is := ve.Issues[0]
			if is.Rule() != tt.wantRule || is.Path != tt.wantPath {
				t.Fatalf("issue %s, want rule %s at %q", is, tt.wantRule, tt.wantPath)
			}
			if strings.HasPrefix(tt.wantRule, "X") && !strings.Contains(is.Message, ";") {
				t.Fatalf("message %q says no fix", is.Message)
			}
		})
	}
}

func TestRawParamsRejectsNonObjects(t *testing.T) {
	for _, in := range []string{`[1]`, `"[1]"`, `"not json"`, `3`} {
		var p RawParams
		if err := json.Unmarshal([]byte(in), &p); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}

func TestUnderPrefixesPaths(t *testing.T) {
	err := Under(&ValidationError{Stage: StageArgs, Issues: []Issue{{Code: "M2", Path: "events[0]"}, {Code: "X9"}}}, "rows[1].bookmark")
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Issues[0].Path != "rows[1].bookmark.events[0]" || ve.Issues[1].Path != "rows[1].bookmark" {
		t.Fatalf("got %v", err)
	}
	plain := errors.New("x")
	if Under(plain, "p") != plain {
		t.Fatal("a plain error changed")
	}
}
