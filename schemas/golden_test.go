package schemas_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

var update = flag.Bool("update", false, "rewrite testdata/tools.golden.json")

// TestToolSchemasGolden snapshots the input and output schema of every
// registered tool, so a change to what models see is always a reviewed
// diff. Run `go test ./schemas -update` to accept a change.
func TestToolSchemasGolden(t *testing.T) {
	type entry struct {
		Name        string          `json:"name"`
		Toolset     string          `json:"toolset"`
		Description string          `json:"description"`
		Annotations map[string]bool `json:"annotations"`
		Input       json.RawMessage `json:"inputSchema"`
		Output      json.RawMessage `json:"outputSchema"`
	}
	var all []entry
	for _, tool := range tools.All() {
		in, out, err := tool.Schemas()
		require.NoError(t, err, tool.Name)
		a := tool.Annotations
		all = append(all, entry{
			Name: tool.Name, Toolset: string(tool.Toolset), Description: tool.Description,
			Annotations: map[string]bool{"readOnlyHint": a.ReadOnly, "destructiveHint": a.Destructive, "idempotentHint": a.Idempotent, "openWorldHint": a.OpenWorld},
			Input:       in, Output: out,
		})
	}
	got, err := json.MarshalIndent(all, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", "tools.golden.json")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file: run go test ./schemas -update")
	if !bytes.Equal(want, got) {
		t.Fatalf("tool schemas changed; review the diff and run `go test ./schemas -update` to accept it.\n%s", firstDiff(want, got))
	}
}

// firstDiff shows the surroundings of the first differing line.
func firstDiff(a, b []byte) string {
	al, bl := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y []byte
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if !bytes.Equal(x, y) {
			return "line " + strconv.Itoa(i+1) + ":\n- " + string(x) + "\n+ " + string(y)
		}
	}
	return ""
}
