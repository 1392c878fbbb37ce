package mixpaneltest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"
)

// The App API and discovery endpoints of the project and discovery
// toolsets, answering from s.Data with Mixpanel's response shapes.
func routesDiscovery(s *Server) {
	s.handle(http.MethodGet, AppPrefix+"/me", s.me)
	s.handle(http.MethodGet, AppPrefix+"/projects/metadata/index", s.projectsMetadataIndex)
	for _, p := range s.Data.Projects {
		pid := strconv.FormatInt(p.ID, 10)
		s.handle(http.MethodGet, AppPrefix+"/projects/"+pid+"/workspaces/public", s.publicWorkspaces(p.ID))
	}
	s.handle(http.MethodGet, QueryPrefix+"/events/names", s.eventNames)
	s.handle(http.MethodGet, QueryPrefix+"/events/properties/top", s.topProperties)
	s.handle(http.MethodGet, QueryPrefix+"/events/properties/values", s.propertyValues)
	s.handle(http.MethodGet, QueryPrefix+"/events/top", s.topEvents)
	s.handle(http.MethodGet, QueryPrefix+"/funnels/list", s.funnelsList)
	s.handle(http.MethodPost, QueryPrefix+"/cohorts/list", s.cohortsList)
	s.handle(http.MethodGet, QueryPrefix+"/data_definitions/events", s.perEventProperties)

	project := AppPrefix + "/projects/" + ProjectID
	s.handle(http.MethodGet, project+"/schemas", s.lexiconSchemas(""))
	for _, et := range lexiconEntityTypes {
		s.handle(http.MethodGet, project+"/schemas/"+et, s.lexiconSchemas(et))
	}
	scopes := []string{project}
	for _, w := range s.Data.Workspaces {
		if strconv.FormatInt(w.ProjectID, 10) == ProjectID {
			scopes = append(scopes, AppPrefix+"/workspaces/"+strconv.FormatInt(w.ID, 10))
		}
	}
	for _, scope := range scopes {
		s.handle(http.MethodGet, scope+"/data-definitions/events/", s.eventDefinitions)
		s.handle(http.MethodPatch, scope+"/data-definitions/events/", s.eventDefinitionWrites)
		s.handle(http.MethodDelete, scope+"/data-definitions/events/", s.eventDefinitionWrites)
		s.handle(http.MethodGet, scope+"/data-definitions/properties/", s.propertyDefinitions)
	}
}

var lexiconEntityTypes = []string{"event", "profile", "custom_event"}

func errorBody(msg string) map[string]any { return map[string]any{"error": msg, "status": "error"} }

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	d := s.Data
	orgs := map[string]any{}
	for _, o := range d.Organizations {
		orgs[strconv.FormatInt(o.ID, 10)] = map[string]any{"id": o.ID, "name": o.Name, "role": o.Role, "permissions": o.Permissions}
	}
	projects := map[string]any{}
	for _, p := range d.Projects {
		projects[strconv.FormatInt(p.ID, 10)] = map[string]any{"name": p.Name, "organization_id": p.OrganizationID, "timezone": p.Timezone, "has_workspaces": p.HasWorkspaces, "domain": p.Domain}
	}
	workspaces := map[string]any{}
	for _, ws := range d.Workspaces {
		workspaces[strconv.FormatInt(ws.ID, 10)] = workspaceJSON(ws)
	}
	WriteApp(w, map[string]any{
		"user_id": d.User.ID, "user_email": d.User.Email, "user_name": d.User.Name,
		"organizations": orgs, "projects": projects, "workspaces": workspaces,
	})
}

func workspaceJSON(ws Workspace) map[string]any {
	return map[string]any{
		"id": ws.ID, "name": ws.Name, "project_id": ws.ProjectID, "is_default": ws.IsDefault,
		"is_global": ws.IsGlobal, "is_restricted": ws.IsRestricted, "is_visible": ws.IsVisible,
		"description": ws.Description, "created_iso": ws.CreatedISO, "creator_name": ws.CreatorName,
	}
}

func (s *Server) publicWorkspaces(pid int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out := []any{}
		for _, ws := range s.Data.Workspaces {
			if ws.ProjectID == pid {
				out = append(out, workspaceJSON(ws))
			}
		}
		WriteApp(w, out)
	}
}

func (s *Server) projectsMetadataIndex(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{}
	for _, p := range s.Data.Projects {
		wss := map[string]any{}
		for _, ws := range s.Data.Workspaces {
			if ws.ProjectID == p.ID {
				wss[strconv.FormatInt(ws.ID, 10)] = workspaceJSON(ws)
			}
		}
		out[strconv.FormatInt(p.ID, 10)] = map[string]any{"name": p.Name, "workspaces": wss}
	}
	WriteApp(w, out)
}

var earliestDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// eventNames enforces what Mixpanel does: a type, dates from 2000 on, the
// project's history gate, and a limit clamped at 5000.
func (s *Server) eventNames(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !validCountType(q.Get("type")) {
		WriteJSON(w, http.StatusBadRequest, errorBody(`type must be one of "general", "unique", "average"`))
		return
	}
	today := s.Data.Today()
	if from := q.Get("from_date"); from != "" {
		d, err := time.Parse(time.DateOnly, from)
		switch {
		case err != nil:
			WriteJSON(w, http.StatusBadRequest, errorBody("Error in from_date: invalid date format, expected YYYY-MM-DD"))
			return
		case d.Before(earliestDate):
			WriteJSON(w, http.StatusBadRequest, errorBody("Error in from_date: invalid date, bad year"))
			return
		case s.Data.EventNamesMaxDays > 0 && d.Before(dateOf(today).AddDate(0, 0, -s.Data.EventNamesMaxDays)):
			WriteJSON(w, http.StatusForbidden, errorBody(fmt.Sprintf("Date range exceeds %d days into the past", s.Data.EventNamesMaxDays)))
			return
		}
	}
	limit, ok := intParam(w, q.Get("limit"), 255)
	if !ok {
		return
	}
	limit = min(limit, 5000)
	names := []string{}
	for _, e := range s.Data.Events {
		if len(names) == limit {
			break
		}
		names = append(names, e.Name)
	}
	WriteJSON(w, http.StatusOK, names)
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func validCountType(t string) bool { return t == "general" || t == "unique" || t == "average" }

// intParam parses an optional positive integer parameter, answering 400
// when it is not one.
func intParam(w http.ResponseWriter, v string, def int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("limit must be a positive integer, got %q", v)))
		return 0, false
	}
	return n, true
}

func (s *Server) event(name string) (Event, bool) {
	for _, e := range s.Data.Events {
		if e.Name == name {
			return e, true
		}
	}
	return Event{}, false
}

func (s *Server) eventProperty(name string) (Property, bool) {
	for _, p := range s.Data.EventProperties {
		if p.Name == name {
			return p, true
		}
	}
	return Property{}, false
}

// topProperties answers {"<property>": {"count": n}} for the most seen
// properties of an event (10 unless limit says otherwise).
func (s *Server) topProperties(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("event")
	if name == "" {
		WriteJSON(w, http.StatusBadRequest, errorBody("event is required"))
		return
	}
	e, ok := s.event(name)
	if !ok {
		WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("event %q not found in project", name)))
		return
	}
	limit, ok := intParam(w, q.Get("limit"), 10)
	if !ok {
		return
	}
	var props []Property
	for _, pn := range e.Properties {
		if p, ok := s.eventProperty(pn); ok {
			props = append(props, p)
		}
	}
	sort.SliceStable(props, func(i, j int) bool { return props[i].Count > props[j].Count })
	out := map[string]any{}
	for _, p := range props[:min(limit, len(props))] {
		out[p.Name] = map[string]any{"count": p.Count}
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) propertyValues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name := q.Get("name")
	if name == "" {
		WriteJSON(w, http.StatusBadRequest, errorBody("name is required"))
		return
	}
	limit, ok := intParam(w, q.Get("limit"), 255)
	if !ok {
		return
	}
	values := []string{}
	if event := q.Get("event"); event != "" {
		e, found := s.event(event)
		if !found || !slices.Contains(e.Properties, name) {
			WriteJSON(w, http.StatusOK, values)
			return
		}
	}
	if p, found := s.eventProperty(name); found {
		values = append(values, p.Values[:min(limit, len(p.Values))]...)
	}
	WriteJSON(w, http.StatusOK, values)
}

func (s *Server) topEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	typ := q.Get("type")
	if !validCountType(typ) {
		WriteJSON(w, http.StatusBadRequest, errorBody(`type must be one of "general", "unique", "average"`))
		return
	}
	limit, ok := intParam(w, q.Get("limit"), 100)
	if !ok {
		return
	}
	events := []any{}
	for _, t := range s.Data.TopEvents[:min(limit, len(s.Data.TopEvents))] {
		amount := float64(t.Amount)
		switch typ {
		case "unique":
			amount = float64(t.Amount / 3)
		case "average":
			amount = 3.0
		}
		events = append(events, map[string]any{"amount": amount, "event": t.Event, "percent_change": t.PercentChange})
	}
	WriteJSON(w, http.StatusOK, map[string]any{"events": events, "type": typ})
}

