package tools

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// envWith is testEnv with a changed client configuration.
func envWith(t *testing.T, srv *mixpaneltest.Server, change func(*mixpanel.Config)) *Env {
	t.Helper()
	cfg := srv.Config()
	change(&cfg)
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	env := NewEnv(c, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	return env
}

func TestMeTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "me", `{}`)
	text := mustOK(t, res)
	assert.Equal(t, http.MethodGet, srv.LastRequest(t, "/api/app/me").Method)
	assert.Contains(t, text, "Signed in as Ana Analyst <ana.analyst@shopfast.example> (user 4242); 2 projects, 3 workspaces visible.")
	assert.Contains(t, text, "| 777 | ShopFast Inc. | admin |")
	var out MeOutput
	structured(t, res, &out)
	assert.Equal(t, 2, out.ProjectCount)
	require.Len(t, out.Organizations, 1)
}

func TestMeToolForbidden(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: "/api/app/me", Status: http.StatusForbidden, Body: `{"error":"missing scope","status":"error"}`})
	text := mustFail(t, callTool(t, testEnv(t, srv), "me", `{}`))
	assert.Contains(t, text, "403 Forbidden: missing scope")
	assert.Contains(t, text, "user_details scope")
}

func TestListProjectsTool(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		contains []string
		absent   []string
	}{
		{"all, configured one marked", `{}`,
			[]string{"2 projects", "| 12345 | ShopFast Production | ShopFast Inc. | US/Pacific | active |", "| 12346 | ShopFast Staging | ShopFast Inc. | US/Pacific |  |"}, []string{"more rows"}},
		{"capped with a note", `{"limit":1}`,
			[]string{"| 12345 |", "1 more rows (showing 1–1 of 2); pass limit/offset to see more."}, []string{"12346"}},
		{"second page", `{"limit":1,"offset":1}`, []string{"| 12346 |"}, []string{"| 12345 |"}},
		{"name filter", `{"query":"staging"}`, []string{"1 projects", "| 12346 |"}, []string{"| 12345 |"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustOK(t, callTool(t, testEnv(t, srv), "list_projects", tt.args))
			for _, s := range tt.contains {
				assert.Contains(t, text, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, text, s)
			}
		})
	}
	srv := mixpaneltest.New(t)
	assert.Contains(t, mustFail(t, callTool(t, testEnv(t, srv), "list_projects", `{"limit":-1}`)), "limit: MG6: must be between 1 and 1000")
	assert.Empty(t, srv.Requests())
}

func TestListWorkspacesTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "list_workspaces", `{}`)
	text := mustOK(t, res)
	srv.LastRequest(t, "/api/app/projects/12345/workspaces/public")
	assert.Contains(t, text, "Workspaces of project 12345")
	assert.Contains(t, text, "| 3000 | All Project Data | global, IN USE | Every event and profile of the project |")
	assert.Contains(t, text, "| 3001 | Web | default | Web storefront traffic |")
	assert.Contains(t, text, "| 3002 | Mobile Apps | restricted | iOS and Android |")
	assert.Contains(t, text, "No workspace is pinned: Mixpanel would use 3000 (All Project Data), the global view")
	var out WorkspaceList
	structured(t, res, &out)
	assert.Equal(t, int64(3000), out.InUse)
	assert.Len(t, out.Workspaces, 3)

	pinned := envWith(t, srv, func(c *mixpanel.Config) { c.WorkspaceID = "3002" })
	text = mustOK(t, callTool(t, pinned, "list_workspaces", `{}`))
	assert.Contains(t, text, "| 3002 | Mobile Apps | restricted, IN USE |")
	assert.Contains(t, text, "Workspace 3002 is pinned (MP_WORKSPACE_ID or use_project)")

	text = mustOK(t, callTool(t, testEnv(t, srv), "list_workspaces", `{"project_id":"12346"}`))
	assert.Contains(t, text, "(no rows)")
	assert.NotContains(t, text, "IN USE")
}

func TestListWorkspacesToolErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	assert.Contains(t, mustFail(t, callTool(t, env, "list_workspaces", `{"project_id":"shopfast"}`)), `project_id: A1: "shopfast" is not a numeric project id`)
	assert.Empty(t, srv.Requests(), "invalid input sends nothing")

	text := mustFail(t, callTool(t, env, "list_workspaces", `{"project_id":"999"}`))
	assert.Contains(t, text, "404 Not Found")
	assert.Contains(t, text, "list the entities first")
}

func TestGetActiveProjectTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "get_active_project", `{}`)
	text := mustOK(t, res)
	assert.Contains(t, text, `Project 12345 "ShopFast Production" of ShopFast Inc.; region us; timezone US/Pacific.`)
	assert.Contains(t, text, "Auth: service account "+mixpaneltest.Username+".")
	assert.Contains(t, text, `No workspace pinned: requests are project-wide (/projects/12345); where one is needed Mixpanel uses workspace 3000 "All Project Data", the global view (from /me).`)
	assert.NotContains(t, text, mixpaneltest.Secret)
	var out ActiveProject
	structured(t, res, &out)
	assert.Equal(t, ActiveProject{Region: "us", Auth: "service_account", Username: mixpaneltest.Username, ProjectID: "12345", ProjectName: "ShopFast Production",
		Timezone: "US/Pacific", OrganizationName: "ShopFast Inc.", WorkspaceID: 3000, WorkspaceName: "All Project Data", WorkspaceSource: "me", WorkspaceReason: "the global view"}, out)
}

func TestGetActiveProjectToolVariants(t *testing.T) {
	tests := []struct {
		name     string
		change   func(*mixpanel.Config)
		failures []mixpaneltest.Failure
		contains []string
	}{
		{"pinned workspace gets its name from /me", func(c *mixpanel.Config) { c.WorkspaceID = "3001" }, nil,
			[]string{`Workspace 3001 "Web" is pinned; requests are scoped to it.`}},
		{"OAuth never shows the token", func(c *mixpanel.Config) { c.Username, c.Secret, c.OAuthToken = "", "", mixpaneltest.OAuthToken }, nil,
			[]string{"Auth: OAuth token."}},
		{"/me forbidden: still resolves the workspace", func(*mixpanel.Config) {},
			[]mixpaneltest.Failure{{Path: "/api/app/me", Status: http.StatusForbidden, Body: `{"error":"missing scope"}`}},
			[]string{"Project 12345; region us.", "(from the project's public workspace list)", "Note: project details unavailable: me: mixpanel GET /me: 403 Forbidden: missing scope"}},
		{"project not visible to the credentials", func(c *mixpanel.Config) { c.ProjectID = "4040" },
			[]mixpaneltest.Failure{{Path: "/api/app/projects/4040/workspaces/public", Status: http.StatusNotFound, Body: `{"error":"no such project"}`}},
			[]string{"Note: project 4040 is not among the projects these credentials can see", "Note: the project has no workspaces"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			for _, f := range tt.failures {
				srv.Fail(f)
			}
			text := mustOK(t, callTool(t, envWith(t, srv, tt.change), "get_active_project", `{}`))
			for _, s := range tt.contains {
				assert.Contains(t, text, s)
			}
			assert.NotContains(t, text, mixpaneltest.OAuthToken)
			assert.NotContains(t, text, mixpaneltest.Secret)
		})
	}
}

func TestGetActiveProjectToolNeedsProject(t *testing.T) {
	srv := mixpaneltest.New(t)
	text := mustFail(t, callTool(t, envWith(t, srv, func(c *mixpanel.Config) { c.ProjectID = "" }), "get_active_project", `{}`))
	assert.True(t, strings.HasPrefix(text, "missing setting MP_PROJECT_ID"), text)
	assert.Empty(t, srv.Requests())
}
