package mixpaneltest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Event deletion requests (wire reference §4.25) and the schema registry's
// writes (§4.21), kept in the store. Schema reads keep the fake's seeded
// Lexicon schemas (discovery.go), which the discovery tools test against.
func routesGovernanceB(s *Server) {
	s.deletionRoutes()
	s.schemaRoutes()
}

func (s *Server) deletionRoutes() {
	const coll, base = "deletion-requests", "/data-definitions/events/deletion-requests"
	st := s.Store
	list := func(w http.ResponseWriter, r *http.Request) { WriteApp(w, st.List(Scope(r), coll)) }
	s.HandleScoped(http.MethodGet, base+"/{$}", list)
	s.HandleScoped(http.MethodPost, base+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, []string{"eventName", "fromDate", "toDate"}); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		body["id"] = st.NextID()
		body["status"] = "Submitted"
		body["deletedEventsCount"] = 0
		body["created"] = s.Data.Now.UTC().Format("2006-01-02T15:04:05")
		body["requestingUser"] = Entity{"id": 7002, "email": "grace@example.com"}
		st.Put(Scope(r), coll, body)
		list(w, r)
	})
	s.HandleScoped(http.MethodDelete, base+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ID json.Number `json:"id"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		e, ok := st.Get(Scope(r), coll, body.ID.String())
		if !ok {
			NotFound(w, coll, body.ID.String())
			return
		}
		if e["status"] != "Submitted" {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "Only a Submitted request can be cancelled", "status": "error"})
			return
		}
		st.Delete(Scope(r), coll, body.ID.String())
		list(w, r)
	})
	s.HandleScoped(http.MethodPost, base+"/preview-filters/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		out := []any{}
		switch f := body["filters"].(type) {
		case []any:
			out = f
		case map[string]any:
			out = append(out, f)
		}
		WriteApp(w, out)
	})
}

func (s *Server) schemaRoutes() {
	const coll = "schemas"
	st := s.Store
	key := func(et, name string) string { return et + "/" + name }
	s.HandleScoped(http.MethodPost, "/schemas/{et}/{name}", func(w http.ResponseWriter, r *http.Request) {
		var schema Entity
		if !DecodeBody(w, r, &schema) {
			return
		}
		e := Entity{"id": key(r.PathValue("et"), r.PathValue("name")), "entityType": r.PathValue("et"), "name": r.PathValue("name"), "schemaJson": schema}
		st.Put(Scope(r), coll, e)
		WriteApp(w, e)
	})
	del := func(w http.ResponseWriter, r *http.Request) {
		et, name := r.PathValue("et"), r.PathValue("name")
		n := 0
		for _, e := range st.List(Scope(r), coll) {
			id := IDOf(e)
			if (et == "" || strings.HasPrefix(id, et+"/")) && (name == "" || id == key(et, name)) {
				st.Delete(Scope(r), coll, id)
				n++
			}
		}
		WriteApp(w, Entity{"deleteCount": n})
	}
	s.HandleScoped(http.MethodDelete, "/schemas", del)
	s.HandleScoped(http.MethodDelete, "/schemas/{et}", del)
	s.HandleScoped(http.MethodDelete, "/schemas/{et}/{name}", del)
}

// Schema enforcement (§4.22), the data audit (§4.23) and data-volume
// anomalies (§4.24).
func routesGovernanceB2(s *Server) {
	s.enforcementRoutes()
	s.auditRoutes()
}

func (s *Server) enforcementRoutes() {
	const coll, path, id = "schema-enforcement", "/data-definitions/schema/{$}", 1
	st := s.Store
	rules := []string{"Warn and Accept", "Warn and Hide", "Warn and Drop"}
	get := func(w http.ResponseWriter, r *http.Request) (Entity, bool) {
		e, ok := st.Get(Scope(r), coll, "1")
		if !ok {
			WriteJSON(w, http.StatusNotFound, map[string]any{"error": "Schema enforcement is not initialized", "status": "error"})
		}
		return e, ok
	}
	badRule := func(w http.ResponseWriter, body Entity) bool {
		if rule, ok := body["ruleEvent"]; ok && !slicesContains(rules, rule) {
			FieldErrors(w, map[string][]string{"ruleEvent": {"Must be one of Warn and Accept, Warn and Hide, Warn and Drop."}})
			return true
		}
		return false
	}
	s.HandleScoped(http.MethodGet, path, func(w http.ResponseWriter, r *http.Request) {
		if e, ok := get(w, r); ok {
			WriteApp(w, e)
		}
	})
	s.HandleScoped(http.MethodPost, path, func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) || badRule(w, body) {
			return
		}
		if _, exists := st.Get(Scope(r), coll, "1"); exists {
			WriteJSON(w, http.StatusConflict, map[string]any{"error": "Schema enforcement is already initialized", "status": "error"})
			return
		}
		e := Entity{"id": id, "ruleEvent": body["ruleEvent"], "state": "planned", "events": []any{}, "commonProperties": []any{}, "userProperties": []any{}, "notificationEmails": []any{}}
		st.Put(Scope(r), coll, e)
		WriteApp(w, e)
	})
	change := func(replace bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			e, ok := get(w, r)
			if !ok {
				return
			}
			var body Entity
			if !DecodeBody(w, r, &body) || badRule(w, body) {
				return
			}
			if replace {
				e = Entity{"id": id, "state": e["state"]}
			}
			for k, v := range body {
				e[k] = v
			}
			st.Put(Scope(r), coll, e)
			WriteApp(w, e)
		}
	}
	s.HandleScoped(http.MethodPatch, path, change(false))
	s.HandleScoped(http.MethodPut, path, change(true))
	s.HandleScoped(http.MethodDelete, path, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := get(w, r); ok {
			st.Delete(Scope(r), coll, "1")
			WriteApp(w, Entity{"deleted": true})
		}
	})
}

func (s *Server) auditRoutes() {
	const anomalies = "anomalies"
	st := s.Store
	// The audit reports the dataset's events (and, in the full audit, event
	// properties) that carry no description, in Mixpanel's raw
	// [violations, {computed_at}] envelope.
	audit := func(eventsOnly bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			violations := []Entity{}
			for _, ev := range s.Data.Events {
				if ev.Description == "" {
					violations = append(violations, Entity{"name": ev.Name, "type": "event", "violation": "missing_description"})
				}
			}
			if !eventsOnly {
				for _, p := range s.Data.EventProperties {
					if p.Description == "" {
						violations = append(violations, Entity{"name": p.Name, "type": "property", "violation": "missing_description"})
					}
				}
			}
			WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": []any{violations, Entity{"computed_at": s.Data.Now.UTC().Format("2006-01-02T15:04:05")}}})
		}
	}
	s.HandleScoped(http.MethodGet, "/data-definitions/audit/{$}", audit(false))
	s.HandleScoped(http.MethodGet, "/data-definitions/audit-events-only/{$}", audit(true))
	seed := func(r *http.Request) {
		if len(st.List(Scope(r), anomalies)) > 0 {
			return
		}
		for i, ev := range s.Data.Events {
			if i >= 3 {
				break
			}
			st.Put(Scope(r), anomalies, Entity{"id": int64(9000 + i), "eventName": ev.Name, "status": "open", "anomalyClass": "Event",
				"actualCount": 10 * (i + 1), "predictedUpper": 500, "predictedLower": 300, "percentVariance": "-97.0",
				"timestamp": s.Data.Now.UTC().Format("2006-01-02T15:04:05")})
		}
	}
	s.HandleScoped(http.MethodGet, "/data-definitions/data-volume-anomalies/{$}", func(w http.ResponseWriter, r *http.Request) {
		seed(r)
		out := []Entity{}
		for _, a := range st.List(Scope(r), anomalies) {
			if status := r.URL.Query().Get("status"); status == "" || a["status"] == status {
				out = append(out, a)
			}
		}
		WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": Entity{"anomalies": out}})
	})
	update := func(w http.ResponseWriter, r *http.Request, id, status any) bool {
		a, ok := st.Get(Scope(r), anomalies, IDOf(Entity{"id": id}))
		if !ok {
			NotFound(w, anomalies, IDOf(Entity{"id": id}))
			return false
		}
		a["status"] = status
		st.Put(Scope(r), anomalies, a)
		return true
	}
	s.HandleScoped(http.MethodPatch, "/data-definitions/data-volume-anomalies/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if DecodeBody(w, r, &body) && update(w, r, body["id"], body["status"]) {
			WriteApp(w, Entity{"updated": 1})
		}
	})
	s.HandleScoped(http.MethodPatch, "/data-definitions/data-volume-anomalies/bulk/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Anomalies []Entity `json:"anomalies"`
			Status    string   `json:"status"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		for _, a := range body.Anomalies {
			if !update(w, r, a["id"], body.Status) {
				return
			}
		}
		WriteApp(w, Entity{"updated": len(body.Anomalies)})
	})
}

func slicesContains(set []string, v any) bool {
	s, ok := v.(string)
	return ok && slices.Contains(set, s)
}
