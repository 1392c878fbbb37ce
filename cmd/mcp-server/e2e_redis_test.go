package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// redisServer is a redis-server process of the test's own, on loopback.
type redisServer struct {
	port int
	cmd  *exec.Cmd
}

func startRedis(t *testing.T, port int) *redisServer {
	t.Helper()
	cmd := exec.Command("redis-server", "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	require.NoError(t, cmd.Start())
	r := &redisServer{port: port, cmd: cmd}
	t.Cleanup(r.stop)
	rdb := redis.NewClient(&redis.Options{Addr: r.addr()})
	defer rdb.Close()
	require.Eventually(t, func() bool { return rdb.Ping(context.Background()).Err() == nil }, 10*time.Second, 20*time.Millisecond, "redis-server answers")
	return r
}

func (r *redisServer) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

func (r *redisServer) stop() {
	if r.cmd.ProcessState == nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
	}
}

// fakeLoad is a fake Mixpanel for many replicas: every Query API request
// is held for delay while counted in flight, per replica (each replica's
// base URLs start with /rN), then answered by mixpaneltest's handler.
type fakeLoad struct {
	handler *mixpaneltest.Server
	delay   time.Duration
	// ignore is a replica left out of peak (a killed one, whose requests
	// end when the fake notices the closed connection).
	ignore string

	mu       sync.Mutex
	inFlight map[string]int
	peak     int // of the sum over replicas, since the last reset
	sent     int // Query API requests received
}

func newFakeLoad(delay time.Duration) *fakeLoad {
	return &fakeLoad{handler: mixpaneltest.NewHandler(mixpaneltest.DefaultData()), delay: delay, inFlight: map[string]int{}}
}

func (f *fakeLoad) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	replica, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	r.URL.Path = "/" + rest
	query := strings.HasPrefix(r.URL.Path, mixpaneltest.QueryPrefix+"/") && !strings.HasPrefix(r.URL.Path, mixpaneltest.EngagePrefix)
	if query {
		f.mu.Lock()
		f.sent++
		f.inFlight[replica]++
		total := 0
		for name, n := range f.inFlight {
			if name != f.ignore {
				total += n
			}
		}
		f.peak = max(f.peak, total)
		f.mu.Unlock()
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
		}
		// Out of flight before the answer is written: the client releases
		// its lease only after reading it.
		f.mu.Lock()
		f.inFlight[replica]--
		f.mu.Unlock()
	}
	f.handler.ServeHTTP(w, r)
}

// reset starts a new peak; it returns the previous peak and requests sent.
func (f *fakeLoad) reset() (peak, sent int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	peak, sent = f.peak, f.sent
	f.peak, f.sent = 0, 0
	return peak, sent
}

func (f *fakeLoad) flying(replica string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight[replica]
}

func (f *fakeLoad) setIgnore(replica string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ignore = replica
}

// httptestServer serves h on loopback until the test ends.
func httptestServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

// replicaEnv points a replica at the fake under its own /rN prefix.
func replicaEnv(t *testing.T, base, name string) []string {
	u := base + "/" + name
	return append(cleanEnv(t),
		"MP_USERNAME="+mixpaneltest.Username, "MP_SECRET="+mixpaneltest.Secret, "MP_PROJECT_ID="+mixpaneltest.ProjectID,
		"MP_QUERY_URL="+u+mixpaneltest.QueryPrefix, "MP_EXPORT_URL="+u+mixpaneltest.ExportPrefix,
		"MP_ENGAGE_URL="+u+mixpaneltest.EngagePrefix, "MP_APP_URL="+u+mixpaneltest.AppPrefix,
		"MCP_LOG_LEVEL=warn")
}

// outcome of one tools/call over raw HTTP: ok, a rate-limited result, or
// anything else (a dropped connection, another error).
type outcome int

const (
	callOK outcome = iota
	callRateLimited
	callFailed
)

