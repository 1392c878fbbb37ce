package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

func queryFunnelTools() []*Tool {
	return []*Tool{charted(New("query_funnel", ToolsetQuery,
		"Run a funnel: conversion through ordered steps within a conversion window, with per-step filters, exclusions, held-constant properties and breakdowns.",
		ReadOnly, queryFunnel)),
	}
}

// funnelMaxSegments caps the per-segment rows of a breakdown.
const funnelMaxSegments = 20

// QueryFunnelInput is the funnel query plus dry_run; the embedded query's
// Validate checks every rule before any request.
type QueryFunnelInput struct {
	query.FunnelQuery
	DryRun bool `json:"dry_run,omitempty" jsonschema:"description=Only build the bookmark params; query nothing"`
}

// FunnelOutput is the bookmark params and, unless dry_run, the result.
type FunnelOutput struct {
	DryRun         bool                     `json:"dry_run"`
	Params         query.Params             `json:"params" jsonschema:"description=Bookmark params of the report (bookmark_type funnels)"`
	Result         *query.FunnelQueryResult `json:"result,omitempty"`
	OverallRate    *float64                 `json:"overall_conversion_rate,omitempty" jsonschema:"description=Last step's conversion from the first (0-1)"`
	BiggestDropOff *query.FunnelDropOff     `json:"biggest_drop_off,omitempty" jsonschema:"description=from_step and to_step (1-based)\\, from_event\\, to_event\\, lost (users)\\, rate (share of from_step lost\\, 0-1)"`
	// canSave: the server serves create_bookmark (see engDryRunText).
	canSave bool
}

// Text renders the step table with the biggest drop-off called out, or the
// params of a dry run.
func (o FunnelOutput) Text() string {
	if o.DryRun || o.Result == nil {
		return engDryRunText(paramsJSON(o.Params), "funnels", o.canSave)
	}
	return RenderFunnel(o.Result, o.Params)
}

// RenderFunnel is the model's view of a funnel: one summary line, a row
// per step, and the transition that loses the most users. params are the
// bookmark params the result came from.
func RenderFunnel(r *query.FunnelQueryResult, params query.Params) string {
	events := make([]string, len(r.StepsData))
	rows := make([][]string, len(r.StepsData))
	for i, s := range r.StepsData {
		events[i] = s.Event
		avg := "–"
		if i > 0 {
			avg = engDuration(s.AvgTime)
		}
		rows[i] = []string{fmt.Sprint(i + 1), s.Event, Num(s.Count), Pct(s.StepConvRatio), Pct(s.OverallConvRatio), avg}
	}
	title := fmt.Sprintf("Funnel %s; %s; %s; overall conversion %s",
		strings.Join(events, " → "), engFunnelSettings(params), engDates(params, r.FromDate, r.ToDate), Pct(r.OverallConversionRate()))
	var b strings.Builder
	b.WriteString(Table{Title: title, Columns: []string{"#", "step", "count", "from previous", "from first", "avg time from previous"}, Rows: rows}.String())
	if d := r.BiggestDropOff(); d != nil {
		fmt.Fprintf(&b, "Biggest drop-off: step %d → %d (%s → %s), %s lost (%s).\n", d.FromStep, d.ToStep, d.FromEvent, d.ToEvent, Pct(d.Rate), Num(d.Lost))
	}
	if names := r.SegmentNames(); len(names) > 0 {
		rows := make([][]string, 0, len(names))
		for _, name := range names {
			seg := query.FunnelQueryResult{StepsData: r.SegmentSteps[name]}
			if len(seg.StepsData) == 0 {
				continue
			}
			drop := "–"
			if d := seg.BiggestDropOff(); d != nil {
				drop = fmt.Sprintf("%d → %d (%s)", d.FromStep, d.ToStep, Pct(d.Rate))
			}
			rows = append(rows, []string{name, Num(seg.StepsData[0].Count), Num(seg.StepsData[len(seg.StepsData)-1].Count), Pct(seg.OverallConversionRate()), drop})
		}
		b.WriteString(Table{Title: "Counts above are the $overall aggregate. Per segment:", Columns: []string{"segment", "entered", "completed", "overall conversion", "biggest drop-off"}, Rows: rows, Limit: funnelMaxSegments, Hint: "every segment is in structuredContent result.segment_steps"}.String())
	} else if groups, _ := engSections(params)["group"].([]any); len(groups) > 0 {
		b.WriteString("Counts are the $overall aggregate; per-segment values are in structuredContent result.series.\n")
	}
	if display, _ := params["displayOptions"].(map[string]any); display["chartType"] == "line" {
		b.WriteString("Trends mode: the table is the first period; every period is in structuredContent result.series.\n")
	}
	return b.String()
}

