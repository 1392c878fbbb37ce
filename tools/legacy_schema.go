//go:build schemagen

package tools

import (
	"github.com/invopop/jsonschema"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// JSONSchema accepts a string or a list.
func (StringList) JSONSchema() *jsonschema.Schema {
	return schemas.ListOf("", &jsonschema.Schema{Type: "string"})
}
