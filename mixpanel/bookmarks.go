package mixpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// Bookmark is a saved report as the App API returns it (wire reference
// §4.9). Type is the API's "type" (the reference's bookmark_type).
type Bookmark struct {
	ID                       int64           `json:"id" col:"id"`
	ProjectID                int64           `json:"project_id,omitempty"`
	Name                     string          `json:"name" col:"name"`
	Type                     string          `json:"type" col:"type"`
	Description              string          `json:"description,omitempty"`
	Icon                     string          `json:"icon,omitempty"`
	Params                   json.RawMessage `json:"params,omitempty"`
	DashboardID              int64           `json:"dashboard_id,omitempty" col:"dashboard"`
	IncludeInDashboard       bool            `json:"include_in_dashboard,omitempty"`
	IsDefault                bool            `json:"is_default,omitempty"`
	CreatorID                int64           `json:"creator_id,omitempty"`
	CreatorName              string          `json:"creator_name,omitempty" col:"creator"`
	CreatorEmail             string          `json:"creator_email,omitempty"`
	Created                  string          `json:"created,omitempty"`
	Modified                 string          `json:"modified,omitempty" col:"modified"`
	LastModifiedByID         int64           `json:"last_modified_by_id,omitempty"`
	LastModifiedByName       string          `json:"last_modified_by_name,omitempty"`
	LastModifiedByEmail      string          `json:"last_modified_by_email,omitempty"`
	Metadata                 json.RawMessage `json:"metadata,omitempty"`
	IsVisibilityRestricted   bool            `json:"is_visibility_restricted,omitempty"`
	IsModificationRestricted bool            `json:"is_modification_restricted,omitempty"`
	CanUpdateBasic           bool            `json:"can_update_basic,omitempty"`
	CanView                  bool            `json:"can_view,omitempty"`
	CanShare                 bool            `json:"can_share,omitempty"`
	GenerationType           string          `json:"generation_type,omitempty"`
	OriginalType             string          `json:"original_type,omitempty"`
	UniqueViewCount          int64           `json:"unique_view_count,omitempty"`
	TotalViewCount           int64           `json:"total_view_count,omitempty"`
}

// Ref names the report.
func (b Bookmark) Ref() Ref { return Ref{Kind: "report", ID: ID(b.ID), Name: b.Name} }

// WebKind is the web-app page kind of the report: its type (insights,
// funnels, retention, flows), whose pages differ.
func (b Bookmark) WebKind() string { return b.Type }

// CreatableBookmarkTypes are the report types create_bookmark takes.
var CreatableBookmarkTypes = []string{"insights", "funnels", "retention", "flows", "user"}

// ListBookmarksParams filters the saved reports (the v2 listing).
type ListBookmarksParams struct {
	Type string  `json:"type,omitempty" jsonschema:"enum=insights,enum=funnels,enum=retention,enum=flows,enum=launch-analysis,description=Only reports of this type"`
	IDs  []int64 `json:"ids,omitempty" jsonschema:"description=Only these report ids"`
}

// ListBookmarks lists the saved reports of the scope (v2 listing),
// optionally of one type (see BookmarkTypes) or only some ids. The answer
// is cached like other discovery reads; the bookmark writes drop the cache.
func (c *Client) ListBookmarks(ctx context.Context, p ListBookmarksParams) ([]BookmarkInfo, error) {
	path, err := c.scoped("bookmarks")
	if err != nil {
		return nil, err
	}
	q := url.Values{"v": {"2"}}
	if p.Type != "" {
		q.Set("type", p.Type)
	}
	if len(p.IDs) > 0 {
		q.Set("ids", IDList(p.IDs))
	}
	return rawDecoded(ctx, c, Request{Family: App, Path: path, Query: q, Cacheable: true}, "list bookmarks", decodeBookmarkList)
}

// GetBookmark reads one saved report with its params.
func (c *Client) GetBookmark(ctx context.Context, id int64) (Bookmark, error) {
	path, err := c.scoped("bookmarks", ID(id))
	if err != nil {
		return Bookmark{}, err
	}
	return appCall[Bookmark](ctx, c, GET, path, url.Values{"v": {"2"}}, nil)
}

