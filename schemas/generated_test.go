package schemas

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// EncodeIndex locates every schema of a file EncodeGenerated wrote: many
// lines of mixed lengths, an output of null, the last line without a comma.
func TestEncodeIndex(t *testing.T) {
	var names []string
	byName := map[string]ToolSchemas{}
	for i := range 300 {
		name := fmt.Sprintf("t%03d", i)
		names = append(names, name)
		in := fmt.Sprintf(`{"type":"object","description":%q}`, strings.Repeat("x", (i*7919)%1500))
		var out json.RawMessage
		if i%7 != 0 {
			out = json.RawMessage(fmt.Sprintf(`{"type":"object","title":"%d"}`, i))
		}
		byName[name] = ToolSchemas{Input: json.RawMessage(in), Output: out}
	}
	file, err := EncodeGenerated(names, byName)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := EncodeIndex(file)
	if err != nil {
		t.Fatal(err)
	}
	// Each entry line of the index, parsed back: {"name", in, inEnd, out, outEnd},
	lines := strings.Split(strings.TrimSpace(string(idx)), "\n")
	var entries []string
	for _, l := range lines {
		if strings.HasPrefix(l, "\t{") {
			entries = append(entries, l)
		}
	}
	if len(entries) != len(names) {
		t.Fatalf("%d entries, want %d", len(entries), len(names))
	}
	for i, l := range entries {
		var name string
		var in, inEnd, out, outEnd int
		if _, err := fmt.Sscanf(strings.TrimSpace(l), "{%q, %d, %d, %d, %d},", &name, &in, &inEnd, &out, &outEnd); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		want := byName[names[i]]
		if name != names[i] || string(file[in:inEnd]) != string(want.Input) || string(file[out:outEnd]) != string(want.Output) {
			t.Errorf("entry %s = %s / %s, want %s / %s", name, file[in:inEnd], file[out:outEnd], want.Input, want.Output)
		}
	}
	for _, bad := range []string{"", "{\n\"b\":{\"inputSchema\":{},\"outputSchema\":null},\n\"a\":{\"inputSchema\":{},\"outputSchema\":null}\n}\n", "{\n\"a\":{\"inputSchema\":{}}\n}\n"} {
		if _, err := EncodeIndex([]byte(bad)); err == nil {
			t.Errorf("EncodeIndex(%q) = nil error", bad)
		}
	}
}

// Every tool of the embedded file is found through the embedded index,
// and nothing else is.
func TestGeneratedLooksUpTheIndex(t *testing.T) {
	if len(generatedIndex) == 0 {
		t.Fatal("empty index")
	}
	for _, e := range generatedIndex {
		s, ok := Generated(e.name)
		if !ok || !json.Valid(s.Input) || (s.Output != nil && !json.Valid(s.Output)) {
			t.Errorf("Generated(%q) = %s, %s, %v", e.name, s.Input, s.Output, ok)
		}
	}
	for _, name := range []string{"", "0", "zzz", generatedIndex[0].name + "_"} {
		if _, ok := Generated(name); ok {
			t.Errorf("Generated(%q) found", name)
		}
	}
}

// A line is cut at the first ,"outputSchema": so an input schema that has
// one is refused rather than written.
func TestEncodeGeneratedRefusesAmbiguousLine(t *testing.T) {
	in := ToolSchemas{Input: []byte(`{"type":"object","properties":{"a":{},"outputSchema":{}}}`), Output: []byte(`{"type":"object"}`)}
	if _, err := EncodeGenerated([]string{"x"}, map[string]ToolSchemas{"x": in}); err == nil || !strings.Contains(err.Error(), "outputSchema") {
		t.Errorf("EncodeGenerated = %v, want a refusal naming outputSchema", err)
	}
	in.Input = []byte(`{"type":"object","properties":{"outputSchema":{}}}`) // the first property: no comma before it
	if _, err := EncodeGenerated([]string{"x"}, map[string]ToolSchemas{"x": in}); err != nil {
		t.Errorf("EncodeGenerated = %v, want it written", err)
	}
}
