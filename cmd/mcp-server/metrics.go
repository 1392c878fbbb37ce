package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/internal/promtext"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// metrics are the server's Prometheus metrics, in a registry of their own
// (no global state), exposed by internal/promtext. They implement
// mixpanel.Observer for the client's events; the tool-call middleware and
// the gauges cover the rest.
type metrics struct {
	reg *promtext.Registry

	toolCalls      *promtext.CounterVec
	toolDuration   *promtext.HistogramVec
	requests       *promtext.CounterVec
	requestSeconds *promtext.HistogramVec
	retries        *promtext.CounterVec
	limiterWait    *promtext.Histogram
	limiterRefused *promtext.Counter
	cacheLookups   *promtext.CounterVec
	redisFallbacks *promtext.CounterVec
}

var _ mixpanel.Observer = (*metrics)(nil)

// callBuckets span a dry run (milliseconds) to a call's whole deadline.
var callBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

func newMetrics() *metrics {
	reg := promtext.NewRegistry()
	m := &metrics{
		reg: reg,
		toolCalls: reg.CounterVec("mcp_tool_calls_total",
			"Tool calls by tool and outcome (ok; error: an isError result; cancelled; failed: no result).", "tool", "outcome"),
		toolDuration: reg.HistogramVec("mcp_tool_call_duration_seconds",
			"Tool call latency, every Mixpanel request, retry and wait included.", callBuckets, "tool"),
		requests: reg.CounterVec("mcp_mixpanel_requests_total",
			"Mixpanel request attempts by API family (query, export, engage, app) and HTTP status (\"none\": no answer).", "api", "status"),
		requestSeconds: reg.HistogramVec("mcp_mixpanel_request_duration_seconds",
			"Time to the headers of Mixpanel's answer, per attempt.", callBuckets, "api"),
		retries: reg.CounterVec("mcp_mixpanel_retries_total",
			"Mixpanel request attempts repeated after a 429, a server error or a transport failure.", "api"),
		limiterWait: reg.Histogram("mcp_mixpanel_rate_limit_wait_seconds",
			"Time a Query API attempt waited for the concurrency limit and the hourly budget.", []float64{.001, .01, .05, .1, .5, 1, 5, 10, 30, 60}),
		limiterRefused: reg.Counter("mcp_mixpanel_rate_limit_refusals_total",
			"Query API attempts refused by the client-side limits (hourly budget spent)."),
		cacheLookups: reg.CounterVec("mcp_mixpanel_cache_lookups_total",
			"Discovery cache lookups by result (hit, miss).", "result"),
		redisFallbacks: reg.CounterVec("mcp_redis_fallbacks_total",
			"Operations that used this replica's own limiter or cache because Redis failed, by part (limiter, cache).", "part"),
	}
	reg.AddRuntime()
	return m
}

// handler serves the registry in Prometheus's text format.
func (m *metrics) handler() http.Handler {
	return m.reg.Handler()
}

// gauge registers a gauge read from f at each scrape.
func (m *metrics) gauge(name, help string, f func() float64) {
	m.reg.GaugeFunc(name, help, f)
}

// middleware counts and times every tool call.
func (m *metrics) middleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		start := time.Now()
		res, err := next(ctx, req)
		outcome := "ok"
		switch {
		case errors.Is(err, context.Canceled) || ctx.Err() != nil || (res != nil && res.IsError && textIs(res, cancelledText)):
			outcome = "cancelled"
		case err != nil || res == nil:
			outcome = "failed"
		case res.IsError:
			outcome = "error"
		}
		m.toolCalls.WithLabelValues(req.Params.Name, outcome).Inc()
		m.toolDuration.WithLabelValues(req.Params.Name).Observe(time.Since(start).Seconds())
		return res, err
	}
}

func textIs(res *mcp.CallToolResult, want string) bool {
	if len(res.Content) != 1 {
		return false
	}
	t, ok := res.Content[0].(mcp.TextContent)
	return ok && t.Text == want
}

func (m *metrics) Request(api mixpanel.Family, status int, took time.Duration) {
	code := "none"
	if status > 0 {
		code = strconv.Itoa(status)
	}
	m.requests.WithLabelValues(api.String(), code).Inc()
	m.requestSeconds.WithLabelValues(api.String()).Observe(took.Seconds())
}

func (m *metrics) Retry(api mixpanel.Family) { m.retries.WithLabelValues(api.String()).Inc() }

func (m *metrics) LimiterWait(took time.Duration) { m.limiterWait.Observe(took.Seconds()) }

func (m *metrics) LimiterRefused() { m.limiterRefused.Inc() }

func (m *metrics) CacheLookup(hit bool) {
	result := "miss"
	if hit {
		result = "hit"
	}
	m.cacheLookups.WithLabelValues(result).Inc()
}

// redisFallback is redisshare's OnFallback.
func (m *metrics) redisFallback(part string) { m.redisFallbacks.WithLabelValues(part).Inc() }

// serveMetrics serves /metrics on addr, a listener of its own, until the
// returned stop is called.
func serveMetrics(addr string, m *metrics, logger zerolog.Logger) (bound string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("--metrics-listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: maxHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	logger.Info().Str("addr", "http://"+ln.Addr().String()+"/metrics").Msg("serving metrics")
	return ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
