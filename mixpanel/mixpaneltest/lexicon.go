package mixpaneltest

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// The Lexicon's definitions (wire reference §4.16), kept statefully: the
// event and property entries are s.Data's events and properties (reads in
// discovery.go), which PATCH changes; tags, deleted entries and the change
// history live in the store. Answers are camelCase, as Mixpanel's are.
func routesLexicon(s *Server) {
	s.HandleScoped(http.MethodPatch, "/data-definitions/events/{$}", s.patchEventDefinitions)
	s.HandleScoped(http.MethodDelete, "/data-definitions/events/{$}", s.deleteEventDefinition)
	s.HandleScoped(http.MethodPatch, "/data-definitions/properties/{$}", s.patchPropertyDefinitions)
	s.HandleScoped(http.MethodGet, "/data-definitions/tags/{$}", s.listLexiconTags)
	s.HandleScoped(http.MethodPost, "/data-definitions/tags/{$}", s.postLexiconTag)
	s.HandleScoped(http.MethodPatch, "/data-definitions/tags/{id}/{$}", s.renameLexiconTag)
	s.HandleScoped(http.MethodGet, "/data-definitions/events/tracking-metadata/{$}", s.trackingMetadata)
	s.HandleScoped(http.MethodGet, "/data-definitions/events/{name}/history/{$}", s.lexiconHistory("event"))
	s.HandleScoped(http.MethodGet, "/data-definitions/properties/{name}/history/{$}", s.lexiconHistory("property"))
	s.HandleScoped(http.MethodGet, "/data-definitions/export/{$}", s.exportLexicon)
}

const (
	lexTags    = "lexicon-tags"
	lexDeleted = "lexicon-deleted-events"
)

// lexScope is the store scope of a data-definitions request, read from
// its path: the definitions' GET routes are exact paths, without the
// pattern path values Scope reads.
func lexScope(r *http.Request) string {
	rest := strings.TrimPrefix(r.URL.Path, AppPrefix+"/")
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "/" + parts[1]
}

func eventDefinitionJSON(i int, e Event) map[string]any {
	tags := e.Tags
	if tags == nil {
		tags = []string{}
	}
	return map[string]any{
		"id": 9000 + i, "name": e.Name, "displayName": e.DisplayName, "description": e.Description,
		"hidden": e.Hidden, "dropped": e.Dropped, "merged": e.Merged, "verified": e.Verified, "tags": tags,
		"customEventId": nil, "status": "live", "platforms": []string{"web", "ios", "android"},
		"createdUtc": "2024-02-01T09:00:00Z", "modifiedUtc": "2026-10-01T12:00:00Z",
	}
}

func propertyDefinitionJSON(id int, p Property, resourceType string) map[string]any {
	row := map[string]any{
		"id": id, "name": p.Name, "resourceType": resourceType, "type": p.Type, "description": p.Description,
		"hidden": p.Hidden, "dropped": p.Dropped, "merged": p.Merged, "sensitive": p.Sensitive, "dataGroupId": nil,
	}
	if p.DisplayName != "" {
		row["displayName"] = p.DisplayName
	}
	if p.ExampleValue != "" {
		row["exampleValue"] = p.ExampleValue
	}
	return row
}

// lexiconDeleted reports whether the event's entry was deleted; the caller
// holds s.mu.
func (s *Server) lexiconDeleted(scope, name string) bool {
	_, ok := s.Store.Get(scope, lexDeleted, name)
	return ok
}

// eventIndex finds an event by name or by its definition id (9000+i).
func (s *Server) eventIndex(scope string, name string, id float64) int {
	for i, e := range s.Data.Events {
		if (name != "" && e.Name == name || name == "" && id == float64(9000+i)) && !s.lexiconDeleted(scope, e.Name) {
			return i
		}
	}
	return -1
}

