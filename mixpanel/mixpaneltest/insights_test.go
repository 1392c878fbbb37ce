package mixpaneltest

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

func bookmarkOf(t *testing.T, s string) map[string]any {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal([]byte(s), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

func metricClause(name, math string, hidden bool) string {
	h := ""
	if hidden {
		h = `, "isHidden": true`
	}
	return `{"type": "metric", "behavior": {"type": "event", "name": "` + name + `", "resourceType": "events", "filtersDeterminer": "all", "filters": []}, "measurement": {"math": "` + math + `"}` + h + `}`
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestInsightsAnswerShapes(t *testing.T) {
	last7 := `"time": [{"dateRangeType": "in the last", "unit": "day", "window": {"unit": "day", "value": 7}}]`
	tests := []struct {
		name     string
		bookmark string
		check    func(t *testing.T, series map[string]any)
	}{
		{"timeseries", `{"sections": {"show": [` + metricClause("Signup", "unique", false) + `], ` + last7 + `, "filter": [], "group": []}, "displayOptions": {"chartType": "line"}}`,
			func(t *testing.T, series map[string]any) {
				s := series["Signup [Unique Users]"].(map[string]any)
				keys := keysOf(s)
				if len(keys) != 7 || keys[0] != "2026-11-19T00:00:00-07:00" || keys[6] != "2026-11-25T00:00:00-07:00" {
					t.Fatalf("date keys = %v", keys)
				}
			}},
		{"total", `{"sections": {"show": [` + metricClause("Signup", "total", false) + `], ` + last7 + `}, "displayOptions": {"chartType": "bar"}}`,
			func(t *testing.T, series map[string]any) {
				if keys := keysOf(series["Signup [Total Events]"].(map[string]any)); len(keys) != 1 || keys[0] != "all" {
					t.Fatalf("keys = %v", keys)
				}
			}},
		{"segmented weekly with formula and hidden metrics", `{"sections": {"show": [` + metricClause("A", "unique", true) + `, ` + metricClause("B", "unique", true) + `,
			{"type": "formula", "definition": "B / A", "measurement": {}, "referencedMetrics": [], "name": "Rate"}],
			"time": [{"dateRangeType": "between", "unit": "week", "value": ["2026-11-04", "2026-11-18"]}],
			"group": [{"value": "platform", "propertyName": "platform", "resourceType": "events", "propertyType": "string", "propertyDefaultType": "string"}]},
			"displayOptions": {"chartType": "line"}}`,
			func(t *testing.T, series map[string]any) {
				if keys := keysOf(series); len(keys) != 1 || keys[0] != "Rate" {
					t.Fatalf("series = %v, want only the formula", keys)
				}
				seg := series["Rate"].(map[string]any)
				if keys := keysOf(seg); strings.Join(keys, ",") != "android,ios,web" {
					t.Fatalf("segments = %v", keys)
				}
				if weeks := keysOf(seg["ios"].(map[string]any)); len(weeks) != 3 || weeks[0] != "2026-11-02T00:00:00-07:00" {
					t.Fatalf("week keys = %v", weeks)
				}
			}},
		{"cohort breakdown, numeric buckets and comparison", `{"sections": {"show": [` + metricClause("Buy", "total", false) + `], ` + last7 + `,
			"group": [{"value": ["VIP", "Not In VIP"], "cohorts": [{"id": 1}]}, {"value": "amount", "propertyName": "amount", "customBucket": {"bucketSize": 50, "min": 0, "max": 100}}]},
			"displayOptions": {"chartType": "table", "timeComparison": {"type": "relative", "value": "week"}}}`,
			func(t *testing.T, series map[string]any) {
				if keys := keysOf(series); strings.Join(keys, "|") != "Buy [Total Events]|Buy [Total Events] (relative week)" {
					t.Fatalf("series = %v", keys)
				}
				vip := series["Buy [Total Events]"].(map[string]any)["VIP"].(map[string]any)
				if keys := keysOf(vip); strings.Join(keys, "|") != "0 - 50|50 - 100" {
					t.Fatalf("buckets = %v", keys)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answer, err := InsightsAnswer(bookmarkOf(t, tc.bookmark), QueryToday)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"computed_at", "date_range", "headers", "series", "meta"} {
				if _, ok := answer[k]; !ok {
					t.Fatalf("answer lacks %q", k)
				}
			}
			raw, _ := json.Marshal(answer["series"])
			var series map[string]any
			if err := json.Unmarshal(raw, &series); err != nil {
				t.Fatal(err)
			}
			tc.check(t, series)
		})
	}
}

func TestInsightsEndpointRejectsBadBookmarks(t *testing.T) {
	for _, b := range []string{
		`{"sections": {"show": []}, "displayOptions": {}}`,
		`{"sections": {"show": [` + metricClause("E", "total", false) + `], "time": [{"dateRangeType": "in the last", "unit": "semester", "window": {"value": 3}}]}}`,
		`{"sections": {"show": [` + metricClause("E", "total", false) + `], "time": [{"dateRangeType": "between", "unit": "day", "value": ["2024-02-01", "2024-01-01"]}]}}`,
	} {
		if _, err := InsightsAnswer(bookmarkOf(t, b), QueryToday); err == nil {
			t.Errorf("accepted %s", b)
		}
	}
	srv := New(t)
	c := srv.Client(t)
	_, err := c.QueryInsights(t.Context(), bookmarkOf(t, `{"sections": {"show": []}}`))
	if err == nil || !strings.Contains(err.Error(), "at least one metric") {
		t.Fatalf("error = %v", err)
	}
	req := srv.LastRequest(t, QueryPrefix+"/insights")
	if !strings.Contains(string(req.Body), `"project_id":12345`) {
		t.Fatalf("body = %s", req.Body)
	}
}
