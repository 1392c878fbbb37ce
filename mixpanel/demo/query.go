package demo

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// today is the last day of data.
func (e *Events) today() time.Time { return e.Start.AddDate(0, 0, Days-1) }

// dayIndex is t's day relative to Start.
func (e *Events) dayIndex(t time.Time) int { return int(math.Floor(t.Sub(e.Start).Hours() / 24)) }

// eventID is the id of the event called name, or -1.
func eventID(name string) int {
	for i, n := range eventNames {
		if n == name {
			return i
		}
	}
	return -1
}

// maxSpanDays bounds a query's range, which sizes the answer.
const maxSpanDays = 1100

// span resolves sections.time to its first and last day and [lo, hi) in
// seconds since Start.
func (e *Events) span(sections map[string]any) (from, to time.Time, lo, hi int32, err error) {
	times, _ := sections["time"].([]any)
	if len(times) != 1 {
		return from, to, 0, 0, fmt.Errorf("sections.time: exactly one time entry is required")
	}
	t0, _ := times[0].(map[string]any)
	if from, to, err = mixpaneltest.InsightsRange(t0, e.today()); err != nil {
		return from, to, 0, 0, err
	}
	if to.Sub(from) > maxSpanDays*24*time.Hour {
		return from, to, 0, 0, unsupported("date ranges longer than %d days (its data covers the last %d days)", maxSpanDays, Days)
	}
	lo, hi = e.bounds(from, to)
	return from, to, lo, hi, nil
}

// bounds is [from's midnight, the midnight after to) in seconds since Start.
func (e *Events) bounds(from, to time.Time) (int32, int32) {
	return int32(e.dayIndex(from)) * day, int32(e.dayIndex(to)+1) * day
}

// stepMatcher matches one behaviour: its event and its filters plus the
// query's global filters.
type stepMatcher struct {
	id   int // -1: no such event (matches nothing); numEvents: $all_events
	pred predicate
}

func (m stepMatcher) match(e *Events, i, u int) bool {
	if m.id != numEvents && int(e.ev[i]) != m.id {
		return false
	}
	return m.pred == nil || m.pred(e, i, u)
}

// matcher compiles a behavior ({"name", "filters", "filtersDeterminer"})
// with the query's global filters.
func (c *compiler) matcher(field string, behavior map[string]any, global predicate) (stepMatcher, error) {
	if t, _ := behavior["type"].(string); t != "" && t != "event" {
		return stepMatcher{}, unsupported("%s.type %q (event behaviors)", field, t)
	}
	name, _ := behavior["name"].(string)
	det, _ := behavior["filtersDeterminer"].(string)
	local, err := c.filters(field+".filters", behavior["filters"], det == "any")
	if err != nil {
		return stepMatcher{}, err
	}
	return c.matcherFor(field+".name", name, and(local, global))
}

// matcherFor matches the event called name ($all_events: every event; an
// event the demo never sends matches nothing, as in Mixpanel).
func (c *compiler) matcherFor(field, name string, pred predicate) (stepMatcher, error) {
	if name == "" {
		return stepMatcher{}, fmt.Errorf("%s: an event name is required", field)
	}
	m := stepMatcher{id: eventID(name), pred: pred}
	if m.id < 0 && name == "$all_events" {
		m.id = numEvents
	}
	return m, nil
}

func isoDay(t time.Time) string {
	return t.Format("2006-01-02") + "T00:00:00" + mixpaneltest.ProjectOffset
}
func isoDayEnd(t time.Time) string {
	return t.Format("2006-01-02") + "T23:59:59.999000" + mixpaneltest.ProjectOffset
}

func (e *Events) envelope(header []string, series map[string]any, from, to time.Time, extra map[string]any) map[string]any {
	meta := map[string]any{"min_sampling_factor": 1.0, "is_segmentation_limit_hit": false, "sub_query_count": len(series)}
	for k, v := range extra {
		meta[k] = v
	}
	return map[string]any{
		"computed_at": e.computedAt(),
		"date_range":  map[string]any{"from_date": isoDay(from), "to_date": isoDayEnd(to)},
		"headers":     header,
		"series":      series,
		"meta":        meta,
	}
}

