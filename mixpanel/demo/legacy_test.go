package demo

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// last30Dates is "the last 30 days" of last30, as legacy from/to dates.
func last30Dates(p *Project) (from, to string) {
	today := p.Events.today()
	return today.AddDate(0, 0, -29).Format("2006-01-02"), today.Format("2006-01-02")
}

// byDay re-keys an Insights day series ("2026-11-01T00:00:00-07:00") by
// the legacy day key ("2026-11-01").
func byDay(s map[string]any) map[string]float64 {
	out := map[string]float64{}
	for k, v := range s {
		out[k[:10]] = v.(float64)
	}
	return out
}

func sum(m map[string]float64) (n float64) {
	for _, v := range m {
		n += v
	}
	return n
}

func TestLegacySegmentationMatchesInsights(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	for _, tc := range []struct {
		name, event, where string
		filter             []any
		typ, math, label   string
	}{
		{"events", "Feature Used", "", nil, "general", "total", "Total Events"},
		{"users", "Feature Used", "", nil, "unique", "unique", "Unique Users"},
		{"where", "Purchase", `properties["platform"] == "ios"`, []any{equalsFilter("platform", "ios")}, "general", "total", "Total Events"},
		{"where in", "Page View", `properties["utm_source"] in ["google", "twitter"] and properties["country"] == "US"`,
			[]any{equalsFilter("utm_source", "google", "twitter"), equalsFilter("country", "US")}, "unique", "unique", "Unique Users"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seg, err := c.Segmentation(ctx, mixpanel.SegmentationParams{Event: tc.event, FromDate: from, ToDate: to, Type: tc.typ, Where: tc.where})
			if err != nil {
				t.Fatal(err)
			}
			want := byDay(series(t, query(t, p, insightsBookmark(tc.event, tc.math, "line", tc.filter)), tc.event+" ["+tc.label+"]"))
			got := seg.Series[tc.event]
			if len(got) != 30 || len(want) != 30 {
				t.Fatalf("%d legacy days, %d insights days; want 30", len(got), len(want))
			}
			for d, n := range want {
				if got[d] != n {
					t.Errorf("%s: legacy %v, insights %v", d, got[d], n)
				}
			}
			if seg.Total == 0 || seg.Total != sum(want) {
				t.Errorf("legacy total %v, insights days sum to %v", seg.Total, sum(want))
			}
		})
	}
	// Segmented by a property: the segments add up to the total, and each
	// equals the direct count.
	seg, err := c.Segmentation(ctx, mixpanel.SegmentationParams{Event: "Purchase", FromDate: from, ToDate: to, On: "plan", Where: `properties["coupon_applied"] == "true"`})
	if err != nil {
		t.Fatal(err)
	}
	all := 0.0
	for _, plan := range plans {
		_, events := directUnique(p, "Purchase", map[string]string{"plan": plan, "coupon_applied": "true"})
		if got := sum(seg.Series[plan]); got != float64(events) || events == 0 {
			t.Errorf("plan %s with a coupon: legacy %v, direct %d", plan, got, events)
		}
		all += float64(events)
	}
	if seg.Total != all || len(seg.Series) != len(plans) {
		t.Errorf("segments %v total %v; want %d plans summing to %v", seg.Series, seg.Total, len(plans), all)
	}
}

