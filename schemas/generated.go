// Package schemas holds the JSON Schemas of the tools' inputs and outputs.
// They are reflected from the Go types, by the one reflector configuration
// of the project (so every tool's schema follows the same rules) with
// helpers for the union and enum types of the query surface, and generated
// into a file the server embeds.
//
// The reflector, and every type's JSONSchema method, is built only with the
// schemagen tag: the server binary reads the generated file and does not
// link invopop/jsonschema and its dependencies (go/parser, go/doc, a YAML
// library), whose package inits cost every start.
package schemas

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// Reflecting every tool's schemas took ~30 ms at each start, most of the
// server's cold start. They are reflected once, when the Go types change,
// into tools.gen.json, which the binary embeds and reads at start instead
// (`go test -tags schemagen ./schemas -update` regenerates it; the test
// fails while it differs from what the types reflect). A tool missing from
// the file has no schemas in the server: its definition is an error naming
// that command, and the start stops on it. A schemagen build reflects it,
// so tests can build tools of their own.

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

// line finds a tool's line, `"name":{...},`, by binary search over the
// file, whose lines EncodeGenerated sorts by name. It reads only the lines
// it probes: indexing the whole file at start touched every page of it for
// the few tools a selection serves. A probe finds the first line that
// starts at or after the middle with bytes.IndexByte (vectorized; looking
// back for the line's start, byte by byte, cost most of a start's schema
// lookups).
func line(data []byte, name string) ([]byte, bool) {
	// Only the tools' lines, between "{" and "}".
	data = bytes.TrimSuffix(bytes.TrimRight(data, "\n"), []byte("}"))
	data = bytes.TrimPrefix(data, []byte("{\n"))
	// Lines that start in [lo, hi) are left; lo and hi are line starts.
	lo, hi := 0, len(data)
	for lo < hi {
		start := (lo + hi) / 2
		if start > lo && data[start-1] != '\n' {
			nl := bytes.IndexByte(data[start:hi], '\n')
			if nl < 0 {
				hi = start // no line starts in [start, hi)
				continue
			}
			start += nl + 1
			if start >= hi {
				hi = (lo + hi) / 2
				continue
			}
		}
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		key, value := splitLine(data[start:end])
		switch {
		case key == name:
			return value, true
		case key < name:
			lo = end + 1
		default:
			hi = start
		}
	}
	return nil, false
}

// splitLine splits `"name":value,` into name and value.
func splitLine(l []byte) (string, []byte) {
	l = bytes.TrimRight(l, ",")
	if len(l) < 2 || l[0] != '"' {
		return "", nil
	}
	end := bytes.IndexByte(l[1:], '"') + 1
	if end <= 0 || end+1 >= len(l) || l[end+1] != ':' {
		return "", nil
	}
	return string(l[1:end]), l[end+2:]
}

// outKey separates a line's two schemas. As an unescaped key it cannot
// occur inside a JSON string, and EncodeGenerated refuses an input schema
// with a property of that name, so its first occurrence is the separator.
const inKey, outKey = `{"inputSchema":`, `,"outputSchema":`

// Generated returns the schemas generated for a tool, if the embedded file
// has them. A line is `{"inputSchema":IN,"outputSchema":OUT}` as
// EncodeGenerated writes it, and the schemas are cut out of it at outKey,
// found with bytes.Index: no decoding, no byte-by-byte scan. The file is
// trusted as the generator wrote it: the schemas test fails when it
// differs from what the Go types reflect.
func Generated(tool string) (ToolSchemas, bool) {
	raw, ok := line(generatedJSON, tool)
	if !ok {
		return ToolSchemas{}, false
	}
	rest, ok := bytes.CutPrefix(raw, []byte(inKey))
	if !ok {
		return ToolSchemas{}, false
	}
	n := bytes.Index(rest, []byte(outKey))
	if n < 0 {
		return ToolSchemas{}, false
	}
	out := rest[n+len(outKey):]
	if len(out) < 2 || out[len(out)-1] != '}' {
		return ToolSchemas{}, false
	}
	s := ToolSchemas{Input: rest[:n:n], Output: out[: len(out)-1 : len(out)-1]}
	if string(s.Output) == "null" {
		s.Output = nil
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
		if in, err := json.Marshal(byName[name].Input); err != nil || bytes.Contains(in, []byte(outKey)) {
			return nil, fmt.Errorf("tool %s: its input schema has a property named outputSchema, where Generated would cut the line; rename it", name)
		}
		out = append(append(append(out, key...), ':'), val...)
		if i < len(names)-1 {
			out = append(out, ',')
		}
		out = append(out, '\n')
	}
	return append(out, "}\n"...), nil
}
