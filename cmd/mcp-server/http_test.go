package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// httpOpts are the HTTP defaults of parseOptions, on loopback.
func httpOpts() *options {
	return &options{
		Listen: "127.0.0.1:0", MaxBodyBytes: 4 << 20, ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute, SessionIdle: 30 * time.Minute, MaxSessions: 1000,
	}
}

// echoServer is an MCP server with one tool, echo, that answers its
// "text" argument.
func echoServer(opts ...server.ServerOption) *server.MCPServer {
	s := server.NewMCPServer("t", "1", opts...)
	s.AddTool(mcp.NewTool("echo", mcp.WithString("text")), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText(req.GetString("text", "")), nil
	})
	return s
}

// startService serves an httpService on a loopback httptest server.
func startService(t *testing.T, s *server.MCPServer, o *options) (*httpService, string) {
	t.Helper()
	svc, err := newHTTPService(s, o, zerolog.Nop())
	require.NoError(t, err)
	ts := httptest.NewServer(svc.handler)
	t.Cleanup(func() {
		ts.Close()
		_ = svc.mcp.Shutdown(context.Background())
	})
	return svc, ts.URL + "/mcp"
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`

// send makes one request to the MCP endpoint and returns the answer's
// status, session header and body.
func send(t *testing.T, method, url, session, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if session != "" {
		req.Header.Set(server.HeaderKeySessionID, session)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get(server.HeaderKeySessionID), string(b)
}

// initSession initializes a session and returns its id.
func initSession(t *testing.T, url string) string {
	t.Helper()
	status, id, body := send(t, http.MethodPost, url, "", initializeBody)
	require.Equal(t, http.StatusOK, status, body)
	require.NotEmpty(t, id)
	status, _, body = send(t, http.MethodPost, url, id, `{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	require.Equal(t, http.StatusAccepted, status, body)
	return id
}

func TestNonLoopbackNeedsToken(t *testing.T) {
	s := server.NewMCPServer("t", "1")
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "10.1.2.3:80", "[::]:8080", "example.com:80"} {
		o := httpOpts()
		o.Listen = addr
		_, err := newHTTPService(s, o, zerolog.Nop())
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "--auth-token", addr)

		o.AuthToken = "short-t0ken"
		_, err = newHTTPService(s, o, zerolog.Nop())
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "has 11 characters", addr)
		assert.Contains(t, err.Error(), "at least 16", addr)
		assert.NotContains(t, err.Error(), "short-t0ken", "the token is never echoed")

		o.AuthToken = "0123456789abcdef"
		_, err = newHTTPService(s, o, zerolog.Nop())
		assert.NoError(t, err, addr)
	}
	for _, addr := range []string{"127.0.0.1:8080", "localhost:9", "[::1]:8080"} {
		o := httpOpts()
		o.Listen = addr
		_, err := newHTTPService(s, o, zerolog.Nop())
		assert.NoError(t, err, addr, "no token needed on loopback")
		o.AuthToken = "short"
		_, err = newHTTPService(s, o, zerolog.Nop())
		assert.NoError(t, err, addr, "a short token is the user's choice on loopback")
	}
}

func TestGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) })
	loopback := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	public := &net.TCPAddr{IP: net.IPv4(10, 0, 0, 5), Port: 8080}
	tests := []struct {
		name   string
		opts   options
		local  net.Addr // the address the request reached
		host   string
		origin string
		auth   string
		want   int
	}{
		{name: "no origin, no token configured", want: 299},
		{name: "loopback origin", origin: "http://localhost:3000", want: 299},
		{name: "loopback IP origin", origin: "http://127.0.0.1:5173", want: 299},
		{name: "foreign origin refused", origin: "https://evil.example", want: http.StatusForbidden},
		{name: "rebinding origin refused", origin: "http://attacker.localhost.evil.com", want: http.StatusForbidden},
		{name: "configured origin", opts: options{AllowedOrigins: []string{"https://app.example.com"}}, origin: "https://app.example.com", want: 299},
		{name: "token required and given", opts: options{AuthToken: "s3cret"}, auth: "Bearer s3cret", want: 299},
		{name: "scheme is case-insensitive", opts: options{AuthToken: "s3cret"}, auth: "bearer s3cret", want: 299},
		{name: "scheme in capitals", opts: options{AuthToken: "s3cret"}, auth: "BEARER s3cret", want: 299},
		{name: "token required, missing", opts: options{AuthToken: "s3cret"}, want: http.StatusUnauthorized},
		{name: "token required, wrong", opts: options{AuthToken: "s3cret"}, auth: "Bearer s3cre", want: http.StatusUnauthorized},
		{name: "token required, wrong scheme", opts: options{AuthToken: "s3cret"}, auth: "Basic s3cret", want: http.StatusUnauthorized},
		{name: "token required, scheme alone", opts: options{AuthToken: "s3cret"}, auth: "Bearer", want: http.StatusUnauthorized},
		{name: "foreign origin with a valid token still refused", opts: options{AuthToken: "s3cret"}, origin: "https://evil.example", auth: "Bearer s3cret", want: http.StatusForbidden},
		{name: "loopback connection, loopback Host", local: loopback, host: "127.0.0.1:8080", want: 299},
		{name: "loopback connection, localhost Host", local: loopback, host: "localhost:8080", want: 299},
		{name: "loopback connection, IPv6 Host", local: loopback, host: "[::1]:8080", want: 299},
		{name: "loopback connection, rebound Host refused", local: loopback, host: "attacker.example:8080", want: http.StatusForbidden},
		{name: "public connection, any Host", local: public, host: "mcp.example.com", want: 299},
		{name: "IPv6 loopback connection, rebound Host refused", local: &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, host: "attacker.example", want: http.StatusForbidden},
		{name: "IPv6 loopback connection, loopback Host", local: &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, host: "[::1]:8080", want: 299},
		{name: "allowed host behind a proxy on loopback", opts: options{AllowedHosts: []string{"mcp.example.com"}}, local: loopback, host: "MCP.example.com", want: 299},
		{name: "allowed host matches any port", opts: options{AllowedHosts: []string{"mcp.example.com"}}, local: public, host: "mcp.example.com:8443", want: 299},
		{name: "allowed host:port needs that port", opts: options{AllowedHosts: []string{"mcp.example.com:443"}}, local: public, host: "mcp.example.com:8443", want: http.StatusForbidden},
		{name: "host not in the allowed list", opts: options{AllowedHosts: []string{"mcp.example.com"}}, local: public, host: "evil.example", want: http.StatusForbidden},
		{name: "allowed list replaces the loopback default", opts: options{AllowedHosts: []string{"mcp.example.com"}}, local: loopback, host: "localhost", want: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader("{}"))
			if tt.local != nil {
				req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, tt.local))
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			guard(ok, &tt.opts).ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
			assert.NotContains(t, rec.Body.String(), "s3cret")
		})
	}
}

