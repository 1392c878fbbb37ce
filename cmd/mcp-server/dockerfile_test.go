package main

import (
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDockerfile checks the Dockerfile without a Docker engine (none runs
// in CI, and no Dockerfile linter is installed): a multi-stage build of a
// static binary with the release flags, a final stage that runs as a
// non-root user with the binary as its exec-form entrypoint, and HTTP
// settings the server accepts and that serve on all interfaces.
func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	type instr struct{ op, args string }
	var stages [][]instr
	text := strings.ReplaceAll(string(raw), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		op, args, _ := strings.Cut(line, " ")
		op = strings.ToUpper(op)
		if op == "FROM" {
			stages = append(stages, nil)
		}
		require.NotEmpty(t, stages, "an instruction before the first FROM: %q", line)
		stages[len(stages)-1] = append(stages[len(stages)-1], instr{op, strings.TrimSpace(args)})
	}
	require.GreaterOrEqual(t, len(stages), 2, "multi-stage: a build stage and a runtime stage")

	build, final := stages[0], stages[len(stages)-1]
	var built bool
	for _, in := range build {
		if in.op == "RUN" && strings.Contains(in.args, "go build") {
			for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-s -w", "-X main.version=", "-X main.commit=", "./cmd/mcp-server"} {
				require.Contains(t, in.args, want, "the go build of the build stage")
			}
			built = true
		}
	}
	require.True(t, built, "the build stage runs go build")

	var user, binary string
	var entry []string
	env := map[string]string{"MCP_AUTH_TOKEN": "0123456789abcdef0123"}
	require.Contains(t, final[0].args, "static", "the runtime base is a static (no libc) image")
	for _, in := range final {
		switch in.op {
		case "USER":
			user = in.args
		case "COPY":
			f := strings.Fields(in.args)
			if strings.HasPrefix(f[0], "--from=") {
				binary = f[len(f)-1]
			}
		case "ENTRYPOINT":
			require.NoError(t, json.Unmarshal([]byte(in.args), &entry), "ENTRYPOINT in exec (JSON) form")
		case "ENV":
			for _, kv := range strings.Fields(in.args) {
				k, v, ok := strings.Cut(kv, "=")
				require.True(t, ok, "ENV %q: KEY=VALUE form", kv)
				env[k] = v
			}
		}
	}
	require.NotEmpty(t, user, "the runtime stage sets USER")
	require.NotContains(t, []string{"root", "0", "root:root", "0:0"}, user, "USER is not root")
	require.NotEmpty(t, binary, "the runtime stage copies the binary from the build stage")
	require.Equal(t, []string{binary}, entry, "the entrypoint is the copied binary")

	opts, err := parseOptions(nil, func(k string) string { return env[k] }, io.Discard)
	require.NoError(t, err, "the image's environment: %v", env)
	require.Equal(t, "http", opts.Transport)
	require.True(t, strings.HasPrefix(opts.Listen, "0.0.0.0:"), "listens on all interfaces: %q", opts.Listen)
}
