package query

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// QueryResult is an Insights answer, the reference's QueryResult: the raw
// series keyed by metric label, the dates the server used, the params that
// produced it and the server's metadata.
type QueryResult struct {
	ComputedAt string          `json:"computed_at"`
	FromDate   string          `json:"from_date"`
	ToDate     string          `json:"to_date"`
	Headers    []string        `json:"headers"`
	Series     json.RawMessage `json:"series" jsonschema:"description=Map of metric label to date (or 'all') to value; with breakdowns\\, one nesting level per group"`
	Params     Params          `json:"params,omitempty"`
	Meta       map[string]any  `json:"meta"`
}

// Row is one value of a result, the reference's .df row: date is empty for
// total mode, segment is empty without breakdowns ("a / b" for several).
type Row struct {
	Date    string  `json:"date,omitempty"`
	Event   string  `json:"event"`
	Segment string  `json:"segment,omitempty"`
	Count   float64 `json:"count"`
}

type insightsAnswer struct {
	ComputedAt string `json:"computed_at"`
	DateRange  struct {
		FromDate string `json:"from_date"`
		ToDate   string `json:"to_date"`
	} `json:"date_range"`
	Headers []string        `json:"headers"`
	Series  json.RawMessage `json:"series"`
	Meta    map[string]any  `json:"meta"`
	Error   json.RawMessage `json:"error"`
}

// ParseInsights reads an Insights answer. A body with a top-level "error"
// or without "series" is a failure even when the status was 200.
func ParseInsights(raw []byte, params Params) (*QueryResult, error) {
	var a insightsAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fmt.Errorf("parse insights answer: %w", err)
	}
	if k := jsonKind(a.Error); k != "" && k != "null" {
		var msg string
		if json.Unmarshal(a.Error, &msg) != nil {
			msg = string(a.Error)
		}
		return nil, fmt.Errorf("insights query failed: %s", msg)
	}
	if k := jsonKind(a.Series); k != "object" {
		return nil, fmt.Errorf("parse insights answer: no \"series\" object")
	}
	if a.Meta == nil {
		a.Meta = map[string]any{}
	}
	if a.Headers == nil {
		a.Headers = []string{}
	}
	return &QueryResult{
		ComputedAt: a.ComputedAt,
		FromDate:   a.DateRange.FromDate,
		ToDate:     a.DateRange.ToDate,
		Headers:    a.Headers,
		Series:     a.Series,
		Params:     params,
		Meta:       a.Meta,
	}, nil
}

// normalizeDateKey drops the UTC offset of an ISO timestamp, as the
// reference does: keys longer than 19 characters holding a "T" are cut.
func normalizeDateKey(k string) string {
	if len(k) > 19 && strings.Contains(k, "T") {
		return k[:19]
	}
	return k
}

// Rows flattens the series the way the reference's .df does: one row per
// (date, metric, segment). Metrics and segments keep the server's order,
// dates are sorted. Deeper breakdowns are walked level by level, skipping
// the "$overall" rollups below the first level. Malformed parts are skipped.
func (r *QueryResult) Rows() []Row {
	top, ok := parseOrderedJSON(r.Series)
	if !ok || top.kind != 'o' {
		return nil
	}
	rows := make([]Row, 0, countLeaves(top))
	for i, metric := range top.keys {
		rows = walkSeries(top.vals[i], rows, metric, nil)
	}
	return rows
}

// countLeaves counts the numbers under a node, the rows it will give.
func countLeaves(n onode) int {
	if n.kind == 'n' {
		return 1
	}
	c := 0
	for _, v := range n.vals {
		c += countLeaves(v)
	}
	return c
}

// walkSeries flattens one value of a series: an object of segments or an
// object of dates; anything else is skipped.
func walkSeries(n onode, rows []Row, metric string, segs []string) []Row {
	if n.kind != 'o' {
		return rows
	}
	dated := make([]Row, 0, len(n.keys))
	seg := strings.Join(segs, " / ")
	for i, key := range n.keys {
		switch v := n.vals[i]; v.kind {
		case 'n':
			row := Row{Event: metric, Segment: seg, Count: v.num}
			if key != "all" {
				row.Date = normalizeDateKey(key)
			}
			dated = append(dated, row)
		case 'o':
			if key == "$overall" && len(segs) > 0 {
				continue
			}
			rows = walkSeries(v, rows, metric, append(segs[:len(segs):len(segs)], key))
		}
	}
	sort.SliceStable(dated, func(i, j int) bool { return dated[i].Date < dated[j].Date })
	return append(rows, dated...)
}

