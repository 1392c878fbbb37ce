package tools

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestExportEventsTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	res := callTool(t, env, "export_events", `{"from_date":"2026-11-01","to_date":"2026-11-24","events":"Purchase","where":"properties[\"currency\"] == \"USD\"","limit":4,"properties":["revenue"]}`)
	text := mustOK(t, res)
	var out ExportEventsOutput
	structured(t, res, &out)
	assert.Equal(t, 4, out.Count)
	assert.Len(t, out.Events, 4)
	assert.True(t, out.Capped, "more purchases match than 4")
	assert.Contains(t, text, "| time | event | distinct_id | revenue |")
	assert.Contains(t, text, "Capped at limit=4")
	req := srv.LastRequest(t, mixpaneltest.ExportPrefix+"/export")
	assert.Equal(t, "5", req.Query.Get("limit"), "one more than asked, to detect capping")
	assert.Equal(t, `["Purchase"]`, req.Query.Get("event"))

	all := callTool(t, env, "export_events", `{"from_date":"2026-11-01","to_date":"2026-11-24","events":["Purchase"],"limit":2000}`)
	var full ExportEventsOutput
	structured(t, all, &full)
	assert.False(t, full.Capped)
	assert.Greater(t, full.Count, 4)
	assert.NotContains(t, mustOK(t, all), "Capped")
}

func TestExportEventsToolValidation(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	for args, want := range map[string]string{
		`{}`:                          "limit: MG1: missing required argument",
		`{"limit":0}`:                 "limit: X1:",
		`{"limit":2001}`:              "limit must be between 1 and 2000",
		`{"limit":5,"events":[""]}`:   "events[0]: X5:",
		`{"limit":5,"to_date":"bad"}`: "to_date: V8:",
	} {
		assert.Contains(t, mustFail(t, callTool(t, env, "export_events", args)), want, args)
	}
	assert.Empty(t, srv.Requests())
}

// TestExportEventsToolHugeStream serves a 500 MB synthetic export: the tool
// returns its 1000 rows and the fake stops writing soon after.
func TestExportEventsToolHugeStream(t *testing.T) {
	srv := mixpaneltest.New(t)
	x := mixpaneltest.NewSyntheticExport(500<<20, false)
	srv.Data.Export = x
	res := callTool(t, testEnv(t, srv), "export_events", `{"from_date":"2026-11-01","to_date":"2026-11-24","limit":1000}`)
	text := mustOK(t, res)
	var out ExportEventsOutput
	structured(t, res, &out)
	assert.Equal(t, 1000, out.Count)
	assert.True(t, out.Capped)
	assert.Positive(t, out.SkippedLines, "the synthetic stream mixes in malformed lines")
	assert.Contains(t, text, "800 more rows (showing 1–200 of 1000); every row is in structuredContent.")
	require.True(t, x.Wait(10e9))
	assert.Less(t, x.Written(), int64(32<<20), "the fake wrote %d bytes", x.Written())
}

func TestExportProfilesTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.EngagePageSize = 4
	env := testEnv(t, srv)
	res := callTool(t, env, "export_profiles", `{"cohort_id":1000,"properties":["plan","purchases"],"limit":6}`)
	text := mustOK(t, res)
	var out ExportProfilesOutput
	structured(t, res, &out)
	assert.Equal(t, 6, out.Count)
	assert.True(t, out.Capped)
	assert.Greater(t, out.Matching, 6)
	for _, p := range out.Profiles {
		assert.GreaterOrEqual(t, p.Properties["purchases"], 3.0, "cohort 1000 is 3+ purchases")
	}
	assert.Contains(t, text, "| distinct_id | plan | purchases |")
	var pages int
	for _, r := range srv.Requests() {
		if r.Path == mixpaneltest.EngagePrefix {
			pages++
		}
	}
	assert.Equal(t, 2, pages, "stops paging once it has limit+1 profiles")

	small := callTool(t, env, "export_profiles", `{"where":"properties[\"plan\"] == \"enterprise\" and properties[\"purchases\"] >= 6","limit":100}`)
	var s ExportProfilesOutput
	structured(t, small, &s)
	assert.False(t, s.Capped)
	assert.NotContains(t, mustOK(t, small), "Capped")
}

func TestSavedReportTool(t *testing.T) {
	tests := []struct {
		args     string
		path     string
		typ      string
		contains []string
	}{
		{`{"bookmark_id":63880001}`, "/insights", "insights", []string{"Saved report 63880001 (insights)", "App Open [Unique Users]", "Totals:", "| date | "}},
		{`{"bookmark_id":63880003,"bookmark_type":"funnels","from_date":"2026-11-01","to_date":"2026-11-10"}`, "/funnels", "funnel", []string{"(funnel), 2026-11-01 to 2026-11-10: overall conversion ", "| 1 | Product Viewed |"}},
		{`{"bookmark_id":63880004,"bookmark_type":"retention"}`, "/retention", "retention", []string{"(retention)", "| cohort | size |"}},
		{`{"bookmark_id":63880005,"bookmark_type":"flows"}`, "/arb_funnels", "flows", []string{"(flows)", "| 1 | Sign Up | ANCHOR | 1000 |"}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), "query_saved_report", tt.args)
			text := mustOK(t, res)
			for _, c := range tt.contains {
				assert.Contains(t, text, c)
			}
			assert.NotContains(t, text, "T00:00:00", "midnight date-times show as days")
			assert.Equal(t, 1, strings.Count(text, "Saved report"), "one header line")
			var out mixpanel.SavedReportResult
			structured(t, res, &out)
			assert.Equal(t, tt.typ, out.ReportType)
			srv.LastRequest(t, mixpaneltest.QueryPrefix+tt.path)
		})
	}
}

func TestSavedReportToolErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	assert.Contains(t, mustFail(t, callTool(t, env, "query_saved_report", `{"bookmark_id":63880001,"from_date":"2026-11-01"}`)), "dates only apply to funnels")
	assert.Contains(t, mustFail(t, callTool(t, env, "query_saved_report", `{"bookmark_id":63880001,"bookmark_type":"cohorts"}`)), "bookmark_type: X1:")
	text := mustFail(t, callTool(t, env, "query_saved_report", `{"bookmark_id":404}`))
	assert.Contains(t, text, "404")
	assert.Contains(t, text, "list the entities first", "the API error's hint")
}

func TestSavedFlowsTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "query_saved_flows", `{"bookmark_id":63880005}`)
	text := mustOK(t, res)
	assert.True(t, strings.HasPrefix(text, "Saved flows 63880005: overall conversion 31.0%"), text)
	var out mixpanel.FlowsResult
	structured(t, res, &out)
	assert.Len(t, out.Steps, 3)
	assert.Equal(t, "flows_sankey", srv.LastRequest(t, mixpaneltest.QueryPrefix+"/arb_funnels").Query.Get("query_type"))
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"overall_conversion_rate":0.31`)
}

// BenchmarkExportEventsTool500MB is the figure of export_events: a 500 MB
// export read with limit 1000 through the tool. It reports the peak heap
// growth while the call ran (sampled every 2 ms) and the bytes the fake
// wrote before the tool closed the stream.
func BenchmarkExportEventsTool500MB(b *testing.B) {
	var peakMax uint64
	var written int64
	for b.Loop() {
		srv := mixpaneltest.New(b)
		x := mixpaneltest.NewSyntheticExport(500<<20, false)
		srv.Data.Export = x
		env := NewEnv(srv.Client(b), nil, zerolog.Nop())
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		res := Lookup("export_events").Call(context.Background(), env, json.RawMessage(`{"from_date":"2026-11-01","to_date":"2026-11-24","limit":1000}`))
		close(stop)
		<-done
		if res.IsError {
			b.Fatalf("export_events failed: %v", res.Content)
		}
		x.Wait(10 * time.Second)
		if p := peak.Load(); p > base.HeapInuse {
			peakMax = max(peakMax, p-base.HeapInuse)
		}
		written = x.Written()
	}
	b.ReportMetric(float64(peakMax)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(written)/(1<<20), "fake-wrote-MiB")
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven char", 10, "eleven ..."},
		{"ééééééééééé", 10, "ééééééé..."},
		{"日本語のテキストです長い", 8, "日本語のテ..."},
	}
	for _, tt := range tests {
		got := clip(tt.in, tt.n)
		assert.Equal(t, tt.want, got, tt.in)
		assert.True(t, utf8.ValidString(got), tt.in)
	}
	assert.Equal(t, "", propCell(nil))
	assert.Equal(t, `{"a":1}`, propCell(map[string]any{"a": 1}))
	assert.Equal(t, "a="+strings.Repeat("é", 37)+"...", compactProps(map[string]any{"a": strings.Repeat("é", 50)}, 4))
}

func TestCollect(t *testing.T) {
	var items []int
	capped := false
	keep := collect(context.Background(), 2, "test", &items, &capped)
	assert.True(t, keep(1))
	assert.True(t, keep(2))
	assert.False(t, capped, "limit reached but nothing more seen yet")
	assert.False(t, keep(3))
	assert.True(t, capped)
	assert.Equal(t, []int{1, 2}, items)
}

// FuzzClip checks clip's promises on any text: at most n characters, valid
// UTF-8 kept valid, and the text itself when it fits.
func FuzzClip(f *testing.F) {
	for _, s := range []string{"", "short", "ééééééééééé", "日本語のテキストです長い", "a\xffb" + strings.Repeat("x", 50)} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = 3 + int(uint(n)%100)
		got := clip(s, n)
		if utf8.RuneCountInString(s) <= n {
			if got != s {
				t.Fatalf("clip(%q, %d) = %q; it fits", s, n, got)
			}
			return
		}
		if c := utf8.RuneCountInString(got); c != n {
			t.Fatalf("clip(%q, %d) has %d characters", s, n, c)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("clip(%q, %d) = %q breaks UTF-8", s, n, got)
		}
	})
}
