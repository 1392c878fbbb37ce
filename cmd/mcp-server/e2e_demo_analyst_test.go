package main

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/demo"
)

// TestE2EDemoAnalystSession is an analyst's session over stdio against
// `--demo`: discover the events, run each query engine, open a replay
// summary, save a report to a new dashboard, read it back and run it. Every
// number is checked against a direct count over the same generated
// events (the demo depends only on the day it starts). The environment
// points every Mixpanel URL and the HTTP proxies at a loopback listener
// that counts connections: in demo mode it must see none.
func TestE2EDemoAnalystSession(t *testing.T) {
	trap, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { trap.Close() })
	var dialed atomic.Int64
	go func() {
		for {
			conn, err := trap.Accept()
			if err != nil {
				return
			}
			dialed.Add(1)
			conn.Close()
		}
	}()
	url := "http://" + trap.Addr().String()
	env := append(cleanEnv(t), "MP_USERNAME=real-user", "MP_SECRET=real-secret", "MP_PROJECT_ID=999",
		"MP_QUERY_URL="+url+"/api/query", "MP_EXPORT_URL="+url+"/api/2.0", "MP_ENGAGE_URL="+url+"/api/query/engage", "MP_APP_URL="+url+"/api/app",
		"HTTP_PROXY="+url, "HTTPS_PROXY="+url, "http_proxy="+url, "https_proxy="+url)
	c := startStdio(t, env, "--demo", "--toolsets", "discovery,query,replays,dashboards,bookmarks,reports")

	// The direct count, over the events the binary generated.
	started := time.Now()
	local := started.UTC().Add(-7 * time.Hour)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	from, to := today.AddDate(0, 0, -21), today.AddDate(0, 0, -1)
	fromS, toS := from.Format(time.DateOnly), to.Format(time.DateOnly)
	p := demo.New(started)
	signups, purchases := map[string]bool{}, 0
	for ev := range p.Events.All() {
		if ev.Time.Before(from) || !ev.Time.Before(to.AddDate(0, 0, 1)) {
			continue
		}
		switch ev.Name {
		case "Sign Up":
			signups[ev.DistinctID] = true
		case "Purchase":
			purchases++
		}
	}
	require.NotZero(t, len(signups))
	require.NotZero(t, purchases)

	call := func(name string, args map[string]any, out any) string {
		t.Helper()
		res := callTool(t, c, name, args)
		text := textOf(t, res)
		require.False(t, res.IsError, "%s: %s", name, text)
		if out != nil {
			decodeStructured(t, res.StructuredContent, out)
		}
		return text
	}

	// Discover: the events, the tracking bug's two spellings among them.
	text := call("list_events", map[string]any{}, nil)
	for _, name := range []string{"Sign Up", "Sign up", "Activate", "Start Trial", "Purchase", "Feature Used"} {
		assert.Contains(t, text, name)
	}

	// Insights: purchases in the range.
	insights := map[string]any{"events": []any{"Purchase"}, "math": "total", "mode": "total", "from_date": fromS, "to_date": toS}
	var ins struct {
		Result struct {
			Series map[string]map[string]float64 `json:"series"`
		} `json:"result"`
	}
	call("query_insights", insights, &ins)
	require.Len(t, ins.Result.Series, 1)
	for _, byKey := range ins.Result.Series {
		assert.Equal(t, float64(purchases), byKey["all"], "Insights total of Purchase")
	}

	// Funnel: its first step is the unique Sign Up users.
	var fun struct {
		Result struct {
			Steps []struct {
				Count float64 `json:"count"`
			} `json:"steps_data"`
		} `json:"result"`
	}
	call("query_funnel", map[string]any{"steps": []any{"Sign Up", "Activate"}, "from_date": fromS, "to_date": toS}, &fun)
	require.Len(t, fun.Result.Steps, 2)
	assert.Equal(t, float64(len(signups)), fun.Result.Steps[0].Count, "funnel step 1")
	assert.Greater(t, fun.Result.Steps[0].Count, fun.Result.Steps[1].Count)

	// Retention: the cohorts add up to the unique Sign Up users.
	var ret struct {
		Result struct {
			Cohorts map[string]struct {
				First float64 `json:"first"`
			} `json:"cohorts"`
		} `json:"result"`
	}
	call("query_retention", map[string]any{"born_event": "Sign Up", "return_event": "Feature Used", "retention_unit": "week", "from_date": fromS, "to_date": toS}, &ret)
	births := 0.0
	for _, cohort := range ret.Result.Cohorts {
		births += cohort.First
	}
	assert.Equal(t, float64(len(signups)), births, "retention cohort sizes")

	// Flows: the anchor counts the unique Sign Up users.
	var flow struct {
		Result struct {
			Steps []struct {
				Nodes []struct {
					Event      string  `json:"event"`
					Type       string  `json:"type"`
					TotalCount float64 `json:"total_count"`
				} `json:"nodes"`
			} `json:"steps"`
		} `json:"result"`
	}
	call("query_flow", map[string]any{"event": "Sign Up", "forward": 2, "from_date": fromS, "to_date": toS}, &flow)
	require.NotEmpty(t, flow.Result.Steps)
	require.NotEmpty(t, flow.Result.Steps[0].Nodes)
	anchor := flow.Result.Steps[0].Nodes[0]
	assert.Equal(t, "Sign Up", anchor.Event)
	assert.Equal(t, float64(len(signups)), anchor.TotalCount, "flow anchor")

	// Replays: the demo's, each found; one summary opened.
	replays := p.Replays()
	require.NotEmpty(t, replays)
	text = call("list_replays", map[string]any{}, nil)
	for _, rp := range replays {
		assert.Contains(t, text, rp.ID)
	}
	rp := replays[0]
	summary, err := readResource(t, c, "mixpanel://replays/"+rp.ID+"/summary")
	require.NoError(t, err)
	assert.Contains(t, summary, "- user: "+rp.DistinctID)
	assert.Contains(t, summary, "- recorded: "+time.UnixMilli(rp.StartTime).UTC().Format(time.RFC3339), "the recording is moved to the replay's start")
	// The Mixpanel events tracked during it: the user's, with its id.
	text = call("list_replay_events", map[string]any{"replay_ids": rp.ID, "event_properties": []string{"platform"}}, nil)
	require.NotEmpty(t, rp.Events)
	for _, ev := range rp.Events {
		assert.Contains(t, text, ev.Name)
	}

	// Save the Insights query as a report on a new dashboard, read it back.
	var dash struct {
		Result struct {
			ID int64 `json:"id"`
		} `json:"result"`
	}
	call("create_dashboard", map[string]any{"title": "Analyst session"}, &dash)
	var saved struct {
		Result struct {
			ID int64 `json:"id"`
		} `json:"result"`
	}
	call("create_bookmark", map[string]any{"name": "Purchases, last three weeks", "dashboard_id": dash.Result.ID, "insights": insights}, &saved)
	text = call("get_dashboard", map[string]any{"dashboard_id": dash.Result.ID}, nil)
	assert.Contains(t, text, "Purchases, last three weeks")
	text = call("get_bookmark", map[string]any{"bookmark_id": saved.Result.ID}, nil)
	assert.Contains(t, text, fmt.Sprintf(`"value":[%q,%q]`, fromS, toS), "the saved params keep the range")
	assert.True(t, strings.Contains(text, `"name":"Purchase"`), text)
	// Run by id, the saved report gives the direct count again.
	var run struct {
		Series map[string]map[string]float64 `json:"series"`
	}
	call("query_saved_report", map[string]any{"bookmark_id": saved.Result.ID}, &run)
	assert.Equal(t, float64(purchases), run.Series["Purchase [Total Events]"]["all"], "the saved report run by id")

	assert.Zero(t, dialed.Load(), "a demo request left the process")
}

