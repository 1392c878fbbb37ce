//go:build schemagen

package tools

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema is an object.
func (engineArgs) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "object"} }
