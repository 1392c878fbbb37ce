package mixpaneltest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func funnelBookmark(chart string, group []any, steps ...string) map[string]any {
	behaviors := make([]any, len(steps))
	for i, s := range steps {
		behaviors[i] = map[string]any{"type": "event", "name": s, "filters": []any{}, "filtersDeterminer": "all", "funnelOrder": "loose"}
	}
	return map[string]any{
		"sections": map[string]any{
			"show":  []any{map[string]any{"type": "metric", "behavior": map[string]any{"type": "funnel", "behaviors": behaviors}, "measurement": map[string]any{"math": "conversion_rate_unique"}}},
			"time":  []any{map[string]any{"dateRangeType": "between", "unit": "day", "value": []any{"2026-01-01", "2026-01-31"}}},
			"group": group, "filter": []any{}, "formula": []any{},
		},
		"displayOptions": map[string]any{"chartType": chart},
	}
}

func TestFakeFunnelShapes(t *testing.T) {
	tests := []struct {
		name  string
		chart string
		group []any
	}{
		{"steps", "funnel-steps", []any{}},
		{"trends", "line", []any{}},
		{"property breakdown", "funnel-steps", []any{map[string]any{"value": "platform", "propertyName": "platform"}}},
		{"cohort breakdown", "table", []any{map[string]any{"value": []any{"Loyal", "Not In Loyal"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			raw, err := srv.Client(t).QueryInsights(context.Background(), funnelBookmark(tt.chart, tt.group, "Signup", "Add To Cart", "Purchase"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := query.ParseFunnelResponse(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.StepsData) != 3 || res.StepsData[0].Event != "Signup" || res.StepsData[2].Event != "Purchase" {
				t.Fatalf("steps = %+v", res.StepsData)
			}
			if r := res.OverallConversionRate(); r <= 0 || r >= 1 {
				t.Fatalf("overall conversion %v out of (0,1)", r)
			}
			if res.StepsData[1].Count >= res.StepsData[0].Count {
				t.Fatalf("funnel must narrow: %+v", res.StepsData)
			}
			var body mixpaneltest.InsightsBody
			srv.LastRequest(t, mixpaneltest.QueryPrefix+"/insights").JSON(t, &body)
			if string(body.ProjectID) != mixpaneltest.ProjectID {
				t.Fatalf("project_id = %s", body.ProjectID)
			}
		})
	}
}

func retentionBookmark(unit string, days int, group []any, buckets []any) map[string]any {
	return map[string]any{
		"sections": map[string]any{
			"show": []any{map[string]any{"type": "metric", "behavior": map[string]any{"type": "retention", "behaviors": []any{
				map[string]any{"type": "event", "name": "Signup"}, map[string]any{"type": "event", "name": "Login"}},
				"retentionUnit": unit, "retentionCustomBucketSizes": buckets}, "measurement": map[string]any{"math": "retention_rate"}}},
			"time":  []any{map[string]any{"dateRangeType": "in the last", "unit": "day", "window": map[string]any{"unit": "day", "value": days}}},
			"group": group,
		},
		"displayOptions": map[string]any{"chartType": "retention-curve"},
	}
}

func TestFakeRetentionShapes(t *testing.T) {
	tests := []struct {
		name        string
		unit        string
		days        int
		group       []any
		buckets     []any
		cohorts     int
		firstBucket int
		segments    int
	}{
		{"weekly triangle", "week", 84, []any{}, []any{}, 12, 12, 0},
		{"daily", "day", 7, []any{}, []any{}, 7, 7, 0},
		{"custom buckets", "week", 28, []any{}, []any{1, 3, 7}, 4, 4, 0},
		{"segmented", "week", 21, []any{map[string]any{"value": "platform"}}, []any{}, 3, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			raw, err := srv.Client(t).QueryInsights(context.Background(), retentionBookmark(tt.unit, tt.days, tt.group, tt.buckets))
			if err != nil {
				t.Fatal(err)
			}
			res, err := query.ParseRetentionResponse(raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			dates := res.CohortDates()
			if len(dates) != tt.cohorts || len(res.Cohorts[dates[0]].Counts) != tt.firstBucket || res.Average == nil {
				t.Fatalf("cohorts = %d, first has %d buckets", len(dates), len(res.Cohorts[dates[0]].Counts))
			}
			if len(res.Segments) != tt.segments || len(res.SegmentAverages) != tt.segments {
				t.Fatalf("segments = %v", res.SegmentNames())
			}
		})
	}
}

func TestFakeFlowShapes(t *testing.T) {
	params := map[string]any{
		"steps":                 []any{map[string]any{"event": "Product Viewed", "forward": 3, "reverse": 1}},
		"cardinality_threshold": 4, "hidden_events": []any{"Review Posted"}, "version": 2,
	}
	srv := mixpaneltest.New(t)
	client := srv.Client(t)
	ctx := context.Background()

	raw, err := client.QueryArbFunnels(ctx, "flows_sankey", params)
	if err != nil {
		t.Fatal(err)
	}
	sankey, err := query.ParseFlowResponse(raw, nil, "sankey")
	if err != nil {
		t.Fatal(err)
	}
	if len(sankey.Steps) != 5 || len(sankey.TopTransitions(3)) != 3 || sankey.OverallConversionRate <= 0 {
		t.Fatalf("sankey: %d columns", len(sankey.Steps))
	}
	for _, row := range sankey.NodeRows() {
		if row.Event == "Review Posted" {
			t.Fatal("hidden events must not appear")
		}
	}
	if d := sankey.DropOffSummary(); d[1].DropOff == 0 || d[1].Rate <= 0 || d[1].Rate >= 1 {
		t.Fatalf("anchor step drop-off = %+v", d[1])
	}

	raw, err = client.QueryArbFunnels(ctx, "flows_top_paths", params)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := query.ParseFlowResponse(raw, nil, "paths")
	if err != nil || len(paths.Flows) != 4 || len(paths.Flows[0].FlowSteps) != 4 {
		t.Fatalf("paths: %+v %v", paths, err)
	}

	raw, err = client.QueryArbFunnels(ctx, "flows", params)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := query.ParseFlowResponse(raw, nil, "tree")
	if err != nil || len(tree.Trees) != 1 {
		t.Fatalf("tree: %v", err)
	}
	root := tree.Trees[0]
	if root.Event != "Product Viewed" || root.Depth() != 3 || root.ConversionRate() <= 0 || len(root.Find("DROPOFF")) == 0 {
		t.Fatalf("tree root = %+v depth %d", root, root.Depth())
	}

	var body mixpaneltest.ArbFunnelsBody
	srv.LastRequest(t, mixpaneltest.QueryPrefix+"/arb_funnels").JSON(t, &body)
	if body.QueryType != "flows" || string(body.ProjectID) != mixpaneltest.ProjectID {
		t.Fatalf("recorded body = %+v", body)
	}
	var bm map[string]any
	if err := json.Unmarshal(body.Bookmark, &bm); err != nil || bm["version"] == nil {
		t.Fatalf("bookmark not recorded: %s", body.Bookmark)
	}
}

func TestFakeArbFunnelsRejectsBadBodies(t *testing.T) {
	srv := mixpaneltest.New(t)
	client := srv.Client(t)
	if _, err := client.QueryArbFunnels(context.Background(), "flows_sunburst", map[string]any{"steps": []any{map[string]any{"event": "A"}}}); err == nil {
		t.Fatal("unknown query_type must fail")
	}
	if _, err := client.QueryArbFunnels(context.Background(), "flows", map[string]any{"steps": []any{}}); err == nil {
		t.Fatal("empty steps must fail")
	}
}
