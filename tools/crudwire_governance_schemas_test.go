package tools

import (
	"strconv"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The wire tables of the schema registry, schema enforcement, audit,
// anomalies and deletion-request groups.
//
// create_deletion_request: the harness calls tools without elicitation, so
// the tool takes the confirm argument path, which sends no preview of its
// own — its one request is the reference's POST. (With elicitation the
// tool previews first; TestDeletionRequestAsksWithPreview covers that.)
// The cases' dates (April 2026) are judged against a pinned today,
// 2026-05-12 (the audit case's computed_at), for the 180-days-back rule.
func init() {
	mixpanel.Today = func() time.Time { return time.Date(2026, 5, 12, 12, 0, 0, 0, time.UTC) }
	wireTables["schema_registry"] = map[string]wireArgs{
		"list_schema_registry": positional(),
		"create_schema":        positional("entity_type", "entity_name", "schema_json"),
		"create_schemas_bulk":  positional(""),
		"update_schema":        positional("entity_type", "entity_name", "schema_json"),
		"update_schemas_bulk":  positional(""),
		"delete_schemas":       positional(),
	}
	wireTables["schema_enforcement"] = map[string]wireArgs{
		"get_schema_enforcement":     positional(),
		"init_schema_enforcement":    positional(""),
		"update_schema_enforcement":  positional(""),
		"replace_schema_enforcement": positional(""),
		"delete_schema_enforcement":  positional(),
	}
	wireTables["audit"] = map[string]wireArgs{
		"run_audit":             positional(),
		"run_audit_events_only": positional(),
	}
	wireTables["anomalies"] = map[string]wireArgs{
		"list_data_volume_anomalies": anomalyQueryArgs,
		"update_anomaly":             positional(""),
		"bulk_update_anomalies":      positional(""),
	}
	wireTables["deletion_requests"] = map[string]wireArgs{
		"list_deletion_requests":   positional(),
		"create_deletion_request":  positional(""),
		"cancel_deletion_request":  positional("id"),
		"preview_deletion_filters": positional(""),
	}
}

// anomalyQueryArgs: the reference takes a free query_params dict; the tool
// takes its keys as typed arguments (ids as numbers).
func anomalyQueryArgs(c wireCase) map[string]any {
	out := map[string]any{}
	qp, _ := c.Kwargs["query_params"].(map[string]any)
	for k, v := range qp {
		if s, ok := v.(string); ok && (k == "event_id" || k == "prop_id" || k == "limit") {
			n, _ := strconv.ParseInt(s, 10, 64)
			out[k] = n
			continue
		}
		out[k] = v
	}
	return out
}
