package mixpaneltest

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Saved reports (wire reference §4.4): GET /insights?bookmark_id= for
// insights bookmarks, GET /arb_funnels?bookmark_id= for flows; saved
// funnels and retention share the legacy /funnels and /retention routes.
func routesReports(s *Server) {
	s.handle(http.MethodGet, QueryPrefix+"/insights", s.savedInsights)
	s.handle(http.MethodGet, QueryPrefix+"/arb_funnels", s.savedFlows)
}

// bookmark finds a bookmark by the bookmark_id parameter, of type typ
// unless typ is "", answering 400 or 404 the way Mixpanel does.
func (s *Server) bookmark(w http.ResponseWriter, raw, typ string) (Bookmark, bool) {
	if raw == "" {
		WriteJSON(w, http.StatusBadRequest, errorBody("'bookmark_id' is a required parameter"))
		return Bookmark{}, false
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("bookmark_id must be an integer, got "+strconv.Quote(raw)))
		return Bookmark{}, false
	}
	for _, b := range s.Data.Bookmarks {
		if b.ID != id {
			continue
		}
		if typ != "" && b.Type != typ {
			WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("bookmark %d is a %s report, not %s", b.ID, b.Type, typ)))
			return Bookmark{}, false
		}
		return b, true
	}
	WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("bookmark %d not found", id)))
	return Bookmark{}, false
}

func (s *Server) savedInsights(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bookmark(w, r.URL.Query().Get("bookmark_id"), "")
	if !ok {
		return
	}
	today := s.Data.Today()
	from := today.AddDate(0, 0, -6)
	series := map[string]any{}
	for _, ev := range []string{"App Open", "Purchase"} {
		byDate := map[string]any{}
		for _, k := range periodKeys(from, today, "day") {
			byDate[k+"T00:00:00-07:00"] = LegacyCount(100, 900, b.Name, ev, k)
		}
		series[ev+" [Unique Users]"] = byDate
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"computed_at": today.Format("2006-01-02T15:04:05.000000+00:00"),
		"date_range":  map[string]any{"from_date": from.Format(dayLayout) + "T00:00:00-07:00", "to_date": today.Format(dayLayout) + "T23:59:59.999000-07:00"},
		"headers":     []string{"$event"},
		"series":      series,
	})
}

func (s *Server) savedRetention(w http.ResponseWriter, raw string) {
	b, ok := s.bookmark(w, raw, "retention")
	if !ok {
		return
	}
	today := s.Data.Today()
	WriteJSON(w, http.StatusOK, retentionCohorts(periodKeys(today.AddDate(0, 0, -27), today, "week"), 4, b.Name, ""))
}

func (s *Server) savedFlows(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if qt := q.Get("query_type"); q.Get("bookmark_id") != "" && qt != "flows_sankey" && qt != "flows_top_paths" && qt != "flows" {
		WriteJSON(w, http.StatusBadRequest, errorBody("query_type must be flows_sankey, flows_top_paths or flows"))
		return
	}
	b, ok := s.bookmark(w, q.Get("bookmark_id"), "flows")
	if !ok {
		return
	}
	node := func(event, typ string, count int, edges ...map[string]any) map[string]any {
		if edges == nil {
			edges = []map[string]any{}
		}
		return map[string]any{"event": event, "type": typ, "anchorType": "NORMAL", "totalCount": strconv.Itoa(count), "isCustomEvent": false, "conversionRateChange": 0.0, "isComputed": false, "edges": edges}
	}
	edge := func(event, typ string, step, count int) map[string]any {
		return map[string]any{"event": event, "type": typ, "step": step, "totalCount": strconv.Itoa(count)}
	}
	steps := []map[string]any{
		{"nodes": []map[string]any{node("Sign Up", "ANCHOR", 1000,
			edge("Product Viewed", "NORMAL", 1, 620), edge("Search", "NORMAL", 1, 250), edge("$dropoff", "DROPOFF", 1, 130))}},
		{"nodes": []map[string]any{
			node("Product Viewed", "FORWARD", 620, edge("Add to Cart", "NORMAL", 2, 310), edge("$dropoff", "DROPOFF", 2, 310)),
			node("Search", "FORWARD", 250, edge("Product Viewed", "NORMAL", 2, 140), edge("$dropoff", "DROPOFF", 2, 110)),
		}},
		{"nodes": []map[string]any{node("Add to Cart", "FORWARD", 310), node("Product Viewed", "FORWARD", 140)}},
	}
	WriteJSON(w, http.StatusOK, map[string]any{
		"computed_at":           s.Data.Today().Format(time.RFC3339),
		"steps":                 steps,
		"breakdowns":            []map[string]any{{"path": []string{"Sign Up", "Product Viewed", "Add to Cart"}, "totalCount": "310"}},
		"overallConversionRate": 0.31,
		"metadata":              map[string]any{"bookmark_id": b.ID, "name": b.Name},
	})
}
