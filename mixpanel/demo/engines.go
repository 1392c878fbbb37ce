package demo

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

func showBehavior(bookmark map[string]any) (map[string]any, map[string]any, map[string]any) {
	sections, _ := bookmark["sections"].(map[string]any)
	show, _ := sections["show"].([]any)
	if len(show) == 0 {
		return sections, nil, nil
	}
	first, _ := show[0].(map[string]any)
	behavior, _ := first["behavior"].(map[string]any)
	meas, _ := first["measurement"].(map[string]any)
	return sections, behavior, meas
}

var windowUnits = sync.OnceValue(func() map[string]int32 {
	return map[string]int32{"second": 1, "minute": 60, "hour": 3600, "day": day, "week": 7 * day}
})

// funnelCharts are the funnel chart types answered as steps; trendCharts
// as conversion over time (by the entry's date).
var (
	funnelCharts = sync.OnceValue(func() map[string]bool {
		return map[string]bool{"": true, "funnel-steps": true, "funnel-steps-metric": true, "table": true, "bar": true}
	})
	trendCharts = sync.OnceValue(func() map[string]bool { return map[string]bool{"line": true, "funnel-trend": true} })
)

// exclusion is a compiled funnel exclusion: the event, and the 0-based
// steps between which doing it removes the user from the funnel.
type exclusion struct {
	m        stepMatcher
	from, to int
}

