package quality_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/quality"
)

// The checks are measured on fake projects built to contain known
// problems, and traps that look like problems but are not. Each check's
// findings are compared with the planted truth: precision is the share of
// flagged items that are real problems, recall the share of real problems
// flagged. Duplicates are scored by pairs of names grouped together.
// Run with -v to see the figures.

var today = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// daily gives an event n events a day on the days in [fromAgo, toAgo]
// days before today.
func daily(n, fromAgo, toAgo int) map[string]int {
	out := map[string]int{}
	for d := toAgo; d <= fromAgo; d++ {
		out[today.AddDate(0, 0, -d).Format(time.DateOnly)] = n
	}
	return out
}

type truth struct {
	dupPairs     [][2]string // near-duplicate name pairs (same kind and resource type)
	pii          []string    // unmarked personal-data properties
	undocumented []string    // events and properties without descriptions, not hidden or dropped
	stale        []string    // events with no volume in the window, not dropped
}

type project struct {
	name  string
	data  func(*mixpaneltest.Data)
	truth truth
}

func problemProject(d *mixpaneltest.Data) {
	d.Now = today
	ev := func(name, desc string, props ...string) mixpaneltest.Event {
		return mixpaneltest.Event{Name: name, Description: desc, Properties: props}
	}
	d.Events = []mixpaneltest.Event{
		ev("App Open", "App came to the foreground", "app_version", "client_ip"),
		ev("Login", "Signed in", "utm_source", "origin"),
		ev("Logout", "Signed out"),
		ev("Sign Up", "Created an account", "email", "utmSource"),
		ev("SignUp", "", "contact"),
		ev("Sign In", "Signed in with SSO"),
		ev("Search", "", "search_term", "serach_term", "results_count"),
		ev("Product Viewed", "Viewed a product page", "product_id", "category", "categories", "price", "Price"),
		ev("product viewed", ""),
		ev("Add to Cart", "Added an item", "product_id", "price"),
		ev("add_to_cart", ""),
		ev("Checkout Started", "Began checkout", "caller", "invoice_number"),
		ev("Checkout Strated", ""),
		ev("Purchase", "Paid", "order_date", "coupon_code", "phone_number", "first_name"),
		ev("Purchases", ""),
		ev("Step 1 Completed", "Onboarding step one"),
		ev("Step 2 Completed", "Onboarding step two"),
		ev("Video Played", "Started a video"),
		ev("videoPlayed", ""),
		ev("Video Paused", "Paused a video"),
		ev("Legacy Banner Click", "Old banner, removed in 2025"),
		ev("Old Survey Shown", ""),
		ev("Rare Export", "Exported a report once"),
		{Name: "Dropped Ping", Dropped: true},
		{Name: "Hidden Debug", Hidden: true},
	}
	prop := func(name, desc string, values ...string) mixpaneltest.Property {
		return mixpaneltest.Property{Name: name, Type: "string", Description: desc, Values: values}
	}
	d.EventProperties = []mixpaneltest.Property{
		prop("app_version", "Build", "5.2.0.1", "5.1.3.7", "5.1.2.0"),
		prop("client_ip", "Visitor IP", "10.0.0.1"),
		prop("utm_source", "Campaign source", "google", "newsletter"),
		prop("utmSource", "", "google"),
		prop("origin", "Where the call came from", "192.168.1.20", "10.1.2.3", "172.16.0.9"),
		prop("email", "Address typed at signup", "ana@example.com"),
		prop("contact", "", "raj@example.com", "li@example.org", "sam@example.net"),
		prop("search_term", "What was searched", "shoes", "jacket"),
		prop("serach_term", "", "shoes"),
		prop("results_count", "Hits", "0", "12"),
		prop("product_id", "SKU", "sku-1001", "sku-1002"),
		prop("category", "Product category", "Shoes", "Outerwear"),
		prop("categories", "", "Shoes"),
		prop("price", "Unit price", "89.99", "1203.40"),
		prop("Price", "", "89.99"),
		prop("caller", "Support line", "+1 415-555-0100", "+44 20 7123 4567", "(415) 555-0199"),
		prop("invoice_number", "Invoice", "2026-000123", "2026-000124", "2026-000125"),
		prop("order_date", "Day of the order", "2026-11-01", "2026-11-15"),
		prop("coupon_code", "Coupon", "SPRING24", "FRIEND10"),
		prop("phone_number", "", "5550100"),
		prop("first_name", "Given name", "Ana", "Raj"),
	}
	d.UserProperties = []mixpaneltest.Property{
		{Name: "$email", Type: "string", Description: "Email", Sensitive: true},
		{Name: "$name", Type: "string", Description: "Full name"},
		{Name: "$phone", Type: "string"},
		{Name: "plan", Type: "string", Description: "Plan"},
		{Name: "company_name", Type: "string", Description: "Employer"},
	}
	d.DailyCounts = map[string]map[string]int{
		"Legacy Banner Click": daily(40, 90, 45), // last seen 45 days ago
		"Old Survey Shown":    daily(3, 60, 31),  // last seen 31 days ago
		"Rare Export":         daily(1, 29, 29),  // one day inside the window
		"Dropped Ping":        {},                // never, but already dropped
		"Hidden Debug":        {},                // never, hidden: still a candidate to drop
		"Purchases":           daily(2, 10, 0),
	}
}

