package tools

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mpcontext "github.com/mixpanel-mcp/mixpanel-mcp/context"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// sessionServer serves every tool and the resources of an Env for srv's
// client over streamable HTTP, the way main wires them.
func sessionServer(t *testing.T, c *mixpanel.Client, opts ...server.StreamableHTTPOption) (*Env, string) {
	t.Helper()
	env := NewEnv(c, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	hooks := &server.Hooks{}
	env.TrackSessions(hooks)
	s := server.NewMCPServer("t", "1", server.WithHooks(hooks), server.WithResourceCapabilities(false, false))
	require.NoError(t, AddTo(s, env, Selection{}))
	mpcontext.Register(s, env.ClientFor)
	hs := httptest.NewServer(server.NewStreamableHTTPServer(s, opts...))
	t.Cleanup(hs.Close)
	return env, hs.URL
}

// connectHTTP opens one MCP session on a protocol version that has
// sessions (2026-07-28 removed them from HTTP).
func connectHTTP(t *testing.T, url, version string) *client.Client {
	t.Helper()
	c, err := client.NewStreamableHttpClient(url)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() { c.Close() })
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = version
	req.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "1"}
	_, err = c.Initialize(context.Background(), req)
	require.NoError(t, err)
	return c
}

// lastProjectParam is the project_id of the last /events/names request.
func lastProjectParam(t *testing.T, srv *mixpaneltest.Server) (project, workspace string) {
	t.Helper()
	q := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/events/names").Query
	return q.Get("project_id"), q.Get("workspace_id")
}

func TestUseProjectIsPerSession(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Now = fixedNow
	env, url := sessionServer(t, srv.Client(t))
	a := connectHTTP(t, url, mcp.ProtocolVersion20251125)
	b := connectHTTP(t, url, mcp.ProtocolVersion20251125)

	res := call(t, a, "use_project", map[string]any{"project_id": "12346"})
	require.False(t, res.IsError, "%v", res.Content)
	text := res.Content[0].(mcp.TextContent).Text
	assert.Contains(t, text, `This session now works in project 12346 "ShopFast Staging", no workspace pinned (was project 12345)`)
	assert.Equal(t, 1, env.session.store.len())

	require.False(t, call(t, a, "list_events", nil).IsError)
	p, _ := lastProjectParam(t, srv)
	assert.Equal(t, "12346", p, "the switched session queries its new project")

	require.False(t, call(t, b, "list_events", nil).IsError)
	p, _ = lastProjectParam(t, srv)
	assert.Equal(t, mixpaneltest.ProjectID, p, "the other session keeps the configured project")

	active := call(t, a, "get_active_project", nil)
	assert.Contains(t, active.Content[0].(mcp.TextContent).Text, `Project 12346 "ShopFast Staging"`)

	// Resources follow the session's project too.
	rr := mcp.ReadResourceRequest{}
	rr.Params.URI = mpcontext.ProjectURI
	_, _ = a.ReadResource(context.Background(), rr)
	assert.Equal(t, "GET", srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12346/business-context").Method)
	_, err := b.ReadResource(context.Background(), rr)
	require.NoError(t, err)
	srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/"+mixpaneltest.ProjectID+"/business-context")

	// A workspace alone pins it in the session's current project.
	res = call(t, a, "use_project", map[string]any{"project_id": mixpaneltest.ProjectID, "workspace_id": "3002"})
	require.False(t, res.IsError, "%v", res.Content)
	require.False(t, call(t, a, "list_events", nil).IsError)
	p, w := lastProjectParam(t, srv)
	assert.Equal(t, [2]string{mixpaneltest.ProjectID, "3002"}, [2]string{p, w})

	// Back to exactly the configured scope: the session's entry goes.
	res = call(t, a, "use_project", map[string]any{"project_id": mixpaneltest.ProjectID})
	require.False(t, res.IsError, "%v", res.Content)
	assert.Equal(t, 0, env.session.store.len())
}

func TestUseProjectRefusals(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Now = fixedNow
	_, url := sessionServer(t, srv.Client(t))
	a := connectHTTP(t, url, mcp.ProtocolVersion20250618)
	require.False(t, call(t, a, "use_project", map[string]any{"project_id": "12346"}).IsError)

	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"project_id": "99999"}, "project_id: NOT_ACCESSIBLE: project 99999 is not among the 2 projects these credentials can access (12345, 12346); nothing was changed"},
		{map[string]any{"project_id": "12346", "workspace_id": "3001"}, "workspace_id: WRONG_PROJECT: workspace 3001 belongs to project 12345, not 12346"},
		{map[string]any{"workspace_id": "4242"}, "workspace_id: NOT_ACCESSIBLE: project 12346 has no workspace 4242"},
		{map[string]any{}, "project_id: REQUIRED:"},
		{map[string]any{"project_id": "Staging"}, `project_id: NOT_NUMERIC: "Staging" is not a numeric id`},
	}
	for _, tt := range tests {
		res := call(t, a, "use_project", tt.args)
		require.True(t, res.IsError, "%v", tt.args)
		assert.Contains(t, res.Content[0].(mcp.TextContent).Text, tt.want)
		require.False(t, call(t, a, "list_events", nil).IsError)
		p, w := lastProjectParam(t, srv)
		assert.Equal(t, [2]string{"12346", ""}, [2]string{p, w}, "a refused switch changes nothing")
	}
}

