//go:build schemagen

package query

import (
	"encoding/json"
	"reflect"

	"github.com/invopop/jsonschema"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// Every token of a tool's schema is paid by every conversation, so the
// query schemas follow a few rules: a type used in several places of one
// tool (a property, a cohort, a filter) is a $ref to one definition in the
// tool's $defs; each union carries a single example; descriptions do not
// repeat a field's name, an enum or the alternatives of a union (which the
// model reads in its anyOf); a default equal to the zero value the server
// applies anyway is left out; and nested objects leave out
// additionalProperties:false because their decoders reject unknown fields
// themselves, naming the field (decodeStrict).

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	propertyRefType = reflect.TypeFor[PropertyRef]()
	cohortRefType   = reflect.TypeFor[CohortRef]()
	mathType        = reflect.TypeFor[InsightsMath]()
)

// inlineObject reflects T with its sub-schemas inline, except the shared
// types, which become references to their one definition.
func inlineObject[T any]() *jsonschema.Schema {
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, AllowAdditionalProperties: true, Mapper: func(t reflect.Type) *jsonschema.Schema {
		switch t {
		case rawMessageType:
			return &jsonschema.Schema{}
		case propertyRefType:
			return schemas.Ref[PropertyRef]()
		case cohortRefType:
			return schemas.Ref[CohortRef]()
		case mathType:
			return schemas.Ref[InsightsMath]()
		}
		return nil
	}}
	s := r.Reflect(new(T))
	s.Version = ""
	s.ID = ""
	return s
}

// union is an anyOf with one example for the whole union. Not oneOf: with
// no additionalProperties:false, an object such as a FrequencyFilter that
// sets operator would also match Filter, and a validating client would
// refuse a valid argument.
func union(desc string, example any, alts ...*jsonschema.Schema) *jsonschema.Schema {
	s := &jsonschema.Schema{Description: desc, AnyOf: alts}
	if example != nil {
		s.Examples = []any{example}
	}
	return s
}

// listOf is a list of items. The decoders also accept one bare item, as
// the reference does; the schema leaves that leniency unsaid.
func listOf(desc string, item *jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, Type: "array", Items: item}
}

// filters is a list of filters, each a reference to the one Filter
// definition.
func filters(desc string) *jsonschema.Schema { return listOf(desc, schemas.Ref[Filter]()) }

// looseFilterList describes a list of filters without a Filter definition,
// for tools (build_cohort_definition) that have no other filter to share
// it with.
func looseFilterList(desc string) *jsonschema.Schema {
	return listOf(desc+": filters such as {\"property\": \"country\", \"operator\": \"equals\", \"value\": \"US\"}", &jsonschema.Schema{Type: "object"})
}

func typed(t string) *jsonschema.Schema { return &jsonschema.Schema{Type: t} }

// The structured results below are described to the level a client needs
// to find its way: the top-level fields typed, nested rows named in words
// rather than spelled out field by field.

// field is one property of an outline.
type field struct {
	name   string
	schema *jsonschema.Schema
}

// outline is an object with the given properties in order; required lists
// those always present.
func outline(desc string, required []string, fields ...field) *jsonschema.Schema {
	props := jsonschema.NewProperties()
	for _, f := range fields {
		props.Set(f.name, f.schema)
	}
	return &jsonschema.Schema{Type: "object", Description: desc, Properties: props, Required: required}
}

func described(t, desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: t, Description: desc}
}

// rows is a list of objects whose keys desc names.
func rows(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "array", Description: desc, Items: typed("object")}
}

func resultDates() []field {
	return []field{{"computed_at", typed("string")}, {"from_date", typed("string")}, {"to_date", typed("string")}}
}

// JSONSchema outlines a funnel result.
func (FunnelQueryResult) JSONSchema() *jsonschema.Schema {
	return outline("", []string{"computed_at", "from_date", "to_date", "steps_data", "meta"}, append(resultDates(),
		field{"steps_data", rows("Per step: event, count, step_conv_ratio and overall_conv_ratio (0-1), avg_time and avg_time_from_start (seconds)")},
		field{"segment_steps", described("object", "Per breakdown segment: its steps_data")},
		field{"series", &jsonschema.Schema{Description: "Mixpanel's raw series"}},
		field{"meta", typed("object")})...)
}

// The rows a tool adds next to a result are plain objects inline; the
// tool's field says what they hold.

// JSONSchemaAlias shows a plain object.
func (FunnelDropOff) JSONSchemaAlias() any { return map[string]any{} }

// JSONSchema outlines a retention result.
func (RetentionQueryResult) JSONSchema() *jsonschema.Schema {
	return outline("", []string{"computed_at", "from_date", "to_date", "cohorts", "meta"}, append(resultDates(),
		field{"cohorts", described("object", "By cohort date YYYY-MM-DD: {first (cohort size), counts, rates (0-1)} with one entry per bucket, index 0 the birth bucket")},
		field{"average", described("object", "The $average cohort, same shape")},
		field{"segments", described("object", "Per breakdown segment: its cohorts")},
		field{"segment_averages", described("object", "Per breakdown segment: its $average cohort")},
		field{"meta", typed("object")})...)
}

// JSONSchema outlines a flow result.
func (FlowQueryResult) JSONSchema() *jsonschema.Schema {
	return outline("", []string{"computed_at", "mode", "overall_conversion_rate", "meta"},
		field{"computed_at", typed("string")},
		field{"mode", &jsonschema.Schema{Type: "string", Enum: []any{"sankey", "paths", "tree"}}},
		field{"steps", rows("Sankey columns: {nodes: [{event, type (ANCHOR|NORMAL|FORWARD|REVERSE|DROPOFF|PRUNED), anchor_type, total_count, is_custom_event, conversion_rate_change, edges: [{event, type, step (target column), total_count}]}]}")},
		field{"flows", rows("Top paths: {flow_steps: [{event, type, is_computed, total_count}]}")},
		field{"breakdowns", rows("")},
		field{"overall_conversion_rate", typed("number")},
		field{"meta", typed("object")})
}

// JSONSchemaAlias shows a plain object.
func (FlowTransition) JSONSchemaAlias() any { return map[string]any{} }

// JSONSchemaAlias shows a plain object.
func (FlowStepDropOff) JSONSchemaAlias() any { return map[string]any{} }

// JSONSchemaAlias shows a plain object.
func (FlowTreeRow) JSONSchemaAlias() any { return map[string]any{} }
