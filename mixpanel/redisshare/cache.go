package redisshare

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// maxCachedBytes is the largest answer cached: discovery answers are far
// smaller, and one huge value would slow every replica that reads it.
const maxCachedBytes = 4 << 20

// Cache returns a mixpanel.Cache keeping answers in Redis for ttl, shared
// by every replica; while Redis fails it uses an in-process cache with the
// same TTL. A ttl <= 0 takes mixpanel.DefaultCacheTTL.
func (s *Store) Cache(ttl time.Duration) mixpanel.Cache {
	if ttl <= 0 {
		ttl = mixpanel.DefaultCacheTTL
	}
	return &cache{s: s, ttl: ttl, local: mixpanel.NewLocalCache(ttl)}
}

// cache stores each answer under the hash of its request key (URLs can be
// long) and lists the answer's key in its project's index, which Clear
// walks: Get is given no project, so the project cannot be in the key.
type cache struct {
	s     *Store
	ttl   time.Duration
	local mixpanel.Cache
}

func (c *cache) valueKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return c.s.opts.Prefix + ":cache:" + hex.EncodeToString(sum[:16])
}

func (c *cache) indexKey(project string) string { return c.s.key(project, "cached") }

func (c *cache) Get(ctx context.Context, key string) ([]byte, bool) {
	if !c.s.usable() {
		c.s.skipped("cache")
		return c.local.Get(ctx, key)
	}
	raw, err := c.s.rdb.Get(ctx, c.valueKey(key)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		c.s.ok()
		return nil, false
	case err != nil:
		if ctx.Err() == nil {
			c.s.failed("cache", err)
		}
		return c.local.Get(ctx, key)
	}
	c.s.ok()
	return raw, true
}

func (c *cache) Put(ctx context.Context, key, project string, body []byte) {
	if len(body) > maxCachedBytes {
		return
	}
	if !c.s.usable() {
		c.s.skipped("cache")
		c.local.Put(ctx, key, project, body)
		return
	}
	vk, ik := c.valueKey(key), c.indexKey(project)
	_, err := c.s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, vk, body, c.ttl)
		p.SAdd(ctx, ik, vk)
		p.PExpire(ctx, ik, c.ttl)
		return nil
	})
	if err != nil {
		if ctx.Err() == nil {
			c.s.failed("cache", err)
		}
		c.local.Put(ctx, key, project, body)
		return
	}
	c.s.ok()
}

// Clear drops project's answers in Redis and in the fallback cache, and
// reports how many it dropped.
func (c *cache) Clear(ctx context.Context, project string) int {
	n := c.local.Clear(ctx, project)
	ik := c.indexKey(project)
	keys, err := c.s.rdb.SMembers(ctx, ik).Result()
	if err != nil {
		c.s.failed("cache", err)
		return n
	}
	if len(keys) == 0 {
		return n
	}
	dropped, err := c.s.rdb.Del(ctx, keys...).Result()
	if err != nil {
		c.s.failed("cache", err)
		return n
	}
	c.s.rdb.Del(ctx, ik)
	c.s.ok()
	return n + int(dropped)
}
