package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestE2EDemoStateAcrossRestarts: a dashboard created in one run of
// `--demo --demo-state FILE` is there in the next run over the same file,
// and absent from a run without it.
func TestE2EDemoStateAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo-state.json")
	first := startStdio(t, cleanEnv(t), "--demo", "--demo-state", path, "--toolsets", "dashboards")
	created := callTool(t, first, "create_dashboard", map[string]any{"title": "Kept across restarts"})
	require.False(t, created.IsError, textOf(t, created))
	require.NoError(t, first.Close())

	second := startStdio(t, append(cleanEnv(t), "MP_DEMO=1", "MP_DEMO_STATE="+path), "--toolsets", "dashboards")
	listed := callTool(t, second, "list_dashboards", map[string]any{})
	require.False(t, listed.IsError, textOf(t, listed))
	assert.Contains(t, textOf(t, listed), "Kept across restarts")
	assert.Contains(t, textOf(t, listed), "Growth KPIs", "the seeded dashboards are in the state too")

	fresh := startStdio(t, cleanEnv(t), "--demo", "--toolsets", "dashboards")
	assert.NotContains(t, textOf(t, callTool(t, fresh, "list_dashboards", map[string]any{})), "Kept across restarts")
}

// TestE2EDemoStateCorruptFile: a state file that is not one stops the
// server at start with a message naming it; the file is left alone.
func TestE2EDemoStateCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo-state.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"dashboards": [`), 0o600))
	cmd := exec.Command(binary(t), "--demo", "--demo-state", path)
	cmd.Env = cleanEnv(t)
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stderr = bytes.NewReader(nil), &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, stderr.String())
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, stderr.String(), path+" is not a saved demo state")
	raw, _ := os.ReadFile(path)
	assert.Equal(t, `{"dashboards": [`, string(raw))
}
