//go:build schemagen

package tools

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestLegacyTools runs each legacy tool against the fake and checks the
// request it sent, its structured result and its table.
func TestLegacyTools(t *testing.T) {
	tests := []struct {
		tool, args string
		path       string
		query      url.Values // expected parameters (a subset)
		text       []string
		check      func(t *testing.T, raw json.RawMessage)
	}{
		{"query_segmentation", `{"event":"Purchase","on":"$browser","type":"unique","from_date":"2026-11-01","to_date":"2026-11-05"}`,
			"/segmentation", url.Values{"event": {"Purchase"}, "on": {`properties["$browser"]`}, "type": {"unique"}, "unit": {"day"}, "from_date": {"2026-11-01"}, "to_date": {"2026-11-05"}},
			[]string{`Segmentation of "Purchase" by day, 2026-11-01 to 2026-11-05`, "| date | ", "| 2026-11-05 |", "Totals:"},
			func(t *testing.T, raw json.RawMessage) {
				var r mixpanel.SegmentationResult
				require.NoError(t, json.Unmarshal(raw, &r))
				assert.Len(t, r.Series, 4)
				assert.Equal(t, "$browser", *r.SegmentProperty)
				assert.Positive(t, r.Total)
			}},
		{"query_segmentation", `{"event":"Purchase"}`,
			"/segmentation", url.Values{"from_date": {"2026-10-27"}, "to_date": {"2026-11-25"}},
			[]string{"2026-10-27 to 2026-11-25"}, nil},
		{"query_saved_funnel", `{"funnel_id":7533,"from_date":"2026-11-01","to_date":"2026-11-07","length":7,"length_unit":"day"}`,
			"/funnels", url.Values{"funnel_id": {"7533"}, "length": {"7"}, "length_unit": {"day"}},
			[]string{"Funnel 7533, 2026-11-01 to 2026-11-07: overall conversion", "| 1 | Product Viewed |", "| 3 | Purchase |"},
			func(t *testing.T, raw json.RawMessage) {
				var r mixpanel.FunnelResult
				require.NoError(t, json.Unmarshal(raw, &r))
				require.Len(t, r.Steps, 3)
				assert.Equal(t, 1.0, r.Steps[0].ConversionRate)
				assert.InDelta(t, r.Steps[2].Count/r.Steps[0].Count, r.ConversionRate, 1e-9)
			}},
		{"query_legacy_retention", `{"born_event":"Sign Up","event":"Purchase","interval_count":3,"unit":"week","from_date":"2026-11-01","to_date":"2026-11-21"}`,
			"/retention", url.Values{"born_event": {"Sign Up"}, "event": {"Purchase"}, "interval_count": {"3"}, "unit": {"week"}},
			[]string{`Retention of "Sign Up" then "Purchase" by week`, "| cohort | size | week 1 | week 2 | week 3 |"},
			func(t *testing.T, raw json.RawMessage) {
				var r mixpanel.RetentionResult
				require.NoError(t, json.Unmarshal(raw, &r))
				require.NotEmpty(t, r.Cohorts)
				assert.Len(t, r.Cohorts[0].Retention, 3)
			}},
		{"query_legacy_retention", `{"born_event":"Sign Up","interval":7,"interval_count":2,"from_date":"2026-11-01","to_date":"2026-11-14"}`,
			"/retention", url.Values{"interval": {"7"}, "unit": nil},
			[]string{`Retention of "Sign Up" then "any event" by 7-day period`, "| cohort | size | period 1 | period 2 |"}, nil},
		{"query_event_counts", `{"events":"Purchase","from_date":"2026-11-01","to_date":"2026-11-03","type":"unique"}`,
			"/events", url.Values{"event": {`["Purchase"]`}, "type": {"unique"}},
			[]string{"Event counts (unique) by day", "| date | Purchase |"}, nil},
		{"query_property_counts", `{"event":"Purchase","property":"$browser","values":["Chrome","Safari"],"top":5,"from_date":"2026-11-01","to_date":"2026-11-02"}`,
			"/events/properties", url.Values{"name": {"$browser"}, "values": {`["Chrome","Safari"]`}, "limit": {"5"}},
			[]string{"per value of $browser", "Chrome", "Safari"},
			func(t *testing.T, raw json.RawMessage) {
				var r mixpanel.PropertyCountsResult
				require.NoError(t, json.Unmarshal(raw, &r))
				assert.Len(t, r.Series, 2)
				assert.Equal(t, "$browser", r.PropertyName)
			}},
		{"query_frequency", `{"event":"App Open","addiction_unit":"day","from_date":"2026-11-01","to_date":"2026-11-02"}`,
			"/retention/addiction", url.Values{"event": {"App Open"}, "addiction_unit": {"day"}, "unit": {"day"}},
			[]string{`Frequency of "App Open": users active in N days per day`, "| period | 1 day |"}, nil},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","from_date":"2026-11-01","to_date":"2026-11-02"}`,
			"/segmentation/numeric", url.Values{"on": {`properties["revenue"]`}},
			[]string{"by ranges of properties[\"revenue\"]", "| date | 0 - 50 | 50 - 100 | 100 - 150 | 150 - 200 |"},
			func(t *testing.T, raw json.RawMessage) {
				var r NumericSegmentationOutput
				require.NoError(t, json.Unmarshal(raw, &r))
				require.NotNil(t, r.Buckets)
				assert.Nil(t, r.Sum)
			}},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","aggregate":"sum","unit":"hour","from_date":"2026-11-01","to_date":"2026-11-01"}`,
			"/segmentation/sum", url.Values{"unit": {"hour"}},
			[]string{"Sum of properties[\"revenue\"]", "| period | sum |"}, nil},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","aggregate":"average","from_date":"2026-11-01","to_date":"2026-11-02"}`,
			"/segmentation/average", url.Values{"event": {"Purchase"}},
			[]string{"Average of properties[\"revenue\"]"},
			func(t *testing.T, raw json.RawMessage) {
				var r NumericSegmentationOutput
				require.NoError(t, json.Unmarshal(raw, &r))
				require.NotNil(t, r.Average)
				assert.Len(t, r.Average.Results, 2)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.args, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), tt.tool, tt.args)
			text := mustOK(t, res)
			for _, want := range tt.text {
				assert.Contains(t, text, want)
			}
			req := srv.LastRequest(t, mixpaneltest.QueryPrefix+tt.path)
			for k, v := range tt.query {
				assert.Equal(t, v, req.Query[k], k)
			}
			if tt.check != nil {
				raw, err := json.Marshal(res.StructuredContent)
				require.NoError(t, err)
				tt.check(t, raw)
			}
		})
	}
}

