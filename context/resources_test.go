package mpcontext_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mpcontext "github.com/mixpanel-mcp/mixpanel-mcp/context"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// connect serves the resources of a client for srv (or of clientErr) and
// returns an initialized in-process MCP client.
func connect(t *testing.T, srv *mixpaneltest.Server, clientErr error) *client.Client {
	t.Helper()
	s := server.NewMCPServer("t", "1", server.WithResourceCapabilities(false, false))
	mpcontext.Register(s, func(context.Context) (*mixpanel.Client, error) {
		if clientErr != nil {
			return nil, clientErr
		}
		return srv.Client(t), nil
	})
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	res, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	require.NotNil(t, res.Capabilities.Resources, "the server declares resources")
	return c
}

func read(t *testing.T, c *client.Client, uri string) (string, error) {
	t.Helper()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	res, err := c.ReadResource(context.Background(), req)
	if err != nil {
		return "", err
	}
	require.Len(t, res.Contents, 1)
	tc, ok := res.Contents[0].(mcp.TextResourceContents)
	require.True(t, ok, "text contents, got %T", res.Contents[0])
	assert.Equal(t, "text/markdown", tc.MIMEType)
	assert.Equal(t, uri, tc.URI)
	return tc.Text, nil
}

func TestResourcesListed(t *testing.T) {
	c := connect(t, mixpaneltest.New(t), nil)
	ctx := context.Background()
	list, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	require.NoError(t, err)
	got := map[string]mcp.Resource{}
	for _, r := range list.Resources {
		got[r.URI] = r
	}
	for _, uri := range []string{mpcontext.ChainURI, mpcontext.OrganizationURI, mpcontext.ProjectURI} {
		r, ok := got[uri]
		require.True(t, ok, uri)
		assert.NotEmpty(t, r.Title, uri)
		assert.Greater(t, len(r.Description), 40, uri)
		assert.Equal(t, "text/markdown", r.MIMEType, uri)
	}
	templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	var raw []string
	for _, tpl := range templates.ResourceTemplates {
		raw = append(raw, tpl.URITemplate.Raw())
		assert.NotEmpty(t, tpl.Title)
		assert.NotEmpty(t, tpl.Description)
		assert.Equal(t, "text/markdown", tpl.MIMEType)
	}
	assert.ElementsMatch(t, []string{mpcontext.ReplaySummaryTemplate, mpcontext.UserReplaysTemplate}, raw)
}

func TestBusinessContextResources(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := connect(t, srv, nil)
	tests := []struct {
		uri  string
		want []string
	}{
		{mpcontext.ProjectURI, []string{"# ShopFast Production", "weekly purchasers"}},
		{mpcontext.OrganizationURI, []string{"# ShopFast Inc."}},
		{mpcontext.ChainURI, []string{"# ShopFast Inc.", "# ShopFast Production"}},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			text, err := read(t, c, tt.uri)
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
		})
	}
	srv.Data.ProjectBusinessContext = ""
	text, err := read(t, c, mpcontext.ProjectURI)
	require.NoError(t, err)
	assert.Contains(t, text, "# Project business context\n\n(none set)")
}

func TestReplayResources(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := connect(t, srv, nil)
	text, err := read(t, c, "mixpanel://replays/"+mixpaneltest.ReplayLogin+"/summary")
	require.NoError(t, err)
	assert.Contains(t, text, "# Replay r-login-7f3a")
	assert.Contains(t, text, "## Timeline")

	text, err = read(t, c, "mixpanel://users/jane.doe%40acme.io/replays/summary")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(text, "# Replays of jane.doe@acme.io"), text[:min(80, len(text))])
	assert.Contains(t, text, "- replays: 2")
	assert.Contains(t, text, "Not fetched: r-aged-out-aa00")

	text, err = read(t, c, "mixpanel://users/nobody/replays/summary")
	require.NoError(t, err)
	assert.Contains(t, text, "No session replays of this user")
}

func TestReplayResourceErrors(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := connect(t, srv, nil)
	// code is the JSON-RPC error the client sees. mcp-go v1.2.1 answers
	// "resource not found" (-32002, or -32602 for protocol 2026-07-28,
	// which these clients speak) only for a URI no resource matches:
	// whatever a resource handler returns becomes -32603 (its
	// server/handler_errors.go), so a missing replay cannot carry the
	// not-found code; the README says so. If the first two cases start
	// failing, the library lets handlers choose: give them not-found.
	tests := []struct {
		uri  string
		want string
		code error
	}{
		{"mixpanel://replays/" + mixpaneltest.ReplayAgedOut + "/summary", "not found: replay r-aged-out-aa00 not found on the CDN", mcp.ErrInternalError},
		{"mixpanel://replays/r-never-recorded/summary", "not found", mcp.ErrInternalError},
		{"mixpanel://replays/" + mixpaneltest.ReplayNative + "/summary", "not an rrweb event stream", mcp.ErrInternalError},
		{"mixpanel://nothing/here", "handler not found", mcp.ErrInvalidParams},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			text, err := read(t, c, tt.uri)
			require.Error(t, err, "got a document instead of an error: %q", text)
			assert.Contains(t, err.Error(), tt.want)
			assert.ErrorIs(t, err, tt.code)
		})
	}

	missing := connect(t, srv, &mixpanel.MissingSettingError{Setting: "MP_PROJECT_ID", Fix: "set MP_PROJECT_ID"})
	_, err := read(t, missing, mpcontext.ProjectURI)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MP_PROJECT_ID")
	assert.False(t, errors.Is(err, context.Canceled))
}
