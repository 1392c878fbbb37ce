package mixpaneltest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Saved reports (bookmarks, wire reference §4.9), kept in the store's
// "bookmarks" collection per scope beside the reports dashboards create.
// Each scope starts with the dataset's bookmarks (Data.Bookmarks), copied
// in on its first bookmark request so tests may change Data before.

func routesBookmarks(s *Server) {
	b := &bookmarks{s: s, st: s.Store, seeded: map[string]bool{}}
	s.seedBookmarks = b.seed
	s.HandleScoped(http.MethodGet, "/bookmarks", b.list)
	s.HandleScoped(http.MethodPost, "/bookmarks", b.create)
	s.HandleScoped(http.MethodGet, "/bookmarks/{id}", b.get)
	s.HandleScoped(http.MethodPatch, "/bookmarks/{id}", b.update)
	s.HandleScoped(http.MethodDelete, "/bookmarks/{id}", b.delete)
	s.HandleScoped(http.MethodPost, "/bookmarks/bulk-delete", b.bulkDelete)
	s.HandleScoped(http.MethodPost, "/bookmarks/bulk-update", b.bulkUpdate)
	s.HandleScoped(http.MethodGet, "/bookmarks/{id}/linked-dashboard-ids", b.linkedDashboards)
	s.HandleScoped(http.MethodGet, "/bookmarks/{id}/history", b.history)
}

type bookmarks struct {
	s  *Server
	st *Store

	mu     sync.Mutex
	seeded map[string]bool
}

// The report types a bookmark may have, and the fields a write may set.
var (
	creatableBookmarkTypes = []string{"insights", "funnels", "retention", "flows", "user"}
	bookmarkWritable       = []string{"name", "params", "description", "icon", "dashboard_id", "is_visibility_restricted", "is_modification_restricted"}
)

const bookmarkHistoryColl = "bookmark_history"

// scope seeds the request's scope with the dataset's bookmarks once and
// returns it.
func (b *bookmarks) scope(r *http.Request) string {
	scope := Scope(r)
	b.seed(scope)
	return scope
}

// seed copies the dataset's bookmarks into scope on its first use.
func (b *bookmarks) seed(scope string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.seeded[scope] {
		b.seeded[scope] = true
		pid, _ := strconv.ParseInt(ProjectID, 10, 64)
		for _, d := range b.s.Data.Bookmarks {
			b.st.Put(scope, bookmarksColl, Entity{
				"id": d.ID, "name": d.Name, "type": d.Type, "project_id": pid,
				"workspace_id": nullID(d.WorkspaceID), "dashboard_id": nullID(d.DashboardID),
				"created": d.Created, "modified": d.Modified, "creator_id": nullID(d.CreatorID),
				"creator_name": d.CreatorName, "description": d.Description, "params": d.Params,
			})
		}
	}
}

// list answers the v2 listing's nested {"results": {"results": [...]}}.
func (b *bookmarks) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	typ := q.Get("type")
	if typ != "" && !slices.Contains(bookmarkTypes, typ) {
		WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("Invalid bookmark type %q", typ)))
		return
	}
	var ids []string
	if s := q.Get("ids"); s != "" {
		ids = strings.Split(s, ",")
	}
	items := []any{}
	for _, e := range b.st.List(b.scope(r), bookmarksColl) {
		if (typ != "" && e["type"] != typ) || (ids != nil && !slices.Contains(ids, IDOf(e))) || e["deleted"] == true {
			continue
		}
		items = append(items, e)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"results": map[string]any{"results": items}})
}

// lookup answers 404 and reports false when the bookmark does not exist.
func (b *bookmarks) lookup(w http.ResponseWriter, r *http.Request, id string) (Entity, string, bool) {
	scope := b.scope(r)
	e, ok := b.st.Get(scope, bookmarksColl, id)
	if !ok {
		WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("Bookmark %s does not exist", id)))
	}
	return e, scope, ok
}

func (b *bookmarks) get(w http.ResponseWriter, r *http.Request) {
	if e, _, ok := b.lookup(w, r, r.PathValue("id")); ok {
		WriteApp(w, e)
	}
}

