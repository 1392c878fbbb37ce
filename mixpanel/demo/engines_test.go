package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// The identities below compare the engines with counts written directly
// over the generated columns: the events of the last 30 days are
// [in30lo, in30hi) in seconds since Start.
const in30lo, in30hi = int32(Days-30) * day, int32(Days) * day

// scan visits the events of the last 30 days.
func scan(p *Project, f func(i, u int)) {
	e := p.Events
	for u := range e.users {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.t[i] >= in30lo && e.t[i] < in30hi {
				f(i, u)
			}
		}
	}
}

func prop(p *Project, name string, i, u int) (value, bool) { return accessors()[name](p.Events, i, u) }

func metricBookmark(event, math string, property map[string]any, chart string) map[string]any {
	bm := insightsBookmark(event, math, chart, nil)
	meas := bm["sections"].(map[string]any)["show"].([]any)[0].(map[string]any)["measurement"].(map[string]any)
	if property != nil {
		meas["property"] = property
	}
	return bm
}

func clause(bm map[string]any) map[string]any {
	return bm["sections"].(map[string]any)["show"].([]any)[0].(map[string]any)
}

// only returns the one series of an answer.
func only(t *testing.T, answer map[string]any) map[string]any {
	t.Helper()
	s := answer["series"].(map[string]any)
	if len(s) != 1 {
		t.Fatalf("want one series, got %v", s)
	}
	for _, v := range s {
		return v.(map[string]any)
	}
	return nil
}

func near(a, b float64) bool { return math.Abs(a-b) <= 0.01+1e-9*math.Abs(b) }

func directPercentile(vals []float64, p float64) float64 {
	sort.Float64s(vals)
	r := p / 100 * float64(len(vals)-1)
	lo := int(r)
	if lo+1 >= len(vals) {
		return vals[len(vals)-1]
	}
	return vals[lo] + (r-float64(lo))*(vals[lo+1]-vals[lo])
}

func TestInsightsPropertyMathMatchesDirect(t *testing.T) {
	p := smallDemo()
	var amounts []float64
	perUser := map[int]float64{}
	plans := map[string]bool{}
	scan(p, func(i, u int) {
		if p.Events.ev[i] != evPurchase {
			return
		}
		v, _ := prop(p, "amount", i, u)
		amounts = append(amounts, v.n)
		perUser[u] += v.n
		pl, _ := prop(p, "plan", i, u)
		plans[pl.String()] = true
	})
	if len(amounts) < 20 {
		t.Fatalf("%d purchases; the identities prove little", len(amounts))
	}
	sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, a := range amounts {
		sum, lo, hi = sum+a, math.Min(lo, a), math.Max(hi, a)
	}
	var users []float64
	userSum := 0.0
	for _, s := range perUser {
		users, userSum = append(users, s), userSum+s
	}
	amount := map[string]any{"name": "amount", "resourceType": "events"}
	for _, tc := range []struct {
		math, perUser string
		pct           float64
		want          float64
	}{
		{"total", "", 0, sum},
		{"average", "", 0, sum / float64(len(amounts))},
		{"min", "", 0, lo},
		{"max", "", 0, hi},
		{"median", "", 0, directPercentile(append([]float64(nil), amounts...), 50)},
		{"p25", "", 0, directPercentile(append([]float64(nil), amounts...), 25)},
		{"p90", "", 0, directPercentile(append([]float64(nil), amounts...), 90)},
		{"p99", "", 0, directPercentile(append([]float64(nil), amounts...), 99)},
		{"custom_percentile", "", 95, directPercentile(append([]float64(nil), amounts...), 95)},
		{"average", "total", 0, userSum / float64(len(users))},
		{"median", "total", 0, directPercentile(append([]float64(nil), users...), 50)},
		{"max", "total", 0, slicesMax(users)},
	} {
		bm := metricBookmark("Purchase", tc.math, amount, "bar")
		meas := clause(bm)["measurement"].(map[string]any)
		if tc.perUser != "" {
			meas["perUserAggregation"] = tc.perUser
		}
		if tc.pct > 0 {
			meas["percentile"] = tc.pct
		}
		got := only(t, query(t, p, bm))["all"].(float64)
		if !near(got, tc.want) {
			t.Errorf("%s (per user %q): insights %v, direct %v", tc.math, tc.perUser, got, tc.want)
		}
	}
	bm := metricBookmark("Purchase", "unique_values", map[string]any{"name": "plan", "resourceType": "events"}, "bar")
	if got := only(t, query(t, p, bm))["all"]; got != float64(len(plans)) {
		t.Errorf("distinct plans: insights %v, direct %d", got, len(plans))
	}
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// TestActiveUsersMatchDirect: DAU per day is the day's unique users; WAU
// and MAU the unique users of the 7 and 30 days ending that day (reaching
// before the range); a total chart averages the days.
func TestActiveUsersMatchDirect(t *testing.T) {
	p := smallDemo()
	e := p.Events
	active := func(day0, w int) float64 {
		n := 0.0
		for u := range e.users {
			for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
				d := int(e.t[i] / day)
				if e.ev[i] == evAppOpen && d > day0-w && d <= day0 {
					n++
					break
				}
			}
		}
		return n
	}
	for _, tc := range []struct {
		math string
		w    int
	}{{"dau", 1}, {"wau", 7}, {"mau", 30}} {
		s := only(t, query(t, p, insightsBookmark("App Open", tc.math, "line", nil)))
		if len(s) != 30 {
			t.Fatalf("%s: %d days, want 30", tc.math, len(s))
		}
		avg := 0.0
		for d := Days - 30; d < Days; d++ {
			want := active(d, tc.w)
			avg += want / 30
			if got := s[isoDay(e.Start.AddDate(0, 0, d))]; got != want {
				t.Errorf("%s on day %d: insights %v, direct %v", tc.math, d, got, want)
			}
		}
		if got := only(t, query(t, p, insightsBookmark("App Open", tc.math, "bar", nil)))["all"].(float64); !near(got, avg) {
			t.Errorf("%s over the range: insights %v, direct average %v", tc.math, got, avg)
		}
	}
	// Cumulative unique: the last day's value is the range's unique users.
	cum := only(t, query(t, p, insightsBookmark("App Open", "cumulative_unique", "line", nil)))
	users, _ := directUnique(p, "App Open", nil)
	if got := cum[isoDay(e.today())]; got != float64(users) {
		t.Errorf("cumulative unique on the last day %v, unique users %d", got, users)
	}
}

