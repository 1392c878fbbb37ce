package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/internal/echo"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// BenchmarkHTTPToolCall is one request over streamable HTTP, run in
// parallel, to the one-tool mcp-go floor (internal/echo) and to this
// server: a tools/call (the floor's echo against build_cohort_definition and a query_insights
// dry run, which need no Mixpanel request) and a ping, which isolates what
// the transport and this server's HTTP layer (guard, body cap, sessions,
// id layer) cost. This server serves the default toolsets plus cohorts
// (build_cohort_definition is not in the default selection); every
// answer must be a result, not a JSON-RPC error.
func BenchmarkHTTPToolCall(b *testing.B) {
	o, err := parseOptions(nil, envOf(map[string]string{"HOME": b.TempDir()}), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	toolsets, err := tools.ParseToolsets("default,cohorts")
	if err != nil {
		b.Fatal(err)
	}
	calls := newCallCanceller()
	ours, err := newServer(o, tools.Selection{Toolsets: toolsets}, zerolog.Nop(), server.WithToolHandlerMiddleware(calls.middleware))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		srv  *server.MCPServer
		call string
	}{
		{"floor", echo.Server(), `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`},
		{"ours", ours, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"build_cohort_definition","arguments":{"all_of":[{"criterion":"did_event","event":"Purchase","at_least":3,"within_days":30}]}}}`},
		{"ours-insights-dry-run", ours, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"query_insights","arguments":{"events":["Sign Up"],"last":30,"dry_run":true}}}`},
		{"floor-ping", echo.Server(), `{"jsonrpc":"2.0","id":7,"method":"ping"}`},
		{"ours-ping", ours, `{"jsonrpc":"2.0","id":7,"method":"ping"}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var h http.Handler
			if strings.HasPrefix(bc.name, "floor") {
				h = server.NewStreamableHTTPServer(bc.srv)
			} else {
				svc, err := newHTTPService(bc.srv, o, zerolog.Nop())
				if err != nil {
					b.Fatal(err)
				}
				defer func() { _ = svc.mcp.Shutdown(context.Background()) }() // its sessions and sweeper
				h = svc.handler
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			// No case inherits the connections of the one before.
			defer http.DefaultClient.CloseIdleConnections()
			url := ts.URL + "/mcp"
			b.RunParallel(func(pb *testing.PB) {
				session := benchInit(b, url)
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(bc.call)))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Accept", "application/json, text/event-stream")
					req.Header.Set(server.HeaderKeySessionID, session)
					req.Header.Set(mcp.HeaderProtocolVersion, "2025-06-18")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"result":`)) || bytes.Contains(body, []byte(`"isError":true`)) {
						b.Errorf("status %d: %s", resp.StatusCode, body)
						return
					}
				}
			})
		})
	}
}

func benchInit(b *testing.B, url string) string {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(initializeBody)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get(server.HeaderKeySessionID)
}
