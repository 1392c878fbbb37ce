package tools

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The legacy Query API as tools: segmentation, saved funnels, retention,
// event and property counts, frequency, numeric segmentation and the
// activity feed. Each returns the reference's result type and renders it
// as a compact table.
func legacyTools() []*Tool {
	return []*Tool{
		New("query_segmentation", ToolsetLegacy,
			"Count one event over time (legacy segmentation), optionally segmented by a property (on) and filtered (where).",
			ReadOnly, querySegmentation),
		New("query_saved_funnel", ToolsetLegacy,
			"Run a saved funnel by funnel_id (the discovery toolset lists saved funnels): step counts and conversion over a date range.",
			ReadOnly, querySavedFunnel),
		New("query_legacy_retention", ToolsetLegacy,
			"Legacy retention: of users who did born_event on each date, the share who did event in each later period.",
			ReadOnly, queryLegacyRetention),
		New("query_event_counts", ToolsetLegacy,
			"Count several events over time side by side.",
			ReadOnly, queryEventCounts),
		New("query_property_counts", ToolsetLegacy,
			"Count one event over time per value of a property.",
			ReadOnly, queryPropertyCounts),
		New("query_frequency", ToolsetLegacy,
			"Frequency (addiction): how many users were active in 1, 2, 3... hours or days of each period.",
			ReadOnly, queryFrequency),
		New("query_numeric_segmentation", ToolsetLegacy,
			"Segment an event by a numeric property: automatic value buckets, or the property's sum or average per period.",
			ReadOnly, queryNumericSegmentation),
		New("query_activity_feed", ToolsetLegacy,
			"Events of one or more users, oldest first, a page at a time; pass the returned sentinel_event back for the next page.",
			ReadOnly, queryActivityFeed),
	}
}

// Defaults of the legacy tools.
const (
	defaultRangeDays     = 30
	legacyDefaultRows    = 60
	legacyMaxRows        = 1000
	legacyMaxSegmentCols = 10
	feedDefaultLimit     = 100
)

// DateRange is the inclusive range most legacy tools take; empty sides
// default to the 30 days ending today.
type DateRange struct {
	FromDate string `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD; default 30 days before to_date"`
	ToDate   string `json:"to_date,omitempty" jsonschema:"description=YYYY-MM-DD; default today"`
}

var dayRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`) })

// check reports format and order problems of the set sides.
func (d DateRange) check(iss *query.Issues) { checkDates(iss, d.FromDate, d.ToDate, false) }

// resolve fills the defaults from the clock.
func (d DateRange) resolve(now time.Time) (string, string) {
	from, to := d.FromDate, d.ToDate
	if to == "" {
		to = now.UTC().Format("2006-01-02")
		if from != "" && from > to {
			to = from
		}
	}
	if from == "" {
		t, _ := time.Parse("2006-01-02", to)
		from = t.AddDate(0, 0, -(defaultRangeDays - 1)).Format("2006-01-02")
	}
	return from, to
}

// Paging is how many table rows a legacy tool shows.
type Paging struct {
	Limit  int `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=60,description=Table rows to show"`
	Offset int `json:"offset,omitempty" jsonschema:"minimum=0,description=First table row to show"`
}

func (p Paging) check(iss *query.Issues) {
	if p.Limit < 0 || p.Limit > legacyMaxRows {
		iss.Add("X1_INVALID_ENUM", "limit", "limit must be between 1 and %d (got %d)", legacyMaxRows, p.Limit)
	}
	if p.Offset < 0 {
		iss.Add("X1_INVALID_ENUM", "offset", "offset must be 0 or more (got %d)", p.Offset)
	}
}

func (p Paging) rows() int {
	if p.Limit == 0 {
		return legacyDefaultRows
	}
	return p.Limit
}

// table renders the page of rows p asks for, with the "more rows" note.
func (p Paging) table(title string, cols []string, rows [][]string) string {
	start, end := Page(len(rows), p.Offset, p.rows())
	return Table{Title: title, Columns: cols, Rows: rows[start:end], Offset: start, Total: len(rows)}.String()
}

// fetch runs one client request for a handler; the legacy and saved-report
// handlers differ only in the method, its parameters and the wrapping.
func fetch[P, R any](ctx context.Context, env *Env, method func(*mixpanel.Client, context.Context, P) (*R, error), p P) (R, error) {
	var zero R
	c, err := env.Client()
	if err != nil {
		return zero, err
	}
	r, err := method(c, ctx, p)
	if err != nil {
		return zero, err
	}
	return *r, nil
}

