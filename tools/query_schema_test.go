package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// The query tools' input schemas leave additionalProperties:false off
// nested objects to save tokens; these tests hold the two promises that
// rest on: the tools' decoders still refuse an unknown field anywhere,
// naming it, and the schemas (with their one example per union) accept
// what the tools accept.

var queryTools = []string{"query_insights", "query_funnel", "query_retention", "query_flow"}

func TestQueryToolsRefuseUnknownNestedFields(t *testing.T) {
	cases := []struct{ name, tool, args string }{
		{"metric", "query_insights", `{"events": [{"event": "A", "bogus": 1}]}`},
		{"cohort metric", "query_insights", `{"events": [{"cohort": 1, "bogus": 1}]}`},
		{"formula", "query_insights", `{"events": ["A", {"expression": "A", "bogus": 1}]}`},
		{"metric filter", "query_insights", `{"events": [{"event": "A", "filters": [{"property": "p", "operator": "is_set", "bogus": 1}]}]}`},
		{"group by", "query_insights", `{"events": "A", "group_by": [{"property": "p", "bogus": 1}]}`},
		{"cohort breakdown", "query_insights", `{"events": "A", "group_by": [{"cohort": 1, "bogus": 1}]}`},
		{"frequency breakdown", "query_insights", `{"events": "A", "group_by": [{"event": "E", "bogus": 1}]}`},
		{"where filter", "query_insights", `{"events": "A", "where": [{"property": "p", "operator": "equals", "value": "x", "bogus": 1}]}`},
		{"list_contains inner filter", "query_insights", `{"events": "A", "where": [{"property": "l", "operator": "list_contains", "filters": [{"property": "s", "operator": "is_set", "bogus": 1}]}]}`},
		{"frequency filter", "query_insights", `{"events": "A", "where": [{"event": "E", "value": 2, "bogus": 1}]}`},
		{"custom property ref", "query_insights", `{"events": "A", "group_by": [{"property": {"custom_property_id": 7, "bogus": 1}}]}`},
		{"inline custom property", "query_insights", `{"events": "A", "group_by": [{"property": {"formula": "A", "numeric": {"A": "x"}, "bogus": 1}}]}`},
		{"inline custom property input", "query_insights", `{"events": "A", "group_by": [{"property": {"formula": "A", "inputs": {"A": {"name": "x", "bogus": 1}}}}]}`},
		{"inline cohort criterion", "query_insights", `{"events": "A", "where": [{"operator": "in_cohort", "cohort": {"all_of": [{"criterion": "did_event", "event": "E", "bogus": 1}]}}]}`},
		{"time comparison", "query_insights", `{"events": "A", "time_comparison": {"type": "relative", "unit": "day", "bogus": 1}}`},
		{"funnel step", "query_funnel", `{"steps": ["A", {"event": "B", "bogus": 1}]}`},
		{"funnel step filter", "query_funnel", `{"steps": ["A", {"event": "B", "filters": [{"property": "p", "operator": "is_set", "bogus": 1}]}]}`},
		{"exclusion", "query_funnel", `{"steps": ["A", "B"], "exclusions": [{"event": "C", "bogus": 1}]}`},
		{"holding constant", "query_funnel", `{"steps": ["A", "B"], "holding_constant": [{"property": "p", "bogus": 1}]}`},
		{"born event", "query_retention", `{"born_event": {"event": "A", "bogus": 1}, "return_event": "B"}`},
		{"return event filter", "query_retention", `{"born_event": "A", "return_event": {"event": "B", "filters": [{"property": "p", "operator": "is_set", "bogus": 1}]}}`},
		{"flow step", "query_flow", `{"event": [{"event": "A", "bogus": 1}]}`},
		{"flow where", "query_flow", `{"event": "A", "where": [{"property": "p", "operator": "is_set", "bogus": 1}]}`},
		{"flow segment", "query_flow", `{"event": "A", "segments": [{"property": "p", "bogus": 1}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustFail(t, callTool(t, testEnv(t, srv), c.tool, c.args))
			if !strings.Contains(text, `"bogus"`) {
				t.Errorf("error does not name the unknown field: %s", text)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("sent %d requests", n)
			}
		})
	}
}

// compileInput compiles a tool's input schema; ptr picks a sub-schema
// ("" for the whole).
func compileInput(t *testing.T, tool string) (func(ptr string) *jsonschema.Schema, map[string]any) {
	t.Helper()
	in, _, err := Lookup(tool).Schemas()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(tool+".json", doc); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(in, &raw); err != nil {
		t.Fatal(err)
	}
	return func(ptr string) *jsonschema.Schema {
		t.Helper()
		s, err := c.Compile(tool + ".json#" + ptr)
		if err != nil {
			t.Fatalf("%s: compile %q: %v", tool, ptr, err)
		}
		return s
	}, raw
}

func validateJSON(s *jsonschema.Schema, v string) error {
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(v))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

func TestQueryToolSchemasAcceptWhatTheToolsAccept(t *testing.T) {
	cases := []struct{ tool, args string }{
		{"query_insights", `{"events": ["Signup", {"event": "Purchase", "math": "percentile", "percentile_value": 95, "property": "amount",
			"filters": [{"property": "country", "operator": "equals", "value": ["US"]}], "filters_combinator": "any", "segment_method": "first"},
			{"cohort": 123, "name": "Power"}, {"expression": "B / A", "label": "Ratio"}],
			"math": "unique", "last": 14, "unit": "week", "mode": "total", "limit": 5, "offset": 1, "dry_run": true,
			"group_by": ["platform", {"property": "amount", "property_type": "number", "bucket_size": 50, "bucket_min": 0, "bucket_max": 500},
				{"cohort": {"all_of": [{"criterion": "did_event", "event": "Purchase", "at_least": 3, "within_days": 30}]}, "include_negated": false},
				{"event": "Purchase", "bucket_max": 20}, {"property": {"custom_property_id": 7}},
				{"property": {"formula": "A * B", "numeric": {"A": "price", "B": "quantity"}}}],
			"where": [{"event": "Purchase", "value": 3, "operator": "is at least", "date_range_value": 30, "date_range_unit": "day"},
				{"property": "cart", "operator": "list_contains", "filters": [{"property": "sku", "operator": "equals", "value": "x"}], "quantifier": "all"},
				{"property": "created", "operator": "in_the_last", "value": 7, "unit": "day"},
				{"operator": "in_cohort", "cohort": 123, "name": "Power"}],
			"time_comparison": {"type": "relative", "unit": "month"}}`},
		{"query_funnel", `{"steps": ["Signup", {"event": "Purchase", "label": "Bought", "filters": [{"property": "amount", "operator": "greater_than", "value": 50}], "order": "any"}],
			"conversion_window": 7, "conversion_window_unit": "day", "order": "loose", "math": "conversion_rate_total",
			"exclusions": ["Refund", {"event": "Cancel", "from_step": 0, "to_step": 1}], "holding_constant": ["platform", {"property": "plan", "resource_type": "people"}],
			"group_by": ["country"], "where": [{"property": "country", "operator": "equals", "value": "US"}], "mode": "trends", "reentry_mode": "basic", "dry_run": true}`},
		{"query_retention", `{"born_event": "Signup", "return_event": {"event": "Purchase", "filters": [{"property": "plan", "operator": "equals", "value": "pro"}]},
			"retention_unit": "day", "alignment": "interval_start", "bucket_sizes": [1, 3, 7], "math": "unique", "from_date": "2026-11-01", "to_date": "2026-11-20",
			"unit": "week", "group_by": ["platform"], "mode": "trends", "unbounded_mode": "carry_forward", "retention_cumulative": true, "limit": 10, "dry_run": true}`},
		{"query_flow", `{"event": ["Purchase", {"event": "Signup", "forward": 2, "reverse": 1, "label": "S", "filters": [{"property": "country", "operator": "equals", "value": "US"}]}],
			"forward": 3, "reverse": 0, "conversion_window": 7, "conversion_window_unit": "day", "count_type": "total", "cardinality": 5,
			"collapse_repeated": true, "hidden_events": ["Ping"], "mode": "paths", "where": [{"property": "platform", "operator": "equals", "value": "ios"}],
			"segments": ["country"], "exclusions": ["Refund"], "limit": 20, "dry_run": true}`},
	}
	for _, c := range cases {
		t.Run(c.tool, func(t *testing.T) {
			mustOK(t, callTool(t, testEnv(t, mixpaneltest.New(t)), c.tool, c.args))
			compile, _ := compileInput(t, c.tool)
			if err := validateJSON(compile(""), c.args); err != nil {
				t.Fatalf("the tool accepts what its input schema refuses: %v", err)
			}
		})
	}
}

// TestQueryToolSchemaExamplesAreValid checks that every example in the four
// input schemas validates against the schema it illustrates, and that each
// union has exactly one.
func TestQueryToolSchemaExamplesAreValid(t *testing.T) {
	for _, tool := range queryTools {
		t.Run(tool, func(t *testing.T) {
			compile, raw := compileInput(t, tool)
			examples := 0
			var walk func(v any, ptr string)
			walk = func(v any, ptr string) {
				switch v := v.(type) {
				case map[string]any:
					ex, _ := v["examples"].([]any)
					if alts, ok := v["anyOf"].([]any); ok && len(alts) > 1 && len(ex) != 1 {
						t.Errorf("%s: union with %d examples, want 1", ptr, len(ex))
					}
					for _, e := range ex {
						examples++
						b, _ := json.Marshal(e)
						if err := validateJSON(compile(ptr), string(b)); err != nil {
							t.Errorf("%s: example %s is invalid: %v", ptr, b, err)
						}
					}
					keys := make([]string, 0, len(v))
					for k := range v {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						if k != "examples" && k != "default" && k != "enum" {
							walk(v[k], ptr+"/"+k)
						}
					}
				case []any:
					for i, x := range v {
						walk(x, fmt.Sprintf("%s/%d", ptr, i))
					}
				}
			}
			walk(raw, "")
			if examples < 4 {
				t.Errorf("%d examples checked; the schema has lost its examples", examples)
			}
		})
	}
}

// TestQueryToolDefinitionsBudget bounds the four definitions' size in
// bytes: every tools/list sends them to the model.
func TestQueryToolDefinitionsBudget(t *testing.T) {
	const budget = 40000 // 53 KB before the schemas were made lean, 36 KB after
	total := 0
	for _, tool := range queryTools {
		def, err := Lookup(tool).Definition()
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(def)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes", tool, len(b))
		total += len(b)
	}
	if total > budget {
		t.Errorf("the four query tools' definitions are %d bytes, over the %d-byte budget", total, budget)
	}
}
