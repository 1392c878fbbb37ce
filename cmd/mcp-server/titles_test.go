package main

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// TestEverythingHasATitle: every tool (of every toolset), prompt, resource
// and resource template the server lists has a title for people, and the
// server names itself with a title and an icon.
func TestEverythingHasATitle(t *testing.T) {
	toolsets, err := tools.ParseToolsets("all")
	require.NoError(t, err)
	c, res := inProcessSession(t, httpOpts(), tools.Selection{Toolsets: toolsets}, mcp.LATEST_LEGACY_PROTOCOL_VERSION)
	ctx := context.Background()
	assert.NotEmpty(t, res.ServerInfo.Title)
	require.NotEmpty(t, res.ServerInfo.Icons)
	assert.Equal(t, "image/svg+xml", res.ServerInfo.Icons[0].MIMEType)
	assert.Regexp(t, `^data:image/svg\+xml;base64,`, res.ServerInfo.Icons[0].Src)

	tl, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	require.NoError(t, err)
	require.Len(t, tl.Tools, len(tools.Selected(tools.Selection{Toolsets: toolsets})))
	for _, tool := range tl.Tools {
		assert.NotEmpty(t, tool.Title, "tool %s", tool.Name)
	}
	for _, tool := range tools.All() { // the dynamic mode's toolset tools too
		assert.NotEmpty(t, tool.DisplayTitle(), "tool %s", tool.Name)
	}
	pl, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, pl.Prompts)
	for _, p := range pl.Prompts {
		assert.NotEmpty(t, p.Title, "prompt %s", p.Name)
		for _, a := range p.Arguments {
			assert.NotEmpty(t, a.Title, "prompt %s argument %s", p.Name, a.Name)
		}
	}
	rl, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, rl.Resources)
	for _, r := range rl.Resources {
		assert.NotEmpty(t, r.Title, "resource %s", r.URI)
	}
	tpl, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, tpl.ResourceTemplates)
	for _, r := range tpl.ResourceTemplates {
		assert.NotEmpty(t, r.Title, "resource template %s", r.URITemplate.Raw())
	}
}
