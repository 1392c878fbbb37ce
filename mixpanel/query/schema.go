package query

import (
	"encoding/json"
	"reflect"

	"github.com/invopop/jsonschema"
)

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// inlineObject reflects T with every sub-schema inline: $defs would cost a
// model context and indirection it does not need.
func inlineObject[T any]() *jsonschema.Schema {
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Mapper: func(t reflect.Type) *jsonschema.Schema {
		if t == rawMessageType {
			return &jsonschema.Schema{}
		}
		return nil
	}}
	s := r.Reflect(new(T))
	s.Version = ""
	s.ID = ""
	return s
}

func oneOf(desc string, alts ...*jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, OneOf: alts}
}

// oneOrMany accepts one item or a list of them, as the reference does for
// events, group_by and where.
func oneOrMany(desc string, item *jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, AnyOf: []*jsonschema.Schema{item, {Type: "array", Items: item}}}
}

// looseFilterList describes a nested list of filters without repeating the
// filter schema, which the top-level where already spells out.
func looseFilterList(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: desc + "; one or a list of filters shaped like where items",
		AnyOf: []*jsonschema.Schema{
			{Type: "object"},
			{Type: "array", Items: &jsonschema.Schema{Type: "object"}},
		},
	}
}
