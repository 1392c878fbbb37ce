package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Cohorts are evaluated over the demo's users: a definition
// ({"selector", "behaviors"}, wire reference §5.10) becomes one membership
// flag per user, computed once per query. Saved cohorts are looked up in
// the project's store by id.

// maxCohortDepth bounds cohorts that refer to cohorts.
const maxCohortDepth = 8

// cohort evaluates a cohort reference: {"id": N} (a saved cohort) or
// {"raw_cohort": {"selector", "behaviors"}} (inline).
func (c *compiler) cohort(field string, ref map[string]any) ([]bool, error) {
	if ref == nil {
		return nil, fmt.Errorf("%s: a cohort reference needs id or raw_cohort", field)
	}
	if raw, ok := ref["raw_cohort"].(map[string]any); ok {
		key, _ := json.Marshal(raw)
		return c.cached("raw "+string(key), func() ([]bool, error) { return c.definition(field+".raw_cohort", raw, 0) })
	}
	return c.savedCohort(field+".id", ref["id"], 0)
}

func (c *compiler) cached(key string, eval func() ([]bool, error)) ([]bool, error) {
	if m, ok := c.cohorts[key]; ok {
		return m, nil
	}
	m, err := eval()
	if err == nil {
		c.cohorts[key] = m
	}
	return m, err
}

func (c *compiler) savedCohort(field string, id any, depth int) ([]bool, error) {
	key := fmt.Sprint(id)
	if f, ok := id.(float64); ok {
		key = fmt.Sprint(int64(f))
	}
	return c.cached("id "+key, func() ([]bool, error) {
		if depth > maxCohortDepth {
			return nil, fmt.Errorf("%s: cohorts nest more than %d deep (a cohort refers to itself?)", field, maxCohortDepth)
		}
		var def map[string]any
		if c.e.cohortDef != nil {
			def, _ = c.e.cohortDef(key)
		}
		if def == nil {
			return nil, fmt.Errorf("%s: cohort %s does not exist in the demo project; create it first, or send its definition inline as raw_cohort", field, key)
		}
		if def["selector"] == nil {
			return nil, unsupported("%s: cohort %s, which has no selector definition to evaluate", field, key)
		}
		return c.definition(fmt.Sprintf("%s(cohort %s)", field, key), def, depth)
	})
}

// definition evaluates {"selector", "behaviors"}.
func (c *compiler) definition(field string, def map[string]any, depth int) ([]bool, error) {
	behaviors, _ := def["behaviors"].(map[string]any)
	counts := map[string][]float64{}
	var node func(path string, n map[string]any) ([]bool, error)
	node = func(path string, n map[string]any) ([]bool, error) {
		if children, ok := n["children"].([]any); ok {
			op, _ := n["operator"].(string)
			if op != "and" && op != "or" {
				return nil, fmt.Errorf("%s.operator: a selector node is and or or, got %q", path, op)
			}
			out := make([]bool, len(c.e.users))
			for u := range out {
				out[u] = op == "and"
			}
			for k, ch := range children {
				cm, _ := ch.(map[string]any)
				m, err := node(fmt.Sprintf("%s.children[%d]", path, k), cm)
				if err != nil {
					return nil, err
				}
				for u := range out {
					if op == "and" {
						out[u] = out[u] && m[u]
					} else {
						out[u] = out[u] || m[u]
					}
				}
			}
			return out, nil
		}
		switch prop, _ := n["property"].(string); prop {
		case "user":
			return c.userLeaf(path, n)
		case "behaviors":
			key, _ := n["value"].(string)
			per, ok := counts[key]
			if !ok {
				b, _ := behaviors[key].(map[string]any)
				if b == nil {
					return nil, fmt.Errorf("%s.value: behavior %q is not in the definition's behaviors", path, key)
				}
				var err error
				if per, err = c.behaviorCounts(fmt.Sprintf("%s.behaviors.%s", field, key), b); err != nil {
					return nil, err
				}
				counts[key] = per
			}
			operand, _ := n["operand"].(float64)
			op, _ := n["operator"].(string)
			cmp, err := compare(path+".operator", op)
			if err != nil {
				return nil, err
			}
			out := make([]bool, len(per))
			for u, x := range per {
				out[u] = cmp(x, operand)
			}
			return out, nil
		case "cohort":
			member, err := c.savedCohort(path+".value", n["value"], depth+1)
			if err != nil {
				return nil, err
			}
			op, _ := n["operator"].(string)
			if op != "in" && op != "not in" {
				return nil, fmt.Errorf("%s.operator: a cohort leaf is in or not in, got %q", path, op)
			}
			out := make([]bool, len(member))
			for u, m := range member {
				out[u] = m == (op == "in")
			}
			return out, nil
		default:
			return nil, unsupported("%s: cohort selector leaves on %q (the demo evaluates user, behaviors and cohort leaves)", path, prop)
		}
	}
	sel, _ := def["selector"].(map[string]any)
	if sel == nil {
		return nil, fmt.Errorf("%s.selector: the definition has no selector", field)
	}
	return node(field+".selector", sel)
}