// Funnel evaluates a funnel bookmark. A user enters at their first step-1
// event in the date range and converts through each later step in order
// (other events may come between; with funnelOrder "any", steps 2.. in any
// order) within the conversion window of entry. Exclusions remove a user
// who did the excluded event between the given steps (after the first of
// them, before the second or, when it was not reached, before the window
// closed). Properties held constant (aggregateBy) must keep the entry
// event's values at every later step. Breakdowns segment users by their
// entry event; trends bucket them by the entry's date.
func (e *Events) Funnel(bookmark map[string]any) (map[string]any, error) {
	c := e.newCompiler()
	sections, behavior, meas := showBehavior(bookmark)
	display, _ := bookmark["displayOptions"].(map[string]any)
	chart, _ := display["chartType"].(string)
	trends := trendCharts()[chart]
	if !trends && !funnelCharts()[chart] {
		return nil, unsupported("funnel chart type %q (funnel-steps, table or line)", chart)
	}
	if m, _ := meas["math"].(string); m != "" && m != "conversion_rate_unique" && m != "unique" {
		return nil, unsupported("funnel math %q (unique conversion: conversion_rate_unique or unique)", m)
	}
	if r, _ := behavior["funnelReentryMode"].(string); r != "" && r != "default" && r != "basic" {
		return nil, unsupported("funnelReentryMode %q (the demo counts each user's first entry: default or basic)", r)
	}
	if f, _ := sections["formula"].([]any); len(f) > 0 {
		return nil, unsupported("formulas over funnels")
	}
	order, _ := behavior["funnelOrder"].(string)
	if order == "" {
		order = "loose"
	}
	if order != "loose" && order != "any" {
		return nil, unsupported("funnel order %q (loose or any)", order)
	}
	unit, _ := behavior["conversionWindowUnit"].(string)
	n, _ := behavior["conversionWindowDuration"].(float64)
	_, known := windowUnits()[unit]
	if unit == "session" {
		return nil, unsupported("session conversion windows (the demo's events carry no session ids)")
	}
	if (!known && unit != "month") || n < 1 || n != math.Trunc(n) {
		return nil, fmt.Errorf("behavior.conversionWindowDuration/Unit: a whole number of second, minute, hour, day, week or month is required, got %v %q", behavior["conversionWindowDuration"], unit)
	}
	windowEnd := func(t0 int32) int32 {
		if unit == "month" {
			return int32(e.Start.Add(time.Duration(t0)*time.Second).AddDate(0, int(n), 0).Sub(e.Start) / time.Second)
		}
		return t0 + int32(n)*windowUnits()[unit]
	}
	from, to, lo, hi, err := e.span(sections)
	if err != nil {
		return nil, err
	}
	global, err := c.behaviorFilters(sections, behavior)
	if err != nil {
		return nil, err
	}
	raw, _ := behavior["behaviors"].([]any)
	if len(raw) < 2 {
		return nil, fmt.Errorf("behavior.behaviors: a funnel needs at least 2 steps")
	}
	steps := make([]stepMatcher, len(raw))
	names := make([]string, len(raw))
	for i, r := range raw {
		b, _ := r.(map[string]any)
		field := fmt.Sprintf("behavior.behaviors[%d]", i)
		if o, _ := b["funnelOrder"].(string); o != "" && o != order {
			return nil, unsupported("%s.funnelOrder %q in a %q funnel (mixing step orders)", field, o, order)
		}
		if steps[i], err = c.matcher(field, b, global); err != nil {
			return nil, err
		}
		names[i], _ = b["name"].(string)
		if label, _ := b["renamed"].(string); label != "" {
			names[i] = label
		}
	}
	var excl []exclusion
	xs, _ := behavior["exclusions"].([]any)
	for k, x := range xs {
		xm, _ := x.(map[string]any)
		field := fmt.Sprintf("behavior.exclusions[%d]", k)
		ev, _ := xm["event"].(string)
		m, err := c.matcherFor(field+".event", ev, nil)
		if err != nil {
			return nil, err
		}
		st, _ := xm["steps"].(map[string]any)
		a, _ := st["from"].(float64)
		b, _ := st["to"].(float64)
		if a < 1 || b < a || int(b) > len(steps) {
			return nil, fmt.Errorf("%s.steps: from and to are 1-based steps with from <= to <= %d, got %v", field, len(steps), st)
		}
		excl = append(excl, exclusion{m: m, from: int(a) - 1, to: int(b) - 1})
	}
	var held []accessor
	ag, _ := behavior["aggregateBy"].([]any)
	for k, a := range ag {
		am, _ := a.(map[string]any)
		get, _, err := c.property(fmt.Sprintf("behavior.aggregateBy[%d]", k), am)
		if err != nil {
			return nil, err
		}
		held = append(held, get)
	}
	by, err := c.breakdowns(sections)
	if err != nil {
		return nil, err
	}
	var fr frame
	if trends {
		times, _ := sections["time"].([]any)
		tunit, _ := times[0].(map[string]any)["unit"].(string)
		if fr, err = e.frame(from, to, tunit, false); err != nil {
			return nil, err
		}
	} else if fr, err = e.frame(from, to, "", true); err != nil {
		return nil, err
	}

	tallies := map[string][]*tally{} // by path ("" overall), per key
	tallyOf := func(path string, k int) *tally {
		row := tallies[path]
		if row == nil {
			row = make([]*tally, len(fr.keys))
			tallies[path] = row
		}
		if row[k] == nil {
			row[k] = &tally{count: make([]int, len(steps)), elapsed: make([]float64, len(steps)), fromT0: make([]float64, len(steps))}
		}
		return row[k]
	}
	paths := newPather(len(by))
	keys := map[string]bool{}
	at := make([]int, len(steps))
	for u := range e.users {
		i0 := -1
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.t[i] >= lo && e.t[i] < hi && steps[0].match(e, i, u) {
				i0 = i
				break
			}
		}
		if i0 < 0 {
			continue
		}
		t0, end, last := e.t[i0], windowEnd(e.t[i0]), int(e.first[u+1])
		same := func(i int) bool {
			for _, get := range held {
				a, okA := get(e, i0, u)
				b, okB := get(e, i, u)
				if okA != okB || a.String() != b.String() {
					return false
				}
			}
			return true
		}
		at[0] = i0
		reached := 1
		if order == "loose" {
			for s := 1; s < len(steps); s++ {
				next := -1
				for i := at[s-1] + 1; i < last && e.t[i] <= end; i++ {
					if steps[s].match(e, i, u) && same(i) {
						next = i
						break
					}
				}
				if next < 0 {
					break
				}
				at[s] = next
				reached++
			}
		} else {
			used := map[int]bool{i0: true}
			for s := 1; s < len(steps); s++ {
				next := -1
				for i := i0 + 1; i < last && e.t[i] <= end; i++ {
					if !used[i] && steps[s].match(e, i, u) && same(i) {
						next = i
						break
					}
				}
				if next < 0 {
					break
				}
				used[next], at[s] = true, next
				reached++
			}
		}
		if excluded(e, u, excl, at[:reached], end) {
			continue
		}
		k := 0
		if trends {
			k = fr.key(t0)
		}
		targets := []*tally{tallyOf("", k)}
		if len(by) > 0 {
			// Each full path and, once per user, each partial path (the
			// rollups of several breakdowns).
			clear(keys)
			for _, p := range paths.of(e, i0, u, by) {
				segs := strings.Split(p, "\x00")
				for d := range segs {
					keys[joinPath(segs[:d+1])] = true
				}
			}
			for p := range keys {
				targets = append(targets, tallyOf(p, k))
			}
		}
		for _, tl := range targets {
			prev := t0
			for s := 0; s < reached; s++ {
				tl.count[s]++
				if s > 0 {
					ts := e.t[at[s]]
					tl.elapsed[s] += float64(max(ts-prev, 0))
					tl.fromT0[s] += float64(ts - t0)
					prev = max(prev, ts)
				}
			}
		}
	}
	empty := &tally{count: make([]int, len(steps)), elapsed: make([]float64, len(steps)), fromT0: make([]float64, len(steps))}
	metricsOf := func(path string, k int) map[string]any {
		tl := empty
		if row := tallies[path]; row != nil && row[k] != nil {
			tl = row[k]
		}
		return tl.metrics(names)
	}
	// One key: the steps (one level per breakdown, "$overall" rollups);
	// trends: one such value per date key.
	valueAt := func(k int) map[string]any {
		if len(by) == 0 {
			return metricsOf("", k)
		}
		v := map[string]any{}
		for p, row := range tallies {
			if row[k] != nil || p == "" {
				nestSegments(v, p, len(by), metricsOf(p, k))
			}
		}
		return v
	}
	value := valueAt(0)
	if trends {
		value = map[string]any{}
		for k, key := range fr.keys {
			value[key] = valueAt(k)
		}
	}
	label := names[0] + " through " + names[len(names)-1]
	return e.envelope([]string{"$funnel"}, map[string]any{label: value}, from, to, nil), nil
}

