package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// NoticeLogger is the logger name of the MCP log messages the Mixpanel
// client's notices become.
const NoticeLogger = "mixpanel"

// WithClientLog returns ctx with the Mixpanel client's notices (retries,
// rate-limit waits, cut-short answers, cache refreshes) sent to the
// request's MCP session as notifications/message, at or above the level
// the session set with logging/setLevel. Without an MCP server in ctx it
// returns ctx: the notices then only reach the stderr log.
func WithClientLog(ctx context.Context) context.Context {
	srv := server.ServerFromContext(ctx)
	if srv == nil {
		return ctx
	}
	return mixpanel.WithNotices(ctx, func(n mixpanel.Notice) {
		level := mcp.LoggingLevelInfo
		if n.Level == mixpanel.NoticeWarning {
			level = mcp.LoggingLevelWarning
		}
		// A session that cannot take log messages (or a closed one) just
		// misses them; the call goes on.
		_ = srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(level, NoticeLogger, n.Message))
	})
}

// ClientLogResources is a resource handler middleware (for
// server.WithResourceHandlerMiddleware) that gives resource reads the
// notices of WithClientLog.
func ClientLogResources(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		return next(WithClientLog(ctx), req)
	}
}
