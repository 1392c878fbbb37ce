package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// The end-to-end tests build the real binary once and speak MCP to it.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mcp-server-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "mcp-server")
		// The default build (no tags, whatever GOFLAGS says), as users
		// build it: without schemagen, the schemas come from the generated file.
		out, err := exec.Command("go", "build", "-tags=", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// fakeEnv is the environment that points the binary at a mixpaneltest fake
// with valid service-account credentials. HOME is a fresh directory so a
// developer's own ~/.mp/config.toml never leaks into a test.
func fakeEnv(t *testing.T, srv *mixpaneltest.Server) []string {
	cfg := srv.Config()
	return append(cleanEnv(t),
		"MP_USERNAME="+cfg.Username,
		"MP_SECRET="+cfg.Secret,
		"MP_PROJECT_ID="+cfg.ProjectID,
		"MP_QUERY_URL="+cfg.QueryURL,
		"MP_EXPORT_URL="+cfg.ExportURL,
		"MP_ENGAGE_URL="+cfg.EngageURL,
		"MP_APP_URL="+cfg.AppURL,
		"MP_QUERY_HOURLY_LIMIT=-1",
		"MP_CACHE_TTL=0", // every call reaches the fake, as the tests expect
	)
}

// cleanEnv is an environment with no Mixpanel or MCP settings at all.
func cleanEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MP_") && !strings.HasPrefix(kv, "MCP_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+t.TempDir())
}

// startStdio starts the binary over stdio with env (see fakeEnv, cleanEnv)
// and returns an initialized client.
func startStdio(t *testing.T, env []string, args ...string) *client.Client {
	t.Helper()
	return startStdioCapture(t, env, nil, args...)
}

// startStdioCapture is startStdio that also captures the binary's stderr
// (its log) in stderr when it is not nil.
func startStdioCapture(t *testing.T, env []string, stderr io.Writer, args ...string) *client.Client {
	t.Helper()
	c := stdioClient(t, env, stderr, args...)
	initialize(t, c)
	return c
}

// stdioClient starts the binary over stdio, not yet initialized.
func stdioClient(t *testing.T, env []string, stderr io.Writer, args ...string) *client.Client {
	t.Helper()
	bin := binary(t)
	opts := []transport.StdioOption{transport.WithCommandFunc(func(ctx context.Context, command string, _ []string, args []string) (*exec.Cmd, error) {
		cmd := exec.CommandContext(ctx, command, args...)
		cmd.Env = env
		return cmd, nil
	})}
	if stderr != nil {
		opts = append(opts, transport.WithCommandStderrWriter(stderr))
	}
	c := client.NewClient(transport.NewStdioWithOptions(bin, nil, args, opts...))
	require.NoError(t, c.Start(context.Background())) // also routes notifications to OnNotification
	t.Cleanup(func() { c.Close() })
	return c
}

func initialize(t *testing.T, c *client.Client) *mcp.InitializeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	req.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	res, err := c.Initialize(ctx, req)
	require.NoError(t, err)
	return res
}

// httpServer is a running binary in HTTP mode.
type httpServer struct {
	URL    string // base URL, e.g. http://127.0.0.1:PORT
	cmd    *exec.Cmd
	stderr *syncBuffer
}

// startHTTP starts the binary with --transport http on a free loopback
// port and waits for its health endpoint.
func startHTTP(t *testing.T, env []string, args ...string) *httpServer {
	t.Helper()
	bin := binary(t)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cmd := exec.Command(bin, append([]string{"--transport", "http", "--listen", addr}, args...)...)
	cmd.Env = env
	buf := &syncBuffer{}
	cmd.Stderr = buf
	require.NoError(t, cmd.Start())
	hs := &httpServer{URL: "http://" + addr, cmd: cmd, stderr: buf}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(hs.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return hs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("http server did not become healthy: %v\nstderr:\n%s", err, buf.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// client returns an initialized streamable-HTTP client, with a bearer
// token when token is not empty.
func (hs *httpServer) client(t *testing.T, token string) *client.Client {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if token != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	}
	c, err := client.NewStreamableHttpClient(hs.URL+"/mcp", opts...)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() { c.Close() })
	initialize(t, c)
	return c
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// callTool calls a tool and returns the result (which may be isError).
func callTool(t *testing.T, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err, "a tool failure must be an isError result, not a protocol error")
	return res
}

// textOf is the text content of a result.
func textOf(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	require.NotEmpty(t, res.Content)
	tc, ok := res.Content[0].(mcp.TextContent)
	require.True(t, ok, "content is %T", res.Content[0])
	return tc.Text
}

func listTools(t *testing.T, c *client.Client) []mcp.Tool {
	t.Helper()
	res, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	return res.Tools
}

// listedTools is the client's tools/list by name.
func listedTools(t *testing.T, c *client.Client) map[string]mcp.Tool {
	t.Helper()
	byName := map[string]mcp.Tool{}
	for _, tool := range listTools(t, c) {
		byName[tool.Name] = tool
	}
	return byName
}

func TestE2EStdioBasics(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv))

	tools := listTools(t, c)
	require.NotEmpty(t, tools)
	names := map[string]mcp.Tool{}
	for _, tool := range tools {
		names[tool.Name] = tool
		assert.NotNil(t, tool.Annotations.ReadOnlyHint, tool.Name)
		assert.NotNil(t, tool.Annotations.DestructiveHint, tool.Name)
		assert.NotNil(t, tool.Annotations.IdempotentHint, tool.Name)
		assert.NotNil(t, tool.Annotations.OpenWorldHint, tool.Name)
		assert.Equal(t, "object", tool.InputSchema.Type, tool.Name)
	}
	for _, want := range e2eTools() {
		assert.Contains(t, names, want)
	}
	probe := probeTool(t)
	res := callTool(t, c, probe.name, probe.args)
	assert.False(t, res.IsError, textOf(t, res))
	assert.NotEmpty(t, textOf(t, res))
	assert.NotNil(t, res.StructuredContent)

	res = callTool(t, c, probe.name, map[string]any{"no_such_argument": 1})
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), "no_such_argument: A2: unknown argument; valid arguments: ")
}

