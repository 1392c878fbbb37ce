package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	mpquery "github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The demo's saved entities are created at start through the Mixpanel
// client against the demo's own store, so each is stored in exactly the
// shape a write through a tool would leave: saved reports whose params are
// built by the query builders, dashboards holding them, cohorts with their
// member counts computed from the events, feature flags, an experiment,
// annotations on the days things happened in the data, Lexicon tags and
// the business context. Every date is relative to the demo's today.

// Names of seeded entities the tests and the README refer to.
const (
	DashboardGrowth       = "Growth KPIs"
	DashboardActivation   = "Activation & onboarding"
	DashboardMonetization = "Monetization"
	CohortPaid            = "Paid users"
	CohortIOSPower        = "iOS power users"
	CohortChurned         = "Churned subscribers"
	AnnotationLaunch      = "Onboarding v2 launched"
	// PowerUserUses is how many Feature Used events in the last 30 days
	// make an iOS user a power user.
	PowerUserUses = 20
)

// seedReport is a saved report: its query in the tools' argument form,
// decoded into the query type and built into bookmark params.
type seedReport struct {
	name, kind, desc, dashboard string
	spec                        string
}

var seedReports = []seedReport{
	{"Weekly signups by platform", "insights", "Unique users who signed up, per week and platform", DashboardGrowth,
		`{"events": ["Sign Up"], "math": "unique", "unit": "week", "last": 90, "group_by": ["platform"]}`},
	{"Daily active users", "insights", "Unique users who used a feature, per day", DashboardGrowth,
		`{"events": ["Feature Used"], "math": "unique", "last": 30}`},
	{"Signups by source", "insights", "Sign ups over the last 30 days by utm_source", DashboardGrowth,
		`{"events": ["Sign Up"], "math": "total", "mode": "total", "last": 30, "group_by": ["utm_source"]}`},
	{"Signup to purchase funnel", "funnels", "Sign Up -> Activate -> Start Trial -> Purchase within 30 days", DashboardActivation,
		`{"steps": ["Sign Up", "Activate", "Start Trial", "Purchase"], "conversion_window": 30, "last": 90}`},
	{"Activation by platform", "funnels", "Sign Up -> Activate within 7 days, by platform", DashboardActivation,
		`{"steps": ["Sign Up", "Activate"], "conversion_window": 7, "last": 60, "group_by": ["platform"]}`},
	{"Weekly retention after signup", "retention", "Users who used a feature in the weeks after signing up", DashboardActivation,
		`{"born_event": "Sign Up", "return_event": "Feature Used", "retention_unit": "week", "last": 60}`},
	{"What users do after signing up", "flows", "The three steps after Sign Up", DashboardActivation,
		`{"event": ["Sign Up"], "forward": 3, "last": 30}`},
	{"Revenue", "insights", "Sum of Purchase amount (USD), per week", DashboardMonetization,
		`{"events": ["Purchase"], "math": "total", "math_property": "amount", "unit": "week", "last": 90}`},
	{"Purchases by plan", "insights", "Purchases over the last 30 days by plan", DashboardMonetization,
		`{"events": ["Purchase"], "math": "total", "mode": "total", "last": 30, "group_by": ["plan"]}`},
}

// buildReport builds a report's bookmark params with today as the date.
func buildReport(r seedReport, today time.Time) (mpquery.Params, error) {
	var q interface {
		Build(time.Time) (mpquery.Params, error)
	}
	switch r.kind {
	case "insights":
		q = &mpquery.InsightsQuery{}
	case "funnels":
		q = &mpquery.FunnelQuery{}
	case "retention":
		q = &mpquery.RetentionQuery{}
	case "flows":
		q = &mpquery.FlowQuery{}
	}
	if err := json.Unmarshal([]byte(r.spec), q); err != nil {
		return nil, fmt.Errorf("report %q: %w", r.name, err)
	}
	params, err := q.Build(today)
	if err != nil {
		return nil, fmt.Errorf("report %q: %w", r.name, err)
	}
	return params, nil
}

