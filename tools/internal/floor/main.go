// Command floor is the baseline that mcp-server's cold start is measured
// against: a one-tool MCP server on the same mcp-go version, over stdio,
// doing nothing else. It is a benchmark fixture, never shipped:
//
//	go build -o /tmp/floor ./tools/internal/floor
//	mcpbench --spec spec.json   # with /tmp/floor and mcp-server side by side
package main

import (
	"log"

	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/internal/echo"
)

func main() {
	if err := server.ServeStdio(echo.Server()); err != nil {
		log.Fatal(err)
	}
}
