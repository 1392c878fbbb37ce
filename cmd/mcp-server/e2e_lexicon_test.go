package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2ELexicon runs the lexicon toolset through the built binary over
// stdio against the stateful fake: an update read back, and a quality
// audit that finds a planted near-duplicate and an event no longer sent.
func TestE2ELexicon(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.Events = append(srv.Data.Events,
		mixpaneltest.Event{Name: "sign_up", Description: "Old SDK name"},
		mixpaneltest.Event{Name: "Banner Click", Description: "Retired banner"})
	srv.Data.DailyCounts = map[string]map[string]int{"Banner Click": {}}
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "lexicon")

	call := func(name string, args map[string]any) string {
		t.Helper()
		res := callTool(t, c, name, args)
		text := textOf(t, res)
		require.False(t, res.IsError, "%s: %s", name, text)
		return text
	}
	text := call("update_event_definition", map[string]any{"name": "Login", "description": "A user signed in", "hidden": true})
	assert.Contains(t, text, `Updated event 9002 "Login".`)
	assert.Contains(t, text, "https://mixpanel.com/project/12345/app/lexicon#events/9002")
	text = call("get_event_definitions", map[string]any{"names": []string{"Login"}})
	assert.Contains(t, text, "| 9002 | Login | A user signed in | true |")

	text = call("audit_lexicon_quality", map[string]any{"checks": []string{"duplicates", "stale"}, "days": 7})
	assert.Contains(t, text, "duplicates, event: near-duplicate names (spacing)")
	assert.Contains(t, text, "| sign_up |")
	assert.Contains(t, text, "| Sign Up |")
	assert.Contains(t, text, "stale, event: no events from")
	assert.Contains(t, text, "| Banner Click |")
}