func TestFormulasComparisonAndAnalysis(t *testing.T) {
	p := smallDemo()
	e := p.Events
	signups, _ := directUnique(p, "Sign Up", nil)
	buyers, _ := directUnique(p, "Purchase", nil)
	bm := insightsBookmark("Sign Up", "unique", "bar", nil)
	sections := bm["sections"].(map[string]any)
	a := clause(bm)
	a["isHidden"] = true
	b := map[string]any{"type": "metric", "behavior": eventBehavior("Purchase"), "measurement": map[string]any{"math": "unique"}, "isHidden": true}
	sections["show"] = []any{a, b, map[string]any{"type": "formula", "definition": "(B / A) * 100", "name": "Buyers per 100 signups", "measurement": map[string]any{}, "referencedMetrics": []any{}}}
	answer := query(t, p, bm)
	if len(answer["series"].(map[string]any)) != 1 {
		t.Fatalf("hidden metrics shown: %v", answer["series"])
	}
	want := math.Round(float64(buyers)/float64(signups)*100*1e4) / 1e4
	if got := series(t, answer, "Buyers per 100 signups")["all"]; got != want || buyers == 0 {
		t.Errorf("formula %v, direct %v", got, want)
	}

	// A week-over-week comparison: the compared series is the previous
	// week's count, under its own dates.
	week := insightsBookmark("Sign Up", "total", "bar", nil)
	week["sections"].(map[string]any)["time"] = []any{map[string]any{"dateRangeType": "in the last", "unit": "day", "window": map[string]any{"unit": "day", "value": 7.0}}}
	week["displayOptions"].(map[string]any)["timeComparison"] = map[string]any{"type": "relative", "value": "week"}
	count := func(fromDay, toDay int) float64 {
		n := 0.0
		for i := range e.t {
			if d := int(e.t[i] / day); e.ev[i] == evSignUp && d >= fromDay && d <= toDay {
				n++
			}
		}
		return n
	}
	answer = query(t, p, week)
	if got := series(t, answer, "Sign Up [Total Events]")["all"]; got != count(Days-7, Days-1) {
		t.Errorf("this week %v, direct %v", got, count(Days-7, Days-1))
	}
	if got := series(t, answer, "Sign Up [Total Events] (relative week)")["all"]; got != count(Days-14, Days-8) || got == 0.0 {
		t.Errorf("previous week %v, direct %v", got, count(Days-14, Days-8))
	}

	// Cumulative: running sums of the daily counts; rolling (3 days): the
	// average of the day and the two before it, reaching before the range.
	daily := only(t, query(t, p, insightsBookmark("Sign Up", "total", "line", nil)))
	bmCum := insightsBookmark("Sign Up", "total", "line", nil)
	bmCum["displayOptions"].(map[string]any)["analysis"] = "cumulative"
	cum := only(t, query(t, p, bmCum))
	bmRoll := insightsBookmark("Sign Up", "total", "line", nil)
	bmRoll["displayOptions"].(map[string]any)["analysis"] = "rolling"
	bmRoll["displayOptions"].(map[string]any)["rollingWindowSize"] = 3.0
	roll := only(t, query(t, p, bmRoll))
	run := 0.0
	for d := Days - 30; d < Days; d++ {
		key := isoDay(e.Start.AddDate(0, 0, d))
		run += daily[key].(float64)
		if cum[key] != run {
			t.Fatalf("cumulative on day %d: %v, running sum %v", d, cum[key], run)
		}
		if want := math.Round((count(d, d)+count(d-1, d-1)+count(d-2, d-2))/3*100) / 100; roll[key] != want {
			t.Fatalf("rolling on day %d: %v, direct %v", d, roll[key], want)
		}
	}
}

