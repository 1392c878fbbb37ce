package tools

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
)

// BenchmarkToolCall is one tools/call in-process, from raw arguments to
// the encoded result as mcp-go sends it: the argument pipeline, the
// handler, the text rendering and the encoding of structuredContent. No
// Mixpanel request is made (a dry run, a local builder).
func BenchmarkToolCall(b *testing.B) {
	env := benchEnv(b)
	for _, bc := range []struct{ name, tool, args string }{
		{"query_insights-dry_run", "query_insights", `{"events":["Sign Up"],"last":30,"dry_run":true}`},
		{"build_cohort_definition", "build_cohort_definition", `{"all_of":[{"criterion":"did_event","event":"Purchase","at_least":3,"within_days":30}]}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tool := Lookup(bc.tool)
			if tool == nil {
				b.Fatalf("no tool %q", bc.tool)
			}
			b.ReportAllocs()
			for b.Loop() {
				res := tool.Call(context.Background(), env, json.RawMessage(bc.args))
				if res.IsError {
					b.Fatalf("%s: %v", bc.tool, res.Content)
				}
				if _, err := json.Marshal(res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHandlerCall is BenchmarkToolCall as mcp-go runs a tools/call:
// the handler gets the request's params as mcp-go decodes them (the
// arguments as received and decoded into a map).
func BenchmarkHandlerCall(b *testing.B) {
	env := benchEnv(b)
	for _, bc := range []struct{ name, params string }{
		{"query_insights-dry_run", `{"name":"query_insights","arguments":{"events":["Sign Up"],"last":30,"dry_run":true}}`},
		{"build_cohort_definition", `{"name":"build_cohort_definition","arguments":{"all_of":[{"criterion":"did_event","event":"Purchase","at_least":3,"within_days":30}]}}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var req mcp.CallToolRequest
			if err := json.Unmarshal([]byte(bc.params), &req.Params); err != nil {
				b.Fatal(err)
			}
			tool := Lookup(req.Params.Name)
			if tool == nil {
				b.Fatalf("no tool %q", req.Params.Name)
			}
			handler := handlerFor(tool, env)
			b.ReportAllocs()
			for b.Loop() {
				var req mcp.CallToolRequest
				if err := json.Unmarshal([]byte(bc.params), &req.Params); err != nil {
					b.Fatal(err)
				}
				res, err := handler(context.Background(), req)
				if err != nil || res.IsError {
					b.Fatalf("%s: %v %v", req.Params.Name, err, res.Content)
				}
				if _, err := json.Marshal(res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchEnv is the environment of the call benchmarks: no Mixpanel client
// (no call makes a request), a fixed clock, the default selection served.
func benchEnv(b *testing.B) *Env {
	env := NewEnv(nil, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	toolsets, err := ParseToolsets("default")
	if err != nil {
		b.Fatal(err)
	}
	env.Serve(Selection{Toolsets: toolsets})
	return env
}
