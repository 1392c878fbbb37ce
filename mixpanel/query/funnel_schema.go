//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema describes a list of names and FunnelStep objects.
func (FunnelStepList) JSONSchema() *jsonschema.Schema {
	return listOf("Steps in order (2-100)", union("",
		map[string]any{"event": "Purchase", "label": "Bought"},
		typed("string"), inlineObject[FunnelStep]()))
}

// JSONSchema is a list of Filter.
func (StepFilters) JSONSchema() *jsonschema.Schema {
	return filters("All must match (any with filters_combinator any)")
}

// JSONSchema offers names and Exclusion objects, one or a list.
func (ExclusionList) JSONSchema() *jsonschema.Schema {
	return listOf("Events that disqualify a user: a name for the whole funnel, an object for a step range", union("",
		map[string]any{"event": "Refund", "from_step": 1, "to_step": 2},
		typed("string"), inlineObject[Exclusion]()))
}

// JSONSchema offers names and HoldingConstant objects, one or a list.
func (HoldingConstantList) JSONSchema() *jsonschema.Schema {
	return listOf("Properties that keep one value across steps (max 3); a name is an event property", union("", "platform",
		typed("string"), inlineObject[HoldingConstant]()))
}
