package mixpanel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
)

// Me is the answer of GET /me: who the credentials belong to and every
// organization, project and workspace they can see, keyed by id.
type Me struct {
	UserID        int64                     `json:"user_id,omitempty"`
	UserEmail     string                    `json:"user_email,omitempty"`
	UserName      string                    `json:"user_name,omitempty"`
	Organizations map[string]MeOrganization `json:"organizations"`
	Projects      map[string]MeProject      `json:"projects"`
	Workspaces    map[string]MeWorkspace    `json:"workspaces"`
}

// MeOrganization is an organization in /me.
type MeOrganization struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Role        string   `json:"role,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
}

// MeProject is a project in /me (its id is the map key).
type MeProject struct {
	Name           string `json:"name"`
	OrganizationID int64  `json:"organization_id"`
	Timezone       string `json:"timezone,omitempty"`
	HasWorkspaces  *bool  `json:"has_workspaces,omitempty"`
	Domain         string `json:"domain,omitempty"`
}

// MeWorkspace is a workspace in /me.
type MeWorkspace struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	ProjectID    int64  `json:"project_id"`
	IsDefault    *bool  `json:"is_default,omitempty"`
	IsGlobal     *bool  `json:"is_global,omitempty"`
	IsRestricted *bool  `json:"is_restricted,omitempty"`
	IsVisible    *bool  `json:"is_visible,omitempty"`
	Description  string `json:"description,omitempty"`
	CreatorName  string `json:"creator_name,omitempty"`
}

// PublicWorkspace is a workspace of GET /projects/{pid}/workspaces/public
// (the reference's PublicWorkspace).
type PublicWorkspace struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	ProjectID    int64  `json:"project_id"`
	IsDefault    bool   `json:"is_default"`
	Description  string `json:"description,omitempty"`
	IsGlobal     *bool  `json:"is_global,omitempty"`
	IsRestricted *bool  `json:"is_restricted,omitempty"`
	IsVisible    *bool  `json:"is_visible,omitempty"`
	CreatedISO   string `json:"created_iso,omitempty"`
	CreatorName  string `json:"creator_name,omitempty"`
}

// Me calls GET /me. A service account needs the user_details scope for it;
// without it Mixpanel answers 403.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var me Me
	if err := c.AppJSON(ctx, Request{Path: "/me", Cacheable: true}, &me); err != nil {
		return nil, fmt.Errorf("me: %w", err)
	}
	return &me, nil
}

// ListWorkspaces lists the workspaces of a project; projectID "" means the
// configured project.
func (c *Client) ListWorkspaces(ctx context.Context, projectID string) ([]PublicWorkspace, error) {
	if projectID == "" {
		pid, err := c.RequireProject()
		if err != nil {
			return nil, err
		}
		projectID = pid
	}
	var out []PublicWorkspace
	if err := c.AppJSON(ctx, Request{Path: "/projects/" + url.PathEscape(projectID) + "/workspaces/public", Cacheable: true}, &out); err != nil {
		return nil, fmt.Errorf("list workspaces of project %s: %w", projectID, err)
	}
	return out, nil
}

// WorkspaceView is the part of a workspace that decides which one Mixpanel
// uses for a project when none is pinned. Nil flags are unknown.
type WorkspaceView struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	IsGlobal  *bool  `json:"is_global,omitempty"`
	IsDefault *bool  `json:"is_default,omitempty"`
	IsVisible *bool  `json:"is_visible,omitempty"`
}

// GlobalWorkspaceName is the "see everything" view Mixpanel provisions in
// every workspace-enabled project.
const GlobalWorkspaceName = "All Project Data"

// SelectWorkspace picks a project's workspace the way the reference does:
// the global view, else the one named "All Project Data", else the
// default, else the first not known to be hidden, else the first. It
// returns why it chose it; ok is false for no views.
func SelectWorkspace(views []WorkspaceView) (chosen WorkspaceView, reason string, ok bool) {
	if len(views) == 0 {
		return WorkspaceView{}, "", false
	}
	for _, v := range views {
		if v.IsGlobal != nil && *v.IsGlobal {
			return v, "the global view", true
		}
	}
	for _, v := range views {
		if v.Name == GlobalWorkspaceName {
			return v, "named " + strconv.Quote(GlobalWorkspaceName), true
		}
	}
	for _, v := range views {
		if v.IsDefault != nil && *v.IsDefault {
			return v, "the project's default", true
		}
	}
	for _, v := range views {
		// Unknown visibility counts as visible.
		if v.IsVisible == nil || *v.IsVisible {
			return v, "the first visible", true
		}
	}
	return views[0], "the first", true
}

// WorkspaceResolution says which workspace requests are scoped to and how
// that was decided.
type WorkspaceResolution struct {
	WorkspaceID int64  `json:"workspace_id"`
	Name        string `json:"name,omitempty"`
	// Source is "pinned" (configured), "me", "workspaces_public" or
	// "metadata_index" (where the candidates came from).
	Source string `json:"source"`
	// Reason is the selection rule that matched, for discovered ones.
	Reason string `json:"reason,omitempty"`
}

// ErrNoWorkspace means no source listed a workspace for the project.
var ErrNoWorkspace = errors.New("no workspace found for the project")

// ResolveWorkspace returns the pinned workspace, or discovers the one
// Mixpanel would use (wire reference §1.3): candidates from /me, then
// /projects/{pid}/workspaces/public, then /projects/metadata/index, where a
// 403 or 404 from one source falls through to the next.
func (c *Client) ResolveWorkspace(ctx context.Context) (WorkspaceResolution, error) {
	if wid := c.WorkspaceID(); wid != "" {
		id, _ := strconv.ParseInt(wid, 10, 64)
		return WorkspaceResolution{WorkspaceID: id, Source: "pinned"}, nil
	}
	pid, err := c.RequireProject()
	if err != nil {
		return WorkspaceResolution{}, err
	}
	sources := []struct {
		name  string
		views func() ([]WorkspaceView, error)
	}{
		{"me", func() ([]WorkspaceView, error) { return c.meWorkspaceViews(ctx, pid) }},
		{"workspaces_public", func() ([]WorkspaceView, error) { return c.publicWorkspaceViews(ctx, pid) }},
		{"metadata_index", func() ([]WorkspaceView, error) { return c.metadataIndexViews(ctx, pid) }},
	}
	for _, src := range sources {
		views, err := src.views()
		if err != nil {
			var apiErr *APIError
			if errors.As(err, &apiErr) && (apiErr.Status == http.StatusForbidden || apiErr.Status == http.StatusNotFound) {
				continue
			}
			return WorkspaceResolution{}, fmt.Errorf("resolve workspace: %w", err)
		}
		if v, reason, ok := SelectWorkspace(views); ok {
			return WorkspaceResolution{WorkspaceID: v.ID, Name: v.Name, Source: src.name, Reason: reason}, nil
		}
	}
	return WorkspaceResolution{}, fmt.Errorf("resolve workspace of project %s: %w", pid, ErrNoWorkspace)
}

func (c *Client) meWorkspaceViews(ctx context.Context, pid string) ([]WorkspaceView, error) {
	me, err := c.Me(ctx)
	if err != nil {
		return nil, err
	}
	var views []WorkspaceView
	for _, ws := range me.Workspaces {
		if strconv.FormatInt(ws.ProjectID, 10) == pid {
			views = append(views, WorkspaceView{ID: ws.ID, Name: ws.Name, IsGlobal: ws.IsGlobal, IsDefault: ws.IsDefault, IsVisible: ws.IsVisible})
		}
	}
	sortViews(views)
	return views, nil
}

func (c *Client) publicWorkspaceViews(ctx context.Context, pid string) ([]WorkspaceView, error) {
	wss, err := c.ListWorkspaces(ctx, pid)
	if err != nil {
		return nil, err
	}
	views := make([]WorkspaceView, 0, len(wss))
	for _, ws := range wss {
		def := ws.IsDefault
		views = append(views, WorkspaceView{ID: ws.ID, Name: ws.Name, IsGlobal: ws.IsGlobal, IsDefault: &def, IsVisible: ws.IsVisible})
	}
	return views, nil
}

// metadataIndexViews reads {"<pid>": {"workspaces": {"<wid>": {...}}}};
// the index is loosely typed, so entries without a usable id are skipped.
func (c *Client) metadataIndexViews(ctx context.Context, pid string) ([]WorkspaceView, error) {
	var index map[string]struct {
		Workspaces map[string]struct {
			ID        FlexInt `json:"id"`
			Name      string  `json:"name"`
			IsGlobal  *bool   `json:"is_global"`
			IsDefault *bool   `json:"is_default"`
			IsVisible *bool   `json:"is_visible"`
		} `json:"workspaces"`
	}
	if err := c.AppJSON(ctx, Request{Path: "/projects/metadata/index", Cacheable: true}, &index); err != nil {
		return nil, fmt.Errorf("projects metadata index: %w", err)
	}
	var views []WorkspaceView
	for _, ws := range index[pid].Workspaces {
		if ws.ID == 0 {
			continue
		}
		views = append(views, WorkspaceView{ID: int64(ws.ID), Name: ws.Name, IsGlobal: ws.IsGlobal, IsDefault: ws.IsDefault, IsVisible: ws.IsVisible})
	}
	sortViews(views)
	return views, nil
}

// sortViews orders views by id so that "first" is stable across the
// map-shaped sources.
func sortViews(views []WorkspaceView) {
	sort.Slice(views, func(i, j int) bool { return views[i].ID < views[j].ID })
}
