package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/redisshare"
)

// setting is one configuration value: a flag, its environment variable and
// (for Mixpanel settings) where the reference's config file holds it.
type setting struct {
	flag, env, help, def string
}

// settings lists every setting once; --help, the environment and the
// precedence (flag, then environment, then config file) all come from it.
var settings = []setting{
	{flag: "transport", env: "MCP_TRANSPORT", def: "stdio", help: "stdio or http (streamable HTTP)"},
	{flag: "listen", env: "MCP_LISTEN", def: "127.0.0.1:8080", help: "HTTP listen address; any non-loopback address requires --auth-token of at least 16 characters"},
	{flag: "auth-token", env: "MCP_AUTH_TOKEN", help: "bearer token every HTTP request must carry (Authorization: Bearer <token>); surrounding whitespace is removed"},
	{flag: "stateless", env: "MCP_STATELESS", def: "false", help: "HTTP without sessions, so several replicas can sit behind a load balancer"},
	{flag: "allowed-origins", env: "MCP_ALLOWED_ORIGINS", help: "comma-separated browser Origins allowed to call the HTTP endpoint (default: loopback origins only)"},
	{flag: "allowed-hosts", env: "MCP_ALLOWED_HOSTS", help: "comma-separated Host header values the HTTP endpoint answers (host or host:port), e.g. the public name behind a reverse proxy (default: any Host, except that a loopback connection must name a loopback host)"},
	{flag: "max-body-bytes", env: "MCP_MAX_BODY_BYTES", def: "4194304", help: "largest HTTP request body accepted; a larger one is answered 413 unread"},
	{flag: "read-timeout", env: "MCP_READ_TIMEOUT", def: "30s", help: "time a client has to send one HTTP request, headers and body (headers alone: at most 10s); slower clients are disconnected"},
	{flag: "idle-timeout", env: "MCP_IDLE_TIMEOUT", def: "2m", help: "how long an idle keep-alive HTTP connection stays open"},
	{flag: "session-idle-timeout", env: "MCP_SESSION_IDLE_TIMEOUT", def: "30m", help: "an MCP session unused this long ends and its memory is freed (stateful HTTP)"},
	{flag: "max-sessions", env: "MCP_MAX_SESSIONS", def: "1000", help: "live MCP sessions at once (stateful HTTP); initialize past it is answered 503"},
	{flag: "toolsets", env: "MCP_TOOLSETS", help: "comma-separated toolsets to serve, plus 'default' and 'all' (default: the default toolsets; see 'mcp-server tools')"},
	{flag: "read-only", env: "MCP_READ_ONLY", def: "false", help: "serve only tools that do not write to Mixpanel"},
	{flag: "dynamic-toolsets", env: "MCP_DYNAMIC_TOOLSETS", def: "false", help: "start with discovery only; the model loads other toolsets with enable_toolset, per session (any toolset unless --toolsets limits them)"},
	{flag: "log-level", env: "MCP_LOG_LEVEL", def: "info", help: "debug, info, warn or error (logs go to stderr)"},
	{flag: "call-timeout", env: "MCP_CALL_TIMEOUT", def: "60s", help: "the one deadline of a tool call, every Mixpanel request, retry and wait included; raise it for large exports and replay bundles"},

	{flag: "demo", env: "MP_DEMO", def: "false", help: "serve an in-process demo project (synthetic data, computed answers, writes kept in memory); no account, nothing reaches Mixpanel"},
	{flag: "demo-state", env: "MP_DEMO_STATE", help: "with --demo: file that keeps the demo's writes across restarts (loaded at start, saved after each write)"},

	{flag: "username", env: "MP_USERNAME", help: "service account username (HTTP Basic auth)"},
	{flag: "secret", env: "MP_SECRET", help: "service account secret; prefer the environment to the command line"},
	{flag: "oauth-token", env: "MP_OAUTH_TOKEN", help: "OAuth access token (Bearer auth), instead of a service account"},
	{flag: "project-id", env: "MP_PROJECT_ID", help: "numeric Mixpanel project id"},
	{flag: "workspace-id", env: "MP_WORKSPACE_ID", help: "workspace id to scope entities and queries to (optional)"},
	{flag: "region", env: "MP_REGION", help: "data residency region: us, eu or in (default us)"},
	{flag: "account", env: "MP_ACCOUNT", help: "named account of the config file to use (default: its [active] account)"},
	{flag: "config", env: "MP_CONFIG_PATH", def: "~/.mp/config.toml", help: "the reference library's TOML config file"},
	{flag: "query-url", env: "MP_QUERY_URL", help: "override the Query API base URL (default https://mixpanel.com/api/query for us)"},
	{flag: "export-url", env: "MP_EXPORT_URL", help: "override the raw export base URL (default https://data.mixpanel.com/api/2.0)"},
	{flag: "engage-url", env: "MP_ENGAGE_URL", help: "override the Engage base URL (default https://mixpanel.com/api/query/engage)"},
	{flag: "app-url", env: "MP_APP_URL", help: "override the App API base URL (default https://mixpanel.com/api/app)"},
	{flag: "oauth-url", env: "MP_OAUTH_URL", help: "override the OAuth base URL of browser sign-in (default https://mixpanel.com/oauth/ for us)"},
	{flag: "no-browser", env: "MP_NO_BROWSER", def: "false", help: "login: print the sign-in address instead of opening a browser, and accept the address the browser ends on pasted on stdin (for machines without a browser)"},
	{flag: "timeout", env: "MP_TIMEOUT", def: "120s", help: "timeout of one Mixpanel request attempt (export: 10x), within the call's --call-timeout"},
	{flag: "max-response-size", env: "MP_MAX_RESPONSE_SIZE", def: "64MiB", help: "largest Mixpanel answer read whole (B, KiB, MiB, GiB); a larger one is an error asking to narrow the query; the streamed export is not capped; -1 disables"},
	{flag: "query-concurrency", env: "MP_QUERY_CONCURRENCY", def: "5", help: "Query API requests in flight at once (Mixpanel allows 5); -1 disables"},
	{flag: "cache-ttl", env: "MP_CACHE_TTL", def: "5m", help: "how long schema-discovery answers are reused (they count against the hourly limit); 0 disables"},
	{flag: "query-hourly-limit", env: "MP_QUERY_HOURLY_LIMIT", def: "60", help: "Query API requests per sliding hour (Mixpanel's published limit is 60); -1 disables"},

	{flag: "metrics-listen", env: "MCP_METRICS_LISTEN", help: "address of a listener of its own serving Prometheus /metrics (no auth: bind it where only the scraper reaches); without it /metrics is served on the HTTP listener when that is loopback, and nowhere otherwise"},
	{flag: "redis-url", env: "MCP_REDIS_URL", help: "redis://[user:password@]host:port[/db] (rediss:// for TLS): replicas share each project's Query API limits and the discovery cache there; if Redis fails, each replica falls back to its own limits and cache until it answers; prefer the environment to the command line"},
	{flag: "redis-prefix", env: "MCP_REDIS_PREFIX", def: "mixpanel-mcp", help: "prefix of every Redis key; deployments with different Mixpanel credentials sharing one Redis need different prefixes"},
	{flag: "redis-lease-ttl", env: "MCP_REDIS_LEASE_TTL", def: "30s", help: "how long a Query API concurrency slot held by a replica that died stays taken (live replicas renew theirs every third of it)"},
}

