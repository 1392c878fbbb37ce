package main

import (
	"testing"

	"github.com/stretchr/testify/require"

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
