package main

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/charts"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EChartsApp checks the MCP Apps wiring through the binary: the
// query tools name the chart view in _meta (nested and legacy keys), no
// other tool does, and the view reads back as the MCP Apps HTML profile.
func TestE2EChartsApp(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv))
	ctx := context.Background()

	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	require.NoError(t, err)
	charted := map[string]bool{}
	for _, tool := range list.Tools {
		if tool.Meta == nil {
			continue
		}
		ui, _ := tool.Meta.AdditionalFields["ui"].(map[string]any)
		assert.Equal(t, charts.URI, ui["resourceUri"], tool.Name)
		assert.Equal(t, charts.URI, tool.Meta.AdditionalFields["ui/resourceUri"], tool.Name)
		charted[tool.Name] = true
	}
	assert.Equal(t, map[string]bool{"query_insights": true, "query_funnel": true, "query_retention": true, "query_flow": true,
		"query_saved_report": true, "query_saved_flows": true}, charted)

	var req mcp.ReadResourceRequest
	req.Params.URI = charts.URI
	res, err := c.ReadResource(ctx, req)
	require.NoError(t, err)
	require.Len(t, res.Contents, 1)
	tc, ok := res.Contents[0].(mcp.TextResourceContents)
	require.True(t, ok, "contents are %T", res.Contents[0])
	assert.Equal(t, "text/html;profile=mcp-app", tc.MIMEType)
	assert.Equal(t, charts.HTML, tc.Text)
	assert.Contains(t, tc.Text, `"ui/initialize"`)
	ui, _ := tc.Meta["ui"].(map[string]any)
	assert.Equal(t, true, ui["prefersBorder"])
	assert.NotContains(t, ui, "csp", "the view fetches nothing, so it asks for no domain")
}
