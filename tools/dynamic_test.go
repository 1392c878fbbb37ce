package tools

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func inProcess(t *testing.T, sel Selection) *client.Client {
	t.Helper()
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(sel.Dynamic))
	require.NoError(t, AddTo(s, NewEnv(nil, nil, zerolog.Nop()), sel))
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Start(context.Background()))
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	_, err = c.Initialize(context.Background(), req)
	require.NoError(t, err)
	return c
}

func toolNames(t *testing.T, c *client.Client) map[string]bool {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	names := map[string]bool{}
	for _, tool := range res.Tools {
		names[tool.Name] = true
	}
	return names
}

func call(t *testing.T, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.CallTool(context.Background(), req)
	require.NoError(t, err)
	return res
}

func TestDynamicToolsets(t *testing.T) {
	c := inProcess(t, Selection{Dynamic: true, ReadOnly: true})
	var changed atomic.Int32
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/tools/list_changed" {
			changed.Add(1)
		}
	})
	before := toolNames(t, c)
	assert.True(t, before["list_toolsets"])
	assert.True(t, before["enable_toolset"])
	for _, tool := range Selected(Selection{Toolsets: []string{string(ToolsetDiscovery)}}) {
		assert.True(t, before[tool.Name], "discovery is loaded from the start: %s", tool.Name)
	}
	queryTools := Selected(Selection{Toolsets: []string{string(ToolsetQuery)}, ReadOnly: true})
	for _, tool := range queryTools {
		assert.False(t, before[tool.Name], tool.Name)
	}

	text := mustOK(t, call(t, c, "list_toolsets", nil))
	if len(Selected(Selection{Toolsets: []string{string(ToolsetDiscovery)}})) > 0 {
		assert.Contains(t, text, "- discovery (enabled")
	}
	assert.Contains(t, text, "- query (available")

	res := call(t, c, "enable_toolset", map[string]any{"toolset": "query"})
	assert.Contains(t, mustOK(t, res), "Enabled query")
	after := toolNames(t, c)
	for _, tool := range queryTools {
		assert.True(t, after[tool.Name], tool.Name)
	}
	assert.Eventually(t, func() bool { return changed.Load() > 0 }, 5*time.Second, 10*time.Millisecond, "tools/list_changed was sent")
	assert.Contains(t, mustOK(t, call(t, c, "enable_toolset", map[string]any{"toolset": "query"})), "already enabled")
	assert.Contains(t, mustFail(t, call(t, c, "enable_toolset", map[string]any{"toolset": "nope"})), "unknown toolset")
}

func TestStaticModeHasNoToolsetTools(t *testing.T) {
	names := toolNames(t, inProcess(t, Selection{}))
	assert.False(t, names["list_toolsets"])
	assert.False(t, names["enable_toolset"])
}
