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
	var cohortID float64
	if len(p.fake.Data.SavedCohorts) > 0 {
		cohortID = float64(p.fake.Data.SavedCohorts[0].ID)
	}
	// Each case runs as written (its made-up events and properties), and
	// translated into the demo's vocabulary, where it computes numbers.
	for _, translated := range []bool{false, true} {
		reasons := map[string][]string{}
		evaluated, valid := 0, 0
		for _, tc := range cases {
			if tc.Expected == nil || tc.Kind == "flows" {
				continue
			}
			valid++
			bm := tc.Expected
			if translated {
				bm = toDemo(bm, "", cohortID).(map[string]any)
			}
			answer, err := c.QueryInsights(context.Background(), bm)
			if err != nil {
				var api *mixpanel.APIError
				if !errors.As(err, &api) || api.Status != http.StatusBadRequest {
					t.Errorf("%s: %v; want an answer or a 400 refusal", tc.ID, err)
					continue
				}
				reason, named := strings.CutPrefix(api.Message, "the demo project does not support ")
				if !named && !strings.Contains(api.Message, ": ") {
					t.Errorf("%s: refused without naming a field or what is unsupported: %s", tc.ID, api.Message)
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
			if !anyDemoEvent(bm) {
				if n := countLeaves(out["series"]); n != 0 {
					t.Errorf("%s: the demo has none of its events, yet its counts sum to %v", tc.ID, n)
				}
			}
		}
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Logf("translated %v: %d of %d evaluated; refused:", translated, evaluated, valid)
		for _, k := range keys {
			t.Logf("  %v: %s", reasons[k], k)
		}
		if translated && evaluated*2 < valid {
			t.Errorf("translated into the demo's vocabulary, %d of %d cases evaluated; want at least half", evaluated, valid)
		}
	}
}

// demoEvents are the events made-up names are mapped to, by length.
var demoEvents = []string{"Sign Up", "Activate", "Start Trial", "Purchase", "Feature Used", "App Open", "Page View"}

// toDemo rewrites a bookmark into the demo's vocabulary: events it does
// not send become demo events, properties it does not have become demo
// properties of the same type and resource (event strings: plan, numbers:
// amount, booleans: coupon_applied; profile strings: country, numbers:
// lifetime_value, dates: $created), cohort ids the first seeded cohort.
func toDemo(v any, parent string, cohortID float64) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for k, c := range x {
			out[k] = toDemo(c, parent, cohortID)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, c := range x {
			out[k] = toDemo(c, k, cohortID)
		}
		event := func(key string) {
			if name, ok := out[key].(string); ok && eventID(name) < 0 && !strings.HasPrefix(name, "$") {
				out[key] = demoEvents[len(name)%len(demoEvents)]
			}
		}
		if t, _ := out["type"].(string); t == "event" || parent == "behaviors" {
			event("name")
		}
		if parent == "event_selector" || parent == "exclusions" || parent == "behavior" {
			event("event")
		}
		if ev, ok := out["event"].(map[string]any); ok {
			if name, ok := ev["value"].(string); ok && eventID(name) < 0 {
				ev["value"] = demoEvents[len(name)%len(demoEvents)]
			}
		}
		if _, ok := out["id"].(float64); ok && (parent == "cohort" || parent == "cohorts" || out["resourceType"] == "cohorts") && cohortID > 0 {
			out["id"] = cohortID
		}
		if out["property"] == "cohort" && cohortID > 0 {
			out["value"] = cohortID
		}
		typ := ""
		for _, k := range []string{"filterType", "propertyType", "type"} {
			if s, ok := out[k].(string); ok && typ == "" {
				typ = s
			}
		}
		people := out["resourceType"] == "people" || out["resourceType"] == "user" || out["property"] == "user"
		rename := func(key string) {
			name, ok := out[key].(string)
			if !ok || name == "" || strings.HasPrefix(name, "$") && name != "$created" {
				return
			}
			if _, known := profileAccessors()[name]; people && known {
				return
			}
			if _, known := accessors()[name]; !people && known {
				return
			}
			switch {
			case people && typ == "number":
				out[key] = "lifetime_value"
			case people && typ == "datetime":
				out[key] = "$created"
			case people:
				out[key] = "country"
			case typ == "number":
				out[key] = "amount"
			case typ == "boolean":
				out[key] = "coupon_applied"
			case typ == "datetime":
				out[key] = "$created"
				out["resourceType"] = "people"
			default:
				out[key] = "plan"
			}
		}
		switch {
		case out["value"] == "$cohorts" || out["behaviorType"] != nil:
		case parent == "property" || parent == "listItemGroup":
			if typ == "" {
				typ = "number" // a measured property
			}
			rename("name")
			rename("propertyName")
		case out["filterOperator"] != nil || out["propertyName"] != nil || parent == "aggregateBy" || out["property"] == "user":
			rename("value")
			rename("propertyName")
		case len(parent) == 1 && parent[0] >= 'A' && parent[0] <= 'Z': // a custom property's input
			rename("value")
		}
		return out
	}
	return v
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
