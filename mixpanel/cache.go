package mixpanel

import (
	"sync"
	"time"
)

// Bounds of the discovery cache: enough for a session's schema lookups,
// small enough to never matter for memory.
const (
	maxCacheEntries = 512
	maxCacheBytes   = 16 << 20
)

// responseCache keeps answers of Cacheable requests for a short time.
// Keys hold the full URL (so project, workspace and parameters are part of
// them) but never credentials. Each entry also records the project of the
// client that fetched it, so one project's answers can be dropped alone.
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

func (c *responseCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.expires) {
		c.drop(key, e)
		return nil, false
	}
	return e.body, true
}

func (c *responseCache) put(key, project string, body []byte) {
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

// clear drops the entries fetched for project and reports how many.
func (c *responseCache) clear(project string) int {
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
	return c.cache.clear(c.cfg.ProjectID), true
}
