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

// oneOrMany is a list that, like the reference, also accepts one bare
// item. The schema shows only the list form: spelling the item out twice
// would double the biggest part of the schema.
func oneOrMany(desc string, item *jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc + " (a single item is accepted too)", Type: "array", Items: item}
}

// looseFilterList describes a nested list of filters without repeating the
// filter schema, which the top-level where already spells out.
func looseFilterList(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc + ": list of filters shaped like where items", Type: "array", Items: &jsonschema.Schema{Type: "object"}}
}
