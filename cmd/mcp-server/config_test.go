package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
)

const configTOML = `
[active]
account = "prod"
workspace = 3001

[accounts.prod]
type = "service_account"
region = "eu"
default_project = "111"
username = "file-user"
secret = "file-secret"

[accounts.tok]
type = "oauth_token"
region = "in"
default_project = "222"
token_env = "MY_TOKEN"

[accounts.browser]
type = "oauth_browser"
region = "us"
`

func writeConfig(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(p, []byte(configTOML), 0o600))
	return p
}

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigPrecedence(t *testing.T) {
	path := writeConfig(t)
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o *options)
	}{
		{name: "file only: the active account", env: map[string]string{"MP_CONFIG_PATH": path},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "file-user", o.Mixpanel.Username)
				assert.Equal(t, "file-secret", o.Mixpanel.Secret)
				assert.Equal(t, "111", o.Mixpanel.ProjectID)
				assert.Equal(t, "3001", o.Mixpanel.WorkspaceID)
				assert.Equal(t, mixpanel.RegionEU, o.Mixpanel.Region)
			}},
		{name: "MP_DEMO=1 turns the demo on", env: map[string]string{"HOME": "/nonexistent-home", "MP_DEMO": "1"},
			check: func(t *testing.T, o *options) { assert.True(t, o.Demo) }},
		{name: "--demo turns the demo on", args: []string{"--demo"}, env: map[string]string{"HOME": "/nonexistent-home"},
			check: func(t *testing.T, o *options) { assert.True(t, o.Demo) }},
		{name: "MP_DEMO_STATE names the demo's state file", env: map[string]string{"HOME": "/nonexistent-home", "MP_DEMO": "1", "MP_DEMO_STATE": "/tmp/demo.json"},
			check: func(t *testing.T, o *options) { assert.Equal(t, "/tmp/demo.json", o.DemoState) }},
		{name: "environment beats the file", env: map[string]string{"MP_CONFIG_PATH": path, "MP_USERNAME": "env-user", "MP_SECRET": "env-secret", "MP_PROJECT_ID": "999", "MP_REGION": "us"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "env-user", o.Mixpanel.Username)
				assert.Equal(t, "env-secret", o.Mixpanel.Secret)
				assert.Equal(t, "999", o.Mixpanel.ProjectID)
				assert.Equal(t, mixpanel.RegionUS, o.Mixpanel.Region)
			}},
		{name: "flags beat the environment", args: []string{"--project-id", "5", "--region", "in", "--username", "flag-user"},
			env: map[string]string{"MP_CONFIG_PATH": path, "MP_USERNAME": "env-user", "MP_SECRET": "env-secret", "MP_PROJECT_ID": "999"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "flag-user", o.Mixpanel.Username)
				assert.Equal(t, "env-secret", o.Mixpanel.Secret)
				assert.Equal(t, "5", o.Mixpanel.ProjectID)
				assert.Equal(t, mixpanel.RegionIN, o.Mixpanel.Region)
			}},
		{name: "MP_ACCOUNT picks an oauth_token account reading token_env", env: map[string]string{"MP_CONFIG_PATH": path, "MP_ACCOUNT": "tok", "MY_TOKEN": "tkn"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "tkn", o.Mixpanel.OAuthToken)
				assert.Empty(t, o.Mixpanel.Username)
				assert.Equal(t, "222", o.Mixpanel.ProjectID)
				assert.Equal(t, mixpanel.RegionIN, o.Mixpanel.Region)
			}},
		{name: "an oauth_browser account reads the sign-in's tokens", env: map[string]string{"MP_CONFIG_PATH": path, "MP_ACCOUNT": "browser", "HOME": "/home/ann"},
			check: func(t *testing.T, o *options) {
				src, ok := o.Mixpanel.Tokens.(*oauth.Source)
				require.True(t, ok, "a token source")
				assert.Equal(t, "browser", src.Account)
				assert.Equal(t, "us", src.Region)
				assert.Equal(t, filepath.Join("/home/ann", ".mp"), src.Store.Root)
				assert.Equal(t, "https://mixpanel.com/oauth/", src.Endpoint.Base)
				assert.Equal(t, "run `mcp-server login --account browser`", src.SignInHint())
				assert.Equal(t, "browser", o.Account)
				assert.NoError(t, o.Mixpanel.CheckCredentials())
			}},
		{name: "an oauth_browser account in eu, storage moved", args: []string{"--region", "eu"}, env: map[string]string{"MP_CONFIG_PATH": path, "MP_ACCOUNT": "browser", "MP_OAUTH_STORAGE_DIR": "/srv/mp"},
			check: func(t *testing.T, o *options) {
				src := o.Mixpanel.Tokens.(*oauth.Source)
				assert.Equal(t, "eu", src.Region)
				assert.Equal(t, "/srv/mp", src.Store.Root)
				assert.Equal(t, "https://eu.mixpanel.com/oauth/", src.Endpoint.Base)
			}},
		{name: "no file, no settings: defaults", env: map[string]string{"HOME": t.TempDir()},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "stdio", o.Transport)
				assert.Equal(t, "127.0.0.1:8080", o.Listen)
				assert.Equal(t, mixpanel.RegionUS, o.Mixpanel.Region)
				assert.False(t, o.Mixpanel.HasCredentials())
				assert.Equal(t, 120*time.Second, o.Mixpanel.Timeout)
				assert.Equal(t, 5, o.Mixpanel.QueryConcurrency)
				assert.Equal(t, 60, o.Mixpanel.QueryPerHour)
				assert.Equal(t, 5*time.Minute, o.Mixpanel.CacheTTL)
				assert.Equal(t, 60*time.Second, o.CallTimeout)
				assert.Equal(t, int64(64<<20), o.Mixpanel.MaxResponseBytes)
				assert.Equal(t, int64(4<<20), o.MaxBodyBytes)
				assert.Equal(t, 30*time.Second, o.ReadTimeout)
				assert.Equal(t, 2*time.Minute, o.IdleTimeout)
				assert.Equal(t, 30*time.Minute, o.SessionIdle)
				assert.Equal(t, 1000, o.MaxSessions)
				assert.Empty(t, o.AllowedHosts)
			}},
		{name: "call deadline and answer cap", args: []string{"--call-timeout", "10m"}, env: map[string]string{"HOME": t.TempDir(), "MP_MAX_RESPONSE_SIZE": "512 KiB"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, 10*time.Minute, o.CallTimeout)
				assert.Equal(t, int64(512<<10), o.Mixpanel.MaxResponseBytes)
			}},
		{name: "answer cap off", env: map[string]string{"HOME": t.TempDir(), "MCP_CALL_TIMEOUT": "90s", "MP_MAX_RESPONSE_SIZE": "-1"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, 90*time.Second, o.CallTimeout)
				assert.Equal(t, int64(-1), o.Mixpanel.MaxResponseBytes)
			}},
		{name: "HTTP limits from flags and environment", args: []string{"--max-body-bytes", "1024", "--session-idle-timeout", "90s"},
			env: map[string]string{"HOME": t.TempDir(), "MCP_MAX_SESSIONS": "7", "MCP_READ_TIMEOUT": "5s", "MCP_IDLE_TIMEOUT": "1m", "MCP_MAX_BODY_BYTES": "99"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, int64(1024), o.MaxBodyBytes)
				assert.Equal(t, 90*time.Second, o.SessionIdle)
				assert.Equal(t, 7, o.MaxSessions)
				assert.Equal(t, 5*time.Second, o.ReadTimeout)
				assert.Equal(t, time.Minute, o.IdleTimeout)
			}},
		{name: "allowed hosts", env: map[string]string{"HOME": t.TempDir(), "MCP_ALLOWED_HOSTS": "MCP.example.com, localhost:8080,"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, []string{"mcp.example.com", "localhost:8080"}, o.AllowedHosts)
			}},
		{name: "auth token with a trailing newline is trimmed", env: map[string]string{"HOME": t.TempDir(), "MCP_AUTH_TOKEN": " 0123456789abcdef\n"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "0123456789abcdef", o.AuthToken)
				assert.True(t, o.AuthTokenTrimmed)
			}},
		{name: "clean auth token", args: []string{"--auth-token", "0123456789abcdef"}, env: map[string]string{"HOME": t.TempDir()},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "0123456789abcdef", o.AuthToken)
				assert.False(t, o.AuthTokenTrimmed)
			}},
		{name: "cache off", args: []string{"--cache-ttl", "0"}, env: map[string]string{"HOME": t.TempDir()},
			check: func(t *testing.T, o *options) { assert.Negative(t, o.Mixpanel.CacheTTL) }},
		{name: "base URL overrides", env: map[string]string{"HOME": t.TempDir(), "MP_QUERY_URL": "http://q/", "MP_APP_URL": "http://a"},
			args: []string{"--export-url", "http://x", "--engage-url", "http://e"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "http://q/", o.Mixpanel.QueryURL)
				assert.Equal(t, "http://x", o.Mixpanel.ExportURL)
				assert.Equal(t, "http://e", o.Mixpanel.EngageURL)
				assert.Equal(t, "http://a", o.Mixpanel.AppURL)
			}},
		{name: "bare boolean flags", args: []string{"--stateless", "--read-only", "--dynamic-toolsets=false"}, env: map[string]string{"HOME": t.TempDir()},
			check: func(t *testing.T, o *options) {
				assert.True(t, o.Stateless)
				assert.True(t, o.ReadOnly)
				assert.False(t, o.Dynamic)
			}},
		{name: "transport and HTTP settings", env: map[string]string{"HOME": t.TempDir(), "MCP_TRANSPORT": "http", "MCP_STATELESS": "true", "MCP_ALLOWED_ORIGINS": "https://app.example.com/, https://b.example"},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "http", o.Transport)
				assert.True(t, o.Stateless)
				assert.Equal(t, []string{"https://app.example.com", "https://b.example"}, o.AllowedOrigins)
			}},
		{name: "redis", args: []string{"--redis-lease-ttl", "2s"}, env: map[string]string{"HOME": t.TempDir(), "MCP_REDIS_URL": " redis://127.0.0.1:6379/0 "},
			check: func(t *testing.T, o *options) {
				assert.Equal(t, "redis://127.0.0.1:6379/0", o.RedisURL)
				assert.Equal(t, "mixpanel-mcp", o.RedisPrefix)
				assert.Equal(t, 2*time.Second, o.RedisLeaseTTL)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, envOf(tt.env), io.Discard)
			require.NoError(t, err)
			tt.check(t, o)
		})
	}
}

