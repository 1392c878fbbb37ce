//go:build schemagen

package query

import ()

// JSONSchemaAlias shows a plain number, inline so that a field's default
// and bounds stay next to it; numeric strings are accepted quietly.
func (Number) JSONSchemaAlias() any { return float64(0) }

// JSONSchemaAlias shows a plain integer, inline like Number's; "42" is
// accepted quietly.
func (Int) JSONSchemaAlias() any { return int64(0) }
