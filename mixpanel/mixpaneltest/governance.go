package mixpaneltest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Drop filters, custom properties, custom events and lookup tables kept in
// the store (wire reference §4.17–4.20), and the signed storage URL that
// lookup-table uploads PUT their CSV to.

// SignedPrefix is the path of the fake's signed storage URLs. Requests
// there carry no Mixpanel credentials: one that does is refused, as a
// signed URL refuses a second form of authentication.
const SignedPrefix = "/signed-storage/"

// DropFilterLimit is the fake project's drop-filter limit.
const DropFilterLimit = 25

const fakeTime = "2026-11-20T10:00:00Z"

func routesGovernance(s *Server) {
	s.dropFilterRoutes()
	s.customPropertyRoutes()
	s.customEventRoutes()
	s.lookupRoutes()
}

// appScope is the store scope of an exact (non-pattern) App route.
func appScope(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, AppPrefix+"/")
	parts := strings.SplitN(p, "/", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "/" + parts[1]
}

func (s *Server) dropFilterRoutes() {
	const coll, base = "drop-filters", "/data-definitions/events/drop-filters/{$}"
	all := func(w http.ResponseWriter, r *http.Request) { WriteApp(w, s.Store.List(Scope(r), coll)) }
	s.HandleScoped(http.MethodGet, base, all)
	s.HandleScoped(http.MethodGet, "/data-definitions/events/drop-filters/limits/{$}", func(w http.ResponseWriter, r *http.Request) {
		WriteApp(w, Entity{"filterLimit": DropFilterLimit})
	})
	s.HandleScoped(http.MethodPost, base, func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := missingFields(body, []string{"event_name", "filters"}); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		if s.Store.Count(Scope(r), coll) >= DropFilterLimit {
			WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("This project already has %d drop filters, the limit", DropFilterLimit)))
			return
		}
		s.Store.Put(Scope(r), coll, Entity{"id": s.Store.NextID(), "eventName": body["event_name"], "filters": body["filters"], "active": true, "displayName": body["event_name"], "created": fakeTime})
		all(w, r)
	})
	s.HandleScoped(http.MethodPatch, base, func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		id := IDOf(body)
		e, ok := s.Store.Get(Scope(r), coll, id)
		if !ok {
			NotFound(w, coll, id)
			return
		}
		if v, ok := body["event_name"]; ok {
			e["eventName"], e["displayName"] = v, v
		}
		for _, k := range []string{"filters", "active"} {
			if v, ok := body[k]; ok {
				e[k] = v
			}
		}
		s.Store.Put(Scope(r), coll, e)
		all(w, r)
	})
	s.HandleScoped(http.MethodDelete, base, func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if !s.Store.Delete(Scope(r), coll, IDOf(body)) {
			NotFound(w, coll, IDOf(body))
			return
		}
		all(w, r)
	})
}

