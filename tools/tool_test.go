//go:build schemagen

package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

type echoIn struct {
	Name  string   `json:"name" jsonschema:"description=Who to greet"`
	Times int      `json:"times,omitempty" jsonschema:"minimum=1,maximum=3"`
	Tags  []string `json:"tags,omitempty"`
}

func (in echoIn) Validate() error {
	if in.Times > 3 {
		return fmt.Errorf("times: at most 3; lower times")
	}
	return nil
}

type echoOut struct {
	Greeting string `json:"greeting"`
}

func (o echoOut) Text() string { return "says: " + o.Greeting }

type plainOut struct {
	N int `json:"n"`
}

func newEcho(h func(context.Context, *Env, echoIn) (echoOut, error)) *Tool {
	return New("echo", ToolsetProject, "Echo a name.", ReadOnly, h)
}

func greet(_ context.Context, _ *Env, in echoIn) (echoOut, error) {
	return echoOut{Greeting: strings.Repeat("hi "+in.Name+" ", max(in.Times, 1))}, nil
}

func TestNewToolDefinition(t *testing.T) {
	tool := newEcho(greet)
	def, err := tool.Definition()
	require.NoError(t, err)
	assert.Equal(t, "echo", def.Name)
	for name, hint := range map[string]*bool{"readOnly": def.Annotations.ReadOnlyHint, "destructive": def.Annotations.DestructiveHint, "idempotent": def.Annotations.IdempotentHint, "openWorld": def.Annotations.OpenWorldHint} {
		require.NotNil(t, hint, name)
	}
	assert.True(t, *def.Annotations.ReadOnlyHint)
	assert.False(t, *def.Annotations.DestructiveHint)
	raw, err := json.Marshal(def)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	in := m["inputSchema"].(map[string]any)
	assert.Equal(t, []any{"name"}, in["required"])
	out := m["outputSchema"].(map[string]any)
	assert.Equal(t, "object", out["type"])
}

func TestCallDecodesValidatesAndRenders(t *testing.T) {
	env := NewEnv(nil, nil, zerolog.Nop())
	tool := newEcho(greet)
	tests := []struct {
		name    string
		args    string
		isError bool
		text    string
	}{
		{"ok", `{"name":"Ada","times":2}`, false, "says: hi Ada hi Ada "},
		{"empty args means {}", ``, true, "name: MG1: missing required argument"},
		{"null args", `null`, true, "name: MG1: missing required argument"},
		{"unknown argument lists valid ones", `{"name":"a","nmae":"b"}`, true, `nmae: A2: unknown argument; valid arguments: name, tags, times`},
		{"wrong type names the field", `{"name":"a","times":"many"}`, true, `times: A1: expected an integer, got the string "many"`},
		{"not an object", `[1,2]`, true, "arguments: A4: expected a JSON object, got a list"},
		{"Validate runs before the handler", `{"name":"a","times":9}`, true, "times: at most 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tool.Call(context.Background(), env, json.RawMessage(tt.args))
			assert.Equal(t, tt.isError, res.IsError)
			assert.Contains(t, resultText(t, res), tt.text)
			if !tt.isError {
				assert.Equal(t, echoOut{Greeting: "hi Ada hi Ada "}, res.StructuredContent)
			}
		})
	}
}

func TestCallWithoutTexterRendersJSON(t *testing.T) {
	tool := New("plain", ToolsetProject, "d", Local, func(context.Context, *Env, echoIn) (plainOut, error) { return plainOut{N: 7}, nil })
	res := tool.Call(context.Background(), NewEnv(nil, nil, zerolog.Nop()), json.RawMessage(`{"name":"x"}`))
	assert.Equal(t, `{"n":7}`, mustOK(t, res))
}

func TestCallErrors(t *testing.T) {
	env := NewEnv(nil, nil, zerolog.Nop())
	t.Run("API errors carry a hint", func(t *testing.T) {
		tool := newEcho(func(context.Context, *Env, echoIn) (echoOut, error) {
			return echoOut{}, fmt.Errorf("list things: %w", &mixpanel.APIError{Kind: mixpanel.KindNotFound, Status: 404, Method: "GET", Path: "/x", Message: "no such"})
		})
		text := mustFail(t, tool.Call(context.Background(), env, json.RawMessage(`{"name":"a"}`)))
		assert.Contains(t, text, "404 Not Found: no such")
		assert.Contains(t, text, "list the entities first")
	})
	t.Run("panics become an error result", func(t *testing.T) {
		tool := newEcho(func(context.Context, *Env, echoIn) (echoOut, error) { panic("boom") })
		text := mustFail(t, tool.Call(context.Background(), env, json.RawMessage(`{"name":"a"}`)))
		assert.Contains(t, text, "internal error in echo")
	})
	t.Run("missing client names the setting", func(t *testing.T) {
		tool := newEcho(func(_ context.Context, env *Env, _ echoIn) (echoOut, error) {
			_, err := env.Client()
			return echoOut{}, err
		})
		cfgErr := (mixpanel.Config{}).CheckCredentials()
		text := mustFail(t, tool.Call(context.Background(), NewEnv(nil, cfgErr, zerolog.Nop()), json.RawMessage(`{"name":"a"}`)))
		assert.Contains(t, text, "MP_USERNAME")
	})
	t.Run("cancellation", func(t *testing.T) {
		tool := newEcho(func(ctx context.Context, _ *Env, _ echoIn) (echoOut, error) { return echoOut{}, ctx.Err() })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		assert.Equal(t, "cancelled", mustFail(t, tool.Call(ctx, env, json.RawMessage(`{"name":"a"}`))))
	})
	assert.Equal(t, "plain", ErrorText(errors.New("plain"), all))
}