// check answers Mixpanel's field errors for the writable fields of body
// (all required ones on create) and reports whether they are valid.
func (b *bookmarks) check(w http.ResponseWriter, scope string, body Entity, create bool) bool {
	errs := map[string][]string{}
	if v, has := body["name"]; has || create {
		if s, _ := v.(string); strings.TrimSpace(s) == "" || len([]rune(s)) > 255 {
			errs["name"] = []string{"Ensure this field has between 1 and 255 characters."}
		}
	}
	if create {
		if !slices.Contains(creatableBookmarkTypes, fmt.Sprint(body["type"])) {
			errs["type"] = []string{fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(body["type"]))}
		}
		if body["v"] != float64(2) {
			errs["v"] = []string{"Only version 2 bookmarks can be created."}
		}
	}
	if v, has := body["params"]; has || create {
		if _, ok := v.(map[string]any); !ok {
			errs["params"] = []string{"This field must be a JSON object."}
		}
	}
	if v, has := body["dashboard_id"]; has || create {
		if _, ok := b.st.Get(scope, dashboardsColl, fmt.Sprint(v)); !ok {
			errs["dashboard_id"] = []string{fmt.Sprintf("Dashboard %v does not exist.", v)}
		}
	}
	if len(errs) > 0 {
		FieldErrors(w, errs)
		return false
	}
	return true
}

func (b *bookmarks) create(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := b.scope(r)
	if !b.check(w, scope, body, true) {
		return
	}
	id := b.st.NextID()
	pid, _ := strconv.ParseInt(ProjectID, 10, 64)
	e := Entity{
		"id": id, "project_id": pid, "type": body["type"], "original_type": body["type"],
		"description": nil, "icon": nil, "include_in_dashboard": true, "is_default": false,
		"creator_id": 7002, "creator_name": "Grace Hopper", "creator_email": "grace@example.com",
		"created": "2026-11-24T10:00:00", "modified": "2026-11-24T10:00:00",
		"last_modified_by_id": 7002, "last_modified_by_name": "Grace Hopper", "last_modified_by_email": "grace@example.com",
		"metadata":                 map[string]any{"table_display_mode": nil, "compare_enabled": false},
		"is_visibility_restricted": false, "is_modification_restricted": false,
		"can_update_basic": true, "can_view": true, "can_share": true, "generation_type": nil,
		"unique_view_count": 0, "total_view_count": 0,
	}
	for _, k := range bookmarkWritable {
		if v, has := body[k]; has {
			e[k] = v
		}
	}
	b.st.Put(scope, bookmarksColl, e)
	b.record(scope, IDOf(e), "created")
	WriteApp(w, e)
}

// apply copies the writable fields (and the soft-delete flag) of body.
func apply(e, body Entity) {
	for _, k := range append(bookmarkWritable, "deleted") {
		if v, has := body[k]; has {
			e[k] = v
		}
	}
}

func (b *bookmarks) update(w http.ResponseWriter, r *http.Request) {
	e, scope, ok := b.lookup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	var body Entity
	if !DecodeBody(w, r, &body) || !b.check(w, scope, body, false) {
		return
	}
	apply(e, body)
	e["modified"] = "2026-11-24T11:00:00"
	b.st.Put(scope, bookmarksColl, e)
	b.record(scope, IDOf(e), "updated")
	WriteApp(w, e)
}

func (b *bookmarks) delete(w http.ResponseWriter, r *http.Request) {
	scope := b.scope(r)
	if !b.st.Delete(scope, bookmarksColl, r.PathValue("id")) {
		WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("Bookmark %s does not exist", r.PathValue("id"))))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// missing lists the ids that are not in the scope's collection.
func missing(st *Store, scope, coll string, ids []any) []string {
	var out []string
	for _, id := range ids {
		if _, ok := st.Get(scope, coll, fmt.Sprint(id)); !ok {
			out = append(out, fmt.Sprint(id))
		}
	}
	return out
}