// options is the resolved configuration of one run.
type options struct {
	Transport      string
	Listen         string
	AuthToken      string
	Stateless      bool
	AllowedOrigins []string
	AllowedHosts   []string
	// AuthTokenTrimmed says the token had surrounding whitespace (a
	// trailing newline from a file, typically), which was removed.
	AuthTokenTrimmed bool
	MaxBodyBytes     int64
	ReadTimeout      time.Duration
	IdleTimeout      time.Duration
	SessionIdle      time.Duration
	MaxSessions      int
	Toolsets         string
	ReadOnly         bool
	Dynamic          bool
	LogLevel         string
	CallTimeout      time.Duration
	Mixpanel         mixpanel.Config
	// Demo serves the in-process demo project instead of Mixpanel.
	Demo bool
	// DemoState is the file the demo's writes persist in ("": memory).
	DemoState string
	// RedisURL, RedisPrefix and RedisLeaseTTL configure the Redis that
	// replicas share (empty URL: none).
	RedisURL      string
	RedisPrefix   string
	RedisLeaseTTL time.Duration
	// Shared is the open Redis store when RedisURL is set (made by run).
	Shared *redisshare.Store
	// MetricsListen is the address of the /metrics listener ("": none).
	MetricsListen string
	// Metrics is non-nil when /metrics is served somewhere (made by run).
	Metrics *metrics
	// ConfigNote says where credentials came from, for the start-up log.
	ConfigNote string
	// Account is the config file's account in use, or "".
	Account string
	// NoBrowser and OAuthURL are the browser sign-in's settings.
	NoBrowser bool
	OAuthURL  string
}