// Summary is the one header line of a rendered result: what was computed
// over which range, in which unit and broken down how.
func (r *QueryResult) Summary() string {
	var metrics []string
	sections, _ := r.Params["sections"].(map[string]any)
	show, _ := sections["show"].([]any)
	for _, c := range show {
		clause, _ := c.(map[string]any)
		if clause["type"] == "formula" {
			label, _ := clause["name"].(string)
			def, _ := clause["definition"].(string)
			if label == "" {
				label = def
			} else {
				label += " = " + def
			}
			metrics = append(metrics, "formula "+label)
			continue
		}
		behavior, _ := clause["behavior"].(map[string]any)
		m, _ := clause["measurement"].(map[string]any)
		name, _ := behavior["name"].(string)
		if behavior["type"] == "cohort" {
			name = "cohort " + name
		}
		math, _ := m["math"].(string)
		if prop, ok := m["property"].(map[string]any); ok {
			if pn, _ := prop["name"].(string); pn != "" {
				math += " of " + pn
			} else {
				math += " of custom property"
			}
		}
		if pu, _ := m["perUserAggregation"].(string); pu != "" {
			math += " per-user " + pu
		}
		metrics = append(metrics, fmt.Sprintf("%s (%s)", name, math))
	}
	unit := ""
	if times, _ := sections["time"].([]any); len(times) > 0 {
		t0, _ := times[0].(map[string]any)
		unit, _ = t0["unit"].(string)
	}
	var groups []string
	gs, _ := sections["group"].([]any)
	for _, g := range gs {
		gm, _ := g.(map[string]any)
		switch {
		case gm["cohorts"] != nil:
			cs, _ := gm["cohorts"].([]any)
			c0, _ := cs[0].(map[string]any)
			groups = append(groups, fmt.Sprintf("cohort %v", c0["name"]))
		case gm["listItemGroup"] != nil:
			lg, _ := gm["listItemGroup"].(map[string]any)
			groups = append(groups, fmt.Sprintf("%v.%v", gm["value"], lg["propertyName"]))
		case gm["customProperty"] != nil || gm["customPropertyId"] != nil:
			groups = append(groups, "custom property")
		default:
			groups = append(groups, fmt.Sprint(gm["value"]))
		}
	}
	var b strings.Builder
	b.WriteString("Insights: ")
	b.WriteString(strings.Join(metrics, ", "))
	fmt.Fprintf(&b, " | %s to %s", shortDate(r.FromDate), shortDate(r.ToDate))
	display, _ := r.Params["displayOptions"].(map[string]any)
	switch chart, _ := display["chartType"].(string); {
	case chart == "bar" || chart == "table":
		b.WriteString(" | total over the range")
	case unit != "":
		b.WriteString(" | by " + unit)
	}
	if len(groups) > 0 {
		b.WriteString(" | breakdown: " + strings.Join(groups, ", "))
	}
	if display != nil {
		if tc, _ := display["timeComparison"].(map[string]any); tc != nil {
			fmt.Fprintf(&b, " | compared with %v %v", tc["type"], tc["value"])
		}
		if a, _ := display["analysis"].(string); a != "" && a != "linear" {
			b.WriteString(" | " + a)
		}
	}
	return b.String()
}

func shortDate(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

// Table lays the rows out for reading: with dates, one row per date and
// one column per series (metric, or metric / segment), biggest total
// first; without dates, one row per series. Columns beyond maxColumns are
// counted, not shown.
func (r *QueryResult) Table(maxColumns int) (columns []string, rows [][]string, hiddenSeries int) {
	all := r.Rows()
	events := distinctEvents(all)
	keys := make([]string, len(all))
	var seriesOrder []string
	seen := map[string]bool{}
	hasDates, segmented := false, false
	totals := map[string]float64{}
	metricOf := map[string]int{}
	for i, row := range all {
		key := row.Event
		if row.Segment != "" {
			key += " / " + row.Segment
			segmented = true
		}
		keys[i] = key
		if !seen[key] {
			seen[key] = true
			seriesOrder = append(seriesOrder, key)
			metricOf[key] = indexOf(events, row.Event)
		}
		totals[key] += row.Count
		hasDates = hasDates || row.Date != ""
	}
	if !hasDates {
		columns = []string{"event", "value"}
		if segmented {
			columns = []string{"event", "segment", "value"}
		}
		for _, row := range all {
			line := []string{row.Event, formatNum(row.Count)}
			if segmented {
				line = []string{row.Event, row.Segment, formatNum(row.Count)}
			}
			rows = append(rows, line)
		}
		return columns, rows, 0
	}
	// Metrics keep their order; within one, the biggest segments come
	// first, so the columns a cap leaves out matter least.
	sort.SliceStable(seriesOrder, func(i, j int) bool {
		a, b := seriesOrder[i], seriesOrder[j]
		if metricOf[a] != metricOf[b] {
			return metricOf[a] < metricOf[b]
		}
		return totals[a] > totals[b]
	})
	shown := seriesOrder
	if maxColumns > 0 && len(shown) > maxColumns {
		hiddenSeries = len(shown) - maxColumns
		shown = shown[:maxColumns]
	}
	col := make(map[string]int, len(shown))
	for i, s := range shown {
		col[s] = i + 1
	}
	byDate := map[string][]string{}
	var dates []string
	for i, row := range all {
		c, ok := col[keys[i]]
		if !ok {
			continue
		}
		line, ok := byDate[row.Date]
		if !ok {
			line = make([]string, len(shown)+1)
			line[0] = row.Date
			byDate[row.Date] = line
			dates = append(dates, row.Date)
		}
		line[c] = formatNum(row.Count)
	}
	sort.Strings(dates)
	midnight := true
	for _, d := range dates {
		midnight = midnight && strings.HasSuffix(d, "T00:00:00")
	}
	if midnight {
		// Day and coarser buckets: the time of day carries nothing.
		for _, d := range dates {
			byDate[d][0] = strings.TrimSuffix(d, "T00:00:00")
		}
	}
	columns = append([]string{"date"}, shown...)
	if len(events) == 1 && len(shown) > 1 {
		// One metric: its name is in every header; keep only the segment.
		prefix := events[0] + " / "
		for i, c := range columns[1:] {
			columns[i+1] = strings.TrimPrefix(c, prefix)
		}
		columns[0] = events[0] + " by date"
	}
	rows = make([][]string, 0, len(dates))
	for _, d := range dates {
		rows = append(rows, byDate[d])
	}
	return columns, rows, hiddenSeries
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return len(list)
}

func distinctEvents(rows []Row) []string {
	var out []string
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1] != r.Event {
			if !oneOfStrings(r.Event, out...) {
				out = append(out, r.Event)
			}
		}
	}
	return out
}

// formatNum writes integers without decimals and other values with six
// significant digits.
func formatNum(f float64) string {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	s := fmt.Sprintf("%.6g", f)
	if strings.Contains(s, ".") && !strings.Contains(s, "e") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
