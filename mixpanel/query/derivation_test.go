package query

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// derivation says how an extra case's expected params follow from the
// reference's own output: start from the expected params of reference case
// From (testdata/cases.json) and apply Edits in order. Every value an edit
// writes is either the spec's own argument or copied from another
// reference case, and its Why names the reference case (or, once, the
// reference source) that shows the shape; the code under test writes none.
type derivation struct {
	From  string `json:"from"`
	Edits []edit `json:"edits"`
}

// edit is one step of a derivation: Op "add", "replace" or "remove" at the
// JSON pointer Path (RFC 6901). The written value is Value, or, when Copy
// is set, the value at Copy.Path in the expected params of reference case
// Copy.Case. "add" on an array index inserts before it.
type edit struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
	Copy  *struct {
		Case string `json:"case"`
		Path string `json:"path"`
	} `json:"copy,omitempty"`
	Why string `json:"why"`
}

// referenceOutputs maps each valid case id of testdata/cases.json to its
// decoded expected params.
func referenceOutputs(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []bookmarkCase
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]json.RawMessage{}
	for _, c := range all {
		if c.Expected != nil {
			out[c.ID] = c.Expected
		}
	}
	return out
}

// apply computes the derived expected params.
func (d *derivation) apply(reference map[string]json.RawMessage) (json.RawMessage, error) {
	base, ok := reference[d.From]
	if !ok {
		return nil, fmt.Errorf("from %q: no reference case with expected params", d.From)
	}
	var doc any
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, err
	}
	if len(d.Edits) == 0 {
		return nil, fmt.Errorf("no edits: use the reference case itself")
	}
	for i, e := range d.Edits {
		if strings.TrimSpace(e.Why) == "" {
			return nil, fmt.Errorf("edit %d (%s %s) says not why", i, e.Op, e.Path)
		}
		var value any
		switch {
		case e.Op == "remove":
			if e.Value != nil || e.Copy != nil {
				return nil, fmt.Errorf("edit %d: remove takes no value", i)
			}
		case e.Copy != nil && e.Value == nil:
			src, ok := reference[e.Copy.Case]
			if !ok {
				return nil, fmt.Errorf("edit %d: copy from %q: no reference case with expected params", i, e.Copy.Case)
			}
			var from any
			if err := json.Unmarshal(src, &from); err != nil {
				return nil, err
			}
			v, err := pointerGet(from, e.Copy.Path)
			if err != nil {
				return nil, fmt.Errorf("edit %d: copy from %s: %w", i, e.Copy.Case, err)
			}
			value = v
		case e.Copy == nil && e.Value != nil:
			if err := json.Unmarshal(e.Value, &value); err != nil {
				return nil, fmt.Errorf("edit %d: %w", i, err)
			}
		default:
			return nil, fmt.Errorf("edit %d (%s %s) needs exactly one of value and copy", i, e.Op, e.Path)
		}
		var err error
		if doc, err = pointerSet(doc, e.Op, e.Path, value); err != nil {
			return nil, fmt.Errorf("edit %d (%s %s): %w", i, e.Op, e.Path, err)
		}
	}
	return json.Marshal(doc)
}

