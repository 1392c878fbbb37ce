package demo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// predicate says whether event i of user u passes a filter.
type predicate func(e *Events, i, u int) bool

// profileAccessors read the demo users' profile properties (resourceType
// people): the values Engage serves for the same user.
var profileAccessors = sync.OnceValue(func() map[string]accessor {
	return map[string]accessor{
		"$email":   func(e *Events, _, u int) (value, bool) { return str(e.email(u)) },
		"$name":    func(e *Events, _, u int) (value, bool) { return str(e.profileName(u)) },
		"$created": func(e *Events, _, u int) (value, bool) { return e.dateValue(e.users[u].signup), true },
		"platform": func(e *Events, _, u int) (value, bool) { return str(platforms[e.users[u].platform]) },
		"country":  func(e *Events, _, u int) (value, bool) { return str(countries[e.users[u].country]) },
		"utm_source": func(e *Events, _, u int) (value, bool) {
			return str(utmSources[e.users[u].utm])
		},
		"plan": func(e *Events, _, u int) (value, bool) {
			if p := e.users[u].plan; p >= 0 {
				return str(plans[p])
			}
			return str("free")
		},
		"lifetime_value": func(e *Events, _, u int) (value, bool) {
			return value{n: round2(float64(e.users[u].ltv)), num: true}, true
		},
	}
})

// propTypes are the demo properties that are not strings.
var propTypes = sync.OnceValue(func() map[string]string {
	return map[string]string{"amount": "number", "lifetime_value": "number", "coupon_applied": "boolean", "$created": "datetime"}
})

func propType(name string) string {
	if t, ok := propTypes()[name]; ok {
		return t
	}
	return "string"
}

// profileName is user u's $name.
func (e *Events) profileName(u int) string {
	return fmt.Sprintf("%s %d", firstNames[u%len(firstNames)], u)
}

// dateValue is a datetime property: its text as Mixpanel shows it, and
// its instant (seconds since Start) for comparisons.
func (e *Events) dateValue(t int32) value {
	return value{s: e.Start.Add(time.Duration(t) * time.Second).Format("2006-01-02T15:04:05"), n: float64(t), date: true}
}

// compiler compiles the parts of one bookmark — property references,
// filters, cohorts and breakdowns — into functions over the events. It
// keeps the cohort memberships it evaluated for the query.
type compiler struct {
	e       *Events
	cohorts map[string][]bool
}

func (e *Events) newCompiler() *compiler { return &compiler{e: e, cohorts: map[string][]bool{}} }

// property resolves the property an entry names ("propertyName", "value"
// or "name": breakdowns, filters, measurements): an event or profile
// property, or an inline custom property. It returns the accessor and the
// property's type.
func (c *compiler) property(field string, entry map[string]any) (accessor, string, error) {
	if id, has := entry["customPropertyId"]; has && id != nil {
		return nil, "", unsupported("%s: saved custom property %v (send its definition inline as customProperty)", field, id)
	}
	if cp, ok := entry["customProperty"].(map[string]any); ok {
		return c.customProperty(field+".customProperty", cp)
	}
	name, _ := entry["propertyName"].(string)
	if name == "" {
		name, _ = entry["value"].(string)
	}
	if name == "" {
		name, _ = entry["name"].(string) // a metric's measurement.property
	}
	return c.named(field, name, entry["resourceType"])
}

func (c *compiler) named(field, name string, resourceType any) (accessor, string, error) {
	rt, _ := resourceType.(string)
	switch rt {
	case "", "events", "event":
		if get, ok := accessors()[name]; ok {
			return get, propType(name), nil
		}
		return nil, "", unsupported("%s: event property %q, which no demo event carries (see the demo's event properties)", field, name)
	case "people", "user":
		if get, ok := profileAccessors()[name]; ok {
			return get, propType(name), nil
		}
		return nil, "", unsupported("%s: profile property %q, which no demo profile has", field, name)
	}
	return nil, "", unsupported("%s: properties of resourceType %q (the demo has event and profile properties)", field, rt)
}

