package main

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

// TestServedTextsNameOnlyServedTools starts the server in-process under
// each selection and walks what a model is given — the instructions, the
// tools/list descriptions and schemas, the prompts and the resources — and
// fails on any tool-like name the selection does not serve. (Result and
// error texts are walked by the tools package's tests.)
func TestServedTextsNameOnlyServedTools(t *testing.T) {
	all, err := tools.ParseToolsets("all")
	require.NoError(t, err)
	sels := map[string]tools.Selection{"default": {}, "all": {Toolsets: all}, "all read-only": {Toolsets: all, ReadOnly: true}, "dynamic": {Dynamic: true}}
	for _, ts := range tools.Toolsets {
		sels["only "+string(ts.Name)] = tools.Selection{Toolsets: []string{string(ts.Name)}}
	}
	opts, err := parseOptions(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	for name, sel := range sels {
		t.Run(name, func(t *testing.T) {
			// What tools/list offers now, plus (dynamic) what a model can load.
			env := tools.NewEnv(nil, nil, zerolog.Nop())
			env.Serve(sel)
			has := env.Has
			c, res := inProcessSession(t, opts, sel, mcp.LATEST_PROTOCOL_VERSION)
			ctx := context.Background()

			texts := map[string]string{"instructions": res.Instructions}
			list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
			require.NoError(t, err)
			raw, err := json.Marshal(list.Tools)
			require.NoError(t, err)
			texts["tools/list"] = string(raw)
			prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
			require.NoError(t, err)
			for _, p := range prompts.Prompts {
				req := mcp.GetPromptRequest{}
				req.Params.Name, req.Params.Arguments = p.Name, map[string]string{}
				for _, a := range p.Arguments {
					req.Params.Arguments[a.Name] = "x"
				}
				got, err := c.GetPrompt(ctx, req)
				require.NoError(t, err, p.Name)
				raw, err := json.Marshal(got)
				require.NoError(t, err)
				texts["prompt "+p.Name] = p.Description + "\n" + string(raw)
			}
			resources, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
			require.NoError(t, err)
			templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
			require.NoError(t, err)
			raw, err = json.Marshal([]any{resources, templates})
			require.NoError(t, err)
			texts["resources"] = string(raw)

			for where, text := range texts {
				assert.Empty(t, toolref.Missing(text, has), "%s names tools the selection does not serve", where)
			}
		})
	}
}

// inProcessSession builds the server main builds for sel and opens an
// initialized in-process MCP session on it.
func inProcessSession(t *testing.T, opts *options, sel tools.Selection, protocol string) (*client.Client, *mcp.InitializeResult) {
	t.Helper()
	s, err := newServer(opts, sel, zerolog.Nop())
	require.NoError(t, err)
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Start(context.Background()))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = protocol
	res, err := c.Initialize(context.Background(), init)
	require.NoError(t, err)
	return c, res
}