// frame is the time buckets of one computation: the keys of [from, to]
// (["all"] in total mode) and, for each day, its key.
type frame struct {
	from, to time.Time
	lo, hi   int32
	fromDay  int
	keys     []string
	keyOf    []int // by day - fromDay
	hourly   bool  // a key per hour: keyOf is not used
}

func (e *Events) frame(from, to time.Time, unit string, total bool) (frame, error) {
	f := frame{from: from, to: to, fromDay: e.dayIndex(from)}
	f.lo, f.hi = e.bounds(from, to)
	days := e.dayIndex(to) - f.fromDay + 1
	f.keyOf = make([]int, days)
	if total {
		f.keys = []string{"all"}
		return f, nil
	}
	keys, err := mixpaneltest.DateKeys(from, to, unit)
	if err != nil {
		return f, err
	}
	f.keys = keys
	if unit == "hour" {
		f.hourly = true
		return f, nil
	}
	k := 0
	for d := range days {
		date := from.AddDate(0, 0, d).Format("2006-01-02")
		for k+1 < len(keys) && keys[k+1][:10] <= date {
			k++
		}
		f.keyOf[d] = k
	}
	return f, nil
}

// key is the bucket of an event at t (seconds since Start), which must be
// in [lo, hi).
func (f *frame) key(t int32) int {
	if f.hourly {
		return int((t - f.lo) / 3600)
	}
	return f.keyOf[int(t/day)-f.fromDay]
}

// totalCharts answer one value per series ("all") instead of a time series.
var totalCharts = sync.OnceValue(func() map[string]bool {
	return map[string]bool{"bar": true, "table": true, "pie": true, "metric": true, "insights-metric": true, "column": true, "bar-stacked": true, "stacked-column": true}
})

// metricSpec is one compiled metric clause.
type metricSpec struct {
	field, label string
	hidden       bool
	m            stepMatcher
	math         string
	prop         accessor
	perUser      string
	pct          float64 // percentile in 0..100
	cohort       []bool  // a cohort-size metric
}

// grid is one series: per breakdown path, a value per key.
type grid map[string][]float64

// percentiles maps the percentile maths to their rank.
var percentiles = sync.OnceValue(func() map[string]float64 {
	return map[string]float64{"median": 50, "p25": 25, "p75": 75, "p90": 90, "p99": 99}
})

// refusedMath names the Insights maths the demo does not compute, and why.
var refusedMath = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"sessions":                "the demo's events carry no session ids",
		"histogram":               "its answer shape is not in the wire reference",
		"most_frequent":           "it answers a property value, not a number",
		"first_value":             "it answers a property value, not a number",
		"multi_attribution":       "the demo has no attribution model",
		"numeric_summary":         "its answer shape is not in the wire reference",
		"session_replay_id_value": "it answers replay ids, not a number",
	}
})

