package mixpanel_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestMe(t *testing.T) {
	srv := mixpaneltest.New(t)
	me, err := srv.Client(t).Me(context.Background())
	require.NoError(t, err)

	req := srv.LastRequest(t, mixpaneltest.AppPrefix+"/me")
	assert.Equal(t, http.MethodGet, req.Method)
	assert.Equal(t, "Basic", req.AuthType)
	assert.Empty(t, req.Query.Get("project_id"), "App API calls carry the project in the path only")

	assert.Equal(t, int64(4242), me.UserID)
	assert.Equal(t, "ana.analyst@shopfast.example", me.UserEmail)
	require.Contains(t, me.Organizations, "777")
	assert.Equal(t, "admin", me.Organizations["777"].Role)
	require.Contains(t, me.Projects, "12345")
	assert.Equal(t, "ShopFast Production", me.Projects["12345"].Name)
	assert.Equal(t, "US/Pacific", me.Projects["12345"].Timezone)
	require.Contains(t, me.Workspaces, "3000")
	ws := me.Workspaces["3000"]
	assert.Equal(t, int64(12345), ws.ProjectID)
	require.NotNil(t, ws.IsGlobal)
	assert.True(t, *ws.IsGlobal)
}

func TestListWorkspaces(t *testing.T) {
	tests := []struct {
		name      string
		project   string
		wantPath  string
		wantNames []string
		wantKind  mixpanel.ErrorKind
	}{
		{"configured project", "", "/api/app/projects/12345/workspaces/public", []string{"All Project Data", "Web", "Mobile Apps"}, ""},
		{"other project without workspaces", "12346", "/api/app/projects/12346/workspaces/public", nil, ""},
		{"unknown project", "999", "/api/app/projects/999/workspaces/public", nil, mixpanel.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			wss, err := srv.Client(t).ListWorkspaces(context.Background(), tt.project)
			srv.LastRequest(t, tt.wantPath)
			if tt.wantKind != "" {
				require.Error(t, err)
				assert.True(t, mixpanel.IsKind(err, tt.wantKind), "error %v", err)
				return
			}
			require.NoError(t, err)
			var names []string
			for _, w := range wss {
				names = append(names, w.Name)
			}
			assert.Equal(t, tt.wantNames, names)
		})
	}
}

func TestListWorkspacesFields(t *testing.T) {
	srv := mixpaneltest.New(t)
	wss, err := srv.Client(t).ListWorkspaces(context.Background(), "")
	require.NoError(t, err)
	require.Len(t, wss, 3)
	web := wss[1]
	assert.Equal(t, int64(3001), web.ID)
	assert.True(t, web.IsDefault)
	assert.Equal(t, "Web storefront traffic", web.Description)
	assert.Equal(t, "2024-02-03T10:30:00Z", web.CreatedISO)
	require.NotNil(t, wss[2].IsRestricted)
	assert.True(t, *wss[2].IsRestricted)
}

func TestSelectWorkspace(t *testing.T) {
	yes, no := new(bool), new(bool)
	*yes = true
	tests := []struct {
		name       string
		views      []mixpanel.WorkspaceView
		wantID     int64
		wantReason string
		wantOK     bool
	}{
		{"none", nil, 0, "", false},
		{"global beats default", []mixpanel.WorkspaceView{{ID: 1, Name: "Console", IsDefault: yes}, {ID: 2, Name: "Everything", IsGlobal: yes}}, 2, "the global view", true},
		{"named all project data", []mixpanel.WorkspaceView{{ID: 1, Name: "Console", IsDefault: yes}, {ID: 2, Name: "All Project Data"}}, 2, `named "All Project Data"`, true},
		{"default", []mixpanel.WorkspaceView{{ID: 1, Name: "A"}, {ID: 2, Name: "B", IsDefault: yes}}, 2, "the project's default", true},
		{"first visible skips hidden", []mixpanel.WorkspaceView{{ID: 1, Name: "A", IsVisible: no}, {ID: 2, Name: "B", IsVisible: yes}}, 2, "the first visible", true},
		{"unknown visibility counts as visible", []mixpanel.WorkspaceView{{ID: 1, Name: "A", IsVisible: no}, {ID: 2, Name: "B"}}, 2, "the first visible", true},
		{"all hidden: first", []mixpanel.WorkspaceView{{ID: 5, Name: "A", IsVisible: no}, {ID: 6, Name: "B", IsVisible: no}}, 5, "the first", true},
		{"global false is not global", []mixpanel.WorkspaceView{{ID: 1, Name: "A", IsGlobal: no}, {ID: 2, Name: "B", IsDefault: yes}}, 2, "the project's default", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, reason, ok := mixpanel.SelectWorkspace(tt.views)
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.wantID, v.ID)
			assert.Equal(t, tt.wantReason, reason)
		})
	}
}