// TestFiltersMatchDirect: every operator the query engine emits, against
// a direct test of the same condition on each event.
func TestFiltersMatchDirect(t *testing.T) {
	p := smallDemo()
	e := p.Events
	f := func(prop, typ, op string, v any) map[string]any {
		return map[string]any{"resourceType": "events", "filterType": typ, "defaultType": typ, "filterValue": v, "filterOperator": op, "value": prop}
	}
	str := func(name string) func(i, u int) (string, bool) {
		return func(i, u int) (string, bool) { v, ok := prop(p, name, i, u); return v.String(), ok }
	}
	amt := func(i, u int) (float64, bool) { v, ok := prop(p, "amount", i, u); return v.n, ok }
	created := func(u int) int32 { return e.users[u].signup }
	for _, tc := range []struct {
		name   string
		event  string
		filter map[string]any
		want   func(i, u int) bool
	}{
		{"equals", "Page View", f("page", "string", "equals", []any{"/pricing", "/docs"}), func(i, u int) bool { s, _ := str("page")(i, u); return s == "/pricing" || s == "/docs" }},
		{"does not equal (unset included)", "$all_events", f("utm_source", "string", "does not equal", []any{"google"}), func(i, u int) bool { s, ok := str("utm_source")(i, u); return !ok || s != "google" }},
		{"contains", "Page View", f("page", "string", "contains", "doc"), func(i, u int) bool { s, _ := str("page")(i, u); return strings.Contains(s, "doc") }},
		{"does not contain", "Page View", f("page", "string", "does not contain", "doc"), func(i, u int) bool { s, _ := str("page")(i, u); return !strings.Contains(s, "doc") }},
		{"starts with", "Feature Used", f("feature", "string", "starts with", "ex"), func(i, u int) bool { s, _ := str("feature")(i, u); return strings.HasPrefix(s, "ex") }},
		{"ends with", "Feature Used", f("feature", "string", "ends with", "es"), func(i, u int) bool { s, _ := str("feature")(i, u); return strings.HasSuffix(s, "es") }},
		{"is set", "$all_events", f("plan", "string", "is set", nil), func(i, u int) bool { _, ok := str("plan")(i, u); return ok }},
		{"is not set", "$all_events", f("plan", "string", "is not set", nil), func(i, u int) bool { _, ok := str("plan")(i, u); return !ok }},
		{"is greater than", "Purchase", f("amount", "number", "is greater than", 19.99), func(i, u int) bool { x, _ := amt(i, u); return x > 19.99 }},
		{"is at most", "Purchase", f("amount", "number", "is at most", 15.99), func(i, u int) bool { x, _ := amt(i, u); return x <= 15.99 }},
		{"is between", "Purchase", f("amount", "number", "is between", []any{8.0, 20.0}), func(i, u int) bool { x, _ := amt(i, u); return x >= 8 && x <= 20 }},
		{"not between", "Purchase", f("amount", "number", "not between", []any{8.0, 20.0}), func(i, u int) bool { x, _ := amt(i, u); return x < 8 || x > 20 }},
		{"true", "Purchase", f("coupon_applied", "boolean", "true", nil), func(i, u int) bool { return e.b[i] == 1 }},
		{"false", "Purchase", f("coupon_applied", "boolean", "false", nil), func(i, u int) bool { return e.b[i] == 0 }},
		{"people equals", "Feature Used", map[string]any{"resourceType": "people", "filterType": "string", "filterValue": []any{"annual"}, "filterOperator": "equals", "value": "plan"}, func(i, u int) bool { return e.users[u].plan == 1 }},
		{"people number", "Feature Used", map[string]any{"resourceType": "people", "filterType": "number", "filterValue": 50.0, "filterOperator": "is at least", "value": "lifetime_value"}, func(i, u int) bool { return round2(float64(e.users[u].ltv)) >= 50 }},
		{"people date in the last", "Feature Used", map[string]any{"resourceType": "people", "filterType": "datetime", "filterValue": 14.0, "filterDateUnit": "day", "filterOperator": "was in the", "value": "$created"}, func(i, u int) bool { return created(u) >= e.Now-14*day }},
		{"people date before", "Feature Used", map[string]any{"resourceType": "people", "filterType": "datetime", "filterValue": isoDay(e.Start.AddDate(0, 0, 70))[:10], "filterOperator": "was before", "value": "$created"}, func(i, u int) bool { return created(u) < 70*day }},
	} {
		want := 0
		id := eventID(tc.event)
		scan(p, func(i, u int) {
			if (id < 0 || int(e.ev[i]) == id) && tc.want(i, u) {
				want++
			}
		})
		got := only(t, query(t, p, insightsBookmark(tc.event, "total", "bar", []any{tc.filter})))["all"]
		if got != float64(want) || want == 0 {
			t.Errorf("%s: insights %v, direct %d (want it non-zero)", tc.name, got, want)
		}
	}
	// filtersDeterminer "any": either filter.
	bm := insightsBookmark("Page View", "total", "bar", nil)
	beh := clause(bm)["behavior"].(map[string]any)
	beh["filtersDeterminer"] = "any"
	beh["filters"] = []any{f("page", "string", "equals", []any{"/"}), f("platform", "string", "equals", []any{"ios"})}
	want := 0
	scan(p, func(i, u int) {
		if e.ev[i] == evPageView && (e.b[i] == 0 || e.users[u].platform == 1) {
			want++
		}
	})
	if got := only(t, query(t, p, bm))["all"]; got != float64(want) {
		t.Errorf("any of two filters: insights %v, direct %d", got, want)
	}
}

// leaves sums the numbers of a nested series.
func leaves(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case map[string]any:
		s := 0.0
		for k, c := range x {
			if k != "$overall" {
				s += leaves(c)
			}
		}
		return s
	}
	return 0
}

