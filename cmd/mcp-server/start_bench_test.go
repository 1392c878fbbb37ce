package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// benchSelection is the options and selection a start with --toolsets
// toolsets builds ("" for the default).
func benchSelection(b *testing.B, toolsets string) (*options, tools.Selection) {
	b.Helper()
	opts, err := parseOptions([]string{"--toolsets", toolsets}, func(string) string { return "" }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	names, err := tools.ParseToolsets(opts.Toolsets)
	if err != nil {
		b.Fatal(err)
	}
	return opts, tools.Selection{Toolsets: names}
}

// BenchmarkStartAndList is the in-process part of a cold start: build the
// server for a selection and answer initialize and the first tools/list,
// as the stdio and HTTP layers answer it (listResult).
func BenchmarkStartAndList(b *testing.B) {
	for _, c := range []struct{ name, toolsets string }{{"default", ""}, {"all", "all"}} {
		b.Run(c.name, func(b *testing.B) {
			opts, sel := benchSelection(b, c.toolsets)
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
				if listResult(s, "", list, id, method) == nil {
					b.Fatal("tools/list not answered from the encoded result")
				}
			}
		})
	}
}

// BenchmarkClientDecodesList is the client's part of a cold start's last
// step: a Go client (mcpbench's stdio mode) decoding the tools/list answer
// with encoding/json, as mcpbench does — the envelope, found by id, then
// again for its result, then the result into its tools. Its cost grows
// with the answer's bytes, and it is in the "spawn → tools/list" figure
// of every server compared: the one-tool floor's answer is 322 bytes.
func BenchmarkClientDecodesList(b *testing.B) {
	for _, c := range []struct{ name, toolsets string }{{"default", ""}, {"all", "all"}} {
		b.Run(c.name, func(b *testing.B) {
			opts, sel := benchSelection(b, c.toolsets)
			s, err := newServer(opts, sel, zerolog.Nop())
			if err != nil {
				b.Fatal(err)
			}
			list := []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
			_, id, method := inspectID(list)
			result := listResult(s, "", list, id, method)
			if result == nil {
				b.Fatal("tools/list not answered from the encoded result")
			}
			var answer bytes.Buffer
			if err := writeAnswer(&answer, id, result, "\n"); err != nil {
				b.Fatal(err)
			}
			raw := bytes.TrimSpace(answer.Bytes())
			type envelope struct {
				ID     json.RawMessage `json:"id"`
				Method string          `json:"method"`
				Result json.RawMessage `json:"result"`
			}
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				var found, again envelope
				var page struct {
					Tools []json.RawMessage `json:"tools"`
				}
				if json.Unmarshal(raw, &found) != nil || json.Unmarshal(raw, &again) != nil || json.Unmarshal(again.Result, &page) != nil || len(page.Tools) == 0 {
					b.Fatal("the answer does not decode as a tools/list result")
				}
			}
		})
	}
}
