package mixpanel

import (
	"context"
	"sync"
	"time"
)

// Bounds of the discovery cache: enough for a session's schema lookups,
// small enough to never matter for memory.
const (
	maxCacheEntries = 512
	maxCacheBytes   = 16 << 20
)

// Cache keeps the answers of Cacheable requests (schema discovery) for a
// while. Keys hold the full URL (so project, workspace and parameters are
// part of them) but never credentials; project is the project of the
// client that fetched the answer, so Clear can drop one project's answers
// alone. NewLocalCache keeps them in this process; package redisshare
// keeps them where every replica of a server sees them.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool)
	Put(ctx context.Context, key, project string, body []byte)
	// Clear drops project's answers and reports how many it dropped.
	Clear(ctx context.Context, project string) int
}

// NewLocalCache returns an in-process Cache keeping answers for ttl (0:
// DefaultCacheTTL), or nil when ttl is negative (no cache).
func NewLocalCache(ttl time.Duration) Cache {
	if c := newResponseCache(ttl); c != nil {
		return c
	}
	return nil
}

// responseCache is the in-process Cache, bounded in entries and bytes.
type responseCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
	bytes   int
}

type cacheEntry struct {
	body    []byte
	project string
	expires time.Time
}

func newResponseCache(ttl time.Duration) *responseCache {
	if ttl < 0 {
		return nil
	}
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	return &responseCache{ttl: ttl, now: time.Now, entries: map[string]cacheEntry{}}
}

// Get returns a fresh answer for key. An expired one is dropped, and the
// call told that its answer is asked for again.
func (c *responseCache) Get(ctx context.Context, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.expires) {
		c.drop(key, e)
		plainNotice(ctx, NoticeInfo, "a cached schema-discovery answer is older than %s; asking Mixpanel again", c.ttl)
		return nil, false
	}
	return e.body, true
}

func (c *responseCache) Put(_ context.Context, key, project string, body []byte) {
	if len(body) > maxCacheBytes/4 {
		return // one huge answer would evict everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if old, ok := c.entries[key]; ok {
		c.drop(key, old)
	}
	for k, e := range c.entries {
		if len(c.entries) < maxCacheEntries && c.bytes+len(body) <= maxCacheBytes {
			break
		}
		// Expired entries go first; when none is, any entry makes room
		// (map order is as good as any for a five-minute cache).
		if !now.Before(e.expires) || len(c.entries) >= maxCacheEntries || c.bytes+len(body) > maxCacheBytes {
			c.drop(k, e)
		}
	}
	c.entries[key] = cacheEntry{body: body, project: project, expires: now.Add(c.ttl)}
	c.bytes += len(body)
}

func (c *responseCache) drop(key string, e cacheEntry) {
	delete(c.entries, key)
	c.bytes -= len(e.body)
}

func (c *responseCache) Clear(_ context.Context, project string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, e := range c.entries {
		if e.project == project {
			c.drop(k, e)
			n++
		}
	}
	return n
}

// ClearCache drops the cached discovery answers fetched for this client's
// project (events, properties, saved entities, Lexicon, workspaces and the
// /me fetched while working in it), so the next calls ask Mixpanel again.
// Other projects' answers stay: the cache is shared by every client made
// with WithScope. It reports how many answers were dropped, and ok false
// when the cache is disabled.
func (c *Client) ClearCache() (dropped int, ok bool) {
	if c.cache == nil {
		return 0, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.cache.Clear(ctx, c.cfg.ProjectID), true
}
