package tools

import (
	"context"
	"fmt"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The dashboards toolset: every dashboard operation of the reference.
func dashboardsTools() []*Tool {
	return []*Tool{
		Op[listDashboardsIn, List[mixpanel.Dashboard]]{Name: "list_dashboards", Toolset: ToolsetDashboards, Ann: ReadOnly,
			Desc: "List dashboards (id, title, creator, views), optionally only some ids.",
			Call: func(ctx context.Context, c *mixpanel.Client, in listDashboardsIn) (List[mixpanel.Dashboard], error) {
				ds, err := c.ListDashboards(ctx, in.ListDashboardsParams)
				return paged(ds, in.Paging), err
			}}.Tool(),
		Op[dashboardID, mixpanel.Dashboard]{Name: "get_dashboard", Toolset: ToolsetDashboards, Ann: ReadOnly, Kind: "dashboard",
			Desc: "Read one dashboard: title, description, filters, layout and contents.",
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (mixpanel.Dashboard, error) {
				return c.GetDashboard(ctx, in.DashboardID)
			}}.Tool(),
		Op[dashboardID, mixpanel.Empty]{Name: "delete_dashboard", Toolset: ToolsetDashboards, Ann: Destructive, Action: "deleted",
			Desc: "Delete one dashboard (its reports stay saved).",
			Confirm: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (string, error) {
				return describeDashboards(ctx, c, in.DashboardID)
			},
			Call: func(ctx context.Context, c *mixpanel.Client, in dashboardID) (mixpanel.Empty, error) {
				return mixpanel.Empty{}, c.DeleteDashboard(ctx, in.DashboardID)
			}}.Tool(),
	}
}

type listDashboardsIn struct {
	mixpanel.ListDashboardsParams
	Paging
}

type dashboardID struct {
	DashboardID int64 `json:"dashboard_id" jsonschema:"minimum=1,description=Dashboard id (list_dashboards)"`
}

// describeDashboards names the dashboards a destructive call will change,
// for the user's confirmation.
func describeDashboards(ctx context.Context, c *mixpanel.Client, ids ...int64) (string, error) {
	ds, err := c.ListDashboards(ctx, mixpanel.ListDashboardsParams{IDs: ids})
	if err != nil {
		return "", err
	}
	return describeRefs("Delete", ds, len(ids)), nil
}

// describeRefs writes "Delete 2 dashboards: 12 "A", 14 "B"".
func describeRefs[E interface{ Ref() mixpanel.Ref }](verb string, items []E, want int) string {
	s := fmt.Sprintf("%s %d", verb, want)
	if len(items) > 0 {
		s += " " + items[0].Ref().Kind
		if want > 1 {
			s += "s"
		}
		s += ":"
	}
	for i, it := range items {
		if i > 0 {
			s += ","
		}
		s += " " + it.Ref().String()[len(it.Ref().Kind)+1:]
	}
	if len(items) < want {
		s += fmt.Sprintf(" (%d of the ids were not found)", want-len(items))
	}
	return s
}
