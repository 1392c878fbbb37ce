package mixpaneltest

import (
	"net/http"
	"strconv"
)

// Custom alerts (wire reference §4.15), kept in the store.
func routesAlerts(s *Server) {
	const coll = "alerts/custom"
	s.REST(Collection{Name: coll, ListSlash: true, ItemSlash: true,
		Required: []string{"bookmark_id", "name", "condition", "frequency", "subscriptions"},
		Create: func(r *http.Request, e Entity) {
			e["bookmark"] = Entity{"id": e["bookmark_id"]}
			delete(e, "bookmark_id")
			e["valid"] = true
			e["creator"] = Entity{"id": 7002, "first_name": "Grace", "last_name": "Hopper"}
		},
		Filter: func(r *http.Request, e Entity) bool {
			b := r.URL.Query().Get("bookmark_id")
			bm, _ := e["bookmark"].(Entity)
			return b == "" || IDOf(bm) == b
		}})
	s.HandleScoped(http.MethodPost, "/alerts/custom/bulk-delete/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			AlertIDs []int64 `json:"alert_ids"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		for _, id := range body.AlertIDs {
			s.Store.Delete(Scope(r), coll, strconv.FormatInt(id, 10))
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleScoped(http.MethodGet, "/alerts/custom/alert-count/{$}", func(w http.ResponseWriter, r *http.Request) {
		n := len(s.Store.List(Scope(r), coll))
		WriteApp(w, Entity{"anomaly_alerts_count": n, "alert_limit": 20, "is_below_limit": n < 20})
	})
	s.HandleScoped(http.MethodGet, "/alerts/custom/{id}/history/{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.Store.Get(Scope(r), coll, r.PathValue("id")); !ok {
			NotFound(w, "alerts", r.PathValue("id"))
			return
		}
		WriteApp(w, Entity{"results": []Entity{{"fired": true, "timestamp": "2026-11-24T14:00:00Z", "value": 301}}, "pagination": Entity{"page_size": 20, "next_cursor": nil, "previous_cursor": nil}})
	})
	s.HandleScoped(http.MethodPost, "/alerts/custom/test/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		subs, _ := body["subscriptions"].([]any)
		WriteApp(w, Entity{"status": "sent", "recipients": len(subs)})
	})
	s.HandleScoped(http.MethodGet, "/alerts/custom/screenshot/{$}", func(w http.ResponseWriter, r *http.Request) {
		WriteApp(w, Entity{"signed_url": "https://storage.googleapis.com/mp-alerts/" + r.URL.Query().Get("gcs_key") + "?sig=test"})
	})
	s.HandleScoped(http.MethodPost, "/alerts/custom/validate-alerts-for-bookmark/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			AlertIDs []int64 `json:"alert_ids"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		out := []Entity{}
		invalid := 0
		for _, id := range body.AlertIDs {
			a, ok := s.Store.Get(Scope(r), coll, strconv.FormatInt(id, 10))
			v := Entity{"alert_id": id, "valid": ok, "reason": nil}
			if ok {
				v["alert_name"] = a["name"]
			} else {
				v["reason"] = "alert not found"
				invalid++
			}
			out = append(out, v)
		}
		WriteApp(w, Entity{"alert_validations": out, "invalid_count": invalid})
	})
}
