//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema lists the aggregations; the query's default and a Metric's
// are the same.
func (InsightsMath) JSONSchema() *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "string", Default: "total"}
	for _, m := range []string{"total", "unique", "cumulative_unique", "sessions", "dau", "wau", "mau", "average", "median", "min", "max",
		"p25", "p75", "p90", "p99", "percentile", "histogram", "unique_values", "most_frequent", "first_value", "multi_attribution", "numeric_summary"} {
		s.Enum = append(s.Enum, m)
	}
	return s
}

// JSONSchema is the struct without additionalProperties:false, which the
// strict decoding of the tool's arguments enforces anyway.
func (TimeComparison) JSONSchema() *jsonschema.Schema {
	type plain TimeComparison
	s := inlineObject[plain]()
	s.Description = "Overlay a comparison period"
	return s
}