// applyEvent sets the fields of an event entry the body carries and
// records the change; the caller holds s.mu.
func (s *Server) applyEvent(scope string, i int, body Entity) {
	e := &s.Data.Events[i]
	flags := map[string]*bool{"hidden": &e.Hidden, "dropped": &e.Dropped, "merged": &e.Merged, "verified": &e.Verified}
	texts := map[string]*string{"description": &e.Description, "displayName": &e.DisplayName}
	var changed []string
	for _, k := range sortedEntityKeys(body) {
		v := body[k]
		if f, ok := flags[k]; ok {
			*f, _ = v.(bool)
		} else if t, ok := texts[k]; ok {
			*t, _ = v.(string)
		} else if k == "tags" {
			e.Tags = stringList(v)
			for _, t := range e.Tags {
				s.ensureTag(scope, t)
			}
		} else {
			continue
		}
		changed = append(changed, k)
	}
	s.recordHistory(scope, "event", e.Name, changed)
}

// applyProperty does the same for a property entry.
func (s *Server) applyProperty(scope string, p *Property, body Entity) {
	flags := map[string]*bool{"hidden": &p.Hidden, "dropped": &p.Dropped, "merged": &p.Merged, "sensitive": &p.Sensitive}
	texts := map[string]*string{"description": &p.Description, "displayName": &p.DisplayName, "exampleValue": &p.ExampleValue}
	var changed []string
	for _, k := range sortedEntityKeys(body) {
		v := body[k]
		if f, ok := flags[k]; ok {
			*f, _ = v.(bool)
		} else if t, ok := texts[k]; ok {
			*t, _ = v.(string)
		} else {
			continue
		}
		changed = append(changed, k)
	}
	s.recordHistory(scope, "property", p.Name, changed)
}

