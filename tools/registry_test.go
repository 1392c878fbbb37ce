package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each domain declares exactly the toolsets of the tools it builds: a
// server builds only the domains of its toolsets, so a tool in an
// undeclared toolset would be missing from them.
func TestDomainsDeclareTheirToolsets(t *testing.T) {
	for _, d := range inventory() {
		var got []Toolset
		for _, tool := range d.build() {
			if !slices.Contains(got, tool.Toolset) {
				got = append(got, tool.Toolset)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(d.toolsets))
		assert.Equal(t, want, got, "domain of %v", d.toolsets)
	}
}

// Selected, built from the selection's domains only, is the inventory
// filtered by the selection.
func TestSelectedIsTheFilteredInventory(t *testing.T) {
	for _, c := range []struct {
		toolsets          string // as --toolsets reads it
		readOnly, dynamic bool
	}{{"", false, false}, {"all", true, false}, {"", false, true}, {"cohorts", false, false}, {"query,governance", false, false}, {"", true, true}} {
		toolsets, err := ParseToolsets(c.toolsets)
		require.NoError(t, err)
		sel := Selection{Toolsets: toolsets, ReadOnly: c.readOnly, Dynamic: c.dynamic}
		name := fmt.Sprintf("%+v", c)
		initial := sel.initial()
		var want []string
		for _, tool := range All() {
			meta := tool.Toolset == toolsetMeta
			if meta && !sel.Dynamic || !meta && !slices.Contains(initial, tool.Toolset) || sel.ReadOnly && !tool.Annotations.ReadOnly {
				continue
			}
			want = append(want, tool.Name)
		}
		var got []string
		for _, tool := range Selected(sel) {
			got = append(got, tool.Name)
		}
		assert.Equal(t, want, got, name)
		assert.NotEmpty(t, got, name)
	}
}

// TestCallOverMCPReadsArgumentsAsSent calls a tool through mcp-go, which
// decodes the arguments' numbers as float64: the tool still gets them as
// the client wrote them, an int64 beyond 2^53 exact and a number for a
// string as its literal text, and a slip is still coerced.
func TestCallOverMCPReadsArgumentsAsSent(t *testing.T) {
	type echoID struct {
		ID   int64  `json:"id"`
		Name string `json:"name,omitempty"`
	}
	tool := New("echo_id", ToolsetProject, "d", Local, func(_ context.Context, _ *Env, in echoID) (echoID, error) { return in, nil })
	s := server.NewMCPServer("t", "1")
	s.AddTool(tool.registered(), handlerFor(tool, NewEnv(nil, nil, zerolog.Nop())))
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Start(context.Background()))
	_, err = c.Initialize(context.Background(), mcp.InitializeRequest{})
	require.NoError(t, err)
	for _, tt := range []struct{ args, want string }{
		{`{"id":9007199254740993}`, `{"id":9007199254740993}`},
		{`{"id":"9007199254740993","name":1.50}`, `{"id":9007199254740993,"name":"1.50"}`},
		{`{"id":5.0}`, `{"id":5}`},
	} {
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = "echo_id", json.RawMessage(tt.args)
		res, err := c.CallTool(context.Background(), req)
		require.NoError(t, err)
		require.False(t, res.IsError, "%s: %v", tt.args, res.Content)
		assert.Equal(t, tt.want, res.Content[0].(mcp.TextContent).Text, tt.args)
	}
}
