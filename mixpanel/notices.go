package mixpanel

// Notices: what the person behind a call should hear about while it runs
// (a retry, a wait for the rate limit, a cut-short answer, a refreshed
// cache), delivered to whoever the caller's context names. The client knows
// nothing of MCP: the server puts a NoticeFunc into the context and turns
// notices into MCP log messages.

import (
	"context"
	"fmt"
)

// NoticeLevel is how much a notice matters, in the words of the MCP
// logging levels the server maps it to.
type NoticeLevel string

// The notice levels, least severe first.
const (
	NoticeInfo    NoticeLevel = "info"
	NoticeWarning NoticeLevel = "warning"
)

// Notice is one message for a person: plain words, never a secret (the
// client redacts its credentials from every notice).
type Notice struct {
	Level   NoticeLevel
	Message string
}

// NoticeFunc receives the notices of the calls made with a context. It
// must not block for long: the call waits for it.
type NoticeFunc func(Notice)

type noticeKey struct{}

// WithNotices returns a context whose client calls send their notices to f.
func WithNotices(ctx context.Context, f NoticeFunc) context.Context {
	return context.WithValue(ctx, noticeKey{}, f)
}

// notice sends a notice to the context's NoticeFunc, if it has one, with
// the client's secrets redacted.
func (c *Client) notice(ctx context.Context, level NoticeLevel, format string, args ...any) {
	if f, _ := ctx.Value(noticeKey{}).(NoticeFunc); f != nil {
		f(Notice{Level: level, Message: c.redact.Replace(fmt.Sprintf(format, args...))})
	}
}

// plainNotice sends a notice built from numbers, durations and paths only
// (nothing that could hold a secret), where no client is at hand: a
// limiter's or a cache's.
func plainNotice(ctx context.Context, level NoticeLevel, format string, args ...any) {
	if f, _ := ctx.Value(noticeKey{}).(NoticeFunc); f != nil {
		f(Notice{Level: level, Message: fmt.Sprintf(format, args...)})
	}
}
