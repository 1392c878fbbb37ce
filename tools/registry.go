package tools

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// domain is one constructor of tools and the toolsets its tools belong to.
type domain struct {
	toolsets []Toolset
	build    func() []*Tool

	once  sync.Once
	tools []*Tool
}

// get builds the domain's tools once.
func (d *domain) get() []*Tool {
	d.once.Do(func() {
		d.tools = d.build()
		for _, t := range d.tools {
			built.Store(t.Name, t)
		}
	})
	return d.tools
}

// inventory is every tool the server knows, by the
// constructor of its domain. It is the one place tools are registered: a
// domain adds its constructor here with its toolsets (a test checks them).
// A server builds only the domains of the toolsets it may serve: building
// all of them touched the code of every tool at each start, a fifth of the
// start-up's work for the default selection.
func inventory() []*domain {
	return []*domain{
		{toolsets: []Toolset{toolsetMeta}, build: toolsetTools},
		{toolsets: []Toolset{ToolsetProject}, build: projectTools},
		{toolsets: []Toolset{ToolsetDiscovery}, build: discoveryTools},
		{toolsets: []Toolset{ToolsetQuery, ToolsetCohorts}, build: queryInsightsTools},
		{toolsets: []Toolset{ToolsetQuery}, build: queryFunnelTools},
		{toolsets: []Toolset{ToolsetQuery}, build: queryRetentionTools},
		{toolsets: []Toolset{ToolsetQuery}, build: queryFlowTools},
		{toolsets: []Toolset{ToolsetReports}, build: reportsTools},
		{toolsets: []Toolset{ToolsetLegacy}, build: legacyTools},
		{toolsets: []Toolset{ToolsetUsers}, build: usersTools},
		{toolsets: []Toolset{ToolsetExport}, build: exportTools},
		{toolsets: []Toolset{ToolsetReplays}, build: replaysTools},
		{toolsets: []Toolset{ToolsetContext}, build: contextTools},
		{toolsets: []Toolset{ToolsetDashboards}, build: dashboardsTools},
		{toolsets: []Toolset{ToolsetAnnotations}, build: annotationsTools},
		{toolsets: []Toolset{ToolsetWebhooks}, build: webhooksTools},
		{toolsets: []Toolset{ToolsetAlerts}, build: alertsTools},
		{toolsets: []Toolset{ToolsetFlags}, build: flagsTools},
		{toolsets: []Toolset{ToolsetBookmarks}, build: bookmarksTools},
		{toolsets: []Toolset{ToolsetCohorts}, build: cohortsTools},
		{toolsets: []Toolset{ToolsetExperiments}, build: experimentsTools},
		{toolsets: []Toolset{ToolsetLexicon}, build: lexiconTools},
		{toolsets: []Toolset{ToolsetLexicon}, build: lexiconQualityTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceDropFilterTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceCustomPropertyTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceCustomEventTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceLookupTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceSchemasTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceEnforcementTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceAuditTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceAnomaliesTools},
		{toolsets: []Toolset{ToolsetGovernance}, build: governanceDeletionsTools},
	}
}

// The process's domains, each built at most once, and the tools built so
// far by name. (Not variable initializers: the tools' code reaches Lookup.)
var (
	domainsOnce sync.Once
	domainList  []*domain
	built       sync.Map // name -> *Tool
)

func domains() []*domain {
	domainsOnce.Do(func() { domainList = inventory() })
	return domainList
}

// sorted sorts tools by toolset order, then name, and panics on a
// duplicate name.
func sorted(out []*Tool) []*Tool {
	seen := make(map[string]bool, len(out))
	for _, t := range out {
		if seen[t.Name] {
			panic("tools: duplicate tool " + t.Name)
		}
		seen[t.Name] = true
	}
	type ranked struct {
		rank int
		t    *Tool
	}
	rs := make([]ranked, len(out))
	for i, t := range out {
		rs[i] = ranked{toolsetRank(t.Toolset), t}
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Or(cmp.Compare(a.rank, b.rank), strings.Compare(a.t.Name, b.t.Name)) })
	for i, r := range rs {
		out[i] = r.t
	}
	return out
}

// toolsetRank is the toolset's place in Toolsets; the toolset tools
// (toolsetMeta) come first.
func toolsetRank(ts Toolset) int {
	if ts == toolsetMeta {
		return -1
	}
	return slices.IndexFunc(Toolsets, func(info ToolsetInfo) bool { return info.Name == ts })
}

// toolsIn returns the process's tools of the given toolsets, building
// their domains on first use; sorted as All.
func toolsIn(toolsets ...Toolset) []*Tool {
	var out []*Tool
	for _, d := range domains() {
		if slices.ContainsFunc(d.toolsets, func(ts Toolset) bool { return slices.Contains(toolsets, ts) }) {
			for _, t := range d.get() {
				if slices.Contains(toolsets, t.Toolset) {
					out = append(out, t)
				}
			}
		}
	}
	return sorted(out)
}

// Every tool of the process, sorted as All returns them.
var (
	allOnce  sync.Once
	allTools []*Tool
)

func loadAll() {
	allOnce.Do(func() {
		var out []*Tool
		for _, d := range domains() {
			out = append(out, d.get()...)
		}
		allTools = sorted(out)
	})
}

// All returns every tool, sorted by toolset order, then name.
func All() []*Tool {
	loadAll()
	return slices.Clone(allTools)
}

// Selected returns the tools served from the start: those of the
// selection's initial toolsets, plus the toolset tools in dynamic mode.
func Selected(sel Selection) []*Tool {
	toolsets := sel.initial()
	if sel.Dynamic {
		toolsets = append(toolsets, toolsetMeta)
	}
	var out []*Tool
	for _, t := range toolsIn(toolsets...) {
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
	sv := &surface{server: s, sel: sel, sessions: map[string][]Toolset{}, lists: map[string]func() (json.RawMessage, error){}}
	initial := Selected(sel)
	sts, err := serverTools(initial, env, sel.Dynamic)
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
	listings.Store(s, sv)
	return nil
}

// serverTools pairs each tool's definition as mcp-go holds it (registered)
// with its handler. checkSchemas reads each tool's schemas first, so that
// a tool whose schemas cannot be made is refused here; a fixed selection
// leaves that to the encoding of its tools/list (ListResult).
func serverTools(ts []*Tool, env *Env, checkSchemas bool) ([]server.ServerTool, error) {
	sts := make([]server.ServerTool, 0, len(ts))
	for _, t := range ts {
		if checkSchemas {
			if _, _, err := t.Schemas(); err != nil {
				return nil, fmt.Errorf("tool %s: %w", t.Name, err)
			}
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
		// mcp-go keeps the arguments as received (RawArguments) besides
		// its decoding of them (Arguments, numbers as float64): the text
		// is exact, and the pipeline reads the decoding instead of
		// decoding the text again when it can. Beyond MaxArgsBytes the
		// cap judges their compact encoding, as for a request made in
		// process (no RawArguments).
		if args := req.Params.RawArguments; len(args) > 0 && len(args) <= MaxArgsBytes {
			return t.callParsed(ctx, env, args, req.Params.Arguments), nil
		}
		args, err := appendJSON(nil, req.Params.Arguments) // as json.Marshal, without reflection
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
	if t, ok := built.Load(name); ok {
		return t.(*Tool) // a served tool: its domain is built
	}
	loadAll()
	if t, ok := built.Load(name); ok {
		return t.(*Tool)
	}
	return nil
}
