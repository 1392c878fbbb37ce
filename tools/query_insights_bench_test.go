package tools

import (
	"encoding/json"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// bigInsightsResult is a 90-day, 20-segment Insights answer from the fake,
// parsed, with the size of the raw answer.
func bigInsightsResult(tb testing.TB) (*query.QueryResult, int) {
	tb.Helper()
	var q query.InsightsQuery
	if err := json.Unmarshal([]byte(`{"events": "Purchase", "math": "unique", "last": 90, "group_by": "country"}`), &q); err != nil {
		tb.Fatal(err)
	}
	params, err := q.Build(fixedNow)
	if err != nil {
		tb.Fatal(err)
	}
	var bookmark map[string]any
	raw, _ := json.Marshal(params)
	if err := json.Unmarshal(raw, &bookmark); err != nil {
		tb.Fatal(err)
	}
	answer, err := mixpaneltest.InsightsAnswer(bookmark, fixedNow)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := json.Marshal(answer)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := query.ParseInsights(body, params)
	if err != nil {
		tb.Fatal(err)
	}
	return res, len(body)
}

// TestInsightsRenderSize prints how much smaller the model's text is than
// the raw answer for a 90-day x 20-segment result, and checks the shape.
func TestInsightsRenderSize(t *testing.T) {
	res, rawSize := bigInsightsResult(t)
	if n := len(res.Rows()); n != 90*20 {
		t.Fatalf("rows = %d, want 1800", n)
	}
	text := RenderInsights(res, 0, 0)
	all := RenderInsights(res, insightsMaxRowsPerPage, 0)
	t.Logf("90 days x 20 segments: raw answer %d bytes; default text %d bytes (%.0f%% of raw); all 90 rows %d bytes",
		rawSize, len(text), 100*float64(len(text))/float64(rawSize), len(all))
	if len(all) >= rawSize {
		t.Errorf("text (%d bytes) is not smaller than the raw answer (%d bytes)", len(all), rawSize)
	}
}

func BenchmarkRenderInsights90x20(b *testing.B) {
	res, _ := bigInsightsResult(b)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(RenderInsights(res, 0, 0))
	}
	b.ReportMetric(float64(n), "text-bytes")
}

func BenchmarkParseAndRenderInsights90x20(b *testing.B) {
	res, size := bigInsightsResult(b)
	body, _ := json.Marshal(map[string]any{"computed_at": res.ComputedAt, "date_range": map[string]any{"from_date": res.FromDate, "to_date": res.ToDate}, "headers": res.Headers, "series": res.Series, "meta": res.Meta})
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		r, err := query.ParseInsights(body, res.Params)
		if err != nil {
			b.Fatal(err)
		}
		_ = RenderInsights(r, 0, 0)
	}
}
