package demo

import (
	"fmt"
	"math"
	"strconv"
)

// segmenter appends to out the segments event i of user u falls in for
// one breakdown; none drops the event from a broken-down query.
type segmenter func(e *Events, i, u int, out []string) []string

// breakdown compiles one sections.group entry (wire reference §5.5): a
// property (event, profile or inline custom property, optionally in
// numeric buckets), cohorts, or a frequency breakdown.
// breakdowns compiles every breakdown of sections.group, in order.
func (c *compiler) breakdowns(sections map[string]any) ([]segmenter, error) {
	groups, _ := sections["group"].([]any)
	var by []segmenter
	for i, g := range groups {
		gm, _ := g.(map[string]any)
		s, err := c.breakdown(fmt.Sprintf("sections.group[%d]", i), gm)
		if err != nil {
			return nil, err
		}
		by = append(by, s)
	}
	return by, nil
}

func (c *compiler) breakdown(field string, g map[string]any) (segmenter, error) {
	if g == nil {
		return nil, fmt.Errorf("%s: not an object", field)
	}
	if cs, ok := g["cohorts"].([]any); ok {
		return c.cohortBreakdown(field, g, cs)
	}
	if g["listItemGroup"] != nil {
		return nil, unsupported("%s: list-item breakdowns (no demo property is a list of objects)", field)
	}
	var get accessor
	if b, ok := g["behavior"].(map[string]any); ok && b["behaviorType"] == "$frequency" {
		counts, err := c.frequencyCounts(field+".behavior", b)
		if err != nil {
			return nil, err
		}
		get = func(_ *Events, _, u int) (value, bool) { return value{n: counts[u], num: true}, true }
		if g["customBucket"] == nil {
			return valueSegments(get), nil
		}
	} else {
		var typ string
		var err error
		if get, typ, err = c.property(field, g); err != nil {
			return nil, err
		}
		if g["customBucket"] != nil && typ != "number" {
			return nil, fmt.Errorf("%s.customBucket: numeric buckets need a number property, not a %s one", field, typ)
		}
	}
	if cb, ok := g["customBucket"].(map[string]any); ok {
		if disabled, _ := cb["disabled"].(bool); !disabled {
			return bucketSegments(field+".customBucket", cb, get)
		}
	}
	return valueSegments(get), nil
}

func valueSegments(get accessor) segmenter {
	return func(e *Events, i, u int, out []string) []string {
		if v, ok := get(e, i, u); ok {
			return append(out, v.String())
		}
		return append(out, "undefined")
	}
}

// bucketSegments puts a number in its bucket of customBucket {bucketSize,
// min, max}: "lo - hi" (the fake's label), "< min" or ">= max" outside.
func bucketSegments(field string, cb map[string]any, get accessor) (segmenter, error) {
	size, _ := cb["bucketSize"].(float64)
	lo, okLo := cb["min"].(float64)
	hi, okHi := cb["max"].(float64)
	if size <= 0 || !okLo || !okHi || hi <= lo {
		return nil, fmt.Errorf("%s: bucketSize must be positive and min < max, got %v", field, cb)
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	return func(e *Events, i, u int, out []string) []string {
		v, ok := get(e, i, u)
		switch {
		case !ok || !v.num:
			return append(out, "undefined")
		case v.n < lo:
			return append(out, "< "+num(lo))
		case v.n >= hi:
			return append(out, ">= "+num(hi))
		}
		b := lo + math.Floor((v.n-lo)/size)*size
		return append(out, num(b)+" - "+num(b+size))
	}, nil
}

// cohortBreakdown: one segment per listed cohort the user belongs to (a
// negated entry: does not belong to), named by the entry of "value" at
// the same index, else the cohort's name ("Not In <name>" when negated).
func (c *compiler) cohortBreakdown(field string, g map[string]any, cs []any) (segmenter, error) {
	labels, _ := g["value"].([]any)
	var members [][]bool
	var names []string
	var negated []bool
	for k, raw := range cs {
		ref, _ := raw.(map[string]any)
		m, err := c.cohort(fmt.Sprintf("%s.cohorts[%d]", field, k), ref)
		if err != nil {
			return nil, err
		}
		neg, _ := ref["negated"].(bool)
		name, _ := ref["name"].(string)
		if neg {
			name = "Not In " + name
		}
		if k < len(labels) {
			name = fmt.Sprint(labels[k])
		}
		members, names, negated = append(members, m), append(names, name), append(negated, neg)
	}
	return func(_ *Events, _, u int, out []string) []string {
		for k, m := range members {
			if m[u] != negated[k] {
				out = append(out, names[k])
			}
		}
		return out
	}, nil
}

// frequencyCounts: per user, how many times they did the breakdown's
// event ({"event":{"value"}, "filters", "dateRange"}) in its range (all
// the data without one).
func (c *compiler) frequencyCounts(field string, b map[string]any) ([]float64, error) {
	if agg, _ := b["aggregationOperator"].(string); agg != "" && agg != "total" {
		return nil, unsupported("%s: frequency aggregation %q (total)", field, agg)
	}
	ev, _ := b["event"].(map[string]any)
	name, _ := ev["value"].(string)
	return c.eventCounts(field, b, name, "filters", b["filtersOperator"] == "or")
}

// eventCounts: per user, how many times they did event, matching the
// filters under b[filtersKey], in b's "dateRange" (all the data without
// one). path is b's place in the request, for errors.
func (c *compiler) eventCounts(path string, b map[string]any, event, filtersKey string, anyOf bool) ([]float64, error) {
	pred, err := c.filters(path+"."+filtersKey, b[filtersKey], anyOf)
	if err != nil {
		return nil, err
	}
	m, err := c.matcherFor(path+".event", event, pred)
	if err != nil {
		return nil, err
	}
	lo, hi := int32(-1<<30), int32(1<<30)
	if dr, ok := b["dateRange"].(map[string]any); ok {
		if lo, hi, err = c.e.window(path+".dateRange", map[string]any{"window": dr}); err != nil {
			return nil, err
		}
	}
	return c.e.perUser(m, lo, hi), nil
}

// perUser counts, per user, the events m matches in [lo, hi).
func (e *Events) perUser(m stepMatcher, lo, hi int32) []float64 {
	out := make([]float64, len(e.users))
	if m.id < 0 {
		return out
	}
	for u := range out {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.t[i] >= lo && e.t[i] < hi && m.match(e, i, u) {
				out[u]++
			}
		}
	}
	return out
}
