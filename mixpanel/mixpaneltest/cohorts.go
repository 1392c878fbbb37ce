package mixpaneltest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Cohorts of the App API (wire reference §4.10), kept in the store's
// "cohorts" collection per scope. The definition's keys (selector,
// behaviors) are stored at the top level, as they are posted. The Query
// API's /cohorts/list (discovery) keeps serving Data.Cohorts.

func routesCohorts(s *Server) {
	c := cohorts{st: s.Store}
	s.HandleScoped(http.MethodGet, "/cohorts", c.list)
	s.HandleScoped(http.MethodPost, "/cohorts", c.create)
	s.HandleScoped(http.MethodGet, "/cohorts/{id}", c.get)
	s.HandleScoped(http.MethodPatch, "/cohorts/{id}", c.update)
	s.HandleScoped(http.MethodDelete, "/cohorts/{id}", c.delete)
	s.HandleScoped(http.MethodPost, "/cohorts/bulk-delete", c.bulkDelete)
	s.HandleScoped(http.MethodPost, "/cohorts/bulk-update", c.bulkUpdate)
}

type cohorts struct{ st *Store }

const cohortsColl = "cohorts"

// cohortWritable are the fields a write may set.
var cohortWritable = []string{"name", "description", "data_group_id", "is_locked", "is_visible", "deleted", "selector", "behaviors"}

func (c cohorts) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var ids []string
	if s := q.Get("ids"); s != "" {
		ids = strings.Split(s, ",")
	}
	dg := q.Get("data_group_id")
	items := []Entity{}
	for _, e := range c.st.List(Scope(r), cohortsColl) {
		if (ids != nil && !slices.Contains(ids, IDOf(e))) || (dg != "" && fmt.Sprint(e["data_group_id"]) != dg) || e["deleted"] == true {
			continue
		}
		items = append(items, e)
	}
	WriteApp(w, items)
}

func (c cohorts) lookup(w http.ResponseWriter, r *http.Request) (Entity, bool) {
	e, ok := c.st.Get(Scope(r), cohortsColl, r.PathValue("id"))
	if !ok {
		WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("Cohort %s does not exist", r.PathValue("id"))))
	}
	return e, ok
}

func (c cohorts) get(w http.ResponseWriter, r *http.Request) {
	if e, ok := c.lookup(w, r); ok {
		WriteApp(w, e)
	}
}

// check answers Mixpanel's errors for a write body: a name when required
// or given, and a selector whose operators are and/or.
func (cohorts) check(w http.ResponseWriter, body Entity, create bool) bool {
	if v, has := body["name"]; has || create {
		if s, _ := v.(string); strings.TrimSpace(s) == "" || len([]rune(s)) > 255 {
			FieldErrors(w, map[string][]string{"name": {"Ensure this field has between 1 and 255 characters."}})
			return false
		}
	}
	if sel, has := body["selector"]; has {
		if msg := checkSelector(sel, "selector"); msg != "" {
			WriteJSON(w, http.StatusBadRequest, errorBody(msg))
			return false
		}
	}
	return true
}

// checkSelector walks a cohort selector tree: nodes combine children with
// "and" or "or"; leaves name a property.
func checkSelector(v any, path string) string {
	node, ok := v.(map[string]any)
	if !ok {
		return path + ": must be an object"
	}
	children, isNode := node["children"]
	if !isNode {
		if _, ok := node["property"].(string); !ok {
			return path + ".property: required"
		}
		return ""
	}
	if op := node["operator"]; op != "and" && op != "or" {
		return path + ".operator: must be one of 'and', 'or'"
	}
	list, _ := children.([]any)
	for i, ch := range list {
		if msg := checkSelector(ch, fmt.Sprintf("%s.children[%d]", path, i)); msg != "" {
			return msg
		}
	}
	return ""
}

func setFields(e, body Entity) {
	for _, k := range cohortWritable {
		if v, has := body[k]; has {
			e[k] = v
		}
	}
}

func (c cohorts) create(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) || !c.check(w, body, true) {
		return
	}
	e := Entity{
		"id": c.st.NextID(), "description": "", "count": 0, "is_visible": true, "is_locked": false,
		"data_group_id": nil, "last_edited": "2026-11-24 10:00:00",
		"created_by":    map[string]any{"id": 7001, "name": "Ada Lovelace", "email": "ada@example.com"},
		"referenced_by": []any{}, "verified": false, "last_queried": nil,
		"referenced_directly_by": []any{}, "active_integrations": []any{},
	}
	setFields(e, body)
	c.st.Put(Scope(r), cohortsColl, e)
	WriteApp(w, e)
}

func (c cohorts) update(w http.ResponseWriter, r *http.Request) {
	e, ok := c.lookup(w, r)
	if !ok {
		return
	}
	var body Entity
	if !DecodeBody(w, r, &body) || !c.check(w, body, false) {
		return
	}
	setFields(e, body)
	e["last_edited"] = "2026-11-24 11:00:00"
	c.st.Put(Scope(r), cohortsColl, e)
	WriteApp(w, e)
}

func (c cohorts) delete(w http.ResponseWriter, r *http.Request) {
	if !c.st.Delete(Scope(r), cohortsColl, r.PathValue("id")) {
		WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("Cohort %s does not exist", r.PathValue("id"))))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c cohorts) bulkDelete(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs []any `json:"cohort_ids"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := Scope(r)
	if m := missing(c.st, scope, cohortsColl, body.IDs); len(m) > 0 || len(body.IDs) == 0 {
		FieldErrors(w, map[string][]string{"cohort_ids": {"Cohorts do not exist: " + strings.Join(m, ", ")}})
		return
	}
	for _, id := range body.IDs {
		c.st.Delete(scope, cohortsColl, fmt.Sprint(id))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c cohorts) bulkUpdate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cohorts []Entity `json:"cohorts"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := Scope(r)
	ids := make([]any, len(body.Cohorts))
	for i, u := range body.Cohorts {
		ids[i] = u["id"]
		if !c.check(w, u, false) {
			return
		}
	}
	if m := missing(c.st, scope, cohortsColl, ids); len(m) > 0 || len(ids) == 0 {
		FieldErrors(w, map[string][]string{"cohorts": {"Cohorts do not exist: " + strings.Join(m, ", ")}})
		return
	}
	for _, u := range body.Cohorts {
		e, _ := c.st.Get(scope, cohortsColl, fmt.Sprint(u["id"]))
		setFields(e, u)
		c.st.Put(scope, cohortsColl, e)
	}
	WriteApp(w, map[string]any{})
}
