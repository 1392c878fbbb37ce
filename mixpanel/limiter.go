package mixpanel

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// limiter keeps Query-family traffic under Mixpanel's published limits:
// a bound on requests in flight and a sliding one-hour budget.
type limiter struct {
	sem     chan struct{} // nil: no concurrency bound
	perHour int           // <= 0: no hourly bound
	maxWait time.Duration
	now     func() time.Time

	mu   sync.Mutex
	sent []time.Time // start times within the last hour, oldest first
}

func newLimiter(cfg Config) *limiter {
	l := &limiter{perHour: cfg.QueryPerHour, maxWait: cfg.MaxLimiterWait, now: time.Now}
	if l.perHour == 0 {
		l.perHour = DefaultQueryPerHour
	}
	if l.maxWait == 0 {
		l.maxWait = DefaultMaxLimiterWait
	}
	conc := cfg.QueryConcurrency
	if conc == 0 {
		conc = DefaultQueryConcurrency
	}
	if conc > 0 {
		l.sem = make(chan struct{}, conc)
	}
	return l
}

// acquire waits for a concurrency slot and an hourly budget slot. When the
// hourly budget frees up later than maxWait, or after ctx's deadline, it
// fails at once with a rate-limited error saying when to try again, instead
// of blocking a tool call for minutes. The client calls it once per attempt:
// Mixpanel counts a retried request every time it is sent.
func (l *limiter) acquire(ctx context.Context, req Request) (func(), error) {
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

func (l *limiter) reserve(ctx context.Context, req Request) error {
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
		if wait > l.maxWait || deadlineWithin(ctx, wait) {
			return &APIError{Kind: KindRateLimited, Method: req.method(), Path: req.Path, RetryAfter: wait,
				Message: fmt.Sprintf("client-side limit of %d Query API requests per hour reached (raise it with --query-hourly-limit if your plan allows more)", l.perHour)}
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
}
