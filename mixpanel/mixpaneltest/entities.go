package mixpaneltest

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The management endpoints (dashboards, bookmarks, cohorts, flags, ...)
// are served from a stateful store: what a test creates it can list, read,
// change and delete, per scope, with Mixpanel's answer and error shapes.
// Routes are Go ServeMux patterns with {name} path values, registered for
// both scopes an entity can live under (wire reference §1.3):
// /api/app/projects/{pid}/... and /api/app/workspaces/{wid}/....

// Entity is one stored entity, as its JSON object.
type Entity = map[string]any

// Store keeps entities per scope and collection, in creation order.
type Store struct {
	mu    sync.Mutex
	next  int64
	items map[string][]Entity // scope + " " + collection
}

func newStore() *Store { return &Store{next: 1000, items: map[string][]Entity{}} }

// NextID returns a fresh numeric id.
func (st *Store) NextID() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.next++
	return st.next
}

// NextUUID returns a fresh, deterministic UUID-shaped id.
func (st *Store) NextUUID() string {
	n := st.NextID()
	h := sha256.Sum256([]byte(strconv.FormatInt(n, 10)))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// List returns copies of the collection's entities.
func (st *Store) List(scope, coll string) []Entity {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]Entity, 0, len(st.items[scope+" "+coll]))
	for _, e := range st.items[scope+" "+coll] {
		out = append(out, maps.Clone(e))
	}
	return out
}

// Count counts the entities of a collection in every scope that starts
// with prefix.
func (st *Store) Count(prefix, coll string) int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for key, items := range st.items {
		scope, c, _ := strings.Cut(key, " ")
		if c == coll && strings.HasPrefix(scope, prefix) {
			n += len(items)
		}
	}
	return n
}

// Get returns a copy of the entity with that id.
func (st *Store) Get(scope, coll, id string) (Entity, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, e := range st.items[scope+" "+coll] {
		if IDOf(e) == id {
			return maps.Clone(e), true
		}
	}
	return nil, false
}

// Put inserts the entity, or replaces the one with its id.
func (st *Store) Put(scope, coll string, e Entity) {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := scope + " " + coll
	for i, have := range st.items[key] {
		if IDOf(have) == IDOf(e) {
			st.items[key][i] = maps.Clone(e)
			return
		}
	}
	st.items[key] = append(st.items[key], maps.Clone(e))
}

// Delete removes the entity with that id and reports whether it was there.
func (st *Store) Delete(scope, coll, id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	key := scope + " " + coll
	before := len(st.items[key])
	st.items[key] = slices.DeleteFunc(st.items[key], func(e Entity) bool { return IDOf(e) == id })
	return len(st.items[key]) < before
}

// IDOf is an entity's "id" as a string ("" when it has none).
func IDOf(e Entity) string {
	switch id := e["id"].(type) {
	case string:
		return id
	case float64:
		return strconv.FormatInt(int64(id), 10)
	case int64:
		return strconv.FormatInt(id, 10)
	case int:
		return strconv.Itoa(id)
	case json.Number:
		return id.String()
	}
	return ""
}

// HandleScoped registers h for method and a path suffix (a ServeMux
// pattern such as "/dashboards/{id}") under both App API scopes. End a
// suffix that has a trailing slash with "/{$}" so it matches exactly.
func (s *Server) HandleScoped(method, suffix string, h http.HandlerFunc) {
	s.HandlePattern(method, AppPrefix+"/projects/{pid}"+suffix, h)
	s.HandlePattern(method, AppPrefix+"/workspaces/{wid}"+suffix, h)
}

// HandlePattern registers h for method and a ServeMux path pattern; the
// handler reads path values with r.PathValue.
func (s *Server) HandlePattern(method, pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(method+" "+pattern, h)
}

// Scope is the store scope of a scoped request: "projects/{pid}" or
// "workspaces/{wid}".
func Scope(r *http.Request) string {
	if wid := r.PathValue("wid"); wid != "" {
		return "workspaces/" + wid
	}
	return "projects/" + r.PathValue("pid")
}