// Custom properties are stored with "id" (the store's key) beside
// customPropertyId; answers leave "id" out, as Mixpanel's do.
func (s *Server) customPropertyRoutes() {
	const coll = "custom-properties"
	out := func(e Entity) Entity { delete(e, "id"); return e }
	s.HandleScoped(http.MethodGet, "/custom_properties/{$}", func(w http.ResponseWriter, r *http.Request) {
		items := s.Store.List(Scope(r), coll)
		for _, e := range items {
			out(e)
		}
		WriteApp(w, items)
	})
	s.HandleScoped(http.MethodPost, "/custom_properties/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		if errs := customPropertyErrors(body); len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		id := s.Store.NextID()
		body["id"], body["customPropertyId"] = id, id
		for k, v := range map[string]any{"description": "", "isLocked": false, "isVisible": true, "dataGroupId": nil, "created": fakeTime, "modified": fakeTime} {
			if _, ok := body[k]; !ok {
				body[k] = v
			}
		}
		s.Store.Put(Scope(r), coll, body)
		WriteApp(w, out(body))
	})
	s.HandleScoped(http.MethodPost, "/custom_properties/validate/{$}", func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		errs := []string{}
		for f, msgs := range customPropertyErrors(body) {
			for _, m := range msgs {
				errs = append(errs, f+": "+m)
			}
		}
		slices.Sort(errs)
		WriteApp(w, Entity{"valid": len(errs) == 0, "errors": errs})
	})
	item := "/custom_properties/{id}/{$}"
	s.HandleScoped(http.MethodGet, item, func(w http.ResponseWriter, r *http.Request) {
		e, ok := s.Store.Get(Scope(r), coll, r.PathValue("id"))
		if !ok {
			NotFound(w, "custom properties", r.PathValue("id"))
			return
		}
		WriteApp(w, out(e))
	})
	s.HandleScoped(http.MethodPut, item, func(w http.ResponseWriter, r *http.Request) {
		e, ok := s.Store.Get(Scope(r), coll, r.PathValue("id"))
		if !ok {
			NotFound(w, "custom properties", r.PathValue("id"))
			return
		}
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		for _, k := range []string{"resourceType", "dataGroupId"} {
			if _, ok := body[k]; ok {
				FieldErrors(w, map[string][]string{k: {"This field cannot be changed."}})
				return
			}
		}
		for k, v := range body {
			e[k] = v
		}
		e["modified"] = "2026-11-21T10:00:00Z"
		s.Store.Put(Scope(r), coll, e)
		WriteApp(w, out(e))
	})
	s.HandleScoped(http.MethodDelete, item, func(w http.ResponseWriter, r *http.Request) {
		if !s.Store.Delete(Scope(r), coll, r.PathValue("id")) {
			NotFound(w, "custom properties", r.PathValue("id"))
			return
		}
		WriteApp(w, nil)
	})
}

// customPropertyErrors are Mixpanel's field errors for a create body.
func customPropertyErrors(body Entity) map[string][]string {
	errs := missingFields(body, []string{"name", "resourceType"})
	formula, _ := body["displayFormula"].(string)
	_, hasBehavior := body["behavior"]
	switch {
	case formula != "" && hasBehavior:
		errs["behavior"] = []string{"Only one of displayFormula and behavior may be set."}
	case formula == "" && !hasBehavior:
		errs["displayFormula"] = []string{"One of displayFormula and behavior is required."}
	case formula != "":
		if cp, _ := body["composedProperties"].(map[string]any); len(cp) == 0 {
			errs["composedProperties"] = []string{"A formula needs composedProperties."}
		}
	}
	if rt, _ := body["resourceType"].(string); rt != "" && !slices.Contains([]string{"events", "people", "group_profiles"}, rt) {
		errs["resourceType"] = []string{fmt.Sprintf("%q is not a valid choice.", rt)}
	}
	return errs
}

// Custom events are kept as their Lexicon definitions; create is a form
// POST whose alternatives are a JSON string.
func (s *Server) customEventRoutes() {
	const coll = "custom-events"
	s.HandleScoped(http.MethodPost, "/custom_events/{$}", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			WriteJSON(w, http.StatusBadRequest, errorBody("expected a form-encoded body"))
			return
		}
		name := r.PostForm.Get("name")
		var alts []map[string]string
		errs := map[string][]string{}
		if strings.TrimSpace(name) == "" {
			errs["name"] = []string{"This field is required."}
		}
		if err := json.Unmarshal([]byte(r.PostForm.Get("alternatives")), &alts); err != nil || len(alts) == 0 {
			errs["alternatives"] = []string{"Enter a JSON list of at least one {\"event\": name}."}
		}
		if len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		id := s.Store.NextID()
		s.Store.Put(Scope(r), coll, Entity{"id": id, "name": name, "displayName": name, "description": "", "hidden": false, "dropped": false, "merged": false, "verified": false,
			"tags": []any{}, "customEventId": id, "lastModified": fakeTime, "status": "active", "platforms": []any{}, "createdUtc": fakeTime, "modifiedUtc": fakeTime, "alternatives": alts})
		WriteApp(w, Entity{"custom_event": Entity{"id": id, "name": name, "alternatives": alts}})
	})
}