// checkEnum reports a value outside allowed ("" is always allowed: the default).
func checkEnum(iss *query.Issues, field, v string, allowed ...string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	iss.Add("X1_INVALID_ENUM", field, "%s %q is not valid; use one of %s", field, v, strings.Join(allowed, ", "))
}

func checkRequired(iss *query.Issues, field, v, example string) {
	if strings.TrimSpace(v) == "" {
		iss.Add("X5_REQUIRED", field, "%s must be a non-empty string, e.g. %q", field, example)
	}
}

// StringList is one string or a list of them: models often pass "Signup"
// where a list is expected.
type StringList []string

// UnmarshalJSON accepts a string or a list of strings.
func (l *StringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = StringList{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return fmt.Errorf("expected a string or a list of strings")
	}
	*l = ss
	return nil
}

// seriesTable pivots {segment: {date: n}} into rows of dates with one
// column per segment (the largest first, at most legacyMaxSegmentCols).
func seriesTable(title string, series map[string]map[string]float64, p Paging) string {
	type seg struct {
		name  string
		total float64
	}
	var segs []seg
	dateSet := map[string]bool{}
	for name, byDate := range series {
		s := seg{name: name}
		for d, n := range byDate {
			s.total += n
			dateSet[d] = true
		}
		segs = append(segs, s)
	}
	sort.Slice(segs, func(i, j int) bool {
		if segs[i].total != segs[j].total {
			return segs[i].total > segs[j].total
		}
		return segs[i].name < segs[j].name
	})
	hidden := 0
	if len(segs) > legacyMaxSegmentCols {
		hidden = len(segs) - legacyMaxSegmentCols
		segs = segs[:legacyMaxSegmentCols]
	}
	// Value ranges of numeric segmentation read best in order.
	lows := make(map[string]float64, len(segs))
	for _, s := range segs {
		lo, ok := bucketLow(s.name)
		if !ok {
			lows = nil
			break
		}
		lows[s.name] = lo
	}
	if lows != nil {
		sort.SliceStable(segs, func(i, j int) bool { return lows[segs[i].name] < lows[segs[j].name] })
	}
	dates := make([]string, 0, len(dateSet))
	for d := range dateSet {
		dates = append(dates, d)
	}
	sort.Strings(dates)
	labels := dateLabels(dates)
	cols := []string{"date"}
	for _, s := range segs {
		cols = append(cols, s.name)
	}
	rows := make([][]string, 0, len(dates)+1)
	for i, d := range dates {
		row := []string{labels[i]}
		for _, s := range segs {
			row = append(row, Num(series[s.name][d]))
		}
		rows = append(rows, row)
	}
	var b strings.Builder
	b.WriteString(p.table(title, cols, rows))
	if len(segs) > 0 {
		totals := make([]string, 0, len(segs))
		for _, s := range segs {
			totals = append(totals, s.name+" "+Num(s.total))
		}
		b.WriteString("Totals: " + strings.Join(totals, ", ") + "\n")
	}
	if hidden > 0 {
		fmt.Fprintf(&b, "%d smaller segments not shown as columns; all are in structuredContent.\n", hidden)
	}
	return b.String()
}

// bucketLow is the lower bound of a numeric bucket name such as "50 - 100".
func bucketLow(name string) (float64, bool) {
	lo, _, ok := strings.Cut(name, " - ")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(lo, 64)
	return f, err == nil
}

// dateLabels shows sorted date keys that are all midnights (saved
// insights send "2026-11-19T00:00:00-07:00") as days; others as they are.
func dateLabels(dates []string) []string {
	labels := make([]string, len(dates))
	for i, d := range dates {
		if len(d) <= 10 || !strings.HasPrefix(d[10:], "T00:00:00") {
			return dates
		}
		labels[i] = d[:10]
	}
	return labels
}

