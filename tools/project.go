package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The project toolset: who the credentials belong to, what they can see,
// and which project and workspace this server works in.
func projectTools() []*Tool {
	return []*Tool{
		titled(New("me", ToolsetProject,
			"Who the configured credentials belong to: user, organizations, and how many projects and workspaces they can see.",
			ReadOnly, me), "Who am I"),
		New("list_projects", ToolsetProject,
			"List the projects the credentials can access (from /me); the one in use is marked.",
			ReadOnly, listProjects),
		New("list_workspaces", ToolsetProject,
			"List the workspaces (data views) of a project, marking the one requests use.",
			ReadOnly, listWorkspaces),
		New("use_project", ToolsetProject,
			"Switch this session to another project and/or workspace the credentials can access; later calls and resources of this session use it, other sessions are unaffected. A new project without workspace_id pins none.",
			ReadOnly, useProject),
		New("get_active_project", ToolsetProject,
			"Show the project, workspace, region and auth this server uses, and which workspace Mixpanel picks when none is pinned.",
			ReadOnly, getActiveProject),
	}
}

// projectDefaultRows is how many projects list_projects shows by default.
const projectDefaultRows = 50

// MeInput takes no arguments.
type MeInput struct{}

// MeOutput summarises /me.
type MeOutput struct {
	UserID         int64                     `json:"user_id,omitempty"`
	UserEmail      string                    `json:"user_email,omitempty"`
	UserName       string                    `json:"user_name,omitempty"`
	Organizations  []mixpanel.MeOrganization `json:"organizations"`
	ProjectCount   int                       `json:"project_count"`
	WorkspaceCount int                       `json:"workspace_count"`
}

// Text renders the principal and its organizations.
func (o MeOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Signed in as %s <%s> (user %d); %d projects, %d workspaces visible.\n", cmpOrDash(o.UserName), cmpOrDash(o.UserEmail), o.UserID, o.ProjectCount, o.WorkspaceCount)
	rows := make([][]string, 0, len(o.Organizations))
	for _, org := range o.Organizations {
		rows = append(rows, []string{strconv.FormatInt(org.ID, 10), org.Name, org.Role})
	}
	b.WriteString(Table{Title: "Organizations", Columns: []string{"id", "name", "role"}, Rows: rows}.String())
	b.WriteString("list_projects shows the projects.\n")
	return b.String()
}

func me(ctx context.Context, env *Env, _ MeInput) (MeOutput, error) {
	c, err := env.Client()
	if err != nil {
		return MeOutput{}, err
	}
	m, err := c.Me(ctx)
	if err != nil {
		return MeOutput{}, meError(err)
	}
	out := MeOutput{UserID: m.UserID, UserEmail: m.UserEmail, UserName: m.UserName, ProjectCount: len(m.Projects), WorkspaceCount: len(m.Workspaces), Organizations: []mixpanel.MeOrganization{}}
	for _, org := range m.Organizations {
		out.Organizations = append(out.Organizations, org)
	}
	sort.Slice(out.Organizations, func(i, j int) bool { return out.Organizations[i].ID < out.Organizations[j].ID })
	return out, nil
}

// meError explains the usual 403 of /me: a service account without the
// user_details scope.
func meError(err error) error {
	if mixpanel.IsKind(err, mixpanel.KindForbidden) {
		return fmt.Errorf("%w\n/me needs the service account's user_details scope; without it, use get_active_project and list_workspaces, which work without /me", err)
	}
	return err
}

func cmpOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ListProjectsInput filters and pages the project list.
type ListProjectsInput struct {
	Query  string `json:"query,omitempty" jsonschema:"description=Case-insensitive substring of the project name"`
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=50"`
	Offset int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks the page window.
func (in ListProjectsInput) Validate() error {
	var iss query.Issues
	checkPage(&iss, in.Limit, in.Offset, 1000)
	return issuesError(iss)
}

// ProjectRow is one accessible project.
type ProjectRow struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	OrganizationID   int64  `json:"organization_id"`
	OrganizationName string `json:"organization_name,omitempty"`
	Timezone         string `json:"timezone,omitempty"`
	Active           bool   `json:"active"`
}

// ProjectList is a page of projects.
type ProjectList struct {
	Projects []ProjectRow `json:"projects"`
	Total    int          `json:"total"`
	Offset   int          `json:"offset"`
}

// Text renders the page as a table.
func (o ProjectList) Text() string {
	rows := make([][]string, 0, len(o.Projects))
	for _, p := range o.Projects {
		mark := ""
		if p.Active {
			mark = "active"
		}
		rows = append(rows, []string{p.ID, p.Name, p.OrganizationName, p.Timezone, mark})
	}
	return Table{Title: fmt.Sprintf("%d projects", o.Total), Columns: []string{"id", "name", "organization", "timezone", ""}, Rows: rows, Offset: o.Offset, Total: o.Total}.String()
}

