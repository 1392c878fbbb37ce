package mixpanel

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNotices checks what a person hears during a call: each retry and its
// wait, a rate-limit wait, a cache refresh; and that nothing is sent when
// the context has no NoticeFunc.
func TestNotices(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		switch {
		case r.URL.Path == "/flaky" && n == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/limited" && n == 1:
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			_, _ = w.Write([]byte(`["ok"]`))
		}
	}))
	defer srv.Close()
	var slept []time.Duration
	c, err := New(Config{Username: "u", Secret: "s3cret-value", ProjectID: "1", QueryURL: srv.URL, CacheTTL: time.Minute, QueryPerHour: -1,
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	require.NoError(t, err)
	now := time.Now()
	c.cache.(*responseCache).now = func() time.Time { return now }

	var got []Notice
	ctx := WithNotices(context.Background(), func(n Notice) { got = append(got, n) })
	call := func(ctx context.Context, req Request) {
		t.Helper()
		hits.Store(0)
		got = nil
		require.NoError(t, c.JSON(ctx, req, nil))
	}

	call(ctx, Request{Family: Query, Path: "/flaky"})
	require.Len(t, got, 1)
	assert.Equal(t, NoticeWarning, got[0].Level)
	assert.Contains(t, got[0].Message, "GET /flaky failed (HTTP 503); retry 1 of 3 in")

	call(ctx, Request{Family: Query, Path: "/limited"})
	require.Len(t, got, 1)
	assert.Equal(t, "Mixpanel rate-limited GET /limited (HTTP 429); waiting 7s before retry 1 of 3", got[0].Message)
	assert.Equal(t, 7*time.Second, slept[len(slept)-1])

	names := Request{Family: Query, Path: "/events/names", Cacheable: true}
	call(ctx, names)
	call(ctx, names)
	assert.Empty(t, got, "a first fetch and a cache hit are nothing to tell")
	now = now.Add(2 * time.Minute)
	call(ctx, names)
	require.Len(t, got, 1)
	assert.Equal(t, Notice{Level: NoticeInfo, Message: "a cached schema-discovery answer is older than 1m0s; asking Mixpanel again"}, got[0])

	call(context.Background(), Request{Family: Query, Path: "/flaky"})
	assert.Empty(t, got, "no NoticeFunc, no notice")
}

// TestNoticeRedactsSecrets: a notice never carries the client's secret,
// even when a message would include it.
func TestNoticeRedactsSecrets(t *testing.T) {
	c, err := New(Config{Username: "u", Secret: "s3cret-value", ProjectID: "1"})
	require.NoError(t, err)
	var got Notice
	ctx := WithNotices(context.Background(), func(n Notice) { got = n })
	c.notice(ctx, NoticeWarning, "failed with %s", "token s3cret-value in it")
	assert.Equal(t, "failed with token [redacted] in it", got.Message)
	assert.False(t, strings.Contains(got.Message, "s3cret"))
}

// TestCacheKeyHoldsBody: two cacheable POSTs to one path with different
// bodies are two entries (an Insights query differs only by its body).
func TestCacheKeyHoldsBody(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		_, _ = w.Write([]byte(`["v` + string(rune('0'+n)) + `"]`))
	}))
	defer srv.Close()
	c, err := New(Config{Username: "u", Secret: "s", ProjectID: "1", QueryURL: srv.URL, CacheTTL: time.Minute, QueryPerHour: -1})
	require.NoError(t, err)
	get := func(body any) []string {
		var out []string
		require.NoError(t, c.JSON(context.Background(), Request{Family: Query, Method: http.MethodPost, Path: "/insights", Body: body, Safe: true, Cacheable: true}, &out))
		return out
	}
	assert.Equal(t, []string{"v1"}, get(map[string]any{"q": 1}))
	assert.Equal(t, []string{"v2"}, get(map[string]any{"q": 2}), "another body is another entry")
	assert.Equal(t, []string{"v1"}, get(map[string]any{"q": 1}), "the same body is reused")
}

// TestNoticeHourlyBudgetWait: a wait for the client-side hourly budget is
// told before it starts.
func TestNoticeHourlyBudgetWait(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`[]`)) }))
	defer srv.Close()
	c, err := New(Config{Username: "u", Secret: "s", ProjectID: "1", QueryURL: srv.URL, QueryPerHour: 1, MaxLimiterWait: 2 * time.Hour})
	require.NoError(t, err)
	// The limiter's clock: the first request at base; the next finds the
	// budget's one slot free in 30ms; after that wait the hour is over.
	base := time.Now()
	var reads atomic.Int64
	c.limiter.(*localLimiter).now = func() time.Time {
		n := reads.Add(1)
		if n == 1 {
			return base
		}
		return base.Add(time.Hour - 30*time.Millisecond + time.Duration(n-2)*30*time.Millisecond)
	}
	var got []Notice
	ctx := WithNotices(context.Background(), func(n Notice) { got = append(got, n) })
	require.NoError(t, c.JSON(ctx, Request{Family: Query, Path: "/a"}, nil))
	assert.Empty(t, got)
	require.NoError(t, c.JSON(ctx, Request{Family: Query, Path: "/b"}, nil))
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Message, "the client-side budget of 1 Query API requests per hour is used up; waiting 30ms before sending GET /b")
}
