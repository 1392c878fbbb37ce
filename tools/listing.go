package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// tools/list is the largest message a server sends (~300 KB with every
// toolset), and mcp-go encodes it anew for each request: each definition
// through a map, each schema compacted twice. A server whose tool surface
// is fixed (not in dynamic mode) answers it with bytes encoded once, in
// front of mcp-go (cmd/mcp-server); each definition is encoded once per
// process by mcp-go's own encoder, with the schemas spliced in as
// generated.

const (
	inPlaceholder  = `"mixpanel-mcp:input-schema"`
	outPlaceholder = `"mixpanel-mcp:output-schema"`
)

// encoded is the tool's definition as tools/list carries it. mcp-go's
// encoding (mcp.Tool.MarshalJSON) writes every field but the schemas, so
// whatever it writes (title, annotations, _meta, ...) is written the same
// way; the schemas, compact already, are spliced in without being decoded
// or re-encoded.
func (t *Tool) encoded() ([]byte, error) {
	t.encOnce.Do(func() {
		def, err := t.Definition()
		if err != nil {
			t.encErr = err
			return
		}
		in, out := def.RawInputSchema, def.RawOutputSchema
		def.RawInputSchema = json.RawMessage(inPlaceholder)
		if out != nil {
			def.RawOutputSchema = json.RawMessage(outPlaceholder)
		}
		b, err := json.Marshal(def)
		if err != nil {
			t.encErr = fmt.Errorf("tool %s: %w", t.Name, err)
			return
		}
		b = splice(b, []byte(inPlaceholder), in)
		if out != nil {
			b = splice(b, []byte(outPlaceholder), out)
		}
		t.enc = b
	})
	return t.enc, t.encErr
}

// splice replaces the first placeholder in b with value.
func splice(b, placeholder, value []byte) []byte {
	i := bytes.Index(b, placeholder)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)-len(placeholder)+len(value))
	out = append(append(append(out, b[:i]...), value...), b[i+len(placeholder):]...)
	return out
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
