package schemas

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
)

// Reflecting every tool's schemas took ~30 ms at each start, most of the
// server's cold start. They are reflected once, when the Go types change,
// into tools.gen.json, which the binary embeds and reads at start instead
// (`go test ./schemas -update` regenerates it; the test fails while it
// differs from what the types reflect). A tool missing from the file is
// reflected at run time, so a new tool works before regeneration.

//go:embed tools.gen.json
var generatedJSON []byte

// GeneratedFile is the file, relative to this package's folder, that holds
// the generated schemas.
const GeneratedFile = "tools.gen.json"

// ToolSchemas are one tool's input and output schemas.
type ToolSchemas struct {
	Input  json.RawMessage `json:"inputSchema"`
	Output json.RawMessage `json:"outputSchema"`
}

var generated = sync.OnceValues(func() (map[string]ToolSchemas, error) {
	var m map[string]ToolSchemas
	if err := json.Unmarshal(generatedJSON, &m); err != nil {
		return nil, fmt.Errorf("schemas: embedded %s: %w", GeneratedFile, err)
	}
	return m, nil
})

// Generated returns the schemas generated for a tool, if the embedded file
// has them.
func Generated(tool string) (ToolSchemas, bool) {
	m, err := generated()
	if err != nil {
		return ToolSchemas{}, false
	}
	s, ok := m[tool]
	return s, ok
}

// EncodeGenerated writes the generated file's content: one tool per line,
// sorted by name, so that a change shows as that tool's line in a diff.
func EncodeGenerated(names []string, byName map[string]ToolSchemas) ([]byte, error) {
	out := []byte("{\n")
	for i, name := range names {
		key, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		val, err := json.Marshal(byName[name])
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, key...), ':'), val...)
		if i < len(names)-1 {
			out = append(out, ',')
		}
		out = append(out, '\n')
	}
	return append(out, "}\n"...), nil
}
