package main

import (
	"context"
	"errors"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCallCanceller(t *testing.T) {
	c := newCallCanceller()
	started := make(chan struct{})
	blocking := c.middleware(func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		close(started)
		<-ctx.Done()
		return mcp.NewToolResultError("mixpanel: " + ctx.Err().Error()), nil
	})
	quick := c.middleware(func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("fine"), nil
	})
	failing := c.middleware(func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return nil, errors.New("boom")
	})

	res, err := quick(context.Background(), mcp.CallToolRequest{})
	require.NoError(t, err)
	assert.False(t, res.IsError, "calls run normally before the shutdown")
	_, err = failing(context.Background(), mcp.CallToolRequest{})
	assert.EqualError(t, err, "boom", "errors pass through before the shutdown")

	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := blocking(context.Background(), mcp.CallToolRequest{})
		got <- answer{res, err}
	}()
	<-started
	c.cancelAll()
	a := <-got
	require.NoError(t, a.err)
	assert.True(t, a.res.IsError)
	assert.Equal(t, cancelledText, a.res.Content[0].(mcp.TextContent).Text, "an in-flight call answers cancelled")

	res, err = quick(context.Background(), mcp.CallToolRequest{})
	require.NoError(t, err)
	assert.Equal(t, cancelledText, res.Content[0].(mcp.TextContent).Text, "a call arriving during the shutdown is not started")

	// A client that gave up is not told the server shut down.
	c2 := newCallCanceller()
	ctx, cancel := context.WithCancel(context.Background())
	clientGone := c2.middleware(func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		cancel()
		c2.cancelAll()
		return nil, ctx.Err()
	})
	_, err = clientGone(ctx, mcp.CallToolRequest{})
	assert.ErrorIs(t, err, context.Canceled)
}
