package mixpanel_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestBusinessContextReadWrite(t *testing.T) {
	const projectPath = mixpaneltest.AppPrefix + "/projects/12345/business-context"
	const orgPath = mixpaneltest.AppPrefix + "/organizations/777/business-context"
	tests := []struct {
		name     string
		call     func(context.Context, *mixpanel.Client) (mixpanel.BusinessContext, error)
		method   string
		path     string
		body     string
		level    string
		content  string
		orgFromM bool
	}{
		{name: "get project", call: func(ctx context.Context, c *mixpanel.Client) (mixpanel.BusinessContext, error) {
			return c.GetBusinessContext(ctx, mixpanel.LevelProject, 0)
		}, method: http.MethodGet, path: projectPath, level: "project", content: "# ShopFast Production"},
		{name: "get organization resolves the org from /me", call: func(ctx context.Context, c *mixpanel.Client) (mixpanel.BusinessContext, error) {
			return c.GetBusinessContext(ctx, mixpanel.LevelOrganization, 0)
		}, method: http.MethodGet, path: orgPath, level: "organization", content: "# ShopFast Inc.", orgFromM: true},
		{name: "set project replaces the content", call: func(ctx context.Context, c *mixpanel.Client) (mixpanel.BusinessContext, error) {
			return c.SetBusinessContext(ctx, mixpanel.LevelProject, "# New — é", 0)
		}, method: http.MethodPut, path: projectPath, body: `{"content":"# New — é"}`, level: "project", content: "# New — é"},
		{name: "set organization with an explicit id skips /me", call: func(ctx context.Context, c *mixpanel.Client) (mixpanel.BusinessContext, error) {
			return c.SetBusinessContext(ctx, mixpanel.LevelOrganization, "org rules", 777)
		}, method: http.MethodPut, path: orgPath, body: `{"content":"org rules"}`, level: "organization", content: "org rules"},
		{name: "clear sends empty content", call: func(ctx context.Context, c *mixpanel.Client) (mixpanel.BusinessContext, error) {
			return c.ClearBusinessContext(ctx, mixpanel.LevelProject, 0)
		}, method: http.MethodPut, path: projectPath, body: `{"content":""}`, level: "project", content: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			got, err := tt.call(context.Background(), srv.Client(t))
			require.NoError(t, err)
			assert.Equal(t, tt.level, got.Level)
			assert.True(t, strings.HasPrefix(got.Content, tt.content), got.Content)
			assert.Equal(t, tt.content == "", got.IsEmpty)
			assert.Equal(t, len([]rune(got.Content)), got.CharacterCount)
			if tt.level == "project" {
				require.NotNil(t, got.ProjectID)
				assert.Equal(t, "12345", *got.ProjectID)
				assert.Nil(t, got.OrganizationID)
			} else {
				require.NotNil(t, got.OrganizationID)
				assert.Equal(t, int64(777), *got.OrganizationID)
				assert.Nil(t, got.ProjectID)
			}
			last := srv.LastRequest(t, tt.path)
			assert.Equal(t, tt.method, last.Method)
			if tt.body != "" {
				assert.JSONEq(t, tt.body, string(last.Body))
			}
			meCalls := 0
			for _, r := range srv.Requests() {
				if r.Path == mixpaneltest.AppPrefix+"/me" {
					meCalls++
				}
			}
			assert.Equal(t, tt.orgFromM, meCalls == 1, "/me calls: %d", meCalls)
		})
	}
}

func TestBusinessContextCap(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := srv.Client(t)
	ctx := context.Background()

	atCap := strings.Repeat("é", mixpanel.BusinessContextMaxChars)
	got, err := c.SetBusinessContext(ctx, mixpanel.LevelProject, atCap, 0)
	require.NoError(t, err, "exactly 50,000 characters (100,000 bytes) is allowed")
	assert.Equal(t, mixpanel.BusinessContextMaxChars, got.CharacterCount)

	before := len(srv.Requests())
	_, err = c.SetBusinessContext(ctx, mixpanel.LevelProject, atCap+"xyz", 0)
	var tooLong *mixpanel.BusinessContextTooLongError
	require.ErrorAs(t, err, &tooLong)
	assert.Equal(t, mixpanel.BusinessContextMaxChars+3, tooLong.Length)
	assert.Contains(t, err.Error(), "content: BUSINESS_CONTEXT_TOO_LONG: 50003 characters is 3 over the cap of 50000")
	assert.Len(t, srv.Requests(), before, "no request for content over the cap")

	_, err = c.SetBusinessContext(ctx, "org", "x", 0)
	require.ErrorContains(t, err, `level: must be "organization" or "project"`)
	assert.Len(t, srv.Requests(), before)
}

func TestBusinessContextChain(t *testing.T) {
	srv := mixpaneltest.New(t)
	chain, err := srv.Client(t).GetBusinessContextChain(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "organization", chain.Organization.Level)
	assert.Contains(t, chain.Organization.Content, "ShopFast Inc.")
	assert.Equal(t, "project", chain.Project.Level)
	assert.Equal(t, "12345", *chain.Project.ProjectID)
	assert.Len(t, srv.Requests(), 1, "one round trip")

	srv.Data.OrgBusinessContext, srv.Data.ProjectBusinessContext = "", ""
	chain, err = srv.Client(t).GetBusinessContextChain(context.Background())
	require.NoError(t, err)
	assert.True(t, chain.Organization.IsEmpty)
	assert.True(t, chain.Project.IsEmpty)
}

func TestBusinessContextErrors(t *testing.T) {
	const projectPath = mixpaneltest.AppPrefix + "/projects/12345/business-context"
	tests := []struct {
		name    string
		respond any
		status  int
		want    string
	}{
		{name: "missing content field", respond: map[string]any{"status": "ok", "results": map[string]any{"other": 1}}, status: http.StatusOK, want: "lacks the required field content"},
		{name: "server-side cap", respond: map[string]any{"status": "error", "error": "content exceeds maximum length of 50000 characters"}, status: http.StatusBadRequest, want: "content exceeds maximum length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(http.MethodGet, projectPath, tt.status, tt.respond)
			_, err := srv.Client(t).GetBusinessContext(context.Background(), mixpanel.LevelProject, 0)
			require.ErrorContains(t, err, tt.want)
		})
	}

	srv := mixpaneltest.New(t)
	srv.Data.Projects = nil
	srv.Data.Organizations = append(srv.Data.Organizations, mixpaneltest.Organization{ID: 778, Name: "Other"})
	_, err := srv.Client(t).GetBusinessContext(context.Background(), mixpanel.LevelOrganization, 0)
	require.ErrorContains(t, err, "organization_id: cannot tell which organization owns project 12345")
}