func TestE2EStdioWithoutCredentials(t *testing.T) {
	c := startStdio(t, cleanEnv(t))
	assert.NotEmpty(t, listTools(t, c), "tools are listed without credentials")
	probe := probeTool(t)
	res := callTool(t, c, probe.name, probe.args)
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), "MP_USERNAME")
}

// TestE2EStdoutIsOnlyJSONRPC checks that nothing but JSON-RPC reaches
// stdout, even with debug logging on.
func TestE2EStdoutIsOnlyJSONRPC(t *testing.T) {
	srv := mixpaneltest.New(t)
	cmd := exec.Command(binary(t), "--log-level", "debug")
	cmd.Env = fakeEnv(t, srv)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	require.NoError(t, cmd.Start())
	probe := probeTool(t)
	args, _ := json.Marshal(probe.args)
	msgs := []string{
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`,
		`{"jsonrpc":"2.0","method":"notifications/initialized"}`,
		`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"` + probe.name + `","arguments":` + string(args) + `}}`,
	}
	for _, m := range msgs {
		_, err := io.WriteString(stdin, m+"\n")
		require.NoError(t, err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	seen := 0
	for seen < 3 && sc.Scan() {
		var msg map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &msg), "stdout line is not JSON: %q", sc.Text())
		assert.Equal(t, "2.0", msg["jsonrpc"])
		if _, ok := msg["id"]; ok {
			seen++
		}
	}
	require.Equal(t, 3, seen)
	stdin.Close()
	require.NoError(t, cmd.Wait())
	assert.Contains(t, stderr.String(), "mcp-server ready", "logs go to stderr")
	assert.NotContains(t, stderr.String(), mixpaneltest.Secret)
}

func TestE2EHTTP(t *testing.T) {
	srv := mixpaneltest.New(t)
	hs := startHTTP(t, fakeEnv(t, srv))
	c := hs.client(t, "")
	assert.NotEmpty(t, listTools(t, c))
	probe := probeTool(t)
	res := callTool(t, c, probe.name, probe.args)
	assert.False(t, res.IsError, textOf(t, res))
	res = callTool(t, c, probe.name, map[string]any{"no_such_argument": true})
	assert.True(t, res.IsError)

	t.Run("graceful shutdown on SIGTERM", func(t *testing.T) {
		require.NoError(t, hs.cmd.Process.Signal(sigterm))
		done := make(chan error, 1)
		go func() { done <- hs.cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "exit status after SIGTERM")
		case <-time.After(15 * time.Second):
			t.Fatal("server did not stop after SIGTERM")
		}
		assert.Contains(t, hs.stderr.String(), "shutting down")
	})
}

func TestE2EHTTPStatelessAndToken(t *testing.T) {
	srv := mixpaneltest.New(t)
	const token = "e2e-token-0123456789"
	hs := startHTTP(t, append(fakeEnv(t, srv), "MCP_AUTH_TOKEN="+token+"\n"), "--stateless") // as $(cat token-file) leaves it
	c := hs.client(t, token)
	assert.Contains(t, hs.stderr.String(), "the auth token had surrounding whitespace", "the trimmed newline is reported")
	probe := probeTool(t)
	res := callTool(t, c, probe.name, probe.args)
	assert.False(t, res.IsError, textOf(t, res))

	for name, header := range map[string]string{"no token": "", "wrong token": "Bearer nope", "basic": "Basic " + token} {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
	}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the Bearer scheme in any case")

	req, _ = http.NewRequest(http.MethodPost, hs.URL+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Origin", "https://evil.example")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusForbidden, resp.StatusCode, "a foreign Origin is refused even with the token")
	assert.NotContains(t, hs.stderr.String(), token, "the token is never logged")
}

func TestE2EPrompts(t *testing.T) {
	c := startStdio(t, cleanEnv(t))
	list, err := c.ListPrompts(context.Background(), mcp.ListPromptsRequest{})
	require.NoError(t, err)
	require.NotEmpty(t, list.Prompts)
	req := mcp.GetPromptRequest{}
	req.Params.Name = "investigate_user"
	req.Params.Arguments = map[string]string{"distinct_id": "user-003"}
	res, err := c.GetPrompt(context.Background(), req)
	require.NoError(t, err)
	require.NotEmpty(t, res.Messages)
	assert.Contains(t, res.Messages[0].Content.(mcp.TextContent).Text, "user-003")
}