// tally counts the users reaching each step and their summed times.
type tally struct {
	count   []int
	elapsed []float64 // summed seconds from the previous step
	fromT0  []float64
}

func (tl *tally) metrics(names []string) map[string]any {
	count, stepConv, overallConv, avg, avgStart := map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}
	for s := range names {
		key := fmt.Sprintf("%d. %s", s+1, names[s])
		c := float64(tl.count[s])
		count[key] = map[string]any{"all": c}
		sc, oc, at, ats := 1.0, 1.0, 0.0, 0.0
		if s > 0 {
			sc, oc = ratio(c, float64(tl.count[s-1])), ratio(c, float64(tl.count[0]))
			if c > 0 {
				at, ats = math.Round(tl.elapsed[s]/c), math.Round(tl.fromT0[s]/c)
			}
		} else if c == 0 {
			oc = 0
		}
		stepConv[key] = map[string]any{"all": sc}
		overallConv[key] = map[string]any{"all": oc}
		avg[key] = map[string]any{"all": at}
		avgStart[key] = map[string]any{"all": ats}
	}
	return map[string]any{"count": count, "step_conv_ratio": stepConv, "overall_conv_ratio": overallConv, "avg_time": avg, "avg_time_from_start": avgStart}
}

// nestSegments puts the metrics of a breakdown path into value: one level
// per breakdown; a partial path's (and the empty path's) metrics are the
// "$overall" rollup of its level.
func nestSegments(value map[string]any, path string, levels int, metrics map[string]any) {
	var segs []string
	if path != "" {
		segs = strings.Split(path, "\x00")
	}
	node := value
	for d, s := range segs {
		if d == levels-1 {
			node[s] = metrics
			return
		}
		next, ok := node[s].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[s] = next
		}
		node = next
	}
	node["$overall"] = metrics
}

// excluded says whether the user did an exclusion event between its steps
// (at holds the events of the steps reached; end is the window's end).
func excluded(e *Events, u int, excl []exclusion, at []int, end int32) bool {
	for _, x := range excl {
		if x.from >= len(at) {
			continue
		}
		start, stop := at[x.from], -1
		if x.to < len(at) {
			stop = at[x.to]
		}
		for i := start + 1; i < int(e.first[u+1]); i++ {
			if stop >= 0 && i >= stop || stop < 0 && e.t[i] > end {
				break
			}
			if x.m.match(e, i, u) {
				return true
			}
		}
	}
	return false
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1e4) / 1e4
}

