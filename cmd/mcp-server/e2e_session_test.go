package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// namesProject is the project_id (and workspace_id) of the fake's last
// /events/names request.
func namesProject(t *testing.T, srv *mixpaneltest.Server) [2]string {
	t.Helper()
	q := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/events/names").Query
	return [2]string{q.Get("project_id"), q.Get("workspace_id")}
}

// TestE2ESessionToolsStdio drives use_project, clear_discovery_cache and
// query_user's dry_run through the binary over stdio (one session).
func TestE2ESessionToolsStdio(t *testing.T) {
	srv := mixpaneltest.New(t)
	// A real discovery cache, as users run it (the shared env disables it).
	c := startStdio(t, append(fakeEnv(t, srv), "MP_CACHE_TTL=5m"))
	served := listedTools(t, c)
	require.Contains(t, served, "use_project")
	require.Contains(t, served, "clear_discovery_cache")
	a := served["clear_discovery_cache"].Annotations
	assert.True(t, *a.ReadOnlyHint, "clearing a local cache writes nothing to Mixpanel")
	assert.False(t, *a.OpenWorldHint, "it calls no outside service")

	// query_user dry_run: nothing sent, and the real run sends that body.
	args := map[string]any{"where": []any{map[string]any{"property": "plan", "operator": "equals", "value": "pro"}}, "sort_by": "lifetime_value", "limit": 3}
	before := len(srv.Requests())
	res := callTool(t, c, "query_user", map[string]any{"where": args["where"], "sort_by": "lifetime_value", "limit": 3, "dry_run": true})
	require.False(t, res.IsError, textOf(t, res))
	assert.Equal(t, before, len(srv.Requests()), "a dry run sends nothing")
	assert.Contains(t, textOf(t, res), "Dry run: nothing sent. query_user would POST this body to Mixpanel's engage endpoint")
	var dry struct {
		Params json.RawMessage `json:"params"`
	}
	structuredOf(t, res, &dry)
	res = callTool(t, c, "query_user", args)
	require.False(t, res.IsError, textOf(t, res))
	reqs := srv.Requests()[before:]
	require.NotEmpty(t, reqs)
	assert.Equal(t, mixpaneltest.EngagePrefix, reqs[0].Path)
	assert.JSONEq(t, string(dry.Params), string(reqs[0].Body))

	res = callTool(t, c, "use_project", map[string]any{"project_id": "12346"})
	require.False(t, res.IsError, textOf(t, res))
	assert.Contains(t, textOf(t, res), `This session now works in project 12346 "ShopFast Staging"`)
	var sw struct {
		ProjectID         string `json:"project_id"`
		PreviousProjectID string `json:"previous_project_id"`
	}
	structuredOf(t, res, &sw)
	assert.Equal(t, "12346", sw.ProjectID)
	assert.Equal(t, mixpaneltest.ProjectID, sw.PreviousProjectID)

	require.False(t, callTool(t, c, "list_events", nil).IsError)
	assert.Equal(t, [2]string{"12346", ""}, namesProject(t, srv))
	assert.Contains(t, textOf(t, callTool(t, c, "get_active_project", nil)), `Project 12346 "ShopFast Staging"`)

	res = callTool(t, c, "use_project", map[string]any{"project_id": "424242"})
	require.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), "project_id: NOT_ACCESSIBLE: project 424242 is not among the 2 projects these credentials can access")

	// The cache: a repeat is served locally until it is cleared.
	before = len(srv.Requests())
	require.False(t, callTool(t, c, "list_events", nil).IsError)
	assert.Equal(t, before, len(srv.Requests()), "the repeat comes from the discovery cache")
	res = callTool(t, c, "clear_discovery_cache", nil)
	require.False(t, res.IsError, textOf(t, res))
	assert.Regexp(t, `^Cleared [1-9]\d* cached discovery answers of project 12346`, textOf(t, res))
	require.False(t, callTool(t, c, "list_events", nil).IsError)
	assert.Greater(t, len(srv.Requests()), before, "after clearing, list_events reaches Mixpanel again")
	assert.Equal(t, [2]string{"12346", ""}, namesProject(t, srv), "still in the switched project")

	res = callTool(t, c, "query_user", map[string]any{"mode": "aggregate", "dry_run": true})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &dry)
	assert.JSONEq(t, `{"project_id":12346,"action":"count()"}`, string(dry.Params), "a dry run builds for the session's project")
}

// sessionClient opens one streamable-HTTP MCP session. It initializes on
// 2025-11-25: the 2026-07-28 revision has no HTTP sessions, so a client
// on it cannot switch project (use_project says so).
func (hs *httpServer) sessionClient(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.NewStreamableHttpClient(hs.URL + "/mcp")
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	req.Params.ClientInfo = mcp.Implementation{Name: "e2e", Version: "1"}
	_, err = c.Initialize(ctx, req)
	require.NoError(t, err)
	return c
}

// TestE2EUseProjectTwoSessionsOverHTTP: one HTTP session switches project;
// the other's calls still reach the configured one; a refused switch
// changes nothing.
func TestE2EUseProjectTwoSessionsOverHTTP(t *testing.T) {
	srv := mixpaneltest.New(t)
	hs := startHTTP(t, fakeEnv(t, srv))
	a, b := hs.sessionClient(t), hs.sessionClient(t)

	res := callTool(t, a, "use_project", map[string]any{"project_id": "12346"})
	require.False(t, res.IsError, textOf(t, res))
	require.False(t, callTool(t, a, "list_events", nil).IsError)
	assert.Equal(t, [2]string{"12346", ""}, namesProject(t, srv))
	require.False(t, callTool(t, b, "list_events", nil).IsError)
	assert.Equal(t, [2]string{mixpaneltest.ProjectID, ""}, namesProject(t, srv), "the other session is unaffected")

	res = callTool(t, b, "use_project", map[string]any{"project_id": "99999", "workspace_id": "3002"})
	require.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), "project_id: NOT_ACCESSIBLE: project 99999")
	require.False(t, callTool(t, b, "list_events", nil).IsError)
	assert.Equal(t, [2]string{mixpaneltest.ProjectID, ""}, namesProject(t, srv), "a refused switch changes nothing")
	require.False(t, callTool(t, a, "list_events", nil).IsError)
	assert.Equal(t, [2]string{"12346", ""}, namesProject(t, srv))

	// Resources read in the switched session follow it.
	rr := mcp.ReadResourceRequest{}
	rr.Params.URI = "mixpanel://project/business-context"
	_, _ = a.ReadResource(context.Background(), rr)
	assert.Equal(t, "GET", srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12346/business-context").Method)
}
