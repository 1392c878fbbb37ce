package mixpanel_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
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
		{403, `{"error":["no access","to project"]}`, mixpanel.KindForbidden, `no access; to project`},
		{404, `not here`, mixpanel.KindNotFound, "not here"},
		{422, `{"error":{"title":"too long"}}`, mixpanel.KindValidation, `title: too long`},
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

// TestEveryAttemptCountsAgainstTheHourlyBudget: Mixpanel counts each
// request it receives, retries included, so the client-side budget does
// too. Before, a call that took three attempts used one slot.
func TestEveryAttemptCountsAgainstTheHourlyBudget(t *testing.T) {
	path := mixpaneltest.QueryPrefix + "/events/names"
	tests := []struct {
		name    string
		failure mixpaneltest.Failure
		sent    int // requests the first call sends, and the budget
	}{
		{"two 500s, then an answer", mixpaneltest.Failure{Status: 500, Times: 2}, 3},
		{"one 429, then an answer", mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"1"}}, Times: 1}, 2},
		{"one cut-off answer, then a whole one", mixpaneltest.Failure{Status: 200, Body: `["Sign`, CutOff: true, Times: 1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(http.MethodGet, path, 200, []string{"Sign Up"})
			tt.failure.Path = path
			srv.Fail(tt.failure)
			cfg := srv.Config()
			cfg.QueryPerHour = tt.sent
			cfg.MaxLimiterWait = time.Millisecond
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			req := mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}
			require.NoError(t, c.JSON(context.Background(), req, &[]string{}))
			require.Len(t, srv.Requests(), tt.sent)

			err = c.JSON(context.Background(), req, &[]string{})
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, mixpanel.KindRateLimited, apiErr.Kind)
			assert.Zero(t, apiErr.Status, "refused by the client, not by Mixpanel")
			assert.Len(t, srv.Requests(), tt.sent, "the budget was spent by the retries")
		})
	}
}

// TestRetryWaitEndsWithTheCaller: a wait between attempts that the caller
// cancels returns the cancellation, and a wait that would outlast the
// caller's deadline is not started. Before, a cancelled wait returned the
// previous attempt's error as if Mixpanel had failed.
func TestRetryWaitEndsWithTheCaller(t *testing.T) {
	path := mixpaneltest.QueryPrefix + "/events/names"
	tests := []struct {
		name     string
		failure  mixpaneltest.Failure
		deadline time.Duration // 0: the sleep cancels the context instead
		wantErr  func(t *testing.T, err error)
	}{
		{name: "cancelled during the backoff after a 500", failure: mixpaneltest.Failure{Status: 500},
			wantErr: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, context.Canceled)
				var apiErr *mixpanel.APIError
				assert.False(t, errors.As(err, &apiErr), "not reported as Mixpanel's failure: %v", err)
			}},
		{name: "cancelled while waiting out a 429's Retry-After", failure: mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"20"}}},
			wantErr: func(t *testing.T, err error) { assert.ErrorIs(t, err, context.Canceled) }},
		{name: "a Retry-After longer than the deadline returns the 429 at once", deadline: time.Minute,
			failure: mixpaneltest.Failure{Status: 429, Header: http.Header{"Retry-After": {"60"}}, Body: `{"error":"slow down"}`},
			wantErr: func(t *testing.T, err error) {
				var apiErr *mixpanel.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 429, apiErr.Status)
				assert.Equal(t, time.Minute, apiErr.RetryAfter)
				assert.Contains(t, err.Error(), "slow down")
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			tt.failure.Path = path
			srv.Fail(tt.failure)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.deadline > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.deadline-time.Second)
				defer cancel()
			}
			var waits atomic.Int32
			cfg := srv.Config()
			cfg.Sleep = func(ctx context.Context, _ time.Duration) error {
				waits.Add(1)
				cancel() // the caller goes away during the wait
				<-ctx.Done()
				return ctx.Err()
			}
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			err = c.JSON(ctx, mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, nil)
			require.Error(t, err)
			tt.wantErr(t, err)
			assert.Len(t, srv.Requests(), 1)
			if tt.deadline > 0 {
				assert.Zero(t, waits.Load(), "no wait past the deadline")
			}
		})
	}
}

