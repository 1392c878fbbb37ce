// Package toolref finds the names in model-facing text that point at a
// tool: snake_case words that start with a tool verb (list_events,
// create_bookmark). Texts must only name tools the server serves; prompts
// use it to offer a workflow only when every tool it names is there, and
// the tests use it to check every text a model can see.
package toolref

import (
	"regexp"
	"slices"
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
var notTools = map[string]string{
	"list_contains": "a filter operator",
	"list_item":     "a breakdown kind",
	"search_term":   "an argument",
	"export_types":  "an argument of export_lexicon",
	"add_to_cart":   "an event of the demo project",
	"query_type":    "a result field",
	"delete_count":  "a result field of delete_schemas",
}

var nameRe = func() *regexp.Regexp {
	alts := ""
	for i, v := range Verbs {
		if i > 0 {
			alts += "|"
		}
		alts += v
	}
	return regexp.MustCompile(`\b(?:` + alts + `)_[a-z0-9]+(?:_[a-z0-9]+)*\b`)
}()

// Find returns the distinct tool-like names in text, in order of first
// appearance.
func Find(text string) []string {
	var out []string
	for _, m := range nameRe.FindAllString(text, -1) {
		if _, skip := notTools[m]; skip || slices.Contains(out, m) {
			continue
		}
		out = append(out, m)
	}
	return out
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
