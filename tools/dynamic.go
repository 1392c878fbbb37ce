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

	"github.com/mark3labs/mcp-go/server"
)

// Dynamic mode keeps tools/list small: a model starts with discovery plus
// list_toolsets and enable_toolset, and loads a toolset's tools when it
// needs them. Loading is per MCP session: the tools become session tools
// of mcp-go, so enabling a toolset in one session changes only that
// session's tools/list, and mcp-go tells only that session with
// tools/list_changed. A session that cannot hold tools of its own (stdio,
// in-process) is the server's only session: its toolsets are added to the
// server. Stateless HTTP has no sessions; cmd refuses it with dynamic mode.

// toolsetMeta holds the tools that manage toolsets; they are served only
// in dynamic mode.
const toolsetMeta Toolset = "toolsets"

// dynamicCore is enabled from the start in dynamic mode.
const dynamicCore = ToolsetDiscovery

// surface is what AddTo registered on the server: the tools every session
// sees and, in dynamic mode, the toolsets each session loaded since.
type surface struct {
	server *server.MCPServer
	sel    Selection

	mu       sync.Mutex
	sessions map[string][]Toolset                       // session id -> toolsets it loaded, in table order
	global   []Toolset                                  // loaded into the server for every session (sessions without tools of their own: stdio)
	defs     map[Toolset][]server.ServerTool            // built once, shared by the sessions that load it
	lists    map[string]func() (json.RawMessage, error) // tools/list results by the toolsets loaded, encoded once
}

// maxLists bounds the encoded tools/list results a server keeps: one per
// set of loaded toolsets that some session has (15–285 KB each, ~9 MB at
// most); sessions of other sets get theirs encoded for each request.
const maxLists = 32

// list is the tools/list result of a session: the initial tools and the
// toolsets loaded for it, in mcp-go's order (by name), encoded once per
// set of toolsets.
func (sv *surface) list(session string) (json.RawMessage, error) {
	sv.mu.Lock()
	loaded := slices.Clone(sv.global)
	for _, name := range sv.sessions[session] {
		if !slices.Contains(loaded, name) {
			loaded = append(loaded, name)
		}
	}
	sortToolsets(loaded)
	var key strings.Builder
	for _, name := range loaded {
		key.WriteString(string(name) + ",")
	}
	encode, ok := sv.lists[key.String()]
	if !ok {
		ts := Selected(sv.sel)
		for _, name := range loaded {
			ts = append(ts, toolsOf(name, sv.sel.ReadOnly)...)
		}
		encode = func() (json.RawMessage, error) { return listResult(ts) }
		if len(sv.lists) < maxLists {
			encode = sync.OnceValues(encode)
			sv.lists[key.String()] = encode
		}
	}
	sv.mu.Unlock()
	return encode()
}

// isServed reports whether a toolset's tools are in the session's list.
func (sv *surface) isServed(session string, name Toolset) bool {
	if slices.Contains(sv.sel.initial(), name) {
		return true
	}
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return slices.Contains(sv.sessions[session], name) || slices.Contains(sv.global, name)
}

// forget drops an ended session's toolsets.
func (sv *surface) forget(session string) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	delete(sv.sessions, session)
}

// enable loads a toolset into one session and returns the tools added, or
// none when the session already has them.
func (sv *surface) enable(env *Env, cs server.ClientSession, name Toolset) ([]string, error) {
	session := cs.SessionID()
	if sv.isServed(session, name) {
		return nil, nil
	}
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if slices.Contains(sv.sessions[session], name) {
		return nil, nil // a concurrent call of the same session won
	}
	sts, ok := sv.defs[name]
	if !ok {
		var err error
		if sts, err = serverTools(toolsOf(name, sv.sel.ReadOnly), env, true); err != nil {
			return nil, err
		}
		if sv.defs == nil {
			sv.defs = map[Toolset][]server.ServerTool{}
		}
		sv.defs[name] = sts
	}
	if _, ok := cs.(server.SessionWithTools); ok {
		if err := sv.server.AddSessionTools(session, sts...); err != nil {
			return nil, fmt.Errorf("toolset: cannot load %s into this session: %w", name, err)
		}
	} else {
		sv.server.AddTools(sts...)
		sv.global = append(sv.global, name)
		sortToolsets(sv.global)
	}
	list := append(sv.sessions[session], name)
	sortToolsets(list)
	sv.sessions[session] = list
	added := make([]string, 0, len(sts))
	for _, st := range sts {
		added = append(added, st.Tool.Name)
	}
	return added, nil
}

