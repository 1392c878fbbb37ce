//go:build schemagen

package query

import (
	"github.com/invopop/jsonschema"
)

// JSONSchema offers an event name or a RetentionEvent.
func (RetentionEventRef) JSONSchema() *jsonschema.Schema {
	return union("",
		"Signup",
		typed("string"), inlineObject[RetentionEvent]())
}
