package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// listServer is the server main builds for the default selection.
func listServer(t *testing.T) *server.MCPServer {
	t.Helper()
	o := httpOpts()
	toolsets, err := tools.ParseToolsets("")
	require.NoError(t, err)
	s, err := newServer(o, tools.Selection{Toolsets: toolsets}, zerolog.Nop())
	require.NoError(t, err)
	return s
}

// mcpGoList is mcp-go's own answer to tools/list on s.
func mcpGoList(t *testing.T, s *server.MCPServer, id string) string {
	t.Helper()
	ctx := context.Background()
	s.HandleMessage(ctx, json.RawMessage(initializeBody))
	b, err := json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":`+id+`,"method":"tools/list"}`)))
	require.NoError(t, err)
	return string(b)
}

// Over stdio, tools/list is answered from the encoded result, the same
// bytes mcp-go would write; a page request and a session on a protocol
// version whose results carry more fields go to mcp-go.
func TestStdioToolsListAnsweredOnce(t *testing.T) {
	s := listServer(t)
	want := mcpGoList(t, s, "7")

	run := func(t *testing.T, protocol string) func(string) string {
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		ids := newStdioIDs(outW)
		ids.srv = s
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- server.NewStdioServer(s).Listen(ctx, ids.reader(inR), ids) }()
		t.Cleanup(func() {
			cancel()
			inW.Close()
			<-done
		})
		lines := bufio.NewScanner(outR)
		lines.Buffer(nil, 4<<20)
		exchange := func(msg string) string {
			_, err := io.WriteString(inW, msg+"\n")
			require.NoError(t, err)
			require.True(t, lines.Scan(), "an answer")
			return lines.Text()
		}
		exchange(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"` + protocol + `","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
		return exchange
	}

	exchange := run(t, "2025-06-18")
	assert.Equal(t, want, exchange(`{"jsonrpc":"2.0","id":7,"method":"tools/list"}`))
	assert.Equal(t, want, exchange(`{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{}}`))
	big := exchange(`{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"tools/list"}`)
	assert.Contains(t, big, `"id":123456789012345678901234567890,"result":{"tools":[`, "the id is echoed as sent")
	// A cursor this server never issued: mcp-go's error, not the list.
	assert.Contains(t, exchange(`{"jsonrpc":"2.0","id":8,"method":"tools/list","params":{"cursor":"x"}}`), `"error"`)
}

// Over HTTP the same: the answer equals mcp-go's, in a live session or
// the stateless mode; an unknown session still gets mcp-go's 404.
func TestHTTPToolsListAnsweredOnce(t *testing.T) {
	s := listServer(t)
	want := mcpGoList(t, s, "3")

	_, url := startService(t, s, httpOpts())
	session := initSession(t, url)
	status, _, body := send(t, http.MethodPost, url, session, `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, want, body)

	status, _, _ = send(t, http.MethodPost, url, "mcp-session-unknown", `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`)
	assert.Equal(t, http.StatusNotFound, status)

	o := httpOpts()
	o.Stateless = true
	_, url = startService(t, listServer(t), o)
	status, _, body = send(t, http.MethodPost, url, "", `{"jsonrpc":"2.0","id":3,"method":"tools/list"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, want, body)
}

// The server keeps the hooks that free a session's project switch when the
// session ends (a second, empty server.WithHooks once replaced them).
func TestServerKeepsSessionHooks(t *testing.T) {
	s := listServer(t)
	require.NotNil(t, s.GetHooks())
	assert.NotEmpty(t, s.GetHooks().OnUnregisterSession)
}
