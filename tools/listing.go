package tools

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// tools/list is the largest message a server sends (~300 KB with every
// toolset), and mcp-go encodes it anew for each request: each definition
// through a map, each schema compacted twice. A server whose tool surface
// is fixed (not in dynamic mode) answers it with bytes encoded once, in
// front of mcp-go (cmd/mcp-server); each definition is encoded once per
// process (encoded).

// encoded is the tool's definition as tools/list carries it, written as
// mcp-go's Tool.MarshalJSON writes it (the keys of its map in sorted
// order, strings escaped by encoding/json) with the schemas, compact
// already, copied in as generated: no map, no reflection over the
// definition, no second pass over the schemas. A definition with a field
// this server never sets is left to mcp-go's encoding. The tests compare
// the result with mcp-go's answer byte for byte, for every selection.
func (t *Tool) encoded() ([]byte, error) {
	t.encOnce.Do(func() {
		def, err := t.Definition()
		if err == nil {
			t.enc, err = encodeDefinition(def)
		}
		if err != nil {
			t.encErr = fmt.Errorf("tool %s: %w", t.Name, err)
		}
	})
	return t.enc, t.encErr
}

func encodeDefinition(def mcp.Tool) ([]byte, error) {
	if def.DeferLoading || def.Icons != nil || def.Execution != nil || def.RawInputSchema == nil ||
		def.InputSchema.Type != "" || def.OutputSchema.Type != "" {
		return json.Marshal(def)
	}
	annotations, err := json.Marshal(def.Annotations)
	if err != nil {
		return nil, err
	}
	b := make([]byte, 0, 128+len(def.Description)+len(annotations)+len(def.RawInputSchema)+len(def.RawOutputSchema))
	b = append(b, '{')
	if def.Meta != nil {
		meta, err := json.Marshal(def.Meta)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, `"_meta":`...), meta...), ',')
	}
	b = append(append(b, `"annotations":`...), annotations...)
	if def.Description != "" {
		b = appendString(append(b, `,"description":`...), def.Description)
	}
	b = append(append(b, `,"inputSchema":`...), def.RawInputSchema...)
	b = appendString(append(b, `,"name":`...), def.Name)
	if def.RawOutputSchema != nil {
		b = append(append(b, `,"outputSchema":`...), def.RawOutputSchema...)
	}
	if def.Title != "" {
		b = appendString(append(b, `,"title":`...), def.Title)
	}
	return append(b, '}'), nil
}

// appendString appends s as encoding/json writes a string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// encodeInBackground starts encoding the tools/list result of ts and
// returns the function that answers it. The definitions are encoded on a
// goroutine of its own while the caller registers the tools and builds the
// rest of the server (a start has two cores to use); the first caller of
// the function, done with that, encodes what is left alongside it.
func encodeInBackground(ts []*Tool) func() (json.RawMessage, error) {
	var next atomic.Int64
	work := func() {
		for i := int(next.Add(1)) - 1; i < len(ts); i = int(next.Add(1)) - 1 {
			_, _ = ts[i].encoded() // an error is listResult's to report
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		work()
	}()
	return sync.OnceValues(func() (json.RawMessage, error) {
		work()
		<-done
		return listResult(ts)
	})
}

// listResult encodes the result of tools/list for ts in name order, as
// mcp-go lists them.
func listResult(ts []*Tool) (json.RawMessage, error) {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b *Tool) int { return strings.Compare(a.Name, b.Name) })
	encs := make([][]byte, len(ts))
	size := len(`{"tools":[]}`) + len(ts)
	for i, t := range ts {
		b, err := t.encoded()
		if err != nil {
			return nil, err
		}
		encs[i] = b
		size += len(b)
	}
	out := make([]byte, 0, size)
	out = append(out, `{"tools":[`...)
	for i, b := range encs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, b...)
	}
	return append(out, "]}"...), nil
}

// listings maps each server AddTo built to its encoded tools/list result.
var listings sync.Map // *server.MCPServer -> func() (json.RawMessage, error)

// ListResult returns the tools/list result of a server AddTo built, encoded
// once, when its tool surface is fixed; ok is false in dynamic mode (each
// session has its own list, which mcp-go answers) or for another server.
func ListResult(s *server.MCPServer) (result json.RawMessage, ok bool) {
	f, found := listings.Load(s)
	if !found {
		return nil, false
	}
	res, err := f.(func() (json.RawMessage, error))()
	return res, err == nil
}
