package mixpanel_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// A report whose placement on its dashboard fails still exists: the error
// says so, with its id, and the report is returned.
func TestCreateBookmarkPlacementFails(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	ctx := context.Background()
	dash, err := c.CreateDashboard(ctx, mixpanel.CreateDashboardParams{Title: "D"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Fail(mixpaneltest.Failure{Method: http.MethodPatch, Path: mixpaneltest.AppPrefix + "/projects/12345/dashboards/" + mixpanel.ID(dash.ID), Status: http.StatusForbidden, Body: `{"error": "Permission denied", "status": "error"}`})
	b, err := c.CreateBookmark(ctx, mixpanel.CreateBookmarkParams{Name: "R", BookmarkType: "insights", DashboardID: dash.ID, Params: map[string]any{"sections": map[string]any{"show": []any{}}}})
	if err == nil || b.ID == 0 {
		t.Fatalf("want the report and an error, got %+v, %v", b, err)
	}
	if want := `report ` + mixpanel.ID(b.ID) + ` "R" was created, but placing it on dashboard ` + mixpanel.ID(dash.ID) + ` failed`; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q lacks %q", err, want)
	}
	if _, err := c.GetBookmark(ctx, b.ID); err != nil {
		t.Fatalf("the report is not there: %v", err)
	}
}

// With a workspace pinned, reports and cohorts live under it.
func TestReportsAndCohortsWorkspaceScope(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.WorkspaceID = "3448"
	c, err := mixpanel.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.ListBookmarks(ctx, mixpanel.ListBookmarksParams{IDs: []int64{1, 2}}); err != nil {
		t.Fatal(err)
	}
	co, err := c.CreateCohort(ctx, mixpanel.CohortParams{Name: "C"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.BulkDeleteCohorts(ctx, []int64{co.ID}); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range srv.Requests() {
		paths = append(paths, r.Method+" "+r.Path+" "+r.Query.Encode())
	}
	want := []string{
		"GET /api/app/workspaces/3448/bookmarks ids=1%2C2&v=2",
		"POST /api/app/workspaces/3448/cohorts ",
		"POST /api/app/workspaces/3448/cohorts/bulk-delete ",
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	if left := srv.Store.List("workspaces/3448", "cohorts"); len(left) != 0 {
		t.Fatalf("%d cohorts left after the bulk delete", len(left))
	}
}