func TestToolsetsSelection(t *testing.T) {
	got, err := ParseToolsets(" discovery, QUERY ,")
	require.NoError(t, err)
	assert.Equal(t, []string{"discovery", "query"}, got)
	got, err = ParseToolsets("")
	require.NoError(t, err)
	assert.Nil(t, got, "no value: the mode's default")
	got, err = ParseToolsets("all")
	require.NoError(t, err)
	assert.Len(t, got, len(Toolsets))
	got, err = ParseToolsets("export,default")
	require.NoError(t, err)
	assert.Equal(t, []string{"project", "discovery", "query", "reports", "users", "replays", "context", "export"}, got)
	_, err = ParseToolsets("discovery,nope")
	assert.ErrorContains(t, err, `unknown toolset "nope"`)

	for _, tool := range Selected(Selection{Toolsets: []string{"discovery"}}) {
		assert.Equal(t, ToolsetDiscovery, tool.Toolset)
	}
	for _, tool := range Selected(Selection{ReadOnly: true}) {
		assert.True(t, tool.Annotations.ReadOnly, tool.Name)
	}
}

func TestEveryRegisteredToolIsWellFormed(t *testing.T) {
	known := map[Toolset]bool{toolsetMeta: true}
	for _, ts := range Toolsets {
		known[ts.Name] = true
	}
	for _, tool := range All() {
		t.Run(tool.Name, func(t *testing.T) {
			assert.True(t, known[tool.Toolset], "unknown toolset %q", tool.Toolset)
			assert.NotEmpty(t, tool.Description)
			assert.Regexp(t, `^[a-z][a-z0-9_]*$`, tool.Name)
			_, err := tool.Definition()
			assert.NoError(t, err)
			if tool.Annotations.ReadOnly {
				assert.False(t, tool.Annotations.Destructive, "a read-only tool cannot be destructive")
			}
		})
	}
}

func TestTable(t *testing.T) {
	tb := Table{Title: "Events (3)", Columns: []string{"name", "n"}, Rows: [][]string{{"a|b", "1"}, {"c\nd", "2"}, {"e", "3"}}, Limit: 2}
	assert.Equal(t, "Events (3)\n| name | n |\n|---|---|\n| a\\|b | 1 |\n| c d | 2 |\n1 more rows (showing 1–2 of 3); pass limit/offset to see more.\n", tb.String())
	assert.Equal(t, "T\n(no rows)\n", Table{Title: "T"}.String())
	paged := Table{Columns: []string{"x"}, Rows: [][]string{{"b"}}, Offset: 1, Total: 5, Hint: "raise limit"}
	assert.Contains(t, paged.String(), "3 more rows (showing 2–2 of 5); raise limit.")
	s, e := Page(10, 8, 5)
	assert.Equal(t, []int{8, 10}, []int{s, e})
	assert.Equal(t, "12", Num(12))
	assert.Equal(t, "0.333333", Num(1.0/3))
	assert.Equal(t, "12.3%", Pct(0.1234))
}

// FuzzDecodeArgs feeds arbitrary JSON to the argument decoder: it must never
// panic, and a nil error means a usable input.
func FuzzDecodeArgs(f *testing.F) {
	for _, seed := range []string{`{"name":"a"}`, `{"name":1}`, `{}`, `null`, `[]`, `{"name":"a","tags":["x",null]}`, `{"times":1e400}`, "\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, args string) {
		var in echoIn
		if err := decodeArgs(json.RawMessage(args), &in); err == nil && !json.Valid([]byte(args)) && strings.TrimSpace(args) != "" {
			t.Fatalf("invalid JSON %q decoded without error", args)
		}
	})
}

// BenchmarkAllDefinitions measures reflecting every tool's schemas, which
// the server no longer does at start (it reads schemas.Generated).
func BenchmarkAllDefinitions(b *testing.B) {
	for b.Loop() {
		for _, t := range All() {
			if _, _, err := t.Reflect(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestInventoryNamesAreUniqueAndToolsetsKnown(t *testing.T) {
	known := map[Toolset]bool{toolsetMeta: true}
	for _, ts := range Toolsets {
		known[ts.Name] = true
	}
	seen := map[string]bool{}
	var tools []*Tool
	for _, d := range inventory() {
		tools = append(tools, d.build()...)
	}
	for _, tool := range tools {
		if seen[tool.Name] {
			t.Errorf("tool %s is listed twice", tool.Name)
		}
		seen[tool.Name] = true
		if !known[tool.Toolset] {
			t.Errorf("tool %s is in unknown toolset %q", tool.Name, tool.Toolset)
		}
	}
}
