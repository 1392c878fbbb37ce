package mixpaneltest

import (
	"net/http"
	"time"
)

// Feature flags (wire reference §4.11) and experiments (§4.12), kept in
// the store with the lifecycle rules Mixpanel enforces.
func routesFlags(s *Server) {
	s.flagRoutes()
	s.experimentRoutes()
}

func flagScope(r *http.Request) string {
	return "projects/" + r.PathValue("pid") + "/workspaces/" + r.PathValue("wid")
}

func (s *Server) flagRoutes() {
	const coll = "feature-flags"
	base := AppPrefix + "/projects/{pid}/workspaces/{wid}/feature-flags"
	st := s.Store
	history := func(r *http.Request, id, action string) {
		e, _ := st.Get(flagScope(r), "flag-history", id)
		if e == nil {
			e = Entity{"id": id, "events": []any{}}
		}
		events := e["events"].([]any)
		e["events"] = append(events, []any{len(events) + 1, action, s.Data.Today().UTC().Format(time.RFC3339), "grace@example.com"})
		st.Put(flagScope(r), "flag-history", e)
	}
	get := func(w http.ResponseWriter, r *http.Request) (Entity, bool) {
		e, ok := st.Get(flagScope(r), coll, r.PathValue("id"))
		if !ok {
			WriteJSON(w, http.StatusNotFound, map[string]any{"error": "Feature flag not found", "status": "error"})
		}
		return e, ok
	}
	keyTaken := func(r *http.Request, key any, except string) bool {
		for _, f := range st.List(flagScope(r), coll) {
			if f["key"] == key && IDOf(f) != except {
				return true
			}
		}
		return false
	}
	s.HandlePattern(http.MethodGet, base+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		out := []Entity{}
		for _, f := range st.List(flagScope(r), coll) {
			if f["status"] != "archived" || r.URL.Query().Get("include_archived") == "true" {
				out = append(out, f)
			}
		}
		WriteApp(w, out)
	})
	required := []string{"name", "key", "context", "serving_method", "tags", "ruleset"}
	s.HandlePattern(http.MethodPost, base+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, required); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		if keyTaken(r, body["key"], "") {
			FieldErrors(w, map[string][]string{"key": {"A feature flag with this key already exists."}})
			return
		}
		body["id"] = st.NextUUID()
		body["project_id"] = ProjectIDInt
		body["workspace_id"] = r.PathValue("wid")
		if body["status"] == nil {
			body["status"] = "disabled"
		}
		st.Put(flagScope(r), coll, body)
		history(r, IDOf(body), "created")
		WriteApp(w, body)
	})
	s.HandlePattern(http.MethodGet, base+"/{id}/{$}", func(w http.ResponseWriter, r *http.Request) {
		if e, ok := get(w, r); ok {
			WriteApp(w, e)
		}
	})
	s.HandlePattern(http.MethodPut, base+"/{id}/{$}", func(w http.ResponseWriter, r *http.Request) {
		e, ok := get(w, r)
		if !ok {
			return
		}
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, append(required, "status")); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		if keyTaken(r, body["key"], IDOf(e)) {
			FieldErrors(w, map[string][]string{"key": {"A feature flag with this key already exists."}})
			return
		}
		for k, v := range body {
			e[k] = v
		}
		st.Put(flagScope(r), coll, e)
		history(r, IDOf(e), "updated")
		WriteApp(w, e)
	})
	s.HandlePattern(http.MethodDelete, base+"/{id}/{$}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := get(w, r); ok {
			st.Delete(flagScope(r), coll, r.PathValue("id"))
			w.WriteHeader(http.StatusNoContent)
		}
	})
	setStatus := func(status string, answer bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			e, ok := get(w, r)
			if !ok {
				return
			}
			e["status"] = status
			st.Put(flagScope(r), coll, e)
			history(r, IDOf(e), status)
			if answer {
				WriteApp(w, e)
			} else {
				w.WriteHeader(http.StatusNoContent)
			}
		}
	}
	s.HandlePattern(http.MethodPost, base+"/{id}/archive/{$}", setStatus("archived", false))
	s.HandlePattern(http.MethodDelete, base+"/{id}/archive/{$}", setStatus("disabled", true))
	s.HandlePattern(http.MethodPost, base+"/{id}/duplicate/{$}", func(w http.ResponseWriter, r *http.Request) {
		e, ok := get(w, r)
		if !ok {
			return
		}
		e["id"] = st.NextUUID()
		e["name"] = "Copy of " + e["name"].(string)
		e["key"] = e["key"].(string) + "_copy"
		e["status"] = "disabled"
		st.Put(flagScope(r), coll, e)
		WriteApp(w, e)
	})
	s.HandlePattern(http.MethodPut, base+"/{id}/test-users/{$}", func(w http.ResponseWriter, r *http.Request) {
		e, ok := get(w, r)
		if !ok {
			return
		}
		var body struct {
			Users map[string]string `json:"users"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		rs, _ := e["ruleset"].(map[string]any)
		if rs == nil {
			rs = map[string]any{}
		}
		rs["test"] = body.Users
		e["ruleset"] = rs
		st.Put(flagScope(r), coll, e)
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandlePattern(http.MethodGet, base+"/{id}/history/{$}", func(w http.ResponseWriter, r *http.Request) {
		h, ok := st.Get(flagScope(r), "flag-history", r.PathValue("id"))
		if !ok {
			WriteJSON(w, http.StatusNotFound, map[string]any{"error": "Feature flag not found", "status": "error"})
			return
		}
		events := h["events"].([]any)
		WriteApp(w, Entity{"events": events, "count": len(events)})
	})
	s.HandlePattern(http.MethodGet, AppPrefix+"/projects/{pid}/feature-flags/limits/{$}", func(w http.ResponseWriter, r *http.Request) {
		n := st.Count("projects/"+r.PathValue("pid")+"/", coll)
		WriteApp(w, Entity{"limit": 25, "is_trial": false, "current_usage": n, "contract_status": "active"})
	})
}

func (s *Server) experimentRoutes() {
	const coll = "experiments"
	st := s.Store
	s.REST(Collection{Name: coll, ListSlash: true, UUID: true, Required: []string{"name"},
		Create: func(r *http.Request, e Entity) {
			e["status"] = "draft"
			for _, k := range []string{"variants", "metrics"} {
				if e[k] == nil {
					e[k] = []any{}
				}
			}
			e["exposures_cache"], e["results_cache"] = nil, nil
			e["creator"] = Entity{"id": 7002, "first_name": "Grace", "last_name": "Hopper"}
		},
		Filter: func(r *http.Request, e Entity) bool {
			return e["archived"] != true || r.URL.Query().Get("include_archived") == "true"
		}})
	get := func(w http.ResponseWriter, r *http.Request) (Entity, bool) {
		e, ok := st.Get(Scope(r), coll, r.PathValue("id"))
		if !ok {
			NotFound(w, coll, r.PathValue("id"))
		}
		return e, ok
	}
	step := func(from, to string, strict bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			e, ok := get(w, r)
			if !ok {
				return
			}
			var body Entity
			if r.ContentLength > 0 && !DecodeBody(w, r, &body) {
				return
			}
			if _, ok := body["success"].(bool); to == "decided" && !ok {
				FieldErrors(w, map[string][]string{"success": {"This field is required."}})
				return
			}
			switch {
			case e["status"] == from:
				e["status"] = to
				today := s.Data.Now.Format(time.DateOnly)
				if to == "active" {
					e["start_date"] = today
				}
				if to == "concluded" {
					e["end_date"] = today
					if d, ok := body["end_date"]; ok {
						e["end_date"] = d
					}
				}
				if succ, ok := body["success"].(bool); ok && from == "concluded" {
					if e["status"] = "fail"; succ {
						e["status"] = "success"
					}
				}
				st.Put(Scope(r), coll, e)
			case strict:
				WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "Experiment must be " + from + " (it is " + e["status"].(string) + ")", "status": "error"})
				return
			}
			// Mixpanel answers a step that does not apply with the
			// experiment unchanged: a re-launch is a no-op, and a
			// concluded draft stays a draft.
			WriteApp(w, e)
		}
	}
	s.HandleScoped(http.MethodPut, "/experiments/{id}/launch", step("draft", "active", false))
	s.HandleScoped(http.MethodPut, "/experiments/{id}/force_conclude", step("active", "concluded", false))
	s.HandleScoped(http.MethodPatch, "/experiments/{id}/decide", step("concluded", "decided", true))
	archive := func(archived bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			e, ok := get(w, r)
			if !ok {
				return
			}
			e["archived"] = archived
			st.Put(Scope(r), coll, e)
			if archived {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			WriteApp(w, e)
		}
	}
	s.HandleScoped(http.MethodPost, "/experiments/{id}/archive", archive(true))
	s.HandleScoped(http.MethodDelete, "/experiments/{id}/archive", archive(false))
	s.HandleScoped(http.MethodPost, "/experiments/{id}/duplicate", func(w http.ResponseWriter, r *http.Request) {
		e, ok := get(w, r)
		if !ok {
			return
		}
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		e["id"], e["name"], e["status"] = st.NextUUID(), body["name"], "draft"
		e["start_date"], e["end_date"], e["archived"] = nil, nil, false
		st.Put(Scope(r), coll, e)
		WriteApp(w, e)
	})
	s.HandleScoped(http.MethodGet, "/experiments/erf/{$}", func(w http.ResponseWriter, r *http.Request) {
		out := []Entity{}
		for _, e := range st.List(Scope(r), coll) {
			out = append(out, Entity{"id": e["id"], "name": e["name"], "status": e["status"], "metrics": e["metrics"]})
		}
		WriteApp(w, out)
	})
}