// customEventDefinitions answers GET data-definitions/events/ with
// custom_event=true; it reports whether it did.
func (s *Server) customEventDefinitions(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Query().Get("custom_event") != "true" {
		return false
	}
	items := s.Store.List(appScope(r), "custom-events")
	for _, e := range items {
		delete(e, "alternatives")
	}
	WriteApp(w, items)
	return true
}

// customEventWrite answers a PATCH or DELETE of data-definitions/events/
// whose body names a customEventId; it reports whether it did (other
// bodies are Lexicon event-definition writes, served elsewhere).
func (s *Server) customEventWrite(w http.ResponseWriter, r *http.Request) bool {
	raw, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	var body Entity
	if json.Unmarshal(raw, &body) != nil || body["customEventId"] == nil {
		return false
	}
	const coll = "custom-events"
	id := IDOf(Entity{"id": body["customEventId"]})
	e, ok := s.Store.Get(appScope(r), coll, id)
	if !ok {
		NotFound(w, "custom events", id)
		return true
	}
	if r.Method == http.MethodDelete {
		s.Store.Delete(appScope(r), coll, id)
		WriteApp(w, nil)
		return true
	}
	for _, k := range []string{"hidden", "dropped", "merged", "verified", "tags", "description"} {
		if v, ok := body[k]; ok {
			e[k] = v
		}
	}
	e["modifiedUtc"] = "2026-11-21T10:00:00Z"
	s.Store.Put(appScope(r), coll, e)
	delete(e, "alternatives")
	WriteApp(w, e)
	return true
}

// lookupState is the fake's storage bucket and upload tasks.
type lookupState struct {
	mu      sync.Mutex
	objects map[string][]byte // storage path -> CSV
	signed  map[string]string // signed object name -> its signature
	tasks   map[string]*lookupTask
	csv     map[string][]byte // scope + " " + table id -> CSV
}

type lookupTask struct {
	scope, name, path string
	replace           string
	polls             int
}

func (s *Server) lookupState() *lookupState { return s.lookups }

// LookupCSV is the CSV of lookup table id in the project scope, as the
// fake stored it.
func (s *Server) LookupCSV(id string) string {
	st := s.lookupState()
	st.mu.Lock()
	defer st.mu.Unlock()
	return string(st.csv["projects/"+ProjectID+" "+id])
}

