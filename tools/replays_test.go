//go:build schemagen

package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestListReplaysTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tests := []struct {
		name    string
		args    string
		want    []string
		text    []string
		wantErr string
	}{
		{name: "a user", args: `{"distinct_id":"jane.doe@acme.io"}`,
			want: []string{mixpaneltest.ReplayCheckout, mixpaneltest.ReplayLogin, mixpaneltest.ReplayAgedOut},
			text: []string{"3 session replays of user jane.doe@acme.io in the last 90 days", "| replay_id | distinct_id | started | retention_days |", "| r-checkout-91bc | jane.doe@acme.io |"}},
		{name: "one id as a bare string", args: `{"replay_ids":"r-rage-3d21"}`, want: []string{mixpaneltest.ReplayRage}, text: []string{"1 requested ids"}},
		{name: "a period", args: `{"from_date":"2026-11-24","to_date":"2026-11-24"}`, want: []string{mixpaneltest.ReplayAgedOut}, text: []string{"the project from 2026-11-24 to 2026-11-24"}},
		{name: "both selectors", args: `{"distinct_id":"a","replay_ids":["b"]}`, wantErr: "distinct_id: MG5: give distinct_id or replay_ids, not both"},
		{name: "bad date", args: `{"from_date":"yesterday"}`, wantErr: `from_date: V8: "yesterday" is not a YYYY-MM-DD date`},
		{name: "to without from", args: `{"to_date":"2026-11-01"}`, wantErr: "to_date: V9: needs from_date"},
		{name: "limit too big", args: `{"limit":5000}`, wantErr: "limit: MG6: must be between 1 and 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			res := callTool(t, env, "list_replays", tt.args)
			if tt.wantErr != "" {
				assert.Contains(t, mustFail(t, res), tt.wantErr)
				assert.Len(t, srv.Requests(), before, "no request for bad input")
				return
			}
			text := mustOK(t, res)
			var out ReplayList
			structured(t, res, &out)
			var ids []string
			for _, s := range out.Replays {
				ids = append(ids, s.ReplayID)
			}
			assert.Equal(t, tt.want, ids)
			for _, s := range tt.text {
				assert.Contains(t, text, s)
			}
		})
	}
}

// TestFetchReplayTool also measures the figure the design asks for: the
// size of a replay's default tool result against its raw rrweb.
func TestFetchReplayTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "fetch_replay", `{"replay_id":"r-login-7f3a"}`)
	text := mustOK(t, res)
	var out ReplayResult
	structured(t, res, &out)
	assert.Equal(t, "jane.doe@acme.io", out.DistinctID)
	assert.Equal(t, 228, out.EventCount)
	assert.Nil(t, out.RRWebEvents, "no raw rrweb by default")
	require.Len(t, out.Errors, 1)
	assert.Equal(t, "Login failed: password missing", out.Errors[0].Message)
	require.Len(t, out.PagePath, 4)
	assert.True(t, strings.HasSuffix(out.PagePath[0], "/login"))
	for _, want := range []string{"# Replay r-login-7f3a", "- user: jane.doe@acme.io", "## Timeline", "Clicked button \"Sign in\"", "Login failed: password missing"} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "Focused", "focus halves of clicks are left out of the timeline")
	assert.NotContains(t, text, `"type":2`, "no raw rrweb in the text")

	structuredJSON, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	raw, err := mixpaneltest.RecordingBytes(srv.Data.Replays[0])
	require.NoError(t, err)
	result := len(text) + len(structuredJSON)
	t.Logf("replay %s: default result %d bytes (text %d + structured %d) vs raw rrweb %d bytes: %.1f%%",
		out.ReplayID, result, len(text), len(structuredJSON), raw, 100*float64(result)/float64(raw))
	assert.Less(t, result*5, raw, "the default result is under a fifth of the raw recording")
}

