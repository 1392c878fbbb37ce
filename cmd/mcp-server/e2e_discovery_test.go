package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

var (
	projectTools   = []string{"me", "list_projects", "list_workspaces", "use_project", "get_active_project"}
	discoveryTools = []string{"list_events", "list_properties", "list_property_values", "list_subproperties", "list_top_events",
		"list_funnels", "list_cohorts", "list_bookmarks", "list_lexicon_schemas", "get_lexicon_schema", "get_schema_graph"}
)

func TestE2EDiscoveryStdio(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.EventNamesMaxDays = 30
	c := startStdio(t, fakeEnv(t, srv))

	byName := listedTools(t, c)
	for _, name := range append(append([]string{}, projectTools...), discoveryTools...) {
		tool, ok := byName[name]
		if !assert.True(t, ok, "tool %s is served", name) {
			continue
		}
		a := tool.Annotations
		require.NotNil(t, a.ReadOnlyHint, name)
		assert.True(t, *a.ReadOnlyHint, name)
		assert.False(t, *a.DestructiveHint, name)
		assert.True(t, *a.IdempotentHint, name)
		assert.True(t, *a.OpenWorldHint, name)
		assert.Equal(t, "object", tool.OutputSchema.Type, name)
	}

	// The history gate of the fake makes list_events retry once, over the
	// real binary and transport.
	res := callTool(t, c, "list_events", map[string]any{"query": "purchase"})
	require.False(t, res.IsError, textOf(t, res))
	assert.Contains(t, textOf(t, res), "| Purchase |")
	var names []string
	for _, r := range srv.Requests() {
		if r.Path == mixpaneltest.QueryPrefix+"/events/names" {
			names = append(names, r.Query.Get("from_date"))
		}
	}
	require.Len(t, names, 2)
	assert.Equal(t, "2000-01-01", names[0])

	res = callTool(t, c, "list_subproperties", map[string]any{"property": "cart", "event": "Purchase"})
	require.False(t, res.IsError, textOf(t, res))
	assert.Contains(t, textOf(t, res), "| Price | number |")
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var subs struct {
		Subproperties []struct{ Name, Type string } `json:"subproperties"`
	}
	require.NoError(t, json.Unmarshal(raw, &subs))
	assert.Len(t, subs.Subproperties, 7)

	res = callTool(t, c, "get_schema_graph", map[string]any{"view": "orphans"})
	require.False(t, res.IsError, textOf(t, res))
	assert.Contains(t, textOf(t, res), "| legacy_campaign_id |")

	res = callTool(t, c, "list_properties", map[string]any{"event": "Purchse"})
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), `did you mean "Purchase"?`)

	res = callTool(t, c, "get_schema_graph", map[string]any{"view": "event_properties"})
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), `event: MG1: must be a non-empty string`)
}

func TestE2EProjectToolsPinnedWorkspaceOverHTTP(t *testing.T) {
	srv := mixpaneltest.New(t)
	hs := startHTTP(t, append(fakeEnv(t, srv), "MP_WORKSPACE_ID=3001"))
	c := hs.client(t, "")

	res := callTool(t, c, "get_active_project", map[string]any{})
	require.False(t, res.IsError, textOf(t, res))
	text := textOf(t, res)
	assert.Contains(t, text, `Project 12345 "ShopFast Production"`)
	assert.Contains(t, text, `Workspace 3001 "Web" is pinned`)
	assert.NotContains(t, text, mixpaneltest.Secret)

	res = callTool(t, c, "get_schema_graph", map[string]any{"view": "property_events", "property": "cart"})
	require.False(t, res.IsError, textOf(t, res))
	srv.LastRequest(t, mixpaneltest.AppPrefix+"/workspaces/3001/data-definitions/properties/")

	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.AppPrefix + "/me", Status: http.StatusForbidden, Body: `{"error":"missing scope"}`})
	res = callTool(t, c, "me", map[string]any{})
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), "user_details scope")
}

func TestE2EToolsetSelection(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "project")
	var names []string
	for _, tool := range listTools(t, c) {
		names = append(names, tool.Name)
	}
	assert.ElementsMatch(t, projectTools, names)
}