func TestLegacyNumericMatchesInsights(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	amount := map[string]any{"name": "amount", "resourceType": "events", "type": "number"}
	metric := func(math string) map[string]float64 {
		bm := insightsBookmark("Purchase", math, "line", nil)
		bm["sections"].(map[string]any)["show"].([]any)[0].(map[string]any)["measurement"].(map[string]any)["property"] = amount
		return byDay(series(t, query(t, p, bm), "Purchase ["+map[string]string{"sum": "Sum", "average": "Average"}[math]+" of amount]"))
	}
	params := mixpanel.NumericParams{Event: "Purchase", FromDate: from, ToDate: to, On: "amount"}
	sums, err := c.NumericSum(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	avgs, err := c.NumericAverage(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	wantSum, wantAvg := metric("sum"), metric("average")
	for d := range wantSum {
		if sums.Results[d] != wantSum[d] || avgs.Results[d] != wantAvg[d] {
			t.Errorf("%s: legacy sum %v average %v, insights %v and %v", d, sums.Results[d], avgs.Results[d], wantSum[d], wantAvg[d])
		}
	}
	if sum(wantSum) == 0 || sums.ComputedAt == nil {
		t.Fatalf("no purchases summed (%v) or no computed_at", sum(wantSum))
	}
	buckets, err := c.NumericBuckets(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	_, purchases := directUnique(p, "Purchase", nil)
	total := 0.0
	for label, days := range buckets.Series {
		if !strings.Contains(label, " - ") {
			t.Errorf("bucket %q is not a range", label)
		}
		total += sum(days)
	}
	if total != float64(purchases) || len(buckets.Series) < 2 {
		t.Errorf("%d buckets hold %v purchases; want several holding all %d", len(buckets.Series), total, purchases)
	}
	// 19.99 (pro) and 15.99 (pro with a coupon) share the 10 - 20 bucket.
	if _, ok := buckets.Series["10 - 20"]; !ok {
		t.Errorf("buckets %v: want 10-wide ranges such as \"10 - 20\"", keys(buckets.Series))
	}
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func TestLegacyEventAndPropertyCounts(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	events := []string{"Sign Up", "Purchase", "No Such Event"}
	weekly, err := c.EventCounts(ctx, mixpanel.EventCountsParams{Events: events, FromDate: from, ToDate: to, Unit: "week"})
	if err != nil {
		t.Fatal(err)
	}
	daily, err := c.EventCounts(ctx, mixpanel.EventCountsParams{Events: events, FromDate: from, ToDate: to, Type: "unique"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events[:2] {
		_, n := directUnique(p, ev, nil)
		if got := sum(weekly.Series[ev]); got != float64(n) || n == 0 {
			t.Errorf("%s by week: %v events, direct %d", ev, got, n)
		}
		want := byDay(series(t, query(t, p, insightsBookmark(ev, "unique", "line", nil)), ev+" [Unique Users]"))
		for d, n := range want {
			if daily.Series[ev][d] != n {
				t.Errorf("%s %s: legacy unique %v, insights %v", ev, d, daily.Series[ev][d], n)
			}
		}
	}
	if len(weekly.Series["No Such Event"]) == 0 || sum(weekly.Series["No Such Event"]) != 0 {
		t.Errorf("unknown event: %v; want zero in every week", weekly.Series["No Such Event"])
	}

	props, err := c.PropertyCounts(ctx, mixpanel.PropertyCountsParams{Event: "Feature Used", PropertyName: "feature", FromDate: from, ToDate: to})
	if err != nil {
		t.Fatal(err)
	}
	_, used := directUnique(p, "Feature Used", nil)
	all := 0.0
	for _, f := range features {
		_, n := directUnique(p, "Feature Used", map[string]string{"feature": f})
		if got := sum(props.Series[f]); got != float64(n) {
			t.Errorf("feature %s: %v, direct %d", f, got, n)
		}
		all += sum(props.Series[f])
	}
	if all != float64(used) || len(props.Series) != len(features) {
		t.Errorf("%d values summing to %v; want %d summing to %d", len(props.Series), all, len(features), used)
	}
	top, err := c.PropertyCounts(ctx, mixpanel.PropertyCountsParams{Event: "Feature Used", PropertyName: "feature", FromDate: from, ToDate: to, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	only, err := c.PropertyCounts(ctx, mixpanel.PropertyCountsParams{Event: "Feature Used", PropertyName: "feature", FromDate: from, ToDate: to, Values: []string{"share"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(top.Series) != 2 || len(only.Series) != 1 || sum(only.Series["share"]) != sum(props.Series["share"]) {
		t.Errorf("limit 2 gave %v, values [share] gave %v", keys(top.Series), keys(only.Series))
	}
	for v := range top.Series {
		for _, f := range features {
			if _, in := top.Series[f]; !in && sum(props.Series[f]) > sum(props.Series[v]) {
				t.Errorf("top 2 has %s but not the larger %s", v, f)
			}
		}
	}
}

func TestLegacyRefusesWhatItDoesNotEvaluate(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	for name, params := range map[string]mixpanel.SegmentationParams{
		"minute buckets": {Event: "Sign Up", FromDate: from, ToDate: to, Unit: "minute"},
		"where regex":    {Event: "Sign Up", FromDate: from, ToDate: to, Where: `regex(properties["email"], "x")`},
		"user property":  {Event: "Sign Up", FromDate: from, ToDate: to, On: `user["plan"]`},
	} {
		_, err := c.Segmentation(ctx, params)
		if err == nil || !strings.Contains(err.Error(), "the demo project does not support") {
			t.Errorf("%s: err %v; want the demo's refusal", name, err)
		}
	}
	_, err := c.Retention(ctx, mixpanel.RetentionParams{BornEvent: "Sign Up", FromDate: from, ToDate: to, RetentionType: "compounded"})
	if err == nil || !strings.Contains(err.Error(), "compounded") {
		t.Errorf("compounded retention: err %v; want the demo's refusal", err)
	}
	_, err = c.Frequency(ctx, mixpanel.FrequencyParams{FromDate: from, ToDate: to, On: "platform"})
	if err == nil || !strings.Contains(err.Error(), "segmented frequency") {
		t.Errorf("segmented frequency: err %v; want the demo's refusal", err)
	}
}

// benchGet runs a GET of the query API on the full demo (1M+ events) and
// reads the whole answer.
func benchGet(b *testing.B, path string, q url.Values) {
	p := benchDemo()
	q.Set("project_id", mixpaneltest.ProjectID)
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest(http.MethodGet, baseURL+path+"?"+q.Encode(), nil)
		req.SetBasicAuth(mixpaneltest.Username, mixpaneltest.Secret)
		resp, err := p.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || n == 0 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
}

func benchLast30() url.Values {
	p := benchDemo()
	from, to := last30Dates(p)
	return url.Values{"from_date": {from}, "to_date": {to}}
}

func BenchmarkLegacySegmentationOnWhere(b *testing.B) {
	q := benchLast30()
	q.Set("event", "Page View")
	q.Set("on", `properties["platform"]`)
	q.Set("where", `properties["country"] == "US"`)
	q.Set("type", "unique")
	benchGet(b, mixpaneltest.QueryPrefix+"/segmentation", q)
}

func BenchmarkLegacyFrequency(b *testing.B) {
	q := benchLast30()
	q.Set("event", "Feature Used")
	q.Set("unit", "day")
	q.Set("addiction_unit", "hour")
	benchGet(b, mixpaneltest.QueryPrefix+"/retention/addiction", q)
}

func BenchmarkExport10k(b *testing.B) {
	q := benchLast30()
	q.Set("limit", "10000")
	q.Set("where", `properties["platform"] == "web"`)
	benchGet(b, mixpaneltest.ExportPrefix+"/export", q)
}