// TestUseProjectWithoutMe: a service account without the user_details
// scope gets 403 from /me; the project's workspace list decides instead.
func TestUseProjectWithoutMe(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond("GET", mixpaneltest.AppPrefix+"/me", 403, map[string]any{"error": "missing scope user_details", "status": "error"})
	_, url := sessionServer(t, srv.Client(t))
	a := connectHTTP(t, url, mcp.ProtocolVersion20251125)
	res := call(t, a, "use_project", map[string]any{"project_id": "99999"})
	require.True(t, res.IsError)
	assert.Contains(t, res.Content[0].(mcp.TextContent).Text, "project_id: NOT_ACCESSIBLE: these credentials cannot access project 99999")
	res = call(t, a, "use_project", map[string]any{"project_id": "12346"})
	require.False(t, res.IsError, "%v", res.Content)
	require.False(t, call(t, a, "list_events", nil).IsError)
	p, _ := lastProjectParam(t, srv)
	assert.Equal(t, "12346", p)
}

// TestUseProjectNeedsASession: without a session (a stateless server, or
// a client on the sessionless 2026-07-28 revision) a switch could not
// outlive the call, so it is refused.
func TestUseProjectNeedsASession(t *testing.T) {
	srv := mixpaneltest.New(t)
	for _, tt := range []struct {
		name    string
		version string
		opts    []server.StreamableHTTPOption
	}{
		{"stateless", mcp.ProtocolVersion20251125, []server.StreamableHTTPOption{server.WithStateLess(true)}},
		{"sessionless protocol", mcp.ProtocolVersion20260728, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env, url := sessionServer(t, srv.Client(t), tt.opts...)
			a := connectHTTP(t, url, tt.version)
			res := call(t, a, "use_project", map[string]any{"project_id": "12346"})
			require.True(t, res.IsError)
			assert.Contains(t, res.Content[0].(mcp.TextContent).Text, "project_id: NO_SESSION:")
			assert.Equal(t, 0, env.session.store.len())
		})
	}
}

// TestUseProjectConcurrentSessions: sessions switching and calling at the
// same time each see only their own project (run with -race).
func TestUseProjectConcurrentSessions(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, url := sessionServer(t, srv.Client(t))
	want := []string{"12345", "12346", "12346", "12345"}
	clients := make([]*client.Client, len(want))
	for i := range clients {
		clients[i] = connectHTTP(t, url, mcp.ProtocolVersion20251125)
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() {
			// assert, not require: this is not the test's goroutine.
			text := func(name string, args map[string]any) string {
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = name, args
				res, err := c.CallTool(context.Background(), req)
				if !assert.NoError(t, err) || !assert.False(t, res.IsError, "%v", res.Content) {
					return ""
				}
				return res.Content[0].(mcp.TextContent).Text
			}
			for range 3 {
				text("use_project", map[string]any{"project_id": want[i]})
				assert.Contains(t, text("get_active_project", nil), "Project "+want[i]+" ", "session %d", i)
			}
		})
	}
	wg.Wait()
}

// TestSessionEndFreesItsSwitch: closing a session (DELETE) drops its
// scoped client.
func TestSessionEndFreesItsSwitch(t *testing.T) {
	srv := mixpaneltest.New(t)
	env, url := sessionServer(t, srv.Client(t))
	a := connectHTTP(t, url, mcp.ProtocolVersion20251125)
	b := connectHTTP(t, url, mcp.ProtocolVersion20251125)
	for _, c := range []*client.Client{a, b} {
		require.False(t, call(t, c, "use_project", map[string]any{"project_id": "12346"}).IsError)
	}
	require.Equal(t, 2, env.session.store.len())
	require.NoError(t, a.Close())
	assert.Equal(t, 1, env.session.store.len(), "the closed session's switch is freed, the other's kept")
}

func TestClearDiscoveryCache(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Now = fixedNow
	cfg := srv.Config()
	cfg.CacheTTL = time.Minute
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	env := NewEnv(c, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	count := func() int { return len(srv.Requests()) }

	mustOK(t, callTool(t, env, "list_events", `{}`))
	n := count()
	mustOK(t, callTool(t, env, "list_events", `{}`))
	require.Equal(t, n, count(), "the repeat is served from the cache")

	res := callTool(t, env, "clear_discovery_cache", `{}`)
	assert.Regexp(t, `^Cleared [1-9]\d* cached discovery answers of project 12345`, mustOK(t, res))
	var out CacheCleared
	structured(t, res, &out)
	assert.True(t, out.Enabled)
	assert.Positive(t, out.Dropped)

	mustOK(t, callTool(t, env, "list_events", `{}`))
	assert.Greater(t, count(), n, "after clearing, the call reaches Mixpanel again")

	off := testEnv(t, srv) // the fake's config disables the cache
	res = callTool(t, off, "clear_discovery_cache", `{}`)
	assert.Contains(t, mustOK(t, res), "The discovery cache is disabled")
}

// benchSession is a bare MCP session for the benchmark's context.
type benchSession struct{ id string }

func (benchSession) Initialize()                                         {}
func (benchSession) Initialized() bool                                   { return true }
func (benchSession) NotificationChannel() chan<- mcp.JSONRPCNotification { return nil }
func (s benchSession) SessionID() string                                 { return s.id }

// BenchmarkForSession is what every tool call pays to find its session's
// Env: without a switch, and in a session that switched project.
func BenchmarkForSession(b *testing.B) {
	srv := mixpaneltest.New(b)
	env := NewEnv(srv.Client(b), nil, zerolog.Nop())
	s := server.NewMCPServer("b", "1")
	for _, bc := range []struct {
		name     string
		switched bool
	}{{"configured project", false}, {"switched project", true}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := s.WithContext(context.Background(), benchSession{id: bc.name})
			if bc.switched {
				env.session.store.set(bc.name, env.client.WithScope("12346", ""))
			}
			b.ReportAllocs()
			for b.Loop() {
				if e := env.forSession(ctx); e.session.id != bc.name {
					b.Fatal("wrong session")
				}
			}
		})
	}
}
