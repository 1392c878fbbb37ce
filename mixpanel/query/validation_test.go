package query

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testToday = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)

// buildJSON decodes a JSON input the way the tool does and builds it.
func buildJSON(input string) (Params, error) {
	var q InsightsQuery
	if err := decodeStrict([]byte(input), &q); err != nil {
		return nil, err
	}
	return q.Build(testToday)
}

func TestValidationRules(t *testing.T) {
	def := func(criteria string) string {
		return `{"events": "E", "where": {"operator": "in_cohort", "cohort": {"all_of": [` + criteria + `]}}}`
	}
	tests := []struct {
		rule, input string
		stage       Stage
		path, fix   string
	}{
		// Constructors.
		{"M1", `{"events": [{"event": " "}]}`, StageConstruct, "events[0].event", "event name"},
		{"M1", `{"events": [{"event": "a\u0001b"}]}`, StageConstruct, "events[0].event", "remove them"},
		{"M2", `{"events": [{"event": "Buy", "math": "median"}]}`, StageConstruct, "events[0].property", "set property"},
		{"M3", `{"events": [{"event": "Buy", "math": "percentile", "property": "ms"}]}`, StageConstruct, "events[0].percentile_value", "95"},
		{"M4", `{"events": [{"event": "Buy", "segment_method": "last"}]}`, StageConstruct, "events[0].segment_method", "['all', 'first']"},
		{"FM1", `{"events": ["A", "B", {"expression": " "}]}`, StageConstruct, "events[2].expression", "B / A"},
		{"GB1", `{"events": "E", "group_by": {"property": " "}}`, StageConstruct, "group_by[0].property", "non-empty"},
		{"GB2", `{"events": "E", "group_by": {"property": "n", "property_type": "number", "bucket_size": 0, "bucket_min": 0, "bucket_max": 5}}`, StageConstruct, "group_by[0].bucket_size", "positive"},
		{"GB3", `{"events": "E", "group_by": {"property": "n", "property_type": "number", "bucket_size": 1, "bucket_min": 9, "bucket_max": 5}}`, StageConstruct, "group_by[0]", "less than"},
		{"GB4", `{"events": "E", "group_by": {"property": "cart", "sub": "Brand", "bucket_size": 1}}`, StageConstruct, "group_by[0]", "remove the bucket"},
		{"GB5", `{"events": "E", "group_by": {"property": {"custom_property_id": 4}, "sub": "Brand"}}`, StageConstruct, "group_by[0].property", "plain property name"},
		{"CB1", `{"events": "E", "group_by": {"cohort": -1}}`, StageConstruct, "group_by[0].cohort", "saved cohort's id"},
		{"CB2", `{"events": "E", "group_by": {"cohort": 5, "name": " "}}`, StageConstruct, "group_by[0].name", "non-empty"},
		{"FB1", `{"events": "E", "group_by": {"event": " "}}`, StageConstruct, "group_by[0].event", "non-empty"},
		{"FB2", `{"events": "E", "group_by": {"event": "P", "bucket_size": 0}}`, StageConstruct, "group_by[0].bucket_size", "positive"},
		{"FB3", `{"events": "E", "group_by": {"event": "P", "bucket_min": 5, "bucket_max": 5}}`, StageConstruct, "group_by[0]", "less than"},
		{"FB4", `{"events": "E", "group_by": {"event": "P", "bucket_min": -1}}`, StageConstruct, "group_by[0].bucket_min", "non-negative"},
		{"FF1", `{"events": "E", "where": {"event": " ", "value": 1}}`, StageConstruct, "where[0].event", "non-empty"},
		{"FF2", `{"events": "E", "where": {"event": "P", "value": 1, "operator": "more"}}`, StageConstruct, "where[0].operator", "is at least"},
		{"FF3", `{"events": "E", "where": {"event": "P", "value": -1}}`, StageConstruct, "where[0].value", "non-negative"},
		{"FF4", `{"events": "E", "where": {"event": "P", "value": 1, "date_range_value": 7}}`, StageConstruct, "where[0]", "both"},
		{"FF5", `{"events": "E", "where": {"event": "P", "value": 1, "date_range_value": 0, "date_range_unit": "day"}}`, StageConstruct, "where[0].date_range_value", "positive"},
		{"CF1", `{"events": "E", "where": {"operator": "in_cohort", "cohort": 0}}`, StageConstruct, "where[0].cohort", "saved cohort's id"},
		{"CF2", `{"events": "E", "where": {"operator": "not_in_cohort", "cohort": 3, "name": ""}}`, StageConstruct, "where[0].name", "remove name"},
		{"CM1", `{"events": [{"cohort": 0}]}`, StageConstruct, "events[0].cohort", "positive"},
		{"CM2", `{"events": [{"cohort": 7, "name": " "}]}`, StageConstruct, "events[0].name", "non-empty"},
		{"CM5", `{"events": [{"cohort": {"all_of": [{"criterion": "in_cohort", "cohort_id": 1}]}}]}`, StageConstruct, "events[0].cohort", "saved cohort id"},
		{"TC0", `{"events": "E", "time_comparison": {"type": "previous"}}`, StageConstruct, "time_comparison.type", "relative"},
		{"TC1", `{"events": "E", "time_comparison": {"type": "relative"}}`, StageConstruct, "time_comparison.unit", "month"},
		{"TC1b", `{"events": "E", "time_comparison": {"type": "relative", "unit": "decade"}}`, StageConstruct, "time_comparison.unit", "quarter"},
		{"TC2", `{"events": "E", "time_comparison": {"type": "absolute-start"}}`, StageConstruct, "time_comparison.date", "2026-01-01"},
		{"TC3", `{"events": "E", "time_comparison": {"type": "absolute_end", "date": "2024/01/01"}}`, StageConstruct, "time_comparison.date", "YYYY-MM-DD"},
		{"TC3b", `{"events": "E", "time_comparison": {"type": "absolute-end", "date": "2023-02-29"}}`, StageConstruct, "time_comparison.date", "calendar"},
		{"CD1", def(`{"criterion": "did_event", "event": "P", "within_days": 3}`), StageConstruct, "where[0].cohort.all_of[0]", "at_least"},
		{"CD2", def(`{"criterion": "did_event", "event": "P", "at_least": -1, "within_days": 3}`), StageConstruct, "where[0].cohort.all_of[0]", ">= 0"},
		{"CD3", def(`{"criterion": "did_event", "event": "P", "at_least": 1}`), StageConstruct, "where[0].cohort.all_of[0]", "within_days"},
		{"CD4", def(`{"criterion": "did_event", "event": "", "at_least": 1, "within_days": 3}`), StageConstruct, "where[0].cohort.all_of[0].event", "set event"},
		{"CD5", def(`{"criterion": "did_event", "event": "P", "at_least": 1, "from_date": "2024-01-01"}`), StageConstruct, "where[0].cohort.all_of[0]", "together"},
		{"CD6", def(`{"criterion": "did_event", "event": "P", "at_least": 1, "from_date": "2024-02-01", "to_date": "2024-01-01"}`), StageConstruct, "where[0].cohort.all_of[0]", "before"},
		{"CD7", def(`{"criterion": "has_property", "property": " ", "value": "x"}`), StageConstruct, "where[0].cohort.all_of[0].property", "plan"},
		{"CD8", def(`{"criterion": "not_in_cohort", "cohort_id": 0}`), StageConstruct, "where[0].cohort.all_of[0].cohort_id", "saved cohort's id"},
		{"CD9", `{"events": "E", "where": {"operator": "in_cohort", "cohort": {"all_of": []}}}`, StageConstruct, "where[0].cohort", "at least one criterion"},
		{"CA1", def(`{"criterion": "did_event", "event": "P", "at_least": 1, "within_days": 3, "aggregation": "total"}`), StageConstruct, "where[0].cohort.all_of[0]", "aggregation_property"},
		{"CA2", def(`{"criterion": "did_event", "event": "P", "at_least": 1, "within_days": 3, "aggregation_property": "amount"}`), StageConstruct, "where[0].cohort.all_of[0]", "both"},
		{"X2", `{"events": "E", "where": {"property": "c", "operator": "is"}}`, StageConstruct, "where[0].operator", "not_equals"},
		{"X3", `{"events": "E", "where": {"property": "n", "operator": "greater_than", "value": "many"}}`, StageConstruct, "where[0].value", "one number"},
		{"X4", `{"events": "E", "where": {"property": "d", "operator": "date_between", "value": ["2024-03-01", "2024-01-01"]}}`, StageConstruct, "where[0].value", "swap"},
		{"X8", `{"events": "E", "mode": "pie"}`, StageConstruct, "mode", "timeseries"},
		{"X1", `{"events": "E", "where": {"property": "d", "operator": "in_the_last", "value": 3, "unit": "year"}}`, StageConstruct, "where[0].unit", "hour, day, week or month"},
		{"X3", def(`{"criterion": "in_cohort", "cohort_id": 3, "event": "P"}`), StageConstruct, "where[0].cohort.all_of[0].event", "remove it"},
		{"X5", `{"events": "E", "where": {"property": "cart", "operator": "list_contains", "equals": {"a": "b"}, "filters": [{"property": "c", "operator": "is_set"}]}}`, StageConstruct, "where[0]", "not both"},
		{"X5", `{"events": "E", "where": {"property": "cart", "operator": "list_contains"}}`, StageConstruct, "where[0]", "set filters or equals"},
		{"X6", def(`{"criterion": "did_event", "event": "P", "at_least": 1, "within_days": 3, "where": {"property": "u", "operator": "starts_with", "value": "x"}}`), StageConstruct, "where[0].cohort.all_of[0].where[0]", "use equals"},
		{"X7", `{"events": "E", "group_by": {"property": "cart", "sub": " "}}`, StageConstruct, "group_by[0].sub", "non-empty"},
		// Arguments.
		{"DG1", `{"events": "E", "data_group_id": 0}`, StageArgs, "data_group_id", "positive"},
		{"V0", `{"events": []}`, StageArgs, "events", "Signup"},
		{"V0", `{"events": [{"expression": "A"}]}`, StageArgs, "events", "provide event(s)"},
		{"V0", `{"events": [{"expression": "A"}, {"expression": "B"}]}`, StageArgs, "events", "Signup"},
		{"V4", `{"events": ["A", "B", {"expression": "A + B"}], "formula": "A - B"}`, StageArgs, "formula", "use one approach"},
		{"V1", `{"events": "E", "math": "p90"}`, StageArgs, "math", "set math_property"},
		{"V2", `{"events": "E", "math": "unique", "math_property": "x"}`, StageArgs, "math_property", "remove math_property"},
		{"V3", `{"events": "E", "math": "dau", "per_user": "total"}`, StageArgs, "per_user", "remove per_user"},
		{"V3B", `{"events": "E", "per_user": "total"}`, StageArgs, "per_user", "math_property"},
		{"V4", `{"events": "E", "formula": "A * 2"}`, StageArgs, "formula", "add the events"},
		{"V5", `{"events": "E", "rolling": 7, "cumulative": true}`, StageArgs, "rolling", "keep one"},
		{"V6", `{"events": "E", "rolling": 0}`, StageArgs, "rolling", "positive"},
		{"V7", `{"events": "E", "last": -1}`, StageArgs, "last", "positive"},
		{"V8", `{"events": "E", "from_date": "2024-1-1"}`, StageArgs, "from_date", "YYYY-MM-DD"},
		{"V8", `{"events": "E", "from_date": "2024-02-30"}`, StageArgs, "from_date", "calendar"},
		{"V9", `{"events": "E", "to_date": "2024-01-01"}`, StageArgs, "to_date", "set from_date"},
		{"V10", `{"events": "E", "from_date": "2024-01-01", "last": 7}`, StageArgs, "last", "either last or from_date"},
		{"V11", `{"events": "E", "group_by": {"property": "n", "property_type": "number", "bucket_min": 1}}`, StageArgs, "group_by", "bucket_size"},
		{"V12B", `{"events": "E", "group_by": {"property": "n", "bucket_size": 5, "bucket_min": 0, "bucket_max": 50}}`, StageArgs, "group_by", "property_type='number'"},
		{"V12C", `{"events": "E", "group_by": {"property": "n", "property_type": "number", "bucket_size": 5}}`, StageArgs, "group_by", "bucket_min and bucket_max"},
		{"V14", `{"events": [{"event": "E", "math": "dau", "property": "p"}]}`, StageArgs, "events[0]", "remove property"},
		{"V15", `{"events": "E", "from_date": "2024-02-01", "to_date": "2024-01-01"}`, StageArgs, "from_date", "chronological"},
		{"V16", `{"events": ["A", "B"], "formula": "100"}`, StageArgs, "formula", "(A, B, C, ...)"},
		{"V17", `{"events": ["E", " "]}`, StageArgs, "events[1]", "non-empty"},
		{"V19", `{"events": ["A", "B"], "formula": "MAX(A, B)"}`, StageArgs, "formula", "every capital letter"},
		{"V20", `{"events": "E", "last": 4000}`, StageArgs, "last", "3650"},
		{"V22", `{"events": ["a\u0000b"]}`, StageArgs, "events[0]", "remove them"},
		{"V22", `{"events": ["\u200b"]}`, StageArgs, "events[0]", "invisible"},
		{"V23", `{"events": "E", "rolling": 400}`, StageArgs, "rolling", "365"},
		{"V26", `{"events": "E", "math": "percentile", "math_property": "ms"}`, StageArgs, "percentile_value", "95"},
		{"V27", `{"events": "E", "math": "histogram", "math_property": "n"}`, StageArgs, "per_user", "per_user='total'"},
		{"V27", `{"events": [{"event": "E", "math": "histogram", "property": "n"}]}`, StageArgs, "events[0]", "per_user='total'"},
		{"CP1", `{"events": "E", "group_by": {"property": {"custom_property_id": 0}}}`, StageArgs, "group_by", "custom property's id"},
		{"CP2", `{"events": "E", "where": {"property": {"formula": " ", "inputs": {"A": {"name": "p"}}}, "operator": "is_set"}}`, StageArgs, "where", "A * B"},
		{"CP3", `{"events": [{"event": "E", "math": "max", "property": {"formula": "A"}}]}`, StageArgs, "events[0]", "map a letter"},
		{"CP4", `{"events": "E", "group_by": [{"property": {"formula": "a", "inputs": {"a": {"name": "p"}}}}, "x"]}`, StageArgs, "group_by[0]", "rename it"},
		{"CP5", `{"events": "E", "group_by": {"property": {"formula": "` + strings.Repeat("A", 20001) + `", "inputs": {"A": {"name": "p"}}}}}`, StageArgs, "group_by", "shorten"},
		{"CP6", `{"events": "E", "group_by": {"property": {"formula": "A", "numeric": {"A": " "}}}}`, StageArgs, "group_by", "set name"},
		// Built bookmark.
		{"B9", `{"events": "E", "math": "sum"}`, StageBookmark, "sections.show[0].measurement.math", "use math total with the property"},
		{"B11", `{"events": "E", "math": "total", "math_property": "x", "per_user": "sum"}`, StageBookmark, "sections.show[0].measurement.perUserAggregation", "use total to add up"},
		{"B12", `{"events": "E", "unit": "semester"}`, StageBookmark, "sections.time[0].unit", "quarter"},
		{"B20", `{"events": "E", "where": {"property": "c", "operator": "equals", "value": []}}`, StageBookmark, "sections.filter[0].filterValue", "is_set"},
		{"B20", `{"events": [{"event": "E", "filters": {"property": "c", "operator": "not_equals", "value": []}}]}`, StageBookmark, "sections.show[0].behavior.filters[0].filterValue", "at least one value"},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.path, func(t *testing.T) {
			_, err := buildJSON(tc.input)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("want *ValidationError, got %v", err)
			}
			if ve.Stage != tc.stage {
				t.Errorf("stage = %s, want %s (%v)", ve.Stage, tc.stage, ve)
			}
			var found *Issue
			for i, is := range ve.Issues {
				if is.Rule() == tc.rule && is.Path == tc.path {
					found = &ve.Issues[i]
				}
			}
			if found == nil {
				t.Fatalf("no issue %s at %s in:\n%v", tc.rule, tc.path, ve)
			}
			if !strings.Contains(found.Message, tc.fix) {
				t.Errorf("message %q lacks the fix %q", found.Message, tc.fix)
			}
			if text := ve.Error(); !strings.Contains(text, tc.path+": "+tc.rule+": ") {
				t.Errorf("Error() does not name path and rule:\n%s", text)
			}
		})
	}
}

