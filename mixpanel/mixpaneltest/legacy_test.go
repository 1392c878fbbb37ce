package mixpaneltest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestLegacyRoutesRefuseBadInput checks the fake answers 400/404 where
// Mixpanel does, so client bugs surface in tests instead of being masked.
func TestLegacyRoutesRefuseBadInput(t *testing.T) {
	srv := New(t)
	tests := []struct {
		method, path, query, body string
		status                    int
		msg                       string
	}{
		{"GET", QueryPrefix + "/segmentation", "from_date=2026-11-01&to_date=2026-11-02", "", 400, "'event' is a required parameter"},
		{"GET", QueryPrefix + "/segmentation", "event=A&from_date=2026-11-03&to_date=2026-11-02", "", 400, "from_date must not be after to_date"},
		{"GET", QueryPrefix + "/segmentation", "event=A&from_date=2026-11-01&to_date=2026-11-02&unit=year", "", 400, "invalid unit"},
		{"GET", QueryPrefix + "/segmentation/numeric", "event=A&from_date=2026-11-01&to_date=2026-11-02", "", 400, "'on' is a required parameter"},
		{"GET", QueryPrefix + "/segmentation/sum", "event=A&on=x&from_date=2026-11-01&to_date=2026-11-02&unit=week", "", 400, "invalid unit"},
		{"GET", QueryPrefix + "/events", "event=A&type=general&unit=day&from_date=2026-11-01&to_date=2026-11-02", "", 400, "JSON array"},
		{"GET", QueryPrefix + "/events/properties", "event=A&from_date=2026-11-01&to_date=2026-11-02", "", 400, "'name' is a required parameter"},
		{"GET", QueryPrefix + "/funnels", "funnel_id=1&from_date=2026-11-01&to_date=2026-11-02", "", 404, "funnel 1 not found"},
		{"GET", QueryPrefix + "/funnels", "funnel_id=7509&from_date=2026-11-01", "", 400, "'to_date' is a required parameter"},
		{"GET", QueryPrefix + "/retention", "born_event=A&from_date=2026-11-01&to_date=2026-11-02&unit=day&interval=2", "", 400, "mutually exclusive"},
		{"GET", QueryPrefix + "/retention", "bookmark_id=63880001", "", 400, "not retention"},
		{"GET", QueryPrefix + "/retention/addiction", "from_date=2026-11-01&to_date=2026-11-02&unit=day", "", 400, "'addiction_unit' is a required parameter"},
		{"GET", QueryPrefix + "/insights", "", "", 400, "'bookmark_id' is a required parameter"},
		{"GET", QueryPrefix + "/insights", "bookmark_id=9", "", 404, "bookmark 9 not found"},
		{"GET", QueryPrefix + "/arb_funnels", "bookmark_id=63880005&query_type=tree", "", 400, "query_type"},
		{"GET", QueryPrefix + "/arb_funnels", "query_type=tree", "", 400, "'bookmark_id' is a required parameter"},
		{"GET", QueryPrefix + "/arb_funnels", "bookmark_id=63880001&query_type=flows_sankey", "", 400, "not flows"},
		{"GET", QueryPrefix + "/arb_funnels", "bookmark_id=x&query_type=flows_sankey", "", 400, "bookmark_id must be an integer"},
		{"POST", QueryPrefix + "/stream/bookmark", "", `{"project_id":12345,"bookmark":{"dateRange":{"type":"since","from":"2026-11-01"}}}`, 400, "distinct_ids is required"},
		{"POST", QueryPrefix + "/stream/bookmark", "", `{"project_id":12345,"distinct_ids":["u"],"limit":20000,"bookmark":{}}`, 400, "limit"},
		{"POST", QueryPrefix + "/stream/bookmark", "", `{"project_id":1,"distinct_ids":["u"],"bookmark":{}}`, 400, "project_id"},
		{"POST", EngagePrefix, "", `{"project_id":12345,"page":1,"session_id":"x"}`, 400, "session_id"},
		{"POST", EngagePrefix, "", `{"project_id":12345,"distinct_id":"a","distinct_ids":"[\"b\"]"}`, 400, "mutually exclusive"},
		{"POST", EngagePrefix, "", `{"project_id":12345,"filter_by_cohort":"{\"id\":5}"}`, 404, "cohort 5 not found"},
		{"POST", EngagePrefix, "", `{"project_id":12345,"sort_order":"up"}`, 400, "sort_order"},
		{"POST", EngagePrefix + "/stats", "", `{"project_id":12345,"action":"sum()"}`, 400, "invalid action"},
		{"POST", EngagePrefix + "/stats", "", `{"project_id":12345,"action":"count()","where":"x"}`, 400, "selector"},
		{"GET", ExportPrefix + "/export", "from_date=2026-11-01&to_date=2026-11-02&limit=0", "", 400, "limit"},
		{"GET", ExportPrefix + "/export", "from_date=2026-11-01&to_date=2026-11-02&where=properties[", "", 400, "invalid where"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+"?"+tt.query+tt.body, func(t *testing.T) {
			q := "project_id=" + ProjectID
			if tt.query != "" {
				q += "&" + tt.query
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path+"?"+q, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth(Username, Secret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.msg) {
				t.Errorf("got %d %s, want %d containing %q", resp.StatusCode, body, tt.status, tt.msg)
			}
		})
	}
}
