package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"
)

// docFiles are the documents whose snippets users copy into their clients.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	return append([]string{"../../README.md"}, files...)
}

type snippet struct {
	lang, body string
	line       int
}

var fence = regexp.MustCompile("(?m)^```([a-z]*)\n")

// snippets returns the fenced code blocks of a Markdown text.
func snippets(text string) []snippet {
	var out []snippet
	line := 1
	for {
		m := fence.FindStringSubmatchIndex(text)
		if m == nil {
			return out
		}
		lang := text[m[2]:m[3]]
		rest := text[m[1]:]
		end := strings.Index(rest, "\n```")
		if end < 0 {
			return out
		}
		line += strings.Count(text[:m[1]], "\n")
		out = append(out, snippet{lang: lang, body: rest[:end+1], line: line})
		line += strings.Count(rest[:end+4], "\n")
		text = rest[end+4:]
	}
}

// clientServer is one server entry of a client's configuration, in the
// fields the clients share (mcpServers, VS Code's servers, Codex's
// mcp_servers).
type clientServer struct {
	Command string            `json:"command" toml:"command"`
	Args    []string          `json:"args" toml:"args"`
	Env     map[string]string `json:"env" toml:"env"`
	URL     string            `json:"url" toml:"url"`
	HTTPURL string            `json:"httpUrl" toml:"httpUrl"`
}

// docEnv is an environment where the snippets' settings resolve: a config
// file holding the account "prod" they name.
func docEnv(t *testing.T, env map[string]string) func(string) string {
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".mp"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".mp", "config.toml"), []byte(`[accounts.prod]
type = "service_account"
region = "us"
default_project = "12345"
username = "sa-name.1234.mp-service-account"
secret = "s"
`), 0o600))
	return func(k string) string {
		if k == "HOME" {
			return home
		}
		return env[k]
	}
}

// checkServer fails unless the entry runs mcp-server with flags and
// environment its option parser accepts, or reaches a streamable HTTP
// /mcp address.
func checkServer(t *testing.T, where string, s clientServer) {
	t.Helper()
	switch {
	case s.Command != "":
		require.Equal(t, "mcp-server", strings.TrimSuffix(filepath.Base(s.Command), ".exe"), "%s: command %q is not the mcp-server binary", where, s.Command)
		if filepath.IsAbs(s.Command) {
			require.Equal(t, "/usr/local/bin/mcp-server", s.Command, "%s: the absolute path the Install section installs to", where)
		}
		env := map[string]string{}
		for k, v := range s.Env {
			if strings.HasPrefix(v, "${input:") { // VS Code asks for it
				v = "asked"
			}
			env[k] = v
		}
		_, err := parseOptions(s.Args, docEnv(t, env), io.Discard)
		require.NoError(t, err, "%s: args %q env %v", where, s.Args, s.Env)
	case s.URL != "" || s.HTTPURL != "":
		u := s.URL + s.HTTPURL
		require.Regexp(t, `^https?://[^/]+/mcp$`, u, "%s: not the server's /mcp address", where)
	default:
		t.Fatalf("%s: a server entry with neither command nor url", where)
	}
}

// TestDocSnippets parses every JSON and TOML snippet of the README and
// docs/, checks each client server entry they define against the option
// parser, and checks every `mcp-server ...` command line of the shell
// snippets of docs/ the same way.
func TestDocSnippets(t *testing.T) {
	servers := 0
	for _, path := range docFiles(t) {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NotContains(t, string(raw), "/path/to/", "%s: a placeholder path; give a command that works", path)
		for _, sn := range snippets(string(raw)) {
			where := filepath.Base(path) + " snippet at line " + strconv.Itoa(sn.line)
			var cfg struct {
				MCPServers map[string]clientServer `json:"mcpServers"`
				Servers    map[string]clientServer `json:"servers"`
				Codex      map[string]clientServer `toml:"mcp_servers"`
			}
			switch sn.lang {
			case "json":
				require.NoError(t, json.Unmarshal([]byte(sn.body), &cfg), where)
			case "toml":
				_, err := toml.Decode(sn.body, &cfg)
				require.NoError(t, err, where)
			case "sh":
				if strings.HasPrefix(filepath.Base(path), "clients") {
					servers += checkShell(t, where, sn.body)
				}
				continue
			default:
				continue
			}
			for _, m := range []map[string]clientServer{cfg.MCPServers, cfg.Servers, cfg.Codex} {
				for name, s := range m {
					checkServer(t, where+" server "+name, s)
					servers++
				}
			}
		}
	}
	require.Greater(t, servers, 20, "the docs configure fewer servers than the per-client guide does")
}

// checkShell checks the mcp-server command lines of a shell snippet
// (plain, or after `--` of `claude mcp add`); it returns how many.
func checkShell(t *testing.T, where, body string) int {
	n := 0
	for _, line := range strings.Split(body, "\n") {
		line, _, _ = strings.Cut(line, "#")
		f := strings.Fields(line)
		for i, w := range f {
			if w != "mcp-server" || (i > 0 && f[i-1] != "--") {
				continue
			}
			_, err := parseOptions(f[i+1:], docEnv(t, nil), io.Discard)
			require.NoError(t, err, "%s: %q", where, line)
			n++
		}
	}
	return n
}
