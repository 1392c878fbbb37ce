package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EQueryInsights calls query_insights through the built binary over
// stdio: a dry run, a real run against the fake, and invalid input.
func TestE2EQueryInsights(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv))

	dry := callTool(t, c, "query_insights", map[string]any{
		"events": []any{"Signup", "Purchase"}, "math": "unique", "formula": "B / A", "dry_run": true,
	})
	require.False(t, dry.IsError, textOf(t, dry))
	assert.Contains(t, textOf(t, dry), `"definition":"B / A"`)
	assert.Empty(t, srv.Requests(), "a dry run must not reach Mixpanel")

	res := callTool(t, c, "query_insights", map[string]any{
		"events": "Purchase", "from_date": "2026-10-01", "to_date": "2026-10-03", "group_by": "platform",
		"where": map[string]any{"property": "country", "operator": "equals", "value": "US"},
	})
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	assert.True(t, strings.HasPrefix(text, "Insights: Purchase (total) | 2026-10-01 to 2026-10-03 | by day | breakdown: platform"), text)
	assert.Contains(t, text, "| 2026-10-03 |")
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var out struct {
		Result struct {
			FromDate string          `json:"from_date"`
			Series   json.RawMessage `json:"series"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &out))
	assert.Equal(t, "2026-10-01T00:00:00-07:00", out.Result.FromDate)
	assert.Contains(t, string(out.Result.Series), "Purchase [Total Events]")
	req := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights")
	assert.Contains(t, string(req.Body), `"filterValue":["US"]`)

	before := len(srv.Requests())
	bad := callTool(t, c, "query_insights", map[string]any{"events": "Purchase", "math": "median"})
	require.True(t, bad.IsError)
	assert.Contains(t, textOf(t, bad), "math: V1:")
	assert.Len(t, srv.Requests(), before, "invalid input must not reach Mixpanel")
}

// TestE2EQueryInsightsHTTP runs query_insights over streamable HTTP with a
// pinned workspace, which the insights request must carry.
func TestE2EQueryInsightsHTTP(t *testing.T) {
	srv := mixpaneltest.New(t)
	hs := startHTTP(t, append(fakeEnv(t, srv), "MP_WORKSPACE_ID="+mixpaneltest.WorkspaceID), "--toolsets", "query")
	c := hs.client(t, "")
	res := callTool(t, c, "query_insights", map[string]any{"events": "Signup", "mode": "total", "group_by": "plan"})
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	assert.Contains(t, text, "| event | segment | value |")
	req := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights")
	assert.Equal(t, mixpaneltest.WorkspaceID, req.Query.Get("workspace_id"))
}