func compare(field, op string) (func(a, b float64) bool, error) {
	switch op {
	case ">=":
		return func(a, b float64) bool { return a >= b }, nil
	case "<=":
		return func(a, b float64) bool { return a <= b }, nil
	case "==":
		return func(a, b float64) bool { return a == b }, nil
	case ">":
		return func(a, b float64) bool { return a > b }, nil
	case "<":
		return func(a, b float64) bool { return a < b }, nil
	case "!=":
		return func(a, b float64) bool { return a != b }, nil
	}
	return nil, fmt.Errorf("%s: comparison %q (>=, <=, ==, >, <, !=)", field, op)
}

// userLeaf evaluates {"property":"user","value":name,"operator","operand"}
// over the profiles. in / not in with a text operand test containment, as
// the selector language does; with a list, membership.
func (c *compiler) userLeaf(path string, n map[string]any) ([]bool, error) {
	name, _ := n["value"].(string)
	get, ok := profileAccessors()[name]
	if !ok {
		return nil, unsupported("%s: profile property %q, which no demo profile has", path, name)
	}
	op, _ := n["operator"].(string)
	operand := n["operand"]
	var list []string
	switch x := operand.(type) {
	case []any:
		for _, v := range x {
			list = append(list, strings.ToLower(fmt.Sprint(v)))
		}
	case float64:
		list = []string{strings.ToLower(fmt.Sprint(x))}
	case nil:
	default:
		list = []string{strings.ToLower(fmt.Sprint(x))}
	}
	num, isNum := operand.(float64)
	var test func(v value, set bool) bool
	switch op {
	case "defined":
		test = func(_ value, set bool) bool { return set }
	case "not defined":
		test = func(_ value, set bool) bool { return !set }
	case "==", "!=":
		test = func(v value, set bool) bool {
			hit := false
			for _, w := range list {
				hit = hit || strings.ToLower(v.String()) == w
			}
			return set && hit == (op == "==") || !set && op == "!="
		}
	case "in", "not in":
		_, isList := operand.([]any)
		test = func(v value, set bool) bool {
			s, hit := strings.ToLower(v.String()), false
			for _, w := range list {
				hit = hit || (isList && s == w) || (!isList && strings.Contains(s, w))
			}
			return set && hit == (op == "in") || !set && op == "not in"
		}
	case ">", "<":
		if s, isText := operand.(string); isText {
			d, err := time.Parse("2006-01-02", s)
			if err != nil {
				return nil, fmt.Errorf("%s.operand: %q needs a number or a YYYY-MM-DD date, got %q", path, op, s)
			}
			num, isNum = d.Sub(c.e.Start).Seconds(), true
		}
		if !isNum {
			return nil, fmt.Errorf("%s.operand: %q needs a number or a YYYY-MM-DD date", path, op)
		}
		test = func(v value, set bool) bool {
			return set && (v.num || v.date) && (op == ">" && v.n > num || op == "<" && v.n < num)
		}
	default:
		return nil, unsupported("%s: profile operator %q", path, op)
	}
	out := make([]bool, len(c.e.users))
	for u := range out {
		v, set := get(c.e, -1, u)
		out[u] = test(v, set)
	}
	return out, nil
}