// Insights evaluates an insights bookmark over the events.
func (e *Events) Insights(bookmark map[string]any) (map[string]any, error) {
	c := e.newCompiler()
	sections, _ := bookmark["sections"].(map[string]any)
	display, _ := bookmark["displayOptions"].(map[string]any)
	show, _ := sections["show"].([]any)
	if len(show) == 0 {
		return nil, fmt.Errorf("sections.show: at least one metric is required")
	}
	from, to, _, _, err := e.span(sections)
	if err != nil {
		return nil, err
	}
	chart, _ := display["chartType"].(string)
	total := totalCharts()[chart]
	times, _ := sections["time"].([]any)
	unit, _ := times[0].(map[string]any)["unit"].(string)
	if unit == "" {
		unit = "day"
	}
	analysis, _ := display["analysis"].(string)
	rolling := 0
	switch analysis {
	case "", "linear", "logarithmic":
	case "cumulative":
	case "rolling":
		n, _ := display["rollingWindowSize"].(float64)
		if n < 1 || n > 366 || n != math.Trunc(n) {
			return nil, fmt.Errorf("displayOptions.rollingWindowSize: a whole number of buckets from 1 to 366 is required for rolling analysis, got %v", display["rollingWindowSize"])
		}
		rolling = int(n)
	default:
		return nil, unsupported("displayOptions.analysis %q (linear, cumulative or rolling)", analysis)
	}
	if total {
		analysis, rolling = "linear", 0
	}
	if unit == "hour" && (rolling > 0 || len(show) > 0 && anyActive(show)) {
		return nil, unsupported("rolling analysis and DAU/WAU/MAU over hourly buckets")
	}
	global, err := c.filters("sections.filter", sections["filter"], sections["filterDeterminer"] == "any")
	if err != nil {
		return nil, err
	}
	by, err := c.breakdowns(sections)
	if err != nil {
		return nil, err
	}
	var metrics []*metricSpec
	type formulaSpec struct {
		label string
		f     *formula
	}
	var formulas []formulaSpec
	var formulaClauses []map[string]any
	for ci, raw := range show {
		clause, _ := raw.(map[string]any)
		if clause["type"] == "formula" {
			formulaClauses = append(formulaClauses, clause)
			continue
		}
		ms, err := c.metric(fmt.Sprintf("sections.show[%d]", ci), clause, global, total, len(by))
		if err != nil {
			return nil, err
		}
		metrics = append(metrics, ms)
	}
	if extra, _ := sections["formula"].([]any); len(extra) > 0 {
		for _, raw := range extra {
			clause, _ := raw.(map[string]any)
			formulaClauses = append(formulaClauses, clause)
		}
	}
	for k, clause := range formulaClauses {
		def, _ := clause["definition"].(string)
		f, err := parseFormula(fmt.Sprintf("formula[%d].definition", k), def, func(l byte) bool { return int(l-'A') < len(metrics) })
		if err != nil {
			return nil, err
		}
		formulas = append(formulas, formulaSpec{label: mixpaneltest.SeriesLabel(map[string]any{"type": "formula", "name": clause["name"], "definition": def}), f: f})
	}

	// run computes every visible series over [from, to], extended back by
	// the rolling window.
	run := func(from, to time.Time) (map[string]grid, []string, error) {
		ext := from
		if rolling > 1 {
			ext = back(from, unit, rolling-1)
		}
		fr, err := e.frame(ext, to, unit, total)
		if err != nil {
			return nil, nil, err
		}
		grids := make([]grid, len(metrics))
		for k, ms := range metrics {
			grids[k] = e.compute(ms, by, fr)
		}
		out := map[string]grid{}
		for k, ms := range metrics {
			if !ms.hidden {
				out[ms.label] = grids[k]
			}
		}
		for _, fs := range formulas {
			out[fs.label] = applyFormula(fs.f, grids, len(fr.keys))
		}
		keys := fr.keys
		if rolling > 1 || analysis == "cumulative" {
			skip := 0
			if rolling > 1 {
				kept, err := e.frame(from, to, unit, total)
				if err != nil {
					return nil, nil, err
				}
				skip = len(fr.keys) - len(kept.keys)
				keys = kept.keys
			}
			for _, g := range out {
				for p, vals := range g {
					g[p] = accumulate(vals, analysis, rolling)[skip:]
				}
			}
		}
		return out, keys, nil
	}
	current, keys, err := run(from, to)
	if err != nil {
		return nil, err
	}
	series := map[string]any{}
	for label, g := range current {
		series[label] = render(g, len(by), keys)
	}
	if tc, ok := display["timeComparison"].(map[string]any); ok && tc != nil {
		cfrom, cto, err := comparedRange(tc, from, to)
		if err != nil {
			return nil, err
		}
		compared, ckeys, err := run(cfrom, cto)
		if err != nil {
			return nil, err
		}
		for label, g := range compared {
			series[fmt.Sprintf("%s (%v %v)", label, tc["type"], tc["value"])] = render(g, len(by), ckeys)
		}
	}
	headers := []string{"$metric"}
	for i := range by {
		headers = append(headers, fmt.Sprintf("$group_%d", i))
	}
	return e.envelope(headers, series, from, to, map[string]any{"report_sections": map[string]any{"group": len(by)}}), nil
}

// back moves t n units earlier.
func back(t time.Time, unit string, n int) time.Time {
	switch unit {
	case "week":
		return t.AddDate(0, 0, -7*n)
	case "month":
		return t.AddDate(0, -n, 0)
	case "quarter":
		return t.AddDate(0, -3*n, 0)
	}
	return t.AddDate(0, 0, -n)
}