func TestValidationReportsEveryIssueOfAStage(t *testing.T) {
	_, err := buildJSON(`{"events": [" ", "Song\u001bStreamed"], "rolling": -3, "last": 0, "to_date": "2024-01-01"}`)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatal(err)
	}
	want := []string{"V17_EMPTY_EVENT", "V22_CONTROL_CHAR_EVENT", "V6_ROLLING_POSITIVE", "V7_LAST_POSITIVE", "V9_TO_REQUIRES_FROM"}
	if strings.Join(ve.Codes(), ",") != strings.Join(want, ",") {
		t.Fatalf("codes = %v, want %v", ve.Codes(), want)
	}
}

func TestDecodeRejectsMalformedInput(t *testing.T) {
	tests := []struct{ input, want string }{
		{`{"events": "E", "bogus": 1}`, "unknown field"},
		{`{"events": 5}`, "event name or an object"},
		{`{"events": [{"foo": 1}]}`, "\"event\" (Metric)"},
		{`{"events": "E", "where": "country"}`, "must be an object"},
		{`{"events": "E", "where": {"property": "c", "operator": "equals", "valu": 1}}`, "unknown field"},
		{`{"events": "E", "group_by": 3}`, "property name or an object"},
		{`{"events": "E", "last": 1.5}`, "not an integer"},
		{`{"events": "E", "where": {"property": {"nope": 1}, "operator": "is_set"}}`, "inline custom property"},
	}
	for _, tc := range tests {
		var q InsightsQuery
		err := decodeStrict([]byte(tc.input), &q)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.input, err, tc.want)
		}
	}
}