func TestConfigErrors(t *testing.T) {
	path := writeConfig(t)
	broken := filepath.Join(t.TempDir(), "broken.toml")
	require.NoError(t, os.WriteFile(broken, []byte("[active]\naccount = \"a\"\n[accounts.a\ntype = 1\n"), 0o600))
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown account", nil, map[string]string{"MP_CONFIG_PATH": path, "MP_ACCOUNT": "nope"}, `account "nope" is not defined`},
		{"empty token_env", nil, map[string]string{"MP_CONFIG_PATH": path, "MP_ACCOUNT": "tok"}, "$MY_TOKEN, which is empty"},
		{"config file not TOML", nil, map[string]string{"MP_CONFIG_PATH": broken}, "broken.toml: line 3, column "},
		{"missing explicit config file", nil, map[string]string{"MP_CONFIG_PATH": filepath.Join(t.TempDir(), "none.toml")}, "none.toml"},
		{"bad region", []string{"--region", "mars"}, map[string]string{"HOME": t.TempDir()}, "us, eu or in"},
		{"non-numeric project", []string{"--project-id", "abc"}, map[string]string{"HOME": t.TempDir()}, "not a numeric project id"},
		{"bad transport", []string{"--transport", "sse"}, map[string]string{"HOME": t.TempDir()}, "not stdio or http"},
		{"bad limit", []string{"--query-hourly-limit", "0"}, map[string]string{"HOME": t.TempDir()}, "-1 to disable"},
		{"demo not a boolean", nil, map[string]string{"HOME": t.TempDir(), "MP_DEMO": "maybe"}, "demo"},
		{"demo state without the demo", []string{"--demo-state", "x.json"}, map[string]string{"HOME": t.TempDir()}, "--demo-state/MP_DEMO_STATE keeps the demo's writes; it needs --demo"},
		{"stray argument", []string{"serve-now"}, map[string]string{"HOME": t.TempDir()}, "unexpected argument"},
		{"zero call deadline", []string{"--call-timeout", "0s"}, map[string]string{"HOME": t.TempDir()}, "--call-timeout/MCP_CALL_TIMEOUT: \"0s\" is not a positive duration"},
		{"call deadline without a unit", nil, map[string]string{"HOME": t.TempDir(), "MCP_CALL_TIMEOUT": "60"}, "is not a positive duration such as 60s"},
		{"ambiguous size unit", []string{"--max-response-size", "64MB"}, map[string]string{"HOME": t.TempDir()}, `"64MB" is not a size such as 64MiB`},
		{"zero size", []string{"--max-response-size", "0"}, map[string]string{"HOME": t.TempDir()}, "-1 disables the cap"},
		{"huge size", []string{"--max-response-size", "99999999999GiB"}, map[string]string{"HOME": t.TempDir()}, "--max-response-size/MP_MAX_RESPONSE_SIZE"},
		{"zero body cap", []string{"--max-body-bytes", "0"}, map[string]string{"HOME": t.TempDir()}, "--max-body-bytes/MCP_MAX_BODY_BYTES"},
		{"body cap with a unit", []string{"--max-body-bytes", "4MiB"}, map[string]string{"HOME": t.TempDir()}, "not a positive number of bytes"},
		{"no sessions", nil, map[string]string{"HOME": t.TempDir(), "MCP_MAX_SESSIONS": "0"}, "--max-sessions/MCP_MAX_SESSIONS"},
		{"bad read timeout", []string{"--read-timeout", "soon"}, map[string]string{"HOME": t.TempDir()}, "--read-timeout/MCP_READ_TIMEOUT"},
		{"zero session idle timeout", []string{"--session-idle-timeout", "0s"}, map[string]string{"HOME": t.TempDir()}, "--session-idle-timeout/MCP_SESSION_IDLE_TIMEOUT"},
		{"zero lease TTL", []string{"--redis-lease-ttl", "0s"}, map[string]string{"HOME": t.TempDir()}, "--redis-lease-ttl/MCP_REDIS_LEASE_TTL"},
		{"dynamic toolsets without sessions", []string{"--transport", "http", "--stateless", "--dynamic-toolsets"}, map[string]string{"HOME": t.TempDir()}, "--dynamic-toolsets needs sessions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseOptions(tt.args, envOf(tt.env), io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestHelpDocumentsEverySetting(t *testing.T) {
	var b strings.Builder
	usage(&b)
	for _, s := range settings {
		assert.Contains(t, b.String(), "--"+s.flag)
		assert.Contains(t, b.String(), "$"+s.env)
	}
}
