//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema offers an id or an inline definition; the definition's full
// shape is described once, on build_cohort_definition, to keep query
// schemas small.
func (CohortRef) JSONSchema() *jsonschema.Schema {
	return union("Saved cohort id, or an inline definition {all_of|any_of: [criteria]}", 123,
		typed("integer"), typed("object"))
}

// JSONSchema describes a definition; nested items are described, not
// recursed into, to keep the schema small.
func (CohortDefinition) JSONSchema() *jsonschema.Schema {
	list := &jsonschema.Schema{Type: "array", Items: CohortItem{}.JSONSchema()}
	props := jsonschema.NewProperties()
	props.Set("all_of", list)
	props.Set("any_of", list)
	return &jsonschema.Schema{
		Type:        "object",
		Description: "Inline cohort: all_of (AND) or any_of (OR) of criteria",
		Properties:  props,
		Examples: []any{map[string]any{"all_of": []any{
			map[string]any{"criterion": "did_event", "event": "Purchase", "at_least": 3, "within_days": 30},
			map[string]any{"criterion": "has_property", "property": "plan", "value": "premium"},
		}}},
	}
}

// JSONSchema reflects the criterion inline; its where filters are
// described, not recursed into.
func (CohortCriteria) JSONSchema() *jsonschema.Schema {
	type plain CohortCriteria
	s := inlineObject[plain]()
	s.Description = "Cohort criterion; criterion names the condition"
	s.Properties.Set("where", looseFilterList("Event property filters"))
	return s
}

// JSONSchema describes an item of a definition.
func (CohortItem) JSONSchema() *jsonschema.Schema {
	return union("A criterion, or a nested {all_of|any_of: [...]}", nil,
		CohortCriteria{}.JSONSchema(), typed("object"))
}