func TestHealthEndpoint(t *testing.T) {
	svc, err := newHTTPService(server.NewMCPServer("t", "1"), httpOpts(), zerolog.Nop())
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	svc.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, 200, rec.Code)
	assert.JSONEq(t, `{"status":"ok"}`, rec.Body.String())
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestBodyCap(t *testing.T) {
	o := httpOpts()
	o.MaxBodyBytes = 1024
	svc, err := newHTTPService(echoServer(), o, zerolog.Nop())
	require.NoError(t, err)
	big := `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"pad":"` + strings.Repeat("x", 2000) + `"}}`

	t.Run("declared length over the cap: 413 unread", func(t *testing.T) {
		body := &countingReader{r: strings.NewReader(big)}
		req := httptest.NewRequest(http.MethodPost, "/mcp", body)
		req.ContentLength = int64(len(big))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		svc.handler.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.Zero(t, body.n.Load(), "not a byte of the body was read")
		assert.Contains(t, rec.Body.String(), "request body exceeds 1024 bytes")
		var msg map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &msg), "the 413 is a JSON-RPC error")
		assert.Equal(t, float64(mcp.INVALID_REQUEST), msg["error"].(map[string]any)["code"])
	})
	t.Run("chunked body over the cap: 413 after at most the cap", func(t *testing.T) {
		body := &countingReader{r: strings.NewReader(big)}
		req := httptest.NewRequest(http.MethodPost, "/mcp", body)
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		svc.handler.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		assert.LessOrEqual(t, body.n.Load(), int64(1024+512), "reading stops at the cap (plus one buffer)")
	})
	t.Run("under the cap: served", func(t *testing.T) {
		_, url := startService(t, echoServer(), o)
		status, _, body := send(t, http.MethodPost, url, "", initializeBody)
		assert.Equal(t, http.StatusOK, status, body)
	})
	t.Run("over the cap through a real connection", func(t *testing.T) {
		_, url := startService(t, echoServer(), o)
		status, _, _ := send(t, http.MethodPost, url, "", big)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	})
}

// TestSlowClientsAreDropped trickles a request through a raw TCP
// connection, one byte every 2s, against a 1s read timeout.
func TestSlowClientsAreDropped(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for timeouts")
	}
	o := httpOpts()
	o.ReadTimeout = time.Second
	svc, err := newHTTPService(echoServer(), o, zerolog.Nop())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := svc.server()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	for name, req := range map[string]struct{ head, trickle string }{
		"body": {
			head:    "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " + fmt.Sprint(len(initializeBody)) + "\r\n\r\n",
			trickle: initializeBody,
		},
		"headers": {head: "POST /mcp HTTP/1.1\r\n", trickle: "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"},
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ln.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			_, err = io.WriteString(conn, req.head)
			require.NoError(t, err)
			closed := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(conn) // until the server closes the connection
				closed <- b
			}()
			sent := 0
			for ; sent < len(req.trickle); sent++ {
				select {
				case answer := <-closed:
					assert.Less(t, sent, 3, "the server waited for more than the read timeout allows")
					if len(answer) > 0 {
						assert.Contains(t, string(answer), "408", "an answer, if any, says the request timed out")
					}
					return
				case <-time.After(2 * time.Second):
				}
				if _, err := conn.Write([]byte{req.trickle[sent]}); err != nil {
					return // the server has gone: dropped
				}
			}
			t.Fatal("the whole request was accepted one byte every 2s")
		})
	}
}

func TestSessions(t *testing.T) {
	o := httpOpts()
	o.MaxSessions = 2
	svc, url := startService(t, echoServer(), o)
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

	id := initSession(t, url)
	status, _, body := send(t, http.MethodPost, url, id, list)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `"echo"`)

	forged := "mcp-session-" + strings.Repeat("0", 32)
	for _, tt := range []struct{ name, method, session, body string }{
		{"POST with an id never issued", http.MethodPost, forged, list},
		{"POST with a uuid-shaped id never issued", http.MethodPost, "mcp-session-1b4e28ba-2fa1-11d2-883f-0016d3cca427", list},
		{"GET with an id never issued", http.MethodGet, forged, ""},
		{"DELETE of an id never issued", http.MethodDelete, forged, ""},
	} {
		status, _, body := send(t, tt.method, url, tt.session, tt.body)
		assert.Equal(t, http.StatusNotFound, status, "%s: %s", tt.name, body)
	}
	status, _, _ = send(t, http.MethodGet, url, "", "")
	assert.Equal(t, http.StatusBadRequest, status, "GET without a session id")

	second := initSession(t, url)
	status, _, body = send(t, http.MethodPost, url, "", initializeBody)
	assert.Equal(t, http.StatusServiceUnavailable, status, "a third session past the cap of 2")
	assert.Contains(t, body, "maximum of 2 sessions")
	assert.Contains(t, body, `"id":1`, "the 503 is a JSON-RPC error for the initialize request")
	assert.Equal(t, 2, svc.sessions.Len())

	status, _, body = send(t, http.MethodDelete, url, id, "")
	require.Equal(t, http.StatusOK, status, body)
	status, _, body = send(t, http.MethodPost, url, id, list)
	assert.Equal(t, http.StatusNotFound, status, "a session ended with DELETE: %s", body)
	status, _, _ = send(t, http.MethodDelete, url, id, "")
	assert.Equal(t, http.StatusNotFound, status, "a second DELETE")

	third := initSession(t, url)
	assert.NotEqual(t, second, third)
	assert.Equal(t, 2, svc.sessions.Len(), "the slot freed by DELETE was reused")
}