func sortedEntityKeys(e Entity) []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := []string{}
	for _, x := range list {
		if str, ok := x.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// recordHistory appends a change to an entry's history.
func (s *Server) recordHistory(scope, kind, name string, fields []string) {
	if len(fields) == 0 {
		return
	}
	s.Store.Put(scope, "lexicon-history "+kind+" "+name, Entity{
		"id": s.Store.NextID(), "action": "updated", "fields": fields,
		"timestamp": s.Data.Today().Format(time.RFC3339), "user": s.Data.User.Email,
	})
}

// patchEventDefinitions updates one entry ({"name", ...}) or several
// ({"events": [{name or id, ...}]}); an unknown event is a 404.
func (s *Server) patchEventDefinitions(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := lexScope(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, bulk := body["events"].([]any)
	if !bulk {
		entries = []any{body}
	}
	var idx []int
	for _, raw := range entries {
		e, _ := raw.(map[string]any)
		name, _ := e["name"].(string)
		id, _ := e["id"].(float64)
		if name == "" && id == 0 {
			FieldErrors(w, map[string][]string{"name": {"This field is required."}})
			return
		}
		i := s.eventIndex(scope, name, id)
		if i < 0 {
			NotFound(w, "event definition", name)
			return
		}
		idx = append(idx, i)
	}
	out := []any{}
	for n, i := range idx {
		s.applyEvent(scope, i, entries[n].(map[string]any))
		out = append(out, eventDefinitionJSON(i, s.Data.Events[i]))
	}
	if bulk {
		WriteApp(w, out)
		return
	}
	WriteApp(w, out[0])
}

// deleteEventDefinition removes an event's entry: it no longer appears in
// the Lexicon's definitions (its data is untouched).
func (s *Server) deleteEventDefinition(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) {
		return
	}
	name, _ := body["name"].(string)
	scope := lexScope(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		FieldErrors(w, map[string][]string{"name": {"This field is required."}})
		return
	}
	if s.eventIndex(scope, name, 0) < 0 {
		NotFound(w, "event definition", name)
		return
	}
	s.Store.Put(scope, lexDeleted, Entity{"id": name})
	WriteJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

// propertyFor finds a property by name and resource type (either when the
// type is absent, event first).
func (s *Server) propertyFor(name, resourceType string) (*Property, string) {
	rt := strings.ToLower(resourceType)
	if rt == "" || rt == "event" {
		for i := range s.Data.EventProperties {
			if s.Data.EventProperties[i].Name == name {
				return &s.Data.EventProperties[i], "Event"
			}
		}
	}
	if rt == "" || rt == "user" {
		for i := range s.Data.UserProperties {
			if s.Data.UserProperties[i].Name == name {
				return &s.Data.UserProperties[i], "User"
			}
		}
	}
	return nil, ""
}

func (s *Server) propertyID(p *Property) int {
	for i := range s.Data.EventProperties {
		if &s.Data.EventProperties[i] == p {
			return 8000 + i
		}
	}
	for i := range s.Data.UserProperties {
		if &s.Data.UserProperties[i] == p {
			return 8500 + i
		}
	}
	return 0
}

// patchPropertyDefinitions updates one entry or several
// ({"properties": [{name, resourceType, ...}]}).
func (s *Server) patchPropertyDefinitions(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := lexScope(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, bulk := body["properties"].([]any)
	if !bulk {
		entries = []any{body}
	}
	type hit struct {
		p    *Property
		rt   string
		body Entity
	}
	var hits []hit
	for _, raw := range entries {
		e, _ := raw.(map[string]any)
		name, _ := e["name"].(string)
		rt, _ := e["resourceType"].(string)
		if name == "" || bulk && rt == "" {
			FieldErrors(w, map[string][]string{"name": {"name and resourceType are required."}})
			return
		}
		p, prt := s.propertyFor(name, rt)
		if p == nil {
			NotFound(w, "property definition", name)
			return
		}
		hits = append(hits, hit{p, prt, e})
	}
	out := []any{}
	for _, h := range hits {
		s.applyProperty(scope, h.p, h.body)
		out = append(out, propertyDefinitionJSON(s.propertyID(h.p), *h.p, h.rt))
	}
	if bulk {
		WriteApp(w, out)
		return
	}
	WriteApp(w, out[0])
}

// ensureTag adds a tag by name unless it exists; the caller holds s.mu.
func (s *Server) ensureTag(scope, name string) {
	s.seedTags(scope)
	for _, t := range s.Store.List(scope, lexTags) {
		if t["name"] == name {
			return
		}
	}
	s.Store.Put(scope, lexTags, Entity{"id": s.Store.NextID(), "name": name})
}

// seedTags fills the tag list from the dataset's event tags once per scope.
func (s *Server) seedTags(scope string) {
	if _, ok := s.Store.Get(scope, lexTags+"-seeded", "1"); ok {
		return
	}
	s.Store.Put(scope, lexTags+"-seeded", Entity{"id": "1"})
	var names []string
	for _, e := range s.Data.Events {
		for _, t := range e.Tags {
			if !slices.Contains(names, t) {
				names = append(names, t)
			}
		}
	}
	sort.Strings(names)
	for _, n := range names {
		s.Store.Put(scope, lexTags, Entity{"id": s.Store.NextID(), "name": n})
	}
}

func (s *Server) listLexiconTags(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seedTags(lexScope(r))
	WriteApp(w, s.Store.List(lexScope(r), lexTags))
}

// postLexiconTag creates a tag, or with {"delete": true} deletes it by
// name and takes it off every event.
func (s *Server) postLexiconTag(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := lexScope(r)
	name, _ := body["name"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seedTags(scope)
	if name == "" {
		FieldErrors(w, map[string][]string{"name": {"This field is required."}})
		return
	}
	var existing Entity
	for _, t := range s.Store.List(scope, lexTags) {
		if t["name"] == name {
			existing = t
		}
	}
	if del, _ := body["delete"].(bool); del {
		if existing == nil {
			NotFound(w, "tag", name)
			return
		}
		s.Store.Delete(scope, lexTags, IDOf(existing))
		for i := range s.Data.Events {
			s.Data.Events[i].Tags = slices.DeleteFunc(slices.Clone(s.Data.Events[i].Tags), func(t string) bool { return t == name })
		}
		WriteJSON(w, http.StatusOK, map[string]any{"status": "ok"})
		return
	}
	if existing != nil {
		WriteJSON(w, http.StatusConflict, errorBody("A tag named '"+name+"' already exists"))
		return
	}
	tag := Entity{"id": s.Store.NextID(), "name": name}
	s.Store.Put(scope, lexTags, tag)
	WriteApp(w, tag)
}

// renameLexiconTag renames a tag everywhere it is used.
func (s *Server) renameLexiconTag(w http.ResponseWriter, r *http.Request) {
	var body Entity
	if !DecodeBody(w, r, &body) {
		return
	}
	scope := lexScope(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seedTags(scope)
	tag, ok := s.Store.Get(scope, lexTags, r.PathValue("id"))
	if !ok {
		NotFound(w, "tag", r.PathValue("id"))
		return
	}
	name, _ := body["name"].(string)
	if name == "" {
		FieldErrors(w, map[string][]string{"name": {"This field is required."}})
		return
	}
	old, _ := tag["name"].(string)
	for i := range s.Data.Events {
		for j, t := range s.Data.Events[i].Tags {
			if t == old {
				s.Data.Events[i].Tags[j] = name
			}
		}
	}
	tag["name"] = name
	s.Store.Put(scope, lexTags, tag)
	WriteApp(w, tag)
}

// trackingMetadata answers an event's last day seen (from DailyCounts, or
// today), its platforms and the SDKs that send it.
func (s *Server) trackingMetadata(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("event_name")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eventIndex(lexScope(r), name, 0) < 0 {
		NotFound(w, "event", name)
		return
	}
	last := s.Data.Today().Format(dayLayout)
	if daily, ok := s.Data.DailyCounts[name]; ok {
		last = ""
		for d, n := range daily {
			if n > 0 && d > last {
				last = d
			}
		}
	}
	WriteApp(w, map[string]any{
		"last_seen": last, "platforms": []string{"web", "ios", "android"},
		"sources": []any{map[string]any{"library": "mixpanel-browser", "version": "2.55.0", "count": LegacyCount(100, 5000, name)}},
	})
}

// lexiconHistory lists the recorded changes of an entry, oldest first.
func (s *Server) lexiconHistory(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		s.mu.Lock()
		defer s.mu.Unlock()
		known := s.eventIndex(lexScope(r), name, 0) >= 0
		if kind == "property" {
			p, _ := s.propertyFor(name, r.URL.Query().Get("entity_type"))
			known = p != nil
		}
		if !known {
			NotFound(w, kind, name)
			return
		}
		out := []any{}
		for _, h := range s.Store.List(lexScope(r), "lexicon-history "+kind+" "+name) {
			delete(h, "id")
			out = append(out, h)
		}
		WriteApp(w, out)
	}
}

// exportLexicon answers the definitions of the export types asked for
// (a JSON list; all when absent).
func (s *Server) exportLexicon(w http.ResponseWriter, r *http.Request) {
	types := []string{"All Events and Properties", "All User Profile Properties"}
	if raw := r.URL.Query().Get("export_type"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &types); err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("export_type must be a JSON list"))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	props := []any{}
	if slices.Contains(types, "All Events and Properties") {
		events := []any{}
		for i, e := range s.Data.Events {
			if !s.lexiconDeleted(lexScope(r), e.Name) {
				events = append(events, eventDefinitionJSON(i, e))
			}
		}
		out["events"] = events
		for i, p := range s.Data.EventProperties {
			props = append(props, propertyDefinitionJSON(8000+i, p, "Event"))
		}
	}
	if slices.Contains(types, "All User Profile Properties") {
		for i, p := range s.Data.UserProperties {
			props = append(props, propertyDefinitionJSON(8500+i, p, "User"))
		}
	}
	out["properties"] = props
	WriteApp(w, out)
}
