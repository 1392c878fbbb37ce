package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/demo"
)

// TestE2EDemo is a short analyst session over stdio against `--demo`, with
// no account and no Mixpanel: discover the events (the tracking bug's two
// spellings among them), run Insights, a funnel and a flow over a closed range that
// ends yesterday, and check the numbers against a direct count over the
// same generated events (the demo depends only on the day it starts).
func TestE2EDemo(t *testing.T) {
	c := startStdio(t, cleanEnv(t), "--demo")
	local := time.Now().UTC().Add(-7 * time.Hour)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	from, to := today.AddDate(0, 0, -21), today.AddDate(0, 0, -1)
	fromS, toS := from.Format(time.DateOnly), to.Format(time.DateOnly)

	// The direct count: users and events of Sign Up on iOS in the range.
	signups, signupEvents := map[string]bool{}, 0
	for ev := range demo.New(local.Add(7 * time.Hour)).Events.All() {
		if ev.Name != "Sign Up" || ev.Time.Before(from) || !ev.Time.Before(to.AddDate(0, 0, 1)) {
			continue
		}
		if p, _ := ev.Prop("platform"); p == "ios" {
			signups[ev.DistinctID] = true
			signupEvents++
		}
	}
	require.NotZero(t, len(signups))

	events := callTool(t, c, "list_events", map[string]any{})
	text := textOf(t, events)
	require.False(t, events.IsError, text)
	for _, name := range []string{"Sign Up", "Sign up", "Activate", "Start Trial", "Purchase", "Page View"} {
		assert.Contains(t, text, name)
	}

	where := map[string]any{"property": "platform", "operator": "equals", "value": []any{"ios"}}
	for math, want := range map[string]int{"unique": len(signups), "total": signupEvents} {
		res := callTool(t, c, "query_insights", map[string]any{"events": []any{"Sign Up"}, "math": math, "from_date": fromS, "to_date": toS, "mode": "total", "where": where})
		text := textOf(t, res)
		require.False(t, res.IsError, text)
		assert.Contains(t, text, fmt.Sprint(want), "%s: %s", math, text)
		var out struct {
			Result struct {
				Series map[string]map[string]float64 `json:"series"`
			} `json:"result"`
		}
		raw, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &out), string(raw))
		got := -1.0
		for _, byDate := range out.Result.Series {
			got = byDate["all"]
		}
		assert.Equal(t, float64(want), got, "%s Sign Up on iOS: %s", math, raw)
	}

	funnel := callTool(t, c, "query_funnel", map[string]any{"steps": []any{"Sign Up", "Activate", "Purchase"}, "from_date": fromS, "to_date": toS, "where": where})
	text = textOf(t, funnel)
	require.False(t, funnel.IsError, text)
	raw, err := json.Marshal(funnel.StructuredContent)
	require.NoError(t, err)
	var fo struct {
		Result struct {
			Steps []struct {
				Count float64 `json:"count"`
			} `json:"steps_data"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &fo), string(raw))
	require.Len(t, fo.Result.Steps, 3, string(raw))
	assert.Equal(t, float64(len(signups)), fo.Result.Steps[0].Count, "funnel step 1 is the unique Sign Up users: %s", text)
	assert.Greater(t, fo.Result.Steps[0].Count, fo.Result.Steps[1].Count)
	assert.Greater(t, fo.Result.Steps[1].Count, fo.Result.Steps[2].Count)

	flow := callTool(t, c, "query_flow", map[string]any{"event": "Sign Up", "forward": 2, "from_date": fromS, "to_date": toS, "where": where})
	text = textOf(t, flow)
	require.False(t, flow.IsError, text)
	raw, err = json.Marshal(flow.StructuredContent)
	require.NoError(t, err)
	var fl struct {
		Result struct {
			Steps []struct {
				Nodes []struct {
					Event      string `json:"event"`
					Type       string `json:"type"`
					TotalCount int64  `json:"total_count"`
				} `json:"nodes"`
			} `json:"steps"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &fl), string(raw))
	require.Len(t, fl.Result.Steps, 3, string(raw))
	anchor := fl.Result.Steps[0].Nodes
	require.Len(t, anchor, 1, string(raw))
	assert.Equal(t, "ANCHOR", anchor[0].Type)
	assert.Equal(t, int64(len(signups)), anchor[0].TotalCount, "the flow's anchor is the unique Sign Up users: %s", text)
}

// TestE2EDemoSandbox: management writes land in the demo's in-memory
// store and read back within the process.
func TestE2EDemoSandbox(t *testing.T) {
	c := startStdio(t, cleanEnv(t), "--demo", "--toolsets", "dashboards")
	created := callTool(t, c, "create_dashboard", map[string]any{"title": "Demo KPIs"})
	require.False(t, created.IsError, textOf(t, created))
	listed := callTool(t, c, "list_dashboards", map[string]any{})
	require.False(t, listed.IsError, textOf(t, listed))
	assert.Contains(t, textOf(t, listed), "Demo KPIs")
}
