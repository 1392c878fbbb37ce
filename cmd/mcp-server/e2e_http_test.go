package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EHTTPShutdownAnswersInFlightCalls: on SIGTERM a call waiting on
// a slow Mixpanel is cancelled and answered, an idle client with an open
// listening stream does not hold the server up, and the process exits 0.
func TestE2EHTTPShutdownAnswersInFlightCalls(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Delay: time.Minute}) // every Mixpanel request hangs
	hs := startHTTP(t, fakeEnv(t, srv))

	idle, err := client.NewStreamableHttpClient(hs.URL+"/mcp", transport.WithContinuousListening())
	require.NoError(t, err)
	require.NoError(t, idle.Start(context.Background()))
	t.Cleanup(func() { idle.Close() })
	initialize(t, idle)

	busy := hs.client(t, "")
	probe := probeTool(t)
	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		req := mcp.CallToolRequest{}
		req.Params.Name = probe.name
		req.Params.Arguments = probe.args
		res, err := busy.CallTool(context.Background(), req)
		answered <- answer{res, err}
	}()
	require.Eventually(t, func() bool { return len(srv.Requests()) > 0 }, 20*time.Second, 10*time.Millisecond, "the call reached Mixpanel")

	signalled := time.Now()
	require.NoError(t, hs.cmd.Process.Signal(sigterm))
	select {
	case a := <-answered:
		require.NoError(t, a.err, "the in-flight call gets a JSON-RPC answer, not a dropped connection")
		require.True(t, a.res.IsError)
		assert.Equal(t, cancelledText, textOf(t, a.res))
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight call got no answer")
	}
	exited := make(chan error, 1)
	go func() { exited <- hs.cmd.Wait() }()
	select {
	case err := <-exited:
		assert.NoError(t, err, "exit status 0 after SIGTERM\n%s", hs.stderr.String())
		assert.Less(t, time.Since(signalled), shutdownGrace, "the server stopped before the grace period ran out")
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not stop after SIGTERM")
	}
	assert.Contains(t, hs.stderr.String(), "shutting down")
	assert.NotContains(t, hs.stderr.String(), "still open after the shutdown grace period")
}

// TestE2EHTTPSessionsAndIDs checks, through the binary, the answers to a
// forged session, an ended session, a body over the cap, a large numeric
// id and a null id.
func TestE2EHTTPSessionsAndIDs(t *testing.T) {
	srv := mixpaneltest.New(t)
	hs := startHTTP(t, fakeEnv(t, srv), "--max-body-bytes", "65536")
	url := hs.URL + "/mcp"
	id := initSession(t, url)

	status, _, body := send(t, http.MethodPost, url, id, `{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"tools/list"}`)
	require.Equal(t, http.StatusOK, status, body)
	assert.True(t, strings.HasPrefix(body, `{"jsonrpc":"2.0","id":123456789012345678901234567890,`), "the id comes back as sent: %.80s", body)

	status, _, body = send(t, http.MethodPost, url, id, `{"jsonrpc":"2.0","id":null,"method":"tools/list"}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, `"code":-32600`)

	status, _, _ = send(t, http.MethodPost, url, "mcp-session-forged", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Equal(t, http.StatusNotFound, status, "a session id the server never issued")

	status, _, _ = send(t, http.MethodPost, url, id, `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"`+strings.Repeat("x", 70000)+`"}}`)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)

	status, _, _ = send(t, http.MethodDelete, url, id, "")
	require.Equal(t, http.StatusOK, status)
	status, _, _ = send(t, http.MethodPost, url, id, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	assert.Equal(t, http.StatusNotFound, status, "a session ended with DELETE")
}
