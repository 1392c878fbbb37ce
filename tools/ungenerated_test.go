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
// that generates it: its definition, the tools/list a fixed selection's
// start encodes, the dynamic start's check of its tools, and a call. The test suite is a
// schemagen build, which would reflect it: the test puts the server's
// default build in its place.
func TestUngeneratedToolHasNoSchemas(t *testing.T) {
	defer func(saved func(*Tool) (json.RawMessage, json.RawMessage, error)) { reflectUngenerated = saved }(reflectUngenerated)
	reflectUngenerated = nil
	const want = "tool not_generated: no generated schemas: run `go test -tags schemagen ./schemas -update`"
	tool := New("not_generated", ToolsetProject, "Not in tools.gen.json.", Local, func(context.Context, *Env, struct{}) (struct{}, error) {
		return struct{}{}, nil
	})
	_, err := tool.Definition()
	assert.EqualError(t, err, want)
	_, err = listResult([]*Tool{tool})
	assert.EqualError(t, err, want, "the tools/list of a fixed selection")
	env := NewEnv(nil, nil, zerolog.Nop())
	_, err = serverTools([]*Tool{tool}, env, true)
	assert.EqualError(t, err, want, "the tools of a dynamic selection")
	res := tool.Call(context.Background(), env, json.RawMessage(`{}`))
	require.True(t, res.IsError)
	assert.Contains(t, resultText(t, res), "no generated schemas: run `go test -tags schemagen ./schemas -update`")
}
