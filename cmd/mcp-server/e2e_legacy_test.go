package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// structuredOf decodes a result's structuredContent.
func structuredOf(t *testing.T, res *mcp.CallToolResult, v any) {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, v), "%s", raw)
}

// TestE2ELegacyReportsUsersExport calls the read tools of the reports,
// legacy, users and export toolsets through the real binary over stdio
// (the reports toolset's writes have their own end-to-end test).
func TestE2ELegacyReportsUsersExport(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "reports,legacy,users,export", "--read-only")

	listed := map[string]bool{}
	for _, tool := range listTools(t, c) {
		listed[tool.Name] = true
		assert.True(t, *tool.Annotations.ReadOnlyHint, tool.Name)
		assert.False(t, *tool.Annotations.DestructiveHint, tool.Name)
	}
	tests := []struct {
		tool string
		args map[string]any
		text string
		key  string // a key structuredContent must carry
	}{
		{"query_saved_report", map[string]any{"bookmark_id": 63880001}, "Saved report 63880001 (insights)", "series"},
		{"query_saved_report", map[string]any{"bookmark_id": "63880003", "bookmark_type": "funnels"}, "(funnel)", "headers"},
		{"query_saved_flows", map[string]any{"bookmark_id": 63880005}, "overall conversion 31.0%", "overall_conversion_rate"},
		{"query_segmentation", map[string]any{"event": "Purchase", "on": "$browser", "from_date": "2026-11-01", "to_date": "2026-11-07"}, "Segmentation of \"Purchase\"", "segment_property"},
		{"query_saved_funnel", map[string]any{"funnel_id": 7533, "from_date": "2026-11-01", "to_date": "2026-11-07"}, "| 3 | Purchase |", "steps"},
		{"query_legacy_retention", map[string]any{"born_event": "Sign Up", "interval_count": 3, "from_date": "2026-11-01", "to_date": "2026-11-03"}, "| cohort | size |", "cohorts"},
		{"query_event_counts", map[string]any{"events": []string{"Login", "Purchase"}, "from_date": "2026-11-01", "to_date": "2026-11-03"}, "| date |", "series"},
		{"query_property_counts", map[string]any{"event": "Purchase", "property": "$browser", "from_date": "2026-11-01", "to_date": "2026-11-03"}, "per value of $browser", "property_name"},
		{"query_frequency", map[string]any{"from_date": "2026-11-01", "to_date": "2026-11-02"}, "users active in N hours", "addiction_unit"},
		{"query_numeric_segmentation", map[string]any{"event": "Purchase", "property": "revenue", "aggregate": "average", "from_date": "2026-11-01", "to_date": "2026-11-02"}, "Average of", "average"},
		{"query_activity_feed", map[string]any{"distinct_ids": "user-003", "from_date": "2026-11-01", "to_date": "2026-11-24", "limit": 3}, "sentinel_event=", "sentinel_event"},
		{"query_user", map[string]any{"where": map[string]any{"property": "plan", "operator": "equals", "value": "pro"}, "properties": []string{"plan"}, "limit": 3}, "| distinct_id | plan |", "profiles"},
		{"query_user", map[string]any{"mode": "aggregate", "aggregate": "numeric_summary", "aggregate_property": "purchases"}, "numeric_summary(properties[\"purchases\"])", "aggregate_data"},
		{"export_events", map[string]any{"from_date": "2026-11-01", "to_date": "2026-11-24", "limit": 3}, "Capped at limit=3", "events"},
		{"export_profiles", map[string]any{"limit": 2}, "Exported 2 profiles of 60 matching", "profiles"},
	}
	for _, tt := range tests {
		t.Run(tt.tool, func(t *testing.T) {
			require.True(t, listed[tt.tool], "%s is listed", tt.tool)
			res := callTool(t, c, tt.tool, tt.args)
			text := textOf(t, res)
			require.False(t, res.IsError, text)
			assert.Contains(t, text, tt.text)
			var m map[string]any
			structuredOf(t, res, &m)
			assert.Contains(t, m, tt.key)
		})
	}

	res := callTool(t, c, "query_user", map[string]any{"distinct_id": "a", "distinct_ids": []string{"b"}})
	assert.True(t, res.IsError)
	assert.Contains(t, textOf(t, res), "distinct_id: U1:")
}

// TestE2EActivityFeedPaging pages through a user's activity over MCP,
// passing sentinel_event back as the model would.
func TestE2EActivityFeedPaging(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "legacy")
	args := map[string]any{"distinct_ids": []string{"user-006"}, "from_date": "2026-11-01", "to_date": "2026-11-24", "limit": 4}
	total := 0
	for page := 0; ; page++ {
		require.Less(t, page, 30)
		res := callTool(t, c, "query_activity_feed", args)
		require.False(t, res.IsError, textOf(t, res))
		var out struct {
			Events        []map[string]any `json:"events"`
			SentinelEvent map[string]any   `json:"sentinel_event"`
		}
		structuredOf(t, res, &out)
		total += len(out.Events)
		if out.SentinelEvent == nil {
			break
		}
		args["sentinel_event"] = out.SentinelEvent
	}
	want := 0
	for _, e := range mixpaneltest.DefaultData().RawEvents {
		if e.DistinctID == "user-006" {
			want++
		}
	}
	assert.Equal(t, want, total)
}

// TestE2EExportHugeStream runs export_events in the binary against a
// 500 MB synthetic export: the call returns its rows and the fake stops
// writing because the server closed the stream.
func TestE2EExportHugeStream(t *testing.T) {
	srv := mixpaneltest.New(t)
	x := mixpaneltest.NewSyntheticExport(500<<20, true)
	srv.Data.Export = x
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "export")
	res := callTool(t, c, "export_events", map[string]any{"from_date": "2026-11-01", "to_date": "2026-11-24", "limit": 1000})
	require.False(t, res.IsError, textOf(t, res))
	var out struct {
		Count  int  `json:"count"`
		Capped bool `json:"capped"`
	}
	structuredOf(t, res, &out)
	assert.Equal(t, 1000, out.Count)
	assert.True(t, out.Capped)
	require.True(t, x.Wait(10*time.Second))
	assert.Less(t, x.Written(), int64(32<<20), "the fake wrote %d bytes", x.Written())
}

// TestE2EUsersOverHTTP runs query_user over streamable HTTP.
func TestE2EUsersOverHTTP(t *testing.T) {
	srv := mixpaneltest.New(t)
	hs := startHTTP(t, fakeEnv(t, srv), "--toolsets", "users")
	c := hs.client(t, "")
	res := callTool(t, c, "query_user", map[string]any{"cohort": 1001, "mode": "aggregate"})
	require.False(t, res.IsError, textOf(t, res))
	assert.Contains(t, textOf(t, res), "Profile aggregate count(): ")
	var body map[string]any
	srv.LastRequest(t, mixpaneltest.EngagePrefix+"/stats").JSON(t, &body)
	assert.Equal(t, `{"id":1001}`, body["filter_by_cohort"])
}
