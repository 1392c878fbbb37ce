package main

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

var updateMCPB = flag.Bool("update-mcpb", false, "rewrite mcpb/bundle/manifest.json from the inventory")

// TestMCPBManifest fails when the Claude Desktop extension's manifest
// differs from what the inventory generates (-update-mcpb rewrites it);
// checks that its tool list is the tools/list of a server started with the
// default toolsets, and that the environment it passes, with the
// user_config defaults and empty fields, is accepted by the option parser.
func TestMCPBManifest(t *testing.T) {
	want, err := mcpbManifest()
	require.NoError(t, err)
	if *updateMCPB {
		require.NoError(t, os.WriteFile(mcpbManifestPath, want, 0o644))
	}
	got, err := os.ReadFile(mcpbManifestPath)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "mcpb/bundle/manifest.json is stale; run `go test ./cmd/mcp-server -run TestMCPBManifest -update-mcpb`")

	var m struct {
		Tools  []struct{ Name string }
		Server struct {
			MCPConfig struct{ Env map[string]string } `json:"mcp_config"`
		}
		UserConfig map[string]struct{ Default any } `json:"user_config"`
	}
	require.NoError(t, json.Unmarshal(got, &m))

	opts, err := parseOptions(nil, func(string) string { return "" }, io.Discard)
	require.NoError(t, err)
	s, err := newServer(opts, tools.Selection{}, zerolog.Nop())
	require.NoError(t, err)
	var served, listed []string
	for name := range s.ListTools() {
		served = append(served, name)
	}
	for _, tl := range m.Tools {
		listed = append(listed, tl.Name)
	}
	sort.Strings(served)
	sort.Strings(listed)
	require.Equal(t, served, listed, "the manifest's tools are the default toolsets' tools/list")

	env := map[string]string{}
	for k, v := range m.Server.MCPConfig.Env {
		key, ok := strings.CutPrefix(strings.TrimSuffix(v, "}"), "${user_config.")
		require.True(t, ok, "%s: %q is not a user_config value", k, v)
		uc, ok := m.UserConfig[key]
		require.True(t, ok, "%s names user_config.%s, which the manifest does not declare", k, key)
		if uc.Default != nil {
			b, _ := json.Marshal(uc.Default)
			env[k] = strings.Trim(string(b), `"`)
		}
		found := false
		for _, st := range settings {
			found = found || st.env == k
		}
		require.True(t, found, "%s is not an environment variable of mcp-server", k)
	}
	_, err = parseOptions(nil, docEnv(t, env), io.Discard)
	require.NoError(t, err, "the extension's default settings: %v", env)
}

// TestMCPBValidate validates the manifest with the official MCP Bundle CLI
// (mcpb/node_modules, installed by `npm ci` in mcpb/; .ci/setup/60-mcpb.sh).
func TestMCPBValidate(t *testing.T) {
	cli, err := filepath.Abs("../../mcpb/node_modules/.bin/mcpb")
	require.NoError(t, err)
	if _, err := os.Stat(cli); err != nil {
		t.Skip("@anthropic-ai/mcpb is not installed (cd mcpb && npm ci): manifest not validated")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: manifest not validated with mcpb")
	}
	out, err := exec.Command(cli, "validate", mcpbManifestPath).CombinedOutput()
	require.NoError(t, err, "mcpb validate: %s", out)
	t.Logf("mcpb validate: %s", strings.TrimSpace(string(out)))
}
