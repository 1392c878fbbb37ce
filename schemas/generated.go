package schemas

import (
	"bytes"
	_ "embed"
	"encoding/json"
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

// generated indexes the file by tool without decoding it: each line
// (EncodeGenerated) is one tool, `"name":{...},`. A server decodes only
// the lines of the tools it serves, when it first needs them.
var generated = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	for line := range bytes.Lines(generatedJSON) {
		line = bytes.TrimRight(line, ",\n")
		if len(line) < 2 || line[0] != '"' {
			continue
		}
		end := bytes.IndexByte(line[1:], '"') + 1
		if end <= 0 || end+1 >= len(line) || line[end+1] != ':' {
			continue
		}
		m[string(line[1:end])] = line[end+2:]
	}
	return m
})

// Generated returns the schemas generated for a tool, if the embedded file
// has them.
func Generated(tool string) (ToolSchemas, bool) {
	raw, ok := generated()[tool]
	if !ok {
		return ToolSchemas{}, false
	}
	var s ToolSchemas
	if err := json.Unmarshal(raw, &s); err != nil {
		return ToolSchemas{}, false
	}
	return s, true
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
