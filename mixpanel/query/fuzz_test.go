package query

import (
	"encoding/json"
	"errors"
	"testing"
)

// seedInputs are the JSON inputs of every insights golden case plus a few
// hand-written edge cases.
func seedInputs(f *testing.F) [][]byte {
	var out [][]byte
	for _, c := range loadCases(f, "insights") {
		spec, err := parseOrdered(c.Spec)
		if err != nil {
			f.Fatal(err)
		}
		in, err := callToInput(spec, "events")
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, in)
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"events": null}`, `{"events": [[]]}`,
		`{"events": "E", "where": {"operator": "in_cohort", "cohort": {"any_of": [{"all_of": [{"any_of": []}]}]}}}`,
		`{"events": "E", "group_by": {"property": {"formula": "A", "numeric": {"A": "x"}, "inputs": {"B": {"name": "y"}}}}}`,
		`{"events": "E", "where": {"property": "l", "operator": "list_contains", "equals": {"a": ["b"], "c": "d"}, "filters": [{"property": "x", "operator": "is_set"}]}}`,
		`{"events": ["A", "B"], "formula": "ZZ", "last": "1e3"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// FuzzInsightsInput feeds arbitrary JSON to the query_insights input: it
// must decode and build into valid params or fail with an error, never
// panic, and any params it builds must pass the bookmark rules.
func FuzzInsightsInput(f *testing.F) {
	for _, s := range seedInputs(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var q InsightsQuery
		if err := decodeStrict(data, &q); err != nil {
			return
		}
		params, err := q.Build(testToday)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Issues) == 0 {
				t.Fatalf("build failed without a validation error: %v", err)
			}
			return
		}
		if _, err := json.Marshal(params); err != nil {
			t.Fatalf("params do not encode: %v", err)
		}
		var iss Issues
		ValidateBookmark(params, "insights", &iss)
		if len(iss) > 0 {
			t.Fatalf("built params fail bookmark rules: %v", iss)
		}
	})
}

// FuzzCohortDefinition feeds arbitrary JSON to the build_cohort_definition
// entry point.
func FuzzCohortDefinition(f *testing.F) {
	f.Add([]byte(`{"all_of": [{"criterion": "did_event", "event": "P", "at_least": 3, "within_days": 30, "where": {"property": "a", "operator": "equals", "value": "b"}}]}`))
	f.Add([]byte(`{"any_of": [{"all_of": [{"criterion": "has_property", "property": "plan", "value": ["a"], "operator": "not_equals"}]}, {"criterion": "in_cohort", "cohort_id": "4"}]}`))
	f.Add([]byte(`{"all_of": [{"criterion": "nope"}], "any_of": []}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d CohortDefinition
		if err := d.UnmarshalJSON(data); err != nil {
			return
		}
		out, err := d.ToDict()
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("definition does not encode: %v", err)
		}
		_ = d.RawCohort()
	})
}

// FuzzParseInsights feeds arbitrary bytes to the response parser and the
// renderers built on it: the table must stay rectangular, within the
// column cap, and never hold more rows than the result has values.
func FuzzParseInsights(f *testing.F) {
	f.Add([]byte(`{"computed_at": "x", "date_range": {"from_date": "a", "to_date": "b"}, "headers": ["$metric"], "series": {"E": {"US": {"$overall": {"all": 1}, "ios": {"2024-01-01T00:00:00-07:00": 2}}}}}`))
	f.Add([]byte(`{"series": {"E": {"all": "x", "b": null}}}`))
	f.Add([]byte(`{"error": {"nested": true}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseInsights(data, Params{"sections": map[string]any{"show": []any{"x", map[string]any{}}}, "displayOptions": 3})
		if err != nil {
			return
		}
		all := r.Rows()
		cols, rows, hidden := r.Table(3)
		if hidden < 0 || len(rows) > len(all) || len(cols) > 4 {
			t.Fatalf("table of %d values: %d columns, %d rows, %d hidden series", len(all), len(cols), len(rows), hidden)
		}
		for i, row := range rows {
			if len(row) != len(cols) {
				t.Fatalf("row %d has %d cells for %d columns", i, len(row), len(cols))
			}
		}
		r.Summary()
	})
}
