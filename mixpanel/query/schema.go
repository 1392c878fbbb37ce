package query

import (
	"github.com/invopop/jsonschema"
)

// inlineObject reflects T with every sub-schema inline: $defs would cost a
// model context and indirection it does not need.
func inlineObject[T any]() *jsonschema.Schema {
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true}
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