func TestLegacyValidation(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	tests := []struct {
		tool, args string
		want       []string
	}{
		{"query_segmentation", `{"event":" ","unit":"year","from_date":"2026-11-09","to_date":"2026-11-01"}`, []string{"event: X5:", "unit: X1:", "from_date: V15:"}},
		{"query_segmentation", `{"event":"A","from_date":"11/01/2026"}`, []string{"from_date: V8:", "YYYY-MM-DD"}},
		{"query_segmentation", `{"event":"A","limit":5000}`, []string{"limit: X1:"}},
		{"query_saved_funnel", `{"funnel_id":0}`, []string{"funnel_id: X5:", "list_funnels"}},
		{"query_legacy_retention", `{"born_event":"A","unit":"week","interval":3}`, []string{"interval: X1:", "unit together with interval"}},
		{"query_event_counts", `{"events":[]}`, []string{"events: X5:"}},
		{"query_property_counts", `{"event":"A"}`, []string{"property: MG1: missing required argument"}},
		{"query_numeric_segmentation", `{"event":"A","property":"p","aggregate":"sum","type":"unique"}`, []string{"type: X1:", "aggregate=buckets"}},
		{"query_activity_feed", `{"distinct_ids":[]}`, []string{"distinct_ids: X5:"}},
		{"query_activity_feed", `{"distinct_ids":"u","to_date":"2026-11-01"}`, []string{"to_date: V9:"}},
		{"query_activity_feed", `{"distinct_ids":"u","include_events":"A","exclude_events":"B"}`, []string{"mutually exclusive"}},
		{"query_activity_feed", `{"distinct_ids":"u","limit":20000}`, []string{"limit: X1:"}},
		{"query_activity_feed", `{"distinct_ids":"u","sentinel_event":"abc"}`, []string{"sentinel_event: X3:"}},
		{"query_segmentation", `{"event":"A","bogus":1}`, []string{"bogus: A2: unknown argument"}},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.args, func(t *testing.T) {
			text := mustFail(t, callTool(t, env, tt.tool, tt.args))
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
		})
	}
	assert.Empty(t, srv.Requests(), "invalid input never reaches Mixpanel")
}

