//go:build schemagen

package tools

import (
	"encoding/json"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// Reflect reflects the tool's schemas from its Go types, as the generated
// file must hold them.
func (t *Tool) Reflect() (in, out json.RawMessage, err error) {
	if in, err = schemas.Input(t.inType); err != nil {
		return nil, nil, err
	}
	if t.withConfirm {
		if in, err = confirmProperty(in); err != nil {
			return nil, nil, err
		}
	}
	out, err = schemas.Output(t.outType)
	return in, out, err
}

// A schemagen build reflects the schemas of a tool the generated file does
// not have: a new tool, or one a test builds, works before regeneration.
func init() { reflectUngenerated = (*Tool).Reflect }
