package tools

import (
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

// The client and query packages know nothing of MCP: their errors say what
// is wrong and what kind of value would fix it, and name no tool. This file
// is where a failure is turned into a pointer at the tool that helps.

// needHints maps what a query issue's fix needs to the tool that lists it.
// A need without an entry (a custom property id: no tool lists them yet)
// gets no hint.
var needHints = sync.OnceValue(func() map[query.Need]string {
	return map[query.Need]string{
		query.NeedEventName:       "list_events shows the project's event names.",
		query.NeedCohortID:        "list_cohorts shows the saved cohorts and their ids.",
		query.NeedBookmarkID:      "list_bookmarks shows the saved reports and their ids.",
		query.NeedAlertID:         "list_alerts shows the alerts and their ids.",
		query.NeedFlagState:       "get_feature_flag shows the flag's current ruleset.",
		query.NeedPropertyName:    "list_properties shows an event's properties.",
		query.NeedDropFilterID:    "list_drop_filters shows the drop filters and their ids.",
		query.NeedLookupTableID:   "list_lookup_tables shows the lookup tables and their ids.",
		query.NeedLookupUploadKey: "get_lookup_upload_url answers the key with the upload URL.",
	}
})

// toolHints returns the lines that point the model at a tool for err, or
// nil when no tool helps. has says which tools the session is served: a
// hint at a tool it lacks (a toolset not selected) is left out.
func toolHints(err error, has func(string) bool) []string {
	var out []string
	add := func(h string) {
		if h != "" && !slices.Contains(out, h) && len(toolref.Missing(h, has)) == 0 {
			out = append(out, h)
		}
	}
	var issues query.Issues
	var ve *query.ValidationError
	if errors.As(err, &ve) {
		issues = ve.Issues
	}
	var ie *mixpanel.InputError
	if errors.As(err, &ie) {
		issues = ie.Issues
	}
	for _, is := range issues {
		add(needHints()[is.Needs])
	}
	var notFound *mixpanel.EventNotFoundError
	if errors.As(err, &notFound) && len(notFound.Similar) == 0 {
		add(needHints()[query.NeedEventName])
	}
	var replayGone *mixpanel.ReplayNotFoundError
	if errors.As(err, &replayGone) {
		add("list_replays shows the replays that still exist.")
	}
	var missing *mixpanel.MissingSettingError
	if errors.As(err, &missing) && missing.Setting == "MP_PROJECT_ID" {
		add("list_projects shows the projects these credentials can see.")
	}
	return out
}

// withToolHints appends err's tool hints to text, one per line.
func withToolHints(text string, err error, has func(string) bool) string {
	if hints := toolHints(err, has); len(hints) > 0 {
		return text + "\n" + strings.Join(hints, "\n")
	}
	return text
}
