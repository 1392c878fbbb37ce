package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/demo"
)

// TestE2EDemoLegacyAndExport: over stdio in demo mode, the legacy
// segmentation, the raw export and the activity feed answer with the
// numbers a direct count over the generated events gives.
func TestE2EDemoLegacyAndExport(t *testing.T) {
	c := startStdio(t, cleanEnv(t), "--demo", "--toolsets", "legacy,export")
	local := time.Now().UTC().Add(-7 * time.Hour)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	from, to := today.AddDate(0, 0, -14), today.AddDate(0, 0, -1)
	fromS, toS := from.Format(time.DateOnly), to.Format(time.DateOnly)

	// Direct counts: Purchase events on iOS in the range, and one buyer's
	// events.
	purchases, buyer, buyerEvents := 0, "", 0
	for ev := range demo.New(local.Add(7 * time.Hour)).Events.All() {
		if ev.Time.Before(from) || !ev.Time.Before(to.AddDate(0, 0, 1)) {
			continue
		}
		if p, _ := ev.Prop("platform"); p == "ios" && ev.Name == "Purchase" {
			purchases++
			if buyer == "" {
				buyer = ev.DistinctID
			}
		}
		if ev.DistinctID == buyer {
			buyerEvents++
		}
	}
	require.NotZero(t, purchases)
	where := `properties["platform"] == "ios"`

	structured := func(name string, args map[string]any, out any) {
		t.Helper()
		res := callTool(t, c, name, args)
		require.False(t, res.IsError, textOf(t, res))
		raw, err := json.Marshal(res.StructuredContent)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, out), string(raw))
	}
	var seg struct {
		Total float64 `json:"total"`
	}
	structured("query_segmentation", map[string]any{"event": "Purchase", "from_date": fromS, "to_date": toS, "where": where}, &seg)
	assert.Equal(t, float64(purchases), seg.Total, "segmentation total")

	var exp struct {
		Count  int  `json:"count"`
		Capped bool `json:"capped"`
	}
	structured("export_events", map[string]any{"events": []string{"Purchase"}, "from_date": fromS, "to_date": toS, "where": where, "limit": 2000}, &exp)
	assert.Equal(t, purchases, exp.Count, "export rows")
	assert.False(t, exp.Capped)

	var feed struct {
		Events []struct {
			Event string `json:"event"`
		} `json:"events"`
	}
	structured("query_activity_feed", map[string]any{"distinct_ids": []string{buyer}, "from_date": fromS, "to_date": toS, "limit": 15000}, &feed)
	assert.Len(t, feed.Events, buyerEvents, "the buyer's events in the range")
}
