package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

// TestClaudeCodePlugin checks the Claude Code plugin and marketplace of the
// repository: the manifests parse with their required fields, .mcp.json
// runs mcp-server with flags its option parser accepts, every skill has a
// name matching its directory and a description, and every tool-like name
// in the skills and manifests is a tool the plugin's server serves with
// the toolsets .mcp.json selects.
func TestClaudeCodePlugin(t *testing.T) {
	const root = "../../"
	read := func(path string, v any) string {
		raw, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, v), path)
		return string(raw)
	}
	var plugin struct {
		Name, Version, Description string
	}
	texts := map[string]string{".claude-plugin/plugin.json": read(".claude-plugin/plugin.json", &plugin)}
	require.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, plugin.Name, "plugin.json name: kebab-case")
	require.NotEmpty(t, plugin.Description, "plugin.json description")

	var market struct {
		Name    string
		Owner   struct{ Name string }
		Plugins []struct {
			Name, Version string
			Source        string
		}
	}
	texts[".claude-plugin/marketplace.json"] = read(".claude-plugin/marketplace.json", &market)
	require.NotEmpty(t, market.Name, "marketplace.json name")
	require.NotEmpty(t, market.Owner.Name, "marketplace.json owner.name")
	require.Len(t, market.Plugins, 1, "marketplace.json plugins")
	require.Equal(t, plugin.Name, market.Plugins[0].Name, "the marketplace entry names the plugin")
	require.Equal(t, plugin.Version, market.Plugins[0].Version, "the marketplace entry's version is the plugin's")
	require.Equal(t, "./", market.Plugins[0].Source, "the plugin is the repository root")

	var mcpJSON struct {
		MCPServers map[string]clientServer `json:"mcpServers"`
	}
	read(".mcp.json", &mcpJSON)
	require.Len(t, mcpJSON.MCPServers, 1, ".mcp.json servers")
	var sel tools.Selection
	for name, s := range mcpJSON.MCPServers {
		checkServer(t, ".mcp.json server "+name, s)
		opts, err := parseOptions(s.Args, docEnv(t, s.Env), io.Discard)
		require.NoError(t, err)
		ts, err := tools.ParseToolsets(opts.Toolsets)
		require.NoError(t, err)
		sel = tools.Selection{Toolsets: ts, ReadOnly: opts.ReadOnly}
	}
	env := tools.NewEnv(nil, nil, zerolog.Nop())
	env.Serve(sel)

	skills, err := filepath.Glob(filepath.Join(root, "skills", "*", "SKILL.md"))
	require.NoError(t, err)
	require.Len(t, skills, 5, "skills: analyze, funnel, user, dashboard, Lexicon")
	for _, path := range skills {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		front, body, ok := strings.Cut(strings.TrimPrefix(string(raw), "---\n"), "\n---\n")
		require.True(t, ok && strings.HasPrefix(string(raw), "---\n"), "%s: no YAML frontmatter", path)
		var meta struct{ Name, Description string }
		require.NoError(t, yaml.Unmarshal([]byte(front), &meta), path)
		dir := filepath.Base(filepath.Dir(path))
		require.Equal(t, dir, meta.Name, "%s: name is its directory", path)
		require.NotEmpty(t, meta.Description, "%s: description", path)
		require.NotEmpty(t, toolref.Find(body), "%s names no tool", path)
		texts["skills/"+dir] = string(raw)
	}
	for where, text := range texts {
		assert.Empty(t, toolref.Missing(text, env.Has), "%s names tools the plugin's server does not serve", where)
	}
}
