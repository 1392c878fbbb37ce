package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// TestLiveSmoke checks the wire format against a real Mixpanel project:
// it starts the built binary read-only with the caller's credentials and
// calls a few read-only tools, each of which decodes Mixpanel's answer
// strictly (an unexpected shape is an error result, not a silent empty
// one). It never writes. Opt in with MP_LIVE=1 plus the usual settings:
//
//	MP_LIVE=1 MP_USERNAME=... MP_SECRET=... MP_PROJECT_ID=... MP_REGION=us \
//	  go test ./cmd/mcp-server -run TestLiveSmoke -v
//
// (MP_OAUTH_TOKEN instead of MP_USERNAME/MP_SECRET works too; MP_REGION
// defaults to us.)
func TestLiveSmoke(t *testing.T) {
	if os.Getenv("MP_LIVE") != "1" {
		t.Skip("live smoke test: set MP_LIVE=1 with MP_USERNAME/MP_SECRET (or MP_OAUTH_TOKEN), MP_PROJECT_ID and MP_REGION to run it against a real Mixpanel project")
	}
	serviceAccount := os.Getenv("MP_USERNAME") != "" && os.Getenv("MP_SECRET") != ""
	if !serviceAccount && os.Getenv("MP_OAUTH_TOKEN") == "" || os.Getenv("MP_PROJECT_ID") == "" {
		t.Skip("live smoke test: MP_LIVE=1 needs MP_USERNAME and MP_SECRET (or MP_OAUTH_TOKEN) and MP_PROJECT_ID")
	}
	env := cleanEnv(t)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MP_") {
			env = append(env, kv)
		}
	}
	c := startStdio(t, env, "--read-only")

	for _, tool := range listTools(t, c) {
		assert.True(t, *tool.Annotations.ReadOnlyHint, "%s is served read-only", tool.Name)
	}

	var events struct {
		Events []string `json:"events"`
		Total  int      `json:"total"`
	}
	res := callTool(t, c, "list_events", map[string]any{"limit": 20})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &events)
	require.NotEmpty(t, events.Events, "the project has no events; the smoke test needs a project with data")
	assert.GreaterOrEqual(t, events.Total, len(events.Events))

	// The top event of today, or the first known event on a quiet day.
	var top struct {
		Events []mixpanel.TopEvent `json:"events"`
	}
	res = callTool(t, c, "list_top_events", map[string]any{"limit": 5})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &top)
	event := events.Events[0]
	if len(top.Events) > 0 {
		event = top.Events[0].Event
		for _, e := range top.Events {
			assert.NotEmpty(t, e.Event)
			assert.GreaterOrEqual(t, e.Count, 0.0)
		}
	}
	t.Logf("event under test: %q", event)

	var props struct {
		Event      string `json:"event"`
		Properties []struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	res = callTool(t, c, "list_properties", map[string]any{"event": event, "limit": 20})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &props)
	assert.Equal(t, event, props.Event)
	for _, p := range props.Properties {
		assert.NotEmpty(t, p.Name)
	}

	var insights struct {
		Result struct {
			FromDate string                    `json:"from_date"`
			ToDate   string                    `json:"to_date"`
			Series   map[string]map[string]any `json:"series"`
		} `json:"result"`
	}
	res = callTool(t, c, "query_insights", map[string]any{"events": event, "last": 7})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &insights)
	assert.NotEmpty(t, insights.Result.FromDate)
	assert.NotEmpty(t, insights.Result.ToDate)
	require.Len(t, insights.Result.Series, 1, "one metric, no breakdown")
	for label, byDate := range insights.Result.Series {
		assert.Contains(t, label, event)
		assert.LessOrEqual(t, len(byDate), 8, "7 days (and at most one partial day) by day")
		for date, v := range byDate {
			_, isNumber := v.(float64)
			assert.True(t, isNumber, "%s on %s is %T, not a number", label, date, v)
		}
	}

	var bookmarks struct {
		Bookmarks []mixpanel.BookmarkInfo `json:"bookmarks"`
	}
	res = callTool(t, c, "list_bookmarks", map[string]any{"limit": 5})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &bookmarks)
	for _, b := range bookmarks.Bookmarks {
		assert.Positive(t, b.ID)
		assert.NotEmpty(t, b.Type, "bookmark %d", b.ID)
	}

	var users struct {
		Profiles []mixpanel.Profile `json:"profiles"`
	}
	res = callTool(t, c, "query_user", map[string]any{"limit": 1})
	require.False(t, res.IsError, textOf(t, res))
	structuredOf(t, res, &users)
	assert.LessOrEqual(t, len(users.Profiles), 1)
	for _, p := range users.Profiles {
		assert.NotEmpty(t, p.DistinctID)
	}
}