func TestBreakdownsSumToTotal(t *testing.T) {
	p := smallDemo()
	total := only(t, query(t, p, insightsBookmark("Purchase", "total", "bar", nil)))["all"].(float64)
	for name, group := range map[string]map[string]any{
		"numeric buckets":  {"value": "amount", "propertyName": "amount", "resourceType": "events", "propertyType": "number", "customBucket": map[string]any{"bucketSize": 10.0, "min": 0.0, "max": 50.0}},
		"profile property": {"value": "country", "propertyName": "country", "resourceType": "people", "propertyType": "string"},
		"custom property":  {"customProperty": map[string]any{"displayFormula": "A", "composedProperties": map[string]any{"A": map[string]any{"value": "plan", "type": "string", "resourceType": "event"}}}, "resourceType": "events"},
	} {
		bm := insightsBookmark("Purchase", "total", "bar", nil)
		bm["sections"].(map[string]any)["group"] = []any{group}
		s := only(t, query(t, p, bm))
		if got := leaves(s); got != total || len(s) < 2 {
			t.Errorf("%s: %d segments summing to %v; total %v", name, len(s), got, total)
		}
	}
	bm := insightsBookmark("Purchase", "total", "bar", nil)
	bm["sections"].(map[string]any)["group"] = []any{map[string]any{"value": "amount", "propertyName": "amount", "resourceType": "events", "propertyType": "number", "customBucket": map[string]any{"bucketSize": 10.0, "min": 0.0, "max": 50.0}}}
	s := only(t, query(t, p, bm))
	direct := map[string]float64{}
	scan(p, func(i, u int) {
		if p.Events.ev[i] == evPurchase {
			v, _ := prop(p, "amount", i, u)
			lo := math.Floor(v.n/10) * 10
			if v.n >= 50 {
				direct[">= 50"]++
				return
			}
			direct[fmt.Sprintf("%g - %g", lo, lo+10)]++
		}
	})
	for seg, n := range direct {
		if got := s[seg].(map[string]any)["all"]; got != n {
			t.Errorf("bucket %s: insights %v, direct %v", seg, got, n)
		}
	}
}

func TestCustomPropertyFormula(t *testing.T) {
	p := smallDemo()
	cp := map[string]any{"customProperty": map[string]any{"displayFormula": "(A - A * 0.1) * 2", "composedProperties": map[string]any{"A": map[string]any{"value": "amount", "type": "number", "resourceType": "event"}}, "propertyType": "number"}, "name": "", "resourceType": "events"}
	want := 0.0
	scan(p, func(i, u int) {
		if p.Events.ev[i] == evPurchase {
			v, _ := prop(p, "amount", i, u)
			want += (v.n - v.n*0.1) * 2
		}
	})
	if got := only(t, query(t, p, metricBookmark("Purchase", "total", cp, "bar")))["all"].(float64); !near(got, want) {
		t.Errorf("sum of a custom property: insights %v, direct %v", got, want)
	}
	bad := map[string]any{"customProperty": map[string]any{"displayFormula": "IF(A > 10, 1, 0)", "composedProperties": map[string]any{"A": map[string]any{"value": "amount", "type": "number", "resourceType": "event"}}}, "resourceType": "events"}
	_, err := client(t, p).QueryInsights(context.Background(), metricBookmark("Purchase", "total", bad, "bar"))
	if err == nil || !strings.Contains(err.Error(), `"IF"`) {
		t.Errorf("a formula function: err %v; want a refusal naming IF", err)
	}
}

// payers is the inline cohort "purchased at least twice in the last 60
// days and is on the annual or monthly plan"; member is its direct test.
func payers(p *Project) (map[string]any, func(u int) bool) {
	e := p.Events
	def := map[string]any{
		"selector": map[string]any{"operator": "and", "children": []any{
			map[string]any{"property": "behaviors", "value": "bhvr_0", "operator": ">=", "operand": 2.0},
			map[string]any{"property": "user", "value": "plan", "operator": "==", "operand": []any{"annual", "monthly"}, "type": "string"},
		}},
		"behaviors": map[string]any{"bhvr_0": map[string]any{"count": map[string]any{"event_selector": map[string]any{"event": "Purchase", "selector": nil}, "type": "absolute"}, "window": map[string]any{"unit": "day", "value": 60.0}}},
	}
	from := e.Start.Add(secs(e.Now)).AddDate(0, 0, -60).Sub(e.Start).Seconds()
	return def, func(u int) bool {
		n := 0
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.ev[i] == evPurchase && float64(e.t[i]) >= from {
				n++
			}
		}
		return n >= 2 && (e.users[u].plan == 0 || e.users[u].plan == 1)
	}
}

