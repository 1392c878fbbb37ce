package mixpanel_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestBaseURLsPerRegion(t *testing.T) {
	tests := []struct {
		region                         mixpanel.Region
		query, export, engage, appBase string
	}{
		{mixpanel.RegionUS, "https://mixpanel.com/api/query", "https://data.mixpanel.com/api/2.0", "https://mixpanel.com/api/query/engage", "https://mixpanel.com/api/app"},
		{mixpanel.RegionEU, "https://eu.mixpanel.com/api/query", "https://data-eu.mixpanel.com/api/2.0", "https://eu.mixpanel.com/api/query/engage", "https://eu.mixpanel.com/api/app"},
		{mixpanel.RegionIN, "https://in.mixpanel.com/api/query", "https://data-in.mixpanel.com/api/2.0", "https://in.mixpanel.com/api/query/engage", "https://in.mixpanel.com/api/app"},
	}
	for _, tt := range tests {
		t.Run(string(tt.region), func(t *testing.T) {
			urls := mixpanel.BaseURLs(tt.region)
			assert.Equal(t, tt.query, urls[mixpanel.Query])
			assert.Equal(t, tt.export, urls[mixpanel.Export])
			assert.Equal(t, tt.engage, urls[mixpanel.Engage])
			assert.Equal(t, tt.appBase, urls[mixpanel.App])
		})
	}
}

func TestParseRegion(t *testing.T) {
	for in, want := range map[string]mixpanel.Region{"": "us", "US": "us", " eu ": "eu", "in": "in"} {
		got, err := mixpanel.ParseRegion(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := mixpanel.ParseRegion("asia")
	assert.ErrorContains(t, err, "us, eu or in")
}

// recordingTransport captures the outgoing requests' headers.
type recordingTransport struct {
	mu      sync.Mutex
	headers []http.Header
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestAuthHeaders(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.AppPrefix+"/me", 200, map[string]any{"status": "ok", "results": map[string]any{}})

	t.Run("service account is HTTP Basic", func(t *testing.T) {
		rt := &recordingTransport{}
		cfg := srv.Config()
		cfg.HTTPClient = &http.Client{Transport: rt}
		c, err := mixpanel.New(cfg)
		require.NoError(t, err)
		require.NoError(t, c.AppJSON(context.Background(), mixpanel.Request{Path: "/me"}, nil))
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(mixpaneltest.Username+":"+mixpaneltest.Secret))
		assert.Equal(t, want, rt.headers[0].Get("Authorization"))
		assert.Equal(t, "Basic", srv.LastRequest(t, mixpaneltest.AppPrefix+"/me").AuthType)
	})
	t.Run("oauth token is Bearer", func(t *testing.T) {
		rt := &recordingTransport{}
		cfg := srv.Config()
		cfg.Username, cfg.Secret, cfg.OAuthToken = "", "", mixpaneltest.OAuthToken
		cfg.HTTPClient = &http.Client{Transport: rt}
		c, err := mixpanel.New(cfg)
		require.NoError(t, err)
		require.NoError(t, c.AppJSON(context.Background(), mixpanel.Request{Path: "/me"}, nil))
		assert.Equal(t, "Bearer "+mixpaneltest.OAuthToken, rt.headers[0].Get("Authorization"))
	})
	t.Run("wrong secret is an auth error", func(t *testing.T) {
		cfg := srv.Config()
		cfg.Secret = "wrong-secret-value"
		c, err := mixpanel.New(cfg)
		require.NoError(t, err)
		err = c.AppJSON(context.Background(), mixpanel.Request{Path: "/me"}, nil)
		assert.True(t, mixpanel.IsKind(err, mixpanel.KindAuth), "%v", err)
	})
	t.Run("no credentials names the missing setting", func(t *testing.T) {
		cfg := srv.Config()
		cfg.Username, cfg.Secret = "", ""
		c, err := mixpanel.New(cfg)
		require.NoError(t, err)
		before := len(srv.Requests())
		err = c.AppJSON(context.Background(), mixpanel.Request{Path: "/me"}, nil)
		var missing *mixpanel.MissingSettingError
		require.ErrorAs(t, err, &missing)
		assert.Contains(t, err.Error(), "MP_USERNAME")
		assert.Len(t, srv.Requests(), before, "no request is sent without credentials")
	})
}

func TestProjectAndWorkspaceScoping(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/events/names", 200, []string{"a"})
	srv.Respond(http.MethodGet, mixpaneltest.ExportPrefix+"/export", 200, "")
	cfg := srv.Config()
	cfg.WorkspaceID = "42"
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)

	require.NoError(t, c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil))
	q := srv.LastRequest(t, mixpaneltest.QueryPrefix+"/events/names").Query
	assert.Equal(t, mixpaneltest.ProjectID, q.Get("project_id"))
	assert.Equal(t, "42", q.Get("workspace_id"), "a pinned workspace applies to queries")

	require.NoError(t, c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Export, Path: "/export"}, nil))
	q = srv.LastRequest(t, mixpaneltest.ExportPrefix+"/export").Query
	assert.Equal(t, mixpaneltest.ProjectID, q.Get("project_id"))
	assert.Empty(t, q.Get("workspace_id"), "raw export stays project-wide")

	scope, err := c.Scope()
	require.NoError(t, err)
	assert.Equal(t, "/workspaces/42", scope)

	cfg.WorkspaceID = ""
	c, _ = mixpanel.New(cfg)
	scope, _ = c.Scope()
	assert.Equal(t, "/projects/"+mixpaneltest.ProjectID, scope)

	cfg.ProjectID = ""
	c, _ = mixpanel.New(cfg)
	_, err = c.Scope()
	assert.ErrorContains(t, err, "MP_PROJECT_ID")
}

