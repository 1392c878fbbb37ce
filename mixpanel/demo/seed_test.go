package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// TestSeededReportsOnDashboards: every seeded report is saved with the
// params its query builds, on the dashboard it belongs to, and listed
// there.
func TestSeededReportsOnDashboards(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	dashboards, err := c.ListDashboards(ctx, mixpanel.ListDashboardsParams{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, d := range dashboards {
		ids[d.Title] = d.ID
	}
	for _, title := range []string{DashboardGrowth, DashboardActivation, DashboardMonetization} {
		if ids[title] == 0 {
			t.Fatalf("no dashboard %q in %v", title, dashboards)
		}
	}
	reports, err := c.ListBookmarks(ctx, mixpanel.ListBookmarksParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(seedReports) {
		t.Fatalf("%d reports, want %d", len(reports), len(seedReports))
	}
	for _, r := range seedReports {
		i := slices.IndexFunc(reports, func(b mixpanel.BookmarkInfo) bool { return b.Name == r.name })
		if i < 0 {
			t.Fatalf("report %q not listed", r.name)
		}
		got, err := c.GetBookmark(ctx, reports[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.DashboardID != ids[r.dashboard] || got.Type != r.kind {
			t.Errorf("%s: dashboard %d type %q, want %d %q", r.name, got.DashboardID, got.Type, ids[r.dashboard], r.kind)
		}
		want, err := buildReport(r, p.Events.today())
		if err != nil {
			t.Fatal(err)
		}
		wantRaw, _ := json.Marshal(want)
		var have, wantAny any
		_ = json.Unmarshal(got.Params, &have)
		_ = json.Unmarshal(wantRaw, &wantAny)
		if !jsonEqual(have, wantAny) {
			t.Errorf("%s: stored params differ from the built query:\n%s\n%s", r.name, got.Params, wantRaw)
		}
		dash, err := c.GetDashboard(ctx, ids[r.dashboard])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(dash.Contents), r.name) {
			t.Errorf("dashboard %q does not hold %q: %s", r.dashboard, r.name, dash.Contents)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestSeededReportRunsOverTheEvents: a saved report's params, run as they
// are, give the direct count (sum of the utm_source breakdown of Sign Up
// over the last 30 days == its events).
func TestSeededReportRunsOverTheEvents(t *testing.T) {
	p := smallDemo()
	i := slices.IndexFunc(seedReports, func(r seedReport) bool { return r.name == "Signups by source" })
	params, err := buildReport(seedReports[i], p.Events.today())
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, leaf := range series(t, query(t, p, params), "Sign Up [Total Events]") {
		sum += leaf.(map[string]any)["all"].(float64)
	}
	_, events := directUnique(p, "Sign Up", nil)
	if sum != float64(events) || events == 0 {
		t.Fatalf("breakdown sums to %v, direct count %d", sum, events)
	}
}

// TestSeededCohortsCountTheirMembers: each cohort's size is its members
// in the events, counted here from Events.All (not the columns the seed
// reads), the same in the App API and the Query API's cohort list.
func TestSeededCohortsCountTheirMembers(t *testing.T) {
	p := smallDemo()
	// within_days 30: from 30 days before now.
	since := p.Events.Start.Add(time.Duration(p.Events.Now-30*day) * time.Second)
	paid, cancelled, uses, ios := map[string]bool{}, map[string]bool{}, map[string]int{}, map[string]bool{}
	for ev := range p.Events.All() {
		switch ev.Name {
		case "Purchase":
			paid[ev.DistinctID] = true
		case "Subscription Cancelled":
			cancelled[ev.DistinctID] = true
		case "Feature Used":
			if !ev.Time.Before(since) {
				uses[ev.DistinctID]++
			}
		}
		if v, _ := ev.Prop("platform"); v == "ios" {
			ios[ev.DistinctID] = true
		}
	}
	power := 0
	for id, n := range uses {
		if ios[id] && n >= PowerUserUses {
			power++
		}
	}
	want := map[string]int{CohortPaid: len(paid), CohortChurned: len(cancelled), CohortIOSPower: power}
	c := client(t, p)
	ctx := context.Background()
	listed, err := c.ListCohorts(ctx, mixpanel.ListCohortsParams{})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := c.Cohorts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, n := range want {
		if n == 0 {
			t.Fatalf("%s: no members in the data", name)
		}
		i := slices.IndexFunc(listed, func(x mixpanel.Cohort) bool { return x.Name == name })
		j := slices.IndexFunc(saved, func(x mixpanel.SavedCohort) bool { return x.Name == name })
		if i < 0 || j < 0 {
			t.Fatalf("%s: not listed (%v, %v)", name, listed, saved)
		}
		if listed[i].Count != int64(n) || saved[j].Count != int64(n) || saved[j].ID != listed[i].ID {
			t.Errorf("%s: App API %d (id %d), Query API %d (id %d), direct %d", name, listed[i].Count, listed[i].ID, saved[j].Count, saved[j].ID, n)
		}
	}
}

// TestSeededLaunchAnnotationMarksTheChange: the "Onboarding v2" annotation
// sits on the day activation moved: signups from that day on activate
// more often than those of the 30 days before (counted from Events.All).
func TestSeededLaunchAnnotationMarksTheChange(t *testing.T) {
	p := smallDemo()
	ctx := context.Background()
	notes, err := client(t, p).ListAnnotations(ctx, mixpanel.ListAnnotationsParams{})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(notes, func(a mixpanel.Annotation) bool { return strings.HasPrefix(a.Description, AnnotationLaunch) })
	if i < 0 {
		t.Fatalf("no launch annotation in %v", notes)
	}
	launch, err := time.Parse(time.DateOnly, notes[i].Date[:10])
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Events.today().AddDate(0, 0, -LaunchDaysAgo); !launch.Equal(want) {
		t.Fatalf("launch annotated on %s, want %s", launch.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	signup, activated := map[string]time.Time{}, map[string]bool{}
	for ev := range p.Events.All() {
		switch ev.Name {
		case "Sign Up", "Sign up":
			signup[ev.DistinctID] = ev.Time
		case "Activate":
			activated[ev.DistinctID] = true
		}
	}
	var n, act [2]int // before, after
	for id, at := range signup {
		k := 1
		if at.Before(launch) {
			k = 0
			if at.Before(launch.AddDate(0, 0, -30)) {
				continue
			}
		} else if at.After(launch.AddDate(0, 0, LaunchDaysAgo-7)) {
			continue // too recent to have activated
		}
		n[k]++
		if activated[id] {
			act[k]++
		}
	}
	before, after := float64(act[0])/float64(n[0]), float64(act[1])/float64(n[1])
	if after-before < 0.05 {
		t.Fatalf("activation %.3f before the launch, %.3f after: the annotation marks no change", before, after)
	}
}

// TestSeededFlagsExperimentContextLexicon: the rest of the saved state.
func TestSeededFlagsExperimentContextLexicon(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	flags, err := c.ListFeatureFlags(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range flags {
		keys = append(keys, f.Key)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"dark_mode", "onboarding_v2", "pricing_annual_first"}) {
		t.Errorf("flags %v", keys)
	}
	exps, err := c.ListExperiments(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 1 || exps[0].Status != mixpanel.ExperimentActive || len(exps[0].Variants) != 2 {
		t.Errorf("experiments %+v", exps)
	}
	bc, err := c.GetBusinessContext(ctx, "project", 0)
	if err != nil {
		t.Fatal(err)
	}
	launch := p.Events.today().AddDate(0, 0, -LaunchDaysAgo).Format(time.DateOnly)
	if !strings.Contains(bc.Content, launch+": Onboarding v2 launched") {
		t.Errorf("project context does not date the launch %s:\n%s", launch, bc.Content)
	}
	defs, err := c.GetEventDefinitions(ctx, mixpanel.GetEventDefinitionsParams{Names: []string{"Sign Up", "Sign up", "Purchase"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		switch d.Name {
		case "Sign up":
			if d.Description != "" {
				t.Errorf("the misspelled event has a description: %q", d.Description)
			}
		case "Purchase":
			if d.Description == "" || !slices.Contains(d.Tags, "monetization") {
				t.Errorf("Purchase: %+v", d)
			}
		}
	}
}

// TestSeedIsDeterministic: the same seed, size and day give the same
// saved entities, ids included.
func TestSeedIsDeterministic(t *testing.T) {
	a, b := NewWith(Seed, 300, now), NewWith(Seed, 300, now)
	if x, y := snapshotJSON(t, a), snapshotJSON(t, b); x != y {
		i := 0
		for i < min(len(x), len(y)) && x[i] == y[i] {
			i++
		}
		t.Fatalf("two seeds differ at byte %d: %.120q vs %.120q", i, x[max(0, i-40):], y[max(0, i-40):])
	}
}

func snapshotJSON(t *testing.T, p *Project) string {
	t.Helper()
	raw, err := p.fake.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestSeededCohortsAsInsightsFilters: the engines evaluate a seeded
// cohort's stored definition to the members the seed counted: every
// member did the cohort's event in the 90 days, so the unique users of
// that event in the cohort are the cohort.
func TestSeededCohortsAsInsightsFilters(t *testing.T) {
	p := smallDemo()
	listed, err := client(t, p).ListCohorts(context.Background(), mixpanel.ListCohortsParams{})
	if err != nil {
		t.Fatal(err)
	}
	for name, event := range map[string]string{CohortPaid: "Purchase", CohortIOSPower: "Feature Used", CohortChurned: "Subscription Cancelled"} {
		i := slices.IndexFunc(listed, func(c mixpanel.Cohort) bool { return c.Name == name })
		if i < 0 {
			t.Fatalf("no cohort %q", name)
		}
		spec := fmt.Sprintf(`{"events": [%q], "math": "unique", "mode": "total", "last": 90, "where": [{"operator": "in_cohort", "cohort": %d, "name": %q}]}`, event, listed[i].ID, name)
		params, err := buildReport(seedReport{name: name, kind: "insights", spec: spec}, p.Events.today())
		if err != nil {
			t.Fatal(err)
		}
		got := series(t, query(t, p, params), event+" [Unique Users]")["all"]
		if want := p.CohortMembers(name); got != float64(want) || want == 0 {
			t.Errorf("%s: Insights counts %v unique %s users in it, the seed %d members", name, got, event, want)
		}
	}
}
