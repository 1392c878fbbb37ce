//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// JSONSchema accepts one filter or a list.
func (FilterList) JSONSchema() *jsonschema.Schema {
	return filters("All must match")
}

// JSONSchema offers the four forms.
func (EventItem) JSONSchema() *jsonschema.Schema {
	return union("",
		map[string]any{"event": "Purchase", "math": "average", "property": "amount"},
		typed("string"), inlineObject[Metric](), inlineObject[CohortMetric](), inlineObject[Formula]())
}

// JSONSchema accepts one item or a list.
func (EventList) JSONSchema() *jsonschema.Schema {
	return listOf("What to measure; formula letters A, B, ... are the non-formula items in order", EventItem{}.JSONSchema())
}

// JSONSchema offers the four forms.
func (GroupItem) JSONSchema() *jsonschema.Schema {
	return union("",
		map[string]any{"property": "amount", "property_type": "number", "bucket_size": 50, "bucket_min": 0, "bucket_max": 500},
		typed("string"), inlineObject[GroupBy](), inlineObject[CohortBreakdown](), inlineObject[FrequencyBreakdown]())
}

// JSONSchema accepts one item or a list. Its field's name (group_by) says
// what it is; flows' segments say it in a description.
func (GroupList) JSONSchema() *jsonschema.Schema {
	return listOf("", GroupItem{}.JSONSchema())
}

// JSONSchema offers a Filter or a FrequencyFilter.
func (WhereItem) JSONSchema() *jsonschema.Schema {
	return union("A filter, or users who did event N times",
		map[string]any{"event": "Purchase", "value": 3},
		schemas.Ref[Filter](), inlineObject[FrequencyFilter]())
}

// JSONSchema accepts one item or a list.
func (WhereList) JSONSchema() *jsonschema.Schema {
	return listOf("All must match", WhereItem{}.JSONSchema())
}