// sleeper records the waits the client asked for instead of sleeping.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return nil
}

func TestRetries(t *testing.T) {
	path := mixpaneltest.QueryPrefix + "/events/names"
	tests := []struct {
		name      string
		method    string
		safe      bool
		failure   mixpaneltest.Failure
		wantErr   mixpanel.ErrorKind
		wantCalls int
		wantWaits []time.Duration // exact waits; nil: only count
	}{
		{name: "429 with Retry-After is retried after the delay", method: "GET",
			failure:   mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"7"}}, Body: `{"error":"rate limited"}`, Times: 2},
			wantCalls: 3, wantWaits: []time.Duration{7 * time.Second, 7 * time.Second}},
		{name: "429 on a POST is retried too: nothing ran", method: "POST",
			failure:   mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Times: 1},
			wantCalls: 2, wantWaits: []time.Duration{time.Second}},
		{name: "Retry-After is capped at 60s", method: "GET",
			failure:   mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"3600"}}, Times: 1},
			wantCalls: 2, wantWaits: []time.Duration{60 * time.Second}},
		{name: "429 forever gives up after 3 retries with retry-after", method: "GET",
			failure: mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"2"}}},
			wantErr: mixpanel.KindRateLimited, wantCalls: 4},
		{name: "GET 500 is retried with backoff", method: "GET",
			failure:   mixpaneltest.Failure{Status: 500, Body: `{"error":"boom"}`, Times: 1},
			wantCalls: 2},
		{name: "POST 500 is not silently repeated", method: "POST",
			failure: mixpaneltest.Failure{Status: 500, Body: `{"error":"boom"}`, Times: 1},
			wantErr: mixpanel.KindServer, wantCalls: 1},
		{name: "a safe POST 500 is retried", method: "POST", safe: true,
			failure:   mixpaneltest.Failure{Status: 503, Times: 1},
			wantCalls: 2},
		{name: "400 is never retried", method: "GET",
			failure: mixpaneltest.Failure{Status: 400, Body: `{"error":"bad param","status":"error"}`, Times: 1},
			wantErr: mixpanel.KindValidation, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(tt.method, path, 200, []string{"ok"})
			tt.failure.Method, tt.failure.Path = tt.method, path
			srv.Fail(tt.failure)
			sl := &sleeper{}
			cfg := srv.Config()
			cfg.Sleep = sl.sleep
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			err = c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Method: tt.method, Path: "/events/names", Safe: tt.safe}, nil)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, mixpanel.IsKind(err, tt.wantErr), "got %v", err)
			} else {
				require.NoError(t, err)
			}
			assert.Len(t, srv.Requests(), tt.wantCalls)
			if tt.wantWaits != nil {
				assert.Equal(t, tt.wantWaits, sl.waits)
			}
			if tt.wantErr == mixpanel.KindRateLimited {
				var apiErr *mixpanel.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 2*time.Second, apiErr.RetryAfter)
			}
		})
	}
}

