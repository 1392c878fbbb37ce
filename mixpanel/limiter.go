package mixpanel

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Limiter keeps one project's Query-family traffic under Mixpanel's
// published limits: a bound on requests in flight and a sliding one-hour
// budget. The client calls Acquire once per attempt (Mixpanel counts a
// retried request every time it is sent) and calls release when the
// attempt's answer has been read.
//
// NewLocalLimiter keeps the limits in this process; a Limiter shared by
// several processes (package redisshare) keeps them where every replica
// of a server sees them.
type Limiter interface {
	Acquire(ctx context.Context, req Request) (release func(), err error)
}

// localLimiter is the in-process Limiter.
type localLimiter struct {
	sem     chan struct{} // nil: no concurrency bound
	perHour int           // <= 0: no hourly bound
	maxWait time.Duration
	now     func() time.Time

	mu   sync.Mutex
	sent []time.Time // start times within the last hour, oldest first
}

// Limits are the Query API limits of cfg with its defaults applied: a
// value <= 0 means that bound is off.
func (cfg Config) Limits() (concurrency, perHour int, maxWait time.Duration) {
	concurrency, perHour, maxWait = cfg.QueryConcurrency, cfg.QueryPerHour, cfg.MaxLimiterWait
	if concurrency == 0 {
		concurrency = DefaultQueryConcurrency
	}
	if perHour == 0 {
		perHour = DefaultQueryPerHour
	}
	if maxWait == 0 {
		maxWait = DefaultMaxLimiterWait
	}
	return concurrency, perHour, maxWait
}

// NewLocalLimiter returns an in-process Limiter with cfg's limits.
func NewLocalLimiter(cfg Config) Limiter { return newLimiter(cfg) }

func newLimiter(cfg Config) *localLimiter {
	conc, perHour, maxWait := cfg.Limits()
	l := &localLimiter{perHour: perHour, maxWait: maxWait, now: time.Now}
	if conc > 0 {
		l.sem = make(chan struct{}, conc)
	}
	return l
}

// Acquire waits for a concurrency slot and an hourly budget slot. When the
// hourly budget frees up later than maxWait, or after ctx's deadline, it
// fails at once with a rate-limited error saying when to try again, instead
// of blocking a tool call for minutes.
func (l *localLimiter) Acquire(ctx context.Context, req Request) (func(), error) {
	if err := l.reserve(ctx, req); err != nil {
		return nil, err
	}
	if l.sem == nil {
		return func() {}, nil
	}
	select {
	case l.sem <- struct{}{}:
		return func() { <-l.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (l *localLimiter) reserve(ctx context.Context, req Request) error {
	if l.perHour <= 0 {
		return nil
	}
	for {
		l.mu.Lock()
		now := l.now()
		cut := 0
		for cut < len(l.sent) && now.Sub(l.sent[cut]) >= time.Hour {
			cut++
		}
		l.sent = l.sent[cut:]
		if len(l.sent) < l.perHour {
			l.sent = append(l.sent, now)
			l.mu.Unlock()
			return nil
		}
		wait := time.Hour - now.Sub(l.sent[0])
		l.mu.Unlock()
		if err := BudgetWait(ctx, req, l.perHour, wait, l.maxWait); err != nil {
			return err
		}
	}
}

// BudgetWait is what a Limiter does when the hourly budget of perHour
// requests frees up in wait: it sleeps that long (telling the call's
// NoticeFunc first), or, when the wait is longer than maxWait or outlasts
// ctx's deadline, fails at once with a rate-limited error saying when to
// try again.
func BudgetWait(ctx context.Context, req Request, perHour int, wait, maxWait time.Duration) error {
	if wait > maxWait || deadlineWithin(ctx, wait) {
		return &APIError{Kind: KindRateLimited, Method: req.method(), Path: req.Path, RetryAfter: wait,
			Message: fmt.Sprintf("client-side limit of %d Query API requests per hour reached (raise it with --query-hourly-limit if your plan allows more)", perHour)}
	}
	plainNotice(ctx, NoticeWarning, "the client-side budget of %d Query API requests per hour is used up; waiting %s before sending %s %s", perHour, roundWait(wait), req.method(), req.Path)
	return sleepCtx(ctx, wait)
}