// behaviorCounts computes, per user, a behavior of a cohort definition:
// how often the user did the event (matching its selector) in the window,
// or the aggregate of a property over those events.
func (c *compiler) behaviorCounts(field string, b map[string]any) ([]float64, error) {
	count, _ := b["count"].(map[string]any)
	es, _ := count["event_selector"].(map[string]any)
	event, _ := es["event"].(string)
	var pred predicate
	if sel, ok := es["selector"].(map[string]any); ok {
		op, _ := sel["operator"].(string)
		var err error
		if pred, err = c.filters(field+".count.event_selector.selector.children", sel["children"], op == "or"); err != nil {
			return nil, err
		}
	}
	m, err := c.matcherFor(field+".count.event_selector.event", event, pred)
	if err != nil {
		return nil, err
	}
	lo, hi, err := c.e.window(field, b)
	if err != nil {
		return nil, err
	}
	agg, _ := count["aggregationOperator"].(string)
	var prop accessor
	if agg != "" {
		name, _ := count["property"].(string)
		var typ string
		if prop, typ, err = c.named(field+".count.property", name, "events"); err != nil {
			return nil, err
		}
		if typ != "number" || (agg != "total" && agg != "average" && agg != "min" && agg != "max") {
			return nil, unsupported("%s: cohort aggregation %q of %q (total, average, min or max of a number property)", field, agg, name)
		}
	}
	out := make([]float64, len(c.e.users))
	for u := range c.e.users {
		n, sum, mn, mx := 0.0, 0.0, 0.0, 0.0
		for i := int(c.e.first[u]); i < int(c.e.first[u+1]); i++ {
			if c.e.t[i] < lo || c.e.t[i] >= hi || !m.match(c.e, i, u) {
				continue
			}
			x := 1.0
			if prop != nil {
				v, ok := prop(c.e, i, u)
				if !ok || !v.num {
					continue
				}
				x = v.n
			}
			if n == 0 || x < mn {
				mn = x
			}
			if n == 0 || x > mx {
				mx = x
			}
			n++
			sum += x
		}
		switch {
		case prop == nil:
			out[u] = n
		case agg == "total":
			out[u] = sum
		case n == 0:
			out[u] = 0
		case agg == "average":
			out[u] = sum / n
		case agg == "min":
			out[u] = mn
		default:
			out[u] = mx
		}
	}
	return out, nil
}

// window reads a behavior's time window: {"window":{"unit","value"}} (the
// last N days, weeks or months up to now) or from_date/to_date (days).
func (e *Events) window(field string, b map[string]any) (lo, hi int32, err error) {
	now := e.Start.Add(time.Duration(e.Now) * time.Second)
	if w, ok := b["window"].(map[string]any); ok {
		n, _ := w["value"].(float64)
		unit, _ := w["unit"].(string)
		var from time.Time
		switch unit {
		case "day":
			from = now.AddDate(0, 0, -int(n))
		case "week":
			from = now.AddDate(0, 0, -7*int(n))
		case "month":
			from = now.AddDate(0, -int(n), 0)
		default:
			return 0, 0, fmt.Errorf("%s.window.unit: day, week or month, got %q", field, unit)
		}
		return int32(from.Sub(e.Start) / time.Second), e.Now + 1, nil
	}
	fromS, _ := b["from_date"].(string)
	toS, _ := b["to_date"].(string)
	from, err1 := time.Parse("2006-01-02", fromS)
	to, err2 := time.Parse("2006-01-02", toS)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s: a behavior needs window {unit, value} or from_date and to_date (YYYY-MM-DD)", field)
	}
	return int32(from.Sub(e.Start) / time.Second), int32(to.AddDate(0, 0, 1).Sub(e.Start) / time.Second), nil
}

// frequency evaluates a frequency filter ({"behaviorType":"$frequency",
// "customProperty":{"behavior":{event, filterOperator, filterValue,
// dateRange, eventFilters}}}) per user: how many times the user did the
// event in the range (all the data without one), compared.
func (c *compiler) frequency(field string, f map[string]any) ([]bool, error) {
	cp, _ := f["customProperty"].(map[string]any)
	b, _ := cp["behavior"].(map[string]any)
	event, _ := b["event"].(string)
	if agg, _ := b["aggregation"].(string); agg != "" && agg != "total" {
		return nil, unsupported("%s: frequency aggregation %q (total)", field, agg)
	}
	counts, err := c.eventCounts(field+".customProperty.behavior", b, event, "eventFilters", false)
	if err != nil {
		return nil, err
	}
	op, _ := b["filterOperator"].(string)
	want, _ := b["filterValue"].(float64)
	ops := map[string]string{"is at least": ">=", "is at most": "<=", "is greater than": ">", "is less than": "<", "is equal to": "=="}
	cmp, err := compare(field+".customProperty.behavior.filterOperator", ops[op])
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(counts))
	for u, n := range counts {
		out[u] = cmp(n, want)
	}
	return out, nil
}