func TestBackoffGrowsWithoutRetryAfter(t *testing.T) {
	srv := mixpaneltest.New(t)
	path := mixpaneltest.QueryPrefix + "/events/names"
	srv.Fail(mixpaneltest.Failure{Path: path, Status: 502, Times: 3})
	srv.Respond("GET", path, 200, []string{})
	sl := &sleeper{}
	cfg := srv.Config()
	cfg.Sleep = sl.sleep
	c, _ := mixpanel.New(cfg)
	require.NoError(t, c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil))
	require.Len(t, sl.waits, 3)
	for i, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		assert.GreaterOrEqual(t, sl.waits[i], base)
		assert.LessOrEqual(t, sl.waits[i], base+base/10)
	}
}

func TestTimeoutAndCancellation(t *testing.T) {
	srv := mixpaneltest.New(t)
	path := mixpaneltest.QueryPrefix + "/events/names"
	srv.Respond("GET", path, 200, []string{})
	srv.Fail(mixpaneltest.Failure{Path: path, Delay: 2 * time.Second})

	cfg := srv.Config()
	cfg.Timeout = 50 * time.Millisecond
	cfg.MaxRetries = -1
	c, _ := mixpanel.New(cfg)
	err := c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindTransport), "%v", err)
	assert.Contains(t, err.Error(), "no answer within")

	cfg.Timeout = time.Minute
	c, _ = mixpanel.New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	err = c.JSON(ctx, mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestErrorsCarryMixpanelMessage(t *testing.T) {
	tests := []struct {
		status int
		body   string
		kind   mixpanel.ErrorKind
		msg    string
	}{
		{401, `{"error":"Invalid credentials","status":"error"}`, mixpanel.KindAuth, "Invalid credentials"},
		{403, `{"error":["no access","to project"]}`, mixpanel.KindForbidden, `["no access","to project"]`},
		{404, `not here`, mixpanel.KindNotFound, "not here"},
		{422, `{"error":{"title":"too long"}}`, mixpanel.KindValidation, `{"title":"too long"}`},
		{500, `{"error":"internal"}`, mixpanel.KindServer, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(mixpaneltest.Failure{Status: tt.status, Body: tt.body, Header: http.Header{"X-Request-Id": {"req-9"}}})
			cfg := srv.Config()
			cfg.MaxRetries = -1
			c, _ := mixpanel.New(cfg)
			err := c.AppJSON(context.Background(), mixpanel.Request{Path: "/projects/1/dashboards"}, nil)
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.kind, apiErr.Kind)
			assert.Equal(t, tt.msg, apiErr.Message)
			assert.Equal(t, "req-9", apiErr.RequestID)
			assert.NotEmpty(t, apiErr.Hint())
		})
	}
}

func TestQueryInsightsErrorIn200(t *testing.T) {
	srv := mixpaneltest.New(t)
	srv.Respond("POST", mixpaneltest.QueryPrefix+"/insights", 200, map[string]any{"error": "Unknown event"})
	c := srv.Client(t)
	_, err := c.QueryInsights(context.Background(), map[string]any{"sections": map[string]any{}})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindValidation), "%v", err)
	assert.Contains(t, err.Error(), "Unknown event")

	srv.Respond("POST", mixpaneltest.QueryPrefix+"/insights", 200, map[string]any{"computed_at": "x"})
	_, err = c.QueryInsights(context.Background(), map[string]any{})
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindResponse), "%v", err)

	var body mixpaneltest.InsightsBody
	srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").JSON(t, &body)
	assert.Equal(t, mixpaneltest.ProjectID, string(body.ProjectID), "project_id goes in the body")
	assert.Empty(t, srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").Query.Get("project_id"), "not in the query string")
	assert.EqualValues(t, mixpanel.DefaultQueryRowLimit, body.QueryLimits["limit"])
}

