package demo

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// value is one property value: a string or a number.
type value struct {
	s   string
	n   float64
	num bool
}

func (v value) String() string {
	if v.num {
		return strconv.FormatFloat(v.n, 'f', -1, 64)
	}
	return v.s
}

// accessor reads one property of event i of user u.
type accessor func(e *Events, i, u int) (value, bool)

func str(s string) (value, bool) { return value{s: s}, true }

// eventProps names each event's properties, beyond the common ones.
var eventProps = [numEvents][]string{
	evPageView:    {"utm_source", "page"},
	evSignUp:      {"utm_source", "signup_method", "email"},
	evSignUpBug:   {"utm_source", "signup_method", "email"},
	evActivate:    nil,
	evStartTrial:  {"plan"},
	evPurchase:    {"plan", "amount", "currency", "coupon_applied"},
	evAppOpen:     nil,
	evFeatureUsed: {"feature"},
	evCancel:      {"plan"},
}

var commonProps = []string{"platform", "country", "$os"}

// numericProps are the event properties of type number.
var numericProps = map[string]bool{"amount": true}

func has(e *Events, i int, name string) bool { return slices.Contains(eventProps[e.ev[i]], name) }

// accessors reads every event property the demo tracks.
var accessors = map[string]accessor{
	"platform": func(e *Events, _, u int) (value, bool) { return str(platforms[e.users[u].platform]) },
	"country":  func(e *Events, _, u int) (value, bool) { return str(countries[e.users[u].country]) },
	"$os":      func(e *Events, _, u int) (value, bool) { return str(e.osOf(u)) },
	"utm_source": func(e *Events, i, u int) (value, bool) {
		if !has(e, i, "utm_source") {
			return value{}, false
		}
		return str(utmSources[e.a[i]])
	},
	"page": func(e *Events, i, _ int) (value, bool) {
		if e.ev[i] != evPageView {
			return value{}, false
		}
		return str(pages[e.b[i]])
	},
	"signup_method": func(e *Events, i, u int) (value, bool) {
		if !has(e, i, "signup_method") {
			return value{}, false
		}
		return str(methods[e.users[u].method])
	},
	"email": func(e *Events, i, u int) (value, bool) {
		if !has(e, i, "email") {
			return value{}, false
		}
		return str(e.email(u))
	},
	"plan": func(e *Events, i, _ int) (value, bool) {
		if !has(e, i, "plan") {
			return value{}, false
		}
		return str(plans[e.a[i]])
	},
	"amount": func(e *Events, i, _ int) (value, bool) {
		if e.ev[i] != evPurchase {
			return value{}, false
		}
		amount := planPrice[e.a[i]]
		if e.b[i] == 1 {
			amount = math.Round(amount*80) / 100
		}
		return value{n: amount, num: true}, true
	},
	"currency": func(e *Events, i, _ int) (value, bool) {
		if e.ev[i] != evPurchase {
			return value{}, false
		}
		return str("USD")
	},
	"coupon_applied": func(e *Events, i, _ int) (value, bool) {
		if e.ev[i] != evPurchase {
			return value{}, false
		}
		return str(strconv.FormatBool(e.b[i] == 1))
	},
	"feature": func(e *Events, i, _ int) (value, bool) {
		if e.ev[i] != evFeatureUsed {
			return value{}, false
		}
		return str(features[e.a[i]])
	},
}

// predicate says whether event i of user u passes a filter.
type predicate func(e *Events, i, u int) bool

// compileFilters turns bookmark filter clauses into one predicate (all
// must hold); it refuses operators and properties the demo does not have.
func compileFilters(field string, raw any) (predicate, error) {
	list, _ := raw.([]any)
	var preds []predicate
	for k, item := range list {
		f, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s[%d]: not an object", field, k)
		}
		p, err := compileFilter(f)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, k, err)
		}
		preds = append(preds, p)
	}
	if len(preds) == 0 {
		return nil, nil
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

func compileFilter(f map[string]any) (predicate, error) {
	if rt, _ := f["resourceType"].(string); rt != "" && rt != "events" {
		return nil, unsupported("filters on %s properties (the demo filters event properties)", rt)
	}
	name, _ := f["value"].(string)
	get, ok := accessors[name]
	if !ok {
		return nil, unsupported("filtering on property %q, which no demo event carries", name)
	}
	op, _ := f["filterOperator"].(string)
	var want []string
	var nums []float64
	switch fv := f["filterValue"].(type) {
	case []any:
		for _, x := range fv {
			want = append(want, fmt.Sprint(x))
			if n, ok := x.(float64); ok {
				nums = append(nums, n)
			}
		}
	case string:
		want = []string{fv}
	case float64:
		nums = []float64{fv}
	}
	num := func(need int) error {
		if len(nums) < need {
			return fmt.Errorf("operator %q needs %d number(s) in filterValue", op, need)
		}
		return nil
	}
	switch op {
	case "is set":
		return func(e *Events, i, u int) bool { _, ok := get(e, i, u); return ok }, nil
	case "is not set":
		return func(e *Events, i, u int) bool { _, ok := get(e, i, u); return !ok }, nil
	case "equals", "does not equal":
		eq := op == "equals"
		return func(e *Events, i, u int) bool {
			v, ok := get(e, i, u)
			return ok && slices.Contains(want, v.String()) == eq
		}, nil
	case "contains", "does not contain":
		in := op == "contains"
		return func(e *Events, i, u int) bool {
			v, ok := get(e, i, u)
			if !ok {
				return false
			}
			hit := false
			for _, w := range want {
				hit = hit || strings.Contains(strings.ToLower(v.String()), strings.ToLower(w))
			}
			return hit == in
		}, nil
	case "is greater than", "is less than", "is at least", "is at most":
		if err := num(1); err != nil {
			return nil, err
		}
		x := nums[0]
		return func(e *Events, i, u int) bool {
			v, ok := get(e, i, u)
			if !ok || !v.num {
				return false
			}
			switch op {
			case "is greater than":
				return v.n > x
			case "is less than":
				return v.n < x
			case "is at least":
				return v.n >= x
			}
			return v.n <= x
		}, nil
	case "is between":
		if err := num(2); err != nil {
			return nil, err
		}
		lo, hi := nums[0], nums[1]
		return func(e *Events, i, u int) bool {
			v, ok := get(e, i, u)
			return ok && v.num && v.n >= lo && v.n <= hi
		}, nil
	}
	return nil, unsupported("filter operator %q", op)
}

// Unsupported is the error of a request the demo does not evaluate.
type Unsupported struct{ What string }

func (u *Unsupported) Error() string {
	return "the demo project does not support " + u.What + "; it computes Insights (total, unique, sum, average, min, max; event filters; property breakdowns), funnels (ordered steps in a conversion window), retention (birth/return, day or week buckets, one property breakdown), discovery and Engage profile queries — connect a real project for the rest"
}

func unsupported(format string, args ...any) error {
	return &Unsupported{What: fmt.Sprintf(format, args...)}
}
