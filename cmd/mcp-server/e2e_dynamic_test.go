package main

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// requireWholeDefinition checks that a listed tool carries its whole
// input schema, as generated.
func requireWholeDefinition(t *testing.T, c *client.Client, name string) {
	t.Helper()
	def, err := tools.Lookup(name).Definition()
	require.NoError(t, err)
	var want mcp.ToolInputSchema // decoded as the client decodes it
	require.NoError(t, json.Unmarshal(def.RawInputSchema, &want))
	listed := listedTools(t, c)
	require.Contains(t, listed, name)
	require.Equal(t, want, listed[name].InputSchema, "input schema of %s", name)
}

// With --dynamic-toolsets the binary answers tools/list from its encoded
// lists (on protocol versions before 2026-07-28): each session's list is
// what that session loaded, before and after enable_toolset.
func TestE2EDynamicToolsetsLists(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := fakeEnv(t, srv)

	t.Run("stdio", func(t *testing.T) {
		c := stdioClient(t, env, nil, "--dynamic-toolsets")
		var changed atomic.Int32
		c.OnNotification(func(n mcp.JSONRPCNotification) {
			if n.Method == string(mcp.MethodNotificationToolsListChanged) {
				changed.Add(1)
			}
		})
		req := mcp.InitializeRequest{}
		req.Params.ProtocolVersion = mcp.ProtocolVersion20251125
		req.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
		_, err := c.Initialize(context.Background(), req)
		require.NoError(t, err)

		before := listedTools(t, c)
		assert.Contains(t, before, "enable_toolset")
		assert.Contains(t, before, "list_events")
		assert.NotContains(t, before, "query_insights")
		res := callTool(t, c, "enable_toolset", map[string]any{"toolset": "query"})
		require.False(t, res.IsError, textOf(t, res))
		assert.Eventually(t, func() bool { return changed.Load() > 0 }, 5*time.Second, 10*time.Millisecond, "tools/list_changed")
		assert.Len(t, listedTools(t, c), len(before)+4, "the query toolset's four tools")
		requireWholeDefinition(t, c, "query_insights")
		res = callTool(t, c, "query_insights", map[string]any{"events": []any{"Sign Up"}, "last": 7, "dry_run": true})
		require.False(t, res.IsError, textOf(t, res))
		assert.Contains(t, textOf(t, res), `"name":"Sign Up"`)
	})

	t.Run("http", func(t *testing.T) {
		hs := startHTTP(t, env, "--dynamic-toolsets")
		a, b := hs.sessionClient(t), hs.sessionClient(t)
		initial := listedTools(t, a)
		require.Equal(t, initial, listedTools(t, b))

		res := callTool(t, a, "enable_toolset", map[string]any{"toolset": "cohorts"})
		require.False(t, res.IsError, textOf(t, res))
		assert.Contains(t, listedTools(t, a), "build_cohort_definition", "a loaded cohorts")
		requireWholeDefinition(t, a, "build_cohort_definition")
		assert.Equal(t, initial, listedTools(t, b), "b's list is unchanged")

		res = callTool(t, b, "enable_toolset", map[string]any{"toolset": "replays"})
		require.False(t, res.IsError, textOf(t, res))
		assert.Contains(t, listedTools(t, b), "list_replays")
		assert.NotContains(t, listedTools(t, b), "build_cohort_definition", "a's toolset is not in b's list")
		assert.NotContains(t, listedTools(t, a), "list_replays", "b's toolset is not in a's list")
	})
}
