package schemas

import (
	"fmt"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	data := []byte("{\n\"a\":{\"x\":1},\n\"b_c\":2,\n\"d\":[3],\n\"e\":4\n}\n")
	for name, want := range map[string]string{"a": `{"x":1}`, "b_c": "2", "d": "[3]", "e": "4"} {
		got, ok := line(data, name)
		if !ok || string(got) != want {
			t.Errorf("line(%q) = %s, %v; want %s", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "0", "b", "c", "z", "{", "}"} {
		if got, ok := line(data, name); ok {
			t.Errorf("line(%q) found %s", name, got)
		}
	}
	// Many lines of mixed lengths: every one is found, nothing between.
	var names []string
	file := []byte("{\n")
	for i := range 300 {
		name := fmt.Sprintf("t%03d", i)
		names = append(names, name)
		file = fmt.Appendf(file, "%q:%q,\n", name, strings.Repeat("x", (i*7919)%1500))
	}
	file = append(file[:len(file)-2], "\n}\n"...)
	for i, name := range names {
		got, ok := line(file, name)
		if !ok || len(got) != 2+(i*7919)%1500 {
			t.Errorf("line(%q) = %d bytes, %v; want %d", name, len(got), ok, 2+(i*7919)%1500)
		}
		if _, ok := line(file, name+"a"); ok {
			t.Errorf("line(%q) found", name+"a")
		}
	}
	if _, ok := line(generatedJSON, "no_such_tool"); ok {
		t.Error("no_such_tool found in the generated file")
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
