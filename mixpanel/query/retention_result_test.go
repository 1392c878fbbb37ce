package query

import (
	"reflect"
	"strings"
	"testing"
)

// Shapes from the reference's _transform_retention_result docstring and
// tests: one metric key; cohorts keyed by date or ISO timestamp plus
// $average; or, with group_by, {$overall: {...}, segment: {...}}.
func TestParseRetentionResponseUnsegmented(t *testing.T) {
	body := `{"computed_at":"c","date_range":{"from_date":"2025-01-01","to_date":"2025-01-31"},"series":{"Signup and then Login":{
		"2025-01-08T00:00:00+00:00":{"first":80,"counts":[80,20],"rates":[1,0.25]},
		"2025-01-01":{"first":100,"counts":[100,50,25],"rates":[1,0.5,0.25]},
		"$average":{"first":90,"counts":[90,35,25],"rates":[1,0.39,0.25]},
		"junk":5}}}`
	res, err := ParseRetentionResponse([]byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.CohortDates(); !reflect.DeepEqual(got, []string{"2025-01-01", "2025-01-08"}) {
		t.Fatalf("cohort dates = %v", got)
	}
	if c := res.Cohorts["2025-01-08"]; c.First != 80 || !reflect.DeepEqual(c.Rates, []float64{1, 0.25}) {
		t.Fatalf("ISO key not normalised: %+v", c)
	}
	if res.Average == nil || res.Average.First != 90 {
		t.Fatalf("average = %+v", res.Average)
	}
	if len(res.Segments) != 0 || res.BucketCount() != 3 {
		t.Fatalf("segments=%v buckets=%d", res.Segments, res.BucketCount())
	}
	rows := res.Rows()
	if len(rows) != 5 || rows[0] != (RetentionRow{CohortDate: "2025-01-01", Bucket: 0, Count: 100, Rate: 1}) {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestParseRetentionResponseSegmented(t *testing.T) {
	body := `{"series":{"A and then B":{
		"$overall":{"2025-01-01":{"first":10,"counts":[10,5],"rates":[1,0.5]},"$average":{"first":10,"counts":[10,5],"rates":[1,0.5]}},
		"iOS":{"2025-01-01":{"first":6,"counts":[6,4],"rates":[1]},"$average":{"first":6,"counts":[6,4],"rates":[1,0.66]}},
		"Android":{"2025-01-01":{"first":4,"counts":[4,1],"rates":[1,0.25]}},
		"bad":"x"}}}`
	res, err := ParseRetentionResponse([]byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cohorts["2025-01-01"].First != 10 || res.Average == nil {
		t.Fatalf("overall not used for cohorts: %+v", res)
	}
	if got := res.SegmentNames(); !reflect.DeepEqual(got, []string{"Android", "iOS"}) {
		t.Fatalf("segments = %v", got)
	}
	if _, ok := res.SegmentAverages["Android"]; ok {
		t.Fatal("a segment without $average must not get one")
	}
	rows := res.Rows()
	if len(rows) != 4 || rows[0].Segment != "Android" || rows[3] != (RetentionRow{Segment: "iOS", CohortDate: "2025-01-01", Bucket: 1, Count: 4, Rate: 0}) {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestParseRetentionResponseErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"error as 200", `{"error":"nope"}`, "retention query failed: nope"},
		{"missing series", `{"computed_at":"x"}`, "missing 'series'"},
		{"series not object", `{"series":[1]}`, "'series' is a list, expected an object"},
		{"two metrics", `{"series":{"a":{},"b":{}}}`, "2 series keys"},
		{"metric not object", `{"series":{"a":3}}`, "expected cohort data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRetentionResponse([]byte(tt.body), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
	res, err := ParseRetentionResponse([]byte(`{"series":{}}`), nil)
	if err != nil || len(res.Cohorts) != 0 || res.Average != nil {
		t.Fatalf("empty series: %+v %v", res, err)
	}
}
