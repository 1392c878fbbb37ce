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
// repeat a field's name; and nested objects leave out
// additionalProperties:false because their decoders reject unknown fields
// themselves, naming the field (decodeStrict).

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	propertyRefType = reflect.TypeFor[PropertyRef]()
	cohortRefType   = reflect.TypeFor[CohortRef]()
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
		}
		return nil
	}}
	s := r.Reflect(new(T))
	s.Version = ""
	s.ID = ""
	return s
}

// union is a oneOf with one example for the whole union.
func union(desc string, example any, alts ...*jsonschema.Schema) *jsonschema.Schema {
	s := &jsonschema.Schema{Description: desc, OneOf: alts}
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