// BookmarkFields are the optional settable fields of a report, shared by
// create, update and bulk update.
type BookmarkFields struct {
	Description              string `json:"description,omitempty"`
	Icon                     string `json:"icon,omitempty"`
	IsVisibilityRestricted   *bool  `json:"is_visibility_restricted,omitempty"`
	IsModificationRestricted *bool  `json:"is_modification_restricted,omitempty"`
}

// body writes name, params and the fields that are set, under the API's
// keys (the same as the reference's for these).
func (f BookmarkFields) body(name string, params map[string]any) map[string]any {
	b := map[string]any{}
	if name != "" {
		b["name"] = name
	}
	if params != nil {
		b["params"] = params
	}
	if f.Description != "" {
		b["description"] = f.Description
	}
	if f.Icon != "" {
		b["icon"] = f.Icon
	}
	if f.IsVisibilityRestricted != nil {
		b["is_visibility_restricted"] = *f.IsVisibilityRestricted
	}
	if f.IsModificationRestricted != nil {
		b["is_modification_restricted"] = *f.IsModificationRestricted
	}
	return b
}

// CreateBookmarkParams is a new report. Mixpanel's v2 API keeps every
// report on a dashboard, so DashboardID is required.
type CreateBookmarkParams struct {
	Name         string         `json:"name"`
	BookmarkType string         `json:"bookmark_type"`
	Params       map[string]any `json:"params"`
	DashboardID  int64          `json:"dashboard_id"`
	BookmarkFields
}

// Body is the POST body: "type" for bookmark_type, and "v": 2.
func (p CreateBookmarkParams) Body() map[string]any {
	b := p.BookmarkFields.body(p.Name, p.Params)
	b["type"] = p.BookmarkType
	b["dashboard_id"] = p.DashboardID
	b["v"] = 2
	return b
}

// CreateBookmark saves a report and then places it on its dashboard: the
// v2 create links the report to the dashboard but leaves it out of the
// dashboard's layout, which takes a second request (wire reference §4.9).
func (c *Client) CreateBookmark(ctx context.Context, p CreateBookmarkParams) (Bookmark, error) {
	path, err := c.scoped("bookmarks")
	if err != nil {
		return Bookmark{}, err
	}
	b, err := appCall[Bookmark](ctx, c, POST, path, nil, p.Body())
	if err != nil {
		return Bookmark{}, err
	}
	c.ClearCache()
	if _, err := c.AddReportToDashboard(ctx, p.DashboardID, b.ID); err != nil {
		return b, fmt.Errorf("report %d %q was created, but placing it on dashboard %d failed: %w", b.ID, b.Name, p.DashboardID, err)
	}
	return b, nil
}

// UpdateBookmarkParams changes a report; only the fields set are sent.
type UpdateBookmarkParams struct {
	Name        string         `json:"name,omitempty"`
	Params      map[string]any `json:"params,omitempty"`
	DashboardID int64          `json:"dashboard_id,omitempty"`
	Deleted     *bool          `json:"deleted,omitempty"`
	BookmarkFields
}

// Body is the PATCH body, with "v": 2.
func (p UpdateBookmarkParams) Body() map[string]any {
	b := p.BookmarkFields.body(p.Name, p.Params)
	if p.DashboardID != 0 {
		b["dashboard_id"] = p.DashboardID
	}
	if p.Deleted != nil {
		b["deleted"] = *p.Deleted
	}
	b["v"] = 2
	return b
}

// UpdateBookmark changes a report.
func (c *Client) UpdateBookmark(ctx context.Context, id int64, p UpdateBookmarkParams) (Bookmark, error) {
	path, err := c.scoped("bookmarks", ID(id))
	if err != nil {
		return Bookmark{}, err
	}
	b, err := appCall[Bookmark](ctx, c, PATCH, path, nil, p.Body())
	if err == nil {
		c.ClearCache()
	}
	return b, err
}

