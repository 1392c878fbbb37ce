// Command mcp-server serves Mixpanel to AI assistants over the Model
// Context Protocol, on stdio or streamable HTTP.
package main

import (
	"context"
	_ "embed"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/charts"
	"github.com/mixpanel-mcp/mixpanel-mcp/completion"
	mpcontext "github.com/mixpanel-mcp/mixpanel-mcp/context"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/demo"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/oauth"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/redisshare"
	"github.com/mixpanel-mcp/mixpanel-mcp/prompts"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// version is set at build time with -ldflags "-X main.version=..."; when
// empty, the module version of a go install (see version.go), else "dev".
var version = ""

// Log times are UTC, as a service's logs are read across machines; a local
// time would also load the time zone database on the way to the first
// answer (~0.5 ms of a cold start).
func init() { zerolog.TimestampFunc = func() time.Time { return time.Now().UTC() } }

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	sub := ""
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		args = nil
		sub = "version"
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "", "serve", "tools":
	case "help":
		usage(stdout)
		return 0
	case "version":
		printVersion(stdout)
		return 0
	case "login", "logout", "whoami":
		return runAccount(sub, args, getenv, stdin, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "mcp-server: unknown subcommand %q (subcommands: tools, login, logout, whoami, version, help)\n", sub)
		return 2
	}
	opts, err := parseOptions(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server:", err)
		return 2
	}
	toolsets, err := tools.ParseToolsets(opts.Toolsets)
	if err != nil {
		fmt.Fprintln(stderr, "mcp-server: --toolsets:", err)
		return 2
	}
	sel := tools.Selection{Toolsets: toolsets, ReadOnly: opts.ReadOnly, Dynamic: opts.Dynamic}
	if sub == "tools" {
		if err := printTools(stdout, sel); err != nil {
			fmt.Fprintln(stderr, "mcp-server tools:", err)
			return 1
		}
		return 0
	}

	level, err := zerolog.ParseLevel(strings.ToLower(opts.LogLevel))
	if err != nil || opts.LogLevel == "" {
		fmt.Fprintf(stderr, "mcp-server: --log-level: %q is not debug, info, warn or error\n", opts.LogLevel)
		return 2
	}
	logger := zerolog.New(stderr).Level(level).With().Timestamp().Logger()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var extra []server.ServerOption
	if opts.MetricsListen != "" || (opts.Transport == "http" && isLoopback(opts.Listen)) {
		opts.Metrics = newMetrics()
		extra = append(extra, server.WithToolHandlerMiddleware(opts.Metrics.middleware))
	}
	if opts.RedisURL != "" {
		onFallback := func(string) {}
		if opts.Metrics != nil {
			onFallback = opts.Metrics.redisFallback
		}
		store, err := redisshare.Open(redisshare.Options{URL: opts.RedisURL, Prefix: opts.RedisPrefix, LeaseTTL: opts.RedisLeaseTTL, Logger: logger, OnFallback: onFallback})
		if err != nil {
			fmt.Fprintln(stderr, "mcp-server: --redis-url/MCP_REDIS_URL:", err)
			return 2
		}
		defer store.Close()
		if err := store.Ping(ctx); err != nil {
			logger.Warn().Str("error", err.Error()).Msg("redis does not answer yet: each replica uses its own Query API limits and cache until it does")
		} else {
			logger.Info().Str("prefix", opts.RedisPrefix).Msg("redis: Query API limits and discovery cache shared by the replicas")
		}
		opts.Shared = store
		if opts.Metrics != nil {
			opts.Metrics.gauge("mcp_redis_up", "1 while Redis answers (limits and cache shared), 0 while this replica falls back to its own.", func() float64 {
				if store.Up() {
					return 1
				}
				return 0
			})
		}
	}
	if opts.MetricsListen != "" {
		_, stopMetrics, err := serveMetrics(opts.MetricsListen, opts.Metrics, logger)
		if err != nil {
			logger.Error().Err(err).Msg("cannot serve metrics")
			return 1
		}
		defer stopMetrics()
	}

	// Package inits leave a heap near the 4 MB at which the first
	// collection starts, and building --toolsets all crosses it (a GC is
	// ~2M instructions, 5% of that start). Collect less until the server
	// and its tools/list answer are built.
	gc := debug.SetGCPercent(400)
	calls := newCallCanceller()
	s, err := newServer(opts, sel, logger, append(extra, server.WithToolHandlerMiddleware(calls.middleware))...)
	if err != nil {
		logger.Error().Err(err).Msg("cannot build the server")
		return 1
	}
	// Encoded now, off the first request's path; a tool whose definition
	// cannot be encoded stops the start, as one that cannot be registered.
	if _, err := tools.ListResult(s, ""); err != nil {
		logger.Error().Err(err).Msg("cannot build the server: the tools/list answer cannot be encoded")
		return 1
	}
	// Not later: the demo project answers its first queries at once, and
	// two seconds at GOGC 400 took its peak RSS from ~65 to ~170 MiB.
	debug.SetGCPercent(gc)
	switch opts.Transport {
	case "http":
		err = serveHTTP(ctx, s, calls, opts, logger)
	default:
		logger.Info().Str("transport", "stdio").Str("version", version).Msg("mcp-server ready")
		stdio := server.NewStdioServer(s)
		stdio.SetErrorLogger(log.New(stderr, "", 0))
		ids := newStdioIDs(stdout)
		ids.srv = s
		err = stdio.Listen(ctx, ids.reader(stdin), ids)
	}
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
		logger.Error().Err(err).Msg("server stopped")
		return 1
	}
	return 0
}