// Retention evaluates a retention bookmark. A user is born at their first
// birth event in the range, into the cohort of that day, week or month
// (counted from the range's first day). Bucket 0 is the cohort's size;
// with birth alignment bucket b counts the users who did the return event
// between b and b+1 units after birth, with interval_start alignment in
// the b-th unit after the cohort's start. Custom bucket sizes s1<s2<...
// make bucket j span units (s[j-1], s[j]]. Unbounded modes: carry_back
// counts a user in every bucket up to the last one they returned in (also
// retentionCumulative), carry_forward in every bucket from the first one,
// consecutive_forward in the buckets before their first miss.
func (e *Events) Retention(bookmark map[string]any) (map[string]any, error) {
	c := e.newCompiler()
	sections, behavior, meas := showBehavior(bookmark)
	align, _ := behavior["retentionAlignmentType"].(string)
	if align != "" && align != "birth" && align != "interval_start" {
		return nil, fmt.Errorf("behavior.retentionAlignmentType: birth or interval_start, got %q", align)
	}
	if m, _ := meas["math"].(string); m != "" && m != "retention_rate" && m != "unique" {
		return nil, unsupported("retention math %q (retention_rate or unique: retained users)", m)
	}
	mode, _ := behavior["retentionUnboundedMode"].(string)
	if cum, _ := meas["retentionCumulative"].(bool); cum && (mode == "" || mode == "none") {
		mode = "carry_back"
	}
	switch mode {
	case "", "none", "carry_back", "carry_forward", "consecutive_forward":
	default:
		return nil, fmt.Errorf("behavior.retentionUnboundedMode: none, carry_back, carry_forward or consecutive_forward, got %q", mode)
	}
	unit, _ := behavior["retentionUnit"].(string)
	if unit == "" {
		unit = "week"
	}
	if unit != "day" && unit != "week" && unit != "month" {
		return nil, fmt.Errorf("behavior.retentionUnit: day, week or month, got %q", unit)
	}
	var custom []int
	cbs, _ := behavior["retentionCustomBucketSizes"].([]any)
	for k, x := range cbs {
		n, _ := x.(float64)
		if n < 1 || n != math.Trunc(n) || (k > 0 && int(n) <= custom[k-1]) {
			return nil, fmt.Errorf("behavior.retentionCustomBucketSizes: strictly ascending positive whole numbers are required, got %v", cbs)
		}
		custom = append(custom, int(n))
	}
	groups, _ := sections["group"].([]any)
	if len(groups) > 1 {
		return nil, unsupported("more than one retention breakdown")
	}
	var seg segmenter
	if len(groups) == 1 {
		gm, _ := groups[0].(map[string]any)
		var err error
		if seg, err = c.breakdown("sections.group[0]", gm); err != nil {
			return nil, err
		}
	}
	from, to, lo, hi, err := e.span(sections)
	if err != nil {
		return nil, err
	}
	global, err := c.behaviorFilters(sections, behavior)
	if err != nil {
		return nil, err
	}
	raw, _ := behavior["behaviors"].([]any)
	if len(raw) != 2 {
		return nil, fmt.Errorf("behavior.behaviors: retention needs exactly two behaviors (born, return)")
	}
	var born, ret stepMatcher
	var names [2]string
	for i, dst := range []*stepMatcher{&born, &ret} {
		b, _ := raw[i].(map[string]any)
		if *dst, err = c.matcher(fmt.Sprintf("behavior.behaviors[%d]", i), b, global); err != nil {
			return nil, err
		}
		names[i], _ = b["name"].(string)
	}

	// Units: add(t, n) moves an instant (seconds since Start) n units on.
	add := func(t int32, n int) int32 {
		switch unit {
		case "day":
			return t + int32(n)*day
		case "week":
			return t + int32(n)*7*day
		}
		return int32(e.Start.Add(time.Duration(t)*time.Second).AddDate(0, n, 0).Sub(e.Start) / time.Second)
	}
	// unitsBetween is how many whole units after a the instant b is.
	unitsBetween := func(a, b int32) int {
		n := 0
		if unit != "month" {
			n = int((b - a) / (add(0, 1)))
		}
		for add(a, n+1) <= b {
			n++
		}
		for n > 0 && add(a, n) > b {
			n--
		}
		return n
	}
	// bucketOf maps units since the anchor to a bucket (-1: none).
	bucketOf := func(units int) int {
		if units < 1 {
			return -1
		}
		if custom == nil {
			return units
		}
		for j, s := range custom {
			if units <= s {
				return j + 1
			}
		}
		return -1
	}
	cohortStart := func(k int) int32 { return add(lo, k) }
	ncohorts := unitsBetween(lo, hi-1) + 1
	buckets := func(k int) int {
		avail := unitsBetween(cohortStart(k), e.Now) // units begun since the cohort's start
		if custom == nil {
			return avail + 1
		}
		n := 1
		for j := range custom {
			if j == 0 || custom[j-1]+1 <= avail {
				n = j + 2
			}
		}
		return min(n, len(custom)+1)
	}
	newCounts := func() [][]int {
		counts := make([][]int, ncohorts)
		for k := range counts {
			counts[k] = make([]int, buckets(k))
		}
		return counts
	}
	overall := newCounts()
	bySeg := map[string][][]int{}
	var segBuf []string
	hit := make([]bool, 0, 128)
	for u := range e.users {
		b0 := -1
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.t[i] >= lo && e.t[i] < hi && born.match(e, i, u) {
				b0 = i
				break
			}
		}
		if b0 < 0 {
			continue
		}
		k := unitsBetween(lo, e.t[b0])
		if k >= ncohorts {
			continue
		}
		targets := [][][]int{overall}
		if seg != nil {
			segBuf = seg(e, b0, u, segBuf[:0])
			for _, s := range segBuf {
				if bySeg[s] == nil {
					bySeg[s] = newCounts()
				}
				targets = append(targets, bySeg[s])
			}
		}
		nb := len(overall[k])
		hit = hit[:0]
		for range nb {
			hit = append(hit, false)
		}
		anchor := e.t[b0]
		if align == "interval_start" {
			anchor = cohortStart(k)
		}
		for i := b0 + 1; i < int(e.first[u+1]); i++ {
			if !ret.match(e, i, u) {
				continue
			}
			if b := bucketOf(unitsBetween(anchor, e.t[i])); b > 0 && b < nb {
				hit[b] = true
			}
		}
		spread(hit, mode)
		for _, counts := range targets {
			counts[k][0]++
			for b := 1; b < nb; b++ {
				if hit[b] {
					counts[k][b]++
				}
			}
		}
	}
	firstDay := e.dayIndex(from)
	value := e.cohorts(overall, func(k int) time.Time {
		return e.Start.AddDate(0, 0, firstDay).Add(time.Duration(cohortStart(k)-lo) * time.Second)
	})
	if seg != nil {
		value = map[string]any{"$overall": value}
		for s, counts := range bySeg {
			value[s] = e.cohorts(counts, func(k int) time.Time {
				return e.Start.AddDate(0, 0, firstDay).Add(time.Duration(cohortStart(k)-lo) * time.Second)
			})
		}
	}
	return e.envelope([]string{"$retention"}, map[string]any{names[0] + " and then " + names[1]: value}, from, to, nil), nil
}

