package tools

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// conforms checks v against the subset of JSON Schema the reflector emits
// (type, properties, required, items, additionalProperties, $ref, anyOf,
// oneOf) and returns the first violation.
func conforms(schema map[string]any, defs map[string]any, v any, path string) error {
	if ref, ok := schema["$ref"].(string); ok {
		def, ok := defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		if !ok {
			return fmt.Errorf("%s: unresolved %s", path, ref)
		}
		return conforms(def, defs, v, path)
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := schema[key].([]any); ok {
			for _, a := range alts {
				if conforms(a.(map[string]any), defs, v, path) == nil {
					return nil
				}
			}
			return fmt.Errorf("%s: %v matches no alternative of %s", path, v, key)
		}
	}
	switch want, _ := schema["type"].(string); want {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", path, v)
		}
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				return fmt.Errorf("%s: required %q missing", path, r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, x := range m {
			if ps, ok := props[k].(map[string]any); ok {
				if err := conforms(ps, defs, x, path+"."+k); err != nil {
					return err
				}
			} else if ap, ok := schema["additionalProperties"].(map[string]any); ok {
				if err := conforms(ap, defs, x, path+"."+k); err != nil {
					return err
				}
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %T", path, v)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range a {
				if err := conforms(items, defs, x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	case "string":
		if _, ok := v.(string); !ok {
			return fmt.Errorf("%s: want a string, got %T (%v)", path, v, v)
		}
	case "number", "integer":
		if _, ok := v.(float64); !ok {
			return fmt.Errorf("%s: want a number, got %T (%v)", path, v, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: want a boolean, got %T", path, v)
		}
	}
	return nil
}

// TestOutputsMatchTheirSchemas runs each reports/legacy/users/export tool
// and checks its structuredContent against its own output schema.
func TestOutputsMatchTheirSchemas(t *testing.T) {
	calls := []struct{ tool, args string }{
		{"query_saved_report", `{"bookmark_id":63880001}`},
		{"query_saved_report", `{"bookmark_id":63880003,"bookmark_type":"funnels"}`},
		{"query_saved_report", `{"bookmark_id":63880004,"bookmark_type":"retention"}`},
		{"query_saved_report", `{"bookmark_id":63880005,"bookmark_type":"flows"}`},
		{"query_saved_flows", `{"bookmark_id":63880005}`},
		{"query_segmentation", `{"event":"Purchase"}`},
		{"query_segmentation", `{"event":"Purchase","on":"$browser"}`},
		{"query_saved_funnel", `{"funnel_id":7509}`},
		{"query_legacy_retention", `{"born_event":"Sign Up"}`},
		{"query_event_counts", `{"events":["Login","Purchase"]}`},
		{"query_property_counts", `{"event":"Purchase","property":"$browser"}`},
		{"query_frequency", `{}`},
		{"query_frequency", `{"event":"Login"}`},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue"}`},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","aggregate":"sum"}`},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","aggregate":"average"}`},
		{"query_activity_feed", `{"distinct_ids":"user-003","from_date":"2026-11-01","limit":2}`},
		{"query_activity_feed", `{"distinct_ids":"nobody"}`},
		{"query_user", `{"limit":3}`},
		{"query_user", `{"properties":["plan"],"limit":3}`},
		{"query_user", `{"mode":"aggregate"}`},
		{"query_user", `{"mode":"aggregate","aggregate":"extremes","aggregate_property":"purchases","segment_by":[1000]}`},
		{"export_events", `{"from_date":"2026-11-01","to_date":"2026-11-03","limit":3}`},
		{"export_profiles", `{"limit":3}`},
	}
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	for _, c := range calls {
		t.Run(c.tool+" "+c.args, func(t *testing.T) {
			res := callTool(t, env, c.tool, c.args)
			mustOK(t, res)
			_, out, err := Lookup(c.tool).Schemas()
			require.NoError(t, err)
			var schema map[string]any
			require.NoError(t, json.Unmarshal(out, &schema))
			defs, _ := schema["$defs"].(map[string]any)
			var v any
			structured(t, res, &v)
			require.NoError(t, conforms(schema, defs, v, "$"))
		})
	}
}

func TestConformsCatchesViolations(t *testing.T) {
	schema := map[string]any{"type": "object", "required": []any{"a"}, "properties": map[string]any{
		"a": map[string]any{"type": "string"},
		"b": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/$defs/N"}},
	}}
	defs := map[string]any{"N": map[string]any{"type": "number"}}
	for _, bad := range []string{`{}`, `{"a":null}`, `{"a":"x","b":[1,"2"]}`, `[]`} {
		var v any
		require.NoError(t, json.Unmarshal([]byte(bad), &v))
		require.Error(t, conforms(schema, defs, v, "$"), bad)
	}
	var ok any
	require.NoError(t, json.Unmarshal([]byte(`{"a":"x","b":[1,2],"c":null}`), &ok))
	require.NoError(t, conforms(schema, defs, ok, "$"))
}