// seedCohort is a saved cohort: its definition in the tools' form, and
// the members it has in the generated data.
type seedCohort struct {
	name, desc, definition string
	member                 func(e *Events, u int) bool
}

var seedCohorts = []seedCohort{
	{CohortPaid, "Users with at least one successful payment in the last 90 days",
		`{"all_of": [{"criterion": "did_event", "event": "Purchase", "at_least": 1, "within_days": 90}]}`,
		func(e *Events, u int) bool { return e.countOf(u, evPurchase, 0) > 0 }},
	{CohortIOSPower, fmt.Sprintf("iOS users who used a feature at least %d times in the last 30 days", PowerUserUses),
		fmt.Sprintf(`{"all_of": [{"criterion": "has_property", "property": "platform", "value": "ios"}, {"criterion": "did_event", "event": "Feature Used", "at_least": %d, "within_days": 30}]}`, PowerUserUses),
		func(e *Events, u int) bool {
			return e.users[u].platform == 1 && e.countOf(u, evFeatureUsed, e.Now-30*day) >= PowerUserUses
		}},
	{CohortChurned, "Users who cancelled a subscription in the last 90 days",
		`{"all_of": [{"criterion": "did_event", "event": "Subscription Cancelled", "at_least": 1, "within_days": 90}]}`,
		func(e *Events, u int) bool { return e.countOf(u, evCancel, 0) > 0 }},
}

// countOf counts user u's events of id at or after since (seconds since
// Start).
func (e *Events) countOf(u int, id uint8, since int32) int {
	n := 0
	for i := e.first[u]; i < e.first[u+1]; i++ {
		if e.ev[i] == id && e.t[i] >= since {
			n++
		}
	}
	return n
}

// CohortMembers is the number of users in a seeded cohort, counted
// directly over the events (0 for a name that is not seeded).
func (p *Project) CohortMembers(name string) int {
	for _, c := range seedCohorts {
		if c.name == name {
			n := 0
			for u := range p.Events.users {
				if c.member(p.Events, u) {
					n++
				}
			}
			return n
		}
	}
	return 0
}