var problemTruth = truth{
	dupPairs: [][2]string{
		{"Sign Up", "SignUp"}, {"Product Viewed", "product viewed"}, {"Add to Cart", "add_to_cart"},
		{"Checkout Started", "Checkout Strated"}, {"Purchase", "Purchases"}, {"Video Played", "videoPlayed"},
		{"utm_source", "utmSource"}, {"search_term", "serach_term"}, {"category", "categories"}, {"price", "Price"},
	},
	pii: []string{"client_ip", "origin", "email", "contact", "caller", "phone_number", "first_name", "$name", "$phone"},
	undocumented: []string{
		"SignUp", "Search", "product viewed", "add_to_cart", "Checkout Strated", "Purchases", "videoPlayed", "Old Survey Shown",
		"utmSource", "contact", "serach_term", "categories", "Price", "phone_number", "$phone",
	},
	stale: []string{"Legacy Banner Click", "Old Survey Shown", "Hidden Debug"},
}

// cleanProject has none of the problems: distinct names, documented
// entries, personal data marked sensitive, every event live.
func cleanProject(d *mixpaneltest.Data) {
	d.Now = today
	d.Events = []mixpaneltest.Event{
		{Name: "App Open", Description: "Foreground", Properties: []string{"app_version"}},
		{Name: "Sign Up", Description: "Account created", Properties: []string{"signup_method"}},
		{Name: "Sign In", Description: "Signed in", Properties: []string{"signup_method"}},
		{Name: "Purchase", Description: "Paid", Properties: []string{"revenue", "email"}},
	}
	d.EventProperties = []mixpaneltest.Property{
		{Name: "app_version", Description: "Build", Values: []string{"5.2.0"}},
		{Name: "signup_method", Description: "How", Values: []string{"email", "google"}},
		{Name: "revenue", Description: "USD", Values: []string{"89.99", "1203.4"}},
		{Name: "email", Description: "Receipt address", Sensitive: true, Values: []string{"ana@example.com"}},
	}
	d.UserProperties = []mixpaneltest.Property{
		{Name: "$email", Description: "Email", Sensitive: true},
		{Name: "plan", Description: "Plan"},
	}
	d.DailyCounts = nil
}