// iconSVG is the server's icon: bars of a chart on the accent color.
//
//go:embed icon.svg
var iconSVG []byte

// serverIcon is iconSVG as the data URI clients show without fetching
// anything. Tools, prompts and resources carry no icon of their own: the
// same one repeated on every tool would only grow tools/list.
var serverIcon = mcp.Icon{Src: "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(iconSVG), MIMEType: "image/svg+xml", Sizes: []string{"any"}}

// newServer builds the MCP server with the selected tools. Missing
// credentials do not stop it: calls report them instead.
func newServer(opts *options, sel tools.Selection, logger zerolog.Logger, extra ...server.ServerOption) (*server.MCPServer, error) {
	mc := opts.Mixpanel
	if opts.Demo {
		start := time.Now()
		p := demo.New(start)
		kept := "writes last for this process"
		if opts.DemoState != "" {
			if err := p.Persist(opts.DemoState); err != nil {
				return nil, err
			}
			kept = "writes kept in " + opts.DemoState
		}
		mc = p.Config(mc)
		logger.Info().Dur("ready_in", time.Since(start)).Msg("demo project: synthetic data, computed in-process; " + kept + "; nothing reaches Mixpanel")
	}
	if opts.Metrics != nil {
		mc.Observer = opts.Metrics
	}
	if opts.Shared != nil {
		mc.NewLimiter = opts.Shared.Limiter(mc)
		if mc.CacheTTL >= 0 {
			mc.Cache = opts.Shared.Cache(mc.CacheTTL)
		}
	}
	mc.Logger = logger
	if src, ok := mc.Tokens.(*oauth.Source); ok {
		src.Log = logger
	}
	mc.UserAgent = "mixpanel-mcp/" + version
	client, err := mixpanel.New(mc)
	if err != nil {
		return nil, err
	}
	clientErr := mc.CheckCredentials()
	if clientErr != nil {
		logger.Warn().Str("missing", clientErr.Error()).Msg("starting without Mixpanel credentials; tool calls will say what to set")
	} else if !opts.Demo {
		logger.Info().Str("region", string(mc.Region)).Str("project", mc.ProjectID).Str("workspace", mc.WorkspaceID).Str("source", opts.ConfigNote).Msg("mixpanel configured")
	}
	env := tools.NewEnv(client, clientErr, logger)
	env.CallTimeout = opts.CallTimeout
	env.Transport = opts.Transport
	hooks := &server.Hooks{}
	env.TrackSessions(hooks)
	env.Serve(sel)
	completions := &completion.Provider{Client: env.ClientFor, Prompts: prompts.Completions(env.Has), Templates: mpcontext.Completions(), Prepare: tools.WithClientLog}
	s := server.NewMCPServer("mixpanel-mcp", version, append([]server.ServerOption{
		server.WithHooks(hooks),
		server.WithInstructions(tools.Instructions(env.Has)),
		server.WithToolCapabilities(sel.Dynamic),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithCompletions(),
		server.WithPromptCompletionProvider(completions),
		server.WithResourceCompletionProvider(completions),
		server.WithLogging(),
		server.WithTitle("Mixpanel"),
		server.WithIcons(serverIcon),
		server.WithResourceHandlerMiddleware(tools.ClientLogResources),
		server.WithRecovery(),
	}, extra...)...)
	if err := tools.AddTo(s, env, sel); err != nil {
		return nil, err
	}
	mpcontext.Register(s, env.ClientFor)
	charts.Register(s)
	prompts.Register(s, env.Has)
	return s, nil
}
