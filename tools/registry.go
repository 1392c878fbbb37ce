package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Inventory builds the list of every tool the server knows, one domain
// after another, sorted by toolset order, then name. It is the one place
// tools are registered: a domain adds its constructor here. A duplicate
// name is a programming error, caught by the first call (and by the tests).
func Inventory() []*Tool {
	var out []*Tool
	for _, domain := range []func() []*Tool{
		toolsetTools,
		projectTools,
		discoveryTools,
		queryInsightsTools,
		queryFunnelTools,
		queryRetentionTools,
		queryFlowTools,
		reportsTools,
		legacyTools,
		usersTools,
		exportTools,
		replaysTools,
		contextTools,
		dashboardsTools,
		annotationsTools,
		webhooksTools,
	} {
		out = append(out, domain()...)
	}
	seen := map[string]bool{}
	for _, t := range out {
		if seen[t.Name] {
			panic("tools: duplicate tool " + t.Name)
		}
		seen[t.Name] = true
	}
	order := map[Toolset]int{toolsetMeta: -1}
	for i, ts := range Toolsets {
		order[ts.Name] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Toolset != out[j].Toolset {
			return order[out[i].Toolset] < order[out[j].Toolset]
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// The process's tool list, built once: the one piece of global state.
// Tools reflect their schemas lazily and only once.
var (
	inventoryOnce sync.Once
	inventory     []*Tool
)

// All returns every tool, sorted by toolset order, then name.
func All() []*Tool {
	inventoryOnce.Do(func() { inventory = Inventory() })
	return slices.Clone(inventory)
}

// Selection says which tools a server offers.
type Selection struct {
	Toolsets []string // empty: all
	ReadOnly bool     // drop every tool that writes
	// Dynamic starts with the discovery toolset and the toolset tools
	// only; the model enables the rest on demand (see dynamic.go).
	Dynamic bool
}

// ParseToolsets splits a comma-separated --toolsets value and checks each
// name; "all" or "" selects everything.
func ParseToolsets(s string) ([]string, error) {
	var out []string
	known := map[string]bool{}
	var names []string
	for _, ts := range Toolsets {
		known[string(ts.Name)] = true
		names = append(names, string(ts.Name))
	}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(strings.ToLower(p))
		switch {
		case p == "":
		case p == "all":
			return nil, nil
		case known[p]:
			out = append(out, p)
		default:
			return nil, fmt.Errorf("unknown toolset %q; valid toolsets: %s, all", p, strings.Join(names, ", "))
		}
	}
	return out, nil
}

// Selected returns the tools of the selection.
func Selected(sel Selection) []*Tool {
	want := map[string]bool{}
	for _, ts := range sel.Toolsets {
		want[ts] = true
	}
	var out []*Tool
	for _, t := range All() {
		if t.Toolset == toolsetMeta {
			if sel.Dynamic {
				out = append(out, t)
			}
			continue
		}
		if len(want) > 0 && !want[string(t.Toolset)] {
			continue
		}
		if sel.ReadOnly && !t.Annotations.ReadOnly {
			continue
		}
		out = append(out, t)
	}
	return out
}

// AddTo registers the selected tools on an MCP server.
func AddTo(s *server.MCPServer, env *Env, sel Selection) error {
	initial := sel
	if sel.Dynamic {
		env.dynamic = &dynamicState{server: s, sel: sel, enabled: map[Toolset]bool{}}
		initial.Toolsets = []string{string(dynamicCore)}
		env.dynamic.enabled[dynamicCore] = true
	}
	return addTools(s, env, Selected(initial))
}

func addTools(s *server.MCPServer, env *Env, ts []*Tool) error {
	var sts []server.ServerTool
	for _, t := range ts {
		def, err := t.Definition()
		if err != nil {
			return err
		}
		sts = append(sts, server.ServerTool{Tool: def, Handler: handlerFor(t, env)})
	}
	s.AddTools(sts...)
	return nil
}

func handlerFor(t *Tool, env *Env) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.Meta != nil && req.Params.Meta.ProgressToken != nil {
			ctx = context.WithValue(ctx, progressKey{}, req.Params.Meta.ProgressToken)
		}
		args, err := json.Marshal(req.Params.Arguments)
		if err != nil {
			return mcp.NewToolResultError("invalid arguments: " + err.Error()), nil
		}
		return t.Call(ctx, env, args), nil
	}
}

type progressKey struct{}

// Progress reports progress of a long call to the client, when the client
// asked for it with a progress token; otherwise it does nothing.
func Progress(ctx context.Context, done, total int, message string) {
	token := ctx.Value(progressKey{})
	srv := server.ServerFromContext(ctx)
	if token == nil || srv == nil {
		return
	}
	params := map[string]any{"progressToken": token, "progress": done, "total": total}
	if message != "" {
		params["message"] = message
	}
	_ = srv.SendNotificationToClient(ctx, "notifications/progress", params)
}

// Lookup returns the registered tool with that name, or nil.
func Lookup(name string) *Tool {
	for _, t := range All() {
		if t.Name == name {
			return t
		}
	}
	return nil
}