// customProperty compiles an inline custom property: its displayFormula
// over the composedProperties letters, in the arithmetic subset (numbers,
// letters, + - * /, parentheses). A formula of one letter passes that
// property's value through, whatever its type.
func (c *compiler) customProperty(field string, cp map[string]any) (accessor, string, error) {
	formula, _ := cp["displayFormula"].(string)
	composed, _ := cp["composedProperties"].(map[string]any)
	inputs := map[byte]accessor{}
	types := map[byte]string{}
	for letter, raw := range composed {
		in, _ := raw.(map[string]any)
		if len(letter) != 1 || letter[0] < 'A' || letter[0] > 'Z' {
			return nil, "", fmt.Errorf("%s.composedProperties: key %q must be one capital letter", field, letter)
		}
		name, _ := in["value"].(string)
		get, typ, err := c.named(fmt.Sprintf("%s.composedProperties.%s", field, letter), name, in["resourceType"])
		if err != nil {
			return nil, "", err
		}
		inputs[letter[0]], types[letter[0]] = get, typ
	}
	if t := strings.TrimSpace(formula); len(t) == 1 && inputs[t[0]] != nil {
		return inputs[t[0]], types[t[0]], nil
	}
	expr, err := parseFormula(field+".displayFormula", formula, func(l byte) bool { return inputs[l] != nil })
	if err != nil {
		return nil, "", err
	}
	for l, t := range types {
		if t != "number" && expr.uses(l) {
			return nil, "", unsupported("%s: arithmetic on %c, a %s property (custom property formulas over numbers only)", field, l, t)
		}
	}
	return func(e *Events, i, u int) (value, bool) {
		x, ok := expr.eval(func(l byte) (float64, bool) {
			v, ok := inputs[l](e, i, u)
			return v.n, ok && v.num
		})
		return value{n: x, num: true}, ok
	}, "number", nil
}

// filters compiles filter entries into one predicate: all must hold, or
// any when anyOf. nil means no filter.
// behaviorFilters is what a funnel's or retention's every step must
// match: the section filters and the behavior's own.
func (c *compiler) behaviorFilters(sections, behavior map[string]any) (predicate, error) {
	global, err := c.filters("sections.filter", sections["filter"], false)
	if err != nil {
		return nil, err
	}
	bf, err := c.filters("behavior.filter", behavior["filter"], false)
	if err != nil {
		return nil, err
	}
	return and(global, bf), nil
}

func (c *compiler) filters(field string, raw any, anyOf bool) (predicate, error) {
	list, _ := raw.([]any)
	var preds []predicate
	for k, item := range list {
		f, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: not an object", field, k)
		}
		p, err := c.filter(fmt.Sprintf("%s[%d]", field, k), f)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	switch {
	case len(preds) == 0:
		return nil, nil
	case len(preds) == 1:
		return preds[0], nil
	case anyOf:
		return func(e *Events, i, u int) bool {
			for _, p := range preds {
				if p(e, i, u) {
					return true
				}
			}
			return false
		}, nil
	}
	return func(e *Events, i, u int) bool {
		for _, p := range preds {
			if !p(e, i, u) {
				return false
			}
		}
		return true
	}, nil
}

// and combines two predicates, either of which may be nil.
func and(a, b predicate) predicate {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(e *Events, i, u int) bool { return a(e, i, u) && b(e, i, u) }
}

func (c *compiler) filter(field string, f map[string]any) (predicate, error) {
	switch {
	case f["behaviorType"] == "$frequency":
		member, err := c.frequency(field, f)
		if err != nil {
			return nil, err
		}
		return func(_ *Events, _, u int) bool { return member[u] }, nil
	case f["value"] == "$cohorts":
		return c.cohortFilter(field, f)
	case f["filterJoinType"] == "list" || f["filterType"] == "object":
		return nil, unsupported("%s: list-of-objects filters (no demo property is a list of objects)", field)
	}
	get, typ, err := c.property(field, f)
	if err != nil {
		return nil, err
	}
	op, _ := f["filterOperator"].(string)
	test, err := c.e.valueTest(field, op, typ, f)
	if err != nil {
		return nil, err
	}
	return func(e *Events, i, u int) bool {
		v, ok := get(e, i, u)
		return test(v, ok)
	}, nil
}

