package demo

import (
	"fmt"
	"math"
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

var windowUnits = map[string]int32{"second": 1, "minute": 60, "hour": 3600, "day": day, "week": 7 * day}

// Funnel evaluates a funnel bookmark: a user enters at their first step-1
// event in the date range and converts through each later step in order
// (other events may come between) within the conversion window of entry.
func (e *Events) Funnel(bookmark map[string]any) (map[string]any, error) {
	sections, behavior, meas := showBehavior(bookmark)
	display, _ := bookmark["displayOptions"].(map[string]any)
	if ct, _ := display["chartType"].(string); ct == "line" {
		return nil, unsupported("funnel trends over time (chartType line)")
	}
	if order, _ := behavior["funnelOrder"].(string); order != "" && order != "loose" {
		return nil, unsupported("funnel order %q (only loose: steps in order, other events between)", order)
	}
	if x, _ := behavior["exclusions"].([]any); len(x) > 0 {
		return nil, unsupported("funnel exclusions")
	}
	if x, _ := behavior["aggregateBy"].([]any); len(x) > 0 {
		return nil, unsupported("holding a property constant across funnel steps")
	}
	if m, _ := meas["math"].(string); m != "" && m != "conversion_rate_unique" && m != "unique" {
		return nil, unsupported("funnel math %q (only unique conversion)", m)
	}
	if f, _ := sections["formula"].([]any); len(f) > 0 {
		return nil, unsupported("formulas")
	}
	unit, _ := behavior["conversionWindowUnit"].(string)
	n, _ := behavior["conversionWindowDuration"].(float64)
	secs, ok := windowUnits[unit]
	if !ok || n < 1 {
		return nil, unsupported("conversion window %v %q (second, minute, hour, day or week)", n, unit)
	}
	window := int32(n) * secs
	from, to, lo, hi, err := e.span(sections)
	if err != nil {
		return nil, err
	}
	global, err := compileFilters("sections.filter", sections["filter"])
	if err != nil {
		return nil, err
	}
	if bf, err := compileFilters("behavior.filter", behavior["filter"]); err != nil {
		return nil, err
	} else if bf != nil {
		return nil, unsupported("funnel-level behavior.filter")
	}
	raw, _ := behavior["behaviors"].([]any)
	if len(raw) < 2 {
		return nil, fmt.Errorf("funnel needs at least 2 steps")
	}
	steps := make([]stepMatcher, len(raw))
	names := make([]string, len(raw))
	for i, r := range raw {
		b, _ := r.(map[string]any)
		if steps[i], err = e.matcher(fmt.Sprintf("behavior.behaviors[%d]", i), b, global); err != nil {
			return nil, err
		}
		names[i], _ = b["name"].(string)
		if label, _ := b["renamed"].(string); label != "" {
			names[i] = label
		}
	}
	seg, err := firstBreakdown(sections, "funnel")
	if err != nil {
		return nil, err
	}

	type tally struct {
		count   []int
		elapsed []float64 // summed seconds from the previous step
		fromT0  []float64
	}
	newTally := func() *tally {
		return &tally{count: make([]int, len(steps)), elapsed: make([]float64, len(steps)), fromT0: make([]float64, len(steps))}
	}
	overall := newTally()
	bySeg := map[string]*tally{}
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
		tallies := []*tally{overall}
		if seg != nil {
			key := "undefined"
			if v, ok := seg(e, i0, u); ok {
				key = v.String()
			}
			if bySeg[key] == nil {
				bySeg[key] = newTally()
			}
			tallies = append(tallies, bySeg[key])
		}
		t0, prev, at := e.t[i0], e.t[i0], i0
		reached := 1
		for s := 1; s < len(steps) && at >= 0; s++ {
			next := -1
			for i := at + 1; i < int(e.first[u+1]) && e.t[i] <= t0+window; i++ {
				if steps[s].match(e, i, u) {
					next = i
					break
				}
			}
			at = next
			if next >= 0 {
				for _, tl := range tallies {
					tl.elapsed[s] += float64(e.t[next] - prev)
					tl.fromT0[s] += float64(e.t[next] - t0)
				}
				prev = e.t[next]
				reached++
			}
		}
		for _, tl := range tallies {
			for s := 0; s < reached; s++ {
				tl.count[s]++
			}
		}
	}
	metrics := func(tl *tally) map[string]any {
		count, stepConv, overallConv, avg, avgStart := map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}
		for s := range steps {
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
	var value any = metrics(overall)
	if seg != nil {
		nested := map[string]any{"$overall": value}
		for k, tl := range bySeg {
			nested[k] = metrics(tl)
		}
		value = nested
	}
	label := names[0] + " through " + names[len(names)-1]
	return e.envelope([]string{"$funnel"}, map[string]any{label: value}, from, to, nil), nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(a/b*1e4) / 1e4
}

// Retention evaluates a retention bookmark with birth alignment: a user is
// born at their first birth event in the range, into the cohort of that
// day or week (counted from the range's first day); bucket b counts the
// users who did the return event between b and b+1 units after birth.
// Bucket 0 is the cohort's size.
func (e *Events) Retention(bookmark map[string]any) (map[string]any, error) {
	sections, behavior, meas := showBehavior(bookmark)
	if a, _ := behavior["retentionAlignmentType"].(string); a != "" && a != "birth" {
		return nil, unsupported("retention alignment %q (only birth)", a)
	}
	if c, _ := behavior["retentionCustomBucketSizes"].([]any); len(c) > 0 {
		return nil, unsupported("custom retention buckets")
	}
	seg, err := firstBreakdown(sections, "retention")
	if err != nil {
		return nil, err
	}
	if m, _ := meas["math"].(string); m != "" && m != "retention_rate" && m != "unique" {
		return nil, unsupported("retention math %q", m)
	}
	unitDays := map[string]int{"": 7, "week": 7, "day": 1}
	unit, _ := behavior["retentionUnit"].(string)
	ud, ok := unitDays[unit]
	if !ok {
		return nil, unsupported("retention unit %q (day or week)", unit)
	}
	from, to, lo, hi, err := e.span(sections)
	if err != nil {
		return nil, err
	}
	global, err := compileFilters("sections.filter", sections["filter"])
	if err != nil {
		return nil, err
	}
	raw, _ := behavior["behaviors"].([]any)
	if len(raw) != 2 {
		return nil, fmt.Errorf("retention needs exactly two behaviors (born, return)")
	}
	var born, ret stepMatcher
	var names [2]string
	for i, dst := range []*stepMatcher{&born, &ret} {
		b, _ := raw[i].(map[string]any)
		if *dst, err = e.matcher(fmt.Sprintf("behavior.behaviors[%d]", i), b, global); err != nil {
			return nil, err
		}
		names[i], _ = b["name"].(string)
	}
	fromDay := e.dayIndex(from)
	ncohorts := (e.dayIndex(to)-fromDay)/ud + 1
	unitSecs := int32(ud) * day
	nowDay := int(e.Now / day)
	buckets := func(c int) int { return (nowDay-(fromDay+c*ud))/ud + 1 }
	newCounts := func() [][]int {
		counts := make([][]int, ncohorts)
		for c := range counts {
			counts[c] = make([]int, buckets(c))
		}
		return counts
	}
	overall := newCounts()
	bySeg := map[string][][]int{}
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
		c := (int(e.t[b0]/day) - fromDay) / ud
		tallies := [][][]int{overall}
		if seg != nil {
			key := "undefined"
			if v, ok := seg(e, b0, u); ok {
				key = v.String()
			}
			if bySeg[key] == nil {
				bySeg[key] = newCounts()
			}
			tallies = append(tallies, bySeg[key])
		}
		for _, counts := range tallies {
			counts[c][0]++
		}
		last := 0
		for i := b0 + 1; i < int(e.first[u+1]); i++ {
			b := int((e.t[i] - e.t[b0]) / unitSecs)
			if b > last && b < len(overall[c]) && ret.match(e, i, u) {
				for _, counts := range tallies {
					counts[c][b]++
				}
				last = b
			}
		}
	}
	var value map[string]any = e.cohorts(overall, fromDay, ud)
	if seg != nil {
		value = map[string]any{"$overall": value}
		for k, counts := range bySeg {
			value[k] = e.cohorts(counts, fromDay, ud)
		}
	}
	return e.envelope([]string{"$retention"}, map[string]any{names[0] + " and then " + names[1]: value}, from, to, nil), nil
}

