package mixpanel_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestWithScope: a scoped clone sends its own project and workspace, and
// the client it came from keeps its own.
func TestWithScope(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	other := c.WithScope("12346", "4001")
	assert.Equal(t, "12346", other.ProjectID())
	assert.Equal(t, "4001", other.WorkspaceID())
	assert.Equal(t, mixpaneltest.ProjectID, c.ProjectID(), "the original is unchanged")
	assert.Empty(t, c.WorkspaceID())

	names := mixpanel.Request{Family: mixpanel.Query, Path: "/events/names", Query: map[string][]string{"type": {"general"}}}
	require.NoError(t, other.JSON(context.Background(), names, nil))
	q := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/events/names").Query
	assert.Equal(t, "12346", q.Get("project_id"))
	assert.Equal(t, "4001", q.Get("workspace_id"))

	require.NoError(t, c.JSON(context.Background(), names, nil))
	q = srv.LastRequest(t, mixpaneltest.QueryPrefix+"/events/names").Query
	assert.Equal(t, mixpaneltest.ProjectID, q.Get("project_id"))
	assert.False(t, q.Has("workspace_id"))

	scope, err := other.Scope()
	require.NoError(t, err)
	assert.Equal(t, "/workspaces/4001", scope)
}

// TestWithScopeLimiterPerProject: Mixpanel's Query API budget is per
// project, so clones of one project share it and another project's clone
// has its own.
func TestWithScopeLimiterPerProject(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond("GET", mixpaneltest.QueryPrefix+"/events/names", 200, []string{})
	cfg := srv.Config()
	cfg.QueryPerHour = 1
	cfg.MaxLimiterWait = time.Millisecond
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	names := mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}
	ctx := context.Background()

	require.NoError(t, c.JSON(ctx, names, nil))
	assert.True(t, mixpanel.IsKind(c.JSON(ctx, names, nil), mixpanel.KindRateLimited), "the project's hourly budget is spent")
	same := c.WithScope(mixpaneltest.ProjectID, mixpaneltest.WorkspaceID)
	assert.True(t, mixpanel.IsKind(same.JSON(ctx, names, nil), mixpanel.KindRateLimited), "another workspace of the same project shares its budget")

	other := c.WithScope("12346", "")
	require.NoError(t, other.JSON(ctx, names, nil), "another project has its own budget")
	assert.True(t, mixpanel.IsKind(c.WithScope("12346", "").JSON(ctx, names, nil), mixpanel.KindRateLimited), "every clone of that project shares it")
	assert.Len(t, srv.Requests(), 2)
}

// TestClearCacheOfOneProject: clearing drops the answers fetched for the
// client's project; the next call reaches Mixpanel again, while another
// project's answers stay cached.
func TestClearCacheOfOneProject(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.CacheTTL = time.Minute
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	other := c.WithScope("12346", "")
	ctx := context.Background()
	names := mixpanel.Request{Family: mixpanel.Query, Path: "/events/names", Query: map[string][]string{"type": {"general"}}, Cacheable: true}
	count := func() int { return len(srv.Requests()) }

	require.NoError(t, c.JSON(ctx, names, nil))
	require.NoError(t, other.JSON(ctx, names, nil))
	require.NoError(t, c.JSON(ctx, names, nil))
	require.NoError(t, other.JSON(ctx, names, nil))
	require.Equal(t, 2, count(), "one request per project; the repeats come from the shared cache")

	dropped, ok := c.ClearCache()
	assert.True(t, ok)
	assert.Equal(t, 1, dropped)
	require.NoError(t, c.JSON(ctx, names, nil))
	assert.Equal(t, 3, count(), "the cleared project asks Mixpanel again")
	require.NoError(t, other.JSON(ctx, names, nil))
	assert.Equal(t, 3, count(), "the other project's answer is still cached")

	cfg.CacheTTL = -1
	off, err := mixpanel.New(cfg)
	require.NoError(t, err)
	_, ok = off.ClearCache()
	assert.False(t, ok, "a disabled cache says so")
}
