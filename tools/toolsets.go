package tools

import (
	"fmt"
	"slices"
	"strings"
)

// Toolset groups related tools; --toolsets picks which are served.
type Toolset string

// The toolsets. Their descriptions are in Toolsets.
const (
	ToolsetProject   Toolset = "project"
	ToolsetDiscovery Toolset = "discovery"
	ToolsetQuery     Toolset = "query"
	ToolsetReports   Toolset = "reports"
	ToolsetLegacy    Toolset = "legacy"
	ToolsetUsers     Toolset = "users"
	ToolsetExport    Toolset = "export"
	ToolsetReplays   Toolset = "replays"
	ToolsetContext   Toolset = "context"

	// Management toolsets (opt-in).
	ToolsetBookmarks   Toolset = "bookmarks"
	ToolsetDashboards  Toolset = "dashboards"
	ToolsetCohorts     Toolset = "cohorts"
	ToolsetFlags       Toolset = "flags"
	ToolsetExperiments Toolset = "experiments"
	ToolsetAnnotations Toolset = "annotations"
	ToolsetWebhooks    Toolset = "webhooks"
	ToolsetAlerts      Toolset = "alerts"
	ToolsetLexicon     Toolset = "lexicon"
	ToolsetGovernance  Toolset = "governance"
)

// ToolsetInfo describes one toolset. Default marks the analyst's core,
// served when --toolsets is not given; every other toolset is opt-in, so a
// new toolset costs no model context until someone asks for it.
type ToolsetInfo struct {
	Name        Toolset
	Description string
	Default     bool
}

// Toolsets describes every toolset, in the order help text lists them.
var Toolsets = []ToolsetInfo{
	{ToolsetProject, "who am I, projects, workspaces, the active project", true},
	{ToolsetDiscovery, "events, properties, values, saved funnels/cohorts/reports, Lexicon schemas, schema graph", true},
	{ToolsetQuery, "Insights, funnels, retention and flows queries", true},
	{ToolsetReports, "run, create, change and delete saved reports", true},
	{ToolsetUsers, "user profile queries and aggregates", true},
	{ToolsetReplays, "session replays: list, analyse, bundle", true},
	{ToolsetContext, "business context markdown for the organization and project", true},
	{ToolsetLegacy, "legacy Query API: segmentation, saved funnels, retention, counts, frequency, activity feed", false},
	{ToolsetExport, "raw event and profile export", false},
	{ToolsetBookmarks, "saved reports (bookmarks): create, read, update, delete, linked dashboards, history", false},
	{ToolsetDashboards, "create, change and delete dashboards, their cards and blueprints", false},
	{ToolsetCohorts, "build cohort definitions; create, change and delete cohorts", false},
	{ToolsetFlags, "feature flags: create, roll out, archive, test users, history", false},
	{ToolsetExperiments, "experiments: create, launch, conclude, decide, archive", false},
	{ToolsetAnnotations, "annotations on charts and their tags", false},
	{ToolsetWebhooks, "webhooks for alerts and cohort syncs", false},
	{ToolsetAlerts, "alerts on saved reports: create, test, history", false},
	{ToolsetLexicon, "Lexicon: event and property definitions, tags, history, data-quality checks", false},
	{ToolsetGovernance, "data governance: drop filters, custom properties and events, lookup tables, schemas, audit, anomalies, GDPR deletions", false},
}

// Selection says which tools a server offers.
type Selection struct {
	// Toolsets are the toolsets served, or in dynamic mode the toolsets a
	// model may load. Nil means the default toolsets, or in dynamic mode
	// every toolset.
	Toolsets []string
	ReadOnly bool // drop every tool that writes
	// Dynamic starts with the discovery toolset and the toolset tools
	// only; the model loads the rest on demand, per session (dynamic.go).
	Dynamic bool
}

// allowed lists the toolsets the selection serves or lets a model load.
func (sel Selection) allowed() []Toolset {
	var out []Toolset
	for _, ts := range Toolsets {
		if sel.Toolsets == nil && (ts.Default || sel.Dynamic) || slices.Contains(sel.Toolsets, string(ts.Name)) {
			out = append(out, ts.Name)
		}
	}
	return out
}

// initial lists the toolsets served from the start: every allowed one, or
// in dynamic mode the dynamic core if it is allowed.
func (sel Selection) initial() []Toolset {
	allowed := sel.allowed()
	if !sel.Dynamic {
		return allowed
	}
	if slices.Contains(allowed, dynamicCore) {
		return []Toolset{dynamicCore}
	}
	return nil
}

// ParseToolsets reads a comma-separated --toolsets value: toolset names,
// "default" for the default toolsets and "all" for every toolset. An empty
// value gives nil, the mode's default (see Selection).
func ParseToolsets(s string) ([]string, error) {
	want := map[Toolset]bool{}
	var names []string
	for _, ts := range Toolsets {
		names = append(names, string(ts.Name))
	}
	given := false
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(strings.ToLower(p))
		if p == "" {
			continue
		}
		given = true
		switch p {
		case "all", "default":
			for _, ts := range Toolsets {
				want[ts.Name] = want[ts.Name] || p == "all" || ts.Default
			}
		default:
			if !slices.Contains(names, p) {
				return nil, fmt.Errorf("unknown toolset %q; valid toolsets: %s, default, all", p, strings.Join(names, ", "))
			}
			want[Toolset(p)] = true
		}
	}
	if !given {
		return nil, nil
	}
	out := []string{}
	for _, ts := range Toolsets {
		if want[ts.Name] {
			out = append(out, string(ts.Name))
		}
	}
	return out, nil
}
