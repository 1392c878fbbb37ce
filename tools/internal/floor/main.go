// Command floor is the baseline that mcp-server's cold start is measured
// against: a one-tool MCP server on the same mcp-go version, over stdio,
// doing nothing else. It is a benchmark fixture, never shipped:
//
//	go build -o /tmp/floor ./tools/internal/floor
//	mcpbench --spec spec.json   # with /tmp/floor and mcp-server side by side
package main

import (
	"context"
	"log"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	s := server.NewMCPServer("floor", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("echo",
		mcp.WithDescription("Echo the text back."),
		mcp.WithString("text", mcp.Required(), mcp.Description("Text to echo")),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithIdempotentHintAnnotation(true),
		mcp.WithOpenWorldHintAnnotation(false),
	), func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText(req.GetString("text", "")), nil
	})
	if err := server.ServeStdio(s); err != nil {
		log.Fatal(err)
	}
}