func pointerTokens(path string) ([]string, error) {
	if path == "" || path[0] != '/' {
		return nil, fmt.Errorf("pointer %q must start with /", path)
	}
	toks := strings.Split(path[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

func pointerGet(doc any, path string) (any, error) {
	toks, err := pointerTokens(path)
	if err != nil {
		return nil, err
	}
	for _, tok := range toks {
		switch node := doc.(type) {
		case map[string]any:
			v, ok := node[tok]
			if !ok {
				return nil, fmt.Errorf("%s: no key %q", path, tok)
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(node) {
				return nil, fmt.Errorf("%s: no index %q", path, tok)
			}
			doc = node[i]
		default:
			return nil, fmt.Errorf("%s: %q is inside a scalar", path, tok)
		}
	}
	return doc, nil
}

// pointerSet applies one operation and returns the new document. "replace"
// and "remove" need the target to exist, "add" needs it not to (on objects).
func pointerSet(doc any, op, path string, value any) (any, error) {
	toks, err := pointerTokens(path)
	if err != nil {
		return nil, err
	}
	parentPath := "/" + strings.Join(toks[:len(toks)-1], "/")
	parent := doc
	if len(toks) > 1 {
		if parent, err = pointerGet(doc, parentPath); err != nil {
			return nil, err
		}
	}
	last := toks[len(toks)-1]
	switch node := parent.(type) {
	case map[string]any:
		_, exists := node[last]
		switch {
		case op == "add" && exists:
			return nil, fmt.Errorf("key %q exists; use replace", last)
		case op != "add" && !exists:
			return nil, fmt.Errorf("no key %q", last)
		case op == "remove":
			delete(node, last)
		case op == "add" || op == "replace":
			node[last] = value
		default:
			return nil, fmt.Errorf("unknown op %q", op)
		}
		return doc, nil
	case []any:
		i, err := strconv.Atoi(last)
		limit := len(node)
		if op == "add" {
			limit++
		}
		if err != nil || i < 0 || i >= limit {
			return nil, fmt.Errorf("no index %q", last)
		}
		var next []any
		switch op {
		case "add":
			next = append(append(append([]any{}, node[:i]...), value), node[i:]...)
		case "replace":
			next = append([]any{}, node...)
			next[i] = value
		case "remove":
			next = append(append([]any{}, node[:i]...), node[i+1:]...)
		default:
			return nil, fmt.Errorf("unknown op %q", op)
		}
		if len(toks) == 1 {
			return next, nil
		}
		return pointerSet(doc, "replace", parentPath, next)
	default:
		return nil, fmt.Errorf("parent of %q is a scalar", last)
	}
}

// TestDerivationEdits pins the edit semantics the derived cases rely on.
func TestDerivationEdits(t *testing.T) {
	ref := map[string]json.RawMessage{
		"base":  json.RawMessage(`{"a":{"b":[1,2]},"c":"x"}`),
		"other": json.RawMessage(`{"k":{"v":true}}`),
	}
	cases := []struct {
		name  string
		edits string
		want  string
		fails bool
	}{
		{"replace", `[{"op":"replace","path":"/c","value":"y","why":"w"}]`, `{"a":{"b":[1,2]},"c":"y"}`, false},
		{"add into array", `[{"op":"add","path":"/a/b/1","value":9,"why":"w"}]`, `{"a":{"b":[1,9,2]},"c":"x"}`, false},
		{"append to array", `[{"op":"add","path":"/a/b/2","value":9,"why":"w"}]`, `{"a":{"b":[1,2,9]},"c":"x"}`, false},
		{"remove from array", `[{"op":"remove","path":"/a/b/0","why":"w"}]`, `{"a":{"b":[2]},"c":"x"}`, false},
		{"copy", `[{"op":"add","path":"/d","copy":{"case":"other","path":"/k"},"why":"w"}]`, `{"a":{"b":[1,2]},"c":"x","d":{"v":true}}`, false},
		{"remove key", `[{"op":"remove","path":"/c","why":"w"}]`, `{"a":{"b":[1,2]}}`, false},
		{"replace missing key", `[{"op":"replace","path":"/z","value":1,"why":"w"}]`, "", true},
		{"add existing key", `[{"op":"add","path":"/c","value":1,"why":"w"}]`, "", true},
		{"no why", `[{"op":"replace","path":"/c","value":"y"}]`, "", true},
		{"value and copy", `[{"op":"add","path":"/d","value":1,"copy":{"case":"other","path":"/k"},"why":"w"}]`, "", true},
		{"copy from unknown case", `[{"op":"add","path":"/d","copy":{"case":"nope","path":"/k"},"why":"w"}]`, "", true},
		{"index out of range", `[{"op":"replace","path":"/a/b/5","value":1,"why":"w"}]`, "", true},
		{"no edits", `[]`, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := derivation{From: "base"}
			if err := json.Unmarshal([]byte(tc.edits), &d.Edits); err != nil {
				t.Fatal(err)
			}
			got, err := d.apply(ref)
			if tc.fails {
				if err == nil {
					t.Fatalf("want an error, got %s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			_ = json.Unmarshal(got, &g)
			_ = json.Unmarshal([]byte(tc.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}