// sortToolsets sorts toolsets in table order.
func sortToolsets(list []Toolset) {
	slices.SortFunc(list, func(a, b Toolset) int { return cmp.Compare(toolsetRank(a), toolsetRank(b)) })
}

func toolsetTools() []*Tool {
	return []*Tool{
		New("list_toolsets", toolsetMeta, "List toolsets, what each holds and whether its tools are loaded; load one with enable_toolset.", Local, listToolsets),
		New("enable_toolset", toolsetMeta, "Load the tools of a toolset (see list_toolsets) so they can be called.", Local, enableToolset),
	}
}

// ToolsetState describes one toolset for list_toolsets.
type ToolsetState struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
	Tools       []string `json:"tools"`
}

// ToolsetList is the answer of list_toolsets.
type ToolsetList struct {
	Toolsets []ToolsetState `json:"toolsets"`
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

// sessionOf is the MCP session of a call, which holds its toolsets.
func sessionOf(ctx context.Context) (server.ClientSession, error) {
	cs := server.ClientSessionFromContext(ctx)
	if cs == nil || cs.SessionID() == "" {
		// Stateless HTTP and protocol 2026-07-28 serve each request in a
		// session of its own that ends with it.
		return nil, errors.New("toolset: this connection keeps no MCP session (stateless HTTP or protocol 2026-07-28), so a loaded toolset would be gone by the next call; ask for the server to serve it with --toolsets")
	}
	return cs, nil
}

func listToolsets(ctx context.Context, env *Env, _ listToolsetsInput) (ToolsetList, error) {
	sv := env.surface
	cs, err := sessionOf(ctx)
	if err != nil {
		return ToolsetList{}, err
	}
	session := cs.SessionID()
	out := ToolsetList{Toolsets: []ToolsetState{}}
	for _, ts := range Toolsets {
		if !slices.Contains(sv.sel.allowed(), ts.Name) {
			continue
		}
		info := ToolsetState{Name: string(ts.Name), Description: ts.Description, Enabled: sv.isServed(session, ts.Name), Tools: []string{}}
		for _, t := range toolsOf(ts.Name, sv.sel.ReadOnly) {
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

func enableToolset(ctx context.Context, env *Env, in enableToolsetInput) (EnableResult, error) {
	name := Toolset(in.Toolset)
	if !slices.ContainsFunc(Toolsets, func(ts ToolsetInfo) bool { return ts.Name == name }) {
		return EnableResult{}, fmt.Errorf("toolset: unknown toolset %q; call list_toolsets for the names", in.Toolset)
	}
	sv := env.surface
	if !slices.Contains(sv.sel.allowed(), name) {
		return EnableResult{}, fmt.Errorf("toolset: %q is not among the toolsets this server was started with (--toolsets %s); call list_toolsets for those it has", name, strings.Join(sv.sel.Toolsets, ","))
	}
	cs, err := sessionOf(ctx)
	if err != nil {
		return EnableResult{}, err
	}
	added, err := sv.enable(env, cs, name)
	if err != nil {
		return EnableResult{}, err
	}
	return EnableResult{Toolset: string(name), Added: append([]string{}, added...)}, nil
}

// toolsOf lists the tools of one toolset, without the writing ones when
// readOnly.
func toolsOf(name Toolset, readOnly bool) []*Tool {
	var out []*Tool
	for _, t := range toolsIn(name) {
		if !readOnly || t.Annotations.ReadOnly {
			out = append(out, t)
		}
	}
	return out
}
