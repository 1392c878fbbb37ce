//go:build schemagen

package tools

import (
	"github.com/invopop/jsonschema"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// JSONSchema lists the toolsets as an enum.
func (toolsetName) JSONSchema() *jsonschema.Schema {
	var names []string
	for _, ts := range Toolsets {
		names = append(names, string(ts.Name))
	}
	return schemas.Enum("Toolset to load", names...)
}
