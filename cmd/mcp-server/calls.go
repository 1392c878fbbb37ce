package main

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// callCanceller ends in-flight tool calls when the server shuts down, so
// that each still answers its client (with a cancelled error result)
// instead of being cut off with its connection.
type callCanceller struct {
	ctx       context.Context
	cancelAll context.CancelFunc
}

func newCallCanceller() *callCanceller {
	ctx, cancel := context.WithCancel(context.Background())
	return &callCanceller{ctx: ctx, cancelAll: cancel}
}

// cancelledText is the answer of a call the shutdown cut short.
const cancelledText = "cancelled: the server is shutting down; call the tool again once it is back"

// middleware runs each tool call under a context that the shutdown also
// cancels; the request's own context stays alive so mcp-go still writes
// the answer.
func (c *callCanceller) middleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if c.ctx.Err() != nil {
			return mcp.NewToolResultError(cancelledText), nil
		}
		callCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := context.AfterFunc(c.ctx, cancel)
		defer stop()
		res, err := next(callCtx, req)
		if c.ctx.Err() != nil && ctx.Err() == nil && (err != nil || res == nil || res.IsError) {
			return mcp.NewToolResultError(cancelledText), nil
		}
		return res, err
	}
}
