// Package redisshare keeps what replicas of a server must share in Redis:
// each Mixpanel project's Query API limits (requests in flight and the
// sliding hourly budget) and the discovery cache. Without it every replica
// behind a load balancer would send Mixpanel its own 5 concurrent / 60 an
// hour, and repeat the others' discovery calls against the budget.
//
// The limiter's steps run server-side in Lua, so replicas never race:
// concurrency is a sorted set of leases scored by their expiry (a replica
// that dies mid-request loses its leases after the lease TTL, so capacity
// is never lost for good), the hourly budget a sorted set of send times.
// When Redis cannot be reached, each call falls back to this process's
// own limits and cache, with a rate-limited warning and a fallback count:
// calls go on, bounded per replica, and Redis is tried again shortly.
package redisshare

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/rs/zerolog"
)

// Defaults of Options.
const (
	DefaultPrefix   = "mixpanel-mcp"
	DefaultLeaseTTL = 30 * time.Second
	// DefaultRetryAfter is how long calls skip Redis after it failed, so
	// an outage costs one failed round trip per interval, not one a call.
	DefaultRetryAfter = 2 * time.Second
	// opTimeout bounds one Redis command: a Redis that hangs must not
	// hold tool calls longer than this before they fall back.
	opTimeout = 500 * time.Millisecond
	// warnEvery rate-limits the "Redis unreachable" warning.
	warnEvery = 30 * time.Second
)

// Options configure a Store.
type Options struct {
	// URL is redis://[user:password@]host:port[/db] or rediss:// for TLS.
	URL string
	// Prefix starts every key (default DefaultPrefix); deployments that
	// share one Redis need different prefixes.
	Prefix string
	// LeaseTTL is how long a concurrency lease outlives a replica that
	// died holding it; live holders renew theirs every third of it.
	LeaseTTL time.Duration
	// RetryAfter is how long calls skip Redis after a failure.
	RetryAfter time.Duration
	Logger     zerolog.Logger
	// OnFallback is told of each operation that used this process's own
	// limits or cache because Redis failed ("limiter" or "cache").
	OnFallback func(part string)
}

// Store is a connection to Redis shared by every project's limiter and by
// the cache. It is safe for concurrent use.
type Store struct {
	rdb    *redis.Client
	opts   Options
	secret string // the URL's password, kept out of logged errors

	mu        sync.Mutex
	downUntil time.Time
	down      bool
	lastWarn  time.Time
}

// Open parses the URL and connects lazily: an unreachable Redis at start
// is logged and the calls fall back until it answers.
func Open(opts Options) (*Store, error) {
	ro, err := redis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", redactURL(err, opts.URL))
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.LeaseTTL <= 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = DefaultRetryAfter
	}
	if opts.OnFallback == nil {
		opts.OnFallback = func(string) {}
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = opTimeout, opTimeout, opTimeout
	ro.PoolTimeout = 2 * opTimeout
	ro.MaxRetries = -1 // a failed command falls back at once; no hidden retries
	ro.ContextTimeoutEnabled = true
	ro.DisableIdentity = true
	ro.Protocol = 2
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	// go-redis prints pool errors to stderr on its own; the Store logs
	// them once per warnEvery through opts.Logger instead. The setting is
	// go-redis's only (process-wide) way to say so.
	quietOnce.Do(func() { redis.SetLogger(quiet{}) })
	return &Store{rdb: redis.NewClient(ro), opts: opts, secret: ro.Password}, nil
}

var quietOnce sync.Once

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// Ping checks that Redis answers, for the start-up log.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*opTimeout)
	defer cancel()
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return errors.New(s.redact(err))
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error { return s.rdb.Close() }

// Up reports whether the last Redis operation succeeded (or none failed
// within the retry interval).
func (s *Store) Up() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down
}

// usable reports whether to try Redis now: not within RetryAfter of a failure.
func (s *Store) usable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down || !time.Now().Before(s.downUntil)
}

// failed records a failed Redis operation: calls skip Redis for
// RetryAfter, and a warning is logged at most every warnEvery.
func (s *Store) failed(part string, err error) {
	s.mu.Lock()
	now := time.Now()
	s.down, s.downUntil = true, now.Add(s.opts.RetryAfter)
	warn := now.Sub(s.lastWarn) >= warnEvery
	if warn {
		s.lastWarn = now
	}
	s.mu.Unlock()
	s.opts.OnFallback(part)
	if warn {
		s.opts.Logger.Warn().Str("part", part).Str("error", s.redact(err)).Msg("redis unreachable: falling back to this replica's own Query API limits and cache (replicas no longer share them; each stays within the configured limits) until it answers again")
	}
}

// skipped records an operation that fell back without trying Redis.
func (s *Store) skipped(part string) { s.opts.OnFallback(part) }

// ok records a successful Redis operation.
func (s *Store) ok() {
	s.mu.Lock()
	was := s.down
	s.down = false
	s.mu.Unlock()
	if was {
		s.opts.Logger.Info().Msg("redis reachable again: Query API limits and cache are shared by the replicas again")
	}
}

// redact removes the URL's password from an error text.
func (s *Store) redact(err error) string {
	msg := err.Error()
	if s.secret != "" {
		msg = strings.ReplaceAll(msg, s.secret, "[redacted]")
	}
	return msg
}

func redactURL(err error, raw string) error {
	msg := err.Error()
	if at := strings.LastIndex(raw, "@"); at > 0 {
		if scheme := strings.Index(raw, "://"); scheme >= 0 && scheme+3 < at {
			msg = strings.ReplaceAll(msg, raw[scheme+3:at], "[redacted]")
		}
	}
	return errors.New(msg)
}

// key is a key of project's: the braces are a Redis Cluster hash tag, so
// a project's keys live in one slot and its scripts may touch them all.
func (s *Store) key(project, what string) string {
	return "{" + s.opts.Prefix + ":" + project + "}:" + what
}