// seed creates the saved entities. A failure is a bug in the seed (the
// demo's own store refused it), reported with what was being created.
func (p *Project) seed() error {
	ctx := context.Background()
	c, err := mixpanel.New(p.Config(mixpanel.Config{CacheTTL: -1}))
	if err != nil {
		return err
	}
	e := p.Events
	today := e.today()
	date := func(daysAgo int) string { return today.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }

	// Reports are created on their dashboards as inline report cards, two
	// to a row, the way Mixpanel's dashboard create makes them.
	rows := map[string][]mixpanel.DashboardRow{}
	for _, r := range seedReports {
		params, err := buildReport(r, today)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(params)
		if err != nil {
			return fmt.Errorf("report %q: %w", r.name, err)
		}
		card := mixpanel.DashboardRowContent{ContentType: "report", ContentParams: mixpanel.DashboardContentParams{
			Bookmark: &mixpanel.InlineBookmark{Name: r.name, Type: r.kind, Params: string(raw), Description: r.desc}}}
		list := rows[r.dashboard]
		if n := len(list); n > 0 && len(list[n-1].Contents) < 2 {
			list[n-1].Contents = append(list[n-1].Contents, card)
		} else {
			list = append(list, mixpanel.DashboardRow{Contents: []mixpanel.DashboardRowContent{card}})
		}
		rows[r.dashboard] = list
	}
	for _, d := range []mixpanel.CreateDashboardParams{
		{Title: DashboardGrowth, Description: "Signups, active users and acquisition"},
		{Title: DashboardActivation, Description: "How new users get to their first document and stay; Onboarding v2 shipped " + date(LaunchDaysAgo)},
		{Title: DashboardMonetization, Description: "Trials, purchases and revenue"},
	} {
		d.Rows = rows[d.Title]
		if _, err := c.CreateDashboard(ctx, d); err != nil {
			return fmt.Errorf("dashboard %q: %w", d.Title, err)
		}
	}

	scope := "workspaces/" + mixpaneltest.WorkspaceID
	visible := true
	for _, sc := range seedCohorts {
		var def mpquery.CohortDefinition
		if err := json.Unmarshal([]byte(sc.definition), &def); err != nil {
			return fmt.Errorf("cohort %q: %w", sc.name, err)
		}
		dict, err := def.ToDict()
		if err != nil {
			return fmt.Errorf("cohort %q: %w", sc.name, err)
		}
		got, err := c.CreateCohort(ctx, mixpanel.CohortParams{Name: sc.name, CohortFields: mixpanel.CohortFields{Description: sc.desc, IsVisible: &visible, Definition: dict}})
		if err != nil {
			return fmt.Errorf("cohort %q: %w", sc.name, err)
		}
		// Mixpanel computes a cohort's size; so does the demo, from its
		// events, for the App API and the Query API's cohort list alike.
		n := p.CohortMembers(sc.name)
		stored, _ := p.fake.Store.Get(scope, "cohorts", fmt.Sprint(got.ID))
		stored["count"] = n
		p.fake.Store.Put(scope, "cohorts", stored)
		p.fake.Data.SavedCohorts = append(p.fake.Data.SavedCohorts, mixpaneltest.SavedCohort{
			ID: got.ID, Name: sc.name, Count: n, Description: sc.desc, IsVisible: true,
			Created: e.Start.Add(time.Duration(e.Now) * time.Second).Format(time.DateTime),
		})
	}

	half := mixpanel.Float(0.5)
	for _, f := range []mixpanel.CreateFeatureFlagParams{
		{Status: "enabled", FlagFields: mixpanel.FlagFields{Name: "Onboarding v2", Key: "onboarding_v2", Description: "The new onboarding checklist; fully rolled out on " + date(LaunchDaysAgo), Tags: []string{"onboarding"}}},
		{Status: "enabled", FlagFields: mixpanel.FlagFields{Name: "Annual plan first on pricing page", Key: "pricing_annual_first", Description: "Shows the annual plan first; the pricing experiment's flag", Tags: []string{"pricing"},
			Ruleset: &mixpanel.Ruleset{
				Variants: []mixpanel.FlagVariant{{Key: "control", Value: false, IsControl: true, Split: half}, {Key: "annual_first", Value: true, Split: half}},
				Rollout:  []mixpanel.FlagRollout{{Name: "Everyone", RolloutPercentage: 1}},
			}}},
		{Status: "disabled", FlagFields: mixpanel.FlagFields{Name: "Dark mode", Key: "dark_mode", Description: "Dark theme in the editor; not released", Tags: []string{"editor"}}},
	} {
		if _, err := c.CreateFeatureFlag(ctx, f); err != nil {
			return fmt.Errorf("flag %q: %w", f.Name, err)
		}
	}

	exp, err := c.CreateExperiment(ctx, mixpanel.CreateExperimentParams{Name: "Pricing page: annual plan first", Description: "Does showing the annual plan first raise trial starts?",
		Hypothesis: "Leading with the annual plan raises Start Trial conversion by 5% without lowering Purchase", Settings: map[string]any{"confidence_level": 0.95}})
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	if _, err := c.UpdateExperiment(ctx, exp.ID, mixpanel.UpdateExperimentParams{
		Variants: []mixpanel.ExperimentVariant{{Key: "control", Name: "Monthly first", Split: half, IsControl: true}, {Key: "annual_first", Name: "Annual first", Split: half}},
		Metrics:  []map[string]any{{"name": "Trial starts", "type": "funnel", "events": []string{"Page View", "Start Trial"}, "primary": true}, {"name": "Purchases", "type": "funnel", "events": []string{"Start Trial", "Purchase"}}},
		Tags:     []string{"pricing"},
	}); err != nil {
		return fmt.Errorf("experiment %q: %w", exp.Name, err)
	}
	if _, err := c.LaunchExperiment(ctx, exp.ID); err != nil {
		return fmt.Errorf("experiment %q: %w", exp.Name, err)
	}
	// Launched two weeks ago: a launch starts today, so the start date is
	// set after it.
	if _, err := c.UpdateExperiment(ctx, exp.ID, mixpanel.UpdateExperimentParams{StartDate: date(14)}); err != nil {
		return fmt.Errorf("experiment %q: %w", exp.Name, err)
	}

	tags := map[string]int64{}
	for _, name := range []string{"release", "incident", "marketing"} {
		t, err := c.CreateAnnotationTag(ctx, mixpanel.CreateAnnotationTagParams{Name: name})
		if err != nil {
			return fmt.Errorf("annotation tag %q: %w", name, err)
		}
		tags[name] = t.ID
	}
	for _, a := range []mixpanel.CreateAnnotationParams{
		{Date: date(LaunchDaysAgo), Description: AnnotationLaunch + ": new checklist, activation up about 12 points", Tags: []int64{tags["release"]}},
		{Date: date(bugFrom), Description: `Android 4.2 released: sends "Sign up" instead of "Sign Up"`, Tags: []int64{tags["release"], tags["incident"]}},
		{Date: date(bugTo), Description: `Android 4.2.1 fixes the "Sign up" event name`, Tags: []int64{tags["release"]}},
		{Date: date(60), Description: "Newsletter campaign: annual plan promotion", Tags: []int64{tags["marketing"]}},
	} {
		if _, err := c.CreateAnnotation(ctx, a); err != nil {
			return fmt.Errorf("annotation %q: %w", a.Description, err)
		}
	}

	for _, name := range []string{"core funnel", "monetization"} {
		if _, err := c.CreateLexiconTag(ctx, mixpanel.LexiconTagParams{Name: name}); err != nil {
			return fmt.Errorf("lexicon tag %q: %w", name, err)
		}
	}
	// In a fixed order: each update takes the next id of the history.
	for _, d := range []mixpanel.UpdateEventDefinitionParams{
		{Name: "Sign Up", Tags: []string{"core funnel"}}, {Name: "Activate", Tags: []string{"core funnel"}},
		{Name: "Start Trial", Tags: []string{"core funnel", "monetization"}}, {Name: "Purchase", Tags: []string{"core funnel", "monetization"}},
		{Name: "Subscription Cancelled", Tags: []string{"monetization"}},
	} {
		if _, err := c.UpdateEventDefinition(ctx, d); err != nil {
			return fmt.Errorf("lexicon %q: %w", d.Name, err)
		}
	}

	if _, err := c.SetBusinessContext(ctx, "organization", orgContext, 0); err != nil {
		return err
	}
	if _, err := c.SetBusinessContext(ctx, "project", projectContext(date), 0); err != nil {
		return err
	}
	return nil
}

