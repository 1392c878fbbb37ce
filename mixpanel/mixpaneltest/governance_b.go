package mixpaneltest

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Event deletion requests (wire reference §4.25) and the schema registry's
// writes (§4.21), kept in the store. Schema reads keep the fake's seeded
// Lexicon schemas (discovery.go), which the discovery tools test against.
func init() {
	register(func(s *Server) {
		s.deletionRoutes()
		s.schemaRoutes()
	})
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
