package tools

import (
	"fmt"
	"strings"
)

// Instructions are the server's instructions, sent at initialize: how to
// work with these tools, in a few lines. They name only tools has reports
// served (Env.Has after AddTo), so a narrow --toolsets never points a
// model at a tool it cannot call.
func Instructions(has func(string) bool) string {
	served := func(names ...string) []string {
		var out []string
		for _, n := range names {
			if has(n) {
				out = append(out, n)
			}
		}
		return out
	}
	var steps []string
	if d := served("list_events", "list_properties", "list_property_values"); len(d) > 0 {
		steps = append(steps, "Discover before you query: "+andList(d)+" give the exact names and values; queries with guessed names return empty results.")
	}
	if q := served("query_insights", "query_funnel", "query_retention", "query_flow"); len(q) > 0 {
		steps = append(steps, "Query with "+andList(q)+". Pass dry_run=true to see the bookmark params without running the query.")
	}
	steps = append(steps, "Results are compact tables; the full typed result is in structuredContent. Narrow wide queries (fewer segments, shorter ranges) rather than paging through huge ones.")
	var b strings.Builder
	b.WriteString("Mixpanel analytics tools. Work like an analyst:\n")
	for i, s := range steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	names := make([]string, 0, len(Toolsets))
	for _, ts := range Toolsets {
		names = append(names, string(ts.Name))
	}
	fmt.Fprintf(&b, "Tools are grouped in toolsets (%s)", strings.Join(names, ", "))
	if has("list_toolsets") && has("enable_toolset") {
		b.WriteString("; list_toolsets shows them and enable_toolset loads one")
	}
	b.WriteString("; errors name the field to fix.")
	return b.String()
}

// andList joins names as "a, b and c".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