// SegmentationInput is a legacy segmentation query.
type SegmentationInput struct {
	Event string `json:"event" jsonschema:"description=Event name"`
	DateRange
	Unit  string `json:"unit,omitempty" jsonschema:"enum=minute,enum=hour,enum=day,enum=week,enum=month,default=day"`
	Type  string `json:"type,omitempty" jsonschema:"enum=general,enum=unique,enum=average,default=general,description=general: total events; unique: users; average: events per user"`
	On    string `json:"on,omitempty" jsonschema:"description=Property to segment by (a name such as \"$browser\" or an expression)"`
	Where string `json:"where,omitempty" jsonschema:"description=Filter expression such as properties[\"country\"] == \"US\""`
	Paging
}

// Validate checks the query before any request.
func (in *SegmentationInput) Validate() error {
	var iss query.Issues
	checkRequired(&iss, "event", in.Event, "Purchase")
	in.DateRange.check(&iss)
	checkEnum(&iss, "unit", in.Unit, "minute", "hour", "day", "week", "month")
	checkEnum(&iss, "type", in.Type, "general", "unique", "average")
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// SegmentationOutput is the reference's SegmentationResult.
type SegmentationOutput struct {
	mixpanel.SegmentationResult
	paging Paging
}

// Text is a date × segment table under a summary line.
func (o SegmentationOutput) Text() string {
	r := o.SegmentationResult
	title := fmt.Sprintf("Segmentation of %q by %s, %s to %s: total %s", r.Event, r.Unit, r.FromDate, r.ToDate, Num(r.Total))
	if r.SegmentProperty != nil {
		title += ", segmented by " + *r.SegmentProperty
	}
	return seriesTable(title, r.Series, o.paging)
}

func querySegmentation(ctx context.Context, env *Env, in SegmentationInput) (SegmentationOutput, error) {
	from, to := in.DateRange.resolve(env.Now())
	res, err := fetch(ctx, env, (*mixpanel.Client).Segmentation, mixpanel.SegmentationParams{Event: in.Event, FromDate: from, ToDate: to, Unit: in.Unit, Type: in.Type, On: in.On, Where: in.Where})
	return SegmentationOutput{SegmentationResult: res, paging: in.Paging}, err
}

// SavedFunnelInput runs a saved funnel.
type SavedFunnelInput struct {
	FunnelID query.Int `json:"funnel_id" jsonschema:"description=Saved funnel id"`
	DateRange
	Unit       string `json:"unit,omitempty" jsonschema:"enum=day,enum=week,enum=month"`
	On         string `json:"on,omitempty" jsonschema:"description=Property to segment by"`
	Where      string `json:"where,omitempty" jsonschema:"description=Filter expression"`
	Length     int    `json:"length,omitempty" jsonschema:"minimum=1,description=Conversion window length"`
	LengthUnit string `json:"length_unit,omitempty" jsonschema:"enum=second,enum=minute,enum=hour,enum=day"`
}

// Validate checks the query before any request.
func (in *SavedFunnelInput) Validate() error {
	var iss query.Issues
	if in.FunnelID <= 0 {
		iss.Add("X5_REQUIRED", "funnel_id", "funnel_id must be a positive saved funnel id (got %d); list_funnels shows them", in.FunnelID)
	}
	in.DateRange.check(&iss)
	checkEnum(&iss, "unit", in.Unit, "day", "week", "month")
	checkEnum(&iss, "length_unit", in.LengthUnit, "second", "minute", "hour", "day")
	if in.Length < 0 {
		iss.Add("X1_INVALID_ENUM", "length", "length must be positive (got %d)", in.Length)
	}
	return iss.Err(query.StageArgs)
}

// SavedFunnelOutput is the reference's FunnelResult.
type SavedFunnelOutput struct {
	mixpanel.FunnelResult
}

// Text is one row per step.
func (o SavedFunnelOutput) Text() string {
	r := o.FunnelResult
	return funnelTable(fmt.Sprintf("Funnel %d, %s to %s", r.FunnelID, r.FromDate, r.ToDate), r)
}

// funnelTable is one row per step under head and the overall conversion.
func funnelTable(head string, r mixpanel.FunnelResult) string {
	rows := make([][]string, 0, len(r.Steps))
	for i, s := range r.Steps {
		overall := 0.0
		if len(r.Steps) > 0 && r.Steps[0].Count > 0 {
			overall = s.Count / r.Steps[0].Count
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), s.Event, Num(s.Count), Pct(s.ConversionRate), Pct(overall)})
	}
	return Table{Title: head + ": overall conversion " + Pct(r.ConversionRate), Columns: []string{"step", "event", "count", "from previous", "from first"}, Rows: rows}.String()
}

