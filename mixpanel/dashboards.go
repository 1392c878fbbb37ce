package mixpanel

import (
	"context"
	"encoding/json"
	"net/url"
)

// Dashboard is a Mixpanel dashboard as the App API returns it (wire
// reference §4.8). Fields the API adds later are kept in Extra.
type Dashboard struct {
	ID                 int64           `json:"id" col:"id"`
	Title              string          `json:"title" col:"title"`
	Description        string          `json:"description,omitempty"`
	IsPrivate          bool            `json:"is_private,omitempty" col:"private"`
	IsRestricted       bool            `json:"is_restricted,omitempty"`
	CreatorName        string          `json:"creator_name,omitempty" col:"creator"`
	CreatorEmail       string          `json:"creator_email,omitempty"`
	Created            string          `json:"created,omitempty"`
	Modified           string          `json:"modified,omitempty" col:"modified"`
	IsFavorited        bool            `json:"is_favorited,omitempty" col:"favorite"`
	PinnedDate         string          `json:"pinned_date,omitempty"`
	UniqueViewCount    int64           `json:"unique_view_count,omitempty"`
	TotalViewCount     int64           `json:"total_view_count,omitempty" col:"views"`
	LastModifiedByName string          `json:"last_modified_by_name,omitempty"`
	ParentDashboardID  int64           `json:"parent_dashboard_id,omitempty"`
	GenerationType     string          `json:"generation_type,omitempty"`
	Filters            json.RawMessage `json:"filters,omitempty"`
	Breakdowns         json.RawMessage `json:"breakdowns,omitempty"`
	TimeFilter         json.RawMessage `json:"time_filter,omitempty"`
	Layout             json.RawMessage `json:"layout,omitempty"`
	Contents           json.RawMessage `json:"contents,omitempty"`
}

// Ref names the dashboard.
func (d Dashboard) Ref() Ref { return Ref{Kind: "dashboard", ID: ID(d.ID), Name: d.Title} }

// ListDashboardsParams filters list_dashboards.
type ListDashboardsParams struct {
	IDs []int64 `json:"ids,omitempty" jsonschema:"description=Only these dashboard ids"`
}

// ListDashboards lists the dashboards of the scope.
func (c *Client) ListDashboards(ctx context.Context, p ListDashboardsParams) ([]Dashboard, error) {
	path, err := c.scoped("dashboards")
	if err != nil {
		return nil, err
	}
	var q url.Values
	if len(p.IDs) > 0 {
		q = url.Values{"ids": {IDList(p.IDs)}}
	}
	return appCall[[]Dashboard](ctx, c, GET, path, q, nil)
}

// GetDashboard reads one dashboard.
func (c *Client) GetDashboard(ctx context.Context, id int64) (Dashboard, error) {
	path, err := c.scoped("dashboards", ID(id))
	if err != nil {
		return Dashboard{}, err
	}
	return appCall[Dashboard](ctx, c, GET, path, nil, nil)
}

// DeleteDashboard deletes one dashboard.
func (c *Client) DeleteDashboard(ctx context.Context, id int64) error {
	path, err := c.scoped("dashboards", ID(id))
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, nil)
	return err
}
