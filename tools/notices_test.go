package tools

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// logSession is an in-process MCP session (protocol 2025-11-25, which has
// logging/setLevel) of a server with the logging capability, recording the
// log messages it receives.
func logSession(t *testing.T, env *Env) (*client.Client, func() []mcp.LoggingMessageNotification) {
	t.Helper()
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false), server.WithLogging())
	require.NoError(t, AddTo(s, env, Selection{Toolsets: []string{string(ToolsetDiscovery)}}))
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	var mu sync.Mutex
	var got []mcp.LoggingMessageNotification
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method != string(mcp.MethodNotificationMessage) {
			return
		}
		f := n.Params.AdditionalFields
		mu.Lock()
		defer mu.Unlock()
		msg := mcp.LoggingMessageNotification{}
		msg.Params.Level, _ = f["level"].(mcp.LoggingLevel)
		msg.Params.Logger, _ = f["logger"].(string)
		msg.Params.Data = f["data"]
		got = append(got, msg)
	})
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() { c.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	res, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	require.NotNil(t, res.Capabilities.Logging, "the logging capability is declared")
	return c, func() []mcp.LoggingMessageNotification {
		mu.Lock()
		defer mu.Unlock()
		return append([]mcp.LoggingMessageNotification(nil), got...)
	}
}

// TestClientLogOverMCP: a retried Mixpanel request reaches the session as
// a warning once the session asked for warnings, never before, and never
// with a credential in it.
func TestClientLogOverMCP(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	c, messages := logSession(t, env)
	ctx := context.Background()
	names := mixpaneltest.QueryPrefix + "/events/names"
	listEvents := func() {
		t.Helper()
		req := mcp.CallToolRequest{}
		req.Params.Name = "list_events"
		res, err := c.CallTool(ctx, req)
		require.NoError(t, err)
		require.False(t, res.IsError)
	}

	// Notifications arrive in order, after the call's answer at the
	// earliest: waiting for a later one proves an earlier was not sent.
	retried := func(level mcp.LoggingLevel) {
		t.Helper()
		if level != "" {
			setLevel := mcp.SetLevelRequest{}
			setLevel.Params.Level = level
			require.NoError(t, c.SetLevel(ctx, setLevel))
		}
		srv.Fail(mixpaneltest.Failure{Path: names, Status: http.StatusBadGateway, Times: 1})
		listEvents()
	}

	retried("") // the session's level starts at error: a retry is not told
	retried(mcp.LoggingLevelWarning)
	require.Eventually(t, func() bool { return len(messages()) > 0 }, 5*time.Second, 5*time.Millisecond)
	got := messages()
	require.Len(t, got, 1)
	assert.Equal(t, mcp.LoggingLevelWarning, got[0].Params.Level)
	assert.Equal(t, NoticeLogger, got[0].Params.Logger)
	text, _ := got[0].Params.Data.(string)
	assert.Equal(t, "Mixpanel request GET /events/names failed (HTTP 502); retry 1 of 3 in 1s", text, "the backoff with its jitter reads in whole seconds")
	assert.NotContains(t, text, mixpaneltest.Secret)

	retried(mcp.LoggingLevelError) // above warning: filtered out again
	retried(mcp.LoggingLevelInfo)
	require.Eventually(t, func() bool { return len(messages()) > 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Len(t, messages(), 2)
}
