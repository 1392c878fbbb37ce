package tools

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// BenchmarkToolCall is one tools/call in-process, from raw arguments to
// the encoded result as mcp-go sends it: the argument pipeline, the
// handler, the text rendering and the encoding of structuredContent. No
// Mixpanel request is made (a dry run, a local builder).
func BenchmarkToolCall(b *testing.B) {
	env := NewEnv(nil, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	toolsets, err := ParseToolsets("default")
	if err != nil {
		b.Fatal(err)
	}
	env.Serve(Selection{Toolsets: toolsets})
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
