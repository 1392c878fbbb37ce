package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func queryRetentionTools() []*Tool {
	return []*Tool{charted(New("query_retention", ToolsetQuery,
		"Run a retention analysis: of users who did a born event, the share who did a return event in each later day/week/month, per cohort.",
		ReadOnly, queryRetention)),
	}
}

// Limits of the rendered cohort grid.
const (
	retentionDefaultRows = 30
	retentionMaxRows     = 500
	retentionMaxBuckets  = 13
)

// QueryRetentionInput is the retention query plus dry_run and paging of
// the cohort grid.
type QueryRetentionInput struct {
	query.RetentionQuery
	DryRun bool `json:"dry_run,omitempty" jsonschema:"description=Only build the bookmark params; query nothing"`
	Limit  int  `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500,default=30,description=Cohort rows to show"`
	Offset int  `json:"offset,omitempty" jsonschema:"minimum=0,description=First cohort row to show"`
}

// Validate checks the paging and every rule of the query before any request.
func (in *QueryRetentionInput) Validate() error {
	if err := checkWindow(in.Limit, in.Offset, retentionMaxRows); err != nil {
		return err
	}
	return in.RetentionQuery.Validate()
}

// RetentionOutput is the bookmark params and, unless dry_run, the result.
type RetentionOutput struct {
	DryRun bool                        `json:"dry_run"`
	Params query.Params                `json:"params" jsonschema:"description=Bookmark params of the report (bookmark_type retention)"`
	Result *query.RetentionQueryResult `json:"result,omitempty"`

	limit, offset int
	// canSave: the server serves create_bookmark, so the dry-run text
	// can point at it.
	canSave bool
}

// Text renders the cohort × bucket grid with the average row, or the
// params of a dry run.
func (o RetentionOutput) Text() string {
	if o.DryRun || o.Result == nil {
		return engDryRunText(paramsJSON(o.Params), "retention", o.canSave)
	}
	return RenderRetention(o.Result, o.Params, o.limit, o.offset)
}

// RenderRetention is the model's view of a retention result: a summary
// line, one row per cohort (size, then the rate of each bucket), the
// $average row, and per-segment averages for a breakdown.
func RenderRetention(r *query.RetentionQueryResult, params query.Params, limit, offset int) string {
	if limit <= 0 {
		limit = retentionDefaultRows
	}
	buckets := min(r.BucketCount(), retentionMaxBuckets)
	cols := []string{"cohort", "size"}
	for b := range buckets {
		cols = append(cols, "B"+fmt.Sprint(b))
	}
	counts := retentionShowsCounts(params)
	row := func(label string, c query.RetentionCohort) []string {
		out := []string{label, Num(c.First)}
		for b := range buckets {
			switch {
			case counts && b < len(c.Counts):
				out = append(out, Num(c.Counts[b]))
			case !counts && b < len(c.Rates):
				out = append(out, Pct(c.Rates[b]))
			case !counts && b < len(c.Counts) && c.First > 0:
				out = append(out, Pct(c.Counts[b]/c.First))
			default:
				out = append(out, "")
			}
		}
		return out
	}
	dates := r.CohortDates()
	start, end := Page(len(dates), offset, limit)
	rows := make([][]string, 0, end-start+1)
	for _, d := range dates[start:end] {
		rows = append(rows, row(d, r.Cohorts[d]))
	}
	var b strings.Builder
	b.WriteString(Table{
		Title:   retentionTitle(r, params, len(dates)),
		Columns: cols, Rows: rows, Offset: start, Total: len(dates),
		Hint: "pass limit/offset to see more cohorts",
	}.String())
	if r.Average != nil {
		b.WriteString(Table{Columns: cols, Rows: [][]string{row("average", *r.Average)}}.String())
	}
	if r.BucketCount() > buckets {
		fmt.Fprintf(&b, "%d more buckets not shown (B0-B%d of %d); all are in structuredContent.\n", r.BucketCount()-buckets, buckets-1, r.BucketCount())
	}
	if names := r.SegmentNames(); len(names) > 0 {
		segRows := make([][]string, 0, len(names))
		for _, name := range names {
			if avg, ok := r.SegmentAverages[name]; ok {
				segRows = append(segRows, row(name, avg))
			}
		}
		segCols := append([]string{"segment"}, cols[1:]...)
		b.WriteString(Table{Title: fmt.Sprintf("Average retention per segment (%d segments; the grid above is $overall; per-segment cohorts are in structuredContent):", len(names)), Columns: segCols, Rows: segRows, Limit: limit}.String())
	}
	return b.String()
}

func retentionTitle(r *query.RetentionQueryResult, params query.Params, cohorts int) string {
	born, ret, unit, math := "?", "?", "", ""
	if clause := engShow(params); clause != nil {
		behavior, _ := clause["behavior"].(map[string]any)
		events, _ := behavior["behaviors"].([]any)
		if len(events) == 2 {
			bornEvent, _ := events[0].(map[string]any)
			retEvent, _ := events[1].(map[string]any)
			born, ret = fmt.Sprint(bornEvent["name"]), fmt.Sprint(retEvent["name"])
		}
		unit = fmt.Sprint(behavior["retentionUnit"])
		m, _ := clause["measurement"].(map[string]any)
		math = fmt.Sprint(m["math"])
	}
	cells := "rates"
	if retentionShowsCounts(params) {
		cells = "counts"
	}
	return fmt.Sprintf("Retention %s → %s; %s buckets; %s; %d cohorts, %s; cells are %s (B0 = birth bucket)",
		born, ret, unit, math, cohorts, engDates(params, r.FromDate, r.ToDate), cells)
}

// retentionShowsCounts reports whether cells are counts: with math unique,
// total or average the buckets' values are what was asked for; only
// retention_rate reads as rates.
func retentionShowsCounts(params query.Params) bool {
	m, _ := engShow(params)["measurement"].(map[string]any)
	math, _ := m["math"].(string)
	return math != "" && math != "retention_rate"
}

func queryRetention(ctx context.Context, env *Env, in QueryRetentionInput) (RetentionOutput, error) {
	params, err := in.RetentionQuery.Build(env.Now())
	if err != nil {
		return RetentionOutput{}, err
	}
	out := RetentionOutput{DryRun: in.DryRun, Params: params, limit: in.Limit, offset: in.Offset, canSave: env.Has("create_bookmark")}
	if in.DryRun {
		return out, nil
	}
	res, err := engFetch(ctx, env, "query retention", params, query.ParseRetentionResponse)
	if err != nil {
		return RetentionOutput{}, err
	}
	res.Params = nil // already at the top level of the output
	out.Result = res
	return out, nil
}
