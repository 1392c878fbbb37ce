//go:build schemagen

package schemas

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sFilter struct {
	Property string    `json:"property" jsonschema:"description=Property name"`
	Inner    []sFilter `json:"inner,omitempty"`
}

type sMetric struct {
	Event string    `json:"event"`
	Math  string    `json:"math,omitempty" jsonschema:"enum=total,enum=unique,default=total"`
	Where []sFilter `json:"where,omitempty"`
}

// sEvent is a union: an event name or a metric object.
type sEvent struct{}

func (sEvent) JSONSchema() *jsonschema.Schema {
	return AnyOf("An event name or a metric", String("event name"), Ref[sMetric]())
}

type sInput struct {
	Events []sEvent        `json:"events" jsonschema:"description=What to count"`
	Raw    json.RawMessage `json:"raw,omitempty"`
	Limit  int             `json:"limit,omitempty" jsonschema:"minimum=1,default=50"`
}

func decode(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestInputSchema(t *testing.T) {
	raw, err := Input(reflect.TypeFor[sInput]())
	require.NoError(t, err)
	s := decode(t, raw)
	assert.Equal(t, "object", s["type"])
	assert.Equal(t, false, s["additionalProperties"], "inputs are strict")
	assert.Equal(t, []any{"events"}, s["required"], "omitempty fields are optional")
	assert.NotContains(t, s, "$schema")
	assert.NotContains(t, s, "$id")
	props := s["properties"].(map[string]any)
	assert.Equal(t, map[string]any{}, props["raw"], "json.RawMessage is any JSON value, written {} for clients that want object schemas")
	assert.Equal(t, map[string]any{"type": "integer", "minimum": 1.0, "default": 50.0}, props["limit"])

	defs := s["$defs"].(map[string]any)
	assert.Contains(t, defs, "sFilter", "a type a Ref'd type uses is reflected into $defs, and stays there when used twice or by itself")
	assert.NotContains(t, defs, "sEvent", "a definition used once is written in place")
	assert.NotContains(t, defs, "sMetric", "a definition used once is written in place")
	event := props["events"].(map[string]any)["items"].(map[string]any)
	assert.Equal(t, "An event name or a metric", event["description"])
	metric := event["anyOf"].([]any)[1].(map[string]any)
	assert.NotContains(t, metric, "$ref")
	assert.Equal(t, []any{"total", "unique"}, metric["properties"].(map[string]any)["math"].(map[string]any)["enum"])
	assert.Equal(t, map[string]any{"$ref": "#/$defs/sFilter"}, metric["properties"].(map[string]any)["where"].(map[string]any)["items"])
}

// sShared uses sMetric twice, once with a description of its own.
type sShared struct {
	First  sEvent  `json:"first"`
	Second sMetric `json:"second" jsonschema:"description=The second"`
	Third  sMetric `json:"third"`
}

func TestSingleUseDefinitionsAreInlined(t *testing.T) {
	raw, err := Input(reflect.TypeFor[sShared]())
	require.NoError(t, err)
	s := decode(t, raw)
	defs := s["$defs"].(map[string]any)
	assert.Contains(t, defs, "sMetric", "used three times, so it stays shared")
	assert.NotContains(t, defs, "sEvent")
	props := s["properties"].(map[string]any)
	assert.Equal(t, "An event name or a metric", props["first"].(map[string]any)["description"], "the inlined definition keeps its keys")
	assert.Equal(t, map[string]any{"$ref": "#/$defs/sMetric", "description": "The second"}, props["second"])
}

func TestOutputSchemaIsLenient(t *testing.T) {
	raw, err := Output(reflect.TypeFor[sMetric]())
	require.NoError(t, err)
	s := decode(t, raw)
	assert.NotContains(t, s, "additionalProperties")
}

func TestNonObjectRootIsRefused(t *testing.T) {
	_, err := Input(reflect.TypeFor[[]string]())
	assert.ErrorContains(t, err, "must be JSON objects")
}

func TestHelpers(t *testing.T) {
	l := ListOf("one or many", String("x"))
	require.Len(t, l.AnyOf, 2)
	assert.Equal(t, "array", l.AnyOf[1].Type)
	e := Enum("mode", "a", "b")
	assert.Equal(t, []any{"a", "b"}, e.Enum)
	o := WithExamples(OneOf("u", String("s")), "x")
	assert.Equal(t, []any{"x"}, o.Examples)
}

func TestObjectSchemasKeepsValues(t *testing.T) {
	in := map[string]any{
		"type":                 "object",
		"properties":           map[string]any{"raw": true, "flag": map[string]any{"type": "boolean", "default": true, "examples": []any{true}}},
		"items":                true,
		"anyOf":                []any{true, map[string]any{"const": true}},
		"examples":             []any{map[string]any{"flag": true}},
		"additionalProperties": true,
	}
	out := objectSchemas(in).(map[string]any)
	assert.Equal(t, map[string]any{}, out["properties"].(map[string]any)["raw"])
	flag := out["properties"].(map[string]any)["flag"].(map[string]any)
	assert.Equal(t, true, flag["default"])
	assert.Equal(t, []any{true}, flag["examples"])
	assert.Equal(t, map[string]any{}, out["items"])
	assert.Equal(t, []any{map[string]any{}, map[string]any{"const": true}}, out["anyOf"])
	assert.Equal(t, []any{map[string]any{"flag": true}}, out["examples"])
	assert.Equal(t, true, out["additionalProperties"], "additionalProperties: true is left as is")
}
