package tools

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each domain declares exactly the toolsets of the tools it builds: a
// server builds only the domains of its toolsets, so a tool in an
// undeclared toolset would be missing from them.
func TestDomainsDeclareTheirToolsets(t *testing.T) {
	for _, d := range inventory() {
		var got []Toolset
		for _, tool := range d.build() {
			if !slices.Contains(got, tool.Toolset) {
				got = append(got, tool.Toolset)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(d.toolsets))
		assert.Equal(t, want, got, "domain of %v", d.toolsets)
	}
}

// Selected, built from the selection's domains only, is the inventory
// filtered by the selection.
func TestSelectedIsTheFilteredInventory(t *testing.T) {
	for _, c := range []struct {
		toolsets          string // as --toolsets reads it
		readOnly, dynamic bool
	}{{"", false, false}, {"all", true, false}, {"", false, true}, {"cohorts", false, false}, {"query,governance", false, false}, {"", true, true}} {
		toolsets, err := ParseToolsets(c.toolsets)
		require.NoError(t, err)
		sel := Selection{Toolsets: toolsets, ReadOnly: c.readOnly, Dynamic: c.dynamic}
		name := fmt.Sprintf("%+v", c)
		initial := sel.initial()
		var want []string
		for _, tool := range All() {
			meta := tool.Toolset == toolsetMeta
			if meta && !sel.Dynamic || !meta && !slices.Contains(initial, tool.Toolset) || sel.ReadOnly && !tool.Annotations.ReadOnly {
				continue
			}
			want = append(want, tool.Name)
		}
		var got []string
		for _, tool := range Selected(sel) {
			got = append(got, tool.Name)
		}
		assert.Equal(t, want, got, name)
		assert.NotEmpty(t, got, name)
	}
}