func querySavedFunnel(ctx context.Context, env *Env, in SavedFunnelInput) (SavedFunnelOutput, error) {
	from, to := in.DateRange.resolve(env.Now())
	res, err := fetch(ctx, env, (*mixpanel.Client).Funnel, mixpanel.FunnelParams{FunnelID: int64(in.FunnelID), FromDate: from, ToDate: to, Unit: in.Unit, On: in.On, Where: in.Where, Length: in.Length, LengthUnit: in.LengthUnit})
	return SavedFunnelOutput{FunnelResult: res}, err
}

// LegacyRetentionInput is a legacy retention query.
type LegacyRetentionInput struct {
	BornEvent string `json:"born_event" jsonschema:"description=Event that puts a user in a cohort"`
	Event     string `json:"event,omitempty" jsonschema:"description=Return event; default any event"`
	DateRange
	RetentionType string `json:"retention_type,omitempty" jsonschema:"enum=birth,enum=compounded,default=birth"`
	IntervalCount int    `json:"interval_count,omitempty" jsonschema:"minimum=1,description=Number of periods"`
	Unit          string `json:"unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,default=day"`
	Interval      int    `json:"interval,omitempty" jsonschema:"minimum=1,description=Custom period length in days (instead of unit)"`
	BornWhere     string `json:"born_where,omitempty" jsonschema:"description=Filter expression on the born event"`
	Where         string `json:"where,omitempty" jsonschema:"description=Filter expression on the return event"`
	Paging
}

