//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema offers the three forms. The inline form is described in
// words with an example rather than spelled out: it appears in filters,
// breakdowns and metrics, and the full shape three times would cost more
// model context than it saves; decoding still checks it strictly.
func (PropertyRef) JSONSchema() *jsonschema.Schema {
	inline := &jsonschema.Schema{
		Type:        "object",
		Description: "Inline: formula over letters A-Z; inputs maps letters to {name, type, resource_type (event|user)}, or numeric maps letters to number properties",
		Required:    []string{"formula"},
	}
	return union("",
		map[string]any{"formula": "A * B", "numeric": map[string]any{"A": "price", "B": "quantity"}},
		typed("string"), inlineObject[CustomPropertyRef](), inline)
}