func TestCohortsMatchDirect(t *testing.T) {
	p := smallDemo()
	e := p.Events
	def, member := payers(p)
	want, wantOut := map[int]bool{}, map[int]bool{}
	scan(p, func(i, u int) {
		if e.ev[i] == evFeatureUsed {
			if member(u) {
				want[u] = true
			} else {
				wantOut[u] = true
			}
		}
	})
	if len(want) == 0 {
		t.Fatal("no cohort members use features; the test proves nothing")
	}
	cohortFilter := func(op string, ref map[string]any) []any {
		return []any{map[string]any{"resourceType": "events", "filterType": "list", "defaultType": "list", "filterValue": []any{map[string]any{"cohort": ref}}, "filterOperator": op, "value": "$cohorts"}}
	}
	inline := map[string]any{"name": "Payers", "negated": false, "raw_cohort": def}
	if got := only(t, query(t, p, insightsBookmark("Feature Used", "unique", "bar", cohortFilter("contains", inline))))["all"]; got != float64(len(want)) {
		t.Errorf("inline cohort filter: insights %v, direct %d", got, len(want))
	}
	if got := only(t, query(t, p, insightsBookmark("Feature Used", "unique", "bar", cohortFilter("does not contain", inline))))["all"]; got != float64(len(wantOut)) {
		t.Errorf("cohort exclusion: insights %v, direct %d", got, len(wantOut))
	}
	// The same definition saved in the project's store, used by id, and as
	// a breakdown in and not in it.
	p.fake.Store.Put("projects/"+mixpaneltest.ProjectID, "cohorts", mixpaneltest.Entity{"id": int64(424242), "name": "Payers", "selector": def["selector"], "behaviors": def["behaviors"]})
	if got := only(t, query(t, p, insightsBookmark("Feature Used", "unique", "bar", cohortFilter("contains", map[string]any{"id": 424242.0, "name": "Payers"}))))["all"]; got != float64(len(want)) {
		t.Errorf("saved cohort filter: insights %v, direct %d", got, len(want))
	}
	bm := insightsBookmark("Feature Used", "unique", "bar", nil)
	bm["sections"].(map[string]any)["group"] = []any{map[string]any{"value": []any{"Payers", "Not In Payers"}, "resourceType": "events", "cohorts": []any{
		map[string]any{"name": "Payers", "negated": false, "id": 424242.0}, map[string]any{"name": "Payers", "negated": true, "id": 424242.0}}}}
	s := only(t, query(t, p, bm))
	if in, out := s["Payers"].(map[string]any)["all"], s["Not In Payers"].(map[string]any)["all"]; in != float64(len(want)) || out != float64(len(wantOut)) {
		t.Errorf("cohort breakdown: in %v / not in %v; direct %d / %d", in, out, len(want), len(wantOut))
	}
	_, err := client(t, p).QueryInsights(context.Background(), insightsBookmark("Feature Used", "unique", "bar", cohortFilter("contains", map[string]any{"id": 999.0})))
	if err == nil || !strings.Contains(err.Error(), "cohort 999 does not exist") {
		t.Errorf("unknown cohort: err %v", err)
	}
	// Frequency filter: users with at least 3 purchases in the last 30 days.
	freq := map[string]any{"resourceType": "people", "behaviorType": "$frequency", "customProperty": map[string]any{"behavior": map[string]any{"event": "Purchase", "aggregation": "total", "filterOperator": "is at least", "filterValue": 3.0, "dateRange": map[string]any{"value": 30.0, "unit": "day"}}}}
	from := e.Start.Add(secs(e.Now)).AddDate(0, 0, -30).Sub(e.Start).Seconds()
	wantF := map[int]bool{}
	scan(p, func(i, u int) {
		if e.ev[i] != evFeatureUsed {
			return
		}
		n := 0
		for j := int(e.first[u]); j < int(e.first[u+1]); j++ {
			if e.ev[j] == evPurchase && float64(e.t[j]) >= from {
				n++
			}
		}
		if n >= 3 {
			wantF[u] = true
		}
	})
	if got := only(t, query(t, p, insightsBookmark("Feature Used", "unique", "bar", []any{freq})))["all"]; got != float64(len(wantF)) {
		t.Errorf("frequency filter: insights %v, direct %d", got, len(wantF))
	}
}

func funnelBehavior(bm map[string]any) map[string]any {
	return clause(bm)["behavior"].(map[string]any)
}

func steps(t *testing.T, answer map[string]any) []float64 {
	t.Helper()
	m := only(t, answer)
	if o, ok := m["$overall"].(map[string]any); ok {
		m = o
	}
	count := m["count"].(map[string]any)
	out := make([]float64, len(count))
	for k, v := range count {
		var n int
		fmt.Sscanf(k, "%d.", &n)
		out[n-1] = v.(map[string]any)["all"].(float64)
	}
	return out
}

// entries are the users' first Sign Up in the last 30 days.
func entries(p *Project) map[int]int {
	out := map[int]int{}
	scan(p, func(i, u int) {
		if _, ok := out[u]; !ok && p.Events.ev[i] == evSignUp {
			out[u] = i
		}
	})
	return out
}

