package query

import (
	"strings"
	"testing"
)

func TestParseInsightsShapes(t *testing.T) {
	head := `{"computed_at": "2026-04-03T06:11:50.670473+00:00",
	  "date_range": {"from_date": "2023-05-25T00:00:00-07:00", "to_date": "2023-05-26T23:59:59.999000-07:00"},
	  "headers": ["$metric"], "meta": {"min_sampling_factor": 1.0, "is_segmentation_limit_hit": false}, "series": `
	tests := []struct {
		name   string
		series string
		want   []Row
	}{
		{"timeseries", `{"Signup [Total Events]": {"2023-05-26T00:00:00-07:00": 795, "2023-05-25T00:00:00-07:00": 756},
		                 "Purchase [Total Events]": {"2023-05-25T00:00:00-07:00": 5}}`,
			[]Row{
				{Date: "2023-05-25T00:00:00", Event: "Signup [Total Events]", Count: 756},
				{Date: "2023-05-26T00:00:00", Event: "Signup [Total Events]", Count: 795},
				{Date: "2023-05-25T00:00:00", Event: "Purchase [Total Events]", Count: 5},
			}},
		{"hourly keys are kept", `{"E [Total Events]": {"2023-05-25T13:00:00": 1}}`,
			[]Row{{Date: "2023-05-25T13:00:00", Event: "E [Total Events]", Count: 1}}},
		{"total", `{"Signup [Unique Users]": {"all": 3551}}`,
			[]Row{{Event: "Signup [Unique Users]", Count: 3551}}},
		{"segmented timeseries", `{"Signup [Unique Users]": {"US": {"2023-05-25T00:00:00-07:00": 10}, "DE": {"2023-05-25T00:00:00-07:00": 2.5}}}`,
			[]Row{
				{Date: "2023-05-25T00:00:00", Event: "Signup [Unique Users]", Segment: "US", Count: 10},
				{Date: "2023-05-25T00:00:00", Event: "Signup [Unique Users]", Segment: "DE", Count: 2.5},
			}},
		{"segmented total", `{"Signup [Unique Users]": {"US": {"all": 10}, "DE": {"all": 3}}}`,
			[]Row{
				{Event: "Signup [Unique Users]", Segment: "US", Count: 10},
				{Event: "Signup [Unique Users]", Segment: "DE", Count: 3},
			}},
		{"two breakdowns skip inner $overall", `{"E [Total Events]": {"US": {"$overall": {"all": 9}, "ios": {"all": 4}, "web": {"all": 5}}}}`,
			[]Row{
				{Event: "E [Total Events]", Segment: "US / ios", Count: 4},
				{Event: "E [Total Events]", Segment: "US / web", Count: 5},
			}},
		{"empty", `{}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseInsights([]byte(head+tc.series+"}"), Params{"sections": map[string]any{}})
			if err != nil {
				t.Fatal(err)
			}
			if r.ComputedAt == "" || r.FromDate != "2023-05-25T00:00:00-07:00" || r.ToDate == "" || len(r.Headers) != 1 || r.Meta["min_sampling_factor"] != 1.0 {
				t.Fatalf("envelope not kept: %+v", r)
			}
			got := r.Rows()
			if len(got) != len(tc.want) {
				t.Fatalf("rows = %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseInsightsFailures(t *testing.T) {
	for _, body := range []string{
		`{"error": "unknown event 'Foo'", "status": "error"}`,
		`{"computed_at": "x", "date_range": {}}`,
		`{"series": [1, 2]}`,
		`not json`,
	} {
		if _, err := ParseInsights([]byte(body), nil); err == nil {
			t.Errorf("%s: parsed, want an error", body)
		}
	}
	_, err := ParseInsights([]byte(`{"error": "unknown event 'Foo'"}`), nil)
	if err == nil || !strings.Contains(err.Error(), "unknown event 'Foo'") {
		t.Errorf("error does not carry the server's message: %v", err)
	}
}

func TestResultSummaryAndTable(t *testing.T) {
	params, err := buildJSON(`{"events": [{"event": "Purchase", "math": "average", "property": "amount", "per_user": "total"}, "Signup", {"expression": "A / B", "label": "Ratio"}],
		"math": "unique", "from_date": "2025-03-01", "to_date": "2025-03-02", "group_by": ["platform", {"cohort": 4, "name": "VIPs"}],
		"time_comparison": {"type": "relative", "unit": "week"}, "rolling": 3}`)
	if err != nil {
		t.Fatal(err)
	}
	raw := `{"computed_at": "c", "date_range": {"from_date": "2025-03-01T00:00:00-07:00", "to_date": "2025-03-02T23:59:59-07:00"}, "headers": [],
		"series": {"Ratio": {"ios": {"VIPs": {"2025-03-02T00:00:00-07:00": 0.123456789, "2025-03-01T00:00:00-07:00": 2}}}}}`
	r, err := ParseInsights([]byte(raw), params)
	if err != nil {
		t.Fatal(err)
	}
	want := "Insights: Purchase (average of amount per-user total), Signup (unique), formula Ratio = A / B | 2025-03-01 to 2025-03-02 | by day | breakdown: platform, cohort VIPs | compared with relative week | rolling"
	if got := r.Summary(); got != want {
		t.Fatalf("summary:\n got %s\nwant %s", got, want)
	}
	cols, rows, hidden := r.Table(10)
	if strings.Join(cols, ",") != "date,Ratio / ios / VIPs" || hidden != 0 || len(rows) != 2 || rows[0][0] != "2025-03-01" || rows[1][1] != "0.123457" {
		t.Fatalf("table = %v %v %d", cols, rows, hidden)
	}
	_, _, hidden = (&QueryResult{Series: []byte(`{"a": {"2025-01-01": 1}, "b": {"2025-01-01": 1}, "c": {"2025-01-01": 1}}`)}).Table(2)
	if hidden != 1 {
		t.Fatalf("hidden = %d, want 1", hidden)
	}
}