func (s *Server) lookupRoutes() {
	const coll = "lookup-tables"
	s.lookups = &lookupState{objects: map[string][]byte{}, signed: map[string]string{}, tasks: map[string]*lookupTask{}, csv: map[string][]byte{}}
	st := s.lookups
	base := "/data-definitions/lookup-tables/{$}"
	s.HandleScoped(http.MethodGet, base, func(w http.ResponseWriter, r *http.Request) {
		items := s.Store.List(Scope(r), coll)
		if g := r.URL.Query().Get("data-group-id"); g != "" {
			items = slices.DeleteFunc(items, func(e Entity) bool { return IDOf(e) != g })
		}
		WriteApp(w, items)
	})
	s.HandleScoped(http.MethodGet, "/data-definitions/lookup-tables/upload-url/{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("content-type") == "" {
			FieldErrors(w, map[string][]string{"content-type": {"This field is required."}})
			return
		}
		n := s.Store.NextID()
		object := fmt.Sprintf("%s/%d.csv", r.PathValue("pid")+r.PathValue("wid"), n)
		sig := fmt.Sprintf("sig%x", n*7919)
		st.mu.Lock()
		st.signed[object] = sig
		st.mu.Unlock()
		WriteApp(w, Entity{
			"url":  s.URL + SignedPrefix + object + "?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires=900&X-Goog-Signature=" + sig,
			"path": "gs://mp-lookup-uploads/" + object,
			"key":  fmt.Sprintf("upload-%d", n),
		})
	})
	s.HandlePattern(http.MethodPut, SignedPrefix+"{object...}", func(w http.ResponseWriter, r *http.Request) {
		object := r.PathValue("object")
		st.mu.Lock()
		defer st.mu.Unlock()
		switch {
		case r.Header.Get("Authorization") != "":
			writeStorageError(w, http.StatusBadRequest, "InvalidAuthentication", "a signed URL takes no Authorization header")
		case st.signed[object] == "" || r.URL.Query().Get("X-Goog-Signature") != st.signed[object]:
			writeStorageError(w, http.StatusForbidden, "SignatureDoesNotMatch", "the signature does not match")
		case !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv"):
			writeStorageError(w, http.StatusForbidden, "SignatureDoesNotMatch", "the URL was signed for text/csv")
		default:
			body, _ := io.ReadAll(r.Body)
			st.objects["gs://mp-lookup-uploads/"+object] = body
			w.WriteHeader(http.StatusOK)
		}
	})
	s.HandlePattern(http.MethodGet, SignedPrefix+"{object...}", func(w http.ResponseWriter, r *http.Request) {
		st.mu.Lock()
		defer st.mu.Unlock()
		if r.Header.Get("Authorization") != "" {
			writeStorageError(w, http.StatusBadRequest, "InvalidAuthentication", "a signed URL takes no Authorization header")
			return
		}
		b, ok := st.csv[r.URL.Query().Get("table")]
		if !ok {
			writeStorageError(w, http.StatusNotFound, "NoSuchKey", "no such object")
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(b)
	})
	// Register (path and key from upload-url: an upload task to poll) or
	// mark ready (key alone: the table at once).
	s.HandleScoped(http.MethodPost, base, func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			WriteJSON(w, http.StatusBadRequest, errorBody("expected a form-encoded body"))
			return
		}
		f := r.PostForm
		errs := map[string][]string{}
		if n := len([]rune(f.Get("name"))); n == 0 || n > 255 {
			errs["name"] = []string{"Ensure this field has 1 to 255 characters."}
		}
		if f.Get("key") == "" {
			errs["key"] = []string{"This field is required."}
		}
		replace := f.Get("data-group-id")
		if replace != "" {
			if _, ok := s.Store.Get(Scope(r), coll, replace); !ok {
				NotFound(w, "lookup tables", replace)
				return
			}
		}
		if len(errs) > 0 {
			FieldErrors(w, errs)
			return
		}
		path := f.Get("path")
		if path == "" {
			path = st.pathOfKey(f.Get("key"))
		}
		st.mu.Lock()
		_, uploaded := st.objects[path]
		st.mu.Unlock()
		if !uploaded {
			FieldErrors(w, map[string][]string{"path": {"No uploaded file at this path; upload it to the URL from upload-url first."}})
			return
		}
		t := &lookupTask{scope: Scope(r), name: f.Get("name"), path: path, replace: replace}
		if f.Get("path") == "" {
			table, err := s.finishLookup(t)
			if err != nil {
				WriteJSON(w, http.StatusBadRequest, errorBody(err.Error()))
				return
			}
			WriteApp(w, table)
			return
		}
		id := fmt.Sprintf("task-%d", s.Store.NextID())
		st.mu.Lock()
		st.tasks[id] = t
		st.mu.Unlock()
		WriteApp(w, Entity{"uploadId": id})
	})
	// A task is STARTED on its first poll and done on the next.
	s.HandleScoped(http.MethodGet, "/data-definitions/lookup-tables/upload-status/{$}", func(w http.ResponseWriter, r *http.Request) {
		st.mu.Lock()
		t, ok := st.tasks[r.URL.Query().Get("upload-id")]
		if ok {
			t.polls++
		}
		st.mu.Unlock()
		switch {
		case !ok || t.scope != Scope(r):
			WriteApp(w, Entity{"uploadStatus": "NOTFOUND"})
		case t.polls == 1:
			WriteApp(w, Entity{"uploadStatus": "STARTED"})
		default:
			table, err := s.finishLookup(t)
			if err != nil {
				WriteApp(w, Entity{"uploadStatus": "FAILURE", "result": Entity{"error": err.Error()}})
				return
			}
			WriteApp(w, Entity{"uploadStatus": "SUCCESS", "result": table})
		}
	})
	s.HandleScoped(http.MethodPatch, base, func(w http.ResponseWriter, r *http.Request) {
		var body Entity
		if !DecodeBody(w, r, &body) {
			return
		}
		id := IDOf(Entity{"id": body["data-group-id"]})
		e, ok := s.Store.Get(Scope(r), coll, id)
		if !ok {
			NotFound(w, "lookup tables", id)
			return
		}
		if name, ok := body["name"].(string); ok {
			e["name"] = name
		}
		e["lastModifiedAt"] = "2026-11-21T10:00:00Z"
		s.Store.Put(Scope(r), coll, e)
		WriteApp(w, e)
	})
	s.HandleScoped(http.MethodDelete, base, func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			IDs []int64 `json:"data-group-ids"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		for _, id := range body.IDs {
			if _, ok := s.Store.Get(Scope(r), coll, strconv.FormatInt(id, 10)); !ok {
				NotFound(w, "lookup tables", strconv.FormatInt(id, 10))
				return
			}
		}
		for _, id := range body.IDs {
			s.Store.Delete(Scope(r), coll, strconv.FormatInt(id, 10))
		}
		WriteApp(w, nil)
	})
	s.HandleScoped(http.MethodGet, "/data-definitions/lookup-tables/download/{$}", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("data-group-id")
		st.mu.Lock()
		b, ok := st.csv[Scope(r)+" "+id]
		st.mu.Unlock()
		if !ok {
			NotFound(w, "lookup tables", id)
			return
		}
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n >= 0 {
			lines := strings.SplitAfter(string(b), "\n")
			if len(lines) > n+1 {
				b = []byte(strings.Join(lines[:n+1], ""))
			}
		}
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(b)
	})
	s.HandleScoped(http.MethodGet, "/data-definitions/lookup-tables/download-url/{$}", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("data-group-id")
		if _, ok := s.Store.Get(Scope(r), coll, id); !ok {
			NotFound(w, "lookup tables", id)
			return
		}
		WriteApp(w, Entity{"url": s.URL + SignedPrefix + "download/" + id + ".csv?" + url.Values{"table": {Scope(r) + " " + id}, "X-Goog-Signature": {"dl" + id}}.Encode()})
	})
}

// pathOfKey is the storage path of the upload an upload-url key names.
func (st *lookupState) pathOfKey(key string) string {
	n := strings.TrimPrefix(key, "upload-")
	st.mu.Lock()
	defer st.mu.Unlock()
	for p := range st.objects {
		if strings.HasSuffix(p, "/"+n+".csv") {
			return p
		}
	}
	return ""
}

// finishLookup checks the uploaded CSV and creates or replaces the table.
func (s *Server) finishLookup(t *lookupTask) (Entity, error) {
	st := s.lookupState()
	st.mu.Lock()
	data := st.objects[t.path]
	st.mu.Unlock()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) < 2 || len(rows[0]) < 2 {
		return nil, fmt.Errorf("the file is not a CSV with a header, a key column, a value column and at least one row")
	}
	const coll = "lookup-tables"
	e := Entity{"name": t.name, "createdAt": fakeTime, "lastModifiedAt": fakeTime, "hasMappedProperties": false}
	if t.replace != "" {
		old, _ := s.Store.Get(t.scope, coll, t.replace)
		e = old
		e["name"], e["lastModifiedAt"] = t.name, "2026-11-21T10:00:00Z"
	} else {
		id := s.Store.NextID()
		e["id"], e["token"] = id, fmt.Sprintf("tok%x", id*104729)
	}
	s.Store.Put(t.scope, coll, e)
	st.mu.Lock()
	st.csv[t.scope+" "+IDOf(e)] = data
	st.mu.Unlock()
	return e, nil
}

func writeStorageError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}

// eventDefinitionWrites serves PATCH and DELETE of data-definitions/events/:
// a body with customEventId is a custom event's; any other goes to the
// pattern routes (Lexicon event definitions), or is answered 404.
func (s *Server) eventDefinitionWrites(w http.ResponseWriter, r *http.Request) {
	if s.customEventWrite(w, r) {
		return
	}
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	WriteJSON(w, http.StatusNotFound, errorBody("mixpaneltest: no route for "+r.Method+" "+r.URL.Path))
}