func listProjects(ctx context.Context, env *Env, in ListProjectsInput) (ProjectList, error) {
	c, err := env.Client()
	if err != nil {
		return ProjectList{}, err
	}
	m, err := c.Me(ctx)
	if err != nil {
		return ProjectList{}, meError(err)
	}
	all := make([]ProjectRow, 0, len(m.Projects))
	for id, p := range m.Projects {
		if !containsFold(p.Name, in.Query) {
			continue
		}
		all = append(all, ProjectRow{ID: id, Name: p.Name, OrganizationID: p.OrganizationID, OrganizationName: m.Organizations[strconv.FormatInt(p.OrganizationID, 10)].Name, Timezone: p.Timezone, Active: id == c.ProjectID()})
	}
	sort.Slice(all, func(i, j int) bool { return numericLess(all[i].ID, all[j].ID) })
	start, end := Page(len(all), in.Offset, cmp.Or(in.Limit, projectDefaultRows))
	return ProjectList{Projects: all[start:end], Total: len(all), Offset: start}, nil
}

// numericLess orders numeric ids by value and anything else after them.
func numericLess(a, b string) bool {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return x < y
	case errA == nil:
		return true
	case errB == nil:
		return false
	}
	return a < b
}

// ListWorkspacesInput picks the project.
type ListWorkspacesInput struct {
	ProjectID string `json:"project_id,omitempty" jsonschema:"description=Numeric project id; default the one in use"`
}

// Validate checks the project id is numeric.
func (in ListWorkspacesInput) Validate() error {
	if in.ProjectID != "" {
		if _, err := strconv.ParseInt(in.ProjectID, 10, 64); err != nil {
			return issue(query.CodeType, "project_id", "%s is not a numeric project id; pass one such as \"12345\"", strconv.Quote(clip(in.ProjectID, 60)))
		}
	}
	return nil
}

// WorkspaceList is a project's workspaces and the one requests use.
type WorkspaceList struct {
	ProjectID  string                     `json:"project_id"`
	Workspaces []mixpanel.PublicWorkspace `json:"workspaces"`
	// InUse is the pinned workspace, or the one Mixpanel picks when none is.
	InUse  int64  `json:"in_use,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Text renders the workspaces as a table.
func (o WorkspaceList) Text() string {
	rows := make([][]string, 0, len(o.Workspaces))
	for _, w := range o.Workspaces {
		var flags []string
		if w.IsDefault {
			flags = append(flags, "default")
		}
		if w.IsGlobal != nil && *w.IsGlobal {
			flags = append(flags, "global")
		}
		if w.IsRestricted != nil && *w.IsRestricted {
			flags = append(flags, "restricted")
		}
		if w.IsVisible != nil && !*w.IsVisible {
			flags = append(flags, "hidden")
		}
		if w.ID == o.InUse {
			flags = append(flags, "IN USE")
		}
		rows = append(rows, []string{strconv.FormatInt(w.ID, 10), w.Name, strings.Join(flags, ", "), w.Description})
	}
	s := Table{Title: fmt.Sprintf("Workspaces of project %s", o.ProjectID), Columns: []string{"id", "name", "flags", "description"}, Rows: rows}.String()
	if o.Reason != "" {
		s += o.Reason + "\n"
	}
	return s
}

func listWorkspaces(ctx context.Context, env *Env, in ListWorkspacesInput) (WorkspaceList, error) {
	c, err := env.Client()
	if err != nil {
		return WorkspaceList{}, err
	}
	pid := in.ProjectID
	if pid == "" {
		if pid, err = c.RequireProject(); err != nil {
			return WorkspaceList{}, err
		}
	}
	wss, err := c.ListWorkspaces(ctx, pid)
	if err != nil {
		return WorkspaceList{}, err
	}
	out := WorkspaceList{ProjectID: pid, Workspaces: wss}
	if out.Workspaces == nil {
		out.Workspaces = []mixpanel.PublicWorkspace{}
	}
	if pid != c.ProjectID() {
		return out, nil
	}
	if wid := c.WorkspaceID(); wid != "" {
		out.InUse, _ = strconv.ParseInt(wid, 10, 64)
		out.Reason = "Workspace " + wid + " is pinned (MP_WORKSPACE_ID or use_project)."
		return out, nil
	}
	views := make([]mixpanel.WorkspaceView, 0, len(wss))
	for _, w := range wss {
		def := w.IsDefault
		views = append(views, mixpanel.WorkspaceView{ID: w.ID, Name: w.Name, IsGlobal: w.IsGlobal, IsDefault: &def, IsVisible: w.IsVisible})
	}
	if v, reason, ok := mixpanel.SelectWorkspace(views); ok {
		out.InUse = v.ID
		out.Reason = fmt.Sprintf("No workspace is pinned: Mixpanel would use %d (%s), %s; project-wide requests go to /projects/%s. Pin one with use_project.", v.ID, v.Name, reason, pid)
	}
	return out, nil
}

// ActiveProjectInput takes no arguments.
type ActiveProjectInput struct{}

// ActiveProject is what this server is configured to work on.
type ActiveProject struct {
	Region           string `json:"region"`
	Auth             string `json:"auth"` // service_account or oauth
	Username         string `json:"username,omitempty"`
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name,omitempty"`
	Timezone         string `json:"timezone,omitempty"`
	OrganizationName string `json:"organization_name,omitempty"`
	WorkspaceID      int64  `json:"workspace_id,omitempty"`
	WorkspaceName    string `json:"workspace_name,omitempty"`
	// WorkspacePinned is true when the configuration or use_project names
	// the workspace; otherwise WorkspaceID is the one Mixpanel would pick.
	WorkspacePinned bool     `json:"workspace_pinned"`
	WorkspaceSource string   `json:"workspace_source,omitempty"`
	WorkspaceReason string   `json:"workspace_reason,omitempty"`
	Notes           []string `json:"notes,omitempty"`
}