func TestFetchReplayToolRaw(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "fetch_replay", `{"replay_id":"r-rage-3d21","include_raw":true,"max_raw_bytes":20000,"retention_days":7}`)
	text := mustOK(t, res)
	var out ReplayResult
	structured(t, res, &out)
	assert.True(t, out.RawTruncated)
	require.NotEmpty(t, out.RRWebEvents)
	size := 2
	for _, e := range out.RRWebEvents {
		size += len(e) + 1
	}
	assert.LessOrEqual(t, size, 20000)
	assert.Contains(t, text, fmt.Sprintf("Raw rrweb: %d events in structuredContent.rrweb_events, cut at max_raw_bytes (the recording has 127 events)", len(out.RRWebEvents)))
	assert.NotContains(t, text, `"timestamp"`)

	res = callTool(t, env, "fetch_replay", `{"replay_id":"r-rage-3d21","include_raw":true,"max_raw_bytes":5000000}`)
	mustOK(t, res)
	var all ReplayResult
	structured(t, res, &all)
	assert.False(t, all.RawTruncated)
	assert.Len(t, all.RRWebEvents, 127)
}

func TestFetchReplayToolErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tests := []struct {
		name, args string
		want       []string
	}{
		{"missing id", `{}`, []string{"replay_id: MG1: missing required argument"}},
		{"blank id", `{"replay_id":" "}`, []string{"replay_id: MG1: must be a non-empty string"}},
		{"bad retention", `{"replay_id":"r","retention_days":14}`, []string{"retention_days: X1: 14 is not valid; use one of 1, 7, 30, 90"}},
		{"raw cap without raw", `{"replay_id":"r","max_raw_bytes":5000}`, []string{"max_raw_bytes: MG5: only applies with include_raw=true"}},
		{"too many properties", `{"replay_id":"r","include_events":true,"event_properties":["a","b","c","d","e","f"]}`, []string{"event_properties: MG6: at most 5"}},
		{"aged out", `{"replay_id":"r-aged-out-aa00"}`, []string{"replay r-aged-out-aa00 not found on the CDN", "retention window (1 days)"}},
		{"native mobile", `{"replay_id":"r-ios-native-0b12"}`, []string{"not an rrweb event stream", "mobile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := mustFail(t, callTool(t, env, "fetch_replay", tt.args))
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
		})
	}

	srv.Data.ReplaySensitiveData = true
	text := mustFail(t, callTool(t, env, "fetch_replay", `{"replay_id":"r-login-7f3a","retention_days":30}`))
	assert.Contains(t, text, "sensitive_data_replay")
}

func TestFetchReplaysTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	ids := `["r-login-7f3a","r-rage-3d21","r-checkout-91bc"]`
	tests := []struct {
		name  string
		args  string
		check func(t *testing.T, out ReplayAnalysis, text string)
	}{
		{"summary of a user's replays", `{"distinct_id":"jane.doe@acme.io"}`, func(t *testing.T, out ReplayAnalysis, text string) {
			assert.Equal(t, []string{mixpaneltest.ReplayCheckout, mixpaneltest.ReplayLogin}, out.ReplayIDs)
			require.Len(t, out.Failures, 1)
			assert.Equal(t, mixpaneltest.ReplayAgedOut, out.Failures[0].ReplayID)
			assert.Contains(t, text, "# Bundle summary")
			assert.Contains(t, text, "- replays: 2")
			assert.Contains(t, text, "Not fetched: r-aged-out-aa00: replay r-aged-out-aa00 not found on the CDN")
		}},
		{"sessions", `{"replay_ids":` + ids + `,"analysis":"sessions"}`, func(t *testing.T, out ReplayAnalysis, text string) {
			require.Len(t, out.Sessions, 3)
			assert.Contains(t, text, "sessions of 3 replays")
			assert.Contains(t, text, "| replay_id | distinct_id | started (UTC) |")
		}},
		{"top clicks", `{"replay_ids":` + ids + `,"analysis":"top_clicks","n":3}`, func(t *testing.T, out ReplayAnalysis, text string) {
			require.Len(t, out.TopClicks, 3)
			assert.GreaterOrEqual(t, out.TopClicks[0].Count, out.TopClicks[1].Count)
		}},
		{"rage clicks", `{"replay_ids":` + ids + `,"analysis":"rage_clicks"}`, func(t *testing.T, out ReplayAnalysis, text string) {
			require.NotEmpty(t, out.RageClicks)
			assert.Equal(t, mixpaneltest.ReplayRage, out.RageClicks[0].ReplayID)
			assert.Contains(t, text, "Export")
		}},
		{"long pauses", `{"replay_ids":"r-phone-5e77","analysis":"long_pauses"}`, func(t *testing.T, out ReplayAnalysis, text string) {
			require.Len(t, out.LongPauses, 2, "two idle stretches of 11-12 s")
		}},
		{"elements, most clicked first", `{"replay_ids":` + ids + `,"analysis":"elements","n":2}`, func(t *testing.T, out ReplayAnalysis, text string) {
			require.Len(t, out.Elements, 2)
			assert.GreaterOrEqual(t, out.Elements[0].NClicks, out.Elements[1].NClicks)
		}},
		{"error sessions", `{"replay_ids":` + ids + `,"analysis":"error_sessions"}`, func(t *testing.T, out ReplayAnalysis, text string) {
			assert.ElementsMatch(t, []string{mixpaneltest.ReplayLogin, mixpaneltest.ReplayRage}, out.Matching)
			assert.Contains(t, text, "2 of 3 replays match")
		}},
		{"find pattern", `{"replay_ids":` + ids + `,"analysis":"find_pattern","pattern":"navigate:Navigated to http://127.0.0.1:46773/docs@http://127.0.0.1:46773/docs"}`, func(t *testing.T, out ReplayAnalysis, text string) {
			assert.Equal(t, []string{mixpaneltest.ReplayRage}, out.Matching)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := callTool(t, env, "fetch_replays", tt.args)
			text := mustOK(t, res)
			var out ReplayAnalysis
			structured(t, res, &out)
			tt.check(t, out, text)
		})
	}

	for args, want := range map[string]string{
		`{"analysis":"find_pattern"}`:                       "pattern: MG1: this analysis needs the action labels",
		`{"analysis":"heatmap"}`:                            `analysis: X1: "heatmap" is not valid; use one of summary, sessions`,
		`{"replay_ids":"r","distinct_id":"u"}`:              "give replay_ids or distinct_id, not both",
		`{"limit":51}`:                                      "limit: MG6: must be between 1 and 50",
		`{"threshold":1,"analysis":"rage_clicks"}`:          "threshold: MG6: must be 2 or more",
		`{"from_date":"2026-11-10","to_date":"2026-11-01"}`: "from_date: V15: 2026-11-10 is after to_date 2026-11-01; swap them",
		`{"window_ms":-5}`:                                  "window_ms: MG6: must be positive (got -5); omit it for 1000",
		`{"threshold_s":-1}`:                                "threshold_s: MG6: must be positive (got -1); omit it for 10",
	} {
		assert.Contains(t, mustFail(t, callTool(t, env, "fetch_replays", args)), want, args)
	}
}

func TestListReplayEventsTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "list_replay_events", `{"replay_ids":["r-rage-3d21","r-login-7f3a"],"event_properties":"plan"}`)
	text := mustOK(t, res)
	var out ReplayEventList
	structured(t, res, &out)
	require.Len(t, out.Events, 8)
	assert.Equal(t, mixpaneltest.ReplayRage, out.Events[0].ReplayID, "in the order of replay_ids")
	assert.Equal(t, map[string]any{"plan": "free"}, out.Events[0].Properties)
	assert.Contains(t, text, "8 Mixpanel events during the replays")
	assert.Contains(t, text, `| r-rage-3d21 |`)
	assert.Contains(t, text, `{"plan":"free"}`)

	assert.Contains(t, mustFail(t, callTool(t, env, "list_replay_events", `{"replay_ids":[]}`)), "replay_ids: MG1: give at least one replay id")
}

