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
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// metrics are the server's Prometheus metrics, in a registry of their own
// (no global state). They implement mixpanel.Observer for the client's
// events; the tool-call middleware and the gauges cover the rest.
type metrics struct {
	reg *prometheus.Registry

	toolCalls      *prometheus.CounterVec
	toolDuration   *prometheus.HistogramVec
	requests       *prometheus.CounterVec
	requestSeconds *prometheus.HistogramVec
	retries        *prometheus.CounterVec
	limiterWait    prometheus.Histogram
	limiterRefused prometheus.Counter
	cacheLookups   *prometheus.CounterVec
	redisFallbacks *prometheus.CounterVec
}

var _ mixpanel.Observer = (*metrics)(nil)

// callBuckets span a dry run (milliseconds) to a call's whole deadline.
var callBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_tool_calls_total",
			Help: "Tool calls by tool and outcome (ok; error: an isError result; cancelled; failed: no result)."}, []string{"tool", "outcome"}),
		toolDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mcp_tool_call_duration_seconds",
			Help: "Tool call latency, every Mixpanel request, retry and wait included.", Buckets: callBuckets}, []string{"tool"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_mixpanel_requests_total",
			Help: "Mixpanel request attempts by API family (query, export, engage, app) and HTTP status (\"none\": no answer)."}, []string{"api", "status"}),
		requestSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mcp_mixpanel_request_duration_seconds",
			Help: "Time to the headers of Mixpanel's answer, per attempt.", Buckets: callBuckets}, []string{"api"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_mixpanel_retries_total",
			Help: "Mixpanel request attempts repeated after a 429, a server error or a transport failure."}, []string{"api"}),
		limiterWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "mcp_mixpanel_rate_limit_wait_seconds",
			Help: "Time a Query API attempt waited for the concurrency limit and the hourly budget.", Buckets: []float64{.001, .01, .05, .1, .5, 1, 5, 10, 30, 60}}),
		limiterRefused: prometheus.NewCounter(prometheus.CounterOpts{Name: "mcp_mixpanel_rate_limit_refusals_total",
			Help: "Query API attempts refused by the client-side limits (hourly budget spent)."}),
		cacheLookups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_mixpanel_cache_lookups_total",
			Help: "Discovery cache lookups by result (hit, miss)."}, []string{"result"}),
		redisFallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mcp_redis_fallbacks_total",
			Help: "Operations that used this replica's own limiter or cache because Redis failed, by part (limiter, cache)."}, []string{"part"}),
	}
	m.reg.MustRegister(m.toolCalls, m.toolDuration, m.requests, m.requestSeconds, m.retries,
		m.limiterWait, m.limiterRefused, m.cacheLookups, m.redisFallbacks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in Prometheus's text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// gauge registers a gauge read from f at each scrape.
func (m *metrics) gauge(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
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