// Text renders the configuration as a few lines.
func (o ActiveProject) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Project %s", o.ProjectID)
	if o.ProjectName != "" {
		fmt.Fprintf(&b, " %q", o.ProjectName)
	}
	if o.OrganizationName != "" {
		fmt.Fprintf(&b, " of %s", o.OrganizationName)
	}
	fmt.Fprintf(&b, "; region %s", o.Region)
	if o.Timezone != "" {
		fmt.Fprintf(&b, "; timezone %s", o.Timezone)
	}
	b.WriteString(".\n")
	auth := "OAuth token"
	if o.Auth == "service_account" {
		auth = "service account " + o.Username
	}
	fmt.Fprintf(&b, "Auth: %s.\n", auth)
	switch {
	case o.WorkspacePinned:
		fmt.Fprintf(&b, "Workspace %d %s is pinned; requests are scoped to it.\n", o.WorkspaceID, quoteOrEmpty(o.WorkspaceName))
	case o.WorkspaceID != 0:
		fmt.Fprintf(&b, "No workspace pinned: requests are project-wide (/projects/%s); where one is needed Mixpanel uses workspace %d %s, %s (from %s).\n",
			o.ProjectID, o.WorkspaceID, quoteOrEmpty(o.WorkspaceName), o.WorkspaceReason, sourceText(o.WorkspaceSource))
	default:
		fmt.Fprintf(&b, "No workspace pinned: requests are project-wide (/projects/%s).\n", o.ProjectID)
	}
	for _, n := range o.Notes {
		b.WriteString("Note: " + n + "\n")
	}
	return b.String()
}

// sourceText names where a discovered workspace came from, for the text
// (structuredContent keeps the reference's source codes).
func sourceText(source string) string {
	switch source {
	case "me":
		return "/me"
	case "workspaces_public":
		return "the project's public workspace list"
	case "metadata_index":
		return "the projects metadata index"
	}
	return source
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return strconv.Quote(s)
}

func getActiveProject(ctx context.Context, env *Env, _ ActiveProjectInput) (ActiveProject, error) {
	c, err := env.Client()
	if err != nil {
		return ActiveProject{}, err
	}
	pid, err := c.RequireProject()
	if err != nil {
		return ActiveProject{}, err
	}
	cfg := c.Config()
	out := ActiveProject{Region: string(c.Region()), ProjectID: pid, Auth: "service_account", Username: cfg.Username}
	if cfg.OAuthToken != "" || cfg.Tokens != nil {
		out.Auth, out.Username = "oauth", ""
	}
	m, meErr := c.Me(ctx)
	if meErr == nil {
		p, ok := m.Projects[pid]
		if ok {
			out.ProjectName, out.Timezone = p.Name, p.Timezone
			out.OrganizationName = m.Organizations[strconv.FormatInt(p.OrganizationID, 10)].Name
		} else {
			out.Notes = append(out.Notes, fmt.Sprintf("project %s is not among the projects these credentials can see; check MP_PROJECT_ID with list_projects", pid))
		}
	} else {
		out.Notes = append(out.Notes, "project details unavailable: "+meErr.Error())
	}
	res, err := c.ResolveWorkspace(ctx)
	switch {
	case errors.Is(err, mixpanel.ErrNoWorkspace):
		out.Notes = append(out.Notes, "the project has no workspaces")
	case err != nil:
		out.Notes = append(out.Notes, "workspace discovery failed: "+err.Error())
	default:
		out.WorkspaceID, out.WorkspaceName = res.WorkspaceID, res.Name
		out.WorkspacePinned = res.Source == "pinned"
		if !out.WorkspacePinned {
			out.WorkspaceSource, out.WorkspaceReason = res.Source, res.Reason
		}
		if out.WorkspaceName == "" && meErr == nil {
			out.WorkspaceName = m.Workspaces[strconv.FormatInt(res.WorkspaceID, 10)].Name
		}
	}
	return out, nil
}