// comparedRange is the period a time comparison compares with: the range
// shifted back one unit (relative), or a range of the same length starting
// or ending on a date (absolute-start, absolute-end).
func comparedRange(tc map[string]any, from, to time.Time) (time.Time, time.Time, error) {
	typ, _ := tc["type"].(string)
	v, _ := tc["value"].(string)
	switch typ {
	case "relative":
		switch v {
		case "day", "week", "month", "quarter":
			return back(from, v, 1), back(to, v, 1), nil
		case "year":
			return from.AddDate(-1, 0, 0), to.AddDate(-1, 0, 0), nil
		}
		return from, to, fmt.Errorf("displayOptions.timeComparison.value: relative comparison unit day, week, month, quarter or year, got %q", v)
	case "absolute-start", "absolute-end":
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return from, to, fmt.Errorf("displayOptions.timeComparison.value: %s needs a YYYY-MM-DD date, got %q", typ, v)
		}
		n := int(to.Sub(from).Hours() / 24)
		if typ == "absolute-start" {
			return d, d.AddDate(0, 0, n), nil
		}
		return d.AddDate(0, 0, -n), d, nil
	}
	return from, to, fmt.Errorf("displayOptions.timeComparison.type: relative, absolute-start or absolute-end, got %q", typ)
}

// accumulate applies the analysis to one series: running sums
// (cumulative) or the average of the last n buckets (rolling).
func accumulate(vals []float64, analysis string, n int) []float64 {
	out := make([]float64, len(vals))
	sum := 0.0
	for k, v := range vals {
		sum += v
		if analysis == "rolling" {
			if k >= n {
				sum -= vals[k-n]
			}
			out[k] = round2(sum / float64(min(k+1, n)))
			continue
		}
		out[k] = round2(sum)
	}
	return out
}

// applyFormula evaluates a formula per path and key over the metrics'
// grids (a path one metric lacks reads 0 there); a division by zero is 0.
func applyFormula(f *formula, grids []grid, nkeys int) grid {
	paths := map[string]bool{}
	for k, g := range grids {
		if f.uses(byte('A' + k)) {
			for p := range g {
				paths[p] = true
			}
		}
	}
	out := grid{}
	for p := range paths {
		vals := make([]float64, nkeys)
		for k := range vals {
			x, ok := f.eval(func(l byte) (float64, bool) {
				if g := grids[l-'A'][p]; g != nil {
					return g[k], true
				}
				return 0, true
			})
			if ok && !math.IsInf(x, 0) && !math.IsNaN(x) {
				vals[k] = math.Round(x*1e4) / 1e4
			}
		}
		out[p] = vals
	}
	return out
}

