package query

import (
	"strconv"
	"strings"
	"testing"
)

// The response shapes below follow the reference's _extract_funnel_steps_from_series
// and its tests (mixpanel-headless tests/unit/test_live_query_funnel*.py): list,
// series.steps, $overall variants and the canonical metric-keyed form with
// its breakdown ($overall) and trends (date-keyed) nestings.
func TestParseFunnelResponseShapes(t *testing.T) {
	canonical := `{"count":{"2. Purchase":{"all":120},"1. Signup":{"all":1000}},
		"step_conv_ratio":{"1. Signup":{"all":1.0},"2. Purchase":{"all":0.12}},
		"overall_conv_ratio":{"1. Signup":{"all":1.0},"2. Purchase":{"all":0.12}},
		"avg_time":{"1. Signup":{"all":0},"2. Purchase":{"all":86400}},
		"avg_time_from_start":{"1. Signup":{"all":0},"2. Purchase":{"all":86400.5}}}`
	want2 := []FunnelStepData{
		{Event: "Signup", Count: 1000, StepConvRatio: 1, OverallConvRatio: 1},
		{Event: "Purchase", Count: 120, StepConvRatio: 0.12, OverallConvRatio: 0.12, AvgTime: 86400, AvgTimeFromStart: 86400.5},
	}
	tests := []struct {
		name    string
		series  string
		want    []FunnelStepData
		overall float64
	}{
		{"list of steps", `[{"event":"A","count":10,"overall_conv_ratio":1},{"count":4,"step_conv_ratio":0.4,"overall_conv_ratio":0.4}]`,
			[]FunnelStepData{{Event: "A", Count: 10, OverallConvRatio: 1}, {Event: "Step 2", Count: 4, StepConvRatio: 0.4, OverallConvRatio: 0.4}}, 0.4},
		{"series.steps", `{"steps":[{"event":"A","count":"7"}]}`, []FunnelStepData{{Event: "A", Count: 7}}, 0},
		{"$overall.steps", `{"$overall":{"steps":[{"event":"A","count":3}]}}`, []FunnelStepData{{Event: "A", Count: 3}}, 0},
		{"$overall list", `{"$overall":[{"event":"B","count":2}]}`, []FunnelStepData{{Event: "B", Count: 2}}, 0},
		{"canonical", `{"Signup through Purchase":` + canonical + `}`, want2, 0.12},
		{"breakdown via $overall", `{"F":{"$overall":` + canonical + `,"iOS":` + canonical + `}}`, want2, 0.12},
		{"trends via first date", `{"F":{"2025-01-01":` + canonical + `,"2025-01-02":{"count":{}}}}`, want2, 0.12},
		{"first funnel key wins", `{"x":5,"F":` + canonical + `}`, want2, 0.12},
		{"bare values without segments", `{"F":{"count":{"1. A":5,"2. B":null}}}`,
			[]FunnelStepData{{Event: "A", Count: 5}, {Event: "B"}}, 0},
		{"unrecognised", `{"F":{"nothing":{}}}`, []FunnelStepData{}, 0},
		{"not an object", `7`, []FunnelStepData{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"computed_at":"2025-01-02T00:00:00","date_range":{"from_date":"2025-01-01","to_date":"2025-01-31"},"series":` + tt.series + `,"meta":{"is_cached":true}}`
			res, err := ParseFunnelResponse([]byte(body), map[string]any{"k": 1})
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if len(res.StepsData) != len(tt.want) {
				t.Fatalf("steps = %+v, want %+v", res.StepsData, tt.want)
			}
			for i := range tt.want {
				if res.StepsData[i] != tt.want[i] {
					t.Errorf("step %d = %+v, want %+v", i, res.StepsData[i], tt.want[i])
				}
			}
			if got := res.OverallConversionRate(); got != tt.overall {
				t.Errorf("overall = %v, want %v", got, tt.overall)
			}
			if res.FromDate != "2025-01-01" || res.ToDate != "2025-01-31" || res.ComputedAt == "" {
				t.Errorf("envelope = %q %q %q", res.ComputedAt, res.FromDate, res.ToDate)
			}
			if res.Meta["is_cached"] != true || res.Params["k"] != 1 {
				t.Errorf("meta/params not kept: %v %v", res.Meta, res.Params)
			}
		})
	}
}

func TestParseFunnelResponseSegments(t *testing.T) {
	seg := func(n int) string {
		return `{"count":{"1. A":{"all":` + strconv.Itoa(n) + `},"2. B":{"all":` + strconv.Itoa(n/2) + `}},"overall_conv_ratio":{"2. B":{"all":0.5}}}`
	}
	body := `{"series":{"A through B":{"$overall":` + seg(100) + `,"iOS":` + seg(60) + `,"Android":` + seg(40) + `}}}`
	res, err := ParseFunnelResponse([]byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StepsData[0].Count != 100 || len(res.SegmentSteps) != 2 {
		t.Fatalf("overall %+v, segments %v", res.StepsData, res.SegmentSteps)
	}
	if got := res.SegmentNames(); got[0] != "Android" || got[1] != "iOS" || res.SegmentSteps["iOS"][1].Count != 30 {
		t.Fatalf("segments = %v %+v", got, res.SegmentSteps)
	}
	plain, _ := ParseFunnelResponse([]byte(`{"series":{"F":`+seg(10)+`}}`), nil)
	if plain.SegmentSteps != nil {
		t.Fatalf("an unsegmented answer has no segments: %v", plain.SegmentSteps)
	}
}

func TestParseFunnelResponseSortsTenPlusSteps(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"series":{"F":{"count":{`)
	for i := 12; i >= 1; i-- {
		if i != 12 {
			b.WriteString(",")
		}
		b.WriteString(`"` + strconv.Itoa(i) + `. E` + strconv.Itoa(i) + `":{"all":` + strconv.Itoa(100-i) + `}`)
	}
	b.WriteString(`}}}}`)
	res, err := ParseFunnelResponse([]byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range res.StepsData {
		if s.Event != "E"+strconv.Itoa(i+1) {
			t.Fatalf("step %d is %q; numeric prefixes must sort numerically", i, s.Event)
		}
	}
}

func TestParseFunnelResponseErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"error as 200", `{"error":"bad bookmark"}`, "funnel query failed: bad bookmark"},
		{"missing series", `{"computed_at":"x","headers":[]}`, "missing 'series' key"},
		{"not json object", `[1]`, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFunnelResponse([]byte(tt.body), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestBiggestDropOff(t *testing.T) {
	r := &FunnelQueryResult{StepsData: []FunnelStepData{
		{Event: "A", Count: 1000, StepConvRatio: 1},
		{Event: "B", Count: 600, StepConvRatio: 0.6},
		{Event: "C", Count: 150, StepConvRatio: 0.25},
		{Event: "D", Count: 100, StepConvRatio: 2.0 / 3},
	}}
	d := r.BiggestDropOff()
	if d == nil || d.FromStep != 2 || d.ToStep != 3 || d.Lost != 450 || d.Rate != 0.75 {
		t.Fatalf("drop-off = %+v", d)
	}
	if (&FunnelQueryResult{StepsData: r.StepsData[:1]}).BiggestDropOff() != nil {
		t.Fatal("one step has no drop-off")
	}
}
