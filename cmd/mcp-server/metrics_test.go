package main

import (
	"context"
	"debug/buildinfo"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// metricsService is this server over HTTP on loopback, against the fake,
// with metrics on.
func metricsService(t *testing.T, srv *mixpaneltest.Server, o *options) (*httpService, string) {
	t.Helper()
	cfg := srv.Config()
	o.Mixpanel.Username, o.Mixpanel.Secret, o.Mixpanel.ProjectID = cfg.Username, cfg.Secret, cfg.ProjectID
	o.Mixpanel.QueryURL, o.Mixpanel.ExportURL, o.Mixpanel.EngageURL, o.Mixpanel.AppURL = cfg.QueryURL, cfg.ExportURL, cfg.EngageURL, cfg.AppURL
	o.Mixpanel.QueryPerHour = 2
	o.Mixpanel.MaxLimiterWait = 1
	o.Mixpanel.Sleep = cfg.Sleep
	o.CallTimeout = 30e9
	o.Metrics = newMetrics()
	toolsets, err := tools.ParseToolsets("")
	require.NoError(t, err)
	s, err := newServer(o, tools.Selection{Toolsets: toolsets}, zerolog.Nop(), server.WithToolHandlerMiddleware(o.Metrics.middleware))
	require.NoError(t, err)
	return startService(t, s, o)
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return string(body)
}

// TestMetricsOnLoopback: on a loopback bind /metrics is served beside
// /mcp and counts tool calls by outcome, their latency, Mixpanel requests
// by API and status, retries, limiter refusals, cache lookups and sessions.
func TestMetricsOnLoopback(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.QueryPrefix + "/events/names", Status: 500, Times: 1})
	o := httpOpts()
	_, url := metricsService(t, srv, o)
	session := initSession(t, url)
	call := func(tool, args string) string {
		status, _, body := send(t, http.MethodPost, url, session, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"`+tool+`","arguments":`+args+`}}`)
		require.Equal(t, http.StatusOK, status, body)
		return body
	}
	call("list_events", `{}`)            // a 500, retried: two attempts, the whole hourly budget of 2
	call("list_events", `{}`)            // answered from the cache
	call("list_events", `{"nope":true}`) // invalid input: an error result, no request
	body := call("query_insights", `{"events":["Signup"],"last":7}`)
	assert.Contains(t, body, "rate_limited", "refused by the spent budget")

	out := scrape(t, strings.TrimSuffix(url, "/mcp")+"/metrics")
	for _, want := range []string{
		`mcp_tool_calls_total{outcome="ok",tool="list_events"} 2`,
		`mcp_tool_calls_total{outcome="error",tool="list_events"} 1`,
		`mcp_tool_calls_total{outcome="error",tool="query_insights"} 1`,
		`mcp_tool_call_duration_seconds_count{tool="list_events"} 3`,
		`mcp_mixpanel_requests_total{api="query",status="500"} 1`,
		`mcp_mixpanel_requests_total{api="query",status="200"} 1`,
		`mcp_mixpanel_retries_total{api="query"} 1`,
		`mcp_mixpanel_rate_limit_refusals_total 1`,
		`mcp_mixpanel_rate_limit_wait_seconds_count 2`,
		`mcp_mixpanel_cache_lookups_total{result="hit"} 1`,
		`mcp_mixpanel_cache_lookups_total{result="miss"} 1`,
		`mcp_sessions_live 1`,
		`go_goroutines `,
	} {
		assert.Contains(t, out, want, "%s", mcpLines(out))
	}

	// The whole scrape reads with the reference parser, histograms whole.
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(out))
	require.NoError(t, err, out)
	for _, name := range []string{"mcp_tool_call_duration_seconds", "mcp_mixpanel_request_duration_seconds"} {
		for _, m := range fams[name].GetMetric() {
			h := m.GetHistogram()
			require.Len(t, h.GetBucket(), len(callBuckets)+1, name)
			assert.Equal(t, h.GetSampleCount(), h.GetBucket()[len(callBuckets)].GetCumulativeCount(), "%s: +Inf bucket = count", name)
		}
	}
}

// TestBinaryLinksNoPrometheusClient: /metrics is written by
// internal/promtext. client_golang's package inits (procfs, protobuf,
// client_model, expvar, runtime/metrics) cost every start although
// /metrics is served only on some binds (issue 8); prometheus/common's
// parser is a test-only dependency.
func TestBinaryLinksNoPrometheusClient(t *testing.T) {
	info, err := buildinfo.ReadFile(binary(t))
	require.NoError(t, err)
	for _, d := range info.Deps {
		assert.False(t, strings.HasPrefix(d.Path, "github.com/prometheus/") || d.Path == "google.golang.org/protobuf", "the server binary links %s", d.Path)
	}
}

// mcpLines are the server's own samples of a scrape, for failure messages.
func mcpLines(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "mcp_") && !strings.Contains(l, "_bucket{") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// TestMetricsPlacement: beyond loopback /metrics is off unless
// --metrics-listen gives it an address of its own.
func TestMetricsPlacement(t *testing.T) {
	o := httpOpts()
	o.Listen, o.AuthToken = "0.0.0.0:0", strings.Repeat("t", 32)
	o.Metrics = newMetrics()
	svc, err := newHTTPService(echoServer(), o, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.mcp.Shutdown(context.Background()) })
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+o.AuthToken)
	svc.handler.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNotFound, rec.Code, "not on a non-loopback listener")

	o.Listen, o.MetricsListen = "127.0.0.1:0", "127.0.0.1:0"
	o.Metrics = newMetrics()
	svc2, err := newHTTPService(echoServer(), o, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc2.mcp.Shutdown(context.Background()) })
	rec = httptest.NewRecorder()
	svc2.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code, "with its own listener, not on the main one")
	addr, stop, err := serveMetrics(o.MetricsListen, o.Metrics, zerolog.Nop())
	require.NoError(t, err)
	defer stop()
	assert.Contains(t, scrape(t, "http://"+addr+"/metrics"), "mcp_sessions_live 0")
}