// metric compiles one metric clause.
func (c *compiler) metric(field string, clause map[string]any, global predicate, total bool, groups int) (*metricSpec, error) {
	behavior, _ := clause["behavior"].(map[string]any)
	meas, _ := clause["measurement"].(map[string]any)
	hidden, _ := clause["isHidden"].(bool)
	ms := &metricSpec{field: field, hidden: hidden}
	ms.math, _ = meas["math"].(string)
	if ms.math == "" {
		ms.math = "total"
		clause = map[string]any{"type": clause["type"], "behavior": behavior, "measurement": map[string]any{"math": "total", "property": meas["property"]}}
	}
	ms.label = mixpaneltest.SeriesLabel(clause)
	if t, _ := behavior["type"].(string); t == "cohort" {
		if !total || groups > 0 {
			return nil, unsupported("%s: a cohort-size metric over time or broken down (the demo evaluates cohorts as of now; use a total chart without breakdowns)", field)
		}
		member, err := c.cohort(field+".behavior", behavior)
		if err != nil {
			return nil, err
		}
		ms.cohort = member
		return ms, nil
	}
	m, err := c.matcher(field+".behavior", behavior, global)
	if err != nil {
		return nil, err
	}
	ms.m = m
	if why, ok := refusedMath()[ms.math]; ok {
		return nil, unsupported("%s: math %q (%s)", field, ms.math, why)
	}
	if sm, _ := meas["segmentMethod"].(string); sm != "" && sm != "all" {
		return nil, unsupported("%s: segmentMethod %q (the demo counts a user in every segment they appear in: all)", field, sm)
	}
	ms.perUser, _ = meas["perUserAggregation"].(string)
	var propType string
	if p, ok := meas["property"].(map[string]any); ok {
		if ms.prop, propType, err = c.property(field+".measurement.property", p); err != nil {
			return nil, err
		}
	}
	needsNumber := false
	switch ms.math {
	case "total", "unique", "dau", "wau", "mau", "cumulative_unique":
		if ms.math != "total" && ms.prop != nil && ms.perUser == "" {
			return nil, fmt.Errorf("%s.measurement: math %q takes no property", field, ms.math)
		}
		needsNumber = ms.prop != nil && ms.perUser != "unique_values"
	case "sum", "average", "min", "max", "median", "p25", "p75", "p90", "p99", "custom_percentile":
		needsNumber = ms.perUser != "unique_values"
		ms.pct = percentiles()[ms.math]
		if ms.math == "custom_percentile" {
			p, _ := meas["percentile"].(float64)
			if p <= 0 || p >= 100 {
				return nil, fmt.Errorf("%s.measurement.percentile: custom_percentile needs a percentile between 0 and 100, got %v", field, meas["percentile"])
			}
			ms.pct = p
		}
	case "unique_values":
	default:
		return nil, unsupported("%s: math %q", field, ms.math)
	}
	if ms.prop == nil && ms.math != "total" && ms.math != "unique" && !isActive(ms.math) && ms.math != "cumulative_unique" {
		return nil, fmt.Errorf("%s.measurement.property: math %q needs a property", field, ms.math)
	}
	if needsNumber && propType != "number" {
		return nil, unsupported("%s: math %q of a %s property (numeric demo properties: amount; lifetime_value on profiles)", field, ms.math, propType)
	}
	switch ms.perUser {
	case "":
	case "total", "average", "min", "max", "unique_values":
		if ms.prop == nil {
			return nil, fmt.Errorf("%s.measurement.perUserAggregation: %q needs a property", field, ms.perUser)
		}
		if ms.math == "unique" || ms.math == "unique_values" || isActive(ms.math) || ms.math == "cumulative_unique" {
			return nil, fmt.Errorf("%s.measurement.perUserAggregation: math %q takes no per-user aggregation", field, ms.math)
		}
	default:
		return nil, unsupported("%s: perUserAggregation %q (total, average, min, max or unique_values)", field, ms.perUser)
	}
	return ms, nil
}

func isActive(m string) bool { return m == "dau" || m == "wau" || m == "mau" }

// anyActive says whether a metric clause measures DAU, WAU or MAU.
func anyActive(show []any) bool {
	for _, c := range show {
		cm, _ := c.(map[string]any)
		meas, _ := cm["measurement"].(map[string]any)
		if m, _ := meas["math"].(string); isActive(m) {
			return true
		}
	}
	return false
}

// acc accumulates one (path, key) cell.
type acc struct {
	events, users int
	sum, min, max float64
	vals          []float64
	distinct      map[string]bool
	lastUser      int
	// the current user's partial aggregate (perUserAggregation)
	cur, curMin, curMax float64
	curN                int
	curSet              map[string]bool
}

func newAcc() *acc { return &acc{lastUser: -1, min: math.Inf(1), max: math.Inf(-1)} }

// flush closes the current user's partial aggregate into vals.
func (a *acc) flush(perUser string) {
	if a.curN == 0 {
		return
	}
	switch perUser {
	case "total":
		a.vals = append(a.vals, a.cur)
	case "average":
		a.vals = append(a.vals, a.cur/float64(a.curN))
	case "min":
		a.vals = append(a.vals, a.curMin)
	case "max":
		a.vals = append(a.vals, a.curMax)
	case "unique_values":
		a.vals = append(a.vals, float64(len(a.curSet)))
		a.curSet = nil
	}
	a.cur, a.curN = 0, 0
}

