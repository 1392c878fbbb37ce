package demo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// TestReferenceBookmarksEvaluatedOrRefused runs the bookmark params of
// every valid insights, funnels and retention case of the query engines'
// reference file through the demo: each is answered, or refused with a
// 400 naming what the demo does not support or which field is wrong. An
// answer about events the demo never sends must be all zeros: the demo
// invents no numbers.
func TestReferenceBookmarksEvaluatedOrRefused(t *testing.T) {
	raw, err := os.ReadFile("../query/testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		ID       string         `json:"id"`
		Kind     string         `json:"kind"`
		Expected map[string]any `json:"expected"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	p := smallDemo()
	c := client(t, p)
	reasons := map[string][]string{}
	evaluated := 0
	for _, tc := range cases {
		if tc.Expected == nil || tc.Kind == "flows" {
			continue
		}
		answer, err := c.QueryInsights(context.Background(), tc.Expected)
		if err != nil {
			var api *mixpanel.APIError
			msg := err.Error()
			if !errors.As(err, &api) || api.Status != http.StatusBadRequest {
				t.Errorf("%s: %v; want an answer or a 400 refusal", tc.ID, err)
				continue
			}
			reason, named := strings.CutPrefix(api.Message, "the demo project does not support ")
			if !named && !strings.Contains(api.Message, ": ") {
				t.Errorf("%s: refused without naming a field or what is unsupported: %s", tc.ID, msg)
			}
			reason, _, _ = strings.Cut(reason, "; it computes")
			reasons[reason] = append(reasons[reason], tc.ID)
			continue
		}
		evaluated++
		var out map[string]any
		if err := json.Unmarshal(answer, &out); err != nil {
			t.Fatalf("%s: %v", tc.ID, err)
		}
		if _, ok := out["series"].(map[string]any); !ok {
			t.Errorf("%s: answer without series: %s", tc.ID, answer)
		}
		if !anyDemoEvent(tc.Expected) {
			if n := countLeaves(out["series"]); n != 0 {
				t.Errorf("%s: the demo has none of its events, yet its counts sum to %v", tc.ID, n)
			}
		}
	}
	if evaluated == 0 {
		t.Fatal("no case was evaluated")
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d evaluated; refused:", evaluated)
	for _, k := range keys {
		t.Logf("  %v: %s", reasons[k], k)
	}
}

// anyDemoEvent says whether a bookmark names an event the demo sends.
func anyDemoEvent(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if name, ok := x["name"].(string); ok && (eventID(name) >= 0 || name == "$all_events") {
			return true
		}
		if ev, ok := x["event"].(string); ok && eventID(ev) >= 0 {
			return true
		}
		for _, c := range x {
			if anyDemoEvent(c) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if anyDemoEvent(c) {
				return true
			}
		}
	}
	return false
}

// countLeaves sums the counts of an answer's series: every number of an
// Insights series, a funnel's "count" and a retention cohort's "first"
// and "counts" (rates and times are left out).
func countLeaves(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case []any:
		s := 0.0
		for _, c := range x {
			s += countLeaves(c)
		}
		return s
	case map[string]any:
		s := 0.0
		for k, c := range x {
			switch k {
			case "step_conv_ratio", "overall_conv_ratio", "avg_time", "avg_time_from_start", "rates":
				continue
			}
			s += countLeaves(c)
		}
		return s
	}
	return 0
}

// FuzzEngines: whatever JSON a bookmark is, the engines answer or return
// an error; they never panic.
func FuzzEngines(f *testing.F) {
	for _, bm := range []map[string]any{
		insightsBookmark("Purchase", "median", "line", []any{equalsFilter("platform", "ios")}, "plan"),
		funnelBookmark(nil, "Sign Up", "Activate"),
		retentionBookmark("Sign Up", "App Open", "day"),
	} {
		raw, _ := json.Marshal(bm)
		f.Add(raw)
	}
	e := Generate(Seed, 200, now)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var bm map[string]any
		if json.Unmarshal(raw, &bm) != nil {
			return
		}
		_, _ = e.Insights(bm)
		_, _ = e.Funnel(bm)
		_, _ = e.Retention(bm)
	})
}