func engFunnelSettings(params query.Params) string {
	clause := engShow(params)
	if clause == nil {
		return ""
	}
	behavior, _ := clause["behavior"].(map[string]any)
	m, _ := clause["measurement"].(map[string]any)
	math, _ := m["math"].(string)
	if prop, ok := m["property"].(map[string]any); ok {
		math += " of " + fmt.Sprint(prop["name"])
	}
	return fmt.Sprintf("%s, window %v %s, order %v", math, behavior["conversionWindowDuration"], behavior["conversionWindowUnit"], behavior["funnelOrder"])
}

func queryFunnel(ctx context.Context, env *Env, in QueryFunnelInput) (FunnelOutput, error) {
	params, err := in.FunnelQuery.Build(env.Now())
	if err != nil {
		return FunnelOutput{}, err
	}
	out := FunnelOutput{DryRun: in.DryRun, Params: params, canSave: env.Has("create_bookmark")}
	if in.DryRun {
		return out, nil
	}
	res, err := engFetch(ctx, env, "query funnel", params, query.ParseFunnelResponse)
	if err != nil {
		return FunnelOutput{}, err
	}
	res.Params = nil // already at the top level of the output
	rate := res.OverallConversionRate()
	out.Result, out.OverallRate, out.BiggestDropOff = res, &rate, res.BiggestDropOff()
	return out, nil
}

// engFetch posts built bookmark params to /insights and parses the answer;
// what names the query in a request error.
func engFetch[R any](ctx context.Context, env *Env, what string, params query.Params, parse func([]byte, query.Params) (R, error)) (R, error) {
	var zero R
	client, err := env.Client()
	if err != nil {
		return zero, err
	}
	raw, err := client.QueryInsights(ctx, params)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return parse(raw, params)
}

// --- rendering helpers shared by the funnel, retention and flow tools ---

// engDryRunText is the model's view of params that were built but not
// sent, given as encoded JSON (paramsJSON); it says how to save them only
// when the server can.
func engDryRunText(params []byte, bookmarkType string, canSave bool) string {
	if canSave {
		return "Dry run: bookmark params (not sent; pass them to create_bookmark with bookmark_type " + bookmarkType + " to save a report):\n" + string(params)
	}
	return "Dry run: bookmark params (not sent; bookmark_type " + bookmarkType + "):\n" + string(params)
}

// paramsJSON is params as encoding/json encodes them, made without
// reflection (appendJSON); nil if they hold a value JSON cannot carry.
func paramsJSON(params query.Params) []byte {
	b, err := appendJSON(make([]byte, 0, 1024), params)
	if err != nil {
		return nil
	}
	return b
}

func engSections(params query.Params) map[string]any {
	sections, _ := params["sections"].(map[string]any)
	return sections
}

// engShow is the first metric clause of the params (sections.show[0]), or
// nil.
func engShow(params query.Params) map[string]any {
	show, _ := engSections(params)["show"].([]any)
	if len(show) == 0 {
		return nil
	}
	clause, _ := show[0].(map[string]any)
	return clause
}

// engDates names the period a result covers: the server's dates cut to
// days, else the requested range.
func engDates(params query.Params, from, to string) string {
	if from != "" && to != "" {
		return engDay(from) + " to " + engDay(to)
	}
	times, _ := engSections(params)["time"].([]any)
	if len(times) == 0 {
		return "default dates"
	}
	t, _ := times[0].(map[string]any)
	if v, ok := t["value"].([]any); ok && len(v) == 2 {
		return fmt.Sprintf("%v to %v", v[0], v[1])
	}
	if w, ok := t["window"].(map[string]any); ok {
		return fmt.Sprintf("last %v days", w["value"])
	}
	return "default dates"
}

func engDay(ts string) string {
	if len(ts) >= 10 {
		return ts[:10]
	}
	return ts
}

// engDuration formats seconds as the largest sensible unit: 45s, 12m, 3.5h, 2.1d.
func engDuration(seconds float64) string {
	switch {
	case seconds < 60:
		return Num(float64(int64(seconds+0.5))) + "s"
	case seconds < 3600:
		return fmt.Sprintf("%.0fm", seconds/60)
	case seconds < 86400:
		return fmt.Sprintf("%.1fh", seconds/3600)
	}
	return fmt.Sprintf("%.1fd", seconds/86400)
}
