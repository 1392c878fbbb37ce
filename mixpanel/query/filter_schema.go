//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema describes the filter object; list_contains's inner filters
// refer back to the same definition.
func (Filter) JSONSchema() *jsonschema.Schema {
	s := inlineObject[filterSchemaShape]()
	s.Properties.Set("filters", filters("list_contains: filters on the items' sub-properties"))
	s.Examples = []any{map[string]any{"property": "country", "operator": "equals", "value": []any{"US"}}}
	return s
}
