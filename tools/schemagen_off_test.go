//go:build !schemagen

package tools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUngeneratedToolHasNoSchemas: the server reflects no schemas, so a
// tool missing from the generated file is an error naming the command
// that generates it: its definition (which the start encodes), the
// dynamic start's check of its tools, and a call.
func TestUngeneratedToolHasNoSchemas(t *testing.T) {
	const want = "tool not_generated: no generated schemas: run `go test -tags schemagen ./schemas -update`"
	tool := New("not_generated", ToolsetProject, "Not in tools.gen.json.", Local, func(context.Context, *Env, struct{}) (struct{}, error) {
		return struct{}{}, nil
	})
	_, err := tool.Definition()
	assert.EqualError(t, err, want)
	env := NewEnv(nil, nil, zerolog.Nop())
	_, err = serverTools([]*Tool{tool}, env, true)
	assert.EqualError(t, err, want, "the tools of a dynamic selection")
	res := tool.Call(context.Background(), env, json.RawMessage(`{}`))
	require.True(t, res.IsError)
	assert.Contains(t, resultText(t, res), "no generated schemas: run `go test -tags schemagen ./schemas -update`")
}