func TestFunnelOptionsMatchDirect(t *testing.T) {
	p := smallDemo()
	e := p.Events
	in := entries(p)
	// One-hour window: Activate within an hour of the entry.
	hour := funnelBookmark(nil, "Sign Up", "Activate")
	funnelBehavior(hour)["conversionWindowDuration"], funnelBehavior(hour)["conversionWindowUnit"] = 1.0, "hour"
	want := 0.0
	for u, i0 := range in {
		for i := i0 + 1; i < int(e.first[u+1]) && e.t[i] <= e.t[i0]+3600; i++ {
			if e.ev[i] == evActivate {
				want++
				break
			}
		}
	}
	if got := steps(t, query(t, p, hour)); got[1] != want || want == 0 {
		t.Errorf("1-hour window: %v converted, direct %v", got[1], want)
	}
	// Exclusion: a Feature Used between Sign Up and Activate removes the user.
	excl := funnelBookmark(nil, "Sign Up", "Activate")
	funnelBehavior(excl)["exclusions"] = []any{map[string]any{"event": "Feature Used", "steps": map[string]any{"from": 1.0, "to": 2.0}}}
	var kept, converted float64
	for u, i0 := range in {
		end := e.t[i0] + 14*day
		out, conv := false, false
		for i := i0 + 1; i < int(e.first[u+1]) && e.t[i] <= end; i++ {
			if e.ev[i] == evActivate {
				conv = true
				break
			}
			if e.ev[i] == evFeatureUsed {
				out = true
				break
			}
		}
		if !out {
			kept++
			if conv {
				converted++
			}
		}
	}
	if got := steps(t, query(t, p, excl)); got[0] != kept || got[1] != converted || kept == float64(len(in)) {
		t.Errorf("exclusion: %v; direct %v entered, %v converted (of %d)", got, kept, converted, len(in))
	}
	// Any order: Purchase and Start Trial after Sign Up in either order is
	// the in-order funnel Sign Up, Start Trial, Purchase (trials precede
	// purchases).
	anyOrder := funnelBookmark(nil, "Sign Up", "Purchase", "Start Trial")
	funnelBehavior(anyOrder)["funnelOrder"] = "any"
	for _, b := range funnelBehavior(anyOrder)["behaviors"].([]any) {
		b.(map[string]any)["funnelOrder"] = "any"
	}
	loose := steps(t, query(t, p, funnelBookmark(nil, "Sign Up", "Start Trial", "Purchase")))
	if got := steps(t, query(t, p, anyOrder)); got[2] != loose[2] || got[0] != loose[0] || got[2] == 0 {
		t.Errorf("any order %v; in order %v", got, loose)
	}
	// Holding constant a property every event of a user shares changes
	// nothing; one Activate does not carry (utm_source) stops everyone.
	held := funnelBookmark(nil, "Sign Up", "Activate")
	funnelBehavior(held)["aggregateBy"] = []any{map[string]any{"value": "platform", "resourceType": "events"}}
	plain := steps(t, query(t, p, funnelBookmark(nil, "Sign Up", "Activate")))
	if got := steps(t, query(t, p, held)); got[1] != plain[1] {
		t.Errorf("holding platform constant: %v, without %v", got, plain)
	}
	funnelBehavior(held)["aggregateBy"] = []any{map[string]any{"value": "utm_source", "resourceType": "events"}}
	if got := steps(t, query(t, p, held)); got[1] != 0 || got[0] != plain[0] {
		t.Errorf("holding utm_source constant: %v; Activate never carries it", got)
	}
	// Trends: the days' entries add up to the funnel over the range.
	trend := funnelBookmark(nil, "Sign Up", "Activate", "Purchase")
	trend["displayOptions"] = map[string]any{"chartType": "line"}
	total := steps(t, query(t, p, funnelBookmark(nil, "Sign Up", "Activate", "Purchase")))
	sums := make([]float64, 3)
	byDay := only(t, query(t, p, trend))
	for _, m := range byDay {
		for k, v := range m.(map[string]any)["count"].(map[string]any) {
			var n int
			fmt.Sscanf(k, "%d.", &n)
			sums[n-1] += v.(map[string]any)["all"].(float64)
		}
	}
	if len(byDay) != 30 || fmt.Sprint(sums) != fmt.Sprint(total) {
		t.Errorf("trends over %d days sum to %v; the funnel is %v", len(byDay), sums, total)
	}
	// Two breakdowns: the leaves add up to $overall, and each first-level
	// rollup to its leaves.
	two := funnelBookmark(nil, "Sign Up", "Activate")
	two["sections"].(map[string]any)["group"] = []any{
		map[string]any{"value": "platform", "propertyName": "platform", "resourceType": "events"},
		map[string]any{"value": "utm_source", "propertyName": "utm_source", "resourceType": "events"},
	}
	s := only(t, query(t, p, two))
	first := func(m any) float64 {
		return m.(map[string]any)["count"].(map[string]any)["1. Sign Up"].(map[string]any)["all"].(float64)
	}
	var all float64
	for seg, v := range s {
		if seg == "$overall" {
			continue
		}
		var sub float64
		for seg2, m := range v.(map[string]any) {
			if seg2 != "$overall" {
				sub += first(m)
			}
		}
		if sub != first(v.(map[string]any)["$overall"]) {
			t.Errorf("platform %s: segments sum to %v, rollup %v", seg, sub, first(v.(map[string]any)["$overall"]))
		}
		all += sub
	}
	if all != first(s["$overall"]) || all != total[0] {
		t.Errorf("two breakdowns sum to %v; $overall %v, funnel %v", all, first(s["$overall"]), total[0])
	}
}

func TestRetentionOptionsMatchDirect(t *testing.T) {
	p := smallDemo()
	e := p.Events
	births := map[int]int{} // user -> birth event (first Sign Up in range)
	scan(p, func(i, u int) {
		if _, ok := births[u]; !ok && e.ev[i] == evSignUp {
			births[u] = i
		}
	})
	// returned lists, per user, the days after birth (birth alignment) on
	// which they used a feature.
	returned := func(u int) map[int]bool {
		out := map[int]bool{}
		b := births[u]
		for i := b + 1; i < int(e.first[u+1]); i++ {
			if e.ev[i] == evFeatureUsed {
				out[int((e.t[i]-e.t[b])/day)] = true
			}
		}
		return out
	}
	dayCohorts := func(bm map[string]any) map[string]any {
		return only(t, query(t, p, bm))
	}
	// Custom buckets [1, 3, 7] days: bucket 1 is day 1, 2 days 2-3, 3 days 4-7.
	custom := retentionBookmark("Sign Up", "Feature Used", "day")
	funnelBehavior(custom)["retentionCustomBucketSizes"] = []any{1.0, 3.0, 7.0}
	cb := dayCohorts(custom)
	// carry_back: a user counts in every bucket up to their last return.
	back := retentionBookmark("Sign Up", "Feature Used", "day")
	funnelBehavior(back)["retentionUnboundedMode"] = "carry_back"
	cback := dayCohorts(back)
	want := map[string][]float64{}
	wantBack := map[string][]float64{}
	for u, b := range births {
		key := isoDay(e.Start.AddDate(0, 0, int(e.t[b]/day)))
		if want[key] == nil {
			want[key], wantBack[key] = make([]float64, 4), make([]float64, 3)
		}
		r := returned(u)
		want[key][0]++
		wantBack[key][0]++
		for j, span := range [][2]int{{1, 1}, {2, 3}, {4, 7}} {
			for d := span[0]; d <= span[1]; d++ {
				if r[d] {
					want[key][j+1]++
					break
				}
			}
		}
		last := 0
		for d := range r {
			last = max(last, d)
		}
		for d := 1; d <= min(last, 2); d++ {
			wantBack[key][d]++
		}
	}
	checked := 0
	for key, w := range want {
		got := cb[key].(map[string]any)["counts"].([]any)
		for j := range got {
			if got[j].(float64) != w[j] {
				t.Errorf("custom buckets, cohort %s bucket %d: %v, direct %v", key, j, got[j], w[j])
			}
		}
		gb := cback[key].(map[string]any)["counts"].([]any)
		for j := 0; j < min(len(gb), 3); j++ {
			if gb[j].(float64) != wantBack[key][j] {
				t.Errorf("carry_back, cohort %s bucket %d: %v, direct %v", key, j, gb[j], wantBack[key][j])
			}
		}
		if len(got) == 4 {
			checked++
		}
	}
	if checked < 20 {
		t.Errorf("only %d cohorts have every custom bucket", checked)
	}
	// Monthly cohorts still add up to the unique births.
	month := retentionBookmark("Sign Up", "Feature Used", "month")
	month["sections"].(map[string]any)["time"] = []any{map[string]any{"dateRangeType": "in the last", "unit": "day", "window": map[string]any{"unit": "day", "value": 60.0}}}
	total := 0.0
	for k, c := range only(t, query(t, p, month)) {
		if k != "$average" {
			total += c.(map[string]any)["first"].(float64)
		}
	}
	unique := map[int]bool{}
	for u := range e.users {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if e.ev[i] == evSignUp && e.t[i] >= int32(Days-60)*day {
				unique[u] = true
			}
		}
	}
	if total != float64(len(unique)) {
		t.Errorf("monthly cohorts sum to %v; unique births %d", total, len(unique))
	}
}