func TestResolveWorkspace(t *testing.T) {
	me := mixpaneltest.AppPrefix + "/me"
	public := mixpaneltest.AppPrefix + "/projects/12345/workspaces/public"
	index := mixpaneltest.AppPrefix + "/projects/metadata/index"
	forbidden := `{"error":"Service account lacks user_details scope","status":"error"}`
	tests := []struct {
		name       string
		failures   []mixpaneltest.Failure
		data       func(*mixpaneltest.Data)
		wantID     int64
		wantSource string
		wantPaths  []string
		wantErr    func(error) bool
	}{
		{name: "from /me: the global view", wantID: 3000, wantSource: "me", wantPaths: []string{me}},
		{
			name:     "/me forbidden falls through to workspaces/public",
			failures: []mixpaneltest.Failure{{Path: me, Status: http.StatusForbidden, Body: forbidden}},
			wantID:   3000, wantSource: "workspaces_public", wantPaths: []string{me, public},
		},
		{
			name: "both forbidden or missing: metadata index",
			failures: []mixpaneltest.Failure{
				{Path: me, Status: http.StatusForbidden, Body: forbidden},
				{Path: public, Status: http.StatusNotFound, Body: `{"error":"not found"}`},
			},
			wantID: 3000, wantSource: "metadata_index", wantPaths: []string{me, public, index},
		},
		{
			name: "/me without the project's workspaces falls through",
			data: func(d *mixpaneltest.Data) {
				d.Workspaces = []mixpaneltest.Workspace{{ID: 3009, Name: "Only public", ProjectID: 99}}
			},
			failures:  []mixpaneltest.Failure{{Path: public, Status: http.StatusForbidden, Body: forbidden}},
			wantPaths: []string{me, public, index},
			wantErr:   func(err error) bool { return errors.Is(err, mixpanel.ErrNoWorkspace) },
		},
		{
			name:      "a server error is not a fall-through",
			failures:  []mixpaneltest.Failure{{Path: me, Status: http.StatusBadGateway, Body: `{"error":"upstream"}`}},
			wantPaths: []string{me},
			wantErr:   func(err error) bool { return mixpanel.IsKind(err, mixpanel.KindServer) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			if tt.data != nil {
				tt.data(srv.Data)
			}
			for _, f := range tt.failures {
				srv.Fail(f)
			}
			res, err := srv.Client(t).ResolveWorkspace(context.Background())
			var paths []string
			for _, r := range srv.Requests() {
				if len(paths) == 0 || paths[len(paths)-1] != r.Path {
					paths = append(paths, r.Path) // collapse retries
				}
			}
			assert.Equal(t, tt.wantPaths, paths)
			if tt.wantErr != nil {
				require.Error(t, err)
				assert.True(t, tt.wantErr(err), "unexpected error %v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, res.WorkspaceID)
			assert.Equal(t, tt.wantSource, res.Source)
			assert.Equal(t, "All Project Data", res.Name)
			assert.Equal(t, "the global view", res.Reason)
		})
	}
}

func TestResolveWorkspacePinned(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.WorkspaceID = "3001"
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	res, err := c.ResolveWorkspace(context.Background())
	require.NoError(t, err)
	assert.Equal(t, mixpanel.WorkspaceResolution{WorkspaceID: 3001, Source: "pinned"}, res)
	assert.Empty(t, srv.Requests(), "a pinned workspace needs no discovery")
}

func TestResolveWorkspaceNeedsProject(t *testing.T) {
	srv := mixpaneltest.New(t)
	cfg := srv.Config()
	cfg.ProjectID = ""
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	_, err = c.ResolveWorkspace(context.Background())
	var missing *mixpanel.MissingSettingError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, "MP_PROJECT_ID", missing.Setting)
}