// TestCutOffAnswerIsRetriedWhenSafe: an answer cut off in transit
// (unexpected EOF) is a transport failure, retried like one when the
// request is safe to repeat. Before, it failed the call at once.
func TestCutOffAnswerIsRetriedWhenSafe(t *testing.T) {
	path := mixpaneltest.QueryPrefix + "/events/names"
	cut := mixpaneltest.Failure{Path: path, Status: 200, Body: `["Sign Up","Pur`, CutOff: true}
	tests := []struct {
		name      string
		method    string
		safe      bool
		times     int // cut-off answers before a whole one; 0: always
		wantErr   bool
		wantCalls int
	}{
		{name: "GET", method: "GET", times: 1, wantCalls: 2},
		{name: "safe POST", method: "POST", safe: true, times: 2, wantCalls: 3},
		{name: "POST that may write is not repeated", method: "POST", times: 1, wantErr: true, wantCalls: 1},
		{name: "GET cut off every time", method: "GET", wantErr: true, wantCalls: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond(tt.method, path, 200, []string{"Sign Up", "Purchase"})
			f := cut
			f.Method, f.Times = tt.method, tt.times
			srv.Fail(f)
			c := srv.Client(t)
			var names []string
			err := c.JSON(context.Background(), mixpanel.Request{Family: mixpanel.Query, Method: tt.method, Path: "/events/names", Safe: tt.safe}, &names)
			assert.Len(t, srv.Requests(), tt.wantCalls)
			if tt.wantErr {
				assert.True(t, mixpanel.IsKind(err, mixpanel.KindTransport), "%v", err)
				assert.Contains(t, err.Error(), "the answer was cut off after 15 bytes: unexpected EOF")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []string{"Sign Up", "Purchase"}, names)
		})
	}
}

// lazyBody is an answer of n bytes (a JSON array of blanks) made up as it
// is read, so a test can serve 400 MB without holding it; read counts what
// the client took.
type lazyBody struct {
	n, read int64
}

func (b *lazyBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), b.n-b.read)
	for i := range p[:k] {
		switch b.read + int64(i) {
		case 0:
			p[i] = '['
		case b.n - 1:
			p[i] = ']'
		default:
			p[i] = ' '
		}
	}
	b.read += k
	return int(k), nil
}

func (b *lazyBody) Close() error { return nil }

// TestResponseSizeCap: an answer larger than the cap fails with an error
// naming the cap and how to narrow the query, after reading at most the
// cap. Before, a 400 MB answer was read whole (RSS went to 1.3 GB).
func TestResponseSizeCap(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name          string
		cap           int64
		size          int64
		contentLength bool
		wantErr       bool
		maxRead       int64
	}{
		{name: "400 MB with Content-Length is refused unread", cap: mib, size: 400 * mib, contentLength: true, wantErr: true, maxRead: 0},
		{name: "400 MB streamed without a length stops after the cap", cap: mib, size: 400 * mib, wantErr: true, maxRead: mib + 1},
		{name: "an answer of exactly the cap is read", cap: mib, size: mib, maxRead: mib},
		{name: "a negative cap disables it", cap: -1, size: 3 * mib, maxRead: 3 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &lazyBody{n: tt.size}
			cfg := mixpaneltest.New(t).Config()
			cfg.MaxResponseBytes = tt.cap
			cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				length := int64(-1)
				if tt.contentLength {
					length = tt.size
				}
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: body, ContentLength: length, Request: r}, nil
			})}
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			raw, err := c.Raw(context.Background(), mixpanel.Request{Family: mixpanel.Query, Path: "/segmentation"})
			assert.LessOrEqual(t, body.read, tt.maxRead)
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Len(t, raw, int(tt.size))
				return
			}
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, mixpanel.KindTooLarge, apiErr.Kind)
			assert.Equal(t, "mixpanel GET /segmentation: too_large: the answer is larger than the 1 MiB cap on one Mixpanel answer (--max-response-size, MP_MAX_RESPONSE_SIZE)", err.Error())
			assert.Contains(t, apiErr.Hint(), "shorter date range")
		})
	}

	t.Run("the streamed export is not capped", func(t *testing.T) {
		srv := mixpaneltest.New(t)
		cfg := srv.Config()
		cfg.MaxResponseBytes = 1 << 10
		c, err := mixpanel.New(cfg)
		require.NoError(t, err)
		stats, err := c.ExportEvents(context.Background(), mixpanel.ExportParams{FromDate: "2026-11-01", ToDate: "2026-11-24"}, func(mixpanel.ExportEvent) bool { return true })
		require.NoError(t, err)
		assert.Greater(t, stats.BytesRead, int64(1<<10))
	})
}

// TestHourlyBudgetWaitEndsWithTheCaller: a request that would wait for the
// hourly budget past the caller's deadline fails at once with the
// rate-limited error and when to retry. Before, it slept until the
// deadline and returned a bare "context deadline exceeded".
func TestHourlyBudgetWaitEndsWithTheCaller(t *testing.T) {
	tests := []struct {
		name     string
		maxWait  time.Duration
		deadline time.Duration // 0: none
	}{
		{"the wait is longer than the limiter allows", time.Millisecond, 0},
		{"the wait is allowed but outlasts the deadline", 2 * time.Hour, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Respond("GET", mixpaneltest.QueryPrefix+"/events/names", 200, []string{})
			cfg := srv.Config()
			cfg.QueryPerHour = 1
			cfg.MaxLimiterWait = tt.maxWait
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			req := mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}
			require.NoError(t, c.JSON(context.Background(), req, nil))
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			err = c.JSON(ctx, req, nil)
			var apiErr *mixpanel.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, mixpanel.KindRateLimited, apiErr.Kind)
			assert.Greater(t, apiErr.RetryAfter, 59*time.Minute)
			assert.NoError(t, ctx.Err(), "it did not wait for the deadline")
			assert.Len(t, srv.Requests(), 1)
		})
	}
}
