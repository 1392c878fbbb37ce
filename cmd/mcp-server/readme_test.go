package main

import (
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the generated toolset table of README.md")

// TestReadmeToolsets fails when the README's toolset table differs from
// what the inventory gives; `go test ./cmd/mcp-server -update-readme`
// regenerates it.
func TestReadmeToolsets(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	want, err := withReadmeToolsets(string(raw))
	require.NoError(t, err)
	if *updateReadme {
		require.NoError(t, os.WriteFile(path, []byte(want), 0o644))
		return
	}
	if string(raw) != want {
		t.Fatal("README.md's toolset table is stale; run `go test ./cmd/mcp-server -run TestReadmeToolsets -update-readme`")
	}
}