var insightsCall = []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"query_insights","arguments":{"events":["Signup"],"last":7}}}`)

func callReplica(url string) (outcome, string) {
	req, _ := http.NewRequest(http.MethodPost, url+"/mcp", bytes.NewReader(insightsCall))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return callFailed, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch {
	case resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"result"`)):
		return callFailed, fmt.Sprintf("%d %s", resp.StatusCode, body)
	case bytes.Contains(body, []byte("rate_limited")):
		return callRateLimited, string(body)
	case bytes.Contains(body, []byte(`"isError":true`)):
		return callFailed, string(body)
	}
	return callOK, ""
}

// load runs workers calling urls[i%len(urls)] until stop is closed and
// counts outcomes per URL.
type load struct {
	wg       sync.WaitGroup
	stop     chan struct{}
	mu       sync.Mutex
	outcomes map[string][3]int
	failures []string
}

func startLoad(workers int, urls ...string) *load {
	l := &load{stop: make(chan struct{}), outcomes: map[string][3]int{}}
	for i := range workers {
		url := urls[i%len(urls)]
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				o, msg := callReplica(url)
				l.mu.Lock()
				c := l.outcomes[url]
				c[o]++
				l.outcomes[url] = c
				if o == callFailed && len(l.failures) < 5 {
					l.failures = append(l.failures, url+": "+msg)
				}
				l.mu.Unlock()
				if o == callFailed {
					time.Sleep(10 * time.Millisecond) // a dead replica refuses at once
				}
			}
		})
	}
	return l
}

func (l *load) end() map[string][3]int {
	close(l.stop)
	l.wg.Wait()
	return l.outcomes
}

func metricOf(url, name string) string {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, name+" ") {
			return strings.TrimPrefix(line, name+" ")
		}
	}
	return ""
}

