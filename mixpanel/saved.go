package mixpanel

// Saved entities: funnels, cohorts and bookmarks (saved reports).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
)

// BookmarkTypes are the report types list_bookmarks can filter by.
var BookmarkTypes = []string{"insights", "funnels", "retention", "flows", "launch-analysis"}

// FunnelInfo is a saved funnel (the reference's FunnelInfo).
type FunnelInfo struct {
	FunnelID int64  `json:"funnel_id"`
	Name     string `json:"name"`
}

// Funnels lists the saved funnels, sorted by name.
func (c *Client) Funnels(ctx context.Context) ([]FunnelInfo, error) {
	var raw []struct {
		FunnelID FlexInt `json:"funnel_id"`
		Name     string  `json:"name"`
	}
	if err := c.JSON(ctx, Request{Family: Query, Path: "/funnels/list", Cacheable: true}, &raw); err != nil {
		return nil, fmt.Errorf("list funnels: %w", err)
	}
	out := make([]FunnelInfo, 0, len(raw))
	for _, f := range raw {
		out = append(out, FunnelInfo{FunnelID: int64(f.FunnelID), Name: f.Name})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// SavedCohort is a saved cohort (the reference's SavedCohort).
type SavedCohort struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Count       int64  `json:"count"`
	Description string `json:"description"`
	Created     string `json:"created"`
	IsVisible   bool   `json:"is_visible"`
}

// Cohorts lists the saved cohorts, sorted by name. Mixpanel serves this
// read as a POST without a body, so it is marked safe to repeat.
func (c *Client) Cohorts(ctx context.Context) ([]SavedCohort, error) {
	return rawDecoded(ctx, c, Request{Family: Query, Method: http.MethodPost, Path: "/cohorts/list", Safe: true, Cacheable: true}, "list cohorts", decodeCohortList)
}

// decodeCohortList decodes /cohorts/list, where is_visible is 0/1 (or a
// boolean) and description may be null; sorted by name.
func decodeCohortList(raw []byte) ([]SavedCohort, error) {
	var wire []struct {
		ID          FlexInt  `json:"id"`
		Name        string   `json:"name"`
		Count       FlexInt  `json:"count"`
		Description *string  `json:"description"`
		Created     string   `json:"created"`
		IsVisible   FlexBool `json:"is_visible"`
	}
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, fmt.Errorf("decode cohorts: %w", err)
	}
	out := make([]SavedCohort, 0, len(wire))
	for _, w := range wire {
		out = append(out, SavedCohort{ID: int64(w.ID), Name: w.Name, Count: int64(w.Count), Description: deref(w.Description), Created: w.Created, IsVisible: bool(w.IsVisible)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// BookmarkInfo is a saved report's metadata (the reference's BookmarkInfo).
type BookmarkInfo struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	ProjectID   int64  `json:"project_id"`
	Created     string `json:"created"`
	Modified    string `json:"modified"`
	WorkspaceID *int64 `json:"workspace_id,omitempty"`
	DashboardID *int64 `json:"dashboard_id,omitempty"`
	Description string `json:"description,omitempty"`
	CreatorID   *int64 `json:"creator_id,omitempty"`
	CreatorName string `json:"creator_name,omitempty"`
}

// Ref names the report.
func (b BookmarkInfo) Ref() Ref { return Ref{Kind: "report", ID: ID(b.ID), Name: b.Name} }

// decodeBookmarkList accepts every shape the bookmarks list comes in:
// {"results": {"results": [...]}}, {"results": [...]} or a bare list.
func decodeBookmarkList(raw []byte) ([]BookmarkInfo, error) {
	items := json.RawMessage(bytes.TrimSpace(raw))
	for range 2 {
		if len(items) > 0 && items[0] == '[' {
			break
		}
		var env struct {
			Results json.RawMessage `json:"results"`
		}
		if err := json.Unmarshal(items, &env); err != nil || len(env.Results) == 0 {
			return nil, errors.New("bookmarks: expected a list under \"results\"")
		}
		items = bytes.TrimSpace(env.Results)
	}
	var wire []struct {
		ID          FlexInt  `json:"id"`
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		ProjectID   FlexInt  `json:"project_id"`
		Created     string   `json:"created"`
		Modified    string   `json:"modified"`
		WorkspaceID *FlexInt `json:"workspace_id"`
		DashboardID *FlexInt `json:"dashboard_id"`
		Description *string  `json:"description"`
		CreatorID   *FlexInt `json:"creator_id"`
		CreatorName *string  `json:"creator_name"`
	}
	if err := json.Unmarshal(items, &wire); err != nil {
		return nil, fmt.Errorf("decode bookmarks: %w", err)
	}
	out := make([]BookmarkInfo, 0, len(wire))
	for _, w := range wire {
		out = append(out, BookmarkInfo{ID: int64(w.ID), Name: w.Name, Type: w.Type, ProjectID: int64(w.ProjectID), Created: w.Created, Modified: w.Modified,
			WorkspaceID: w.WorkspaceID.ptr(), DashboardID: w.DashboardID.ptr(), Description: deref(w.Description), CreatorID: w.CreatorID.ptr(), CreatorName: deref(w.CreatorName)})
	}
	return out, nil
}
