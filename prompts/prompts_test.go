package prompts

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

func start(t *testing.T) *client.Client {
	t.Helper()
	s := server.NewMCPServer("t", "1", server.WithPromptCapabilities(false))
	Register(s, func(name string) bool { return tools.Lookup(name) != nil })
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

func get(t *testing.T, c *client.Client, name string, args map[string]string) (string, error) {
	t.Helper()
	req := mcp.GetPromptRequest{}
	req.Params.Name, req.Params.Arguments = name, args
	res, err := c.GetPrompt(context.Background(), req)
	if err != nil {
		return "", err
	}
	require.Len(t, res.Messages, 1)
	assert.Equal(t, mcp.RoleUser, res.Messages[0].Role)
	return res.Messages[0].Content.(mcp.TextContent).Text, nil
}

func TestPromptsListAndGet(t *testing.T) {
	c := start(t)
	list, err := c.ListPrompts(context.Background(), mcp.ListPromptsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Prompts, len(all))
	for _, p := range list.Prompts {
		assert.NotEmpty(t, p.Description, p.Name)
		for _, a := range p.Arguments {
			assert.NotEmpty(t, a.Description, p.Name+"."+a.Name)
		}
	}

	text, err := get(t, c, "answer_question", map[string]string{"question": "Did signups drop?"})
	require.NoError(t, err)
	assert.Contains(t, text, `"Did signups drop?"`)

	text, err = get(t, c, "diagnose_funnel", map[string]string{"steps": " Product Viewed, Add to Cart ,Purchase"})
	require.NoError(t, err)
	assert.Contains(t, text, "Product Viewed → Add to Cart → Purchase over the last 30 days")
	text, err = get(t, c, "diagnose_funnel", map[string]string{"steps": "A,B", "period": "2026-10-01 to 2026-10-31"})
	require.NoError(t, err)
	assert.Contains(t, text, "A → B over 2026-10-01 to 2026-10-31")

	text, err = get(t, c, "investigate_user", map[string]string{"distinct_id": "user-003"})
	require.NoError(t, err)
	assert.Contains(t, text, `"user-003"`)

	text, err = get(t, c, "compare_segments", map[string]string{"event": "Purchase", "property": "country"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(text, `Compare the segments of the event "Purchase" by its property "country".`+"\n"), text)
	text, err = get(t, c, "compare_segments", map[string]string{"event": "Purchase", "property": "country", "value": "US"})
	require.NoError(t, err)
	assert.Contains(t, text, `Look closely at the segment "US".`)

	_, err = get(t, c, "investigate_user", map[string]string{"distinct_id": "  "})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `argument "distinct_id" is required`)
}

// TestPromptsNameRealTools keeps the workflows in step with the tools: every
// name that looks like a tool must be a registered tool, and a prompt keeps
// only the steps whose tools the server serves.
func TestPromptsNameRealTools(t *testing.T) {
	for _, p := range all {
		for _, n := range toolref.Find(strings.Join(p.steps, "\n")) {
			assert.NotNil(t, tools.Lookup(n), "prompt %s names %s, which is not a tool", p.name, n)
		}
	}
	only := func(names ...string) func(string) bool {
		return func(n string) bool { return slices.Contains(names, n) }
	}
	for _, p := range all {
		assert.False(t, p.offered(only()), "%s: no tools, no workflow", p.name)
		assert.True(t, p.offered(func(string) bool { return true }), p.name)
	}
	var user prompt
	for _, p := range all {
		if p.name == "investigate_user" {
			user = p
		}
	}
	text := user.text(map[string]string{"distinct_id": "u"}, only("query_user", "list_replays", "fetch_replay"))
	assert.Equal(t, `Investigate the user "u".

1. query_user with distinct_id to read their profile (plan, country, created, last seen).
2. list_replays for the user, then fetch_replay on the most relevant sessions (start with those around errors or drop-offs you saw in the events).
3. Tell the story in time order: what they tried to do, where they struggled (console errors, rage clicks, long pauses) and how the session ended.`, text)
}
