package main

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReleaseScript runs scripts/release.sh for the host's target only
// (the six cross-compiles would take minutes on a CI core): the target
// list is the six platforms, the binary reports the release version and
// commit, SHA256SUMS names it with its digest, a second build gives the
// same bytes, and on Linux the binary is static.
func TestReleaseScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary; skipped with -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed: scripts/release.sh not run")
	}
	const script = "../../scripts/release.sh"
	list, err := exec.Command(bash, script, "--list").Output()
	require.NoError(t, err)
	require.Equal(t, "darwin/amd64\ndarwin/arm64\nlinux/amd64\nlinux/arm64\nwindows/amd64\nwindows/arm64\n", string(list))

	target := runtime.GOOS + "/" + runtime.GOARCH
	if !strings.Contains(string(list), target+"\n") {
		t.Skipf("the host %s is not a release target", target)
	}
	build := func(dir string) string {
		cmd := exec.Command(bash, script, "v9.9.9-test", dir)
		cmd.Env = append(os.Environ(), "TARGETS="+target)
		outb, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", outb)
		sums, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
		require.NoError(t, err)
		return string(sums)
	}
	dir := t.TempDir()
	sums := build(dir)

	name := "mcp-server_v9.9.9-test_" + runtime.GOOS + "_" + runtime.GOARCH
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	require.ElementsMatch(t, []string{name, "SHA256SUMS"}, files)

	bin, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	digest := sha256.Sum256(bin)
	require.Equal(t, hex.EncodeToString(digest[:])+"  "+name+"\n", sums, "SHA256SUMS")

	out, err := exec.Command(filepath.Join(dir, name), "--version").Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 3, "%s", out)
	require.Equal(t, "mcp-server v9.9.9-test", lines[0])
	require.Regexp(t, `^commit ([0-9a-f]{40}(-dirty)?|unknown)$`, lines[1])
	require.Equal(t, runtime.Version(), lines[2])

	if runtime.GOOS == "linux" {
		f, err := elf.Open(filepath.Join(dir, name))
		require.NoError(t, err)
		defer f.Close()
		for _, p := range f.Progs {
			require.NotEqual(t, elf.PT_INTERP, p.Type, "the binary asks for a dynamic loader: not static")
		}
		libs, err := f.ImportedLibraries()
		require.NoError(t, err)
		require.Empty(t, libs, "the binary links shared libraries")
	}

	require.Equal(t, sums, build(t.TempDir()), "a second build of the same commit differs: not reproducible")
}
