package tools

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func inProcess(t *testing.T, sel Selection) *client.Client {
	t.Helper()
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(sel.Dynamic), server.WithHooks(&server.Hooks{}))
	require.NoError(t, AddTo(s, NewEnv(nil, nil, zerolog.Nop()), sel))
	return connectInProcess(t, s)
}

// connectInProcess is an initialized in-process client of s.
func connectInProcess(t *testing.T, s *server.MCPServer) *client.Client {
	t.Helper()
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

// TestDynamicToolsetsArePerSession loads a toolset in one of two HTTP
// sessions: only that session's list grows, the other one's stays, and
// the server forgets the toolsets of a session that ended.
func TestDynamicToolsetsArePerSession(t *testing.T) {
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(true), server.WithHooks(&server.Hooks{}))
	env := NewEnv(nil, nil, zerolog.Nop())
	require.NoError(t, AddTo(s, env, Selection{Dynamic: true, ReadOnly: true}))
	hs := httptest.NewServer(server.NewStreamableHTTPServer(s))
	t.Cleanup(hs.Close)
	connect := func(version string, opts ...transport.StreamableHTTPCOption) *client.Client {
		c, err := client.NewStreamableHttpClient(hs.URL+"/mcp", opts...)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		require.NoError(t, c.Start(context.Background()))
		req := mcp.InitializeRequest{}
		req.Params.ProtocolVersion = version
		_, err = c.Initialize(context.Background(), req)
		require.NoError(t, err)
		return c
	}
	// b listens on its session's GET stream, where a list_changed meant
	// for it would arrive.
	a := connect(mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	b := connect(mcp.LATEST_LEGACY_PROTOCOL_VERSION, transport.WithContinuousListening())
	var changedB atomic.Int32
	b.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method == "notifications/tools/list_changed" {
			changedB.Add(1)
		}
	})

	assert.Contains(t, mustOK(t, call(t, a, "enable_toolset", map[string]any{"toolset": "query"})), "Enabled query: ")
	assert.True(t, toolNames(t, a)["query_insights"], "session a loaded query")
	// mcp-go holds the tools without their schemas (Tool.registered); the
	// session's list carries them whole.
	listed, err := a.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	for _, tool := range listed.Tools {
		def, err := Lookup(tool.Name).Definition()
		require.NoError(t, err)
		var want mcp.ToolInputSchema // decoded as the client decodes it
		require.NoError(t, json.Unmarshal(def.RawInputSchema, &want))
		assert.Equal(t, want, tool.InputSchema, "input schema of %s", tool.Name)
	}
	assert.False(t, toolNames(t, b)["query_insights"], "session b did not")
	assert.Contains(t, mustOK(t, call(t, b, "list_toolsets", nil)), "- query (available")
	assert.Contains(t, mustOK(t, call(t, a, "list_toolsets", nil)), "- query (enabled")
	// That the changing session is sent tools/list_changed is checked in
	// TestDynamicToolsets, in process. Over streamable HTTP, mcp-go v1.2.1
	// may drop it: the finished POST's notification forwarder can take it
	// off the session's channel after the response ended (its "done"
	// branch), so asserting a's delivery here failed about one run in
	// seven. What this test pins is that the other session is not told.
	assert.Never(t, func() bool { return changedB.Load() > 0 }, 300*time.Millisecond, 20*time.Millisecond, "b was told of a's change")

	assert.Contains(t, mustOK(t, call(t, b, "enable_toolset", map[string]any{"toolset": "replays"})), "Enabled replays: ")
	assert.False(t, toolNames(t, a)["list_replays"], "b's toolset is not in a's list")
	assert.True(t, toolNames(t, b)["list_replays"])

	modern := connect(mcp.ProtocolVersion20260728)
	assert.Contains(t, mustFail(t, call(t, modern, "enable_toolset", map[string]any{"toolset": "query"})), "keeps no MCP session")

	require.NoError(t, a.Close()) // DELETE ends the session
	assert.Eventually(t, func() bool {
		env.surface.mu.Lock()
		defer env.surface.mu.Unlock()
		return len(env.surface.sessions) == 1
	}, 5*time.Second, 10*time.Millisecond, "the ended session's toolsets are forgotten")
}