func TestChecksPrecisionRecall(t *testing.T) {
	projects := []project{
		{"problems", problemProject, problemTruth},
		{"clean", cleanProject, truth{}},
	}
	type score struct{ tp, fp, fn int }
	total := map[string]*score{}
	for _, c := range quality.AllChecks {
		total[c] = &score{}
	}
	for _, p := range projects {
		srv := mixpaneltest.New(t)
		p.data(srv.Data)
		snap, err := quality.Collect(context.Background(), srv.Client(t), quality.Options{Today: today})
		if err != nil {
			t.Fatal(err)
		}
		findings := quality.Run(snap, nil)
		got := map[string][]string{}
		for _, f := range findings {
			switch f.Check {
			case quality.CheckDuplicates:
				for i := range f.Members {
					for j := i + 1; j < len(f.Members); j++ {
						got[f.Check] = append(got[f.Check], pairKey(f.Members[i].Name, f.Members[j].Name))
					}
				}
			default:
				for _, m := range f.Members {
					got[f.Check] = append(got[f.Check], m.Name)
				}
			}
		}
		var pairs []string
		for _, pr := range p.truth.dupPairs {
			pairs = append(pairs, pairKey(pr[0], pr[1]))
		}
		want := map[string][]string{
			quality.CheckDuplicates:   pairs,
			quality.CheckPII:          p.truth.pii,
			quality.CheckDescriptions: p.truth.undocumented,
			quality.CheckStale:        p.truth.stale,
		}
		for _, c := range quality.AllChecks {
			tp, fp, fn := compare(got[c], want[c])
			total[c].tp += tp
			total[c].fp += fp
			total[c].fn += fn
			if fp+fn > 0 {
				t.Logf("%s / %s: false positives %q, missed %q", p.name, c, diff(got[c], want[c]), diff(want[c], got[c]))
			}
		}
	}
	// The floors the checks must keep on these projects.
	floors := map[string][2]float64{
		quality.CheckDuplicates:   {1, 1},
		quality.CheckPII:          {0.9, 1},
		quality.CheckDescriptions: {1, 1},
		quality.CheckStale:        {1, 1},
	}
	for _, c := range quality.AllChecks {
		s := total[c]
		precision := float64(s.tp) / float64(max(1, s.tp+s.fp))
		recall := float64(s.tp) / float64(max(1, s.tp+s.fn))
		t.Logf("%-12s precision %.2f (%d/%d)  recall %.2f (%d/%d)", c, precision, s.tp, s.tp+s.fp, recall, s.tp, s.tp+s.fn)
		if precision < floors[c][0] || recall < floors[c][1] {
			t.Errorf("%s: precision %.2f, recall %.2f; want at least %.2f and %.2f", c, precision, recall, floors[c][0], floors[c][1])
		}
	}
}

func pairKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + " ~ " + b
}

func compare(got, want []string) (tp, fp, fn int) {
	for _, g := range dedupe(got) {
		if slices.Contains(want, g) {
			tp++
		} else {
			fp++
		}
	}
	for _, w := range dedupe(want) {
		if !slices.Contains(got, w) {
			fn++
		}
	}
	return tp, fp, fn
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range dedupe(a) {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	out := slices.Clone(xs)
	sort.Strings(out)
	return slices.Compact(out)
}

// The snapshot carries each event's volume and last day seen from the
// daily counts.
func TestCollectVolumes(t *testing.T) {
	srv := mixpaneltest.New(t)
	problemProject(srv.Data)
	snap, err := quality.Collect(context.Background(), srv.Client(t), quality.Options{Today: today, Days: 30, Checks: []string{quality.CheckStale}})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]quality.Entry{}
	for _, e := range snap.Events {
		byName[e.Name] = e
	}
	for name, want := range map[string]string{
		"Purchases":        fmt.Sprintf("22 %s", today.Format(time.DateOnly)),
		"Rare Export":      fmt.Sprintf("1 %s", today.AddDate(0, 0, -29).Format(time.DateOnly)),
		"Old Survey Shown": "0 ",
	} {
		e := byName[name]
		if got := fmt.Sprintf("%d %s", e.Volume, e.LastSeen); got != want {
			t.Errorf("%s: volume and last seen %q, want %q", name, got, want)
		}
	}
	if snap.From != "2026-11-01" || snap.To != "2026-11-30" {
		t.Errorf("window %s..%s", snap.From, snap.To)
	}
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r.Path, "/events/properties/values") {
			t.Errorf("values sampled for a stale-only check: %s", r.Path)
		}
	}
}
