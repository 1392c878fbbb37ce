package tools

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestBusinessContextTools(t *testing.T) {
	tests := []struct {
		name    string
		tool    string
		args    string
		text    []string
		level   string
		content string
		after   func(t *testing.T, srv *mixpaneltest.Server)
	}{
		{name: "get project by default", tool: "get_business_context", args: `{}`, level: "project",
			text: []string{"Business context of the project 12345 (", "# ShopFast Production"}, content: "# ShopFast Production"},
		{name: "get organization", tool: "get_business_context", args: `{"level":"organization"}`, level: "organization",
			text: []string{"Business context of the organization 777", "# ShopFast Inc."}, content: "# ShopFast Inc."},
		{name: "set project", tool: "set_business_context", args: `{"content":"# Acme\nKey event: Purchase"}`, level: "project",
			text: []string{"(26 of 50000 characters)", "Key event: Purchase"}, content: "# Acme\nKey event: Purchase",
			after: func(t *testing.T, srv *mixpaneltest.Server) {
				assert.Equal(t, "# Acme\nKey event: Purchase", srv.Data.ProjectBusinessContext)
			}},
		{name: "set organization with an explicit id", tool: "set_business_context", args: `{"content":"org","level":"organization","organization_id":777}`, level: "organization",
			text: []string{"organization 777"}, content: "org"},
		{name: "clear organization", tool: "clear_business_context", args: `{"level":"organization"}`, level: "organization",
			text: []string{"No business context is set for the organization 777."}, content: "",
			after: func(t *testing.T, srv *mixpaneltest.Server) { assert.Empty(t, srv.Data.OrgBusinessContext) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), tt.tool, tt.args)
			text := mustOK(t, res)
			for _, w := range tt.text {
				assert.Contains(t, text, w)
			}
			var out mixpanel.BusinessContext
			structured(t, res, &out)
			assert.Equal(t, tt.level, out.Level)
			assert.True(t, strings.HasPrefix(out.Content, tt.content))
			assert.Equal(t, tt.content == "", out.IsEmpty)
			assert.Equal(t, len([]rune(out.Content)), out.CharacterCount)
			if tt.after != nil {
				tt.after(t, srv)
			}
		})
	}
}

func TestBusinessContextChainTool(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "get_business_context_chain", `{}`)
	text := mustOK(t, res)
	assert.Less(t, strings.Index(text, "# ShopFast Inc."), strings.Index(text, "# ShopFast Production"), "organization first")
	var out mixpanel.BusinessContextChain
	structured(t, res, &out)
	assert.Equal(t, "organization", out.Organization.Level)
	assert.Equal(t, "project", out.Project.Level)
	assert.False(t, out.Project.IsEmpty)
	assert.Len(t, srv.Requests(), 1)
}

func TestBusinessContextToolValidation(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	over, err := json.Marshal(map[string]any{"content": strings.Repeat("ü", mixpanel.BusinessContextMaxChars+1234)})
	require.NoError(t, err)
	tests := []struct {
		tool, args, want string
	}{
		{"set_business_context", string(over), "content: BUSINESS_CONTEXT_TOO_LONG: 51234 characters is 1234 over the cap of 50000; shorten it"},
		{"set_business_context", `{"content":"  "}`, "content: is empty; to remove the context use clear_business_context"},
		{"set_business_context", `{}`, "content: MG1: missing required argument"},
		{"set_business_context", `{"content":"x","level":"org"}`, `level: must be "organization" or "project", got "org"`},
		{"get_business_context", `{"organization_id":777}`, `organization_id: only applies with level="organization"`},
		{"clear_business_context", `{"level":"team"}`, `level: must be "organization" or "project"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Contains(t, mustFail(t, callTool(t, env, tt.tool, tt.args)), tt.want)
		})
	}
	assert.Empty(t, srv.Requests(), "bad input never reaches Mixpanel")
}

func TestBusinessContextToolAnnotations(t *testing.T) {
	for name, want := range map[string]Annotations{
		"get_business_context":       ReadOnly,
		"get_business_context_chain": ReadOnly,
		"set_business_context":       Destructive,
		"clear_business_context":     Destructive,
	} {
		tool := Lookup(name)
		require.NotNil(t, tool, name)
		assert.Equal(t, ToolsetContext, tool.Toolset, name)
		assert.Equal(t, want, tool.Annotations, name)
	}
}