// Collection describes a REST collection served from the store.
type Collection struct {
	// Name is the store collection and the path segment: "dashboards".
	Name string
	// ListSlash and ItemSlash say whether the collection path and the item
	// path end in "/" (experiments: "experiments/" but "experiments/{id}").
	ListSlash, ItemSlash bool
	// UUID ids instead of numeric ones.
	UUID bool
	// Required names the fields a create body must have; a missing one is
	// a 400 with Mixpanel's field-error object.
	Required []string
	// Create completes a valid create body into the stored entity (the id
	// is set already); nil stores the body as it is.
	Create func(r *http.Request, e Entity)
	// Patch: the update method ("PATCH" by default, "PUT" for full
	// replacement).
	Patch string
	// Update, when set, applies an update body to the stored entity
	// instead of copying its fields; it answers errors itself and reports
	// whether to store and answer the entity.
	Update func(w http.ResponseWriter, r *http.Request, e, body Entity) bool
	// Filter, when set, keeps the listed entities it returns true for
	// (query-string filters).
	Filter func(r *http.Request, e Entity) bool
}

// REST serves list (GET collection), create (POST collection), get, update
// and delete (item) for c under both scopes. Domain files add their action
// routes beside it.
func (s *Server) REST(c Collection) {
	list, item := "/"+c.Name, "/"+c.Name+"/{id}"
	// "/{$}" matches the trailing slash exactly; a bare trailing slash
	// would make the pattern match every path under it.
	if c.ListSlash {
		list += "/{$}"
	}
	if c.ItemSlash {
		item += "/{$}"
	}
	st := s.Store
	s.HandleScoped(http.MethodGet, list, func(w http.ResponseWriter, r *http.Request) {
		items := st.List(Scope(r), c.Name)
		if c.Filter != nil {
			items = slices.DeleteFunc(items, func(e Entity) bool { return !c.Filter(r, e) })
		}
		WriteApp(w, items)
	})
	s.HandleScoped(http.MethodPost, list, func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, c.Required); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		if c.UUID {
			body["id"] = st.NextUUID()
		} else {
			body["id"] = st.NextID()
		}
		if c.Create != nil {
			c.Create(r, body)
		}
		st.Put(Scope(r), c.Name, body)
		WriteApp(w, body)
	})
	s.HandleScoped(http.MethodGet, item, func(w http.ResponseWriter, r *http.Request) {
		e, ok := st.Get(Scope(r), c.Name, r.PathValue("id"))
		if !ok {
			NotFound(w, c.Name, r.PathValue("id"))
			return
		}
		WriteApp(w, e)
	})
	patch := c.Patch
	if patch == "" {
		patch = http.MethodPatch
	}
	s.HandleScoped(patch, item, func(w http.ResponseWriter, r *http.Request) {
		e, ok := st.Get(Scope(r), c.Name, r.PathValue("id"))
		if !ok {
			NotFound(w, c.Name, r.PathValue("id"))
			return
		}
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if patch == http.MethodPut {
			if errs := missingFields(body, c.Required); len(errs) > 0 {
				FieldErrors(w, errs)
				return
			}
			e = Entity{"id": e["id"]}
		}
		if c.Update != nil {
			if !c.Update(w, r, e, body) {
				return
			}
		} else {
			for k, v := range body {
				if k != "id" {
					e[k] = v
				}
			}
		}
		st.Put(Scope(r), c.Name, e)
		WriteApp(w, e)
	})
	s.HandleScoped(http.MethodDelete, item, func(w http.ResponseWriter, r *http.Request) {
		if !st.Delete(Scope(r), c.Name, r.PathValue("id")) {
			NotFound(w, c.Name, r.PathValue("id"))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func missingFields(body Entity, required []string) map[string][]string {
	errs := map[string][]string{}
	for _, f := range required {
		if v, ok := body[f]; !ok || v == nil || v == "" {
			errs[f] = []string{"This field is required."}
		}
	}
	return errs
}

// NotFound answers Mixpanel's 404.
func NotFound(w http.ResponseWriter, what, id string) {
	WriteJSON(w, http.StatusNotFound, map[string]any{"error": fmt.Sprintf("%s %s not found", strings.TrimSuffix(what, "s"), id), "status": "error"})
}

// FieldErrors answers Mixpanel's 400 whose error is an object of field
// errors: {"error": {"field": ["message"]}, "status": "error"}.
func FieldErrors(w http.ResponseWriter, errs map[string][]string) {
	WriteJSON(w, http.StatusBadRequest, map[string]any{"error": errs, "status": "error"})
}