// spread applies an unbounded mode to the buckets a user returned in
// (index 0, the birth bucket, is left alone).
func spread(hit []bool, mode string) {
	switch mode {
	case "carry_back":
		for b := len(hit) - 2; b >= 1; b-- {
			hit[b] = hit[b] || hit[b+1]
		}
	case "carry_forward":
		for b := 2; b < len(hit); b++ {
			hit[b] = hit[b] || hit[b-1]
		}
	case "consecutive_forward":
		for b := 2; b < len(hit); b++ {
			hit[b] = hit[b] && hit[b-1]
		}
	}
}

// cohorts writes retention counts as Mixpanel does: one entry per cohort
// start and their "$average".
func (e *Events) cohorts(counts [][]int, start func(k int) time.Time) map[string]any {
	out := map[string]any{}
	var sumFirst float64
	var sums []float64
	var at []int
	for k, cs := range counts {
		first := float64(cs[0])
		cnt, rates := make([]any, len(cs)), make([]any, len(cs))
		for b, n := range cs {
			cnt[b], rates[b] = float64(n), ratio(float64(n), first)
			if b >= len(sums) {
				sums, at = append(sums, 0), append(at, 0)
			}
			sums[b] += float64(n)
			at[b]++
		}
		sumFirst += first
		out[isoDay(start(k))] = map[string]any{"first": first, "counts": cnt, "rates": rates}
	}
	avgFirst := math.Round(sumFirst / float64(max(len(counts), 1)))
	avgC, avgR := make([]any, len(sums)), make([]any, len(sums))
	for b := range sums {
		c := math.Round(sums[b] / float64(at[b]))
		avgC[b], avgR[b] = c, ratio(c, avgFirst)
	}
	out["$average"] = map[string]any{"first": avgFirst, "counts": avgC, "rates": avgR}
	return out
}

func joinPath(segs []string) string { return strings.Join(segs, "\x00") }
