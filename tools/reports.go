package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Saved reports: run a bookmark by id and show its answer in the shape of
// its type.
func reportsTools() []*Tool {
	return []*Tool{
		charted(New("query_saved_report", ToolsetReports,
			"Run a saved Insights, Funnels, Retention or Flows report by bookmark id; pass its bookmark_type (default insights), which the saved-report listing of the discovery toolset shows.",
			ReadOnly, querySavedReport)),
		charted(New("query_saved_flows", ToolsetReports,
			"Run a saved Flows report by bookmark id: paths, step counts and overall conversion.",
			ReadOnly, querySavedFlows)),
	}
}

// SavedReportInput names the bookmark and, for funnels, the range.
type SavedReportInput struct {
	BookmarkID   query.Int `json:"bookmark_id" jsonschema:"description=Saved report (bookmark) id"`
	BookmarkType string    `json:"bookmark_type,omitempty" jsonschema:"enum=insights,enum=funnels,enum=retention,enum=flows,default=insights,description=The bookmark's type"`
	DateRange
	Paging
}

// Validate checks the request before it is sent.
func (in *SavedReportInput) Validate() error {
	var iss query.Issues
	if in.BookmarkID <= 0 {
		iss.Add("X5_REQUIRED", "bookmark_id", "bookmark_id must be a positive id (got %d); list_bookmarks shows them", in.BookmarkID)
	}
	checkEnum(&iss, "bookmark_type", in.BookmarkType, mixpanel.ReportInsights, mixpanel.ReportFunnels, mixpanel.ReportRetention, mixpanel.ReportFlows)
	if (in.FromDate != "" || in.ToDate != "") && in.BookmarkType != mixpanel.ReportFunnels {
		iss.Add("X1_INVALID_ENUM", "from_date", "dates only apply to funnels reports (the others run on their saved range); remove them")
	}
	in.DateRange.check(&iss)
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// SavedReportOutput is the reference's SavedReportResult.
type SavedReportOutput struct {
	mixpanel.SavedReportResult
	paging Paging
}

// Text renders the report by its detected type.
func (o SavedReportOutput) Text() string {
	r := o.SavedReportResult
	head := fmt.Sprintf("Saved report %d (%s)", r.BookmarkID, r.ReportType)
	if r.FromDate != "" {
		head += fmt.Sprintf(", %s to %s", dayOf(r.FromDate), dayOf(r.ToDate))
	}
	switch r.ReportType {
	case "funnel":
		body, _ := json.Marshal(map[string]json.RawMessage{"data": r.Series})
		if f, err := mixpanel.ParseLegacyFunnel(body); err == nil {
			return funnelTable(head, *f)
		}
	case "retention":
		if cohorts, err := mixpanel.ParseLegacyRetention(r.Series); err == nil {
			return retentionTable(head, "period", cohorts, o.paging)
		}
	case "flows":
		var f struct {
			Steps                 []map[string]any `json:"steps"`
			OverallConversionRate float64          `json:"overallConversionRate"`
		}
		if json.Unmarshal(r.Series, &f) == nil {
			return flowsText(head, f.Steps, f.OverallConversionRate, o.paging)
		}
	}
	return insightsSeriesText(head, r.Series, o.paging)
}

// dayOf shortens a date-time Mixpanel sends as a range bound
// ("2026-11-19T00:00:00-07:00") to its day; anything else is kept.
func dayOf(s string) string {
	if len(s) > 10 && s[10] == 'T' && dayRe().MatchString(s[:10]) {
		return s[:10]
	}
	return s
}

// insightsSeriesText shows an insights series: a date × metric table when
// every metric maps dates (or "all") to numbers, else one row per leaf
// with its path.
func insightsSeriesText(head string, raw json.RawMessage, p Paging) string {
	var flat map[string]map[string]float64
	if json.Unmarshal(raw, &flat) == nil {
		return seriesTable(head, flat, p)
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	var rows [][]string
	var walk func(path []string, v any)
	walk = func(path []string, v any) {
		switch t := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(append(path[:len(path):len(path)], k), t[k])
			}
		case float64:
			rows = append(rows, []string{strings.Join(path, " / "), Num(t)})
		}
	}
	walk(nil, v)
	return p.table(head, []string{"series / segment / date", "value"}, rows)
}

// flowsText lists each step's nodes with their counts.
func flowsText(head string, steps []map[string]any, overall float64, p Paging) string {
	var rows [][]string
	for i, st := range steps {
		nodes, _ := st["nodes"].([]any)
		for _, n := range nodes {
			node, _ := n.(map[string]any)
			ev, _ := node["event"].(string)
			typ, _ := node["type"].(string)
			rows = append(rows, []string{fmt.Sprint(i + 1), ev, typ, fmt.Sprint(node["totalCount"])})
		}
	}
	return p.table(fmt.Sprintf("%s: overall conversion %s", head, Pct(overall)), []string{"step", "event", "type", "count"}, rows)
}

func querySavedReport(ctx context.Context, env *Env, in SavedReportInput) (SavedReportOutput, error) {
	res, err := fetch(ctx, env, (*mixpanel.Client).QuerySavedReport, mixpanel.SavedReportParams{BookmarkID: int64(in.BookmarkID), Type: in.BookmarkType, FromDate: in.FromDate, ToDate: in.ToDate, Now: env.Now()})
	return SavedReportOutput{SavedReportResult: res, paging: in.Paging}, err
}

// SavedFlowsInput names a Flows bookmark.
type SavedFlowsInput struct {
	BookmarkID query.Int `json:"bookmark_id" jsonschema:"description=Saved Flows report (bookmark) id"`
	Paging
}

// Validate checks the request before it is sent.
func (in *SavedFlowsInput) Validate() error {
	var iss query.Issues
	if in.BookmarkID <= 0 {
		iss.Add("X5_REQUIRED", "bookmark_id", "bookmark_id must be a positive id (got %d); list_bookmarks shows them", in.BookmarkID)
	}
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// SavedFlowsOutput is the reference's FlowsResult.
type SavedFlowsOutput struct {
	mixpanel.FlowsResult
	paging Paging
}

// Text lists the flow's nodes per step.
func (o SavedFlowsOutput) Text() string {
	r := o.FlowsResult
	return flowsText(fmt.Sprintf("Saved flows %d", r.BookmarkID), r.Steps, r.OverallConversionRate, o.paging)
}

func querySavedFlows(ctx context.Context, env *Env, in SavedFlowsInput) (SavedFlowsOutput, error) {
	res, err := fetch(ctx, env, (*mixpanel.Client).QuerySavedFlows, int64(in.BookmarkID))
	return SavedFlowsOutput{FlowsResult: res, paging: in.Paging}, err
}