// fileConfig is the reference library's ~/.mp/config.toml.
type fileConfig struct {
	Active struct {
		Account   string `toml:"account"`
		Workspace int64  `toml:"workspace"`
	} `toml:"active"`
	Accounts map[string]fileAccount `toml:"accounts"`
}

type fileAccount struct {
	Type           string `toml:"type"` // service_account, oauth_token, oauth_browser
	Region         string `toml:"region"`
	DefaultProject string `toml:"default_project"`
	Username       string `toml:"username"`
	Secret         string `toml:"secret"`
	Token          string `toml:"token"`
	TokenEnv       string `toml:"token_env"`
}

// parseOptions resolves flags, then environment, then the config file.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("mcp-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	vals := map[string]*string{}
	for _, s := range settings {
		v := &textFlag{isBool: s.def == "false"}
		fs.Var(v, s.flag, s.help)
		vals[s.flag] = &v.value
	}
	fs.Usage = func() { usage(stderr) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (subcommands: tools, login, logout, whoami, version, help)", fs.Arg(0))
	}
	get := func(name string) (string, bool) {
		if v := *vals[name]; v != "" {
			return v, true
		}
		for _, s := range settings {
			if s.flag == name {
				if v := getenv(s.env); v != "" {
					return v, true
				}
				return s.def, false
			}
		}
		panic("unknown setting " + name)
	}
	str := func(name string) string { v, _ := get(name); return v }

	o := &options{
		Transport: strings.ToLower(str("transport")),
		Listen:    str("listen"),
		AuthToken: str("auth-token"),
		Toolsets:  str("toolsets"),
		LogLevel:  str("log-level"),
	}
	var err error
	if o.Stateless, err = parseBool("stateless", str("stateless")); err != nil {
		return nil, err
	}
	if o.ReadOnly, err = parseBool("read-only", str("read-only")); err != nil {
		return nil, err
	}
	if o.Dynamic, err = parseBool("dynamic-toolsets", str("dynamic-toolsets")); err != nil {
		return nil, err
	}
	if o.Demo, err = parseBool("demo", str("demo")); err != nil {
		return nil, err
	}
	if o.DemoState = str("demo-state"); o.DemoState != "" && !o.Demo {
		return nil, errors.New("--demo-state/MP_DEMO_STATE keeps the demo's writes; it needs --demo (or MP_DEMO=1)")
	}
	if o.NoBrowser, err = parseBool("no-browser", str("no-browser")); err != nil {
		return nil, err
	}
	o.OAuthURL = str("oauth-url")
	for _, origin := range strings.Split(str("allowed-origins"), ",") {
		if origin = strings.TrimSpace(origin); origin != "" {
			o.AllowedOrigins = append(o.AllowedOrigins, strings.TrimRight(origin, "/"))
		}
	}
	if o.CallTimeout, err = time.ParseDuration(str("call-timeout")); err != nil || o.CallTimeout <= 0 {
		return nil, fmt.Errorf("--call-timeout/MCP_CALL_TIMEOUT: %q is not a positive duration such as 60s or 5m", str("call-timeout"))
	}
	for _, host := range strings.Split(str("allowed-hosts"), ",") {
		if host = strings.TrimSpace(host); host != "" {
			o.AllowedHosts = append(o.AllowedHosts, strings.ToLower(host))
		}
	}
	if trimmed := strings.TrimSpace(o.AuthToken); trimmed != o.AuthToken {
		o.AuthToken, o.AuthTokenTrimmed = trimmed, true
	}
	if o.MaxBodyBytes, err = strconv.ParseInt(str("max-body-bytes"), 10, 64); err != nil || o.MaxBodyBytes <= 0 {
		return nil, fmt.Errorf("--max-body-bytes/MCP_MAX_BODY_BYTES: %q is not a positive number of bytes such as 4194304", str("max-body-bytes"))
	}
	if o.MaxSessions, err = strconv.Atoi(str("max-sessions")); err != nil || o.MaxSessions <= 0 {
		return nil, fmt.Errorf("--max-sessions/MCP_MAX_SESSIONS: %q is not a positive number such as 1000", str("max-sessions"))
	}
	o.RedisURL, o.RedisPrefix = strings.TrimSpace(str("redis-url")), str("redis-prefix")
	o.MetricsListen = strings.TrimSpace(str("metrics-listen"))
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"read-timeout", &o.ReadTimeout}, {"idle-timeout", &o.IdleTimeout}, {"session-idle-timeout", &o.SessionIdle}, {"redis-lease-ttl", &o.RedisLeaseTTL}} {
		if *d.to, err = time.ParseDuration(str(d.name)); err != nil || *d.to <= 0 {
			return nil, fmt.Errorf("--%s/%s: %q is not a positive duration such as 30s", d.name, envName(d.name), str(d.name))
		}
	}
	if o.Transport != "stdio" && o.Transport != "http" {
		return nil, fmt.Errorf("--transport: %q is not stdio or http", o.Transport)
	}
	if o.Transport == "http" && o.Stateless && o.Dynamic {
		return nil, errors.New("--dynamic-toolsets needs sessions, and --stateless has none: a toolset one request loads would be gone by the next; drop one of the two (serve fixed toolsets with --toolsets when stateless)")
	}

	mc := mixpanel.Config{}
	mc.Username, _ = get("username")
	mc.Secret, _ = get("secret")
	mc.OAuthToken, _ = get("oauth-token")
	mc.ProjectID, _ = get("project-id")
	mc.WorkspaceID, _ = get("workspace-id")
	region, _ := get("region")
	mc.QueryURL, mc.ExportURL, mc.EngageURL, mc.AppURL = str("query-url"), str("export-url"), str("engage-url"), str("app-url")

	// The config file fills what flags and environment left empty.
	path, explicitPath := get("config")
	account, explicitAccount := get("account")
	fc, err := readFileConfig(expandHome(path, getenv))
	switch {
	case errors.Is(err, os.ErrNotExist) && !explicitPath && !explicitAccount:
		o.ConfigNote = "no config file"
	case err != nil:
		return nil, err
	default:
		if account == "" {
			account = fc.Active.Account
		}
		if account == "" && len(fc.Accounts) == 1 {
			for name := range fc.Accounts {
				account = name
			}
		}
		if account != "" {
			acct, ok := fc.Accounts[account]
			if !ok {
				return nil, fmt.Errorf("config file %s: account %q is not defined (accounts: %s)", path, account, accountNames(fc))
			}
			if err := applyAccount(&mc, &region, acct, account, getenv); err != nil {
				return nil, fmt.Errorf("config file %s: %w", path, err)
			}
			o.ConfigNote = "account " + account + " of " + path
			o.Account = account
		}
		if mc.WorkspaceID == "" && fc.Active.Workspace > 0 {
			mc.WorkspaceID = strconv.FormatInt(fc.Active.Workspace, 10)
		}
	}
	if mc.Region, err = mixpanel.ParseRegion(region); err != nil {
		return nil, fmt.Errorf("--region/MP_REGION: %w", err)
	}
	if src, ok := mc.Tokens.(*oauth.Source); ok {
		if mc.Tokens, err = browserSource(src.Account, mc.Region, o.OAuthURL, getenv); err != nil {
			return nil, err
		}
	}
	if mc.ProjectID != "" {
		if _, err := strconv.ParseUint(mc.ProjectID, 10, 64); err != nil {
			return nil, fmt.Errorf("--project-id/MP_PROJECT_ID: %q is not a numeric project id", mc.ProjectID)
		}
	}
	if mc.Timeout, err = time.ParseDuration(str("timeout")); err != nil || mc.Timeout <= 0 {
		return nil, fmt.Errorf("--timeout/MP_TIMEOUT: %q is not a positive duration such as 120s", str("timeout"))
	}
	mc.ExportTimeout = 10 * mc.Timeout
	if mc.MaxResponseBytes, err = parseSize(str("max-response-size")); err != nil {
		return nil, fmt.Errorf("--max-response-size/MP_MAX_RESPONSE_SIZE: %w", err)
	}
	if mc.CacheTTL, err = time.ParseDuration(str("cache-ttl")); err != nil || mc.CacheTTL < 0 {
		return nil, fmt.Errorf("--cache-ttl/MP_CACHE_TTL: %q is not a duration such as 5m (0 disables)", str("cache-ttl"))
	}
	if mc.CacheTTL == 0 {
		mc.CacheTTL = -1
	}
	if mc.QueryConcurrency, err = parseLimit("query-concurrency", str("query-concurrency")); err != nil {
		return nil, err
	}
	if mc.QueryPerHour, err = parseLimit("query-hourly-limit", str("query-hourly-limit")); err != nil {
		return nil, err
	}
	o.Mixpanel = mc
	return o, nil
}

