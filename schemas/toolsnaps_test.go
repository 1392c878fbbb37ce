//go:build schemagen

package schemas_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools"
)

var update = flag.Bool("update", false, "rewrite tools.gen.json and testdata/toolsnaps/ from the Go types")

const snapDir = "testdata/toolsnaps"

// reflected reflects every registered tool's schemas from its Go types.
func reflected(t *testing.T) ([]string, map[string]schemas.ToolSchemas) {
	t.Helper()
	var names []string
	byName := map[string]schemas.ToolSchemas{}
	for _, tool := range tools.All() {
		in, out, err := tool.Reflect()
		require.NoError(t, err, tool.Name)
		names = append(names, tool.Name)
		byName[tool.Name] = schemas.ToolSchemas{Input: in, Output: out}
	}
	slices.Sort(names)
	return names, byName
}

// TestGeneratedSchemas fails while the schemas embedded in the binary
// (tools.gen.json) differ from what the Go types reflect. Run `go test
// -tags schemagen ./schemas -update` after changing a tool's input or
// output type.
func TestGeneratedSchemas(t *testing.T) {
	names, byName := reflected(t)
	want, err := schemas.EncodeGenerated(names, byName)
	require.NoError(t, err)
	wantIndex, err := schemas.EncodeIndex(want)
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(schemas.GeneratedFile, want, 0o644))
		require.NoError(t, os.WriteFile(schemas.IndexFile, wantIndex, 0o644))
		return
	}
	for file, want := range map[string][]byte{schemas.GeneratedFile: want, schemas.IndexFile: wantIndex} {
		got, err := os.ReadFile(file)
		require.NoError(t, err)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s is stale; run `go test -tags schemagen ./schemas -update` and review the diff.\n%s", file, firstDiff(got, want))
		}
	}
	for _, name := range names {
		g, ok := schemas.Generated(name)
		if assert.True(t, ok, "embedded schemas of %s", name) {
			assert.JSONEq(t, string(byName[name].Input), string(g.Input), name)
			assert.JSONEq(t, string(byName[name].Output), string(g.Output), name)
		}
	}
}

// snapshot is one tool as a model's client sees it.
type snapshot struct {
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Toolset     string          `json:"toolset"`
	Description string          `json:"description"`
	Annotations map[string]bool `json:"annotations"`
	Input       json.RawMessage `json:"inputSchema"`
	Output      json.RawMessage `json:"outputSchema"`
	Meta        map[string]any  `json:"_meta,omitempty"`
}

// TestToolSnapshots keeps one snapshot per tool in testdata/toolsnaps, so
// that a change to what a model is shown is that tool's reviewed diff. A
// missing, extra or stale snapshot fails; `go test -tags schemagen
// ./schemas -update` rewrites them.
func TestToolSnapshots(t *testing.T) {
	want := map[string][]byte{}
	for _, tool := range tools.All() {
		in, out, err := tool.Reflect()
		require.NoError(t, err, tool.Name)
		a := tool.Annotations
		raw, err := json.MarshalIndent(snapshot{
			Name: tool.Name, Title: tool.DisplayTitle(), Toolset: string(tool.Toolset), Description: tool.Description,
			Annotations: map[string]bool{"readOnlyHint": a.ReadOnly, "destructiveHint": a.Destructive, "idempotentHint": a.Idempotent, "openWorldHint": a.OpenWorld},
			Input:       in, Output: out, Meta: tool.Meta(),
		}, "", "  ")
		require.NoError(t, err)
		want[tool.Name+".json"] = append(raw, '\n')
	}
	entries, err := os.ReadDir(snapDir)
	if err != nil && !(*update && os.IsNotExist(err)) {
		require.NoError(t, err, "no snapshots: run go test -tags schemagen ./schemas -update")
	}
	if *update {
		require.NoError(t, os.MkdirAll(snapDir, 0o755))
		for _, e := range entries {
			if _, ok := want[e.Name()]; !ok {
				require.NoError(t, os.Remove(filepath.Join(snapDir, e.Name())))
			}
		}
		for file, raw := range want {
			require.NoError(t, os.WriteFile(filepath.Join(snapDir, file), raw, 0o644))
		}
		return
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok {
			t.Errorf("%s: snapshot of a tool that is not registered; run `go test -tags schemagen ./schemas -update`", e.Name())
		}
	}
	for file, raw := range want {
		got, err := os.ReadFile(filepath.Join(snapDir, file))
		if err != nil {
			t.Errorf("%s: no snapshot; run `go test -tags schemagen ./schemas -update`", file)
			continue
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("%s: the tool changed; review the diff and run `go test -tags schemagen ./schemas -update` to accept it.\n%s", file, firstDiff(got, raw))
		}
	}
}

// firstDiff shows the first differing line.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}
