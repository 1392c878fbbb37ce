package mixpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Saved reports (wire reference §4.4, §6.5): a bookmark runs on the
// endpoint of its type, and every answer becomes a SavedReportResult whose
// headers say which kind it is.

// The saved report types query_saved_report accepts.
const (
	ReportInsights  = "insights"
	ReportFunnels   = "funnels"
	ReportRetention = "retention"
	ReportFlows     = "flows"
)

// SavedReportResult is the reference's SavedReportResult. Series keeps the
// report's own structure, which differs per type; ReportType is derived
// from Headers.
type SavedReportResult struct {
	BookmarkID int64           `json:"bookmark_id"`
	ComputedAt string          `json:"computed_at"`
	FromDate   string          `json:"from_date"`
	ToDate     string          `json:"to_date"`
	Headers    []string        `json:"headers"`
	Series     json.RawMessage `json:"series"`
	ReportType string          `json:"report_type"`
}

// detectReportType is the reference's rule: the first header naming
// $retention, $funnel or $flows decides; anything else is insights.
func detectReportType(headers []string) string {
	for _, h := range headers {
		switch {
		case strings.Contains(h, "$retention"):
			return "retention"
		case strings.Contains(h, "$funnel"):
			return "funnel"
		case strings.Contains(h, "$flows"):
			return "flows"
		}
	}
	return "insights"
}

// SavedReportParams are the arguments of QuerySavedReport. The dates only
// matter for funnels, which need a range: empty sides default to the 30
// days ending today (or either side derived from the other), capped at today.
type SavedReportParams struct {
	BookmarkID int64
	Type       string // insights (default), funnels, retention, flows
	FromDate   string
	ToDate     string
	Now        time.Time // the clock for the funnel default; zero means time.Now
}

// QuerySavedReport runs a saved report by bookmark id.
func (c *Client) QuerySavedReport(ctx context.Context, p SavedReportParams) (*SavedReportResult, error) {
	id := strconv.FormatInt(p.BookmarkID, 10)
	var (
		res *SavedReportResult
		err error
	)
	switch p.Type {
	case "", ReportInsights:
		res, err = c.savedInsights(ctx, id)
	case ReportFunnels:
		res, err = c.savedFunnel(ctx, id, p)
	case ReportRetention:
		res, err = c.savedRetention(ctx, id)
	case ReportFlows:
		var flows *FlowsResult
		if flows, err = c.QuerySavedFlows(ctx, p.BookmarkID); err == nil {
			series, _ := json.Marshal(map[string]any{"steps": flows.Steps, "breakdowns": flows.Breakdowns, "overallConversionRate": flows.OverallConversionRate})
			res = &SavedReportResult{ComputedAt: flows.ComputedAt, Headers: []string{"$flows"}, Series: series}
		}
	default:
		return nil, fmt.Errorf("saved report %d: unknown type %q; use insights, funnels, retention or flows", p.BookmarkID, p.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("saved report %d: %w", p.BookmarkID, err)
	}
	res.BookmarkID = p.BookmarkID
	res.ReportType = detectReportType(res.Headers)
	if len(res.Series) == 0 {
		res.Series = json.RawMessage("{}")
	}
	return res, nil
}

func (c *Client) savedInsights(ctx context.Context, id string) (*SavedReportResult, error) {
	var raw struct {
		ComputedAt string `json:"computed_at"`
		DateRange  struct {
			FromDate string `json:"from_date"`
			ToDate   string `json:"to_date"`
		} `json:"date_range"`
		Headers []string        `json:"headers"`
		Series  json.RawMessage `json:"series"`
		Error   json.RawMessage `json:"error"`
	}
	if err := c.JSON(ctx, Request{Family: Query, Path: "/insights", Query: url.Values{"bookmark_id": {id}}}, &raw); err != nil {
		return nil, err
	}
	if err := c.answerError("/insights", raw.Error); err != nil {
		return nil, err
	}
	return &SavedReportResult{ComputedAt: raw.ComputedAt, FromDate: raw.DateRange.FromDate, ToDate: raw.DateRange.ToDate, Headers: nonNilSlice(raw.Headers), Series: raw.Series}, nil
}

func (c *Client) savedFunnel(ctx context.Context, id string, p SavedReportParams) (*SavedReportResult, error) {
	from, to := funnelDefaultRange(p.FromDate, p.ToDate, p.Now)
	var raw struct {
		ComputedAt string                     `json:"computed_at"`
		Data       map[string]json.RawMessage `json:"data"`
	}
	q := url.Values{"funnel_id": {id}, "from_date": {from}, "to_date": {to}}
	if err := c.JSON(ctx, Request{Family: Query, Path: "/funnels", Query: q}, &raw); err != nil {
		return nil, err
	}
	res := &SavedReportResult{ComputedAt: raw.ComputedAt, Headers: []string{"$funnel"}}
	res.FromDate, res.ToDate = keyRange(raw.Data)
	res.Series, _ = json.Marshal(raw.Data)
	return res, nil
}

// funnelDefaultRange fills the range a saved funnel needs: 30 days ending
// today without dates, the other side ±30 days from a single date, and
// never past today.
func funnelDefaultRange(from, to string, now time.Time) (string, string) {
	if now.IsZero() {
		now = time.Now()
	}
	const day = "2006-01-02"
	today := now.UTC().Format(day)
	shift := func(d string, days int) string {
		t, err := time.Parse(day, d)
		if err != nil {
			return d
		}
		return t.AddDate(0, 0, days).Format(day)
	}
	switch {
	case from == "" && to == "":
		from, to = shift(today, -30), today
	case from == "":
		from = shift(to, -30)
	case to == "":
		to = shift(from, 30)
	}
	if to > today {
		to = today
	}
	return from, to
}

func (c *Client) savedRetention(ctx context.Context, id string) (*SavedReportResult, error) {
	raw, err := c.Raw(ctx, Request{Family: Query, Path: "/retention", Query: url.Values{"bookmark_id": {id}}})
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, badAnswer(http.MethodGet, "/retention", "expected a JSON object")
	}
	res := &SavedReportResult{Headers: []string{"$retention"}, Series: raw}
	res.FromDate, res.ToDate = keyRange(top)
	return res, nil
}

