package demo

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestExportRowsMatchCounts(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	from, to := last30Dates(p)
	for _, tc := range []struct {
		name   string
		params mixpanel.ExportParams
		event  string
		where  map[string]string
		filter []any
	}{
		{"one event", mixpanel.ExportParams{Events: []string{"Purchase"}}, "Purchase", nil, nil},
		{"where", mixpanel.ExportParams{Events: []string{"Sign Up"}, Where: `properties["platform"] == "ios"`}, "Sign Up", map[string]string{"platform": "ios"}, []any{equalsFilter("platform", "ios")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.params.FromDate, tc.params.ToDate = from, to
			var rows []mixpanel.ExportEvent
			stats, err := c.ExportEvents(ctx, tc.params, func(e mixpanel.ExportEvent) bool { rows = append(rows, e); return true })
			if err != nil {
				t.Fatal(err)
			}
			_, direct := directUnique(p, tc.event, tc.where)
			total := series(t, query(t, p, insightsBookmark(tc.event, "total", "bar", tc.filter)), tc.event+" [Total Events]")["all"]
			if len(rows) != direct || float64(direct) != total || direct == 0 || stats.Skipped != 0 {
				t.Fatalf("%d rows (%d skipped), direct count %d, insights total %v", len(rows), stats.Skipped, direct, total)
			}
			for k, r := range rows {
				if r.EventName != tc.event || (k > 0 && r.EventTime < rows[k-1].EventTime) {
					t.Fatalf("row %d: %s at %s after %s; want %s in time order", k, r.EventName, r.EventTime, rows[max(k-1, 0)].EventTime, tc.event)
				}
				for prop, want := range tc.where {
					if r.Properties[prop] != want {
						t.Fatalf("row %d: %s=%v, want %s", k, prop, r.Properties[prop], want)
					}
				}
			}
			if r := rows[0]; r.DistinctID == "" || r.InsertID == "" || r.Properties["country"] == nil {
				t.Errorf("row %+v lacks its distinct_id, $insert_id or properties", r)
			}
		})
	}
	var n int
	if _, err := c.ExportEvents(ctx, mixpanel.ExportParams{FromDate: from, ToDate: to, Limit: 25}, func(mixpanel.ExportEvent) bool { n++; return true }); err != nil || n != 25 {
		t.Errorf("limit 25: %d rows, err %v", n, err)
	}
}

// TestExportStreams: a reader that stops after a few lines of a whole
// export leaves the demo having produced (and allocated) a sliver of it.
func TestExportStreams(t *testing.T) {
	p := smallDemo()
	from, to := last30Dates(p)
	p.times.get(p.Events) // the one-off time index is not the stream's cost
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	req, _ := http.NewRequest(http.MethodGet, baseURL+mixpaneltest.ExportPrefix+"/export?from_date="+from+"&to_date="+to+"&project_id="+mixpaneltest.ProjectID, nil)
	req.SetBasicAuth(mixpaneltest.Username, mixpaneltest.Secret)
	resp, err := p.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	for k := 0; k < 100 && sc.Scan(); k++ {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %d: %v", k, err)
		}
	}
	_ = resp.Body.Close()
	runtime.ReadMemStats(&after)
	_, all := directUnique(p, "Page View", nil) // a lower bound of the whole export's rows
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 || all < 20000 {
		t.Fatalf("reading 100 lines of a %d+ row export allocated %d MiB; want the stream to stop with its reader", all, grew>>20)
	}
}

func TestActivityFeedPagesThroughAUser(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	e := p.Events
	from, to := last30Dates(p)
	// The most active user of the range, and their events straight from
	// the columns.
	lo := int32(Days-30) * day
	best, bestN := 0, 0
	for u := range e.users {
		n := 0
		for i := e.first[u]; i < e.first[u+1]; i++ {
			if e.t[i] >= lo && e.ev[i] != evPageView {
				n++
			}
		}
		if n > bestN {
			best, bestN = u, n
		}
	}
	var want []string
	for i := e.first[best]; i < e.first[best+1]; i++ {
		if e.t[i] >= lo && e.ev[i] != evPageView {
			want = append(want, eventNames[e.ev[i]]+"@"+time.Unix(e.unix(e.t[i]), 0).UTC().Format(time.RFC3339))
		}
	}
	var got []string
	params := mixpanel.ActivityFeedParams{DistinctIDs: []string{distinctID(best)}, FromDate: from, ToDate: to, Limit: 7, ExcludeEvents: []string{"Page View"}}
	for pages := 0; ; pages++ {
		res, err := c.ActivityFeed(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range res.Events {
			if ev.Properties["$distinct_id"] != distinctID(best) {
				t.Fatalf("event of %v in %s's feed", ev.Properties["$distinct_id"], distinctID(best))
			}
			got = append(got, ev.Event+"@"+ev.Time)
		}
		if res.SentinelEvent == nil || pages > 100 {
			break
		}
		params.SentinelEvent = res.SentinelEvent
	}
	if !slices.Equal(got, want) || len(want) < 8 {
		t.Fatalf("feed pages give %d events, the columns %d:\n%v\n%v", len(got), len(want), got, want)
	}
	res, err := c.ActivityFeed(ctx, mixpanel.ActivityFeedParams{DistinctIDs: []string{"nobody"}, FromDate: from, ToDate: to})
	if err != nil || len(res.Events) != 0 {
		t.Errorf("unknown user: %d events, err %v", len(res.Events), err)
	}
}

func TestSortByTime(t *testing.T) {
	e := smallDemo().Events
	order := sortByTime(e.t)
	if len(order) != len(e.t) {
		t.Fatalf("%d indexes for %d events", len(order), len(e.t))
	}
	seen := make([]bool, len(e.t))
	for k, i := range order {
		seen[i] = true
		if k > 0 {
			if p := order[k-1]; e.t[p] > e.t[i] || (e.t[p] == e.t[i] && p > i) {
				t.Fatalf("position %d: event %d at %d after event %d at %d", k, i, e.t[i], p, e.t[p])
			}
		}
	}
	if slices.Contains(seen, false) {
		t.Fatal("an event is missing from the order")
	}
	if Days*day >= 1<<24 {
		t.Fatalf("times reach %d; the sort covers 24 bits", Days*day)
	}
}

// TestExportLineIsTheWireLine: the demo's direct encoder writes what the
// shared wire helper writes, for every kind of event.
func TestExportLineIsTheWireLine(t *testing.T) {
	e := smallDemo().Events
	var seen [numEvents]bool
	for u := range e.users {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if seen[e.ev[i]] {
				continue
			}
			seen[e.ev[i]] = true
			var got, want map[string]any
			if err := json.Unmarshal(e.appendExportLine(nil, i, u), &got); err != nil {
				t.Fatalf("%s: %v", eventNames[e.ev[i]], err)
			}
			if err := json.Unmarshal(mixpaneltest.ExportLine(e.raw(i, u)), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:\n%v\n%v", eventNames[e.ev[i]], got, want)
			}
		}
	}
	if slices.Contains(seen[:], false) {
		t.Errorf("some events never occur: %v", seen)
	}
}