// Validate checks the query before any request.
func (in *LegacyRetentionInput) Validate() error {
	var iss query.Issues
	checkRequired(&iss, "born_event", in.BornEvent, "Sign Up")
	in.DateRange.check(&iss)
	checkEnum(&iss, "retention_type", in.RetentionType, "birth", "compounded")
	checkEnum(&iss, "unit", in.Unit, "day", "week", "month")
	if in.Unit != "" && in.Interval > 1 {
		iss.Add("X1_INVALID_ENUM", "interval", "Mixpanel rejects unit together with interval; pass one of them")
	}
	if in.IntervalCount < 0 || in.Interval < 0 {
		iss.Add("X1_INVALID_ENUM", "interval_count", "interval_count and interval must be positive")
	}
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// LegacyRetentionOutput is the reference's RetentionResult.
type LegacyRetentionOutput struct {
	mixpanel.RetentionResult
	paging Paging
	// interval is the custom period length in days, when one replaced unit.
	interval int
}

// maxPeriodCols caps the period columns of the retention and frequency
// tables; later periods stay in structuredContent.
const maxPeriodCols = 12

// cells formats the first width values, blank where a row is shorter.
func cells(vals []float64, width int, format func(float64) string) []string {
	out := make([]string, width)
	for i := range min(width, len(vals)) {
		out[i] = format(vals[i])
	}
	return out
}

// periodsNote says how many period columns were left out of n.
func periodsNote(n int) string {
	if n <= maxPeriodCols {
		return ""
	}
	return fmt.Sprintf("%d later periods not shown as columns; all are in structuredContent.\n", n-maxPeriodCols)
}

// Text is one row per cohort with its size and retention per period.
func (o LegacyRetentionOutput) Text() string {
	r := o.RetentionResult
	unit, by := r.Unit, r.Unit
	if o.interval > 1 {
		unit, by = "period", fmt.Sprintf("%d-day period", o.interval)
	}
	title := fmt.Sprintf("Retention of %q then %q by %s, %s to %s", r.BornEvent, cmp.Or(r.ReturnEvent, "any event"), by, r.FromDate, r.ToDate)
	return retentionTable(title, unit, r.Cohorts, o.paging)
}

// retentionTable is one row per cohort: its date, size and the share
// retained in each period (named by unit), at most maxPeriodCols of them.
func retentionTable(title, unit string, cohorts []mixpanel.CohortInfo, p Paging) string {
	periods := 0
	for _, c := range cohorts {
		periods = max(periods, len(c.Retention))
	}
	shown := min(periods, maxPeriodCols)
	cols := []string{"cohort", "size"}
	for i := range shown {
		cols = append(cols, fmt.Sprintf("%s %d", unit, i+1))
	}
	rows := make([][]string, 0, len(cohorts))
	for _, c := range cohorts {
		rows = append(rows, append([]string{c.Date, Num(c.Size)}, cells(c.Retention, shown, Pct)...))
	}
	return p.table(title, cols, rows) + periodsNote(periods)
}

func queryLegacyRetention(ctx context.Context, env *Env, in LegacyRetentionInput) (LegacyRetentionOutput, error) {
	from, to := in.DateRange.resolve(env.Now())
	res, err := fetch(ctx, env, (*mixpanel.Client).Retention, mixpanel.RetentionParams{BornEvent: in.BornEvent, Event: in.Event, FromDate: from, ToDate: to,
		RetentionType: in.RetentionType, IntervalCount: in.IntervalCount, Unit: in.Unit, Interval: in.Interval, BornWhere: in.BornWhere, Where: in.Where})
	return LegacyRetentionOutput{RetentionResult: res, paging: in.Paging, interval: in.Interval}, err
}

// EventCountsInput counts several events.
type EventCountsInput struct {
	Events StringList `json:"events" jsonschema:"description=Event names"`
	DateRange
	Unit string `json:"unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,default=day"`
	Type string `json:"type,omitempty" jsonschema:"enum=general,enum=unique,enum=average,default=general"`
	Paging
}

// Validate checks the query before any request.
func (in *EventCountsInput) Validate() error {
	var iss query.Issues
	if len(in.Events) == 0 {
		iss.Add("X5_REQUIRED", "events", "events must name at least one event, e.g. [\"Sign Up\", \"Purchase\"]")
	}
	for i, e := range in.Events {
		checkRequired(&iss, fmt.Sprintf("events[%d]", i), e, "Purchase")
	}
	in.DateRange.check(&iss)
	checkEnum(&iss, "unit", in.Unit, "day", "week", "month")
	checkEnum(&iss, "type", in.Type, "general", "unique", "average")
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// EventCountsOutput is the reference's EventCountsResult.
type EventCountsOutput struct {
	mixpanel.EventCountsResult
	paging Paging
}

// Text is a date × event table.
func (o EventCountsOutput) Text() string {
	r := o.EventCountsResult
	return seriesTable(fmt.Sprintf("Event counts (%s) by %s, %s to %s", r.Type, r.Unit, r.FromDate, r.ToDate), r.Series, o.paging)
}

func queryEventCounts(ctx context.Context, env *Env, in EventCountsInput) (EventCountsOutput, error) {
	from, to := in.DateRange.resolve(env.Now())
	res, err := fetch(ctx, env, (*mixpanel.Client).EventCounts, mixpanel.EventCountsParams{Events: in.Events, FromDate: from, ToDate: to, Unit: in.Unit, Type: in.Type})
	return EventCountsOutput{EventCountsResult: res, paging: in.Paging}, err
}

// PropertyCountsInput counts an event per property value.
type PropertyCountsInput struct {
	Event    string `json:"event" jsonschema:"description=Event name"`
	Property string `json:"property" jsonschema:"description=Property whose values become the segments"`
	DateRange
	Unit   string     `json:"unit,omitempty" jsonschema:"enum=minute,enum=hour,enum=day,enum=week,enum=month,default=day"`
	Type   string     `json:"type,omitempty" jsonschema:"enum=general,enum=unique,enum=average,default=general"`
	Values StringList `json:"values,omitempty" jsonschema:"description=Only these property values"`
	Top    int        `json:"top,omitempty" jsonschema:"minimum=1,maximum=10000,description=Most common values to return (Mixpanel default 255)"`
	Paging
}

// Validate checks the query before any request.
func (in *PropertyCountsInput) Validate() error {
	var iss query.Issues
	checkRequired(&iss, "event", in.Event, "Purchase")
	checkRequired(&iss, "property", in.Property, "$browser")
	in.DateRange.check(&iss)
	checkEnum(&iss, "unit", in.Unit, "minute", "hour", "day", "week", "month")
	checkEnum(&iss, "type", in.Type, "general", "unique", "average")
	if in.Top < 0 {
		iss.Add("X1_INVALID_ENUM", "top", "top must be positive (got %d)", in.Top)
	}
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// PropertyCountsOutput is the reference's PropertyCountsResult.
type PropertyCountsOutput struct {
	mixpanel.PropertyCountsResult
	paging Paging
}

// Text is a date × value table.
func (o PropertyCountsOutput) Text() string {
	r := o.PropertyCountsResult
	return seriesTable(fmt.Sprintf("%q (%s) by %s per value of %s, %s to %s", r.Event, r.Type, r.Unit, r.PropertyName, r.FromDate, r.ToDate), r.Series, o.paging)
}

func queryPropertyCounts(ctx context.Context, env *Env, in PropertyCountsInput) (PropertyCountsOutput, error) {
	from, to := in.DateRange.resolve(env.Now())
	res, err := fetch(ctx, env, (*mixpanel.Client).PropertyCounts, mixpanel.PropertyCountsParams{Event: in.Event, PropertyName: in.Property, FromDate: from, ToDate: to, Unit: in.Unit, Type: in.Type, Values: in.Values, Limit: in.Top})
	return PropertyCountsOutput{PropertyCountsResult: res, paging: in.Paging}, err
}

// FrequencyInput is an addiction query.
type FrequencyInput struct {
	Event string `json:"event,omitempty" jsonschema:"description=Event name; default any event"`
	DateRange
	Unit          string `json:"unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,default=day,description=Period each row covers"`
	AddictionUnit string `json:"addiction_unit,omitempty" jsonschema:"enum=hour,enum=day,default=hour,description=What is counted inside a period"`
	Where         string `json:"where,omitempty" jsonschema:"description=Filter expression"`
	Paging
}

// Validate checks the query before any request.
func (in *FrequencyInput) Validate() error {
	var iss query.Issues
	in.DateRange.check(&iss)
	checkEnum(&iss, "unit", in.Unit, "day", "week", "month")
	checkEnum(&iss, "addiction_unit", in.AddictionUnit, "hour", "day")
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// FrequencyOutput is the reference's FrequencyResult.
type FrequencyOutput struct {
	mixpanel.FrequencyResult
	paging Paging
}

// Text is one row per period: users active in 1, 2, ... addiction units.
func (o FrequencyOutput) Text() string {
	r := o.FrequencyResult
	dates := make([]string, 0, len(r.Data))
	width := 0
	for d, row := range r.Data {
		dates = append(dates, d)
		width = max(width, len(row))
	}
	sort.Strings(dates)
	shown := min(width, maxPeriodCols)
	cols := []string{"period"}
	for i := range shown {
		cols = append(cols, fmt.Sprintf("%d %s", i+1, r.AddictionUnit))
	}
	rows := make([][]string, 0, len(dates))
	for _, d := range dates {
		rows = append(rows, append([]string{d}, cells(r.Data[d], shown, Num)...))
	}
	ev := "any event"
	if r.Event != nil {
		ev = fmt.Sprintf("%q", *r.Event)
	}
	title := fmt.Sprintf("Frequency of %s: users active in N %ss per %s, %s to %s", ev, r.AddictionUnit, r.Unit, r.FromDate, r.ToDate)
	return o.paging.table(title, cols, rows) + periodsNote(width)
}

func queryFrequency(ctx context.Context, env *Env, in FrequencyInput) (FrequencyOutput, error) {
	from, to := in.DateRange.resolve(env.Now())
	res, err := fetch(ctx, env, (*mixpanel.Client).Frequency, mixpanel.FrequencyParams{Event: in.Event, FromDate: from, ToDate: to, Unit: in.Unit, AddictionUnit: in.AddictionUnit, Where: in.Where})
	return FrequencyOutput{FrequencyResult: res, paging: in.Paging}, err
}

// NumericSegmentationInput segments an event by a numeric property.
type NumericSegmentationInput struct {
	Event     string `json:"event" jsonschema:"description=Event name"`
	Property  string `json:"property" jsonschema:"description=Numeric property (name or expression)"`
	Aggregate string `json:"aggregate,omitempty" jsonschema:"enum=buckets,enum=sum,enum=average,default=buckets,description=buckets: counts per value range; sum/average: of the property per period"`
	DateRange
	Unit  string `json:"unit,omitempty" jsonschema:"enum=hour,enum=day,default=day"`
	Type  string `json:"type,omitempty" jsonschema:"enum=general,enum=unique,enum=average,description=buckets only"`
	Where string `json:"where,omitempty" jsonschema:"description=Filter expression"`
	Paging
}

// Validate checks the query before any request.
func (in *NumericSegmentationInput) Validate() error {
	var iss query.Issues
	checkRequired(&iss, "event", in.Event, "Purchase")
	checkRequired(&iss, "property", in.Property, "revenue")
	checkEnum(&iss, "aggregate", in.Aggregate, "buckets", "sum", "average")
	in.DateRange.check(&iss)
	checkEnum(&iss, "unit", in.Unit, "hour", "day")
	checkEnum(&iss, "type", in.Type, "general", "unique", "average")
	if in.Type != "" && in.Aggregate != "" && in.Aggregate != "buckets" {
		iss.Add("X1_INVALID_ENUM", "type", "type only applies to aggregate=buckets; remove it")
	}
	in.Paging.check(&iss)
	return iss.Err(query.StageArgs)
}

// NumericSegmentationOutput holds the result of the chosen aggregate.
type NumericSegmentationOutput struct {
	Buckets *mixpanel.NumericBucketResult  `json:"buckets,omitempty" jsonschema:"description=NumericBucketResult (aggregate=buckets)"`
	Sum     *mixpanel.NumericSumResult     `json:"sum,omitempty" jsonschema:"description=NumericSumResult (aggregate=sum)"`
	Average *mixpanel.NumericAverageResult `json:"average,omitempty" jsonschema:"description=NumericAverageResult (aggregate=average)"`
	paging  Paging
}

// Text is a date × bucket table, or one value per period.
func (o NumericSegmentationOutput) Text() string {
	switch {
	case o.Buckets != nil:
		r := o.Buckets
		return seriesTable(fmt.Sprintf("%q by ranges of %s per %s, %s to %s", r.Event, r.PropertyExpr, r.Unit, r.FromDate, r.ToDate), r.Series, o.paging)
	case o.Sum != nil:
		r := o.Sum
		return valuesTable(fmt.Sprintf("Sum of %s on %q per %s, %s to %s", r.PropertyExpr, r.Event, r.Unit, r.FromDate, r.ToDate), "sum", r.Results, o.paging)
	case o.Average != nil:
		r := o.Average
		return valuesTable(fmt.Sprintf("Average of %s on %q per %s, %s to %s", r.PropertyExpr, r.Event, r.Unit, r.FromDate, r.ToDate), "average", r.Results, o.paging)
	}
	return "(no result)\n"
}

func valuesTable(title, col string, results map[string]float64, p Paging) string {
	rows := make([][]string, 0, len(results))
	for _, k := range slices.Sorted(maps.Keys(results)) {
		rows = append(rows, []string{k, Num(results[k])})
	}
	return p.table(title, []string{"period", col}, rows)
}

func queryNumericSegmentation(ctx context.Context, env *Env, in NumericSegmentationInput) (NumericSegmentationOutput, error) {
	c, err := env.Client()
	if err != nil {
		return NumericSegmentationOutput{}, err
	}
	from, to := in.DateRange.resolve(env.Now())
	p := mixpanel.NumericParams{Event: in.Event, FromDate: from, ToDate: to, On: in.Property, Unit: in.Unit, Type: in.Type, Where: in.Where}
	out := NumericSegmentationOutput{paging: in.Paging}
	switch in.Aggregate {
	case "sum":
		out.Sum, err = c.NumericSum(ctx, p)
	case "average":
		out.Average, err = c.NumericAverage(ctx, p)
	default:
		out.Buckets, err = c.NumericBuckets(ctx, p)
	}
	if err != nil {
		return NumericSegmentationOutput{}, err
	}
	return out, nil
}

// ActivityFeedInput is one page of users' events.
type ActivityFeedInput struct {
	DistinctIDs StringList `json:"distinct_ids" jsonschema:"description=Distinct ids of the users"`
	FromDate    string     `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD; without dates the last 30 days"`
	ToDate      string     `json:"to_date,omitempty" jsonschema:"description=YYYY-MM-DD (needs from_date)"`
	Limit       int        `json:"limit,omitempty" jsonschema:"minimum=1,maximum=15000,default=100,description=Events per page"`
	// IncludeEvents and ExcludeEvents are exclusive.
	IncludeEvents StringList      `json:"include_events,omitempty" jsonschema:"description=Only these events"`
	ExcludeEvents StringList      `json:"exclude_events,omitempty" jsonschema:"description=All but these events"`
	SentinelEvent json.RawMessage `json:"sentinel_event,omitempty" jsonschema:"description=The previous page's sentinel_event passed back unchanged"`
}

// Validate checks the request before it is sent.
func (in *ActivityFeedInput) Validate() error {
	var iss query.Issues
	if len(in.DistinctIDs) == 0 {
		iss.Add("X5_REQUIRED", "distinct_ids", "distinct_ids must name at least one user, e.g. [\"user-001\"]; query_user finds distinct ids")
	}
	for i, id := range in.DistinctIDs {
		checkRequired(&iss, fmt.Sprintf("distinct_ids[%d]", i), id, "user-001")
	}
	DateRange{FromDate: in.FromDate, ToDate: in.ToDate}.check(&iss)
	if in.ToDate != "" && in.FromDate == "" {
		iss.Add("V9_TO_REQUIRES_FROM", "to_date", "to_date requires from_date; set from_date too")
	}
	if in.Limit < 0 || in.Limit > mixpanel.MaxActivityFeedLimit {
		iss.Add("X1_INVALID_ENUM", "limit", "limit must be between 1 and %d (got %d)", mixpanel.MaxActivityFeedLimit, in.Limit)
	}
	if len(in.IncludeEvents) > 0 && len(in.ExcludeEvents) > 0 {
		iss.Add("X1_INVALID_ENUM", "include_events", "include_events and exclude_events are mutually exclusive; pass one")
	}
	// A model may hand the cursor back as a JSON string of the object;
	// that is unambiguous, so unwrap it.
	var quoted string
	if json.Unmarshal(in.SentinelEvent, &quoted) == nil && strings.HasPrefix(strings.TrimSpace(quoted), "{") && json.Valid([]byte(quoted)) {
		in.SentinelEvent = json.RawMessage(quoted)
	}
	if s := bytes.TrimSpace(in.SentinelEvent); len(s) > 0 && s[0] != '{' && string(s) != "null" {
		iss.Add("X3_FILTER_VALUE", "sentinel_event", "sentinel_event must be the object a previous page returned, passed back unchanged")
	}
	return iss.Err(query.StageArgs)
}

// ActivityFeedOutput is the reference's ActivityFeedResult.
type ActivityFeedOutput struct {
	mixpanel.ActivityFeedResult
}

// Text lists the events with a few of their properties, and how to get the
// next page.
func (o ActivityFeedOutput) Text() string {
	r := o.ActivityFeedResult
	rows := make([][]string, 0, len(r.Events))
	for _, e := range r.Events {
		id, _ := e.Properties["$distinct_id"].(string)
		if id == "" {
			id, _ = e.Properties["distinct_id"].(string)
		}
		rows = append(rows, []string{e.Time, e.Event, id, compactProps(e.Properties, 4, "time", "$distinct_id", "distinct_id", "$insert_id")})
	}
	title := fmt.Sprintf("Activity of %s: %d events", strings.Join(r.DistinctIDs, ", "), len(r.Events))
	var b strings.Builder
	b.WriteString(Table{Title: title, Columns: []string{"time", "event", "distinct_id", "properties"}, Rows: rows}.String())
	if len(r.SentinelEvent) > 0 {
		fmt.Fprintf(&b, "More events: call again with sentinel_event=%s\n", r.SentinelEvent)
	}
	return b.String()
}

// compactProps renders up to n properties (sorted, long values cut) as
// k=v pairs, skipping the keys already shown as columns.
func compactProps(props map[string]any, n int, skip ...string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, min(n, len(keys)))
	for _, k := range keys[:min(n, len(keys))] {
		parts = append(parts, k+"="+clip(valueText(props[k]), 40))
	}
	if len(keys) > n {
		parts = append(parts, fmt.Sprintf("+%d more", len(keys)-n))
	}
	return strings.Join(parts, ", ")
}

func queryActivityFeed(ctx context.Context, env *Env, in ActivityFeedInput) (ActivityFeedOutput, error) {
	res, err := fetch(ctx, env, (*mixpanel.Client).ActivityFeed, mixpanel.ActivityFeedParams{DistinctIDs: in.DistinctIDs, FromDate: in.FromDate, ToDate: in.ToDate,
		Limit: cmp.Or(in.Limit, feedDefaultLimit), IncludeEvents: in.IncludeEvents, ExcludeEvents: in.ExcludeEvents, SentinelEvent: in.SentinelEvent})
	return ActivityFeedOutput{ActivityFeedResult: res}, err
}
