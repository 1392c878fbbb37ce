package tools

import (
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// TestOutputsMatchTheirSchemas runs each reports/legacy/users/export tool
// and checks its structuredContent against its own output schema.
func TestOutputsMatchTheirSchemas(t *testing.T) {
	calls := []struct{ tool, args string }{
		{"query_saved_report", `{"bookmark_id":63880001}`},
		{"query_saved_report", `{"bookmark_id":63880003,"bookmark_type":"funnels"}`},
		{"query_saved_report", `{"bookmark_id":63880004,"bookmark_type":"retention"}`},
		{"query_saved_report", `{"bookmark_id":63880005,"bookmark_type":"flows"}`},
		{"query_saved_flows", `{"bookmark_id":63880005}`},
		{"query_segmentation", `{"event":"Purchase"}`},
		{"query_segmentation", `{"event":"Purchase","on":"$browser"}`},
		{"query_saved_funnel", `{"funnel_id":7509}`},
		{"query_legacy_retention", `{"born_event":"Sign Up"}`},
		{"query_event_counts", `{"events":["Login","Purchase"]}`},
		{"query_property_counts", `{"event":"Purchase","property":"$browser"}`},
		{"query_frequency", `{}`},
		{"query_frequency", `{"event":"Login"}`},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue"}`},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","aggregate":"sum"}`},
		{"query_numeric_segmentation", `{"event":"Purchase","property":"revenue","aggregate":"average"}`},
		{"query_activity_feed", `{"distinct_ids":"user-003","from_date":"2026-11-01","limit":2}`},
		{"query_activity_feed", `{"distinct_ids":"nobody"}`},
		{"query_user", `{"limit":3}`},
		{"query_user", `{"properties":["plan"],"limit":3}`},
		{"query_user", `{"mode":"aggregate"}`},
		{"query_user", `{"mode":"aggregate","aggregate":"extremes","aggregate_property":"purchases","segment_by":[1000]}`},
		{"export_events", `{"from_date":"2026-11-01","to_date":"2026-11-03","limit":3}`},
		{"export_profiles", `{"limit":3}`},
	}
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	for _, c := range calls {
		t.Run(c.tool+" "+c.args, func(t *testing.T) {
			// callTool checks the structured result against the schema.
			mustOK(t, callTool(t, env, c.tool, c.args))
		})
	}
}