// DeleteBookmark deletes one report.
func (c *Client) DeleteBookmark(ctx context.Context, id int64) error {
	path, err := c.scoped("bookmarks", ID(id))
	if err != nil {
		return err
	}
	return c.write(ctx, DELETE, path, nil)
}

// BulkDeleteBookmarks deletes the reports with these ids.
func (c *Client) BulkDeleteBookmarks(ctx context.Context, ids []int64) error {
	path, err := c.scoped("bookmarks", "bulk-delete")
	if err != nil {
		return err
	}
	return c.write(ctx, POST, path, map[string]any{"bookmark_ids": ids})
}

// BulkUpdateBookmarkEntry is one report's changes in a bulk update.
type BulkUpdateBookmarkEntry struct {
	ID     int64          `json:"id" jsonschema:"minimum=1"`
	Name   string         `json:"name,omitempty" jsonschema:"maxLength=255"`
	Params map[string]any `json:"params,omitempty" jsonschema:"description=New bookmark params (a dry run's)"`
	BookmarkFields
}

// BulkUpdateBookmarks changes several reports at once.
func (c *Client) BulkUpdateBookmarks(ctx context.Context, entries []BulkUpdateBookmarkEntry) error {
	path, err := c.scoped("bookmarks", "bulk-update")
	if err != nil {
		return err
	}
	list := make([]map[string]any, len(entries))
	for i, e := range entries {
		b := e.BookmarkFields.body(e.Name, e.Params)
		b["id"] = e.ID
		list[i] = b
	}
	return c.write(ctx, POST, path, map[string]any{"bookmarks": list})
}

// BookmarkLinkedDashboardIDs lists the dashboards a report is linked to.
func (c *Client) BookmarkLinkedDashboardIDs(ctx context.Context, id int64) ([]int64, error) {
	path, err := c.scoped("bookmarks", ID(id), "linked-dashboard-ids")
	if err != nil {
		return nil, err
	}
	return appCall[[]int64](ctx, c, GET, path, nil, nil)
}

// BookmarkHistoryParams pages a report's history.
type BookmarkHistoryParams struct {
	Cursor   string `json:"cursor,omitempty" jsonschema:"description=next_cursor of the previous page"`
	PageSize int    `json:"page_size,omitempty" jsonschema:"minimum=1,maximum=100"`
}

// BookmarkHistoryEntry is one change of a report.
type BookmarkHistoryEntry struct {
	Action    string         `json:"action" col:"action"`
	Timestamp string         `json:"timestamp" col:"when"`
	User      map[string]any `json:"user,omitempty" col:"user"`
}

// BookmarkHistory is one page of a report's history.
type BookmarkHistory struct {
	Results    []BookmarkHistoryEntry `json:"results"`
	Pagination struct {
		PageSize       int    `json:"page_size,omitempty"`
		NextCursor     string `json:"next_cursor,omitempty"`
		PreviousCursor string `json:"previous_cursor,omitempty"`
	} `json:"pagination"`
}

// GetBookmarkHistory reads one page of a report's change history.
func (c *Client) GetBookmarkHistory(ctx context.Context, id int64, p BookmarkHistoryParams) (BookmarkHistory, error) {
	var h BookmarkHistory
	path, err := c.scoped("bookmarks", ID(id), "history")
	if err != nil {
		return h, err
	}
	q := url.Values{}
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(p.PageSize))
	}
	raw, err := appRaw(ctx, c, GET, path, q, nil)
	if err != nil {
		return h, err
	}
	// The page is double-wrapped: {"status","results":{"results","pagination"}}.
	if err := json.Unmarshal(UnwrapResults(raw), &h); err != nil {
		return h, badAnswer(GET, path, "unexpected answer: "+err.Error())
	}
	return h, nil
}

// write sends a write whose answer carries nothing and drops the cached
// discovery answers it may have made stale.
func (c *Client) write(ctx context.Context, method, path string, body any) error {
	if _, err := appCall[Empty](ctx, c, method, path, nil, body); err != nil {
		return err
	}
	c.ClearCache()
	return nil
}
