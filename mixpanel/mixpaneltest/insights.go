package mixpaneltest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"time"
)

// insightsOffset is the project time zone the fake reports dates in.
const insightsOffset = "-07:00"

// propertyValues are the segments a breakdown on a known property yields;
// other properties yield five made-up values.
var propertyValues = map[string][]string{
	"country": {"US", "GB", "DE", "FR", "CA", "JP", "BR", "IN", "AU", "ES",
		"IT", "NL", "SE", "MX", "KR", "PL", "BE", "CH", "AT", "IE"},
	"$browser":    {"Chrome", "Safari", "Firefox", "Edge"},
	"$os":         {"Windows", "Mac OS X", "iOS", "Android", "Linux"},
	"platform":    {"web", "ios", "android"},
	"plan":        {"free", "pro", "enterprise"},
	"device_type": {"desktop", "mobile", "tablet"},
}

// insightsAnswer answers an Insights bookmark on POST /insights.
func insightsAnswer(s *Server, bookmark map[string]any) (any, int) {
	answer, err := InsightsAnswer(bookmark, QueryToday)
	if err != nil {
		return map[string]any{"error": err.Error(), "status": "error"}, http.StatusBadRequest
	}
	return answer, http.StatusOK
}

// InsightsAnswer builds the answer Mixpanel gives to an insights bookmark:
// one series per visible metric and formula labelled like Mixpanel's
// ("Signup [Unique Users]"), date keys over the range in the bookmark's
// unit (or "all" for bar and table charts), a nesting level per breakdown,
// and a comparison series per metric when a time comparison is set. Values
// are deterministic pseudo-random counts.
func InsightsAnswer(bookmark map[string]any, today time.Time) (map[string]any, error) {
	sections, _ := bookmark["sections"].(map[string]any)
	display, _ := bookmark["displayOptions"].(map[string]any)
	show, _ := sections["show"].([]any)
	if len(show) == 0 {
		return nil, fmt.Errorf("sections.show: at least one metric is required")
	}
	times, _ := sections["time"].([]any)
	if len(times) != 1 {
		return nil, fmt.Errorf("sections.time: exactly one time entry is required")
	}
	t0, _ := times[0].(map[string]any)
	unit, _ := t0["unit"].(string)
	y, m, d := today.Date()
	from, to, err := insightsRange(t0, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	chart, _ := display["chartType"].(string)
	total := chart == "bar" || chart == "table"
	var keys []string
	if total {
		keys = []string{"all"}
	} else {
		keys, err = dateKeys(from, to, unit)
		if err != nil {
			return nil, err
		}
	}
	groups, _ := sections["group"].([]any)
	levels := make([][]string, 0, len(groups))
	for i, g := range groups {
		gm, ok := g.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("sections.group[%d]: not an object", i)
		}
		levels = append(levels, segmentsOf(gm))
	}
	var labels []string
	for i, c := range show {
		clause, ok := c.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("sections.show[%d]: not an object", i)
		}
		if hidden, _ := clause["isHidden"].(bool); hidden {
			continue
		}
		labels = append(labels, seriesLabel(clause))
	}
	if tc, ok := display["timeComparison"].(map[string]any); ok {
		n := len(labels)
		for _, l := range labels[:n] {
			labels = append(labels, fmt.Sprintf("%s (%v %v)", l, tc["type"], tc["value"]))
		}
	}
	series := map[string]any{}
	for _, l := range labels {
		series[l] = nest(l, levels, keys)
	}
	return map[string]any{
		"computed_at": today.Format("2006-01-02T15:04:05.000000+00:00"),
		"date_range": map[string]any{
			"from_date": from.Format("2006-01-02") + "T00:00:00" + insightsOffset,
			"to_date":   to.Format("2006-01-02") + "T23:59:59.999000" + insightsOffset,
		},
		"headers": headersFor(len(levels)),
		"series":  series,
		"meta": map[string]any{
			"min_sampling_factor":       1.0,
			"is_segmentation_limit_hit": false,
			"sub_query_count":           len(labels),
			"report_sections":           map[string]any{"group": len(levels)},
		},
	}, nil
}

func headersFor(levels int) []string {
	h := []string{"$metric"}
	for i := 0; i < levels; i++ {
		h = append(h, fmt.Sprintf("$group_%d", i))
	}
	return h
}