// valueTest compiles one operator and its filterValue into a test of a
// property value (ok false: the property is not set). Negative operators
// (does not equal, does not contain, not between, was not …) hold for
// events without the property, as in Mixpanel.
func (e *Events) valueTest(field, op, typ string, f map[string]any) (func(v value, ok bool) bool, error) {
	var words []string
	var nums []float64
	switch fv := f["filterValue"].(type) {
	case []any:
		for _, x := range fv {
			words = append(words, fmt.Sprint(x))
			if n, ok := x.(float64); ok {
				nums = append(nums, n)
			}
		}
	case string:
		words = []string{fv}
		if n, err := strconv.ParseFloat(fv, 64); err == nil {
			nums = []float64{n}
		}
	case float64:
		words, nums = []string{strconv.FormatFloat(fv, 'f', -1, 64)}, []float64{fv}
	case bool:
		words = []string{strconv.FormatBool(fv)}
	}
	need := func(n int, what string) error {
		if len(nums) < n {
			return fmt.Errorf("%s.filterValue: operator %q needs %s", field, op, what)
		}
		return nil
	}
	lower := make([]string, len(words))
	for k, w := range words {
		lower[k] = strings.ToLower(w)
	}
	text := func(match func(s, w string) bool, negate bool) func(value, bool) bool {
		return func(v value, ok bool) bool {
			if !ok {
				return negate
			}
			s := strings.ToLower(v.String())
			for _, w := range lower {
				if match(s, w) {
					return !negate
				}
			}
			return negate
		}
	}
	numeric := func(cmp func(x float64) bool, negate bool) func(value, bool) bool {
		return func(v value, ok bool) bool {
			if !ok || !v.num {
				return negate
			}
			return cmp(v.n) != negate
		}
	}
	switch op {
	case "is set":
		return func(_ value, ok bool) bool { return ok }, nil
	case "is not set":
		return func(_ value, ok bool) bool { return !ok }, nil
	case "equals", "does not equal":
		if typ == "number" && len(nums) > 0 {
			return numeric(func(x float64) bool { return slices.Contains(nums, x) }, op != "equals"), nil
		}
		negate := op != "equals"
		return func(v value, ok bool) bool {
			if !ok {
				return negate
			}
			return slices.Contains(words, v.String()) != negate
		}, nil
	case "contains", "does not contain":
		return text(strings.Contains, op != "contains"), nil
	case "starts with":
		return text(strings.HasPrefix, false), nil
	case "ends with":
		return text(strings.HasSuffix, false), nil
	case "true", "false":
		if typ != "boolean" {
			return nil, unsupported("%s: operator %q on a %s property (the demo's boolean property is coupon_applied)", field, op, typ)
		}
		want := op
		return func(v value, ok bool) bool { return ok && v.String() == want }, nil
	case "is greater than", "is less than", "is at least", "is at most", "is equal to", "is greater than or equal to", "is less than or equal to":
		if err := need(1, "a number"); err != nil {
			return nil, err
		}
		x := nums[0]
		cmp := map[string]func(float64) bool{
			"is greater than": func(v float64) bool { return v > x }, "is less than": func(v float64) bool { return v < x },
			"is at least": func(v float64) bool { return v >= x }, "is greater than or equal to": func(v float64) bool { return v >= x },
			"is at most": func(v float64) bool { return v <= x }, "is less than or equal to": func(v float64) bool { return v <= x },
			"is equal to": func(v float64) bool { return v == x },
		}[op]
		return numeric(cmp, false), nil
	case "is between", "between", "not between":
		if err := need(2, "[min, max]"); err != nil {
			return nil, err
		}
		lo, hi := nums[0], nums[1]
		return numeric(func(v float64) bool { return v >= lo && v <= hi }, op == "not between"), nil
	}
	if strings.HasPrefix(op, "was ") {
		return e.dateTest(field, op, typ, f, words)
	}
	return nil, unsupported("%s: filter operator %q", field, op)
}