func (s *Server) funnelsList(w http.ResponseWriter, r *http.Request) {
	out := []any{}
	for _, f := range s.Data.SavedFunnels {
		out = append(out, map[string]any{"funnel_id": f.ID, "name": f.Name})
	}
	WriteJSON(w, http.StatusOK, out)
}

func (s *Server) cohortsList(w http.ResponseWriter, r *http.Request) {
	pid, _ := strconv.ParseInt(ProjectID, 10, 64)
	out := []any{}
	for _, c := range s.Data.SavedCohorts {
		visible := 0
		if c.IsVisible {
			visible = 1
		}
		out = append(out, map[string]any{"id": c.ID, "name": c.Name, "count": c.Count, "description": c.Description, "created": c.Created, "is_visible": visible, "project_id": pid})
	}
	WriteJSON(w, http.StatusOK, out)
}

var bookmarkTypes = []string{"insights", "funnels", "retention", "flows", "launch-analysis"}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// lexiconSchemas serves /schemas (every type) and /schemas/{type}; with
// entity_name it answers the one schema or 404.
func (s *Server) lexiconSchemas(entityType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("entity_name")
		out := []any{}
		for _, ls := range s.Data.LexiconSchemas {
			if entityType != "" && ls.EntityType != entityType {
				continue
			}
			entry := map[string]any{"entityType": ls.EntityType, "name": ls.Name, "schemaJson": ls.Schema}
			if name != "" && ls.Name == name {
				WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": entry})
				return
			}
			out = append(out, entry)
		}
		if name != "" {
			WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("schema for %s %q not found", entityType, name)))
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": out})
	}
}

// eventDefinitions lists Lexicon event definitions (camelCase), all of
// them or those named by name[].
func (s *Server) eventDefinitions(w http.ResponseWriter, r *http.Request) {
	if s.customEventDefinitions(w, r) {
		return
	}
	names := r.URL.Query()["name[]"]
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	for i, e := range s.Data.Events {
		if len(names) > 0 && !slices.Contains(names, e.Name) || s.lexiconDeleted(lexScope(r), e.Name) {
			continue
		}
		out = append(out, eventDefinitionJSON(i, e))
	}
	WriteApp(w, out)
}

// propertyDefinitions lists Lexicon property definitions. Like Mixpanel it
// only accepts resourceType=Event or User (a lowercase value is a 400), and
// adds each property's events with includeEvents=true and its density with
// includeDensity=true.
func (s *Server) propertyDefinitions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rt := q.Get("resourceType")
	if rt != "" && rt != "Event" && rt != "User" {
		WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("Invalid resource type %q", rt)))
		return
	}
	names := q["name[]"]
	includeEvents := q.Get("includeEvents") == "true"
	if includeEvents && s.Data.LexiconJoinTimesOut {
		WriteJSON(w, http.StatusGatewayTimeout, errorBody("upstream request timeout"))
		return
	}
	includeDensity := q.Get("includeDensity") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []any{}
	add := func(id int, p Property, resourceType string, events []string) {
		if len(names) > 0 && !slices.Contains(names, p.Name) {
			return
		}
		row := propertyDefinitionJSON(id, p, resourceType)
		if includeEvents {
			evs := []any{}
			for _, e := range events {
				evs = append(evs, map[string]any{"name": e})
			}
			row["events"] = evs
		}
		if includeDensity {
			row["densityLocal"] = p.Density
		}
		out = append(out, row)
	}
	if rt == "" || rt == "Event" {
		for i, p := range s.Data.EventProperties {
			var events []string
			for _, e := range s.Data.Events {
				if slices.Contains(e.Properties, p.Name) {
					events = append(events, e.Name)
				}
			}
			add(8000+i, p, "Event", events)
		}
	}
	if rt == "" || rt == "User" {
		for i, p := range s.Data.UserProperties {
			add(8500+i, p, "User", nil)
		}
	}
	WriteApp(w, out)
}

// perEventProperties answers the Query API's event definitions, each with
// the properties it carries when fetch_per_event_properties=true. Like
// Mixpanel it takes at most 200 names per call.
func (s *Server) perEventProperties(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	names := q["name[]"]
	if len(names) > 200 {
		WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("at most 200 names per request, got %d", len(names))))
		return
	}
	withProps := q.Get("fetch_per_event_properties") == "true"
	out := []any{}
	for _, e := range s.Data.Events {
		if len(names) > 0 && !slices.Contains(names, e.Name) {
			continue
		}
		row := map[string]any{"name": e.Name, "description": e.Description, "hidden": e.Hidden}
		if withProps {
			props := []any{}
			for _, p := range e.Properties {
				props = append(props, map[string]any{"name": p})
			}
			row["properties"] = props
		}
		out = append(out, row)
	}
	WriteJSON(w, http.StatusOK, map[string]any{"results": out})
}
