package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The encoded-once tools/list result is byte for byte what mcp-go answers
// for the same server, for every kind of selection.
func TestListResultIsMCPGosAnswer(t *testing.T) {
	for _, c := range []struct {
		toolsets string
		readOnly bool
	}{{"", false}, {"all", false}, {"all", true}, {"governance,query", false}} {
		toolsets, err := ParseToolsets(c.toolsets)
		require.NoError(t, err)
		sel := Selection{Toolsets: toolsets, ReadOnly: c.readOnly}
		s := server.NewMCPServer("t", "1", server.WithToolCapabilities(false), server.WithHooks(&server.Hooks{}))
		require.NoError(t, AddTo(s, NewEnv(nil, nil, zerolog.Nop()), sel))
		ctx := context.Background()
		s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
		answer, err := json.Marshal(s.HandleMessage(ctx, json.RawMessage(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)))
		require.NoError(t, err)
		var theirs struct {
			Result json.RawMessage `json:"result"`
		}
		require.NoError(t, json.Unmarshal(answer, &theirs))
		ours, err := ListResult(s, "")
		require.NoError(t, err)
		require.Equal(t, string(theirs.Result), string(ours), "selection %+v", sel)
	}
}

// A server AddTo did not build has no encoded list.
func TestListResultOnlyForServersAddToBuilt(t *testing.T) {
	_, err := ListResult(server.NewMCPServer("other", "1"), "")
	require.ErrorIs(t, err, errNoList)
}

// In dynamic mode each session's encoded list is byte for byte what
// mcp-go answers that session, before and after it loads toolsets, for
// sessions with tools of their own (streamable HTTP) and for the server's
// own loads (stdio, in process); sessions sharing a set of toolsets share
// its encoding.
func TestListResultPerSessionIsMCPGosAnswer(t *testing.T) {
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(true), server.WithHooks(&server.Hooks{}))
	env := NewEnv(nil, nil, zerolog.Nop())
	require.NoError(t, AddTo(s, env, Selection{Dynamic: true}))
	hs := httptest.NewServer(server.NewStreamableHTTPServer(s))
	t.Cleanup(hs.Close)
	// post is safe on any goroutine: it asserts, and answers nothing on
	// failure.
	post := func(session, body string) (string, json.RawMessage) {
		req, err := http.NewRequest(http.MethodPost, hs.URL+"/mcp", strings.NewReader(body))
		if !assert.NoError(t, err) {
			return "", nil
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if session != "" {
			req.Header.Set(server.HeaderKeySessionID, session)
		}
		resp, err := http.DefaultClient.Do(req)
		if !assert.NoError(t, err) {
			return "", nil
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		assert.NoError(t, err)
		// A call that notifies the session (tools/list_changed) is
		// answered as an event stream, the answer its last event.
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			events := strings.Split(strings.TrimSpace(string(raw)), "data: ")
			raw = []byte(events[len(events)-1])
		}
		var answer struct {
			Result json.RawMessage `json:"result"`
		}
		assert.NoError(t, json.Unmarshal(raw, &answer), "%s", raw)
		return resp.Header.Get(server.HeaderKeySessionID), answer.Result
	}
	open := func() string {
		id, _ := post("", `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
		assert.NotEmpty(t, id)
		return id
	}
	same := func(session, why string) json.RawMessage {
		t.Helper()
		_, theirs := post(session, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
		ours, err := ListResult(s, session)
		assert.NoError(t, err)
		assert.Equal(t, string(theirs), string(ours), why)
		return ours
	}
	enable := func(session, toolset string) {
		_, res := post(session, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"enable_toolset","arguments":{"toolset":"`+toolset+`"}}}`)
		assert.Contains(t, string(res), "Enabled "+toolset)
	}
	a, b, c := open(), open(), open()
	initial := same(a, "a session that loaded nothing")
	enable(a, "query")
	enable(a, "cohorts")
	same(a, "a loaded query and cohorts")
	require.Equal(t, string(initial), string(same(b, "b loaded nothing")))
	enable(c, "cohorts")
	enable(c, "query") // the same set, loaded in the other order
	ac, err := ListResult(s, a)
	require.NoError(t, err)
	cc := same(c, "c loaded cohorts and query")
	require.Same(t, &ac[0], &cc[0], "one encoding per set of toolsets")

	// Loads into the server itself (stdio, in process) are in every list.
	inproc := connectInProcess(t, s)
	mustOK(t, call(t, inproc, "enable_toolset", map[string]any{"toolset": "replays"}))
	listed, err := inproc.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	global, err := ListResult(s, "")
	require.NoError(t, err)
	var ours mcp.ListToolsResult
	require.NoError(t, json.Unmarshal(global, &ours))
	require.Equal(t, listed.Tools, ours.Tools, "the server's own session")
	same(b, "b, with the server's load")
	same(a, "a, with the server's load and its own")

	// Sessions loading and listing at once (go test -race): each list is
	// still its own session's.
	var wg sync.WaitGroup
	for i, toolsets := range [][]string{{"query"}, {"cohorts"}, {"query", "cohorts"}, {"cohorts", "query"}, {"flags"}, {"alerts", "flags"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			session := open()
			for _, ts := range toolsets {
				enable(session, ts)
				same(session, fmt.Sprintf("concurrent session %d after loading %s", i, ts))
			}
		}()
	}
	wg.Wait()
}
