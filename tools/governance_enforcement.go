package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Schema enforcement (governance toolset): what Mixpanel does with data
// that breaks the registered schemas; one configuration per project.
func governanceEnforcementTools() []*Tool {
	type M = mixpanel.Client
	return []*Tool{
		Op[mixpanel.GetSchemaEnforcementParams, mixpanel.SchemaEnforcementConfig]{Name: "get_schema_enforcement", Toolset: ToolsetGovernance, Ann: ReadOnly,
			Desc:   "Read the schema enforcement configuration (rule, enforced events and properties, state).",
			Method: (*M).GetSchemaEnforcement}.Tool(),
		Op[mixpanel.InitSchemaEnforcementParams, map[string]any]{Name: "init_schema_enforcement", Toolset: ToolsetGovernance, Ann: Write, Action: "initialized",
			Desc:   "Start schema enforcement with a rule for data that breaks the schemas.",
			Method: (*M).InitSchemaEnforcement}.Tool(),
		Op[mixpanel.UpdateSchemaEnforcementParams, map[string]any]{Name: "update_schema_enforcement", Toolset: ToolsetGovernance, Ann: Overwrite, Action: "updated",
			Desc:   "Change the enforcement rule, notified emails, enforced events or properties.",
			Method: (*M).UpdateSchemaEnforcement}.Tool(),
		Op[mixpanel.ReplaceSchemaEnforcementParams, map[string]any]{Name: "replace_schema_enforcement", Toolset: ToolsetGovernance, Ann: Overwrite, Action: "replaced",
			Desc:   "Replace the whole schema enforcement configuration.",
			Method: (*M).ReplaceSchemaEnforcement}.Tool(),
		Op[struct{}, map[string]any]{Name: "delete_schema_enforcement", Toolset: ToolsetGovernance, Ann: Destructive, Action: "deleted",
			Desc:   "Delete the schema enforcement configuration.",
			Repeat: func(struct{}) string { return "delete schema enforcement" },
			Confirm: func(ctx context.Context, c *M, _ struct{}) (string, error) {
				cfg, err := c.GetSchemaEnforcement(ctx, mixpanel.GetSchemaEnforcementParams{})
				if err != nil {
					return "", err
				}
				ev := cfg.EventNames()
				s := fmt.Sprintf("Delete the schema enforcement configuration (rule %q, %d enforced events", cfg.RuleEvent, len(ev))
				if len(ev) > 0 {
					if len(ev) > 50 {
						ev = append(ev[:50], "…")
					}
					s += ": " + strings.Join(ev, ", ")
				}
				return s + ")", nil
			},
			Call: func(ctx context.Context, c *M, _ struct{}) (map[string]any, error) {
				return c.DeleteSchemaEnforcement(ctx)
			}}.Tool(),
	}
}
