package tools

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/quality"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

// One tool runs the data-quality checks (mixpanel/quality): one schema
// costs the model less than four, and the checks share the snapshot
// (Lexicon, discovery, daily volumes) they are computed from.
func lexiconQualityTools() []*Tool {
	return []*Tool{
		New("audit_lexicon_quality", ToolsetLexicon,
			"Find near-duplicate event/property names, unmarked personal data, undocumented entries and events no longer sent, with volumes and the change to make.",
			ReadOnly, auditLexiconQuality),
	}
}

// AuditQualityInput picks the checks and the volume window.
type AuditQualityInput struct {
	Checks []string `json:"checks,omitempty" jsonschema:"enum=duplicates,enum=pii,enum=descriptions,enum=stale,description=Omit for all"`
	Days   int      `json:"days,omitempty" jsonschema:"minimum=1,maximum=180,default=30,description=Volume window ending today"`
	Limit  int      `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500,default=25,description=Entries shown per finding"`
}

// Validate checks the check names and bounds.
func (in AuditQualityInput) Validate() error {
	var iss query.Issues
	for i, c := range in.Checks {
		if !slices.Contains(quality.AllChecks, c) {
			iss.Add("X1_INVALID_ENUM", "checks["+strconv.Itoa(i)+"]", "%q is not a check; use %s", c, strings.Join(quality.AllChecks, ", "))
		}
	}
	if in.Days < 0 || in.Days > 180 {
		iss.Add("X1_INVALID_ENUM", "days", "days must be between 1 and 180 (got %d)", in.Days)
	}
	if in.Limit < 0 || in.Limit > 500 {
		iss.Add("X1_INVALID_ENUM", "limit", "limit must be between 1 and 500 (got %d)", in.Limit)
	}
	return iss.Err(query.StageArgs)
}

// AuditFinding is one finding with its members cut to the limit.
type AuditFinding struct {
	quality.Finding
	More int `json:"more,omitempty" jsonschema:"description=Members left out; raise limit"`
}

// AuditQualityResult is what the checks found.
type AuditQualityResult struct {
	From     string         `json:"from"`
	To       string         `json:"to"`
	Checks   []string       `json:"checks"`
	Events   int            `json:"events" jsonschema:"description=Events examined"`
	Props    int            `json:"properties" jsonschema:"description=Properties examined"`
	Findings []AuditFinding `json:"findings"`
	// has says which tools the server serves: a fix that names one it
	// does not is not shown as is.
	has func(string) bool
}

// Text renders each finding as a heading, its fix and a table of members.
func (r AuditQualityResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Lexicon quality (%s) over %d events and %d properties; volumes %s to %s.\n", strings.Join(r.Checks, ", "), r.Events, r.Props, r.From, r.To)
	if len(r.Findings) == 0 {
		b.WriteString("No problems found.\n")
	}
	for _, f := range r.Findings {
		fix := f.Fix
		if r.has != nil && len(toolref.Missing(fix, r.has)) > 0 {
			fix = "edit these entries in the Lexicon (its write tools are not served here)"
		}
		fmt.Fprintf(&b, "\n%s, %s: %s\nFix: %s\n", f.Check, f.Kind, f.Reason, fix)
		t := Table{Columns: []string{"name", "type", "id", "volume", "last seen"}}
		for _, m := range f.Members {
			id := ""
			if m.ID != 0 {
				id = strconv.FormatInt(m.ID, 10)
			}
			t.Rows = append(t.Rows, []string{m.Name, m.ResourceType, id, strconv.FormatInt(m.Volume, 10), m.LastSeen})
		}
		b.WriteString(t.String())
		if f.More > 0 {
			fmt.Fprintf(&b, "%d more; pass a higher limit.\n", f.More)
		}
	}
	return b.String()
}

func auditLexiconQuality(ctx context.Context, env *Env, in AuditQualityInput) (AuditQualityResult, error) {
	c, err := env.Client()
	if err != nil {
		return AuditQualityResult{}, err
	}
	snap, err := quality.Collect(ctx, c, quality.Options{Days: in.Days, Checks: in.Checks})
	if err != nil {
		return AuditQualityResult{}, err
	}
	checks := in.Checks
	if len(checks) == 0 {
		checks = quality.AllChecks
	}
	limit := in.Limit
	if limit == 0 {
		limit = 25
	}
	out := AuditQualityResult{From: snap.From, To: snap.To, Checks: checks, Events: len(snap.Events), Props: len(snap.Properties), Findings: []AuditFinding{}, has: env.Has}
	for _, f := range quality.Run(snap, checks) {
		af := AuditFinding{Finding: f}
		if tool := fixTool(f); env.Has(tool) {
			af.Fix += " with " + tool
		}
		if len(f.Members) > limit {
			af.More = len(f.Members) - limit
			af.Members = f.Members[:limit]
		}
		out.Findings = append(out.Findings, af)
	}
	return out, nil
}

// fixTool is the lexicon tool that makes a finding's change.
func fixTool(f quality.Finding) string {
	switch {
	case f.Check == quality.CheckDescriptions && f.Kind == quality.KindEvent:
		return "update_event_definition"
	case f.Check == quality.CheckDescriptions:
		return "update_property_definition"
	case f.Kind == quality.KindEvent:
		return "bulk_update_event_definitions"
	}
	return "bulk_update_property_definitions"
}
