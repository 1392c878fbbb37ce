package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// Dynamic mode keeps tools/list small: a model starts with discovery plus
// list_toolsets and enable_toolset, and loads a toolset's tools when it
// needs them. The server announces each change with tools/list_changed.

// toolsetMeta holds the tools that manage toolsets; they are served only
// in dynamic mode.
const toolsetMeta Toolset = "toolsets"

// dynamicCore is enabled from the start in dynamic mode.
const dynamicCore = ToolsetDiscovery

type dynamicState struct {
	server *server.MCPServer
	sel    Selection

	mu      sync.Mutex
	enabled map[Toolset]bool
}

func toolsetTools() []*Tool {
	return []*Tool{
		New("list_toolsets", toolsetMeta, "List toolsets, what each holds and whether its tools are loaded; load one with enable_toolset.", Local, listToolsets),
		New("enable_toolset", toolsetMeta, "Load the tools of a toolset (see list_toolsets) so they can be called.", Local, enableToolset),
	}
}

// ToolsetInfo describes one toolset.
type ToolsetInfo struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
	Tools       []string `json:"tools"`
}

// ToolsetList is the answer of list_toolsets.
type ToolsetList struct {
	Toolsets []ToolsetInfo `json:"toolsets"`
}

// Text renders one line per toolset.
func (l ToolsetList) Text() string {
	var b strings.Builder
	for _, ts := range l.Toolsets {
		state := "available"
		if ts.Enabled {
			state = "enabled"
		}
		fmt.Fprintf(&b, "- %s (%s, %d tools): %s\n", ts.Name, state, len(ts.Tools), ts.Description)
	}
	return b.String()
}

type listToolsetsInput struct{}

func listToolsets(_ context.Context, env *Env, _ listToolsetsInput) (ToolsetList, error) {
	d := env.dynamic
	var out ToolsetList
	for _, ts := range Toolsets {
		info := ToolsetInfo{Name: string(ts.Name), Description: ts.Description, Enabled: d == nil || d.isEnabled(ts.Name), Tools: []string{}}
		for _, t := range toolsOf(ts.Name, d) {
			info.Tools = append(info.Tools, t.Name)
		}
		if len(info.Tools) > 0 {
			out.Toolsets = append(out.Toolsets, info)
		}
	}
	return out, nil
}

// toolsetName is a toolset named in enable_toolset's input.
type toolsetName string

// JSONSchema lists the toolsets as an enum.
func (toolsetName) JSONSchema() *jsonschema.Schema {
	var names []string
	for _, ts := range Toolsets {
		names = append(names, string(ts.Name))
	}
	return schemas.Enum("Toolset to load", names...)
}

type enableToolsetInput struct {
	Toolset toolsetName `json:"toolset"`
}

// EnableResult says what enable_toolset loaded.
type EnableResult struct {
	Toolset string   `json:"toolset"`
	Added   []string `json:"added"`
}

// Text names the tools now callable.
func (r EnableResult) Text() string {
	if len(r.Added) == 0 {
		return "Toolset " + r.Toolset + " was already enabled."
	}
	return "Enabled " + r.Toolset + ": " + strings.Join(r.Added, ", ")
}

func enableToolset(_ context.Context, env *Env, in enableToolsetInput) (EnableResult, error) {
	name := Toolset(in.Toolset)
	known := false
	for _, ts := range Toolsets {
		known = known || ts.Name == name
	}
	if !known {
		return EnableResult{}, fmt.Errorf("toolset: unknown toolset %q; call list_toolsets for the names", in.Toolset)
	}
	d := env.dynamic
	res := EnableResult{Toolset: string(name), Added: []string{}}
	if d == nil {
		return res, nil // every selected toolset is already served
	}
	if len(d.sel.Toolsets) > 0 && !slices.Contains(d.sel.Toolsets, string(name)) {
		return EnableResult{}, fmt.Errorf("toolset: %q is not among the toolsets this server was started with (--toolsets %s)", name, strings.Join(d.sel.Toolsets, ","))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.enabled[name] {
		return res, nil
	}
	ts := toolsOf(name, d)
	if err := addTools(d.server, env, ts); err != nil {
		return EnableResult{}, err
	}
	d.enabled[name] = true
	for _, t := range ts {
		res.Added = append(res.Added, t.Name)
	}
	return res, nil
}

func (d *dynamicState) isEnabled(name Toolset) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.enabled[name]
}

// toolsOf lists the tools of one toolset that the selection allows.
func toolsOf(name Toolset, d *dynamicState) []*Tool {
	sel := Selection{Toolsets: []string{string(name)}}
	if d != nil {
		sel.ReadOnly = d.sel.ReadOnly
	}
	return Selected(sel)
}