const orgContext = `# Tempo Labs (demo organization)

Tempo Labs makes Tempo, a subscription productivity app on web, iOS and Android. This organization is a demo: its data is synthetic and generated in-process.

- North-star metric: weekly active users who used a feature (Feature Used, unique).
- Revenue is counted from Purchase.amount in USD; refunds are not tracked.
`

func projectContext(date func(int) string) string {
	return fmt.Sprintf(`# Tempo (demo project)

## Product
Funnel: Sign Up -> Activate (first document) -> Start Trial (7 days) -> Purchase.
Plans: monthly $9.99, pro $19.99, annual $99.99; 15%% of payments carry a 20%% coupon (coupon_applied).
Platforms: web (about half of users), ios, android. Activation and trial-to-purchase differ by platform.

## Events that matter
- Activation: Activate within 7 days of Sign Up.
- Active user: Feature Used (feature: editor, export, share, templates, search).
- Churn: Subscription Cancelled.

## What happened
- %s: Onboarding v2 launched (flag onboarding_v2): activation rose about 12 points.
- %s to %s: Android 4.2 sent "Sign up" instead of "Sign Up"; count both when analysing signups over that range.
- Sign Up carries an email property that is not marked sensitive (a known data-quality issue).

## Saved work
Dashboards: %s, %s, %s. Cohorts: %s, %s, %s.
`, date(LaunchDaysAgo), date(bugFrom), date(bugTo), DashboardGrowth, DashboardActivation, DashboardMonetization, CohortPaid, CohortIOSPower, CohortChurned)
}
