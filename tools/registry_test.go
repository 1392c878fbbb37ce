package tools

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
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
	for name, sel := range map[string]Selection{
		"default":           {},
		"all read-only":     {Toolsets: []string{"all"}, ReadOnly: true},
		"dynamic":           {Dynamic: true},
		"cohorts":           {Toolsets: []string{"cohorts"}},
		"query,governance":  {Toolsets: []string{"query", "governance"}},
		"dynamic read-only": {Dynamic: true, ReadOnly: true},
	} {
		if len(sel.Toolsets) > 0 {
			parsed, err := ParseToolsets(sel.Toolsets[0] + "," + sel.Toolsets[len(sel.Toolsets)-1])
			assert.NoError(t, err)
			sel.Toolsets = parsed
		}
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
