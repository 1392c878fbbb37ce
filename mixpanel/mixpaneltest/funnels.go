package mixpaneltest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"time"
)

// QueryToday is the query engines' clock for relative date ranges ("in the
// last N days"), the same day the tool tests freeze their clock to, so
// answers are the same on every run.
var QueryToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

// queryComputedAt is the computed_at of every ad-hoc query answer.
const queryComputedAt = "2026-11-25T12:00:00.000000+00:00"

// funnelAnswer answers a funnel bookmark the way /insights does: the
// canonical metric-keyed series ({label: {count: {"1. Step": {"all": n}},
// step_conv_ratio, overall_conv_ratio, avg_time, avg_time_from_start}}),
// nested under "$overall" and one key per value of the first breakdown when
// the bookmark has one, and under one key per date in trends mode.
// Numbers are derived from the step names so answers are stable.
func funnelAnswer(_ *Server, bookmark map[string]any) (any, int) {
	show := showClause(bookmark)
	behavior, _ := show["behavior"].(map[string]any)
	rawSteps, _ := behavior["behaviors"].([]any)
	if len(rawSteps) < 2 {
		return map[string]any{"error": "funnel needs at least 2 steps", "status": "error"}, http.StatusBadRequest
	}
	names := make([]string, len(rawSteps))
	for i, raw := range rawSteps {
		step, _ := raw.(map[string]any)
		names[i], _ = step["name"].(string)
		if label, ok := step["renamed"].(string); ok && label != "" {
			names[i] = label
		}
	}
	from, to := bookmarkDayRange(bookmark)
	label := names[0] + " through " + names[len(names)-1]
	metrics := func(scale float64) map[string]any { return funnelMetrics(names, scale) }

	var value any
	switch display, _ := bookmark["displayOptions"].(map[string]any); display["chartType"] {
	case "line":
		byDate := map[string]any{}
		for i, day := range spreadDays(from, to, 7) {
			byDate[isoDayStart(day)] = metrics(0.8 + 0.05*float64(i%5))
		}
		value = byDate
	default:
		value = metrics(1)
	}
	if segs := firstBreakdownSegments(bookmark); len(segs) > 0 {
		nested := map[string]any{"$overall": value}
		for i, seg := range segs {
			nested[seg] = metrics(1 / float64(i+2))
		}
		value = nested
	}
	return engineAnswer("$funnel", label, value, from, to), http.StatusOK
}

// engineAnswer is the /insights envelope of a funnel or retention answer:
// one series under label, covering from to to.
func engineAnswer(header, label string, value any, from, to time.Time) map[string]any {
	return map[string]any{
		"computed_at": queryComputedAt,
		"date_range":  map[string]any{"from_date": isoDayStart(from), "to_date": isoDayEnd(to)},
		"headers":     []any{header},
		"series":      map[string]any{label: value},
		"meta":        map[string]any{"min_sampling_factor": 1.0, "is_segmentation_limit_hit": false, "sub_query_count": 1},
	}
}

// funnelMetrics builds the five metrics for the steps. Each step keeps
// between 35% and 85% of the previous one.
func funnelMetrics(names []string, scale float64) map[string]any {
	metric := func() map[string]any { return map[string]any{} }
	count, stepConv, overall, avg, avgStart := metric(), metric(), metric(), metric(), metric()
	first := math.Round(1000 * scale * (1 + float64(stableHash(names[0])%9)/10))
	prev, fromStart := first, 0.0
	for i, name := range names {
		key := fmt.Sprintf("%d. %s", i+1, name)
		n := first
		var t float64
		if i > 0 {
			keep := 0.35 + float64(stableHash(fmt.Sprint(i, name))%51)/100
			n = math.Round(prev * keep)
			t = float64(600 * (1 + stableHash(name)%48))
		}
		fromStart += t
		ratio := 1.0
		if prev > 0 && i > 0 {
			ratio = n / prev
		}
		overallRatio := 0.0
		if first > 0 {
			overallRatio = n / first
		}
		count[key] = map[string]any{"all": n}
		stepConv[key] = map[string]any{"all": roundRate(ratio)}
		overall[key] = map[string]any{"all": roundRate(overallRatio)}
		avg[key] = map[string]any{"all": t}
		avgStart[key] = map[string]any{"all": fromStart}
		prev = n
	}
	return map[string]any{
		"count": count, "step_conv_ratio": stepConv, "overall_conv_ratio": overall,
		"avg_time": avg, "avg_time_from_start": avgStart,
	}
}

// showClause is sections.show[0].
func showClause(bookmark map[string]any) map[string]any {
	sections, _ := bookmark["sections"].(map[string]any)
	show, _ := sections["show"].([]any)
	if len(show) == 0 {
		return map[string]any{}
	}
	first, _ := show[0].(map[string]any)
	return first
}

// bookmarkDayRange resolves sections.time[0] the way insights does, but
// falls back to the last 30 days instead of refusing the bookmark.
func bookmarkDayRange(bookmark map[string]any) (time.Time, time.Time) {
	sections, _ := bookmark["sections"].(map[string]any)
	times, _ := sections["time"].([]any)
	if len(times) > 0 {
		entry, _ := times[0].(map[string]any)
		if from, to, err := insightsRange(entry, QueryToday); err == nil {
			return from, to
		}
	}
	return QueryToday.AddDate(0, 0, -29), QueryToday
}

// firstBreakdownSegments names the segments of the first breakdown: a
// cohort breakdown's labels, or three values of a property.
func firstBreakdownSegments(bookmark map[string]any) []string {
	sections, _ := bookmark["sections"].(map[string]any)
	group, _ := sections["group"].([]any)
	if len(group) == 0 {
		return nil
	}
	entry, _ := group[0].(map[string]any)
	switch v := entry["value"].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, label := range v {
			out = append(out, fmt.Sprint(label))
		}
		return out
	case string:
		return sampleValuesOf(v)
	}
	return []string{"(custom property) A", "(custom property) B"}
}

// sampleValuesOf gives three plausible values of a breakdown property.
func sampleValuesOf(property string) []string {
	switch strings.TrimPrefix(property, "$") {
	case "os", "platform", "device_type":
		return []string{"iOS", "Android", "Web"}
	case "country", "mp_country_code", "region":
		return []string{"US", "DE", "JP"}
	case "browser":
		return []string{"Chrome", "Safari", "Firefox"}
	}
	return []string{property + " A", property + " B", property + " C"}
}

// spreadDays lists up to limit days from from to to, evenly spread.
func spreadDays(from, to time.Time, limit int) []time.Time {
	days := int(to.Sub(from).Hours()/24) + 1
	step := max(1, days/limit)
	var out []time.Time
	for d := from; !d.After(to) && len(out) < limit; d = d.AddDate(0, 0, step) {
		out = append(out, d)
	}
	return out
}

func isoDayStart(t time.Time) string { return t.Format("2006-01-02") + "T00:00:00-08:00" }
func isoDayEnd(t time.Time) string   { return t.Format("2006-01-02") + "T23:59:59.999000-08:00" }

func roundRate(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func stableHash(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}
