package main

import (
	"debug/buildinfo"
	"encoding/json"
	"strings"
	"testing"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/internal/o200k"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// TestToolTokenBudgets bounds what every conversation pays for, in o200k
// tokens a model is given (name, description, input schema): the default
// selection (issue 8: at most 12,000) and the four query tools (7,298
// before their second trim, 6,650 after; the bound leaves room for a
// description a model turns out to need, not for a return of what was cut).
func TestToolTokenBudgets(t *testing.T) {
	tc, err := newTokenCounter()
	require.NoError(t, err)
	sum := func(ts []*tools.Tool) int {
		n := 0
		for _, tool := range ts {
			c, err := tc.cost(tool)
			require.NoError(t, err, tool.Name)
			n += c.visible
		}
		return n
	}
	var query []*tools.Tool
	for _, tool := range tools.All() {
		if tool.Toolset == tools.ToolsetQuery {
			query = append(query, tool)
		}
	}
	require.Len(t, query, 4)
	for _, b := range []struct {
		what   string
		tokens int
		budget int
	}{
		{"the default selection", sum(tools.Selected(tools.Selection{})), 12000},
		{"the query toolset", sum(query), 6800},
	} {
		t.Logf("%s: %d model tokens (budget %d)", b.what, b.tokens, b.budget)
		if b.tokens > b.budget {
			t.Errorf("%s costs a model %d tokens, over its budget of %d", b.what, b.tokens, b.budget)
		}
	}
}

// tiktokenO200k is tiktoken-go's o200k_base, which `mcp-server tools`
// counted with before internal/o200k: the reference it is compared with.
func tiktokenO200k(t testing.TB) *tiktoken.Tiktoken {
	t.Helper()
	tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
	enc, err := tiktoken.GetEncoding("o200k_base")
	require.NoError(t, err)
	return enc
}

// TestTokenCountsMatchTiktoken: every text of every tool's definition
// counts as many tokens as tiktoken-go counts.
func TestTokenCountsMatchTiktoken(t *testing.T) {
	tc, err := newTokenCounter()
	require.NoError(t, err)
	ref := tiktokenO200k(t)
	for _, tool := range tools.All() {
		def, err := tool.Definition()
		require.NoError(t, err, tool.Name)
		visible, raw, err := definitionTexts(tool)
		require.NoError(t, err, tool.Name)
		for what, text := range map[string]string{
			"name":             tool.Name,
			"description":      tool.Description,
			"input schema":     string(def.RawInputSchema),
			"output schema":    string(def.RawOutputSchema),
			"model's view":     string(visible),
			"tools/list entry": string(raw),
		} {
			assert.Equal(t, len(ref.EncodeOrdinary(text)), tc.enc.Count(text), "%s: %s", tool.Name, what)
		}
	}
}

// TestBinaryLinksNoTiktoken: tiktoken-go linked dlclark/regexp2, whose
// package init cost every start of the server, and ~10 MB of tables for
// five encodings, for one subcommand; it is a test-only dependency now.
func TestBinaryLinksNoTiktoken(t *testing.T) {
	info, err := buildinfo.ReadFile(binary(t))
	require.NoError(t, err)
	for _, d := range info.Deps {
		assert.False(t, strings.HasPrefix(d.Path, "github.com/pkoukk/tiktoken-go") || d.Path == "github.com/dlclark/regexp2", "the server binary links %s", d.Path)
	}
}

// BenchmarkCount counts the tools/list text of --toolsets all with
// internal/o200k and with tiktoken-go.
func BenchmarkCount(b *testing.B) {
	var entries []json.RawMessage
	for _, tool := range tools.All() {
		_, raw, err := definitionTexts(tool)
		require.NoError(b, err, tool.Name)
		entries = append(entries, raw)
	}
	list, err := json.Marshal(map[string]any{"tools": entries})
	require.NoError(b, err)
	text := string(list)
	enc, err := o200k.Load()
	require.NoError(b, err)
	ref := tiktokenO200k(b)
	for _, bc := range []struct {
		name  string
		count func(string) int
	}{
		{"o200k", enc.Count},
		{"tiktoken-go", func(s string) int { return len(ref.EncodeOrdinary(s)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				bc.count(text)
			}
		})
	}
}
