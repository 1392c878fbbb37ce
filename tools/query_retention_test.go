package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func TestQueryRetentionSchema(t *testing.T) {
	checkEngineSchema(t, "query_retention", []string{"born_event", "return_event"}, "born_event", "return_event",
		"retention_unit", "alignment", "bucket_sizes", "math", "from_date", "to_date", "last", "unit", "group_by",
		"where", "mode", "unbounded_mode", "retention_cumulative", "time_comparison", "data_group_id", "dry_run", "limit", "offset")
}

func TestQueryRetentionDryRun(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "query_retention", `{"born_event": {"event": "Signup", "filters": {"property": "utm_source", "operator": "equals", "value": "ads"}}, "return_event": "Login", "bucket_sizes": [1, 3, 7], "dry_run": true}`)
	text := mustOK(t, res)
	if !strings.Contains(text, `"retentionCustomBucketSizes":[1,3,7]`) || !strings.Contains(text, "bookmark_type retention") {
		t.Fatalf("unexpected text: %s", text)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("dry run sent %d requests", n)
	}
}

func TestQueryRetentionRunsAgainstFake(t *testing.T) {
	tests := []struct {
		name, args string
		want       []string
	}{
		{"weekly", `{"born_event": "Signup", "return_event": "Login", "last": 84}`,
			[]string{"Retention Signup → Login; week buckets; retention_rate; 12 cohorts", "| average |", "| B0 | B1 |", "100.0%"}},
		{"segmented", `{"born_event": "Signup", "return_event": "Login", "group_by": "platform", "last": 21}`,
			[]string{"Average retention per segment (3 segments", "| iOS |"}},
		{"counts for math unique", `{"born_event": "Signup", "return_event": "Login", "math": "unique", "last": 14}`,
			[]string{"; unique; 2 cohorts", "cells are counts"}},
		{"paged", `{"born_event": "Signup", "return_event": "Login", "retention_unit": "day", "last": 20, "limit": 5, "offset": 5}`,
			[]string{"more rows (showing 6–10 of 20)", "more buckets not shown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			res := callTool(t, testEnv(t, srv), "query_retention", tt.args)
			text := mustOK(t, res)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			var out RetentionOutput
			structured(t, res, &out)
			if out.Result == nil || len(out.Result.Cohorts) == 0 || out.Result.Average == nil {
				t.Fatalf("structured result incomplete: %+v", out)
			}
		})
	}
}

func TestQueryRetentionInvalidInputNeverQueries(t *testing.T) {
	tests := []struct{ name, args, want string }{
		{"mixed breakdowns", `{"born_event": "A", "return_event": "B", "group_by": ["region", {"cohort": 4, "name": "X"}]}`, "CB3"},
		{"float bucket", `{"born_event": "A", "return_event": "B", "bucket_sizes": [1, 3.5]}`, "bucket_sizes[1]: R5"},
		{"quarter unit", `{"born_event": "A", "return_event": "B", "unit": "quarter"}`, "R11"},
		{"missing return", `{"born_event": "A"}`, "return_event: MG1: missing required argument"},
		{"limit too big", `{"born_event": "A", "return_event": "B", "limit": 501}`, "limit: MG6: must be between 1 and 500 (got 501); omit it"},
		{"negative offset", `{"born_event": "A", "return_event": "B", "offset": -1}`, "offset: MG6: must be 0 or more (got -1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			text := mustFail(t, callTool(t, testEnv(t, srv), "query_retention", tt.args))
			if !strings.Contains(text, tt.want) {
				t.Fatalf("error %q lacks %q", text, tt.want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Fatalf("invalid input sent %d requests", n)
			}
		})
	}
}

// TestRetentionRenderingIsSmallerThanTheAnswer measures the figure the brief
// asks for: a 12-cohort × 12-bucket answer against its rendered text.
func TestRetentionRenderingIsSmallerThanTheAnswer(t *testing.T) {
	srv := mixpaneltest.New(t)
	q := query.RetentionQuery{BornEvent: query.RetentionEventRef{RetentionEvent: query.RetentionEvent{Event: "Signup"}}, ReturnEvent: query.RetentionEventRef{RetentionEvent: query.RetentionEvent{Event: "Login"}}}
	last := query.Int(84)
	q.Last = &last
	for i := 1; i <= 11; i++ {
		q.BucketSizes = append(q.BucketSizes, query.Number(fmt.Sprint(i)))
	}
	params, err := q.Build(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := srv.Client(t).QueryInsights(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	res, err := query.ParseRetentionResponse(raw, params)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cohorts) != 12 || res.BucketCount() != 12 {
		t.Fatalf("want 12 cohorts × 12 buckets, got %d × %d", len(res.Cohorts), res.BucketCount())
	}
	text := RenderRetention(res, params, 0, 0)
	res.Params = nil
	structuredJSON, _ := json.Marshal(RetentionOutput{Params: params, Result: res})
	t.Logf("12×12 retention: raw answer %d bytes, rendered text %d bytes, structuredContent %d bytes", len(raw), len(text), len(structuredJSON))
	if len(text) >= len(raw) {
		t.Fatalf("rendered text (%d bytes) is not smaller than the raw answer (%d bytes)", len(text), len(raw))
	}
}

func FuzzQueryRetentionInput(f *testing.F) {
	fuzzEngineTool(f, "query_retention",
		`{"born_event": "A", "return_event": "B", "dry_run": true}`,
		`{"born_event": {"event": "A", "filters": [{"property": "d", "operator": "in_the_last", "value": 2, "unit": "week"}]}, "return_event": "B", "bucket_sizes": [1, 2.5], "dry_run": true}`,
		`{"born_event": "A", "return_event": "B", "group_by": [{"event": "E"}], "unbounded_mode": "x", "data_group_id": 0, "dry_run": true}`,
		`{"born_event": 3, "return_event": []}`, `{}`, `null`,
	)
}
