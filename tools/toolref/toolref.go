// Package toolref finds the names in model-facing text that point at a
// tool: snake_case words that start with a tool verb (list_events,
// create_bookmark). Texts must only name tools the server serves; prompts
// use it to offer a workflow only when every tool it names is there, and
// the tests use it to check every text a model can see.
package toolref

import (
	"slices"
	"strings"
	"sync"
)

// Verbs are the leading words of tool names (the reference's method names).
var Verbs = []string{
	"list", "get", "create", "update", "delete", "query", "build", "fetch",
	"set", "clear", "enable", "disable", "export", "import", "run", "add",
	"remove", "cancel", "launch", "archive", "restore", "duplicate",
	"validate", "search", "pin", "unpin", "favorite", "share", "bulk",
	"conclude", "decide", "rename", "merge", "use", "switch",
}

// notTools are words shaped like tool names that name something else.
var notTools = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"list_contains": "a filter operator",
		"list_item":     "a breakdown kind",
		"search_term":   "an argument",
		"export_types":  "an argument of export_lexicon",
		"add_to_cart":   "an event of the demo project",
		"query_type":    "a result field",
		"delete_count":  "a result field of delete_schemas",
	}
})

// verbs is Verbs as a set.
var verbs = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, len(Verbs))
	for _, v := range Verbs {
		m[v] = true
	}
	return m
})

// Find returns the distinct tool-like names in text, in order of first
// appearance: the words (maximal runs of ASCII letters, digits and '_')
// made of two or more lowercase [a-z0-9] parts joined by single
// underscores, the first of which is a verb.
func Find(text string) []string {
	var out []string
	for i := 0; i < len(text); {
		if !isWord(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isWord(text[j]) {
			j++
		}
		if w := text[i:j]; toolShaped(w) && notTools()[w] == "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
		i = j
	}
	return out
}

func isWord(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// toolShaped: verb_part(_part)*, every part non-empty lowercase [a-z0-9].
func toolShaped(w string) bool {
	verb, rest, ok := strings.Cut(w, "_")
	if !ok || !verbs()[verb] {
		return false
	}
	for _, part := range strings.Split(rest, "_") {
		if part == "" || strings.IndexFunc(part, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') }) >= 0 {
			return false
		}
	}
	return true
}

// Missing returns the tool-like names in text that has does not know.
func Missing(text string, has func(string) bool) []string {
	var out []string
	for _, name := range Find(text) {
		if !has(name) {
			out = append(out, name)
		}
	}
	return out
}
