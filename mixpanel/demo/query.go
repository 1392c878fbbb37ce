package demo

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// today is the last day of data.
func (e *Events) today() time.Time { return e.Start.AddDate(0, 0, Days-1) }

// dayIndex is t's day relative to Start.
func (e *Events) dayIndex(t time.Time) int { return int(t.Sub(e.Start).Hours() / 24) }

// eventID is the id of the event called name, or -1.
func eventID(name string) int {
	for i, n := range eventNames {
		if n == name {
			return i
		}
	}
	return -1
}

// span resolves sections.time to [from, to) in seconds since Start, with
// the first and last day.
func (e *Events) span(sections map[string]any) (from, to time.Time, lo, hi int32, err error) {
	times, _ := sections["time"].([]any)
	if len(times) != 1 {
		return from, to, 0, 0, fmt.Errorf("sections.time: exactly one time entry is required")
	}
	t0, _ := times[0].(map[string]any)
	if from, to, err = mixpaneltest.InsightsRange(t0, e.today()); err != nil {
		return from, to, 0, 0, err
	}
	lo = int32(e.dayIndex(from)) * day
	hi = int32(e.dayIndex(to)+1) * day
	return from, to, lo, hi, nil
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

func (e *Events) matcher(field string, behavior map[string]any, global predicate) (stepMatcher, error) {
	name, _ := behavior["name"].(string)
	m := stepMatcher{id: -1}
	if m.id = eventID(name); m.id < 0 && name == "$all_events" {
		m.id = numEvents
	}
	filters, _ := behavior["filters"].([]any)
	if det, _ := behavior["filtersDeterminer"].(string); det == "any" && len(filters) > 1 {
		return m, unsupported("%s.filtersDeterminer \"any\" (matching any of several filters)", field)
	}
	local, err := compileFilters(field+".filters", filters)
	if err != nil {
		return m, err
	}
	switch {
	case local == nil:
		m.pred = global
	case global == nil:
		m.pred = local
	default:
		m.pred = func(e *Events, i, u int) bool { return local(e, i, u) && global(e, i, u) }
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
		"computed_at": e.Start.Add(time.Duration(e.Now) * time.Second).Add(-projectOffset).Format("2006-01-02T15:04:05.000000+00:00"),
		"date_range":  map[string]any{"from_date": isoDay(from), "to_date": isoDayEnd(to)},
		"headers":     header,
		"series":      series,
		"meta":        meta,
	}
}

// agg accumulates one (segment, date) cell.
type agg struct {
	events, users int
	sum, min, max float64
	n             int
	lastUser      int
}

type cell struct {
	path string
	key  int
}

// Insights evaluates an insights bookmark over the events.
func (e *Events) Insights(bookmark map[string]any) (map[string]any, error) {
	sections, _ := bookmark["sections"].(map[string]any)
	display, _ := bookmark["displayOptions"].(map[string]any)
	if display["timeComparison"] != nil {
		return nil, unsupported("time comparison")
	}
	if a, _ := display["analysis"].(string); a != "" && a != "linear" {
		return nil, unsupported("analysis %q (only linear)", a)
	}
	if f, _ := sections["formula"].([]any); len(f) > 0 {
		return nil, unsupported("formulas")
	}
	show, _ := sections["show"].([]any)
	if len(show) == 0 {
		return nil, fmt.Errorf("sections.show: at least one metric is required")
	}
	from, to, lo, hi, err := e.span(sections)
	if err != nil {
		return nil, err
	}
	chart, _ := display["chartType"].(string)
	var keys []string
	keyOfDay := map[int]int{}
	fromDay, toDay := e.dayIndex(from), e.dayIndex(to)
	if chart == "bar" || chart == "table" || chart == "pie" || chart == "metric" {
		keys = []string{"all"}
		for d := fromDay; d <= toDay; d++ {
			keyOfDay[d] = 0
		}
	} else {
		times, _ := sections["time"].([]any)
		unit, _ := times[0].(map[string]any)["unit"].(string)
		if unit == "hour" {
			return nil, unsupported("hourly buckets (day, week, month or quarter)")
		}
		if keys, err = mixpaneltest.DateKeys(from, to, unit); err != nil {
			return nil, err
		}
		k := 0
		for d := fromDay; d <= toDay; d++ {
			date := e.Start.AddDate(0, 0, d).Format("2006-01-02")
			for k+1 < len(keys) && keys[k+1][:10] <= date {
				k++
			}
			keyOfDay[d] = k
		}
	}
	global, err := compileFilters("sections.filter", sections["filter"])
	if err != nil {
		return nil, err
	}
	groups, _ := sections["group"].([]any)
	var by []accessor
	for i, g := range groups {
		gm, _ := g.(map[string]any)
		if gm["cohorts"] != nil || gm["customBucket"] != nil || gm["listItemGroup"] != nil || gm["customProperty"] != nil {
			return nil, unsupported("cohort, custom-bucket, list-item and custom-property breakdowns")
		}
		if rt, _ := gm["resourceType"].(string); rt != "" && rt != "events" {
			return nil, unsupported("breakdowns by %s properties (the demo breaks down by event properties)", rt)
		}
		name, _ := gm["propertyName"].(string)
		if name == "" {
			name, _ = gm["value"].(string)
		}
		get, ok := accessors[name]
		if !ok {
			return nil, unsupported("sections.group[%d]: breakdown by %q, which no demo event carries", i, name)
		}
		by = append(by, get)
	}
	series := map[string]any{}
	for ci, c := range show {
		clause, _ := c.(map[string]any)
		if clause["type"] == "formula" {
			return nil, unsupported("formulas")
		}
		if hidden, _ := clause["isHidden"].(bool); hidden {
			continue
		}
		field := fmt.Sprintf("sections.show[%d]", ci)
		behavior, _ := clause["behavior"].(map[string]any)
		if t, _ := behavior["type"].(string); t != "" && t != "event" {
			return nil, unsupported("%s.behavior.type %q in insights", field, t)
		}
		m, err := e.matcher(field+".behavior", behavior, global)
		if err != nil {
			return nil, err
		}
		meas, _ := clause["measurement"].(map[string]any)
		math, _ := meas["math"].(string)
		var prop accessor
		switch math {
		case "total", "unique":
			if meas["property"] != nil {
				return nil, unsupported("%s: math %q over a property", field, math)
			}
		case "sum", "average", "min", "max":
			p, _ := meas["property"].(map[string]any)
			name, _ := p["name"].(string)
			if !numericProps[name] {
				return nil, unsupported("%s: math %q of %q (numeric demo properties: amount)", field, math, name)
			}
			prop = accessors[name]
		default:
			return nil, unsupported("%s: math %q", field, math)
		}
		cells := e.aggregate(m, by, prop, lo, hi, keyOfDay)
		series[mixpaneltest.SeriesLabel(clause)] = render(cells, len(by), len(keys), keys, math)
	}
	headers := []string{"$metric"}
	for i := range by {
		headers = append(headers, fmt.Sprintf("$group_%d", i))
	}
	out := e.envelope(headers, series, from, to, map[string]any{"report_sections": map[string]any{"group": len(by)}})
	return out, nil
}

func (e *Events) aggregate(m stepMatcher, by []accessor, prop accessor, lo, hi int32, keyOfDay map[int]int) map[cell]*agg {
	cells := map[cell]*agg{}
	if m.id < 0 {
		return cells
	}
	segs := make([]string, len(by))
	for u := range e.users {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			t := e.t[i]
			if t < lo || t >= hi || !m.match(e, i, u) {
				continue
			}
			var x float64
			if prop != nil {
				v, ok := prop(e, i, u)
				if !ok || !v.num {
					continue
				}
				x = v.n
			}
			path := ""
			if len(by) > 0 {
				for k, get := range by {
					segs[k] = "undefined"
					if v, ok := get(e, i, u); ok {
						segs[k] = v.String()
					}
				}
				path = strings.Join(segs, "\x00")
			}
			c := cell{path: path, key: keyOfDay[int(t/day)]}
			a := cells[c]
			if a == nil {
				a = &agg{lastUser: -1, min: math.Inf(1), max: math.Inf(-1)}
				cells[c] = a
			}
			a.events++
			if a.lastUser != u {
				a.users++
				a.lastUser = u
			}
			a.sum += x
			a.n++
			a.min = min(a.min, x)
			a.max = max(a.max, x)
		}
	}
	return cells
}

// render nests cells as Mixpanel does: a level per breakdown, then date
// keys; every segment seen gets every key.
func render(cells map[cell]*agg, levels, nkeys int, keys []string, math string) map[string]any {
	paths := map[string]bool{}
	if levels == 0 {
		paths[""] = true
	}
	for c := range cells {
		paths[c.path] = true
	}
	out := map[string]any{}
	for p := range paths {
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
		for k := 0; k < nkeys; k++ {
			node[keys[k]] = cellValue(cells[cell{path: p, key: k}], math)
		}
	}
	return out
}

func cellValue(a *agg, math string) float64 {
	if a == nil {
		return 0
	}
	switch math {
	case "unique":
		return float64(a.users)
	case "sum":
		return round2(a.sum)
	case "average":
		return round2(a.sum / float64(a.n))
	case "min":
		return a.min
	case "max":
		return a.max
	}
	return float64(a.events)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