func insightsRange(t map[string]any, today time.Time) (time.Time, time.Time, error) {
	switch t["dateRangeType"] {
	case "in the last":
		w, _ := t["window"].(map[string]any)
		n, ok := w["value"].(float64)
		if !ok || n < 1 {
			return time.Time{}, time.Time{}, fmt.Errorf("sections.time[0].window.value must be a positive number")
		}
		return today.AddDate(0, 0, -int(n)+1), today, nil
	case "between":
		v, _ := t["value"].([]any)
		if len(v) != 2 {
			return time.Time{}, time.Time{}, fmt.Errorf("sections.time[0].value must be [from, to]")
		}
		a, err1 := time.Parse("2006-01-02", fmt.Sprint(v[0]))
		b, err2 := time.Parse("2006-01-02", fmt.Sprint(v[1]))
		if err1 != nil || err2 != nil || a.After(b) {
			return time.Time{}, time.Time{}, fmt.Errorf("sections.time[0].value must be two ordered YYYY-MM-DD dates")
		}
		return a, b, nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("sections.time[0].dateRangeType %v is not supported by the fake", t["dateRangeType"])
}

// dateKeys lists the bucket starts of [from, to] in unit, written the way
// Mixpanel writes them (ISO with the project's offset).
func dateKeys(from, to time.Time, unit string) ([]string, error) {
	start := from
	step := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch unit {
	case "day":
	case "hour":
		step = func(t time.Time) time.Time { return t.Add(time.Hour) }
		to = to.Add(23 * time.Hour)
	case "week":
		start = from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7))
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case "month":
		start = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
		step = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	case "quarter":
		start = time.Date(from.Year(), time.Month((int(from.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
		step = func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }
	default:
		return nil, fmt.Errorf("sections.time[0].unit %q is not supported", unit)
	}
	var keys []string
	for t := start; !t.After(to); t = step(t) {
		keys = append(keys, t.Format("2006-01-02T15:04:05")+insightsOffset)
		if len(keys) > 20000 {
			return nil, fmt.Errorf("the range has too many %s buckets", unit)
		}
	}
	return keys, nil
}

var mathLabels = map[string]string{
	"total": "Total Events", "unique": "Unique Users", "sessions": "Total Sessions",
	"dau": "DAU", "wau": "WAU", "mau": "MAU", "cumulative_unique": "Cumulative Unique Users",
}

func seriesLabel(clause map[string]any) string {
	if clause["type"] == "formula" {
		if n, _ := clause["name"].(string); n != "" {
			return n
		}
		d, _ := clause["definition"].(string)
		return d
	}
	behavior, _ := clause["behavior"].(map[string]any)
	m, _ := clause["measurement"].(map[string]any)
	name, _ := behavior["name"].(string)
	math, _ := m["math"].(string)
	label, ok := mathLabels[math]
	if prop, isMap := m["property"].(map[string]any); isMap {
		pn, _ := prop["name"].(string)
		if pn == "" {
			pn = "custom property"
		}
		title := strings.ToUpper(math[:1]) + strings.ReplaceAll(math[1:], "_", " ")
		if math == "total" {
			title = "Sum"
		}
		label, ok = title+" of "+pn, true
	}
	if !ok {
		label = math
	}
	return fmt.Sprintf("%s [%s]", name, label)
}

// segmentsOf lists the segment labels one breakdown yields.
func segmentsOf(g map[string]any) []string {
	switch {
	case g["cohorts"] != nil:
		var out []string
		if vs, ok := g["value"].([]any); ok {
			for _, v := range vs {
				out = append(out, fmt.Sprint(v))
			}
		}
		return out
	case g["customBucket"] != nil:
		b, _ := g["customBucket"].(map[string]any)
		size, _ := b["bucketSize"].(float64)
		lo, _ := b["min"].(float64)
		hi, _ := b["max"].(float64)
		if size <= 0 || hi <= lo {
			return []string{"undefined"}
		}
		var out []string
		for x := lo; x < hi && len(out) < 50; x += size {
			out = append(out, fmt.Sprintf("%g - %g", x, x+size))
		}
		return out
	case g["listItemGroup"] != nil:
		lg, _ := g["listItemGroup"].(map[string]any)
		return syntheticValues(fmt.Sprint(lg["propertyName"]))
	}
	name, _ := g["propertyName"].(string)
	if name == "" {
		name, _ = g["value"].(string)
	}
	if vals, ok := propertyValues[name]; ok {
		return vals
	}
	return syntheticValues(name)
}

func syntheticValues(prop string) []string {
	out := make([]string, 5)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d", prop, i+1)
	}
	return out
}

// nest builds one series: a level of segments per breakdown, then keys.
func nest(label string, levels [][]string, keys []string, path ...string) map[string]any {
	out := map[string]any{}
	if len(levels) == 0 {
		for _, k := range keys {
			out[k] = fakeCount(label, strings.Join(path, "/"), k)
		}
		return out
	}
	for _, seg := range levels[0] {
		out[seg] = nest(label, levels[1:], keys, append(path, seg)...)
	}
	return out
}

func fakeCount(parts ...string) int {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int(h.Sum32() % 5000)
}