// compute evaluates one metric over a frame.
func (e *Events) compute(ms *metricSpec, by []segmenter, fr frame) grid {
	nkeys := len(fr.keys)
	if ms.cohort != nil {
		n := 0.0
		for _, in := range ms.cohort {
			if in {
				n++
			}
		}
		return grid{"": {n}}
	}
	if isActive(ms.math) {
		return e.active(ms, by, fr)
	}
	cells := map[string][]*acc{}
	paths := newPather(len(by))
	firstKey := map[string]int{} // cumulative_unique: the user's first key per path
	flushFirst := func() {
		for p, k := range firstKey {
			row := cells[p]
			if row == nil {
				row = make([]*acc, nkeys)
				cells[p] = row
			}
			for kk := k; kk < nkeys; kk++ {
				if row[kk] == nil {
					row[kk] = newAcc()
				}
				row[kk].users++
			}
		}
		clear(firstKey)
	}
	prevUser := -1
	e.eachEvent(ms.m, fr.lo, fr.hi, func(i, u int) {
		if u != prevUser {
			flushFirst()
			prevUser = u
		}
		var v value
		if ms.prop != nil {
			var ok bool
			if v, ok = ms.prop(e, i, u); !ok || (ms.perUser != "unique_values" && ms.math != "unique_values" && !v.num) {
				return
			}
		}
		k := fr.key(e.t[i])
		for _, p := range paths.of(e, i, u, by) {
			if ms.math == "cumulative_unique" {
				if _, seen := firstKey[p]; !seen {
					firstKey[p] = k
				}
				continue
			}
			row := cells[p]
			if row == nil {
				row = make([]*acc, nkeys)
				cells[p] = row
			}
			a := row[k]
			if a == nil {
				a = newAcc()
				row[k] = a
			}
			if a.lastUser != u {
				if ms.perUser != "" {
					a.flush(ms.perUser)
				}
				a.users++
				a.lastUser = u
			}
			a.events++
			switch {
			case ms.perUser == "unique_values":
				if a.curSet == nil {
					a.curSet = map[string]bool{}
				}
				a.curSet[v.String()] = true
				a.curN++
			case ms.perUser != "":
				if a.curN == 0 || v.n < a.curMin {
					a.curMin = v.n
				}
				if a.curN == 0 || v.n > a.curMax {
					a.curMax = v.n
				}
				a.cur += v.n
				a.curN++
			case ms.math == "unique_values":
				if a.distinct == nil {
					a.distinct = map[string]bool{}
				}
				a.distinct[v.String()] = true
			case ms.prop != nil:
				a.sum += v.n
				a.min, a.max = min(a.min, v.n), max(a.max, v.n)
				if ms.pct > 0 {
					a.vals = append(a.vals, v.n)
				}
			}
		}
	})
	flushFirst()
	out := grid{}
	if len(by) == 0 {
		out[""] = make([]float64, nkeys)
	}
	for p, row := range cells {
		vals := make([]float64, nkeys)
		for k, a := range row {
			if a != nil {
				if ms.perUser != "" {
					a.flush(ms.perUser)
				}
				vals[k] = ms.value(a)
			}
		}
		out[p] = vals
	}
	return out
}

// value is the metric's number for one cell.
func (ms *metricSpec) value(a *acc) float64 {
	if ms.perUser != "" {
		return statOf(a.vals, ms.math, ms.pct)
	}
	switch ms.math {
	case "unique", "cumulative_unique":
		return float64(a.users)
	case "unique_values":
		return float64(len(a.distinct))
	case "total", "sum":
		if ms.prop == nil {
			return float64(a.events)
		}
		return round2(a.sum)
	case "average":
		return round2(a.sum / float64(a.events))
	case "min":
		return a.min
	case "max":
		return a.max
	}
	return round2(percentile(a.vals, ms.pct))
}

// statOf aggregates per-user values.
func statOf(vals []float64, m string, pct float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	switch m {
	case "total", "sum":
		s := 0.0
		for _, v := range vals {
			s += v
		}
		return round2(s)
	case "average":
		s := 0.0
		for _, v := range vals {
			s += v
		}
		return round2(s / float64(len(vals)))
	case "min":
		return slices.Min(vals)
	case "max":
		return slices.Max(vals)
	}
	return round2(percentile(vals, pct))
}

