package main

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// BenchmarkStartAndList is the in-process part of a cold start: build the
// server for a selection and answer initialize and the first tools/list,
// as the stdio and HTTP layers answer it (listResult).
func BenchmarkStartAndList(b *testing.B) {
	for _, c := range []struct {
		name     string
		toolsets string
	}{{"default", ""}, {"all", "all"}} {
		b.Run(c.name, func(b *testing.B) {
			opts, err := parseOptions([]string{"--toolsets", c.toolsets}, func(string) string { return "" }, io.Discard)
			if c.toolsets == "" {
				opts, err = parseOptions(nil, func(string) string { return "" }, io.Discard)
			}
			if err != nil {
				b.Fatal(err)
			}
			toolsets, err := tools.ParseToolsets(opts.Toolsets)
			if err != nil {
				b.Fatal(err)
			}
			sel := tools.Selection{Toolsets: toolsets}
			init := json.RawMessage(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}`)
			list := json.RawMessage(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
			b.ReportAllocs()
			for b.Loop() {
				s, err := newServer(opts, sel, zerolog.Nop())
				if err != nil {
					b.Fatal(err)
				}
				s.HandleMessage(context.Background(), init)
				_, id, method := inspectID(list)
				if listResult(s, list, id, method) == nil {
					b.Fatal("tools/list not answered from the encoded result")
				}
			}
		})
	}
}
