// Command floorhttp is the baseline of mcp-server's HTTP calls/s: the
// one-tool floor (tools/internal/floor) served over streamable HTTP by
// mcp-go alone, doing nothing else. A benchmark fixture, never shipped:
//
//	go build -o /tmp/floorhttp ./tools/internal/floorhttp
//	/tmp/floorhttp 127.0.0.1:18081 &
//	mcpbench --url http://127.0.0.1:18081/mcp --call echo --args '{"text":"hi"}' --concurrency 8
//
// (The stdio floor stays a separate program, so that its cold start is
// not moved by this one's flags and listener.)
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/internal/echo"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: floorhttp 127.0.0.1:PORT")
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(echo.Server()))
	log.Fatal(http.ListenAndServe(os.Args[1], mux))
}
