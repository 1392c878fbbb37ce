package query

import (
	"reflect"
	"testing"
)

// Flow step filters carry numbers as Python str() writes them; these are
// the repr rules of CPython's float formatting.
func TestPyStr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"250", "250"},
		{"-0", "0"},
		{"123456789012345678901234567890", "123456789012345678901234567890"},
		{"9.0", "9.0"},
		{"9.00", "9.0"},
		{"19.99", "19.99"},
		{"1e2", "100.0"},
		{"0.0001", "0.0001"},
		{"0.00001", "1e-05"},
		{"1.5e-7", "1.5e-07"},
		{"1e15", "1000000000000000.0"},
		{"1e16", "1e+16"},
		{"1.25e20", "1.25e+20"},
		{"-2.5", "-2.5"},
		{"-0.0", "-0.0"},
		{"0.1", "0.1"},
		{"1e100", "1e+100"},
	}
	for _, tt := range tests {
		if got := pyStr(Number(tt.in)); got != tt.want {
			t.Errorf("pyStr(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSegfilterEntryForms(t *testing.T) {
	num := func(s string) Number { return Number(s) }
	tests := []struct {
		name string
		rf   ResolvedFilter
		want map[string]any
		code string
	}{
		{"number pair", ResolvedFilter{Property: PropertyRef{Name: "p"}, Operator: "is between", PropertyType: "number", ResourceType: "events", Value: []any{num("1"), num("2.50")}},
			map[string]any{"operator": "><", "operand": []any{"1", "2.5"}}, ""},
		{"people source", ResolvedFilter{Property: PropertyRef{Name: "plan"}, Operator: "is set", PropertyType: "string", ResourceType: "people"},
			map[string]any{"operator": "set", "operand": ""}, ""},
		{"relative date", ResolvedFilter{Property: PropertyRef{Name: "d"}, Operator: "was not in the", PropertyType: "datetime", ResourceType: "events", Value: num("3"), DateUnit: "week"},
			map[string]any{"operator": ">", "operand": num("3"), "unit": "weeks"}, ""},
		{"ends with", ResolvedFilter{Property: PropertyRef{Name: "e"}, Method: "ends_with", Operator: "ends with", PropertyType: "string"}, nil, "SG1_UNKNOWN_STRING_OPERATOR"},
		{"cohort", ResolvedFilter{Property: PropertyRef{Name: "$cohorts"}, Method: "in_cohort", Operator: "contains", PropertyType: "list"}, nil, "SG4_UNSUPPORTED_PROPERTY_TYPE"},
		{"custom property", ResolvedFilter{Property: PropertyRef{Ref: &CustomPropertyRef{ID: 3}}, Operator: "equals", PropertyType: "string"}, nil, "XF1_FLOW_CUSTOM_PROPERTY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var iss Issues
			got := segfilterEntry(tt.rf, "steps[0].filters[0]", &iss)
			if tt.code != "" {
				if got != nil || len(iss) != 1 || iss[0].Code != tt.code || iss[0].Path != "steps[0].filters[0]" {
					t.Fatalf("got %v, issues %v; want %s", got, iss, tt.code)
				}
				return
			}
			if len(iss) != 0 || !reflect.DeepEqual(got["filter"], tt.want) {
				t.Fatalf("filter = %#v, issues %v; want %#v", got["filter"], iss, tt.want)
			}
			if tt.rf.ResourceType == "people" && got["property"].(map[string]any)["source"] != "user" {
				t.Fatalf("people filters must use source user: %v", got)
			}
		})
	}
}
