//go:build schemagen

package tools

import (
	"github.com/invopop/jsonschema"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// JSONSchema is the report's name, description and type beside the
// alternatives of query.Report (whose own schema the embedding would
// otherwise stand for alone).
func (inlineReportIn) JSONSchema() *jsonschema.Schema {
	r := query.Report{}.JSONSchema()
	one := uint64(1)
	props := jsonschema.NewProperties()
	props.Set("name", &jsonschema.Schema{Type: "string", MinLength: &one})
	props.Set("description", &jsonschema.Schema{Type: "string"})
	props.Set("type", &jsonschema.Schema{Type: "string", Enum: []any{"insights", "funnels", "retention", "flows"}, Description: "Needed with params; else taken from the query"})
	for p := r.Properties.Oldest(); p != nil; p = p.Next() {
		props.Set(p.Key, p.Value)
	}
	r.Properties, r.Required = props, []string{"name"}
	return r
}
