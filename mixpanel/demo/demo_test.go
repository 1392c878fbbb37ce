package demo

import (
	"context"
	"encoding/json"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// now is the tests' clock; the demo is dated relative to it.
var now = time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)

var (
	smallOnce sync.Once
	small     *Project
)

// smallDemo is a 3,000-user demo shared by the identity tests.
func smallDemo() *Project {
	smallOnce.Do(func() { small = NewWith(Seed, 3000, now) })
	return small
}

func client(t testing.TB, p *Project) *mixpanel.Client {
	t.Helper()
	c, err := mixpanel.New(p.Config(mixpanel.Config{CacheTTL: -1}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// last30 is the time section of "the last 30 days".
func last30(unit string) []any {
	return []any{map[string]any{"dateRangeType": "in the last", "unit": unit, "window": map[string]any{"unit": "day", "value": 30.0}}}
}

func eventBehavior(name string, filters ...any) map[string]any {
	if filters == nil {
		filters = []any{}
	}
	return map[string]any{"type": "event", "name": name, "resourceType": "events", "filtersDeterminer": "all", "filters": filters}
}

func equalsFilter(prop string, values ...any) map[string]any {
	return map[string]any{"resourceType": "events", "filterType": "string", "defaultType": "string", "filterValue": values, "filterOperator": "equals", "value": prop}
}

func insightsBookmark(event, math, chart string, filter []any, group ...string) map[string]any {
	groups := []any{}
	for _, g := range group {
		groups = append(groups, map[string]any{"value": g, "propertyName": g, "resourceType": "events", "propertyType": "string"})
	}
	if filter == nil {
		filter = []any{}
	}
	return map[string]any{
		"sections": map[string]any{
			"show":   []any{map[string]any{"type": "metric", "behavior": eventBehavior(event), "measurement": map[string]any{"math": math}}},
			"time":   last30("day"),
			"filter": filter,
			"group":  groups,
		},
		"displayOptions": map[string]any{"chartType": chart, "analysis": "linear"},
	}
}

func funnelBookmark(filter []any, steps ...string) map[string]any {
	var behaviors []any
	for _, s := range steps {
		b := eventBehavior(s)
		b["funnelOrder"] = "loose"
		behaviors = append(behaviors, b)
	}
	if filter == nil {
		filter = []any{}
	}
	return map[string]any{
		"sections": map[string]any{
			"show": []any{map[string]any{"type": "metric", "behavior": map[string]any{
				"type": "funnel", "resourceType": "events", "behaviors": behaviors,
				"conversionWindowDuration": 14.0, "conversionWindowUnit": "day", "funnelOrder": "loose",
				"exclusions": []any{}, "aggregateBy": []any{}, "filter": []any{},
			}, "measurement": map[string]any{"math": "conversion_rate_unique"}}},
			"time": last30("day"), "filter": filter, "group": []any{}, "formula": []any{},
		},
		"displayOptions": map[string]any{"chartType": "funnel-steps"},
	}
}

func retentionBookmark(born, ret, unit string) map[string]any {
	return map[string]any{
		"sections": map[string]any{
			"show": []any{map[string]any{"type": "metric", "behavior": map[string]any{
				"type": "retention", "resourceType": "events", "behaviors": []any{eventBehavior(born), eventBehavior(ret)},
				"retentionUnit": unit, "retentionAlignmentType": "birth", "retentionCustomBucketSizes": []any{}, "filter": []any{},
			}, "measurement": map[string]any{"math": "retention_rate"}}},
			"time": last30("day"), "filter": []any{}, "group": []any{}, "formula": []any{},
		},
		"displayOptions": map[string]any{"chartType": "retention-curve"},
	}
}

func query(t *testing.T, p *Project, bookmark map[string]any) map[string]any {
	t.Helper()
	raw, err := client(t, p).QueryInsights(context.Background(), bookmark)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// directUnique counts, straight from the columns, the users who did event
// in the last 30 days with every property equal to the given value.
func directUnique(p *Project, event string, where map[string]string) (users, events int) {
	e := p.Events
	lo, hi := int32(Days-30)*day, int32(Days)*day
	id := eventID(event)
	for u := range e.users {
		did := false
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if int(e.ev[i]) != id || e.t[i] < lo || e.t[i] >= hi {
				continue
			}
			ok := true
			for k, want := range where {
				v, set := accessors()[k](e, i, u)
				ok = ok && set && v.String() == want
			}
			if ok {
				events++
				did = true
			}
		}
		if did {
			users++
		}
	}
	return users, events
}

func series(t *testing.T, answer map[string]any, label string) map[string]any {
	t.Helper()
	s, ok := answer["series"].(map[string]any)[label].(map[string]any)
	if !ok {
		t.Fatalf("no series %q in %v", label, answer["series"])
	}
	return s
}

func TestGeneratedProduct(t *testing.T) {
	p := New(now)
	e := p.Events
	if e.Users() != DefaultUsers || e.Len() < 1_000_000 {
		t.Fatalf("%d users, %d events; want %d users and at least 1,000,000 events", e.Users(), e.Len(), DefaultUsers)
	}
	again := Generate(Seed, 500, now)
	first := Generate(Seed, 500, now)
	if again.Len() != first.Len() || again.t[again.Len()/2] != first.t[first.Len()/2] {
		t.Fatal("the same seed generated different events")
	}
	for _, x := range e.t {
		if x > e.Now {
			t.Fatalf("event at %d after now %d", x, e.Now)
		}
	}
	// Activation by platform differs, and the launch raised it.
	rate := func(platform uint8, launched bool) float64 {
		signed, active := 0, 0
		for u, us := range e.users {
			if us.platform != platform || (us.signup >= int32(Days-1-LaunchDaysAgo)*day) != launched || us.signup > e.Now-7*day {
				continue
			}
			signed++
			for i := e.first[u]; i < e.first[u+1]; i++ {
				if e.ev[i] == evActivate {
					active++
					break
				}
			}
		}
		return float64(active) / float64(signed)
	}
	web, android := rate(0, false), rate(2, false)
	if web-android < 0.05 {
		t.Errorf("activation web %.2f vs android %.2f: want the platforms to differ", web, android)
	}
	if after := rate(0, true); after-web < 0.05 {
		t.Errorf("web activation before launch %.2f, after %.2f: want the launch to show", web, after)
	}
	// Weekly seasonality: a weekend day sees fewer signups than a weekday.
	var weekday, weekend float64
	for _, us := range e.users {
		switch e.Start.AddDate(0, 0, int(us.signup/day)).Weekday() {
		case time.Saturday, time.Sunday:
			weekend++
		default:
			weekday++
		}
	}
	if perWeekend, perWeekday := weekend/2, weekday/5; perWeekend > 0.8*perWeekday {
		t.Errorf("signups per weekend day %.0f vs weekday %.0f: want weekly seasonality", perWeekend/13, perWeekday/13)
	}
	bug := 0
	for _, ev := range e.ev {
		if ev == evSignUpBug {
			bug++
		}
	}
	if bug == 0 {
		t.Error(`no "Sign up" events: the tracking bug is missing`)
	}
}

func TestInsightsMatchesDirectCount(t *testing.T) {
	p := smallDemo()
	for _, tc := range []struct {
		event string
		where map[string]string
	}{
		{"Sign Up", nil},
		{"Purchase", map[string]string{"platform": "ios"}},
		{"Page View", map[string]string{"utm_source": "google", "country": "US"}},
	} {
		var filter []any
		for k, v := range tc.where {
			filter = append(filter, equalsFilter(k, v))
		}
		users, events := directUnique(p, tc.event, tc.where)
		for math, want := range map[string]int{"unique": users, "total": events} {
			s := series(t, query(t, p, insightsBookmark(tc.event, math, "bar", filter)), tc.event+" ["+map[string]string{"unique": "Unique Users", "total": "Total Events"}[math]+"]")
			if got := s["all"]; got != float64(want) {
				t.Errorf("%s %v %s: insights %v, direct count %d", tc.event, tc.where, math, got, want)
			}
		}
		if users == 0 {
			t.Errorf("%s %v: no users; the identity proves nothing", tc.event, tc.where)
		}
	}
}

func TestBreakdownSumsToTotal(t *testing.T) {
	p := smallDemo()
	total := series(t, query(t, p, insightsBookmark("Feature Used", "total", "bar", nil)), "Feature Used [Total Events]")["all"].(float64)
	byDay := series(t, query(t, p, insightsBookmark("Feature Used", "total", "line", nil, "platform", "feature")), "Feature Used [Total Events]")
	sum := 0.0
	for _, platform := range byDay {
		for _, feature := range platform.(map[string]any) {
			for _, n := range feature.(map[string]any) {
				sum += n.(float64)
			}
		}
	}
	if sum != total || total == 0 {
		t.Fatalf("breakdown by platform and feature, per day, sums to %v; total is %v", sum, total)
	}
}

func TestFunnelFirstStepIsInsightsUnique(t *testing.T) {
	p := smallDemo()
	filter := []any{equalsFilter("platform", "web")}
	answer := query(t, p, funnelBookmark(filter, "Sign Up", "Activate", "Start Trial", "Purchase"))
	s := series(t, answer, "Sign Up through Purchase")
	counts := s["count"].(map[string]any)
	unique := series(t, query(t, p, insightsBookmark("Sign Up", "unique", "bar", filter)), "Sign Up [Unique Users]")["all"]
	if got := counts["1. Sign Up"].(map[string]any)["all"]; got != unique {
		t.Fatalf("funnel step 1 %v, insights unique %v", got, unique)
	}
	prev := unique.(float64)
	for _, step := range []string{"2. Activate", "3. Start Trial", "4. Purchase"} {
		n := counts[step].(map[string]any)["all"].(float64)
		if n > prev || n == 0 {
			t.Errorf("%s: %v after %v; want a drop-off, not zero", step, n, prev)
		}
		prev = n
	}
}

func TestRetentionCohortsAreUniqueBirths(t *testing.T) {
	p := smallDemo()
	s := series(t, query(t, p, retentionBookmark("Sign Up", "Feature Used", "week")), "Sign Up and then Feature Used")
	births := 0.0
	for date, c := range s {
		if date == "$average" {
			continue
		}
		cohort := c.(map[string]any)
		births += cohort["first"].(float64)
		counts := cohort["counts"].([]any)
		if len(counts) > 1 && counts[1].(float64) > counts[0].(float64) {
			t.Errorf("cohort %s: %v retained of %v", date, counts[1], counts[0])
		}
	}
	unique := series(t, query(t, p, insightsBookmark("Sign Up", "unique", "bar", nil)), "Sign Up [Unique Users]")["all"]
	if births != unique || births == 0 {
		t.Fatalf("cohort sizes sum to %v, unique Sign Up users %v", births, unique)
	}
}

func TestRefusesWhatItDoesNotCompute(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	sessions := insightsBookmark("Sign Up", "sessions", "line", nil)
	formula := insightsBookmark("Sign Up", "total", "line", nil)
	formula["sections"].(map[string]any)["show"] = append(formula["sections"].(map[string]any)["show"].([]any), map[string]any{"type": "formula", "definition": "MAX(A, 2)"})
	reentry := funnelBookmark(nil, "Sign Up", "Purchase")
	reentry["sections"].(map[string]any)["show"].([]any)[0].(map[string]any)["behavior"].(map[string]any)["funnelReentryMode"] = "aggressive"
	for name, bm := range map[string]map[string]any{"sessions": sessions, "formula function": formula, "aggressive re-entry": reentry} {
		_, err := c.QueryInsights(context.Background(), bm)
		if err == nil || !strings.Contains(err.Error(), "the demo project does not support") {
			t.Errorf("%s: err %v; want the demo's refusal", name, err)
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for range b.N {
		New(now)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "heapMiB")
}

func benchQuery(b *testing.B, bookmark map[string]any) {
	p := benchDemo()
	b.ResetTimer()
	for range b.N {
		if _, err := p.Events.evaluate(bookmark); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	benchOnce sync.Once
	bench     *Project
)

func benchDemo() *Project {
	benchOnce.Do(func() { bench = New(now) })
	return bench
}

func BenchmarkInsightsUniqueByPlatformPerDay(b *testing.B) {
	benchQuery(b, insightsBookmark("Page View", "unique", "line", []any{equalsFilter("country", "US")}, "platform"))
}

func BenchmarkFunnel4Steps(b *testing.B) {
	benchQuery(b, funnelBookmark(nil, "Sign Up", "Activate", "Start Trial", "Purchase"))
}

func TestEngageSelectsGeneratedProfiles(t *testing.T) {
	p := smallDemo()
	want := 0
	for _, us := range p.Events.users {
		if platforms[us.platform] == "ios" && us.plan >= 0 {
			want++
		}
	}
	res, err := client(t, p).QueryProfiles(context.Background(), mixpanel.ProfileQuery{Where: `properties["platform"] == "ios" and properties["plan"] != "free"`})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Profiles) != want || want == 0 {
		t.Fatalf("Engage selected %d paying iOS profiles; the generated users have %d", len(res.Profiles), want)
	}
}

func TestDiscoveryIsDerivedFromEvents(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	purchases, byPlan := 0, map[string]int{}
	for ev := range p.Events.All() {
		if ev.Name == "Purchase" {
			purchases++
		}
		if plan, ok := ev.Prop("plan"); ok {
			byPlan[plan]++ // values are ranked over every event that carries them
		}
	}
	props, err := c.EventProperties(context.Background(), "Purchase", 20)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pc := range props {
		if pc.Name == "amount" {
			found = true
			if pc.Count != float64(purchases) || purchases == 0 {
				t.Errorf("amount seen %v times; %d purchases carry it", pc.Count, purchases)
			}
		}
	}
	if !found {
		t.Errorf("Purchase's properties %v lack amount", props)
	}
	values, err := c.PropertyValues(context.Background(), mixpanel.PropertyValuesOptions{Property: "plan", Event: "Purchase"})
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 3 || byPlan[values[0]] < byPlan[values[1]] || byPlan[values[1]] < byPlan[values[2]] {
		t.Errorf("plan values %v; want the three plans, most common first (%v)", values, byPlan)
	}
}

// TestShippedBinaryDoesNotImportTesting: the server links the demo and,
// through it, mixpaneltest; neither may pull the testing package in.
func TestShippedBinaryDoesNotImportTesting(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/mixpanel-mcp/mixpanel-mcp/cmd/mcp-server").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/demo") {
		t.Fatal("cmd/mcp-server does not link the demo; the check proves nothing")
	}
	if slices.Contains(deps, "testing") {
		t.Fatal(`cmd/mcp-server imports "testing"`)
	}
}

// TestRetentionBreakdownSumsToOverall: each birth lands in one segment, so
// the segments' cohorts and retained counts add up to the overall ones.
func TestRetentionBreakdownSumsToOverall(t *testing.T) {
	p := smallDemo()
	bm := retentionBookmark("Sign Up", "Feature Used", "day")
	bm["sections"].(map[string]any)["group"] = []any{map[string]any{"value": "platform", "propertyName": "platform", "resourceType": "events", "propertyType": "string"}}
	s := series(t, query(t, p, bm), "Sign Up and then Feature Used")
	if len(s) != 4 {
		t.Fatalf("segments %d, want $overall and three platforms", len(s))
	}
	for date, c := range s["$overall"].(map[string]any) {
		if date == "$average" {
			continue
		}
		want := c.(map[string]any)["counts"].([]any)
		got := make([]float64, len(want))
		for seg, cohorts := range s {
			if seg == "$overall" {
				continue
			}
			for b, n := range cohorts.(map[string]any)[date].(map[string]any)["counts"].([]any) {
				got[b] += n.(float64)
			}
		}
		for b := range want {
			if got[b] != want[b].(float64) {
				t.Fatalf("cohort %s bucket %d: segments sum to %v, overall %v", date, b, got[b], want[b])
			}
		}
	}
}