// percentile is the p-th percentile of vals by linear interpolation
// between closest ranks (numpy's default). vals is sorted in place.
func percentile(vals []float64, p float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	sort.Float64s(vals)
	r := p / 100 * float64(len(vals)-1)
	lo := int(math.Floor(r))
	if lo+1 >= len(vals) {
		return vals[len(vals)-1]
	}
	return vals[lo] + (r-float64(lo))*(vals[lo+1]-vals[lo])
}

// active computes DAU, WAU and MAU: per day, the users who did the event
// on that day or the 6 (WAU) or 29 (MAU) days before it; a bucket's value
// is the average over its days (the day's count for daily buckets).
func (e *Events) active(ms *metricSpec, by []segmenter, fr frame) grid {
	w := map[string]int{"dau": 1, "wau": 7, "mau": 30}[ms.math]
	days := len(fr.keyOf)
	lo := fr.lo - int32(w-1)*day
	counts := map[string][]int{}
	seen := map[string][]bool{}
	paths := newPather(len(by))
	var free [][]bool // cleared day flags to reuse
	flush := func() {
		for p, s := range seen {
			cnt := counts[p]
			if cnt == nil {
				cnt = make([]int, days)
				counts[p] = cnt
			}
			run := 0
			for x := range s {
				if s[x] {
					run = w
				}
				if x >= w-1 && run > 0 {
					cnt[x-w+1]++
				}
				run--
			}
			clear(s)
			free = append(free, s)
			delete(seen, p)
		}
	}
	prevUser := -1
	e.eachEvent(ms.m, lo, fr.hi, func(i, u int) {
		if u != prevUser {
			flush()
			prevUser = u
		}
		d := int(e.t[i]/day) - fr.fromDay + w - 1 // index into the extended days
		for _, p := range paths.of(e, i, u, by) {
			s := seen[p]
			if s == nil {
				if n := len(free); n > 0 {
					s, free = free[n-1], free[:n-1]
				} else {
					s = make([]bool, days+w-1)
				}
				seen[p] = s
			}
			s[d] = true
		}
	})
	flush()
	out := grid{}
	if len(by) == 0 {
		out[""] = make([]float64, len(fr.keys))
	}
	for p, cnt := range counts {
		sums := make([]float64, len(fr.keys))
		n := make([]int, len(fr.keys))
		for d, c := range cnt {
			sums[fr.keyOf[d]] += float64(c)
			n[fr.keyOf[d]]++
		}
		for k := range sums {
			if n[k] > 0 {
				sums[k] = round2(sums[k] / float64(n[k]))
			}
		}
		out[p] = sums
	}
	return out
}

// pather lists the breakdown paths of an event: one per combination of
// its segments (a cohort breakdown may put a user in several).
type pather struct {
	segs [][]string
	out  []string
}

func newPather(levels int) *pather { return &pather{segs: make([][]string, levels)} }

func (p *pather) of(e *Events, i, u int, by []segmenter) []string {
	p.out = p.out[:0]
	if len(by) == 0 {
		p.out = append(p.out, "")
		return p.out
	}
	for k, s := range by {
		p.segs[k] = s(e, i, u, p.segs[k][:0])
		if len(p.segs[k]) == 0 {
			return p.out
		}
	}
	if len(by) == 1 {
		p.out = append(p.out, p.segs[0]...)
		return p.out
	}
	// Every combination, one level at a time.
	p.out = append(p.out, p.segs[0]...)
	for _, segs := range p.segs[1:] {
		n := len(p.out)
		for _, prefix := range p.out[:n] {
			for _, s := range segs {
				p.out = append(p.out, prefix+"\x00"+s)
			}
		}
		p.out = p.out[n:]
	}
	return p.out
}

// render nests a grid as Mixpanel does: a level per breakdown, then the
// keys.
func render(g grid, levels int, keys []string) map[string]any {
	out := map[string]any{}
	for p, vals := range g {
		node := out
		if levels > 0 {
			for _, seg := range strings.Split(p, "\x00") {
				next, ok := node[seg].(map[string]any)
				if !ok {
					next = map[string]any{}
					node[seg] = next
				}
				node = next
			}
		}
		for k, key := range keys {
			node[key] = vals[k]
		}
	}
	return out
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
