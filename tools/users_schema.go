//go:build schemagen

package tools

import (
	"github.com/invopop/jsonschema"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// JSONSchema offers filters or a raw selector.
func (UserWhere) JSONSchema() *jsonschema.Schema {
	filters := query.FilterList(nil).JSONSchema()
	filters.Description = "" // the union says it
	return schemas.AnyOf("Filters (all must match) or a raw Engage selector string such as properties[\"plan\"] == \"pro\"",
		filters, &jsonschema.Schema{Type: "string"})
}

// JSONSchema offers both forms.
func (AsOf) JSONSchema() *jsonschema.Schema {
	return schemas.AnyOf("Profiles as they were at this past date (YYYY-MM-DD) or Unix time",
		&jsonschema.Schema{Type: "string"}, &jsonschema.Schema{Type: "integer"})
}