// TestFetchReplaysProgress calls fetch_replays through an MCP server with
// a progress token and collects the notifications.
func TestFetchReplaysProgress(t *testing.T) {
	srv := mixpaneltest.New(t)
	s := server.NewMCPServer("t", "1", server.WithToolCapabilities(false))
	require.NoError(t, AddTo(s, testEnv(t, srv), Selection{Toolsets: []string{string(ToolsetReplays)}}))
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	_, err = c.Initialize(ctx, init)
	require.NoError(t, err)

	var mu sync.Mutex
	var notes []map[string]any
	c.OnNotification(func(n mcp.JSONRPCNotification) {
		if n.Method != "notifications/progress" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		notes = append(notes, n.Params.AdditionalFields)
	})
	req := mcp.CallToolRequest{}
	req.Params.Name = "fetch_replays"
	req.Params.Arguments = map[string]any{"replay_ids": []string{"r-login-7f3a", "r-rage-3d21", "r-checkout-91bc"}, "analysis": "sessions"}
	req.Params.Meta = &mcp.Meta{ProgressToken: "tok-1"}
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err)
	require.False(t, res.IsError)

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(notes) == 4
	}, 2e9, 1e7, "a start notification and one per replay")
	mu.Lock()
	defer mu.Unlock()
	var done []float64
	for _, n := range notes {
		assert.Equal(t, "tok-1", n["progressToken"])
		assert.EqualValues(t, 3, n["total"])
		var p float64
		_, err := fmt.Sscan(fmt.Sprint(n["progress"]), &p)
		require.NoError(t, err)
		done = append(done, p)
	}
	assert.ElementsMatch(t, []float64{0, 1, 2, 3}, done)
}

func TestFetchReplaysCancellation(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := Lookup("fetch_replays").Call(ctx, env, json.RawMessage(`{"replay_ids":["r-login-7f3a","r-rage-3d21"],"analysis":"sessions"}`))
	assert.Equal(t, "cancelled", mustFail(t, res))
}

func TestReplayToolsKeepSignaturesOut(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	var texts []string
	for _, call := range []struct{ name, args string }{
		{"fetch_replay", `{"replay_id":"r-login-7f3a","include_events":true}`},
		{"fetch_replay", `{"replay_id":"r-aged-out-aa00"}`},
		{"fetch_replays", `{"distinct_id":"jane.doe@acme.io","analysis":"summary"}`},
	} {
		res := callTool(t, env, call.name, call.args)
		raw, err := json.Marshal(res)
		require.NoError(t, err)
		texts = append(texts, string(raw))
	}
	var secrets []string
	for _, r := range srv.Requests() {
		if sig := r.Query.Get("Signature"); sig != "" {
			secrets = append(secrets, sig, r.Query.Get("URLPrefix"))
		}
	}
	require.NotEmpty(t, secrets)
	for _, s := range secrets {
		for _, tx := range texts {
			assert.NotContains(t, tx, s)
		}
	}
}

func FuzzReplayToolArgs(f *testing.F) {
	for _, seed := range []string{
		`{"replay_id":"r-1","include_raw":true,"max_raw_bytes":5000}`,
		`{"replay_ids":"r-1","analysis":"find_pattern","pattern":["click:a@/x"]}`,
		`{"distinct_id":"u","from_date":"2026-01-01","to_date":"2026-01-31","limit":10}`,
		`{"replay_ids":["a","b"],"event_properties":"plan"}`,
		`{"content":"# x","level":"organization","organization_id":7}`,
		`{"limit":-1}`, `{"content":"  "}`, `{"threshold":1}`, `[]`, `null`, `{"replay_ids":{}}`,
	} {
		f.Add([]byte(seed))
	}
	// One problem reads "field: ...", several "N problems ...:\n- field: ...".
	fieldFirst := regexp.MustCompile(`^([a-z_]+: |\d+ problems with the arguments:\n- [a-z_]+: )`)
	f.Fuzz(func(t *testing.T, args []byte) {
		for _, check := range []func(json.RawMessage) (bool, error){decodeValidate[ListReplaysInput], decodeValidate[FetchReplayInput], decodeValidate[FetchReplaysInput], decodeValidate[ListReplayEventsInput], decodeValidate[SetBusinessContextInput], decodeValidate[GetBusinessContextInput]} {
			if decodeErr, err := check(args); err != nil && !decodeErr && !fieldFirst.MatchString(err.Error()) {
				t.Fatalf("%q does not start with the field it is about", err)
			}
		}
	})
}