// TestE2ERedisReplicas runs three replicas of the binary in stateless HTTP
// mode against one real redis-server and one fake Mixpanel, and shows that
// the hourly budget is spent exactly once across them, that concurrent
// Query API requests never exceed the shared limit, that a replica killed
// mid-load loses only its own in-flight calls and its leases come back
// after the lease TTL, and that a Redis restart mid-load is survived
// (bounded fallback, then shared limits again).
func TestE2ERedisReplicas(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed (apt-get install redis-server; .ci/setup/40-redis.sh installs it in CI)")
	}
	binary(t)
	rs := startRedis(t, freePort(t))
	redisURL := "redis://" + rs.addr() + "/0"

	t.Run("the hourly budget is spent once across replicas", func(t *testing.T) {
		fake := newFakeLoad(0)
		ts := httptestServer(t, fake)
		var urls []string
		for i := range 3 {
			hs := startHTTP(t, replicaEnv(t, ts, fmt.Sprint("b", i)), "--stateless", "--redis-url", redisURL, "--redis-prefix", "budget",
				"--query-hourly-limit", "25", "--cache-ttl", "0")
			urls = append(urls, hs.URL)
		}
		var counts [3]atomic.Int32
		var wg sync.WaitGroup
		for i := range 60 {
			wg.Go(func() {
				o, msg := callReplica(urls[i%3])
				counts[o].Add(1)
				if o == callFailed {
					t.Errorf("call failed: %s", msg)
				}
			})
		}
		wg.Wait()
		_, sent := fake.reset()
		assert.Equal(t, 25, sent, "Mixpanel received exactly the hourly budget, not 3 x 25")
		assert.EqualValues(t, 25, counts[callOK].Load())
		assert.EqualValues(t, 35, counts[callRateLimited].Load(), "the rest were refused by the shared budget")
	})

	const conc, ttl = 3, 3 * time.Second
	fake := newFakeLoad(150 * time.Millisecond)
	ts := httptestServer(t, fake)
	var replicas []*httpServer
	for i := range 3 {
		replicas = append(replicas, startHTTP(t, replicaEnv(t, ts, fmt.Sprint("r", i)), "--stateless", "--redis-url", redisURL,
			"--query-concurrency", fmt.Sprint(conc), "--query-hourly-limit", "-1", "--redis-lease-ttl", ttl.String()))
	}
	urls := []string{replicas[0].URL, replicas[1].URL, replicas[2].URL}

	t.Run("concurrency is shared by the replicas", func(t *testing.T) {
		fake.reset()
		l := startLoad(24, urls...)
		time.Sleep(2 * time.Second)
		out := l.end()
		peak, sent := fake.reset()
		assert.Equal(t, conc, peak, "at most %d Query API requests at once across 3 replicas (%d sent)", conc, sent)
		for url, c := range out {
			assert.Zero(t, c[callFailed], "%s: %v", url, l.failures)
			assert.Positive(t, c[callOK], url)
		}
	})

	t.Run("a killed replica loses only its in-flight calls; its leases come back", func(t *testing.T) {
		l := startLoad(24, urls...)
		require.Eventually(t, func() bool { return fake.flying("r2") > 0 }, 5*time.Second, time.Millisecond, "replica r2 has requests in flight")
		require.NoError(t, replicas[2].cmd.Process.Kill())
		killed := time.Now()
		// Requests of r2 still at the fake were sent under leases that
		// the dead process can neither release nor renew.
		held := fake.flying("r2")
		fake.setIgnore("r2")
		_ = replicas[2].cmd.Wait()
		fake.reset()
		time.Sleep(ttl/2 - time.Since(killed))
		before, _ := fake.reset()
		t.Logf("r2 held at least %d leases when killed; the live replicas then had at most %d requests in flight at once", held, before)
		assert.LessOrEqual(t, before, conc-held, "the dead replica's leases still count until their TTL")
		time.Sleep(time.Until(killed.Add(ttl + 500*time.Millisecond)))
		fake.reset()
		time.Sleep(time.Second)
		after, _ := fake.reset()
		out := l.end()
		assert.Equal(t, conc, after, "after the lease TTL the whole limit is usable again")
		for _, url := range urls[:2] {
			assert.Zero(t, out[url][callFailed], "the live replicas lose nothing: %v", l.failures)
		}
		assert.Positive(t, out[urls[2]][callFailed], "the killed replica's calls failed")
	})

	t.Run("a Redis restart mid-load is survived", func(t *testing.T) {
		live := urls[:2]
		l := startLoad(16, live...)
		time.Sleep(300 * time.Millisecond)
		rs.stop()
		time.Sleep(300 * time.Millisecond) // requests sent under Redis leases end
		fake.reset()
		time.Sleep(1500 * time.Millisecond)
		during, _ := fake.reset()
		startRedis(t, rs.port)
		require.Eventually(t, func() bool {
			return metricOf(live[0], "mcp_redis_up") == "1" && metricOf(live[1], "mcp_redis_up") == "1"
		}, 10*time.Second, 50*time.Millisecond, "both replicas use Redis again")
		// Requests let through by the local limits end (on a loaded
		// machine that takes longer than a fixed pause): wait for a quiet
		// window, then measure.
		require.Eventually(t, func() bool {
			fake.reset()
			time.Sleep(200 * time.Millisecond)
			m, _ := fake.reset()
			return m <= conc
		}, 10*time.Second, 10*time.Millisecond, "the requests admitted without Redis end")
		time.Sleep(time.Second)
		after, _ := fake.reset()
		out := l.end()
		assert.LessOrEqual(t, during, 2*conc, "without Redis each replica keeps its own limit: bounded, no burst")
		assert.LessOrEqual(t, after, conc, "shared again after the restart")
		for _, url := range live {
			assert.Zero(t, out[url][callFailed], "no call failed: %v", l.failures)
			assert.NotEmpty(t, metricOf(url, `mcp_redis_fallbacks_total{part="limiter"}`), "the fallback is counted")
		}
	})
}
