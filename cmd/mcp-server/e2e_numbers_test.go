package main

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestE2ENumbersFromTheFake checks that the numbers a model gets through the
// binary are the ones the fake serves, computed here from the fake's own
// data (its daily counts, and its seeded LegacyCount for events without
// them), not copied from an earlier run.
func TestE2ENumbersFromTheFake(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := startStdio(t, fakeEnv(t, srv), "--toolsets", "legacy")
	days := []string{"2026-11-01", "2026-11-02", "2026-11-03"}
	data := mixpaneltest.DefaultData()

	// Event counts: the fake answers DailyCounts when it has them, else a
	// seeded count per event and day.
	events := []string{"Login", "Purchase"}
	res := callTool(t, c, "query_event_counts", map[string]any{"events": events, "from_date": days[0], "to_date": days[2]})
	require.False(t, res.IsError, textOf(t, res))
	var counts struct {
		Series map[string]map[string]float64 `json:"series"`
	}
	structuredOf(t, res, &counts)
	want := map[string]map[string]float64{}
	for _, e := range events {
		want[e] = map[string]float64{}
		for _, d := range days {
			n := mixpaneltest.LegacyCount(10, 300, e, d, "general")
			if daily, ok := data.DailyCounts[e]; ok {
				n = daily[d]
			}
			want[e][d] = float64(n)
		}
	}
	assert.Equal(t, want, counts.Series)
	text := textOf(t, res)
	for _, e := range events {
		assert.Contains(t, text, e)
	}

	// Segmentation without a segment property: one series named after the
	// event (seeded by the type and where the server sent), and a total
	// that is the sum of its days.
	res = callTool(t, c, "query_segmentation", map[string]any{"event": "Purchase", "from_date": days[0], "to_date": days[2]})
	require.False(t, res.IsError, textOf(t, res))
	var seg struct {
		Total  float64                       `json:"total"`
		Series map[string]map[string]float64 `json:"series"`
	}
	structuredOf(t, res, &seg)
	q := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/segmentation").Query
	total := 0.0
	wantSeg := map[string]float64{}
	for _, d := range days {
		n := float64(mixpaneltest.LegacyCount(10, 200, "Purchase", "Purchase", d, q.Get("type"), q.Get("where")))
		wantSeg[d] = n
		total += n
	}
	assert.Equal(t, map[string]map[string]float64{"Purchase": wantSeg}, seg.Series)
	assert.Equal(t, total, seg.Total)
	assert.Contains(t, textOf(t, res), "total "+strconv.Itoa(int(total)))
}
