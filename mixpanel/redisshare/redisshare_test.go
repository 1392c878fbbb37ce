package redisshare_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/redisshare"
)

var names = mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}

// open connects a Store ("a replica") to m.
func open(t *testing.T, m *miniredis.Miniredis, opts redisshare.Options) *redisshare.Store {
	t.Helper()
	opts.URL = "redis://" + m.Addr()
	s, err := redisshare.Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// replica is a client of the fake whose Query API limits live in s.
func replica(t *testing.T, srv *mixpaneltest.Server, s *redisshare.Store, tune func(*mixpanel.Config)) *mixpanel.Client {
	t.Helper()
	cfg := srv.Config()
	tune(&cfg)
	cfg.NewLimiter = s.Limiter(cfg)
	c, err := mixpanel.New(cfg)
	require.NoError(t, err)
	return c
}

// peakTransport counts requests in flight and remembers the most seen.
type peakTransport struct{ inFlight, peak atomic.Int32 }

func (p *peakTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		old := p.peak.Load()
		if n <= old || p.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestConcurrencyIsSharedByReplicas(t *testing.T) {
	m := miniredis.RunT(t)
	srv := mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/events/names", 200, []string{})
	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.QueryPrefix + "/events/names", Delay: 20 * time.Millisecond})
	peak := &peakTransport{}
	var wg sync.WaitGroup
	for range 3 {
		c := replica(t, srv, open(t, m, redisshare.Options{}), func(cfg *mixpanel.Config) {
			cfg.QueryConcurrency = 2
			cfg.HTTPClient = &http.Client{Transport: peak}
		})
		for range 4 {
			wg.Go(func() { assert.NoError(t, c.JSON(context.Background(), names, nil)) })
		}
	}
	wg.Wait()
	assert.Equal(t, int32(2), peak.peak.Load(), "three replicas of limit 2 send 2 at once, not 6")
	assert.Len(t, srv.Requests(), 12)
	leases, _ := m.ZMembers("{mixpanel-mcp:" + mixpaneltest.ProjectID + "}:leases")
	assert.Empty(t, leases, "every lease was released")
}

// TestHourlyBudgetIsSharedByReplicas: the budget is spent once across
// replicas, every attempt of a retried request counts, and it frees up an
// hour after each request (Redis's clock).
func TestHourlyBudgetIsSharedByReplicas(t *testing.T) {
	m := miniredis.RunT(t)
	start := time.Now()
	m.SetTime(start)
	srv := mixpaneltest.New(t)
	srv.Respond(http.MethodGet, mixpaneltest.QueryPrefix+"/events/names", 200, []string{})
	tune := func(cfg *mixpanel.Config) {
		cfg.QueryPerHour = 4
		cfg.MaxLimiterWait = time.Millisecond
	}
	a := replica(t, srv, open(t, m, redisshare.Options{}), tune)
	b := replica(t, srv, open(t, m, redisshare.Options{}), tune)

	srv.Fail(mixpaneltest.Failure{Path: mixpaneltest.QueryPrefix + "/events/names", Status: 500, Times: 1})
	require.NoError(t, a.JSON(context.Background(), names, nil), "a 500, then an answer: two attempts")
	require.NoError(t, b.JSON(context.Background(), names, nil))
	require.NoError(t, a.JSON(context.Background(), names, nil))
	for _, c := range []*mixpanel.Client{a, b} {
		err := c.JSON(context.Background(), names, nil)
		var apiErr *mixpanel.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, mixpanel.KindRateLimited, apiErr.Kind)
		assert.Zero(t, apiErr.Status, "refused by the limiter, not by Mixpanel")
		assert.InDelta(t, time.Hour.Seconds(), apiErr.RetryAfter.Seconds(), 2)
		assert.Contains(t, err.Error(), "4 Query API requests per hour")
	}
	assert.Len(t, srv.Requests(), 4, "4 attempts in the hour, across both replicas")

	m.SetTime(start.Add(time.Hour + time.Second))
	assert.NoError(t, b.JSON(context.Background(), names, nil), "an hour later the budget is back")
}