func TestSavedReportsRunByID(t *testing.T) {
	p := NewWith(Seed, 1500, now)
	c := client(t, p)
	ctx := context.Background()
	dash, err := c.CreateDashboard(ctx, mixpanel.CreateDashboardParams{Title: "Saved reports"})
	if err != nil {
		t.Fatal(err)
	}
	save := func(name, typ string, params map[string]any) int64 {
		b, err := c.CreateBookmark(ctx, mixpanel.CreateBookmarkParams{Name: name, BookmarkType: typ, Params: params, DashboardID: dash.ID})
		if err != nil {
			t.Fatal(err)
		}
		return b.ID
	}
	ins := insightsBookmark("Purchase", "unique", "line", nil, "plan")
	id := save("Buyers by plan", "insights", ins)
	res, err := c.QuerySavedReport(ctx, mixpanel.SavedReportParams{BookmarkID: id})
	if err != nil {
		t.Fatal(err)
	}
	adhoc := query(t, p, ins)["series"]
	if fmt.Sprint(jsonValue(t, res.Series)) != fmt.Sprint(adhoc) || res.ReportType != "insights" {
		t.Errorf("saved insights %s (%s); ad hoc %v", res.Series, res.ReportType, adhoc)
	}
	fun := funnelBookmark(nil, "Sign Up", "Activate", "Purchase")
	fid := save("Signup funnel", "funnels", fun)
	from, to := p.Events.Start.AddDate(0, 0, Days-30).Format("2006-01-02"), p.Events.today().Format("2006-01-02")
	legacy, err := c.Funnel(ctx, mixpanel.FunnelParams{FunnelID: fid, FromDate: from, ToDate: to})
	if err != nil {
		t.Fatal(err)
	}
	want := steps(t, query(t, p, fun))
	for s, st := range legacy.Steps {
		if st.Count != want[s] {
			t.Errorf("saved funnel step %d: %v summed over days, funnel %v", s+1, st.Count, want[s])
		}
	}
	if _, err := c.QuerySavedReport(ctx, mixpanel.SavedReportParams{BookmarkID: fid, Type: "funnels", FromDate: from, ToDate: to}); err != nil {
		t.Errorf("saved funnel report: %v", err)
	}
	ret := retentionBookmark("Sign Up", "Feature Used", "week")
	rid := save("Weekly retention", "retention", ret)
	rres, err := c.QuerySavedReport(ctx, mixpanel.SavedReportParams{BookmarkID: rid, Type: "retention"})
	if err != nil {
		t.Fatal(err)
	}
	cohorts := jsonValue(t, rres.Series).(map[string]any)
	for date, c := range only(t, query(t, p, ret)) {
		if date != "$average" && fmt.Sprint(cohorts[date[:10]]) != fmt.Sprint(c) {
			t.Errorf("saved retention cohort %s: %v, ad hoc %v", date, cohorts[date[:10]], c)
		}
	}
	if _, err := c.QuerySavedReport(ctx, mixpanel.SavedReportParams{BookmarkID: 987654}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("unknown bookmark: err %v", err)
	}
}

func secs(s int32) time.Duration { return time.Duration(s) * time.Second }