func applyAccount(mc *mixpanel.Config, region *string, a fileAccount, name string, getenv func(string) string) error {
	if *region == "" {
		*region = a.Region
	}
	if mc.ProjectID == "" {
		mc.ProjectID = a.DefaultProject
	}
	if mc.HasCredentials() || mc.Username != "" || mc.Secret != "" {
		return nil // flags or environment already chose the credentials
	}
	switch a.Type {
	case "service_account", "":
		mc.Username, mc.Secret = a.Username, a.Secret
	case "oauth_token":
		mc.OAuthToken = a.Token
		if a.TokenEnv != "" {
			mc.OAuthToken = getenv(a.TokenEnv)
			if mc.OAuthToken == "" {
				return fmt.Errorf("account %q reads its token from $%s, which is empty", name, a.TokenEnv)
			}
		}
	case "oauth_browser":
		// Completed by parseOptions once the region is known.
		mc.Tokens = &oauth.Source{Account: name}
	default:
		return fmt.Errorf("account %q has unknown type %q (service_account, oauth_token, oauth_browser)", name, a.Type)
	}
	return nil
}

func readFileConfig(path string) (*fileConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config file %s: %w", path, os.ErrNotExist)
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var fc fileConfig
	if err := decodeTOML(raw, &fc); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return &fc, nil
}

