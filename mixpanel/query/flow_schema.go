//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema offers names and FlowStep objects, one or a list.
func (FlowStepList) JSONSchema() *jsonschema.Schema {
	return listOf("Anchor events", union("",
		map[string]any{"event": "Purchase", "reverse": 3, "forward": 0},
		typed("string"), inlineObject[FlowStep]()))
}