func TestLimiterConcurrency(t *testing.T) {
	srv := mixpaneltest.New(t)
	path := mixpaneltest.QueryPrefix + "/events/names"
	srv.Respond("GET", path, 200, []string{})
	srv.Fail(mixpaneltest.Failure{Path: path, Delay: 30 * time.Millisecond})
	cfg := srv.Config()
	cfg.QueryConcurrency = 2
	var inFlight, peak atomic.Int32
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer inFlight.Add(-1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c, _ := mixpanel.New(cfg)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			assert.NoError(t, c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil))
		})
	}
	wg.Wait()
	assert.Equal(t, int32(2), peak.Load())
}

func TestLimiterHourlyBudget(t *testing.T) {
	srv := mixpaneltest.New(t)
	path := mixpaneltest.QueryPrefix + "/events/names"
	srv.Respond("GET", path, 200, []string{})
	cfg := srv.Config()
	cfg.QueryPerHour = 3
	cfg.MaxLimiterWait = time.Millisecond
	c, _ := mixpanel.New(cfg)
	for range 3 {
		require.NoError(t, c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil))
	}
	err := c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil)
	var apiErr *mixpanel.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, mixpanel.KindRateLimited, apiErr.Kind)
	assert.Greater(t, apiErr.RetryAfter, 59*time.Minute)
	assert.Contains(t, err.Error(), "3 Query API requests per hour")
	assert.Len(t, srv.Requests(), 3, "the fourth request never left the client")
	// App API calls are not Query-limited.
	srv.Respond("GET", mixpaneltest.AppPrefix+"/me", 200, map[string]any{})
	assert.NoError(t, c.AppJSON(context.Background(), mixpanel.Request{Path: "/me"}, nil))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestSecretsNeverLeak drives every failure path with debug logging on and
// checks that neither the secret, the token nor the Basic credential shows
// up in logs or error texts.
func TestSecretsNeverLeak(t *testing.T) {
	srv := mixpaneltest.New(t)
	var logs bytes.Buffer
	basic := base64.StdEncoding.EncodeToString([]byte(mixpaneltest.Username + ":" + mixpaneltest.Secret))
	// A server that echoes the credential back in its error message.
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.AppPrefix + "/echo", Status: 400, Body: `{"error":"bad auth ` + basic + " " + mixpaneltest.Secret + `"}`})
	cfg := srv.Config()
	cfg.Logger = zerolog.New(&logs).Level(zerolog.DebugLevel)
	cfg.MaxRetries = 1
	c, _ := mixpanel.New(cfg)
	var errs []error
	errs = append(errs, c.AppJSON(context.Background(), mixpanel.Request{Path: "/echo"}, nil))
	srv.Fail(mixpaneltest.Failure{Status: 500})
	errs = append(errs, c.AppJSON(context.Background(), mixpanel.Request{Path: "/x"}, nil))
	// Transport error with the secret in the URL's query string.
	cfg.AppURL = "http://127.0.0.1:1/api/app"
	c2, _ := mixpanel.New(cfg)
	errs = append(errs, c2.AppJSON(context.Background(), mixpanel.Request{Path: "/me", Query: map[string][]string{"token": {mixpaneltest.Secret}}}, nil))

	for _, err := range errs {
		require.Error(t, err)
		for _, secret := range []string{mixpaneltest.Secret, basic} {
			assert.NotContains(t, err.Error(), secret)
		}
	}
	assert.Contains(t, errs[0].Error(), "[redacted]")
	out := logs.String()
	require.NotEmpty(t, out)
	for _, secret := range []string{mixpaneltest.Secret, basic, "Authorization"} {
		assert.NotContains(t, out, secret)
	}
	assert.NotContains(t, fmt.Sprintf("%+v", c.Config()), mixpaneltest.Secret)
}
