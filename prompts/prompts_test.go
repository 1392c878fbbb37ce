package prompts

import (
	"context"
	"regexp"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

func start(t *testing.T) *client.Client {
	t.Helper()
	s := server.NewMCPServer("t", "1", server.WithPromptCapabilities(false))
	Register(s)
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

	_, err = get(t, c, "investigate_user", map[string]string{"distinct_id": "  "})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `argument "distinct_id" is required`)
}

// TestPromptsNameRealTools keeps the workflows in step with the tools: every
// snake_case word that looks like a tool name must be a registered tool.
func TestPromptsNameRealTools(t *testing.T) {
	toolish := regexp.MustCompile(`\b(?:get|list|query|fetch|export|build|set|clear)_[a-z_]+\b`)
	sample := map[string]string{"question": "q", "steps": "a,b", "period": "p", "distinct_id": "u"}
	for _, p := range all {
		names := toolish.FindAllString(p.text(sample), -1)
		require.NotEmpty(t, names, p.name)
		for _, n := range names {
			assert.NotNil(t, tools.Lookup(n), "prompt %s names %s, which is not a tool", p.name, n)
		}
	}
}
