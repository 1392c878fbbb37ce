package query

import "testing"

func init() {
	specConverters["FunnelStep"] = firstArgAs("event", "label", "filters", "filters_combinator", "order")
	specConverters["Exclusion"] = firstArgAs("event", "from_step", "to_step")
	specConverters["HoldingConstant"] = firstArgAs("property", "resource_type")
	specConverters["RetentionEvent"] = firstArgAs("event", "filters", "filters_combinator")
	specConverters["FlowStep"] = firstArgAs("event", "forward", "reverse", "label", "filters", "filters_combinator", "session_event")
}

func TestInsightsBookmarkParamsGolden(t *testing.T)  { runGolden(t, "insights") }
func TestFunnelBookmarkParamsGolden(t *testing.T)    { runGolden(t, "funnels") }
func TestRetentionBookmarkParamsGolden(t *testing.T) { runGolden(t, "retention") }
func TestFlowBookmarkParamsGolden(t *testing.T)      { runGolden(t, "flows") }
