package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2EReportFromDryRun saves a query that was first run with dry_run as
// a report, through the built binary over stdio against the stateful fake:
// create it on a dashboard, list it, read it back, change it, read its
// history, delete it.
func TestE2EReportFromDryRun(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "query,discovery,reports,bookmarks,dashboards")

	dry := callTool(t, c, "query_retention", map[string]any{"born_event": "Sign Up", "return_event": "Purchase", "last": 28, "dry_run": true})
	require.False(t, dry.IsError, textOf(t, dry))
	var dryOut struct {
		Params map[string]any `json:"params"`
	}
	decodeStructured(t, dry.StructuredContent, &dryOut)

	dash := callTool(t, c, "create_dashboard", map[string]any{"title": "Retention"})
	require.False(t, dash.IsError, textOf(t, dash))
	var d struct{ Result struct{ ID int64 } }
	decodeStructured(t, dash.StructuredContent, &d)

	res := callTool(t, c, "create_bookmark", map[string]any{"name": "Buyers come back", "bookmark_type": "retention", "params": dryOut.Params, "dashboard_id": d.Result.ID})
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	var created struct {
		Action string `json:"action"`
		URL    string `json:"url"`
		Result struct {
			ID          int64          `json:"id"`
			Name        string         `json:"name"`
			Type        string         `json:"type"`
			Params      map[string]any `json:"params"`
			DashboardID int64          `json:"dashboard_id"`
		} `json:"result"`
	}
	decodeStructured(t, res.StructuredContent, &created)
	id := created.Result.ID
	assert.Equal(t, "created", created.Action)
	assert.Equal(t, fmt.Sprintf("https://mixpanel.com/project/12345/app/retention#report/%d", id), created.URL)
	assert.Contains(t, text, fmt.Sprintf(`Created report %d "Buyers come back".`, id))
	want, _ := json.Marshal(dryOut.Params)
	got, _ := json.Marshal(created.Result.Params)
	assert.JSONEq(t, string(want), string(got), "the dry run's params are the report's")
	assert.Equal(t, d.Result.ID, created.Result.DashboardID)

	list := callTool(t, c, "list_bookmarks", map[string]any{"type": "retention"})
	require.False(t, list.IsError, textOf(t, list))
	assert.Contains(t, textOf(t, list), fmt.Sprintf("| %d | Buyers come back | retention |", id))

	read := callTool(t, c, "get_bookmark", map[string]any{"bookmark_id": id})
	require.False(t, read.IsError, textOf(t, read))
	assert.Contains(t, textOf(t, read), "type: retention")
	assert.Contains(t, textOf(t, read), `params: {"`)

	linked := callTool(t, c, "bookmark_linked_dashboard_ids", map[string]any{"bookmark_id": id})
	require.False(t, linked.IsError, textOf(t, linked))
	assert.Contains(t, textOf(t, linked), fmt.Sprint(d.Result.ID))

	upd := callTool(t, c, "update_bookmark", map[string]any{"bookmark_id": id, "name": "Buyers return (weekly)",
		"retention": map[string]any{"born_event": "Sign Up", "return_event": "Purchase", "unit": "week", "last": 56}})
	require.False(t, upd.IsError, textOf(t, upd))
	assert.Contains(t, textOf(t, upd), fmt.Sprintf(`Updated report %d "Buyers return (weekly)".`, id))

	hist := callTool(t, c, "get_bookmark_history", map[string]any{"bookmark_id": id, "page_size": 1})
	require.False(t, hist.IsError, textOf(t, hist))
	assert.Contains(t, textOf(t, hist), "| updated |")
	assert.Contains(t, textOf(t, hist), "More: pass cursor 1")

	del := callTool(t, c, "delete_bookmark", map[string]any{"bookmark_id": id})
	require.False(t, del.IsError, textOf(t, del))
	assert.Contains(t, textOf(t, del), fmt.Sprintf("Deleted report %d.", id))

	gone := callTool(t, c, "get_bookmark", map[string]any{"bookmark_id": id})
	require.True(t, gone.IsError)
	assert.Contains(t, textOf(t, gone), "404")
}

// TestE2ECohortFromCriteria creates a cohort from criteria through the
// built binary over stdio, lists it, reads it and deletes it.
func TestE2ECohortFromCriteria(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "cohorts")

	res := callTool(t, c, "create_cohort", map[string]any{"name": "Repeat buyers", "description": "Bought twice in 30 days",
		"criteria": map[string]any{"all_of": []any{
			map[string]any{"criterion": "did_event", "event": "Purchase", "at_least": 2, "within_days": 30},
			map[string]any{"criterion": "has_property", "property": "plan", "value": "pro"},
		}}})
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	var created struct {
		URL    string `json:"url"`
		Result struct {
			ID int64 `json:"id"`
		} `json:"result"`
	}
	decodeStructured(t, res.StructuredContent, &created)
	id := created.Result.ID
	assert.Contains(t, text, fmt.Sprintf(`Created cohort %d "Repeat buyers".`, id))
	assert.Equal(t, fmt.Sprintf("https://mixpanel.com/project/12345/app/cohorts#id=%d", id), created.URL)

	// The criteria reached Mixpanel as the definition, merged into the body.
	stored := srv.Store.List("projects/12345", "cohorts")
	require.Len(t, stored, 1)
	behaviors, _ := stored[0]["behaviors"].(map[string]any)
	assert.Len(t, behaviors, 1, "one event criterion")
	assert.NotNil(t, stored[0]["selector"])

	list := callTool(t, c, "list_cohorts_full", map[string]any{})
	require.False(t, list.IsError, textOf(t, list))
	assert.Contains(t, textOf(t, list), fmt.Sprintf("| %d | Repeat buyers | Bought twice in 30 days |", id))

	read := callTool(t, c, "get_cohort", map[string]any{"cohort_id": id})
	require.False(t, read.IsError, textOf(t, read))
	assert.Contains(t, textOf(t, read), "name: Repeat buyers")

	del := callTool(t, c, "delete_cohort", map[string]any{"cohort_id": id})
	require.False(t, del.IsError, textOf(t, del))
	assert.Contains(t, textOf(t, del), fmt.Sprintf("Deleted cohort %d.", id))

	gone := callTool(t, c, "get_cohort", map[string]any{"cohort_id": id})
	require.True(t, gone.IsError)
	assert.Contains(t, textOf(t, gone), "404")
}
