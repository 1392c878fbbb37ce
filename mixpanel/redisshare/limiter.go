package redisshare

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// window is the span of Mixpanel's hourly budget.
const window = time.Hour

// acquireScript takes one lease and one budget slot, or neither.
// KEYS: leases, sent. ARGV: concurrency, per hour, lease TTL ms, id, window ms.
// It answers {0, 0} when both were taken, {1, ms} when the budget frees up
// in ms, {2, ms} when all leases are taken (the first expires in ms). The
// clock is Redis's, so replicas' clocks need not agree.
var acquireScript = sync.OnceValue(func() *redis.Script {
	return redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local conc, per, ttl, id, win = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
if per > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - win)
  if redis.call('ZCARD', KEYS[2]) >= per then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {1, tonumber(oldest[2]) + win - now}
  end
end
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  if redis.call('ZCARD', KEYS[1]) >= conc then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    return {2, tonumber(first[2]) - now}
  end
  redis.call('ZADD', KEYS[1], now + ttl, id)
  redis.call('PEXPIRE', KEYS[1], ttl)
end
if per > 0 then
  redis.call('ZADD', KEYS[2], now, id)
  redis.call('PEXPIRE', KEYS[2], win)
end
return {0, 0}
`)
})

// renewScript pushes a live lease's expiry out by the TTL; a lease that is
// gone (expired, or lost with a restarted Redis) stays gone.
// KEYS: leases. ARGV: id, lease TTL ms.
var renewScript = sync.OnceValue(func() *redis.Script {
	return redis.NewScript(`
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`)
})

// Limiter returns cfg.NewLimiter for a mixpanel.Config: each project's
// limiter keeps cfg's limits in Redis, and falls back to an in-process
// limiter with the same limits when Redis fails.
func (s *Store) Limiter(cfg mixpanel.Config) func(projectID string) mixpanel.Limiter {
	conc, perHour, maxWait := cfg.Limits()
	return func(projectID string) mixpanel.Limiter {
		return &limiter{
			s:       s,
			keys:    []string{s.key(projectID, "leases"), s.key(projectID, "sent")},
			conc:    conc,
			perHour: perHour,
			maxWait: maxWait,
			local:   mixpanel.NewLocalLimiter(cfg),
		}
	}
}

type limiter struct {
	s       *Store
	keys    []string // leases, sent
	conc    int
	perHour int
	maxWait time.Duration
	local   mixpanel.Limiter
}

// Acquire takes a lease and a budget slot in Redis, waiting for either as
// the in-process limiter does: for a lease until ctx ends, for the budget
// up to maxWait (else a rate-limited error at once).
func (l *limiter) Acquire(ctx context.Context, req mixpanel.Request) (func(), error) {
	if l.conc <= 0 && l.perHour <= 0 {
		return func() {}, nil
	}
	poll := 5 * time.Millisecond
	for {
		if !l.s.usable() {
			l.s.skipped("limiter")
			return l.local.Acquire(ctx, req)
		}
		id := leaseID()
		res, err := acquireScript().Run(ctx, l.s.rdb, l.keys, l.conc, l.perHour, l.s.opts.LeaseTTL.Milliseconds(), id, window.Milliseconds()).Int64Slice()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			l.s.failed("limiter", err)
			return l.local.Acquire(ctx, req)
		}
		l.s.ok()
		switch res[0] {
		case 0:
			return l.lease(id), nil
		case 1:
			if err := mixpanel.BudgetWait(ctx, req, l.perHour, time.Duration(res[1])*time.Millisecond, l.maxWait); err != nil {
				return nil, err
			}
		default:
			// Every lease is taken: poll, a little jittered so waiters
			// on several replicas do not ask in step.
			wait := poll + time.Duration(rand.Int64N(int64(poll)))
			if until := time.Duration(res[1]) * time.Millisecond; until > 0 && until < wait {
				wait = until
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, err
			}
			poll = min(2*poll, 100*time.Millisecond)
		}
	}
}

// lease keeps the lease alive while its request runs, renewing it every
// third of the TTL, and returns the release that drops it. A release that
// cannot reach Redis leaves the lease to expire.
func (l *limiter) lease(id string) func() {
	stop := make(chan struct{})
	ttl := l.s.opts.LeaseTTL
	go func() {
		t := time.NewTicker(max(ttl/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
				_ = renewScript().Run(ctx, l.s.rdb, l.keys[:1], id, ttl.Milliseconds()).Err()
				cancel()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
			defer cancel()
			if err := l.s.rdb.ZRem(ctx, l.keys[0], id).Err(); err != nil {
				l.s.opts.Logger.Debug().Str("error", l.s.redact(err)).Msg("redis: lease not released; it expires after the lease TTL")
			}
		})
	}
}

// leaseID is 96 random bits: unique across replicas without coordination.
func leaseID() string {
	var b [12]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