func jsonValue(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestSeededReportsAndCohorts: every seeded saved report (but flows) runs
// by id through the engines, and each seeded cohort, evaluated from its
// saved definition, has the members a direct count finds.
func TestSeededReportsAndCohorts(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	ran := 0
	for _, b := range p.fake.Store.List("workspaces/"+mixpaneltest.WorkspaceID, "bookmarks") {
		typ, _ := b["type"].(string)
		if typ == "flows" {
			continue
		}
		id, _ := b["id"].(int64)
		res, err := c.QuerySavedReport(ctx, mixpanel.SavedReportParams{BookmarkID: id, Type: typ})
		if err != nil {
			t.Errorf("saved %s report %v (%v): %v", typ, id, b["name"], err)
			continue
		}
		if len(res.Series) < 3 {
			t.Errorf("saved report %v: empty series %s", b["name"], res.Series)
		}
		ran++
	}
	if ran < 5 {
		t.Errorf("ran %d seeded reports; want the demo's insights, funnel and retention reports", ran)
	}
	if len(p.fake.Data.SavedCohorts) == 0 {
		t.Fatal("no seeded cohorts")
	}
	for _, sc := range p.fake.Data.SavedCohorts {
		bm := insightsBookmark("Sign Up", "unique", "bar", nil)
		clause(bm)["behavior"] = map[string]any{"type": "cohort", "name": sc.Name, "resourceType": "cohorts", "id": float64(sc.ID), "filters": []any{}}
		got := only(t, query(t, p, bm))["all"]
		if want := p.CohortMembers(sc.Name); got != float64(want) || want == 0 {
			t.Errorf("cohort %q: %v members evaluated, %d counted directly", sc.Name, got, want)
		}
	}
}

// TestHourlyBucketsAddUpToTheDays: hourly keys cover each day's 24 hours
// and add up to the days' totals.
func TestHourlyBucketsAddUpToTheDays(t *testing.T) {
	p := smallDemo()
	last2 := []any{map[string]any{"dateRangeType": "in the last", "unit": "hour", "window": map[string]any{"unit": "day", "value": 2.0}}}
	hourly := insightsBookmark("Feature Used", "total", "line", nil)
	hourly["sections"].(map[string]any)["time"] = last2
	total := insightsBookmark("Feature Used", "total", "bar", nil)
	total["sections"].(map[string]any)["time"] = last2
	h := only(t, query(t, p, hourly))
	want := only(t, query(t, p, total))["all"].(float64)
	if got := leaves(h); len(h) != 48 || got != want || want == 0 {
		t.Errorf("%d hourly keys summing to %v; the two days' total is %v", len(h), got, want)
	}
}

// TestCohortProfileLeaves: profile leaves of a cohort definition (a date
// comparison and a text containment) select the users a direct test does.
func TestCohortProfileLeaves(t *testing.T) {
	p := smallDemo()
	e := p.Events
	cut := e.Start.AddDate(0, 0, 45)
	def := map[string]any{"selector": map[string]any{"operator": "and", "children": []any{
		map[string]any{"property": "user", "value": "$created", "operator": "<", "operand": cut.Format("2006-01-02"), "type": "datetime"},
		map[string]any{"property": "user", "value": "$email", "operator": "in", "operand": "ana", "type": "string"},
	}}, "behaviors": map[string]any{}}
	want := 0
	for u, us := range e.users {
		if us.signup < 45*day && strings.Contains(e.email(u), "ana") {
			want++
		}
	}
	bm := insightsBookmark("Sign Up", "unique", "bar", nil)
	clause(bm)["behavior"] = map[string]any{"type": "cohort", "name": "Early Anas", "resourceType": "cohorts", "raw_cohort": def}
	if got := only(t, query(t, p, bm))["all"]; got != float64(want) || want == 0 {
		t.Errorf("cohort of early signups named ana: %v evaluated, %d counted", got, want)
	}
}

func BenchmarkInsightsFormulaWeekOverWeek(b *testing.B) {
	bm := insightsBookmark("Sign Up", "unique", "line", nil)
	sections := bm["sections"].(map[string]any)
	sections["show"] = append(sections["show"].([]any),
		map[string]any{"type": "metric", "behavior": eventBehavior("Purchase"), "measurement": map[string]any{"math": "unique"}},
		map[string]any{"type": "formula", "definition": "(B / A) * 100", "name": "Conversion"})
	bm["displayOptions"].(map[string]any)["timeComparison"] = map[string]any{"type": "relative", "value": "week"}
	benchQuery(b, bm)
}

func BenchmarkInsightsMAU(b *testing.B) {
	benchQuery(b, insightsBookmark("App Open", "mau", "line", nil))
}

func BenchmarkInsightsMedianPerUserByCohort(b *testing.B) {
	bm := metricBookmark("Purchase", "median", map[string]any{"name": "amount", "resourceType": "events"}, "line")
	clause(bm)["measurement"].(map[string]any)["perUserAggregation"] = "total"
	def, _ := payers(benchDemo())
	bm["sections"].(map[string]any)["group"] = []any{map[string]any{"value": []any{"Payers", "Not In Payers"}, "cohorts": []any{
		map[string]any{"name": "Payers", "negated": false, "raw_cohort": def}, map[string]any{"name": "Payers", "negated": true, "raw_cohort": def}}}}
	benchQuery(b, bm)
}

func BenchmarkFunnelExclusionHeldAnyOrder(b *testing.B) {
	bm := funnelBookmark(nil, "Sign Up", "Activate", "Start Trial", "Purchase")
	beh := funnelBehavior(bm)
	beh["funnelOrder"] = "any"
	for _, s := range beh["behaviors"].([]any) {
		s.(map[string]any)["funnelOrder"] = "any"
	}
	beh["exclusions"] = []any{map[string]any{"event": "Subscription Cancelled", "steps": map[string]any{"from": 1.0, "to": 4.0}}}
	beh["aggregateBy"] = []any{map[string]any{"value": "platform", "resourceType": "events"}}
	benchQuery(b, bm)
}

func BenchmarkRetentionCustomBucketsByPlatform(b *testing.B) {
	bm := retentionBookmark("Sign Up", "Feature Used", "day")
	funnelBehavior(bm)["retentionCustomBucketSizes"] = []any{1.0, 3.0, 7.0, 14.0}
	bm["sections"].(map[string]any)["group"] = []any{map[string]any{"value": "platform", "propertyName": "platform", "resourceType": "people"}}
	benchQuery(b, bm)
}