// TestActivityFeedToolPages follows sentinel_event from page to page the
// way a model would: by passing the returned object back verbatim.
func TestActivityFeedToolPages(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	args := map[string]any{"distinct_ids": []string{"user-006", "user-003"}, "from_date": "2026-11-01", "to_date": "2026-11-24", "limit": 5, "exclude_events": "Search"}
	seen := map[string]bool{}
	for page := 0; ; page++ {
		require.Less(t, page, 40)
		raw, err := json.Marshal(args)
		require.NoError(t, err)
		res := callTool(t, env, "query_activity_feed", string(raw))
		text := mustOK(t, res)
		var out mixpanel.ActivityFeedResult
		structured(t, res, &out)
		for _, e := range out.Events {
			assert.NotEqual(t, "Search", e.Event)
			id := e.Properties["$insert_id"].(string)
			assert.False(t, seen[id], "event %s twice", id)
			seen[id] = true
		}
		if out.SentinelEvent == nil {
			assert.NotContains(t, text, "sentinel_event=")
			break
		}
		assert.Contains(t, text, "More events: call again with sentinel_event=")
		if page%2 == 0 {
			args["sentinel_event"] = out.SentinelEvent
		} else {
			args["sentinel_event"] = string(out.SentinelEvent) // stringified, as models sometimes do
		}
	}
	want := 0
	for _, e := range mixpaneltest.DefaultData().RawEvents {
		if (e.DistinctID == "user-006" || e.DistinctID == "user-003") && e.Name != "Search" {
			want++
		}
	}
	assert.Len(t, seen, want)
	var body map[string]any
	srv.LastRequest(t, mixpaneltest.QueryPrefix+"/stream/bookmark").JSON(t, &body)
	assert.Equal(t, []any{"Search"}, body["exclude_events"])
	assert.EqualValues(t, 5, body["limit"])
}

// FuzzActivityFeedInput checks that any arguments decode and validate
// without panicking, and that what validates renders.
func FuzzActivityFeedInput(f *testing.F) {
	for _, s := range []string{
		`{"distinct_ids":"u1"}`,
		`{"distinct_ids":["u1","u2"],"from_date":"2026-11-01","to_date":"2026-11-02","limit":10}`,
		`{"distinct_ids":"u","sentinel_event":{"time":1,"$insert_id":"x"}}`,
		`{"distinct_ids":"u","include_events":"A","exclude_events":["B"]}`,
		`{"distinct_ids":5}`, `{"distinct_ids":[null]}`, `{"sentinel_event":null}`, `{}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		var in ActivityFeedInput
		if decodeArgs(json.RawMessage(args), &in) != nil {
			return
		}
		if in.Validate() != nil {
			return
		}
		out := ActivityFeedOutput{ActivityFeedResult: mixpanel.ActivityFeedResult{DistinctIDs: in.DistinctIDs, SentinelEvent: in.SentinelEvent}}
		_ = out.Text()
	})
}

// FuzzLegacyInputs runs arbitrary arguments through every legacy tool's
// decoding and validation.
func FuzzLegacyInputs(f *testing.F) {
	for _, s := range []string{
		`{"event":"A","from_date":"2026-01-01","to_date":"2026-01-02","unit":"week"}`,
		`{"events":"A","top":3,"values":"x","property":"p"}`,
		`{"events":["A",""],"aggregate":"sum","type":"unique"}`,
		`{"born_event":"A","interval":2,"unit":"day"}`,
		`{"funnel_id":"7","limit":-1}`, `{"from_date":"2026-02-30"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		raw := json.RawMessage(args)
		for _, check := range []func(json.RawMessage) (bool, error){decodeValidate[SegmentationInput], decodeValidate[SavedFunnelInput], decodeValidate[LegacyRetentionInput], decodeValidate[EventCountsInput], decodeValidate[PropertyCountsInput], decodeValidate[FrequencyInput], decodeValidate[NumericSegmentationInput], decodeValidate[SavedReportInput], decodeValidate[ExportEventsInput], decodeValidate[ExportProfilesInput]} {
			_, _ = check(raw)
		}
	})
}