// decodeTOML decodes a config file, its errors naming the line and column.
func decodeTOML(raw []byte, v any) error {
	err := toml.Unmarshal(raw, v)
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return fmt.Errorf("line %d, column %d: %w", row, col, err)
	}
	return err
}

func accountNames(fc *fileConfig) string {
	var names []string
	for n := range fc.Accounts {
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func expandHome(path string, getenv func(string) string) string {
	if rest, ok := strings.CutPrefix(path, "~/"); ok {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		return filepath.Join(home, rest)
	}
	return path
}

// envName is the environment variable of a setting.
func envName(name string) string {
	for _, s := range settings {
		if s.flag == name {
			return s.env
		}
	}
	panic("unknown setting " + name)
}

func parseBool(name, v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("--%s: %q is not true or false", name, v)
	}
	return b, nil
}

func parseLimit(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n == 0 || n < -1 {
		return 0, fmt.Errorf("--%s: %q must be a positive integer, or -1 to disable", name, v)
	}
	return n, nil
}

// parseSize reads a byte count such as 64MiB, 512 KiB, 1GiB or 1048576;
// -1 means no cap.
func parseSize(v string) (int64, error) {
	text := strings.TrimSpace(v)
	if text == "-1" {
		return -1, nil
	}
	num := strings.TrimRight(text, "BbKkMmGgIi ")
	unit := strings.ToLower(strings.TrimSpace(text[len(num):]))
	mult, ok := map[string]int64{"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size such as 64MiB, 512KiB or 1GiB (-1 disables the cap)", v)
	}
	return n * mult, nil
}

func usage(w io.Writer) {
	fmt.Fprint(w, `mcp-server: Mixpanel for AI assistants over the Model Context Protocol.

Usage:
  mcp-server [flags]          serve MCP (stdio by default)
  mcp-server tools [flags]    list the tools the flags select, and exit
  mcp-server login [flags]    sign in with your browser (--account, --region,
                              --project-id, --no-browser); saves an
                              oauth_browser account in the config file
  mcp-server logout [flags]   remove the stored sign-in of --account (default:
                              the active account)
  mcp-server whoami [flags]   who the server acts as: account, region,
                              token expiry and the projects it can see
  mcp-server version          version, commit and Go version (also --version)
  mcp-server help             this text

Every flag can also be set by its environment variable; a flag wins over the
environment, and both win over the config file (the reference library's
~/.mp/config.toml: [accounts.NAME] blocks with type, region,
default_project, username/secret or token/token_env, and an [active] block
naming the account and workspace).

Flags:
`)
	for _, s := range settings {
		def := ""
		if s.def != "" {
			def = " (default " + s.def + ")"
		}
		fmt.Fprintf(w, "  --%-20s %-22s %s%s\n", s.flag, "$"+s.env, s.help, def)
	}
	fmt.Fprint(w, `
Without credentials the server still starts and lists its tools; a call then
answers with an error naming the missing setting.
`)
}

// textFlag keeps every flag as text so that "unset" differs from a value
// and the environment can fill it; boolean settings take a bare --flag.
type textFlag struct {
	value  string
	isBool bool
}

func (f *textFlag) String() string     { return f.value }
func (f *textFlag) Set(v string) error { f.value = v; return nil }
func (f *textFlag) IsBoolFlag() bool   { return f.isBool }
