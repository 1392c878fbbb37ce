package mixpanel

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiscoveryCache(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.URL.Query().Get("fail") != "" {
			w.WriteHeader(500)
			return
		}
		_, _ = w.Write([]byte(`["v` + string(rune('0'+n)) + `"]`))
	}))
	defer srv.Close()
	c, err := New(Config{Username: "u", Secret: "s3cret", ProjectID: "1", QueryURL: srv.URL, CacheTTL: time.Minute, MaxRetries: -1, QueryPerHour: -1})
	require.NoError(t, err)
	now := time.Now()
	c.cache.(*responseCache).now = func() time.Time { return now }
	get := func(req Request) []string {
		var out []string
		require.NoError(t, c.JSON(context.Background(), req, &out))
		return out
	}
	names := Request{Family: Query, Path: "/events/names", Cacheable: true}
	assert.Equal(t, []string{"v1"}, get(names))
	assert.Equal(t, []string{"v1"}, get(names), "a fresh answer is reused")
	assert.EqualValues(t, 1, hits.Load())

	other := names
	other.Query = map[string][]string{"limit": {"5"}}
	assert.Equal(t, []string{"v2"}, get(other), "other parameters are another entry")
	assert.Equal(t, []string{"v3"}, get(Request{Family: Query, Path: "/events/names"}), "requests not marked Cacheable always go out")

	now = now.Add(2 * time.Minute)
	assert.Equal(t, []string{"v4"}, get(names), "an expired answer is fetched again")

	failing := Request{Family: Query, Path: "/x", Query: map[string][]string{"fail": {"1"}}, Cacheable: true}
	for range 2 {
		assert.Error(t, c.JSON(context.Background(), failing, nil))
	}
	assert.EqualValues(t, 6, hits.Load(), "errors are never cached")
}

func TestCacheBounds(t *testing.T) {
	c := newResponseCache(time.Minute)
	for i := range maxCacheEntries + 50 {
		c.Put(context.Background(), string(rune(i+1000)), "1", []byte("x"))
	}
	assert.LessOrEqual(t, len(c.entries), maxCacheEntries)
	c.Put(context.Background(), "huge", "1", make([]byte, maxCacheBytes))
	_, ok := c.Get(context.Background(), "huge")
	assert.False(t, ok, "an answer too large for the cache is not kept")
	assert.Nil(t, newResponseCache(-1), "a negative TTL disables the cache")
	assert.Nil(t, NewLocalCache(-1), "and NewLocalCache is a nil interface then")
}
