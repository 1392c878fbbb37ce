package mixpanel_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestProfilesRequestBody(t *testing.T) {
	srv := mixpaneltest.New(t)
	_, err := srv.Client(t).QueryProfiles(context.Background(), mixpanel.ProfileQuery{
		Where:            `properties["plan"] == "pro"`,
		Cohort:           &mixpanel.CohortFilter{ID: 1000},
		OutputProperties: []string{"$email", "plan"},
		DistinctIDs:      []string{"user-001", "user-002", "user-001"},
		SortKey:          `properties["$last_seen"]`,
		SortOrder:        "ascending",
		Search:           "mail",
		AsOfTimestamp:    1764000000,
		Limit:            5,
	})
	require.NoError(t, err)
	req := srv.LastRequest(t, mixpaneltest.EngagePrefix)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, mixpaneltest.ProjectID, req.Query.Get("project_id"), "project_id in the query string")
	var body map[string]any
	req.JSON(t, &body)
	assert.Equal(t, map[string]any{
		"project_id":        float64(12345),
		"page":              float64(0),
		"where":             `properties["plan"] == "pro"`,
		"filter_by_cohort":  `{"id":1000}`,
		"include_all_users": false,
		"output_properties": `["$email","plan"]`,
		"distinct_ids":      `["user-001","user-002"]`,
		"sort_key":          `properties["$last_seen"]`,
		"sort_order":        "ascending",
		"search":            "mail",
		"as_of_timestamp":   float64(1764000000),
		"limit":             float64(5),
	}, body)
}

func TestProfilesInlineCohortAndFilter(t *testing.T) {
	srv := mixpaneltest.New(t)
	raw := map[string]any{"selector": map[string]any{"operator": "and", "children": []any{
		map[string]any{"property": "user", "value": "plan", "operator": "==", "operand": "enterprise", "type": "string"},
	}}, "behaviors": map[string]any{}}
	res, err := srv.Client(t).QueryProfiles(context.Background(), mixpanel.ProfileQuery{Cohort: &mixpanel.CohortFilter{Raw: raw}, Where: `properties["purchases"] >= 1`})
	require.NoError(t, err)
	require.NotEmpty(t, res.Profiles)
	for _, p := range res.Profiles {
		assert.Equal(t, "enterprise", p.Properties["plan"])
		assert.GreaterOrEqual(t, p.Properties["purchases"], 1.0)
		require.NotNil(t, p.LastSeen)
	}
	var body map[string]any
	srv.LastRequest(t, mixpaneltest.EngagePrefix).JSON(t, &body)
	var fbc map[string]any
	require.NoError(t, json.Unmarshal([]byte(body["filter_by_cohort"].(string)), &fbc))
	assert.Equal(t, raw, fbc["raw_cohort"])
}

func TestProfilesPagination(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.EngagePageSize = 7
	c := srv.Client(t)
	res, err := c.QueryProfiles(context.Background(), mixpanel.ProfileQuery{})
	require.NoError(t, err)
	assert.Len(t, res.Profiles, 60)
	assert.Equal(t, 9, res.Meta["pages_fetched"], "ceil(60/7) pages")
	seen := map[string]bool{}
	for _, p := range res.Profiles {
		assert.False(t, seen[p.DistinctID], "duplicate %s", p.DistinctID)
		seen[p.DistinctID] = true
	}
	var pages []float64
	for _, r := range srv.Requests() {
		var body map[string]any
		r.JSON(t, &body)
		pages = append(pages, body["page"].(float64))
		if body["page"].(float64) > 0 {
			assert.Equal(t, mixpaneltest.EngageSessionID, body["session_id"])
		} else {
			assert.NotContains(t, body, "session_id")
		}
	}
	assert.Equal(t, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8}, pages)

	limited, err := c.QueryProfiles(context.Background(), mixpanel.ProfileQuery{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, limited.Profiles, 10)
	assert.Equal(t, 60, limited.Meta["matching"])
}

func TestStreamProfilesStops(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Data.EngagePageSize = 10
	n := 0
	st, err := srv.Client(t).StreamProfiles(context.Background(), mixpanel.ProfileQuery{}, func(mixpanel.Profile) bool {
		n++
		return n < 15
	})
	require.NoError(t, err)
	assert.Equal(t, 15, n)
	assert.True(t, st.Stopped)
	assert.Equal(t, 2, st.PagesFetched)
}

func TestProfileErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	_, err := c.QueryProfiles(context.Background(), mixpanel.ProfileQuery{Cohort: &mixpanel.CohortFilter{ID: 424242}})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindNotFound), "%v", err)
	_, err = c.QueryProfiles(context.Background(), mixpanel.ProfileQuery{Where: `properties["plan" ==`})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
}

func TestProfileAggregates(t *testing.T) {
	ctx := context.Background()
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	tests := []struct {
		name  string
		q     mixpanel.StatsQuery
		check func(t *testing.T, res *mixpanel.UserQueryResult)
	}{
		{"count", mixpanel.StatsQuery{Action: "count()"}, func(t *testing.T, res *mixpanel.UserQueryResult) {
			assert.Equal(t, 60, res.Total)
			assert.JSONEq(t, `60`, string(res.AggregateData))
		}},
		{"count with selector and cohort", mixpanel.StatsQuery{Action: "count()", Selector: `properties["plan"] == "free"`, Cohort: &mixpanel.CohortFilter{ID: 1000}}, func(t *testing.T, res *mixpanel.UserQueryResult) {
			assert.Greater(t, res.Total, 0)
			assert.Less(t, res.Total, 60)
		}},
		{"extremes", mixpanel.StatsQuery{Action: `extremes(properties["lifetime_value"])`}, func(t *testing.T, res *mixpanel.UserQueryResult) {
			var v struct{ Max, Min float64 }
			require.NoError(t, json.Unmarshal(res.AggregateData, &v))
			assert.GreaterOrEqual(t, v.Max, v.Min)
			assert.Zero(t, res.Total)
		}},
		{"percentile", mixpanel.StatsQuery{Action: `percentile(properties["purchases"], 50)`}, func(t *testing.T, res *mixpanel.UserQueryResult) {
			var v struct{ Percentile, Result float64 }
			require.NoError(t, json.Unmarshal(res.AggregateData, &v))
			assert.Equal(t, 50.0, v.Percentile)
		}},
		{"numeric summary", mixpanel.StatsQuery{Action: `numeric_summary(properties["purchases"])`}, func(t *testing.T, res *mixpanel.UserQueryResult) {
			var v struct {
				Count        int
				Mean         float64
				SumOfSquares float64 `json:"sum_of_squares"`
			}
			require.NoError(t, json.Unmarshal(res.AggregateData, &v))
			assert.Equal(t, 60, v.Count)
			assert.Greater(t, v.SumOfSquares, 0.0)
		}},
		{"segmented by cohorts", mixpanel.StatsQuery{Action: "count()", SegmentByCohorts: []int64{1000, 1001}}, func(t *testing.T, res *mixpanel.UserQueryResult) {
			var v map[string]int
			require.NoError(t, json.Unmarshal(res.AggregateData, &v))
			assert.Contains(t, v, "1000")
			assert.Contains(t, v, "1001")
			assert.Zero(t, res.Total, "total only for an unsegmented count")
			assert.Equal(t, true, res.Meta["segmented"])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := c.ProfileStatsAggregate(ctx, tt.q)
			require.NoError(t, err)
			assert.Equal(t, "aggregate", res.Mode)
			tt.check(t, res)
			req := srv.LastRequest(t, mixpaneltest.EngagePrefix+"/stats")
			var body map[string]any
			req.JSON(t, &body)
			assert.Equal(t, tt.q.Action, body["action"])
			assert.NotContains(t, body, "where", "/stats takes selector, not where")
			if tt.q.Selector != "" {
				assert.Equal(t, tt.q.Selector, body["selector"])
			}
			if tt.q.Cohort != nil {
				assert.Equal(t, false, body["include_all_users"], "sent explicitly with a cohort")
			}
		})
	}
}

func TestEngageWithPinnedWorkspace(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.WorkspaceID = mixpaneltest.WorkspaceID
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	_, err = c.QueryProfiles(context.Background(), mixpanel.ProfileQuery{Limit: 1})
	require.NoError(t, err)
	req := srv.LastRequest(t, mixpaneltest.EngagePrefix)
	assert.Equal(t, mixpaneltest.WorkspaceID, req.Query.Get("workspace_id"))
	var body map[string]any
	req.JSON(t, &body)
	assert.NotContains(t, body, "workspace_id")

	_, err = c.ActivityFeed(context.Background(), mixpanel.ActivityFeedParams{DistinctIDs: []string{"user-001"}})
	require.NoError(t, err)
	feed := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/stream/bookmark")
	feed.JSON(t, &body)
	assert.Equal(t, mixpaneltest.WorkspaceID, body["workspace_id"], "the activity feed carries it in the body")
	assert.Empty(t, feed.Query, "and nothing in the query string")
}
