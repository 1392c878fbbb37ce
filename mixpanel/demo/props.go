package demo

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
)

// value is one property value: a string or a number.
type value struct {
	s    string
	n    float64 // a number, or a date's seconds since Start
	num  bool
	date bool
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
var numericProps = sync.OnceValue(func() map[string]bool { return map[string]bool{"amount": true} })

func has(e *Events, i int, name string) bool { return slices.Contains(eventProps[e.ev[i]], name) }

// accessors reads every event property the demo tracks.
var accessors = sync.OnceValue(func() map[string]accessor {
	return map[string]accessor{
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
})

// Unsupported is the error of a request the demo does not evaluate.
type Unsupported struct{ What string }

func (u *Unsupported) Error() string {
	return "the demo project does not support " + u.What + "; it computes Insights, funnels, retention, flows, the legacy query APIs and the export from its events (see the demo section of the README for what it evaluates) — connect a real project for the rest"
}

func unsupported(format string, args ...any) error {
	return &Unsupported{What: fmt.Sprintf(format, args...)}
}
