//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema keeps the alternatives short: each engine's full argument
// schema is the input schema of its query tool, which a model has seen
// (repeating four of them here would cost thousands of tokens per call).
// Decoding is still strict, and the same rules validate.
func (Report) JSONSchema() *jsonschema.Schema {
	props := jsonschema.NewProperties()
	for _, p := range []struct{ name, desc string }{
		{"insights", "Arguments of an Insights query, as its query tool takes them (no dry_run)"},
		{"funnel", "Arguments of a funnel query, as its query tool takes them (no dry_run)"},
		{"retention", "Arguments of a retention query, as its query tool takes them (no dry_run)"},
		{"flow", "Arguments of a flow query, as its query tool takes them (no dry_run)"},
	} {
		props.Set(p.name, &jsonschema.Schema{Type: "object", Description: p.desc})
	}
	props.Set("params", RawParams(nil).JSONSchema())
	return &jsonschema.Schema{Type: "object", Properties: props, AdditionalProperties: jsonschema.FalseSchema,
		Description: "One of insights, funnel, retention, flow, or params with its type"}
}

// JSONSchema is an object or a string.
func (RawParams) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		AnyOf:       []*jsonschema.Schema{{Type: "object"}, {Type: "string"}},
		Description: "Bookmark params of a dry run (object or JSON string); needs type",
	}
}
