//go:build !schemagen

package tools

import (
	"encoding/json"
	"errors"
)

// errUngenerated: the server reflects no schemas (the reflector is built
// only with the schemagen tag), so a tool must be in the generated file.
var errUngenerated = errors.New("no generated schemas: run `go test -tags schemagen ./schemas -update`")

// ungenerated is the error of a tool the generated file does not have.
// Definition names the tool, and the server's start stops on it.
func (t *Tool) ungenerated() (in, out json.RawMessage, err error) { return nil, nil, errUngenerated }
