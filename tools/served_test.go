package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

// Every result text the package's tests produce through callTool (tables,
// dry runs, the error of every error path they reach) is kept, and after
// the tests TestMain fails the run if any names a tool the inventory lacks.
var (
	seenMu    sync.Mutex
	seenTexts = map[string]string{} // text -> the tool that produced it
)

func recordSeen(tool string, res *mcp.CallToolResult) {
	seenMu.Lock()
	defer seenMu.Unlock()
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			seenTexts[tc.Text] = tool
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if bad := unknownToolsInSeenTexts(); len(bad) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: result texts name tools that are not registered:\n%s\n", strings.Join(bad, "\n"))
			code = 1
		}
	}
	os.Exit(code)
}

func unknownToolsInSeenTexts() []string {
	seenMu.Lock()
	defer seenMu.Unlock()
	var bad []string
	for text, tool := range seenTexts {
		if missing := toolref.Missing(text, func(n string) bool { return Lookup(n) != nil }); len(missing) > 0 {
			bad = append(bad, fmt.Sprintf("- %s names %s in: %s", tool, strings.Join(missing, ", "), clip(text, 200)))
		}
	}
	sort.Strings(bad)
	return bad
}

// modelTexts are the texts of a selection's tools a model reads in
// tools/list: descriptions of the tools and of every schema node.
func modelTexts(t *testing.T, ts []*Tool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tool := range ts {
		out[tool.Name+" description"] = tool.Description
		in, outSchema, err := tool.Schemas()
		if err != nil {
			t.Fatal(err)
		}
		for i, raw := range []json.RawMessage{in, outSchema} {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			var descs []string
			collectDescriptions(v, &descs)
			out[fmt.Sprintf("%s schema %d", tool.Name, i)] = strings.Join(descs, "\n")
		}
	}
	return out
}

func collectDescriptions(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if s, ok := sub.(string); ok && k == "description" {
				*out = append(*out, s)
				continue
			}
			collectDescriptions(sub, out)
		}
	case []any:
		for _, sub := range x {
			collectDescriptions(sub, out)
		}
	}
}

// selections are the ones the server is started with: everything, the
// default, each toolset alone, read-only and dynamic.
func selections(t *testing.T) map[string]Selection {
	all, err := ParseToolsets("all")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Selection{"default": {}, "all": {Toolsets: all}, "all read-only": {Toolsets: all, ReadOnly: true}, "dynamic": {Dynamic: true}}
	for _, ts := range Toolsets {
		out["only "+string(ts.Name)] = Selection{Toolsets: []string{string(ts.Name)}}
		out["dynamic, only "+string(ts.Name)] = Selection{Toolsets: []string{string(ts.Name)}, Dynamic: true}
	}
	return out
}

// TestTextsNameOnlyServedTools walks what a model sees under each
// selection — tool and schema descriptions, the server instructions, the
// dry-run and definition texts, and the errors of arguments that are
// missing or wrong — and fails on any tool name the selection does not
// serve.
func TestTextsNameOnlyServedTools(t *testing.T) {
	srv := mixpaneltest.New(t)
	for name, sel := range selections(t) {
		t.Run(name, func(t *testing.T) {
			env := NewEnv(srv.Client(t), nil, zerolog.Nop())
			env.Serve(sel)
			var served []*Tool
			for _, tool := range All() {
				if env.Has(tool.Name) {
					served = append(served, tool)
				}
			}
			texts := modelTexts(t, served)
			texts["instructions"] = Instructions(env.Has)
			for _, tool := range served {
				for _, args := range []string{`{}`, `{"dry_run":true}`, `{"no_such_argument":1}`, `{"limit":"many","from_date":"yesterday"}`} {
					res := tool.Call(context.Background(), env, json.RawMessage(args))
					texts[tool.Name+" "+args] = resultText(t, res)
				}
			}
			for _, args := range []string{`{"events":"A","dry_run":true}`, `{"steps":["A","B"],"dry_run":true}`, `{"born_event":"A","return_event":"B","dry_run":true}`, `{"event":"A","dry_run":true}`, `{"all_of":[{"criterion":"did_event","event":"A","at_least":1,"within_days":7}]}`} {
				for _, tool := range served {
					if tool.Toolset == ToolsetQuery {
						res := tool.Call(context.Background(), env, json.RawMessage(args))
						texts[tool.Name+" "+args] = resultText(t, res)
					}
				}
			}
			for where, text := range texts {
				assert.Empty(t, toolref.Missing(text, env.Has), "%s names tools the selection does not serve: %s", where, clip(text, 300))
			}
		})
	}
}

func TestDryRunPointsAtSaveToolOnlyWhenServed(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	env.served = map[string]bool{"query_funnel": true, "build_cohort_definition": true}
	funnel := `{"steps":["A","B"],"dry_run":true}`
	cohort := `{"all_of":[{"criterion":"did_event","event":"A","at_least":1,"within_days":7}]}`
	assert.NotContains(t, mustOK(t, callTool(t, env, "query_funnel", funnel)), "create_bookmark")
	assert.NotContains(t, mustOK(t, callTool(t, env, "build_cohort_definition", cohort)), "create_cohort")
	// Served in a selection of the future: called directly so that the
	// texts are not checked against today's inventory by TestMain.
	env.served["create_bookmark"], env.served["create_cohort"] = true, true
	call := func(name, args string) string {
		return mustOK(t, Lookup(name).Call(context.Background(), env, json.RawMessage(args)))
	}
	assert.Contains(t, call("query_funnel", funnel), "pass them to create_bookmark with bookmark_type funnels")
	assert.Contains(t, call("build_cohort_definition", cohort), "pass it as create_cohort's definition")
}