func TestLenientForms(t *testing.T) {
	a, err := buildJSON(`{"events": "Signup", "last": "14", "where": {"property": "n", "operator": "at_least", "value": "5"}, "group_by": "country"}`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := buildJSON(`{"events": ["Signup"], "last": 14, "where": [{"property": "n", "operator": "at_least", "value": 5}], "group_by": ["country"]}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := normalizeJSON(t, a), normalizeJSON(t, b); !equalJSON(got, want) {
		t.Fatalf("lenient and canonical forms differ:\n%v\n%v", got, want)
	}
}

func TestFromDateOnlyUsesInjectedToday(t *testing.T) {
	p, err := buildJSON(`{"events": "E", "from_date": "2025-03-01"}`)
	if err != nil {
		t.Fatal(err)
	}
	v := p["sections"].(map[string]any)["time"].([]any)[0].(map[string]any)["value"].([]any)
	if v[1] != "2025-03-10" {
		t.Fatalf("to_date = %v, want the injected today 2025-03-10", v[1])
	}
}

func TestCohortDefinitionToDict(t *testing.T) {
	var d CohortDefinition
	if err := d.UnmarshalJSON([]byte(`{"any_of": [
		{"all_of": [{"criterion": "did_event", "event": "A", "at_least": 1, "within_days": 7},
		            {"criterion": "in_cohort", "cohort_id": 9}]},
		{"criterion": "did_event", "event": "B", "exactly": 2, "from_date": "2024-01-01", "to_date": "2024-01-31",
		 "where": {"property": "amount", "operator": "between", "value": [1, 5]}}]}`)); err != nil {
		t.Fatal(err)
	}
	got, err := d.ToDict()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"behaviors":{"bhvr_0":{"count":{"event_selector":{"event":"A","selector":null},"type":"absolute"},"window":{"unit":"day","value":7}},` +
		`"bhvr_1":{"count":{"event_selector":{"event":"B","selector":{"children":[{"defaultType":"number","filterOperator":"is between","filterType":"number","filterValue":[1,5],"resourceType":"events","value":"amount"}],"operator":"and"}},"type":"absolute"},"from_date":"2024-01-01","to_date":"2024-01-31"}},` +
		`"selector":{"children":[{"children":[{"operand":1,"operator":"\u003e=","property":"behaviors","value":"bhvr_0"},{"operator":"in","property":"cohort","value":9}],"operator":"and"},` +
		`{"operand":2,"operator":"==","property":"behaviors","value":"bhvr_1"}],"operator":"or"}}`
	if g := mustMarshal(t, got); g != want {
		t.Fatalf("got  %s\nwant %s", g, want)
	}
	raw := d.RawCohort()
	if s := mustMarshal(t, raw); strings.Contains(s, `"selector":null`) {
		t.Fatalf("raw cohort keeps a null selector: %s", s)
	}
}

// TestIssuesSayWhatTheFixNeeds: the issues whose fix is a value of the
// project (an event name, a saved cohort's id) say so in Needs, which is
// how the tools layer knows to point at the tool that lists them; the
// messages themselves name no tool.
func TestIssuesSayWhatTheFixNeeds(t *testing.T) {
	tests := []struct {
		build func() error
		code  string
		need  Need
	}{
		{func() error { _, err := buildJSON(`{"events": [""]}`); return err }, "V17_EMPTY_EVENT", NeedEventName},
		{func() error { _, err := buildJSON(`{"events": ["\u200b"]}`); return err }, "V22_INVISIBLE_EVENT", NeedEventName},
		{func() error { _, err := buildJSON(`{"events": [{"event": " "}]}`); return err }, "M1", NeedEventName},
		{func() error {
			_, err := buildJSON(`{"events": "E", "where": {"operator": "in_cohort", "cohort": 0}}`)
			return err
		}, "CF1", NeedCohortID},
		{func() error {
			_, err := buildJSON(`{"events": "E", "group_by": {"property": {"custom_property_id": 0}}}`)
			return err
		}, "CP1_INVALID_ID", NeedCustomPropertyID},
		{func() error {
			var q FunnelQuery
			if err := decodeStrict([]byte(`{"steps": ["A", "\u200b"]}`), &q); err != nil {
				return err
			}
			_, err := q.Build(testToday)
			return err
		}, "", NeedEventName},
		{func() error {
			var q RetentionQuery
			if err := decodeStrict([]byte(`{"born_event": "\u200b", "return_event": "B"}`), &q); err != nil {
				return err
			}
			_, err := q.Build(testToday)
			return err
		}, "", NeedEventName},
		{func() error { _, err := buildJSON(`{"events": "E", "last": 0}`); return err }, "V7", ""},
	}
	for _, tt := range tests {
		err := tt.build()
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%s: want a *ValidationError, got %v", tt.code, err)
		}
		is := ve.Issues[0]
		if tt.code != "" && is.Code != tt.code && is.Rule() != tt.code {
			t.Fatalf("want code %s, got %v", tt.code, ve)
		}
		if is.Needs != tt.need {
			t.Errorf("%s: Needs = %q, want %q", is.Code, is.Needs, tt.need)
		}
	}
}
