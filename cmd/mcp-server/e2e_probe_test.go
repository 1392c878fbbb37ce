package main

import "testing"

// probe is a cheap read-only tool call the end-to-end tests use.
type probe struct {
	name string
	args map[string]any
}

// probeTool is list_events once the discovery toolset exists.
func probeTool(t *testing.T) probe {
	t.Helper()
	return probe{name: "list_events", args: map[string]any{"limit": 5}}
}

// e2eTools are tools every build must serve.
func e2eTools() []string { return []string{"list_events", "me"} }