// cohorts writes retention counts as Mixpanel does: one entry per cohort
// start and their "$average".
func (e *Events) cohorts(counts [][]int, fromDay, ud int) map[string]any {
	out := map[string]any{}
	var sumFirst float64
	var sums []float64
	var at []int
	for c, cs := range counts {
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
		out[isoDay(e.Start.AddDate(0, 0, fromDay+c*ud))] = map[string]any{"first": first, "counts": cnt, "rates": rates}
	}
	avgFirst := math.Round(sumFirst / float64(len(counts)))
	avgC, avgR := make([]any, len(sums)), make([]any, len(sums))
	for b := range sums {
		c := math.Round(sums[b] / float64(at[b]))
		avgC[b], avgR[b] = c, ratio(c, avgFirst)
	}
	out["$average"] = map[string]any{"first": avgFirst, "counts": avgC, "rates": avgR}
	return out
}

// firstBreakdown reads the one breakdown a funnel or retention query may
// have: an event property, read on the first step (or the birth event).
func firstBreakdown(sections map[string]any, engine string) (accessor, error) {
	groups, _ := sections["group"].([]any)
	switch {
	case len(groups) == 0:
		return nil, nil
	case len(groups) > 1:
		return nil, unsupported("more than one %s breakdown", engine)
	}
	g, _ := groups[0].(map[string]any)
	name, _ := g["propertyName"].(string)
	if name == "" {
		name, _ = g["value"].(string)
	}
	seg := accessors[name]
	if rt, _ := g["resourceType"].(string); seg == nil || g["cohorts"] != nil || g["customBucket"] != nil || (rt != "" && rt != "events") {
		return nil, unsupported("%s breakdown %q (by an event property of the first event only)", engine, name)
	}
	return seg, nil
}
