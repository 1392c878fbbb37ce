package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mixpanel-mcp/mixpanel-mcp/internal/o200k"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

// Every listed tool costs model context on every turn, so `mcp-server
// tools` prints what each costs, in o200k tokens (the tokenizer of current
// OpenAI models; internal/o200k embeds its table, so this works without a
// network). Two measures: what a model is given (name, description and
// input schema) and the raw tools/list entry (plus annotations and the
// output schema, which clients read but models usually do not).

// toolCost is the token cost of one tool.
type toolCost struct {
	visible, raw int
}

type tokenCounter struct{ enc *o200k.Encoder }

func newTokenCounter() (*tokenCounter, error) {
	enc, err := o200k.Load()
	if err != nil {
		return nil, fmt.Errorf("o200k tokenizer: %w", err)
	}
	return &tokenCounter{enc: enc}, nil
}

func (c *tokenCounter) count(b []byte) int { return c.enc.Count(string(b)) }

// cost measures one tool's definition as tools/list serves it.
func (c *tokenCounter) cost(t *tools.Tool) (toolCost, error) {
	visible, raw, err := definitionTexts(t)
	if err != nil {
		return toolCost{}, err
	}
	return toolCost{visible: c.count(visible), raw: c.count(raw)}, nil
}

// definitionTexts returns what a model is given of a tool and its raw
// tools/list entry.
func definitionTexts(t *tools.Tool) (visible, raw []byte, err error) {
	def, err := t.Definition()
	if err != nil {
		return nil, nil, err
	}
	raw, err = json.Marshal(def)
	if err != nil {
		return nil, nil, err
	}
	visible, err = json.Marshal(struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"inputSchema"`
	}{t.Name, t.Description, def.RawInputSchema})
	return visible, raw, err
}

// printTools prints every toolset with its tool count and token cost, then
// the selected tools, each with its cost.
func printTools(w io.Writer, sel tools.Selection) error {
	tc, err := newTokenCounter()
	if err != nil {
		return err
	}
	costs := map[string]toolCost{}
	type total struct{ n, visible, raw int }
	bySet := map[tools.Toolset]*total{}
	for _, t := range tools.All() {
		c, err := tc.cost(t)
		if err != nil {
			return err
		}
		costs[t.Name] = c
		if bySet[t.Toolset] == nil {
			bySet[t.Toolset] = &total{}
		}
		s := bySet[t.Toolset]
		s.n, s.visible, s.raw = s.n+1, s.visible+c.visible, s.raw+c.raw
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "TOOLSET\tDEFAULT\tTOOLS\tMODEL TOKENS\tRAW TOKENS\t")
	for _, ts := range tools.Toolsets {
		s := bySet[ts.Name]
		if s == nil {
			s = &total{}
		}
		def := "opt-in"
		if ts.Default {
			def = "default"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t\n", ts.Name, def, s.n, s.visible, s.raw)
	}
	tw.Flush()

	var sum total
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w)
	fmt.Fprintln(tw, "NAME\tTOOLSET\tACCESS\tTOKENS\tDESCRIPTION")
	for _, t := range tools.Selected(sel) {
		access := "read-only"
		if !t.Annotations.ReadOnly {
			access = "writes"
		}
		c := costs[t.Name]
		sum.n, sum.visible, sum.raw = sum.n+1, sum.visible+c.visible, sum.raw+c.raw
		desc, _, _ := strings.Cut(t.Description, "\n")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", t.Name, t.Toolset, access, c.visible, desc)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d tools served: %d tokens given to the model (name, description, input schema), %d in the raw tools/list entries (o200k).\n", sum.n, sum.visible, sum.raw)
	return nil
}