func TestSessionCapHoldsUnderConcurrentInitialize(t *testing.T) {
	o := httpOpts()
	o.MaxSessions = 5
	svc, url := startService(t, echoServer(), o)
	results := make(chan int, 20)
	for range 20 {
		go func() {
			status, _, _ := send(t, http.MethodPost, url, "", initializeBody)
			results <- status
		}()
	}
	ok := 0
	for range 20 {
		switch <-results {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
		default:
			t.Error("an initialize answered neither 200 nor 503")
		}
	}
	assert.Equal(t, 5, ok)
	assert.Equal(t, 5, svc.sessions.Len())
}

func TestIdleSessionsExpire(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the idle sweeper")
	}
	var unregistered atomic.Int64
	hooks := &server.Hooks{}
	hooks.AddOnUnregisterSession(func(context.Context, server.ClientSession) { unregistered.Add(1) })
	o := httpOpts()
	o.SessionIdle = time.Second
	svc, url := startService(t, echoServer(server.WithHooks(hooks)), o)
	ids := []string{initSession(t, url), initSession(t, url), initSession(t, url)}
	require.Equal(t, 3, svc.sessions.Len())

	deadline := time.Now().Add(10 * time.Second)
	for svc.sessions.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	assert.Zero(t, svc.sessions.Len(), "idle sessions were not swept")
	assert.Equal(t, int64(3), unregistered.Load(), "every expired session is unregistered from the MCP server")
	for _, id := range ids {
		status, _, _ := send(t, http.MethodPost, url, id, `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
		assert.Equal(t, http.StatusNotFound, status, "an expired session")
	}
}

func TestHTTPRequestIDs(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		t.Run(fmt.Sprintf("stateless=%v", stateless), func(t *testing.T) {
			o := httpOpts()
			o.Stateless = stateless
			_, url := startService(t, echoServer(), o)
			session := ""
			if !stateless {
				session = initSession(t, url)
			}
			for _, id := range idCases {
				t.Run(id.raw, func(t *testing.T) {
					status, _, body := send(t, http.MethodPost, url, session, `{"jsonrpc":"2.0","id":`+id.raw+`,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}`)
					checkIDAnswer(t, id, status, body)
				})
			}
			t.Run("batch", func(t *testing.T) {
				status, _, body := send(t, http.MethodPost, url, session, `[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]`)
				assert.Equal(t, http.StatusBadRequest, status)
				assert.Contains(t, body, `"code":-32700`, "mcp-go does not take batches: a parse error, not silence")
			})
		})
	}
}

// idCases are request ids and what their answer must carry.
var idCases = []struct {
	raw     string
	wantID  string // the id of the answer, exactly; "" means null
	invalid bool
}{
	{raw: `7`, wantID: `7`},
	{raw: `-3`, wantID: `-3`},
	{raw: `"abc-1"`, wantID: `"abc-1"`},
	{raw: `9007199254740993`, wantID: `9007199254740993`},
	{raw: `123456789012345678901234567890`, wantID: `123456789012345678901234567890`},
	{raw: `1.5`, wantID: `1.5`},
	{raw: `2E3`, wantID: `2E3`},
	{raw: `-0`, wantID: `-0`},
	{raw: `null`, invalid: true},
	{raw: `true`, invalid: true},
	{raw: `{"a":1}`, invalid: true},
}

func checkIDAnswer(t *testing.T, id struct {
	raw     string
	wantID  string
	invalid bool
}, status int, body string) {
	t.Helper()
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &msg), body)
	if id.invalid {
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Equal(t, "null", string(msg.ID))
		require.NotNil(t, msg.Error, body)
		assert.Equal(t, mcp.INVALID_REQUEST, msg.Error.Code)
		assert.Contains(t, msg.Error.Message, "id: INVALID_REQUEST: a request id must be a string or a number")
		return
	}
	assert.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, id.wantID, string(msg.ID), "the id comes back exactly as sent")
	assert.Contains(t, string(msg.Result), `"hi"`)
}

// TestLongCallOutlivesReadTimeout: the read timeout bounds sending the
// request, not running it.
func TestLongCallOutlivesReadTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits past the read timeout")
	}
	s := server.NewMCPServer("t", "1")
	s.AddTool(mcp.NewTool("slow"), func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		select {
		case <-time.After(1500 * time.Millisecond):
			return mcp.NewToolResultText("done"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	o := httpOpts()
	o.Stateless = true
	o.ReadTimeout = 500 * time.Millisecond
	svc, err := newHTTPService(s, o, zerolog.Nop())
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := svc.server()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	status, _, body := send(t, http.MethodPost, "http://"+ln.Addr().String()+"/mcp", "", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow"}}`)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `"done"`)
}