// TestLeaseOfADeadReplicaExpires: a replica that took a lease and died
// (never released it) holds the capacity only until the lease TTL.
func TestLeaseOfADeadReplicaExpires(t *testing.T) {
	m := miniredis.RunT(t)
	start := time.Now()
	m.SetTime(start)
	cfg := mixpanel.Config{QueryConcurrency: 1, QueryPerHour: -1}
	dead := open(t, m, redisshare.Options{LeaseTTL: 30 * time.Second}).Limiter(cfg)("1")
	live := open(t, m, redisshare.Options{LeaseTTL: 30 * time.Second}).Limiter(cfg)("1")
	_, err := dead.Acquire(context.Background(), names)
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = live.Acquire(ctx, names)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the lease is held")

	m.SetTime(start.Add(31 * time.Second))
	release, err := live.Acquire(context.Background(), names)
	require.NoError(t, err, "the dead replica's lease expired")
	release()
	release() // releasing twice is harmless
}

// TestLiveLeaseIsRenewed: a request that runs longer than the lease TTL
// keeps its lease (its holder renews it), so nobody else gets in.
func TestLiveLeaseIsRenewed(t *testing.T) {
	m := miniredis.RunT(t)
	cfg := mixpanel.Config{QueryConcurrency: 1, QueryPerHour: -1}
	a := open(t, m, redisshare.Options{LeaseTTL: 150 * time.Millisecond}).Limiter(cfg)("1")
	b := open(t, m, redisshare.Options{LeaseTTL: 150 * time.Millisecond}).Limiter(cfg)("1")
	release, err := a.Acquire(context.Background(), names)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	_, err = b.Acquire(ctx, names)
	require.ErrorIs(t, err, context.DeadlineExceeded, "four TTLs later the lease is still held")
	release()
	release2, err := b.Acquire(context.Background(), names)
	require.NoError(t, err)
	release2()
}

// TestProjectsHaveTheirOwnLimits: Mixpanel counts per project.
func TestProjectsHaveTheirOwnLimits(t *testing.T) {
	m := miniredis.RunT(t)
	limiter := open(t, m, redisshare.Options{}).Limiter(mixpanel.Config{QueryConcurrency: 1, QueryPerHour: 1, MaxLimiterWait: time.Millisecond})
	for _, project := range []string{"1", "2"} {
		release, err := limiter(project).Acquire(context.Background(), names)
		require.NoError(t, err, project)
		release()
	}
	_, err := limiter("1").Acquire(context.Background(), names)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindRateLimited), "%v", err)
}

// TestRedisDownFallsBackAndRecovers: with Redis gone, calls use the
// replica's own limits (still bounded), warn once and count each fallback;
// once Redis is back, the limits are shared again.
func TestRedisDownFallsBackAndRecovers(t *testing.T) {
	m := miniredis.RunT(t)
	var logs syncBuffer
	var fallbacks atomic.Int32
	s := open(t, m, redisshare.Options{
		RetryAfter: 50 * time.Millisecond,
		Logger:     zerolog.New(&logs),
		OnFallback: func(part string) { fallbacks.Add(1) },
	})
	// A budget of 3: the local limiter spends a slot on the call that
	// then waits for concurrency and gives up.
	limiter := s.Limiter(mixpanel.Config{QueryConcurrency: 1, QueryPerHour: 3, MaxLimiterWait: time.Millisecond})("1")
	cache := s.Cache(time.Minute)
	m.Close()

	release, err := limiter.Acquire(context.Background(), names)
	require.NoError(t, err, "Redis down: the local limiter lets the call through")
	assert.False(t, s.Up())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	_, err = limiter.Acquire(ctx, names)
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the local concurrency limit of 1 holds")
	release()
	release, err = limiter.Acquire(context.Background(), names)
	require.NoError(t, err)
	release()
	_, err = limiter.Acquire(context.Background(), names)
	assert.True(t, mixpanel.IsKind(err, mixpanel.KindRateLimited), "the local hourly budget of 3 holds: no unbounded burst: %v", err)

	cache.Put(context.Background(), "GET query /events/names", "1", []byte(`["a"]`))
	got, ok := cache.Get(context.Background(), "GET query /events/names")
	assert.True(t, ok, "the cache falls back to memory")
	assert.Equal(t, `["a"]`, string(got))

	assert.GreaterOrEqual(t, fallbacks.Load(), int32(5))
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte("redis unreachable")), "one warning, not one per call:\n%s", logs.String())

	require.NoError(t, m.Restart())
	// go-redis redials about once a second after failed dials; until then
	// calls still fall back (and the local budget refuses them).
	require.Eventually(t, func() bool {
		release, err := limiter.Acquire(context.Background(), names)
		if err != nil {
			return false
		}
		defer release()
		leases, _ := m.ZMembers("{mixpanel-mcp:1}:leases")
		return s.Up() && len(leases) == 1
	}, 5*time.Second, 20*time.Millisecond, "the lease is taken in Redis again")
	assert.Contains(t, logs.String(), "redis reachable again")
}

