package tools

import (
	"context"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The data audit (governance toolset): events and properties that break
// the registered schemas, read from the audit's raw envelope.
func governanceAuditTools() []*Tool {
	type M = mixpanel.Client
	run := func(name, desc string, audit func(*M, context.Context) (mixpanel.AuditResponse, error)) *Tool {
		return Op[Paging, auditResult]{Name: name, Toolset: ToolsetGovernance, Ann: ReadOnly, Desc: desc,
			Call: func(ctx context.Context, c *M, in Paging) (auditResult, error) {
				r, err := audit(c, ctx)
				return auditResult{ComputedAt: r.ComputedAt, Violations: paged(r.Violations, in)}, err
			}}.Tool()
	}
	return []*Tool{
		run("run_audit", "Audit events and properties against the schema registry (needs schemas).", (*M).RunAudit),
		run("run_audit_events_only", "Audit events only against the schema registry (faster).", (*M).RunAuditEventsOnly),
	}
}

// auditResult is one page of an audit's violations.
type auditResult struct {
	ComputedAt string                        `json:"computed_at"`
	Violations List[mixpanel.AuditViolation] `json:"violations"`
}

// Text renders when the audit ran and the violations' table.
func (r auditResult) Text() string {
	return "Computed at " + r.ComputedAt + "\n" + r.Violations.Text()
}