// TestAbandonedSessionsFreeTheirMemory opens 10,000 sessions that are
// never used again and checks that expiry gives their memory back.
func TestAbandonedSessionsFreeTheirMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("opens 10,000 sessions and waits for their expiry; a heap figure under -race means nothing")
	}
	const n = 10000
	o, err := parseOptions(nil, envOf(map[string]string{"HOME": t.TempDir()}), io.Discard)
	require.NoError(t, err)
	o.SessionIdle = 12 * time.Second // the sessions are opened well within it (~3s)
	o.MaxSessions = n
	toolsets, err := tools.ParseToolsets(o.Toolsets)
	require.NoError(t, err)
	s, err := newServer(o, tools.Selection{Toolsets: toolsets}, zerolog.Nop())
	require.NoError(t, err)
	svc, err := newHTTPService(s, o, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.mcp.Shutdown(context.Background()) })

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for range n {
		req := httptest.NewRequest(http.MethodPost, "/mcp", strings.NewReader(initializeBody))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		svc.handler.ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	}
	held := heap()
	live := svc.sessions.Len()
	require.Greater(t, live, n/2, "most sessions are still open to be measured")

	deadline := time.Now().Add(60 * time.Second)
	for svc.sessions.Len() > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	require.Zero(t, svc.sessions.Len(), "the sweeper ended every idle session")
	after := heap()
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	t.Logf("heap: %.1f MiB before, %.1f MiB with %d idle sessions, %.1f MiB after their expiry", mib(before), mib(held), live, mib(after))
	grown := int64(held) - int64(before)
	require.Positive(t, grown)
	assert.Less(t, int64(after)-int64(before), grown/10, "expiry gives back at least 90%% of what the sessions held")
}

func TestMCPGoLogsAtDebug(t *testing.T) {
	var b strings.Builder
	log := slog.New(debugInfo{zerolog.NewSlogHandler(zerolog.New(&b).Level(zerolog.InfoLevel))})
	log.Info("Sweeping expired session", "session", "s1")
	assert.Empty(t, b.String(), "info records are demoted below the info level")
	log.Warn("failed to terminate session")
	assert.Contains(t, b.String(), `"level":"warn"`)
	b.Reset()
	debug := slog.New(debugInfo{zerolog.NewSlogHandler(zerolog.New(&b).Level(zerolog.DebugLevel))}).With("k", "v")
	debug.Info("Sweeping expired session")
	assert.Contains(t, b.String(), `"level":"debug"`)
	assert.Contains(t, b.String(), `"k":"v"`)
}
