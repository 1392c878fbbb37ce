package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
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
		alertsTools,
		flagsTools,
		bookmarksTools,
		cohortsTools,
		experimentsTools,
		lexiconTools,
		lexiconQualityTools,
		governanceDropFilterTools,
		governanceCustomPropertyTools,
		governanceCustomEventTools,
		governanceLookupTools,
		governanceSchemasTools,
		governanceEnforcementTools,
		governanceAuditTools,
		governanceAnomaliesTools,
		governanceDeletionsTools,
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
	byName        map[string]*Tool
)

func loadInventory() {
	inventoryOnce.Do(func() {
		inventory = Inventory()
		byName = make(map[string]*Tool, len(inventory))
		for _, t := range inventory {
			byName[t.Name] = t
		}
	})
}

// All returns every tool, sorted by toolset order, then name.
func All() []*Tool {
	loadInventory()
	return slices.Clone(inventory)
}

// Selected returns the tools served from the start: those of the
// selection's initial toolsets, plus the toolset tools in dynamic mode.
func Selected(sel Selection) []*Tool {
	initial := sel.initial()
	var out []*Tool
	for _, t := range All() {
		if t.Toolset == toolsetMeta && !sel.Dynamic || t.Toolset != toolsetMeta && !slices.Contains(initial, t.Toolset) {
			continue
		}
		if sel.ReadOnly && !t.Annotations.ReadOnly {
			continue
		}
		out = append(out, t)
	}
	return out
}

// AddTo registers the selected tools on an MCP server. In dynamic mode the
// server must have hooks (server.WithHooks): a session's loaded toolsets
// are forgotten when the session ends.
func AddTo(s *server.MCPServer, env *Env, sel Selection) error {
	env.Serve(sel)
	sv := &surface{server: s, sel: sel, sessions: map[string][]Toolset{}}
	initial := Selected(sel)
	sts, err := serverTools(initial, env)
	if err != nil {
		return err
	}
	server.WithToolFilter(fullDefinitions)(s)
	if sel.Dynamic {
		hooks := s.GetHooks()
		if hooks == nil {
			return errors.New("dynamic toolsets: the MCP server needs hooks (server.WithHooks) to forget a session's toolsets when it ends")
		}
		hooks.AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) { sv.forget(cs.SessionID()) })
	}
	env.surface = sv
	s.AddTools(sts...)
	if !sel.Dynamic {
		listings.Store(s, sync.OnceValues(func() (json.RawMessage, error) { return listResult(initial) }))
	}
	return nil
}

// serverTools pairs each tool's definition as mcp-go holds it (registered)
// with its handler.
func serverTools(ts []*Tool, env *Env) ([]server.ServerTool, error) {
	sts := make([]server.ServerTool, 0, len(ts))
	for _, t := range ts {
		if _, _, err := t.Schemas(); err != nil {
			return nil, fmt.Errorf("tool %s: %w", t.Name, err)
		}
		sts = append(sts, server.ServerTool{Tool: t.registered(), Handler: handlerFor(t, env)})
	}
	return sts, nil
}

// fullDefinitions is the tool filter that gives back to mcp-go's lists
// (dynamic mode, sessions on protocol versions answered by mcp-go) the
// definitions with their schemas; mcp-go also runs it on each call, so it
// only looks definitions up.
func fullDefinitions(_ context.Context, ts []mcp.Tool) []mcp.Tool {
	for i := range ts {
		if t := Lookup(ts[i].Name); t != nil {
			if def, err := t.Definition(); err == nil {
				ts[i] = def
			}
		}
	}
	return ts
}

func handlerFor(t *Tool, env *Env) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.Meta != nil && req.Params.Meta.ProgressToken != nil {
			ctx = context.WithValue(ctx, progressKey{}, req.Params.Meta.ProgressToken)
		}
		ctx = WithClientLog(ctx)
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
	loadInventory()
	return byName[name]
}
