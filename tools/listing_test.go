package tools

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

// The encoded-once tools/list result is byte for byte what mcp-go answers
// for the same server, for every kind of selection.
func TestListResultIsMCPGosAnswer(t *testing.T) {
	for _, c := range []struct {
		toolsets string
		readOnly bool
	}{{"", false}, {"all", false}, {"all", true}, {"governance,query", false}} {
		toolsets, err := ParseToolsets(c.toolsets)
		require.NoError(t, err)
		sel := Selection{Toolsets: toolsets, ReadOnly: c.readOnly}
		s := server.NewMCPServer("t", "1", server.WithToolCapabilities(false), server.WithHooks(&server.Hooks{}))
		require.NoError(t, AddTo(s, NewEnv(nil, nil, zerolog.Nop()), sel))
		ctx := context.Background()
		s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
		answer, err := json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)))
		require.NoError(t, err)
		var theirs struct {
			Result json.RawMessage `json:"result"`
		}
		require.NoError(t, json.Unmarshal(answer, &theirs))
		ours, err := ListResult(s)
		require.NoError(t, err)
		require.Equal(t, string(theirs.Result), string(ours), "selection %+v", sel)
	}
}

// A dynamic server has no fixed list: each session's is its own.
func TestListResultNotForDynamicServers(t *testing.T) {
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(true), server.WithHooks(&server.Hooks{}))
	require.NoError(t, AddTo(s, NewEnv(nil, nil, zerolog.Nop()), Selection{Dynamic: true}))
	_, err := ListResult(s)
	require.ErrorIs(t, err, errNoFixedList)
	_, err = ListResult(server.NewMCPServer("other", "1"))
	require.ErrorIs(t, err, errNoFixedList)
}