func TestCacheIsSharedByReplicas(t *testing.T) {
	m := miniredis.RunT(t)
	a := open(t, m, redisshare.Options{}).Cache(time.Minute)
	b := open(t, m, redisshare.Options{}).Cache(time.Minute)
	ctx := context.Background()
	a.Put(ctx, "GET query https://x/events/names?project_id=1", "1", []byte(`["Signup"]`))
	a.Put(ctx, "GET query https://x/events/names?project_id=2", "2", []byte(`["Other"]`))
	got, ok := b.Get(ctx, "GET query https://x/events/names?project_id=1")
	require.True(t, ok, "another replica's answer is reused")
	assert.Equal(t, `["Signup"]`, string(got))
	_, ok = b.Get(ctx, "GET query https://x/properties?project_id=1")
	assert.False(t, ok)

	assert.Equal(t, 1, b.Clear(ctx, "1"))
	_, ok = a.Get(ctx, "GET query https://x/events/names?project_id=1")
	assert.False(t, ok, "cleared for every replica")
	_, ok = a.Get(ctx, "GET query https://x/events/names?project_id=2")
	assert.True(t, ok, "another project's answers stay")

	m.FastForward(2 * time.Minute)
	_, ok = a.Get(ctx, "GET query https://x/events/names?project_id=2")
	assert.False(t, ok, "answers expire after the TTL")
}

// TestDiscoveryThroughSharedCache: a discovery call made by one replica is
// answered from the cache on the other, without a second request.
func TestDiscoveryThroughSharedCache(t *testing.T) {
	m := miniredis.RunT(t)
	srv := mixpaneltest.New(t)
	var clients []*mixpanel.Client
	for range 2 {
		s := open(t, m, redisshare.Options{})
		cfg := srv.Config()
		cfg.Cache = s.Cache(time.Minute)
		c, err := mixpanel.New(cfg)
		require.NoError(t, err)
		clients = append(clients, c)
	}
	req := names
	req.Query = url.Values{"type": {"general"}}
	req.Cacheable = true
	var first, second []string
	require.NoError(t, clients[0].JSON(context.Background(), req, &first))
	require.NoError(t, clients[1].JSON(context.Background(), req, &second))
	assert.Equal(t, first, second)
	assert.NotEmpty(t, first)
	assert.Len(t, srv.Requests(), 1)
	dropped, ok := clients[1].ClearCache()
	assert.True(t, ok)
	assert.Equal(t, 1, dropped)
}

func TestURLPasswordNeverShown(t *testing.T) {
	_, err := redisshare.Open(redisshare.Options{URL: "redis://user:hunter2secret@127.0.0.1:6379/notadb"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2secret")

	var logs syncBuffer
	s, err := redisshare.Open(redisshare.Options{URL: "redis://user:hunter2secret@127.0.0.1:1", Logger: zerolog.New(&logs)})
	require.NoError(t, err)
	defer s.Close()
	require.Error(t, s.Ping(context.Background()))
	release, err := s.Limiter(mixpanel.Config{})("1").Acquire(context.Background(), names)
	require.NoError(t, err)
	release()
	assert.Contains(t, logs.String(), "redis unreachable")
	assert.NotContains(t, logs.String(), "hunter2secret")
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf.Bytes()...)
}

func (b *syncBuffer) String() string { return string(b.Bytes()) }
