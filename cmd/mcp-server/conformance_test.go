package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// conformanceDir holds the pinned MCP conformance suite (package.json,
// package-lock.json; .ci/setup/50-conformance.sh runs npm ci there) and
// the list of scenarios expected to fail.
const conformanceDir = "../../.ci/conformance"

// TestConformance runs the official MCP conformance suite's server
// scenarios against the HTTP server (demo project). Only the scenarios
// that call the suite's own fixture tools, prompts and resources may fail
// (expected-failures.yml); logging and completion must pass.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance suite skipped in -short mode")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed; the MCP conformance suite needs it (.ci/setup/50-conformance.sh installs nodejs and npm)")
	}
	suite, err := filepath.Abs(filepath.Join(conformanceDir, "node_modules", ".bin", "conformance"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(suite); err != nil {
		t.Skipf("the MCP conformance suite is not installed (%s missing): run npm ci in .ci/conformance", suite)
	}
	hs := startHTTP(t, cleanEnv(t), "--demo")
	cmd := exec.Command(suite, "server", "--url", hs.URL+"/mcp", "--suite", "all",
		"--expected-failures", filepath.Join(conformanceDir, "expected-failures.yml"), "-o", t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("conformance suite: %v (a scenario failed that is not in expected-failures.yml, or one listed there passed)\n%s\nserver stderr:\n%s", err, out, hs.stderr.String())
	}
	for _, scenario := range []string{"server-initialize", "tools-list", "logging-set-level", "completion-complete", "resources-list", "prompts-list", "dns-rebinding-protection"} {
		assert.Regexp(t, `✓ `+scenario+`: [1-9]\d* passed, 0 failed`, string(out), scenario)
	}
}