// TestE2EDemoDataQuality: the Lexicon audit finds the demo's tracking bug
// ("Sign up" beside "Sign Up", with their volumes counted directly) and
// the unflagged email property.
func TestE2EDemoDataQuality(t *testing.T) {
	c := startStdio(t, cleanEnv(t), "--demo", "--toolsets", "lexicon")
	started := time.Now()
	res := callTool(t, c, "audit_lexicon_quality", map[string]any{"days": 30})
	text := textOf(t, res)
	require.False(t, res.IsError, text)
	var out struct {
		From     string `json:"from"`
		To       string `json:"to"`
		Findings []struct {
			Check   string `json:"check"`
			Kind    string `json:"kind"`
			Members []struct {
				Name   string `json:"name"`
				Volume int    `json:"volume"`
			} `json:"members"`
		} `json:"findings"`
	}
	decodeStructured(t, res.StructuredContent, &out)
	volume := map[string]int{}
	for ev := range demo.New(started).Events.All() {
		if day := ev.Time.Format(time.DateOnly); day >= out.From && day <= out.To {
			volume[ev.Name]++
		}
	}
	var dup, pii []string
	for _, f := range out.Findings {
		for _, m := range f.Members {
			switch {
			case f.Check == "duplicates" && f.Kind == "event":
				dup = append(dup, m.Name)
				assert.Equal(t, volume[m.Name], m.Volume, "volume of %s from %s to %s", m.Name, out.From, out.To)
			case f.Check == "pii":
				pii = append(pii, m.Name)
			}
		}
	}
	assert.ElementsMatch(t, []string{"Sign Up", "Sign up"}, dup, text)
	assert.Contains(t, pii, "email", text)
}