// FlowsResult is the reference's FlowsResult.
type FlowsResult struct {
	BookmarkID            int64            `json:"bookmark_id"`
	ComputedAt            string           `json:"computed_at"`
	Steps                 []map[string]any `json:"steps"`
	Breakdowns            []map[string]any `json:"breakdowns"`
	OverallConversionRate float64          `json:"overall_conversion_rate"`
	Metadata              map[string]any   `json:"metadata"`
}

// QuerySavedFlows runs a saved Flows report (as a sankey).
func (c *Client) QuerySavedFlows(ctx context.Context, bookmarkID int64) (*FlowsResult, error) {
	q := url.Values{"bookmark_id": {strconv.FormatInt(bookmarkID, 10)}, "query_type": {"flows_sankey"}}
	var raw struct {
		ComputedAt            string           `json:"computed_at"`
		Steps                 []map[string]any `json:"steps"`
		Breakdowns            []map[string]any `json:"breakdowns"`
		OverallConversionRate float64          `json:"overallConversionRate"`
		Metadata              map[string]any   `json:"metadata"`
		Error                 json.RawMessage  `json:"error"`
	}
	if err := c.JSON(ctx, Request{Family: Query, Path: "/arb_funnels", Query: q}, &raw); err != nil {
		return nil, fmt.Errorf("saved flows %d: %w", bookmarkID, err)
	}
	if err := c.answerError("/arb_funnels", raw.Error); err != nil {
		return nil, fmt.Errorf("saved flows %d: %w", bookmarkID, err)
	}
	return &FlowsResult{BookmarkID: bookmarkID, ComputedAt: raw.ComputedAt, Steps: nonNilSlice(raw.Steps), Breakdowns: nonNilSlice(raw.Breakdowns),
		OverallConversionRate: raw.OverallConversionRate, Metadata: nonNil(raw.Metadata)}, nil
}

// keyRange is the smallest and largest date-looking key of an answer keyed
// by date ("$average" and similar keys are skipped).
func keyRange[V any](m map[string]V) (string, string) {
	var lo, hi string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if strings.HasPrefix(k, "$") {
			continue
		}
		if lo == "" {
			lo = k
		}
		hi = k
	}
	return lo, hi
}

// nonNilSlice turns a nil slice into an empty one: results encode []
// rather than null, which their output schemas require.
func nonNilSlice[S ~[]E, E any](s S) S {
	if s == nil {
		return S{}
	}
	return s
}

// answerError is the error a 200 answer carries in its "error" member
// (Mixpanel reports a bad saved report that way), or nil.
func (c *Client) answerError(path string, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return &APIError{Kind: KindValidation, Status: http.StatusOK, Method: http.MethodGet, Path: path, Message: truncate(jsonText(raw, c.redact.Replace), maxErrorText)}
}
