package demo

import (
	"context"
	"math"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

func TestLegacyRetentionMatchesInsights(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	for _, unit := range []string{"day", "week"} {
		res, err := c.Retention(ctx, mixpanel.RetentionParams{BornEvent: "Sign Up", Event: "Feature Used", FromDate: from, ToDate: to, Unit: unit})
		if err != nil {
			t.Fatal(err)
		}
		ins := series(t, query(t, p, retentionBookmark("Sign Up", "Feature Used", unit)), "Sign Up and then Feature Used")
		if len(res.Cohorts) != len(ins)-1 || len(res.Cohorts) == 0 {
			t.Fatalf("%s: %d legacy cohorts, %d insights cohorts", unit, len(res.Cohorts), len(ins)-1)
		}
		retained := 0.0
		for _, co := range res.Cohorts {
			want := ins[co.Date+"T00:00:00-07:00"].(map[string]any)
			counts := want["counts"].([]any)
			if co.Size != want["first"] || len(co.Retention) != len(counts) {
				t.Fatalf("%s cohort %s: size %v over %d units, insights %v over %d", unit, co.Date, co.Size, len(co.Retention), want["first"], len(counts))
			}
			for b := 1; b < len(counts); b++ {
				if got := math.Round(co.Retention[b] * co.Size); got != counts[b] {
					t.Errorf("%s cohort %s unit %d: legacy %v retained, insights %v", unit, co.Date, b, got, counts[b])
				}
				retained += counts[b].(float64)
			}
		}
		if retained == 0 {
			t.Errorf("%s: nobody retained; the identity proves nothing", unit)
		}
	}

	// born_where filters the births; interval_count caps the units.
	res, err := c.Retention(ctx, mixpanel.RetentionParams{BornEvent: "Sign Up", FromDate: from, ToDate: to, IntervalCount: 3, BornWhere: `properties["platform"] == "ios"`})
	if err != nil {
		t.Fatal(err)
	}
	births := 0.0
	for _, co := range res.Cohorts {
		births += co.Size
		if len(co.Retention) > 3 {
			t.Errorf("cohort %s has %d units, want at most 3", co.Date, len(co.Retention))
		}
	}
	unique := series(t, query(t, p, insightsBookmark("Sign Up", "unique", "bar", []any{equalsFilter("platform", "ios")})), "Sign Up [Unique Users]")["all"]
	if births != unique || births == 0 {
		t.Errorf("iOS births %v, insights unique iOS Sign Up %v", births, unique)
	}
}

func TestLegacyFrequencyMatchesCounts(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	res, err := c.Frequency(ctx, mixpanel.FrequencyParams{Event: "Feature Used", FromDate: from, ToDate: to})
	if err != nil {
		t.Fatal(err)
	}
	unique := byDay(series(t, query(t, p, insightsBookmark("Feature Used", "unique", "line", nil)), "Feature Used [Unique Users]"))
	if len(res.Data) != 30 {
		t.Fatalf("%d days of frequency, want 30", len(res.Data))
	}
	for d, row := range res.Data {
		if len(row) != 24 || row[0] != unique[d] {
			t.Fatalf("%s: %d hours, %v active; insights unique %v", d, len(row), row[0], unique[d])
		}
		for i := 1; i < len(row); i++ {
			if row[i] > row[i-1] {
				t.Fatalf("%s: %v users in %d+ hours after %v in %d+", d, row[i], i+1, row[i-1], i)
			}
		}
	}
	// Users active in two or more distinct hours of the last day, counted
	// straight from the columns.
	e := p.Events
	lastDay := int32(Days - 1)
	want := 0
	for u := range e.users {
		hours := map[int32]bool{}
		for i := e.first[u]; i < e.first[u+1]; i++ {
			if e.ev[i] == evFeatureUsed && e.t[i]/day == lastDay {
				hours[e.t[i]/3600] = true
			}
		}
		if len(hours) >= 2 {
			want++
		}
	}
	if got := res.Data[to][1]; got != float64(want) || want == 0 {
		t.Errorf("%s: %v users in 2+ hours, direct %d", to, got, want)
	}
	weekly, err := c.Frequency(ctx, mixpanel.FrequencyParams{Event: "Feature Used", FromDate: from, ToDate: to, Unit: "week", AddictionUnit: "day"})
	if err != nil {
		t.Fatal(err)
	}
	for d, row := range weekly.Data {
		if len(row) != 7 || row[0] == 0 {
			t.Errorf("week %s: %v; want 7 days and someone active", d, row)
		}
	}
}
