package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EQueryEngines calls query_funnel, query_retention and query_flow
// through the built binary over stdio against the fake: a dry run that
// sends nothing, real runs of each engine, and input that fails a rule.
func TestE2EQueryEngines(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv))

	dry := callTool(t, c, "query_funnel", map[string]any{"steps": []any{"Signup", "Purchase"}, "dry_run": true})
	require.False(t, dry.IsError, textOf(t, dry))
	assert.Contains(t, textOf(t, dry), `"chartType":"funnel-steps"`)
	assert.Empty(t, srv.Requests(), "a dry run must not reach Mixpanel")

	funnel := callTool(t, c, "query_funnel", map[string]any{
		"steps":     []any{"Signup", map[string]any{"event": "Purchase", "filters": map[string]any{"property": "amount", "operator": "greater_than", "value": 20}}},
		"from_date": "2026-10-01", "to_date": "2026-10-31", "exclusions": "Refund",
	})
	text := textOf(t, funnel)
	require.False(t, funnel.IsError, text)
	assert.True(t, strings.HasPrefix(text, "Funnel Signup → Purchase;"), text)
	assert.Contains(t, text, "Biggest drop-off: step 1 → 2")
	assert.Contains(t, string(srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").Body), `"exclusions":[{"event":"Refund","steps":{"from":1,"to":2}}]`)

	retention := callTool(t, c, "query_retention", map[string]any{"born_event": "Signup", "return_event": "Login", "last": 28, "group_by": "platform"})
	text = textOf(t, retention)
	require.False(t, retention.IsError, text)
	assert.Contains(t, text, "Retention Signup → Login; week buckets")
	assert.Contains(t, text, "| average |")
	raw, err := json.Marshal(retention.StructuredContent)
	require.NoError(t, err)
	var out struct {
		Result struct {
			Segments map[string]json.RawMessage `json:"segments"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	assert.Len(t, out.Result.Segments, 3)

	tree := callTool(t, c, "query_flow", map[string]any{"event": "Product Viewed", "mode": "tree", "forward": 2})
	text = textOf(t, tree)
	require.False(t, tree.IsError, text)
	assert.Contains(t, text, "Product Viewed (")
	assert.Contains(t, text, "└── DROPOFF (")
	assert.Contains(t, string(srv.LastRequest(t, mixpaneltest.QueryPrefix+"/arb_funnels").Body), `"query_type":"flows"`)

	before := len(srv.Requests())
	bad := callTool(t, c, "query_flow", map[string]any{"event": "Login", "count_type": "session"})
	require.True(t, bad.IsError)
	assert.Contains(t, textOf(t, bad), "count_type: FL9:")
	assert.Len(t, srv.Requests(), before, "invalid input must not reach Mixpanel")
}