// TestLegacyTables checks the matrix renderings: ragged rows leave blank
// cells, periods past the column cap and rows past the page are announced.
func TestDateLabels(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"2026-11-19T00:00:00-07:00", "2026-11-20T00:00:00-07:00"}, []string{"2026-11-19", "2026-11-20"}},
		{[]string{"2026-11-19T00:00:00", "2026-11-20T00:00:00Z"}, []string{"2026-11-19", "2026-11-20"}},
		{[]string{"2026-11-19T00:00:00", "2026-11-19T13:00:00"}, []string{"2026-11-19T00:00:00", "2026-11-19T13:00:00"}},
		{[]string{"2026-11-19", "2026-11-20"}, []string{"2026-11-19", "2026-11-20"}},
		{[]string{"all"}, []string{"all"}},
		{nil, []string{}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, dateLabels(tt.in), "%v", tt.in)
	}
	for in, want := range map[string]string{
		"2026-11-19T00:00:00-07:00":        "2026-11-19",
		"2026-11-25T23:59:59.999000-07:00": "2026-11-25",
		"2026-11-25":                       "2026-11-25",
		"":                                 "",
		"yesterdayTnoon":                   "yesterdayTnoon",
	} {
		assert.Equal(t, want, dayOf(in), in)
	}
}

func TestLegacyTables(t *testing.T) {
	long := make([]float64, 15)
	for i := range long {
		long[i] = float64(15 - i)
	}
	tests := []struct {
		name       string
		text       string
		want, omit []string
	}{
		{"retention ragged",
			LegacyRetentionOutput{RetentionResult: mixpanel.RetentionResult{BornEvent: "A", Unit: "day", Cohorts: []mixpanel.CohortInfo{
				{Date: "2026-11-01", Size: 10, Retention: []float64{0.5, 0.25}},
				{Date: "2026-11-02", Size: 4, Retention: []float64{0.5}},
			}}}.Text(),
			[]string{`Retention of "A" then "any event"`, "| cohort | size | day 1 | day 2 |", "| 2026-11-01 | 10 | 50.0% | 25.0% |", "| 2026-11-02 | 4 | 50.0% |  |"},
			[]string{"later periods", "more rows"}},
		{"frequency past the column cap",
			FrequencyOutput{FrequencyResult: mixpanel.FrequencyResult{Unit: "day", AddictionUnit: "hour", Data: map[string][]float64{"2026-11-01": long}}}.Text(),
			[]string{"Frequency of any event", "| 12 hour |", "| 2026-11-01 | 15 | 14 |", "3 later periods not shown as columns"},
			[]string{"| 13 hour |"}},
		{"paged",
			FrequencyOutput{FrequencyResult: mixpanel.FrequencyResult{Unit: "day", AddictionUnit: "day", Data: map[string][]float64{"2026-11-01": {1}, "2026-11-02": {2}, "2026-11-03": {3}}},
				paging: Paging{Limit: 1, Offset: 1}}.Text(),
			[]string{"| 2026-11-02 | 2 |", "1 more rows (showing 2–2 of 3)"},
			[]string{"2026-11-01 |", "2026-11-03 |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				assert.Contains(t, tt.text, w)
			}
			for _, w := range tt.omit {
				assert.NotContains(t, tt.text, w)
			}
		})
	}
}