func (b *bookmarks) bulkDelete(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs []any `json:"bookmark_ids"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := b.scope(r)
	if len(body.IDs) == 0 {
		FieldErrors(w, map[string][]string{"bookmark_ids": {"This field is required."}})
		return
	}
	if m := missing(b.st, scope, bookmarksColl, body.IDs); len(m) > 0 {
		FieldErrors(w, map[string][]string{"bookmark_ids": {"Bookmarks do not exist: " + strings.Join(m, ", ")}})
		return
	}
	for _, id := range body.IDs {
		b.st.Delete(scope, bookmarksColl, fmt.Sprint(id))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (b *bookmarks) bulkUpdate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Bookmarks []Entity `json:"bookmarks"`
	}
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := b.scope(r)
	ids := make([]any, len(body.Bookmarks))
	for i, u := range body.Bookmarks {
		ids[i] = u["id"]
	}
	if m := missing(b.st, scope, bookmarksColl, ids); len(m) > 0 || len(ids) == 0 {
		FieldErrors(w, map[string][]string{"bookmarks": {"Bookmarks do not exist: " + strings.Join(m, ", ")}})
		return
	}
	for _, u := range body.Bookmarks {
		e, _ := b.st.Get(scope, bookmarksColl, fmt.Sprint(u["id"]))
		apply(e, u)
		b.st.Put(scope, bookmarksColl, e)
		b.record(scope, IDOf(e), "updated")
	}
	WriteApp(w, map[string]any{})
}

// linkedDashboards lists the dashboard the report was created on and the
// dashboards whose cards show it.
func (b *bookmarks) linkedDashboards(w http.ResponseWriter, r *http.Request) {
	e, scope, ok := b.lookup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	ids := []any{}
	if d := e["dashboard_id"]; d != nil {
		ids = append(ids, d)
	}
	for _, d := range b.st.List(scope, dashboardsColl) {
		contents, _ := d["contents"].(map[string]any)
		reports, _ := contents["report"].(map[string]any)
		if _, on := reports[IDOf(e)]; on && !slices.ContainsFunc(ids, func(x any) bool { return fmt.Sprint(x) == IDOf(d) }) {
			ids = append(ids, d["id"])
		}
	}
	WriteApp(w, ids)
}

// record appends a history entry for a bookmark.
func (b *bookmarks) record(scope, id, action string) {
	h, ok := b.st.Get(scope, bookmarkHistoryColl, id)
	if !ok {
		h = Entity{"id": id, "entries": []any{}}
	}
	entry := map[string]any{"action": action, "timestamp": "2026-11-24T10:00:00Z", "user": map[string]any{"id": 7002, "email": "grace@example.com"}}
	h["entries"] = append([]any{entry}, h["entries"].([]any)...) // newest first
	b.st.Put(scope, bookmarkHistoryColl, maps.Clone(h))
}

// history answers one page of a bookmark's history; the cursor is the
// offset of the page.
func (b *bookmarks) history(w http.ResponseWriter, r *http.Request) {
	_, scope, ok := b.lookup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	q := r.URL.Query()
	size, offset := 20, 0
	if s := q.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			WriteJSON(w, http.StatusBadRequest, errorBody("page_size must be a positive integer"))
			return
		}
		size = n
	}
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			WriteJSON(w, http.StatusBadRequest, errorBody("invalid cursor"))
			return
		}
		offset = n
	}
	entries := []any{}
	if h, ok := b.st.Get(scope, bookmarkHistoryColl, r.PathValue("id")); ok {
		entries = h["entries"].([]any)
	}
	lo, hi := min(offset, len(entries)), min(offset+size, len(entries))
	var next, prev any
	if hi < len(entries) {
		next = strconv.Itoa(hi)
	}
	if lo > 0 {
		prev = strconv.Itoa(max(lo-size, 0))
	}
	WriteApp(w, map[string]any{"results": entries[lo:hi], "pagination": map[string]any{"page_size": size, "next_cursor": next, "previous_cursor": prev}})
}
