package mixpanel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestQuerySavedReportPerType(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		params     mixpanel.SavedReportParams
		path       string
		query      map[string]string
		reportType string
		headers    []string
	}{
		{"insights", mixpanel.SavedReportParams{BookmarkID: 63880001}, "/insights",
			map[string]string{"bookmark_id": "63880001"}, "insights", []string{"$event"}},
		{"funnels default range", mixpanel.SavedReportParams{BookmarkID: 63880003, Type: "funnels", Now: now}, "/funnels",
			map[string]string{"funnel_id": "63880003", "from_date": "2026-10-26", "to_date": "2026-11-25"}, "funnel", []string{"$funnel"}},
		{"funnels to_date capped at today", mixpanel.SavedReportParams{BookmarkID: 63880003, Type: "funnels", FromDate: "2026-11-10", Now: now}, "/funnels",
			map[string]string{"funnel_id": "63880003", "from_date": "2026-11-10", "to_date": "2026-11-25"}, "funnel", []string{"$funnel"}},
		{"retention", mixpanel.SavedReportParams{BookmarkID: 63880004, Type: "retention"}, "/retention",
			map[string]string{"bookmark_id": "63880004"}, "retention", []string{"$retention"}},
		{"flows", mixpanel.SavedReportParams{BookmarkID: 63880005, Type: "flows"}, "/arb_funnels",
			map[string]string{"bookmark_id": "63880005", "query_type": "flows_sankey"}, "flows", []string{"$flows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res, err := srv.Client(t).QuerySavedReport(context.Background(), tt.params)
			require.NoError(t, err)
			req := srv.LastRequest(t, mixpaneltest.QueryPrefix+tt.path)
			assert.Equal(t, http.MethodGet, req.Method)
			for k, v := range tt.query {
				assert.Equal(t, v, req.Query.Get(k), k)
			}
			assert.Equal(t, tt.params.BookmarkID, res.BookmarkID)
			assert.Equal(t, tt.reportType, res.ReportType)
			assert.Equal(t, tt.headers, res.Headers)
			assert.True(t, json.Valid(res.Series))
			if tt.reportType != "flows" {
				assert.NotEmpty(t, res.FromDate)
				assert.LessOrEqual(t, res.FromDate, res.ToDate)
			}
		})
	}
}

func TestSavedReportErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	_, err := c.QuerySavedReport(context.Background(), mixpanel.SavedReportParams{BookmarkID: 1, Type: "insights"})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindNotFound), "%v", err)
	_, err = c.QuerySavedReport(context.Background(), mixpanel.SavedReportParams{BookmarkID: 1, Type: "cohorts"})
	assert.ErrorContains(t, err, "unknown type")

	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/insights", 200, `{"error":"bookmark params invalid"}`)
	_, err = c.QuerySavedReport(context.Background(), mixpanel.SavedReportParams{BookmarkID: 63880001})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
	assert.ErrorContains(t, err, "bookmark params invalid")

	srv = mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/arb_funnels", 200, `{"error":{"msg":"flows broken"}}`)
	_, err = srv.Client(t).QuerySavedFlows(context.Background(), 63880005)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
	assert.ErrorContains(t, err, "saved flows 63880005: mixpanel GET /arb_funnels: 200 OK: msg: flows broken")

	srv = mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/arb_funnels", 200, `{"computed_at":"2026-11-25T00:00:00Z","error":null}`)
	flows, err := srv.Client(t).QuerySavedFlows(context.Background(), 63880005)
	require.NoError(t, err)
	assert.NotNil(t, flows.Steps, "an empty answer encodes steps as []")
	assert.NotNil(t, flows.Breakdowns)
	assert.NotNil(t, flows.Metadata)
}

func TestDetectReportType(t *testing.T) {
	tests := map[string][]string{
		"insights":  {"$event"},
		"retention": {"$retention", "$funnel"},
		"funnel":    {"x", "$funnel"},
		"flows":     {"$flows"},
	}
	for want, headers := range tests {
		assert.Equal(t, want, mixpanel.DetectReportType(headers))
	}
	assert.Equal(t, "insights", mixpanel.DetectReportType(nil))
}

func TestQuerySavedFlows(t *testing.T) {
	srv := mixpaneltest.New(t)
	res, err := srv.Client(t).QuerySavedFlows(context.Background(), 63880005)
	require.NoError(t, err)
	assert.Equal(t, int64(63880005), res.BookmarkID)
	assert.InDelta(t, 0.31, res.OverallConversionRate, 1e-9)
	assert.Len(t, res.Steps, 3)
	assert.NotEmpty(t, res.ComputedAt)
	raw, err := json.Marshal(res)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"overall_conversion_rate":0.31`)

	_, err = srv.Client(t).QuerySavedFlows(context.Background(), 63880001)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "an insights bookmark is not a flow: %v", err)
}

func TestFunnelDefaultRange(t *testing.T) {
	now := time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)
	tests := []struct{ from, to, wantFrom, wantTo string }{
		{"", "", "2026-10-26", "2026-11-25"},
		{"", "2026-11-01", "2026-10-02", "2026-11-01"},
		{"2026-09-01", "", "2026-09-01", "2026-10-01"},
		{"2026-11-20", "", "2026-11-20", "2026-11-25"},
		{"2026-01-01", "2026-12-31", "2026-01-01", "2026-11-25"},
	}
	for _, tt := range tests {
		from, to := mixpanel.FunnelDefaultRange(tt.from, tt.to, now)
		assert.Equal(t, tt.wantFrom, from, "%+v", tt)
		assert.Equal(t, tt.wantTo, to, "%+v", tt)
	}
}
