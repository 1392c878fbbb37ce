package mixpaneltest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Annotations and their tags, and webhooks, kept in the store (wire
// reference §4.13–4.14).
func routesAnnotations(s *Server) {
	s.REST(Collection{Name: "annotations", ListSlash: true, ItemSlash: true, Required: []string{"date", "description"},
		Create: func(r *http.Request, e Entity) {
			e["project_id"] = ProjectIDInt
			e["user"] = Entity{"id": 7002, "first_name": "Grace", "last_name": "Hopper"}
			e["tags"] = s.tagObjects(Scope(r), e["tags"])
		},
		Update: s.patchAnnotation, Filter: annotationFilter})
	s.HandleScoped(http.MethodGet, "/annotations/tags/{$}", func(w http.ResponseWriter, r *http.Request) {
		WriteApp(w, s.Store.List(Scope(r), "annotation-tags"))
	})
	s.HandleScoped(http.MethodPost, "/annotations/tags/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, []string{"name"}); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		tag := Entity{"id": s.Store.NextID(), "name": body["name"], "project_id": ProjectIDInt, "has_annotations": false}
		s.Store.Put(Scope(r), "annotation-tags", tag)
		WriteApp(w, tag)
	})
	s.webhookRoutes()
}

// ProjectIDInt is the fake's project id as a number, as entities carry it.
var ProjectIDInt, _ = strconv.Atoi(ProjectID)

// tagObjects turns tag ids into the tag objects Mixpanel answers with.
func (s *Server) tagObjects(scope string, ids any) []Entity {
	out := []Entity{}
	list, _ := ids.([]any)
	for _, id := range list {
		if n, ok := id.(float64); ok {
			if t, ok := s.Store.Get(scope, "annotation-tags", strconv.FormatInt(int64(n), 10)); ok {
				t["has_annotations"] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// patchAnnotation changes the text and tags; the date cannot change.
func (s *Server) patchAnnotation(w http.ResponseWriter, r *http.Request, e, body Entity) bool {
	if _, ok := body["date"]; ok {
		FieldErrors(w, map[string][]string{"date": {"The date of an annotation cannot be changed."}})
		return false
	}
	if d, ok := body["description"]; ok {
		e["description"] = d
	}
	if tags, ok := body["tags"]; ok {
		e["tags"] = s.tagObjects(Scope(r), tags)
	}
	return true
}

// annotationFilter applies list_annotations' fromDate, toDate and tags.
func annotationFilter(r *http.Request, e Entity) bool {
	from, to := r.URL.Query().Get("fromDate"), r.URL.Query().Get("toDate")
	d, _ := e["date"].(string)
	if (from != "" && d < from) || (to != "" && d > to) {
		return false
	}
	t := r.URL.Query().Get("tags")
	if t == "" {
		return true
	}
	tags := strings.Split(t, ",")
	// Tags are []Entity as created, []any once restored from JSON.
	var have []Entity
	switch list := e["tags"].(type) {
	case []Entity:
		have = list
	case []any:
		for _, x := range list {
			if tag, ok := x.(Entity); ok {
				have = append(have, tag)
			}
		}
	}
	return slices.ContainsFunc(have, func(tag Entity) bool { return slices.Contains(tags, IDOf(tag)) })
}

// Webhooks: the password is write-only, so the store never keeps it; a
// create or update answers only {id, name}, as Mixpanel does.
func (s *Server) webhookRoutes() {
	const coll = "webhooks"
	s.HandleScoped(http.MethodGet, "/webhooks/{$}", func(w http.ResponseWriter, r *http.Request) {
		WriteApp(w, s.Store.List(Scope(r), coll))
	})
	save := func(w http.ResponseWriter, r *http.Request, e, body Entity) {
		if u, ok := body["url"].(string); ok && !strings.HasPrefix(u, "https://") {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": []string{"url: Webhook URLs must use https"}, "status": "error"})
			return
		}
		for _, k := range []string{"name", "url", "is_enabled", "auth_type", "username"} {
			if v, ok := body[k]; ok {
				e[k] = v
			}
		}
		s.Store.Put(Scope(r), coll, e)
		WriteApp(w, Entity{"id": e["id"], "name": e["name"]})
	}
	s.HandleScoped(http.MethodPost, "/webhooks/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, []string{"name", "url"}); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		save(w, r, Entity{"id": s.Store.NextUUID(), "is_enabled": true, "auth_type": nil, "creator_id": 7002, "creator_name": "Grace Hopper"}, body)
	})
	s.HandleScoped(http.MethodPatch, "/webhooks/{id}/{$}", func(w http.ResponseWriter, r *http.Request) {
		e, ok := s.Store.Get(Scope(r), coll, r.PathValue("id"))
		if !ok {
			NotFound(w, coll, r.PathValue("id"))
			return
		}
		var body Entity
		if DecodeBody(w, r, &body) {
			save(w, r, e, body)
		}
	})
	s.HandleScoped(http.MethodDelete, "/webhooks/{id}/{$}", func(w http.ResponseWriter, r *http.Request) {
		if !s.Store.Delete(Scope(r), coll, r.PathValue("id")) {
			NotFound(w, coll, r.PathValue("id"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s.HandleScoped(http.MethodPost, "/webhooks/test/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		u, _ := body["url"].(string)
		if !strings.HasPrefix(u, "https://") {
			WriteApp(w, Entity{"success": false, "status_code": 0, "message": "Webhook URLs must use https"})
			return
		}
		WriteApp(w, Entity{"success": true, "status_code": 204, "message": "No Content"})
	})
}