// dateTest compiles the datetime operators; the demo's datetime property
// is the profiles' $created. "Now" is the demo's clock.
func (e *Events) dateTest(field, op, typ string, f map[string]any, words []string) (func(value, bool) bool, error) {
	if typ != "datetime" {
		return nil, unsupported("%s: date operator %q on a %s property (the demo's datetime property is the profiles' $created)", field, op, typ)
	}
	day0 := func(s string) (float64, error) {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return 0, fmt.Errorf("%s.filterValue: %q is not a YYYY-MM-DD date", field, s)
		}
		return t.Sub(e.Start).Seconds(), nil
	}
	span := func(lo, hi float64, negate bool) func(value, bool) bool {
		return func(v value, ok bool) bool {
			if !ok || !v.date {
				return negate
			}
			return (v.n >= lo && v.n < hi) != negate
		}
	}
	switch op {
	case "was on", "was not on", "was before", "was since":
		if len(words) != 1 {
			return nil, fmt.Errorf("%s.filterValue: operator %q needs one date", field, op)
		}
		d, err := day0(words[0])
		if err != nil {
			return nil, err
		}
		switch op {
		case "was on", "was not on":
			return span(d, d+day, op == "was not on"), nil
		case "was before":
			return span(-1e18, d, false), nil
		}
		return span(d, 1e18, false), nil
	case "was between", "was not between":
		if len(words) != 2 {
			return nil, fmt.Errorf("%s.filterValue: operator %q needs [from, to]", field, op)
		}
		a, err := day0(words[0])
		if err != nil {
			return nil, err
		}
		b, err := day0(words[1])
		if err != nil {
			return nil, err
		}
		return span(a, b+day, op == "was not between"), nil
	case "was in the", "was not in the", "was in the next":
		n, _ := f["filterValue"].(float64)
		unit, _ := f["filterDateUnit"].(string)
		secs := map[string]float64{"hour": 3600, "day": day, "week": 7 * day, "month": 30 * day}[unit]
		if secs == 0 || n <= 0 {
			return nil, fmt.Errorf("%s: operator %q needs a positive number filterValue and filterDateUnit hour, day, week or month", field, op)
		}
		now := float64(e.Now)
		if op == "was in the next" {
			return span(now, now+n*secs, false), nil
		}
		return span(now-n*secs, now+1, op == "was not in the"), nil
	}
	return nil, unsupported("%s: date operator %q", field, op)
}

// cohortFilter: {"value":"$cohorts","filterOperator":"contains"|"does not
// contain","filterValue":[{"cohort":{id|raw_cohort,negated,name}}]}.
// contains keeps the users in any listed cohort; does not contain those
// in none.
func (c *compiler) cohortFilter(field string, f map[string]any) (predicate, error) {
	list, _ := f["filterValue"].([]any)
	if len(list) == 0 {
		return nil, fmt.Errorf("%s.filterValue: a cohort filter lists at least one {\"cohort\": {...}}", field)
	}
	var members [][]bool
	for k, item := range list {
		m, _ := item.(map[string]any)
		ref, _ := m["cohort"].(map[string]any)
		member, err := c.cohort(fmt.Sprintf("%s.filterValue[%d].cohort", field, k), ref)
		if err != nil {
			return nil, err
		}
		members = append(members, member)
	}
	op, _ := f["filterOperator"].(string)
	if op != "contains" && op != "does not contain" {
		return nil, fmt.Errorf("%s.filterOperator: a cohort filter is contains or does not contain, got %q", field, op)
	}
	in := op == "contains"
	return func(_ *Events, _, u int) bool {
		for _, m := range members {
			if m[u] {
				return in
			}
		}
		return !in
	}, nil
}
