package mixpanel_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestFunnelsAndCohorts(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	funnels, err := c.Funnels(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []mixpanel.FunnelInfo{{FunnelID: 7533, Name: "Browse to purchase"}, {FunnelID: 7512, Name: "Checkout conversion"}, {FunnelID: 7509, Name: "Signup funnel"}}, funnels)
	assert.Equal(t, http.MethodGet, srv.LastRequest(t, mixpaneltest.QueryPrefix+"/funnels/list").Method)

	cohorts, err := c.Cohorts(context.Background())
	require.NoError(t, err)
	req := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/cohorts/list")
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Empty(t, req.Body, "Mixpanel's cohort list is a POST without a body")
	assert.Equal(t, "12345", req.Query.Get("project_id"))
	require.Len(t, cohorts, 3)
	assert.Equal(t, mixpanel.SavedCohort{ID: 1001, Name: "Churn risk", Count: 388, Description: "No login for 21 days after a purchase", Created: "2025-06-02 10:12:00", IsVisible: true}, cohorts[0])
	assert.Equal(t, "Internal testers", cohorts[1].Name)
	assert.False(t, cohorts[1].IsVisible)
}

func TestCohortsRetriedOnServerError(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.QueryPrefix + "/cohorts/list", Status: http.StatusBadGateway, Times: 1})
	cohorts, err := srv.Client(t).Cohorts(context.Background())
	require.NoError(t, err, "the POST only reads, so it is safe to repeat")
	assert.Len(t, cohorts, 3)
}

func TestDecodeCohortList(t *testing.T) {
	got, err := mixpanel.DecodeCohortList([]byte(`[{"id":"7","name":"b","count":null,"description":null,"created":"x","is_visible":true},{"id":3,"name":"a","count":2,"is_visible":"0"}]`))
	require.NoError(t, err)
	assert.Equal(t, []mixpanel.SavedCohort{{ID: 3, Name: "a", Count: 2}, {ID: 7, Name: "b", Created: "x", IsVisible: true}}, got)
	_, err = mixpanel.DecodeCohortList([]byte(`[{"id":"seven"}]`))
	assert.Error(t, err)
}

func TestListBookmarks(t *testing.T) {
	tests := []struct {
		typ       string
		wantQuery url.Values
		wantIDs   []int64
	}{
		{"", url.Values{"v": {"2"}}, []int64{63880001, 63880002, 63880003, 63880004, 63880005, 63880006}},
		{"funnels", url.Values{"v": {"2"}, "type": {"funnels"}}, []int64{63880003}},
		{"launch-analysis", url.Values{"v": {"2"}, "type": {"launch-analysis"}}, []int64{63880006}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := srv.Client(t).ListBookmarks(context.Background(), mixpanel.ListBookmarksParams{Type: tt.typ})
			require.NoError(t, err)
			assert.Equal(t, tt.wantQuery, srv.LastRequest(t, mixpaneltest.AppPrefix+"/projects/12345/bookmarks").Query)
			var ids []int64
			for _, b := range got {
				ids = append(ids, b.ID)
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}
}

func TestListBookmarksFields(t *testing.T) {
	srv := mixpaneltest.New(t)
	got, err := srv.Client(t).ListBookmarks(context.Background(), mixpanel.ListBookmarksParams{})
	require.NoError(t, err)
	first := got[0]
	require.NotNil(t, first.WorkspaceID)
	require.NotNil(t, first.DashboardID)
	assert.Equal(t, int64(3001), *first.WorkspaceID)
	assert.Equal(t, int64(5501), *first.DashboardID)
	assert.Equal(t, int64(12345), first.ProjectID)
	assert.Equal(t, "Ana Analyst", first.CreatorName)
	assert.Nil(t, got[3].WorkspaceID, "null stays absent")

	_, err = srv.Client(t).ListBookmarks(context.Background(), mixpanel.ListBookmarksParams{Type: "dashboards"})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
}

func TestDecodeBookmarkList(t *testing.T) {
	item := `{"id":1,"name":"R","type":"insights","project_id":"12345","created":"c","modified":"m","workspace_id":null,"dashboard_id":9,"description":null}`
	want := []mixpanel.BookmarkInfo{{ID: 1, Name: "R", Type: "insights", ProjectID: 12345, Created: "c", Modified: "m", DashboardID: ptr(int64(9))}}
	for name, raw := range map[string]string{
		"nested":   `{"results":{"results":[` + item + `],"pagination":null}}`,
		"flat":     `{"status":"ok","results":[` + item + `]}`,
		"bare":     `[` + item + `]`,
		"trailing": "  [" + item + "]\n",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := mixpanel.DecodeBookmarkList([]byte(raw))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for _, bad := range []string{`{}`, `{"results":3}`, `{"results":{"other":[]}}`, `"x"`} {
		_, err := mixpanel.DecodeBookmarkList([]byte(bad))
		assert.Error(t, err, bad)
	}
}
