package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// tools/list is the largest message a server sends (~300 KB with every
// toolset), and mcp-go encodes it anew for each request: each definition
// through a map, each schema compacted twice. A server answers it in front
// of mcp-go (cmd/mcp-server) with bytes encoded once per set of toolsets
// served: the selection's, and in dynamic mode each set that sessions
// loaded (surface.list).

// appendDefinition appends the tool's definition as tools/list carries it,
// written as mcp-go's Tool.MarshalJSON writes it (the keys of its map in
// sorted order, strings escaped as encoding/json escapes them) with the
// schemas, compact already, copied in as generated: no mcp.Tool, no map,
// no reflection, no second pass over the schemas. The tests compare the
// result with mcp-go's answer byte for byte, for several selections.
func (t *Tool) appendDefinition(dst []byte) ([]byte, error) {
	in, out, err := t.Schemas()
	if err != nil {
		return nil, fmt.Errorf("tool %s: %w", t.Name, err)
	}
	dst = append(dst, '{')
	if meta := t.Meta(); meta != nil {
		if dst, err = appendJSON(append(dst, `"_meta":`...), meta); err != nil {
			return nil, fmt.Errorf("tool %s: _meta: %w", t.Name, err)
		}
		dst = append(dst, ',')
	}
	a := t.Annotations
	dst = strconv.AppendBool(append(dst, `"annotations":{"readOnlyHint":`...), a.ReadOnly)
	dst = strconv.AppendBool(append(dst, `,"destructiveHint":`...), a.Destructive)
	dst = strconv.AppendBool(append(dst, `,"idempotentHint":`...), a.Idempotent)
	dst = strconv.AppendBool(append(dst, `,"openWorldHint":`...), a.OpenWorld)
	dst = append(dst, '}')
	if t.Description != "" {
		dst = appendJSONString(append(dst, `,"description":`...), t.Description)
	}
	dst = append(append(dst, `,"inputSchema":`...), in...)
	dst = appendJSONString(append(dst, `,"name":`...), t.Name)
	if out != nil {
		dst = append(append(dst, `,"outputSchema":`...), out...)
	}
	if title := t.DisplayTitle(); title != "" {
		dst = appendJSONString(append(dst, `,"title":`...), title)
	}
	return append(dst, '}'), nil
}

// listResult encodes the result of tools/list for ts in name order, as
// mcp-go lists them, into one buffer: the schemas are copied once, from
// the generated file to the answer.
func listResult(ts []*Tool) (json.RawMessage, error) {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b *Tool) int { return strings.Compare(a.Name, b.Name) })
	size := len(`{"tools":[]}`)
	for _, t := range ts {
		// The schemas, the texts and room for the keys, annotations,
		// escapes and _meta; a tool's error is appendDefinition's to report.
		in, out, _ := t.Schemas()
		size += len(in) + len(out) + len(t.Description) + 2*len(t.Name) + 256
	}
	out := make([]byte, 0, size)
	out = append(out, `{"tools":[`...)
	for i, t := range ts {
		if i > 0 {
			out = append(out, ',')
		}
		var err error
		if out, err = t.appendDefinition(out); err != nil {
			return nil, err
		}
	}
	return append(out, "]}"...), nil
}

// listings maps each server AddTo built to what it registered, whose
// tools/list results are encoded there.
var listings sync.Map // *server.MCPServer -> *surface

// errNoList is ListResult's error for a server AddTo did not build.
var errNoList = errors.New("tools: the server was not built by AddTo")

// ListResult returns the tools/list result of a session of a server AddTo
// built: the tools served from the start, plus in dynamic mode the
// toolsets the session loaded. Each set of toolsets is encoded once and
// its bytes reused; session "" is one that loaded nothing of its own (as
// stdio, whose loads are the server's). The error is errNoList, or that
// of a tool whose definition cannot be encoded.
func ListResult(s *server.MCPServer, session string) (json.RawMessage, error) {
	sv, found := listings.Load(s)
	if !found {
		return nil, errNoList
	}
	return sv.(*surface).list(session)
}
