package mixpanel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestLegacyRequestShapes checks method, path and every query parameter
// each legacy call sends, against the wire reference §4.5.
func TestLegacyRequestShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func(c *mixpanel.Client) error
		path string
		want url.Values
	}{
		{"segmentation", func(c *mixpanel.Client) error {
			_, err := c.Segmentation(ctx, mixpanel.SegmentationParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-03", Type: "unique", On: "$browser", Where: `properties["platform"] == "web"`})
			return err
		}, "/segmentation", url.Values{"event": {"Purchase"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-03"}, "unit": {"day"}, "type": {"unique"}, "on": {`properties["$browser"]`}, "where": {`properties["platform"] == "web"`}, "project_id": {mixpaneltest.ProjectID}}},
		{"funnel", func(c *mixpanel.Client) error {
			_, err := c.Funnel(ctx, mixpanel.FunnelParams{FunnelID: 7533, FromDate: "2026-11-01", ToDate: "2026-11-02", Length: 7, LengthUnit: "day"})
			return err
		}, "/funnels", url.Values{"funnel_id": {"7533"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "length": {"7"}, "length_unit": {"day"}, "project_id": {mixpaneltest.ProjectID}}},
		{"retention with unit", func(c *mixpanel.Client) error {
			_, err := c.Retention(ctx, mixpanel.RetentionParams{BornEvent: "Sign Up", Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-07", RetentionType: "birth", IntervalCount: 4, Unit: "week"})
			return err
		}, "/retention", url.Values{"born_event": {"Sign Up"}, "event": {"Purchase"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-07"}, "retention_type": {"birth"}, "interval_count": {"4"}, "unit": {"week"}, "project_id": {mixpaneltest.ProjectID}}},
		{"retention with interval sends no unit", func(c *mixpanel.Client) error {
			_, err := c.Retention(ctx, mixpanel.RetentionParams{BornEvent: "Sign Up", FromDate: "2026-11-01", ToDate: "2026-11-07", Interval: 3})
			return err
		}, "/retention", url.Values{"born_event": {"Sign Up"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-07"}, "interval": {"3"}, "project_id": {mixpaneltest.ProjectID}}},
		{"event counts", func(c *mixpanel.Client) error {
			_, err := c.EventCounts(ctx, mixpanel.EventCountsParams{Events: []string{"Login", "Purchase"}, FromDate: "2026-11-01", ToDate: "2026-11-02"})
			return err
		}, "/events", url.Values{"event": {`["Login","Purchase"]`}, "type": {"general"}, "unit": {"day"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "project_id": {mixpaneltest.ProjectID}}},
		{"property counts", func(c *mixpanel.Client) error {
			_, err := c.PropertyCounts(ctx, mixpanel.PropertyCountsParams{Event: "Purchase", PropertyName: "$browser", FromDate: "2026-11-01", ToDate: "2026-11-02", Values: []string{"Chrome"}, Limit: 5})
			return err
		}, "/events/properties", url.Values{"event": {"Purchase"}, "name": {"$browser"}, "type": {"general"}, "unit": {"day"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "values": {`["Chrome"]`}, "limit": {"5"}, "project_id": {mixpaneltest.ProjectID}}},
		{"frequency", func(c *mixpanel.Client) error {
			_, err := c.Frequency(ctx, mixpanel.FrequencyParams{Event: "App Open", FromDate: "2026-11-01", ToDate: "2026-11-02", AddictionUnit: "day"})
			return err
		}, "/retention/addiction", url.Values{"event": {"App Open"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "unit": {"day"}, "addiction_unit": {"day"}, "project_id": {mixpaneltest.ProjectID}}},
		{"numeric buckets", func(c *mixpanel.Client) error {
			_, err := c.NumericBuckets(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-02", On: "revenue", Type: "unique"})
			return err
		}, "/segmentation/numeric", url.Values{"event": {"Purchase"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "on": {`properties["revenue"]`}, "unit": {"day"}, "type": {"unique"}, "project_id": {mixpaneltest.ProjectID}}},
		{"numeric sum", func(c *mixpanel.Client) error {
			_, err := c.NumericSum(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-02", On: `number(properties["revenue"])`, Unit: "hour", Type: "ignored"})
			return err
		}, "/segmentation/sum", url.Values{"event": {"Purchase"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "on": {`number(properties["revenue"])`}, "unit": {"hour"}, "project_id": {mixpaneltest.ProjectID}}},
		{"numeric average", func(c *mixpanel.Client) error {
			_, err := c.NumericAverage(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-02", On: "revenue"})
			return err
		}, "/segmentation/average", url.Values{"event": {"Purchase"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-02"}, "on": {`properties["revenue"]`}, "unit": {"day"}, "project_id": {mixpaneltest.ProjectID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			require.NoError(t, tt.call(srv.Client(t)))
			req := srv.LastRequest(t, mixpaneltest.QueryPrefix+tt.path)
			assert.Equal(t, http.MethodGet, req.Method)
			assert.Equal(t, tt.want, req.Query)
			assert.Equal(t, "Basic", req.AuthType)
		})
	}
}

func TestSegmentationResult(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/segmentation", 200,
		`{"data":{"series":["2026-11-01","2026-11-02"],"values":{"Chrome":{"2026-11-01":10,"2026-11-02":5},"Safari":{"2026-11-01":2.5,"2026-11-02":0}}},"legend_size":2}`)
	res, err := srv.Client(t).Segmentation(context.Background(), mixpanel.SegmentationParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-02", On: "$browser"})
	require.NoError(t, err)
	assert.Equal(t, 17.5, res.Total)
	require.NotNil(t, res.SegmentProperty)
	assert.Equal(t, "$browser", *res.SegmentProperty)
	assert.Equal(t, "day", res.Unit)
	assert.Equal(t, 10.0, res.Series["Chrome"]["2026-11-01"])

	unsegmented, err := srv.Client(t).Segmentation(context.Background(), mixpanel.SegmentationParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-02"})
	require.NoError(t, err)
	assert.Nil(t, unsegmented.SegmentProperty)
	raw, err := json.Marshal(unsegmented)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "segment_property", "absent rather than null, so the output schema holds")
}

func TestParseLegacyFunnel(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantSteps []mixpanel.FunnelResultStep
		wantRate  float64
	}{
		{"steps summed over dates", `{"meta":{"dates":["2026-11-01","2026-11-02"]},"data":{
			"2026-11-01":{"steps":[{"count":100,"event":"View","goal":"View"},{"count":40,"goal":"Buy"}]},
			"2026-11-02":{"steps":[{"count":100,"event":"View"},{"count":10,"event":"Buy"}]}}}`,
			[]mixpanel.FunnelResultStep{{Event: "View", Count: 200, ConversionRate: 1}, {Event: "Buy", Count: 50, ConversionRate: 0.25}}, 0.25},
		{"segmented uses $overall", `{"data":{"2026-11-01":{"$overall":[{"count":8,"event":"A"},{"count":2,"event":"B"}],"Chrome":[{"count":5,"event":"A"},{"count":1,"event":"B"}]}}}`,
			[]mixpanel.FunnelResultStep{{Event: "A", Count: 8, ConversionRate: 1}, {Event: "B", Count: 2, ConversionRate: 0.25}}, 0.25},
		{"zero first step has no rate", `{"data":{"2026-11-01":{"steps":[{"count":0,"event":"A"},{"count":0}]}}}`,
			[]mixpanel.FunnelResultStep{{Event: "A", Count: 0, ConversionRate: 1}, {Event: "Step 2", Count: 0, ConversionRate: 0}}, 0},
		{"unknown shape is empty", `{"data":{"2026-11-01":{"other":1}}}`, []mixpanel.FunnelResultStep{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := mixpanel.ParseLegacyFunnel(json.RawMessage(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.wantSteps, res.Steps)
			assert.InDelta(t, tt.wantRate, res.ConversionRate, 1e-9)
		})
	}
	_, err := mixpanel.ParseLegacyFunnel(json.RawMessage(`[1]`))
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindResponse))
	assert.Contains(t, err.Error(), "mixpanel GET /funnels: 200 OK: unexpected answer")
}

func TestParseLegacyRetention(t *testing.T) {
	cohorts, err := mixpanel.ParseLegacyRetention(json.RawMessage(`{"2026-11-02":{"first":0,"counts":[0]},"2026-11-01":{"first":10,"counts":[9,7,6]}}`))
	require.NoError(t, err)
	require.Len(t, cohorts, 2)
	assert.Equal(t, "2026-11-01", cohorts[0].Date)
	assert.Equal(t, 10.0, cohorts[0].Size)
	assert.InDeltaSlice(t, []float64{0.9, 0.7, 0.6}, cohorts[0].Retention, 1e-9)
	assert.Equal(t, []float64{0}, cohorts[1].Retention)
}

func TestLegacyAnswersFromFake(t *testing.T) {
	ctx := context.Background()
	srv := mixpaneltest.New(t)
	c := srv.Client(t)

	f, err := c.Funnel(ctx, mixpanel.FunnelParams{FunnelID: 7533, FromDate: "2026-11-01", ToDate: "2026-11-03"})
	require.NoError(t, err)
	require.Len(t, f.Steps, 3)
	assert.Equal(t, "Product Viewed", f.Steps[0].Event)
	assert.Greater(t, f.Steps[0].Count, f.Steps[2].Count)
	assert.InDelta(t, f.Steps[2].Count/f.Steps[0].Count, f.ConversionRate, 1e-9)

	_, err = c.Funnel(ctx, mixpanel.FunnelParams{FunnelID: 999, FromDate: "2026-11-01", ToDate: "2026-11-03"})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindNotFound), "%v", err)

	r, err := c.Retention(ctx, mixpanel.RetentionParams{BornEvent: "Sign Up", FromDate: "2026-11-01", ToDate: "2026-11-03", IntervalCount: 3})
	require.NoError(t, err)
	require.Len(t, r.Cohorts, 3)
	assert.Len(t, r.Cohorts[0].Retention, 3)

	fr, err := c.Frequency(ctx, mixpanel.FrequencyParams{FromDate: "2026-11-01", ToDate: "2026-11-02"})
	require.NoError(t, err)
	assert.Nil(t, fr.Event)
	assert.Len(t, fr.Data["2026-11-01"], 24)

	sum, err := c.NumericSum(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2026-11-01", ToDate: "2026-11-02", On: "revenue"})
	require.NoError(t, err)
	assert.Len(t, sum.Results, 2)
	require.NotNil(t, sum.ComputedAt)

	_, err = c.Segmentation(ctx, mixpanel.SegmentationParams{Event: "Purchase", FromDate: "2026-11-05", ToDate: "2026-11-01"})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
}

func TestOnExpression(t *testing.T) {
	tests := map[string]string{
		"":                            "",
		"country":                     `properties["country"]`,
		`we"ird\name`:                 `properties["we\"ird\\name"]`,
		`properties["x"]`:             `properties["x"]`,
		`number(properties["price"])`: `number(properties["price"])`,
	}
	for in, want := range tests {
		assert.Equal(t, want, mixpanel.OnExpression(in), in)
	}
}

func TestActivityFeedPaginatesWithSentinel(t *testing.T) {
	ctx := context.Background()
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	params := mixpanel.ActivityFeedParams{DistinctIDs: []string{"user-003"}, FromDate: "2026-11-01", ToDate: "2026-11-24", Limit: 4}
	var all []mixpanel.UserEvent
	pages := 0
	for {
		page, err := c.ActivityFeed(ctx, params)
		require.NoError(t, err)
		pages++
		all = append(all, page.Events...)
		body := map[string]any{}
		srv.LastRequest(t, mixpaneltest.QueryPrefix+"/stream/bookmark").JSON(t, &body)
		if pages == 1 {
			assert.NotContains(t, body, "sentinel_event")
			assert.Equal(t, map[string]any{"dateRange": map[string]any{"type": "between", "from": "2026-11-01", "to": "2026-11-24"}, "entries": []any{}}, body["bookmark"])
			assert.Equal(t, "raw", body["mode"])
			assert.EqualValues(t, 12345, body["project_id"])
			assert.Empty(t, srv.LastRequest(t, mixpaneltest.QueryPrefix+"/stream/bookmark").Query.Get("project_id"), "project_id goes in the body only")
		} else {
			assert.JSONEq(t, string(params.SentinelEvent), mustJSON(t, body["sentinel_event"]))
		}
		if page.SentinelEvent == nil {
			break
		}
		assert.Len(t, page.Events, 4)
		params.SentinelEvent = page.SentinelEvent
		require.Less(t, pages, 50, "pagination does not end")
	}
	assert.Greater(t, pages, 2)
	var want int
	for _, e := range mixpaneltest.DefaultData().RawEvents {
		if e.DistinctID == "user-003" {
			want++
		}
	}
	assert.Len(t, all, want, "every event exactly once")
	for i := 1; i < len(all); i++ {
		assert.LessOrEqual(t, all[i-1].Time, all[i].Time, "oldest first")
	}
	assert.Equal(t, "user-003", all[0].Properties["$distinct_id"])
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return string(raw)
}

func TestUnixTime(t *testing.T) {
	assert.Equal(t, "2024-01-01T00:00:00Z", mixpanel.UnixTime(float64(1704067200)))
	assert.Equal(t, "2024-01-01T00:00:00Z", mixpanel.UnixTime(json.Number("1704067200000")))
	assert.Equal(t, "", mixpanel.UnixTime(nil))
	assert.Equal(t, "soon", mixpanel.UnixTime("soon"))
}

// TestLegacyResultShapes parses the wire reference's example answers of
// each legacy endpoint.
func TestLegacyResultShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		path, body string
		call       func(c *mixpanel.Client) (any, error)
		want       any
	}{
		{"/events", `{"data":{"series":["2024-01-01"],"values":{"Login":{"2024-01-01":12},"Purchase":{"2024-01-01":3}}},"legend_size":2}`,
			func(c *mixpanel.Client) (any, error) {
				return c.EventCounts(ctx, mixpanel.EventCountsParams{Events: []string{"Login", "Purchase"}, FromDate: "2024-01-01", ToDate: "2024-01-01", Type: "unique", Unit: "week"})
			},
			&mixpanel.EventCountsResult{Events: []string{"Login", "Purchase"}, FromDate: "2024-01-01", ToDate: "2024-01-01", Unit: "week", Type: "unique",
				Series: map[string]map[string]float64{"Login": {"2024-01-01": 12}, "Purchase": {"2024-01-01": 3}}}},
		{"/events/properties", `{"data":{"series":["2024-01-01"],"values":{"US":{"2024-01-01":150},"EU":{"2024-01-01":20}}},"legend_size":2}`,
			func(c *mixpanel.Client) (any, error) {
				return c.PropertyCounts(ctx, mixpanel.PropertyCountsParams{Event: "Signup", PropertyName: "country", FromDate: "2024-01-01", ToDate: "2024-01-01"})
			},
			&mixpanel.PropertyCountsResult{Event: "Signup", PropertyName: "country", FromDate: "2024-01-01", ToDate: "2024-01-01", Unit: "day", Type: "general",
				Series: map[string]map[string]float64{"US": {"2024-01-01": 150}, "EU": {"2024-01-01": 20}}}},
		{"/retention/addiction", `{"data":{"2024-01-01":[305,107,60]}}`,
			func(c *mixpanel.Client) (any, error) {
				return c.Frequency(ctx, mixpanel.FrequencyParams{FromDate: "2024-01-01", ToDate: "2024-01-01", AddictionUnit: "day"})
			},
			&mixpanel.FrequencyResult{FromDate: "2024-01-01", ToDate: "2024-01-01", Unit: "day", AddictionUnit: "day", Data: map[string][]float64{"2024-01-01": {305, 107, 60}}}},
		{"/segmentation/numeric", `{"data":{"series":["2024-01-01"],"values":{"0 - 100":{"2024-01-01":50}}},"legend_size":3}`,
			func(c *mixpanel.Client) (any, error) {
				return c.NumericBuckets(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2024-01-01", ToDate: "2024-01-01", On: "amount"})
			},
			&mixpanel.NumericBucketResult{Event: "Purchase", FromDate: "2024-01-01", ToDate: "2024-01-01", PropertyExpr: `properties["amount"]`, Unit: "day", Series: map[string]map[string]float64{"0 - 100": {"2024-01-01": 50}}}},
		{"/segmentation/sum", `{"status":"ok","computed_at":"2024-01-02T00:00:00","results":{"2024-01-01":15432.5}}`,
			func(c *mixpanel.Client) (any, error) {
				return c.NumericSum(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2024-01-01", ToDate: "2024-01-01", On: "amount"})
			},
			&mixpanel.NumericSumResult{Event: "Purchase", FromDate: "2024-01-01", ToDate: "2024-01-01", PropertyExpr: `properties["amount"]`, Unit: "day", Results: map[string]float64{"2024-01-01": 15432.5}, ComputedAt: sumComputedAt("2024-01-02T00:00:00")}},
		{"/segmentation/average", `{"status":"ok","results":{"2024-01-01":54.32}}`,
			func(c *mixpanel.Client) (any, error) {
				return c.NumericAverage(ctx, mixpanel.NumericParams{Event: "Purchase", FromDate: "2024-01-01", ToDate: "2024-01-01", On: "amount", Unit: "hour"})
			},
			&mixpanel.NumericAverageResult{Event: "Purchase", FromDate: "2024-01-01", ToDate: "2024-01-01", PropertyExpr: `properties["amount"]`, Unit: "hour", Results: map[string]float64{"2024-01-01": 54.32}}},
		{"/segmentation", `{"data":{"series":[],"values":{}},"legend_size":0}`,
			func(c *mixpanel.Client) (any, error) {
				return c.Segmentation(ctx, mixpanel.SegmentationParams{Event: "Nothing", FromDate: "2024-01-01", ToDate: "2024-01-01"})
			},
			&mixpanel.SegmentationResult{Event: "Nothing", FromDate: "2024-01-01", ToDate: "2024-01-01", Unit: "day", Series: map[string]map[string]float64{}}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+tt.path, 200, tt.body)
			got, err := tt.call(srv.Client(t))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func sumComputedAt(s string) *string { return &s }
