package tools

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// The discovery toolset: what a project tracks (events, properties, their
// values and inner keys), what it has saved (funnels, cohorts, reports),
// how the Lexicon documents it, and which properties travel with which
// events. Models call these before querying.
func discoveryTools() []*Tool {
	return []*Tool{
		New("clear_discovery_cache", ToolsetDiscovery,
			"Drop this project's cached discovery answers (events, properties, saved reports, Lexicon, workspaces, /me) so the next calls fetch fresh ones.",
			Local, clearDiscoveryCache),
		New("list_events", ToolsetDiscovery,
			"List the project's event names (sorted). Call before querying to get exact names.",
			ReadOnly, listEvents),
		New("list_properties", ToolsetDiscovery,
			"List properties: those seen on an event (most common first), all event properties, or user (profile) properties.",
			ReadOnly, listProperties),
		New("list_property_values", ToolsetDiscovery,
			"Sample values of a property (most common first), optionally only those sent with one event.",
			ReadOnly, listPropertyValues),
		New("list_subproperties", ToolsetDiscovery,
			"Infer the keys and types inside a list-of-object property such as a cart's items, for list_item breakdowns and list_contains filters.",
			ReadOnly, listSubproperties),
		New("list_top_events", ToolsetDiscovery,
			"Today's most frequent events with their change since yesterday.",
			ReadOnly, listTopEvents),
		New("list_funnels", ToolsetDiscovery,
			"List saved funnels (id and name).",
			ReadOnly, listFunnels),
		New("list_cohorts", ToolsetDiscovery,
			"List saved cohorts with their user counts.",
			ReadOnly, listCohorts),
		New("list_bookmarks", ToolsetDiscovery,
			"List saved reports (bookmarks), optionally of one type or only some ids; their ids run with the saved-report tools.",
			ReadOnly, listBookmarks),
		New("list_lexicon_schemas", ToolsetDiscovery,
			"List the Lexicon's documented events and profiles with their descriptions.",
			ReadOnly, listLexiconSchemas),
		New("get_lexicon_schema", ToolsetDiscovery,
			"One Lexicon schema: the entity's description, metadata and documented properties with types.",
			ReadOnly, getLexiconSchema),
		New("get_schema_graph", ToolsetDiscovery,
			"The event↔property graph from the Lexicon: a summary, the properties of an event, the events of a property, orphan properties, or every relationship.",
			ReadOnly, getSchemaGraph),
	}
}

// Defaults and ceilings of the discovery tools.
const (
	discDefaultRows      = 100
	discMaxRows          = 5000
	discDefaultValues    = 100
	discMaxValues        = 1000
	discDefaultTopEvents = 20
	discMaxTopEvents     = 100
	discMaxSample        = 500
)

// containsFold is the case-insensitive substring match of the query filters.
func containsFold(s, sub string) bool {
	return sub == "" || strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// ListEventsInput filters and pages the event names.
type ListEventsInput struct {
	Query    string `json:"query,omitempty" jsonschema:"description=Case-insensitive substring of the event name"`
	FromDate string `json:"from_date,omitempty" jsonschema:"description=Only events seen since YYYY-MM-DD; default all history"`
	ToDate   string `json:"to_date,omitempty" jsonschema:"description=Only events seen until YYYY-MM-DD; default today"`
	Limit    int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=5000,default=100"`
	Offset   int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks dates and the page window.
func (in ListEventsInput) Validate() error {
	var iss query.Issues
	checkDates(&iss, in.FromDate, in.ToDate, false)
	checkPage(&iss, in.Limit, in.Offset, discMaxRows)
	return issuesError(iss)
}

// EventList is a page of event names.
type EventList struct {
	Events []string `json:"events"`
	Total  int      `json:"total"`
	Offset int      `json:"offset"`
	Query  string   `json:"query,omitempty"`
}

// Text renders the names one per row.
func (o EventList) Text() string {
	title := fmt.Sprintf("%d events", o.Total)
	if o.Query != "" {
		title += fmt.Sprintf(" matching %q", o.Query)
	}
	return Table{Title: title, Columns: []string{"event"}, Rows: singleColumn(o.Events), Offset: o.Offset, Total: o.Total}.String()
}

func singleColumn(vals []string) [][]string {
	rows := make([][]string, len(vals))
	for i, v := range vals {
		rows[i] = []string{v}
	}
	return rows
}

func listEvents(ctx context.Context, env *Env, in ListEventsInput) (EventList, error) {
	c, err := env.Client()
	if err != nil {
		return EventList{}, err
	}
	names, err := c.Events(ctx, mixpanel.EventsOptions{FromDate: in.FromDate, ToDate: in.ToDate, Now: env.Now()})
	if err != nil {
		return EventList{}, err
	}
	matched := make([]string, 0, len(names))
	for _, n := range names {
		if containsFold(n, in.Query) {
			matched = append(matched, n)
		}
	}
	start, end := Page(len(matched), in.Offset, cmp.Or(in.Limit, discDefaultRows))
	return EventList{Events: matched[start:end], Total: len(matched), Offset: start, Query: in.Query}, nil
}

// ListPropertiesInput picks which properties to list.
type ListPropertiesInput struct {
	Event        string `json:"event,omitempty" jsonschema:"description=Event name: list the properties seen on it (most common first). Omit for all event properties of the Lexicon"`
	ResourceType string `json:"resource_type,omitempty" jsonschema:"enum=event,enum=user,default=event,description=user lists user (profile) properties"`
	Query        string `json:"query,omitempty" jsonschema:"description=Case-insensitive substring of the property name"`
	Limit        int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=5000,default=100"`
	Offset       int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks the resource type and the window.
func (in ListPropertiesInput) Validate() error {
	var iss query.Issues
	if iss.Enum(query.CodeInvalidEnum, "resource_type", in.ResourceType, "event", "user") && in.ResourceType == "user" && in.Event != "" {
		iss.Add(query.CodeConflict, "event", "user properties belong to profiles, not events; drop event or set resource_type to \"event\"")
	}
	checkPage(&iss, in.Limit, in.Offset, discMaxRows)
	return issuesError(iss)
}

// PropertyRow is one property; Count is set for an event's properties,
// Type and Description for Lexicon definitions.
type PropertyRow struct {
	Name        string   `json:"name"`
	Count       *float64 `json:"count,omitempty"`
	Type        string   `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
}

// PropertyList is a page of properties.
type PropertyList struct {
	ResourceType string        `json:"resource_type"`
	Event        string        `json:"event,omitempty"`
	Properties   []PropertyRow `json:"properties"`
	Total        int           `json:"total"`
	Offset       int           `json:"offset"`
	// Capped is true when Mixpanel was asked for no more than the page
	// reaches, so Total may undercount.
	Capped bool `json:"capped,omitempty"`
}

// Text renders the properties as a table.
func (o PropertyList) Text() string {
	rows := make([][]string, 0, len(o.Properties))
	if o.Event != "" {
		for _, p := range o.Properties {
			count := ""
			if p.Count != nil {
				count = Num(*p.Count)
			}
			rows = append(rows, []string{p.Name, count})
		}
		t := Table{Title: fmt.Sprintf("Properties of event %q, most seen first", o.Event), Columns: []string{"property", "count"}, Rows: rows, Offset: o.Offset, Total: o.Total}
		s := t.String()
		if o.Capped {
			s += "More properties may exist; raise limit or pass offset to see them.\n"
		}
		return s
	}
	for _, p := range o.Properties {
		rows = append(rows, []string{p.Name, p.Type, p.Description})
	}
	return Table{Title: fmt.Sprintf("%d %s properties (Lexicon)", o.Total, o.ResourceType), Columns: []string{"property", "type", "description"}, Rows: rows, Offset: o.Offset, Total: o.Total}.String()
}

func listProperties(ctx context.Context, env *Env, in ListPropertiesInput) (PropertyList, error) {
	c, err := env.Client()
	if err != nil {
		return PropertyList{}, err
	}
	limit := cmp.Or(in.Limit, discDefaultRows)
	out := PropertyList{ResourceType: cmp.Or(in.ResourceType, "event"), Event: in.Event, Properties: []PropertyRow{}}
	var rows []PropertyRow
	if in.Event != "" {
		// Mixpanel returns the most seen first: ask for just enough to
		// fill the page.
		want := in.Offset + limit
		counts, err := c.EventProperties(ctx, in.Event, want)
		if err != nil {
			return PropertyList{}, err
		}
		out.Capped = len(counts) >= want
		for _, pc := range counts {
			n := pc.Count
			rows = append(rows, PropertyRow{Name: pc.Name, Count: &n})
		}
	} else {
		defs, err := c.PropertyDefinitions(ctx, out.ResourceType)
		if err != nil {
			return PropertyList{}, err
		}
		for _, d := range defs {
			rows = append(rows, PropertyRow{Name: d.Name, Type: d.Type, Description: d.Description})
		}
	}
	rows = slices.DeleteFunc(rows, func(r PropertyRow) bool { return !containsFold(r.Name, in.Query) })
	start, end := Page(len(rows), in.Offset, limit)
	out.Properties = append(out.Properties, rows[start:end]...)
	out.Total, out.Offset = len(rows), start
	return out, nil
}

// PropertyValuesInput selects a property's sample values.
type PropertyValuesInput struct {
	Property string `json:"property" jsonschema:"description=Property name as list_properties shows it"`
	Event    string `json:"event,omitempty" jsonschema:"description=Only values sent with this event"`
	Limit    int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=100"`
}

// Validate checks the property and limit.
func (in PropertyValuesInput) Validate() error {
	var iss query.Issues
	iss.Required(query.CodeRequired, "property", in.Property, "$browser")
	checkPage(&iss, in.Limit, 0, discMaxValues)
	return issuesError(iss)
}

// PropertyValues is a property's sample values.
type PropertyValues struct {
	Property string   `json:"property"`
	Event    string   `json:"event,omitempty"`
	Values   []string `json:"values"`
	Limit    int      `json:"limit"`
}

// Text renders the values, noting when the limit was reached.
func (o PropertyValues) Text() string {
	title := fmt.Sprintf("Values of %q", o.Property)
	if o.Event != "" {
		title += fmt.Sprintf(" on event %q", o.Event)
	}
	s := Table{Title: title + ", most common first", Columns: []string{"value"}, Rows: singleColumn(o.Values)}.String()
	if len(o.Values) >= o.Limit {
		s += fmt.Sprintf("Limit %d reached: more values may exist; raise limit (at most %d).\n", o.Limit, discMaxValues)
	}
	return s
}

func listPropertyValues(ctx context.Context, env *Env, in PropertyValuesInput) (PropertyValues, error) {
	c, err := env.Client()
	if err != nil {
		return PropertyValues{}, err
	}
	limit := cmp.Or(in.Limit, discDefaultValues)
	vals, err := c.PropertyValues(ctx, mixpanel.PropertyValuesOptions{Property: in.Property, Event: in.Event, Limit: limit})
	if err != nil {
		return PropertyValues{}, err
	}
	if vals == nil {
		vals = []string{}
	}
	return PropertyValues{Property: in.Property, Event: in.Event, Values: vals, Limit: limit}, nil
}

// SubpropertiesInput names the list-of-object property to inspect.
type SubpropertiesInput struct {
	Property   string `json:"property" jsonschema:"description=A list-of-object event property such as cart"`
	Event      string `json:"event,omitempty" jsonschema:"description=Event that sends it (recommended: narrows the sample)"`
	SampleSize int    `json:"sample_size,omitempty" jsonschema:"minimum=1,maximum=500,default=50,description=Values to sample"`
}

// Validate checks the property and sample size.
func (in SubpropertiesInput) Validate() error {
	var iss query.Issues
	iss.Required(query.CodeRequired, "property", in.Property, "cart")
	if in.SampleSize != 0 {
		iss.Range(query.CodeRange, "sample_size", int64(in.SampleSize), 1, discMaxSample, "omit it for the default")
	}
	return issuesError(iss)
}

// SubpropertiesOutput is the inferred inner structure of a property.
type SubpropertiesOutput struct {
	Property      string                     `json:"property"`
	Event         string                     `json:"event,omitempty"`
	SampleSize    int                        `json:"sample_size"`
	Sampled       int                        `json:"sampled"` // values Mixpanel returned
	Subproperties []mixpanel.SubPropertyInfo `json:"subproperties"`
	Warnings      []string                   `json:"warnings,omitempty"`
}

// Text renders one row per inner key with its samples.
func (o SubpropertiesOutput) Text() string {
	var b strings.Builder
	rows := make([][]string, 0, len(o.Subproperties))
	for _, s := range o.Subproperties {
		samples := make([]string, len(s.SampleValues))
		for i, v := range s.SampleValues {
			samples[i] = fmt.Sprint(v)
		}
		rows = append(rows, []string{s.Name, s.Type, strings.Join(samples, ", ")})
	}
	title := fmt.Sprintf("Subproperties of %q inferred from %d sampled values (sample_size %d)", o.Property, o.Sampled, o.SampleSize)
	if o.Event != "" {
		title += fmt.Sprintf(" of event %q", o.Event)
	}
	b.WriteString(Table{Title: title, Columns: []string{"subproperty", "type", "samples"}, Rows: rows}.String())
	for _, w := range o.Warnings {
		b.WriteString("Warning: " + w + ".\n")
	}
	if len(o.Subproperties) == 0 {
		b.WriteString("No JSON object values were found: the property may not be a list of objects; check it with list_property_values.\n")
	} else {
		fmt.Fprintf(&b, "Use a subproperty with its type in a list_item group-by or a list_contains filter on %q.\n", o.Property)
	}
	return b.String()
}

func listSubproperties(ctx context.Context, env *Env, in SubpropertiesInput) (SubpropertiesOutput, error) {
	c, err := env.Client()
	if err != nil {
		return SubpropertiesOutput{}, err
	}
	sample := cmp.Or(in.SampleSize, mixpanel.DefaultSubpropertySample)
	raw, err := c.PropertyValues(ctx, mixpanel.PropertyValuesOptions{Property: in.Property, Event: in.Event, Limit: sample})
	if err != nil {
		return SubpropertiesOutput{}, err
	}
	subs, warnings := mixpanel.InferSubproperties(raw)
	if subs == nil {
		subs = []mixpanel.SubPropertyInfo{}
	}
	return SubpropertiesOutput{Property: in.Property, Event: in.Event, SampleSize: sample, Sampled: len(raw), Subproperties: subs, Warnings: warnings}, nil
}

// TopEventsInput picks the counting method and how many events.
type TopEventsInput struct {
	Type  string `json:"type,omitempty" jsonschema:"enum=general,enum=unique,enum=average,default=general,description=general counts events; unique counts users; average is events per user"`
	Limit int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100,default=20"`
}

// Validate checks the type and limit.
func (in TopEventsInput) Validate() error {
	var iss query.Issues
	iss.Enum(query.CodeInvalidEnum, "type", in.Type, mixpanel.TopEventTypes...)
	checkPage(&iss, in.Limit, 0, discMaxTopEvents)
	return issuesError(iss)
}

// TopEventsOutput is today's activity.
type TopEventsOutput struct {
	Type   string              `json:"type"`
	Limit  int                 `json:"limit"`
	Events []mixpanel.TopEvent `json:"events"`
}

// Text renders the events with their change.
func (o TopEventsOutput) Text() string {
	rows := make([][]string, 0, len(o.Events))
	for _, e := range o.Events {
		change := Pct(e.PercentChange)
		if e.PercentChange > 0 {
			change = "+" + change
		}
		rows = append(rows, []string{e.Event, Num(e.Count), change})
	}
	s := Table{Title: fmt.Sprintf("Top events today (%s counts), change vs yesterday", o.Type), Columns: []string{"event", "count", "change"}, Rows: rows}.String()
	if len(o.Events) >= o.Limit && o.Limit < discMaxTopEvents {
		s += fmt.Sprintf("Showing the top %d; raise limit (at most %d) for more.\n", o.Limit, discMaxTopEvents)
	}
	return s
}

func listTopEvents(ctx context.Context, env *Env, in TopEventsInput) (TopEventsOutput, error) {
	c, err := env.Client()
	if err != nil {
		return TopEventsOutput{}, err
	}
	typ, limit := cmp.Or(in.Type, "general"), cmp.Or(in.Limit, discDefaultTopEvents)
	events, err := c.TopEvents(ctx, typ, limit)
	if err != nil {
		return TopEventsOutput{}, err
	}
	return TopEventsOutput{Type: typ, Limit: limit, Events: events}, nil
}

// SavedListInput filters and pages a list of saved entities by name.
type SavedListInput struct {
	Query  string `json:"query,omitempty" jsonschema:"description=Case-insensitive substring of the name"`
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=5000,default=100"`
	Offset int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks the page window.
func (in SavedListInput) Validate() error {
	var iss query.Issues
	checkPage(&iss, in.Limit, in.Offset, discMaxRows)
	return issuesError(iss)
}

// pageByName filters items by name and cuts the requested window (never
// nil, so an empty page encodes as []).
func pageByName[T any](items []T, name func(T) string, in SavedListInput) (rows []T, total, offset int) {
	matched := make([]T, 0, len(items))
	for _, it := range items {
		if containsFold(name(it), in.Query) {
			matched = append(matched, it)
		}
	}
	start, end := Page(len(matched), in.Offset, cmp.Or(in.Limit, discDefaultRows))
	return matched[start:end], len(matched), start
}

// FunnelList is a page of saved funnels.
type FunnelList struct {
	Funnels []mixpanel.FunnelInfo `json:"funnels"`
	Total   int                   `json:"total"`
	Offset  int                   `json:"offset"`
}

// Text renders the funnels as a table.
func (o FunnelList) Text() string {
	rows := make([][]string, 0, len(o.Funnels))
	for _, f := range o.Funnels {
		rows = append(rows, []string{strconv.FormatInt(f.FunnelID, 10), f.Name})
	}
	return Table{Title: fmt.Sprintf("%d saved funnels", o.Total), Columns: []string{"funnel_id", "name"}, Rows: rows, Offset: o.Offset, Total: o.Total}.String()
}

func listFunnels(ctx context.Context, env *Env, in SavedListInput) (FunnelList, error) {
	c, err := env.Client()
	if err != nil {
		return FunnelList{}, err
	}
	all, err := c.Funnels(ctx)
	if err != nil {
		return FunnelList{}, err
	}
	rows, total, offset := pageByName(all, func(f mixpanel.FunnelInfo) string { return f.Name }, in)
	return FunnelList{Funnels: rows, Total: total, Offset: offset}, nil
}

// CohortList is a page of saved cohorts.
type CohortList struct {
	Cohorts []mixpanel.SavedCohort `json:"cohorts"`
	Total   int                    `json:"total"`
	Offset  int                    `json:"offset"`
}

// Text renders the cohorts as a table.
func (o CohortList) Text() string {
	rows := make([][]string, 0, len(o.Cohorts))
	for _, c := range o.Cohorts {
		visible := "yes"
		if !c.IsVisible {
			visible = "no"
		}
		rows = append(rows, []string{strconv.FormatInt(c.ID, 10), c.Name, strconv.FormatInt(c.Count, 10), visible, c.Created, c.Description})
	}
	return Table{Title: fmt.Sprintf("%d saved cohorts", o.Total), Columns: []string{"id", "name", "users", "visible", "created", "description"}, Rows: rows, Offset: o.Offset, Total: o.Total}.String()
}

func listCohorts(ctx context.Context, env *Env, in SavedListInput) (CohortList, error) {
	c, err := env.Client()
	if err != nil {
		return CohortList{}, err
	}
	all, err := c.Cohorts(ctx)
	if err != nil {
		return CohortList{}, err
	}
	rows, total, offset := pageByName(all, func(c mixpanel.SavedCohort) string { return c.Name }, in)
	return CohortList{Cohorts: rows, Total: total, Offset: offset}, nil
}

// ListBookmarksInput filters the saved reports.
type ListBookmarksInput struct {
	mixpanel.ListBookmarksParams
	Query  string `json:"query,omitempty" jsonschema:"description=Case-insensitive substring of the report name"`
	Limit  int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=5000,default=100"`
	Offset int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks the type and window.
func (in ListBookmarksInput) Validate() error {
	var iss query.Issues
	iss.Enum(query.CodeInvalidEnum, "type", in.Type, mixpanel.BookmarkTypes...)
	for i, id := range in.IDs {
		iss.Range(query.CodeRange, fmt.Sprintf("ids[%d]", i), id, 1, query.NoMax, "ids are report ids; omit ids to list every report")
	}
	checkPage(&iss, in.Limit, in.Offset, discMaxRows)
	return issuesError(iss)
}

// BookmarkList is a page of saved reports.
type BookmarkList struct {
	Type      string                  `json:"type,omitempty"`
	Bookmarks []mixpanel.BookmarkInfo `json:"bookmarks"`
	Total     int                     `json:"total"`
	Offset    int                     `json:"offset"`
}

// Text renders the reports as a table.
func (o BookmarkList) Text() string {
	rows := make([][]string, 0, len(o.Bookmarks))
	for _, b := range o.Bookmarks {
		dash := ""
		if b.DashboardID != nil {
			dash = strconv.FormatInt(*b.DashboardID, 10)
		}
		rows = append(rows, []string{strconv.FormatInt(b.ID, 10), b.Name, b.Type, b.Modified, dash, b.CreatorName})
	}
	title := fmt.Sprintf("%d saved reports", o.Total)
	if o.Type != "" {
		title = fmt.Sprintf("%d saved %s reports", o.Total, o.Type)
	}
	return Table{Title: title, Columns: []string{"id", "name", "type", "modified", "dashboard", "creator"}, Rows: rows, Offset: o.Offset, Total: o.Total}.String()
}

func listBookmarks(ctx context.Context, env *Env, in ListBookmarksInput) (BookmarkList, error) {
	c, err := env.Client()
	if err != nil {
		return BookmarkList{}, err
	}
	all, err := c.ListBookmarks(ctx, in.ListBookmarksParams)
	if err != nil {
		return BookmarkList{}, err
	}
	rows, total, offset := pageByName(all, func(b mixpanel.BookmarkInfo) string { return b.Name },
		SavedListInput{Query: in.Query, Limit: in.Limit, Offset: in.Offset})
	return BookmarkList{Type: in.Type, Bookmarks: rows, Total: total, Offset: offset}, nil
}

// LexiconSchemasInput filters the Lexicon's schemas.
type LexiconSchemasInput struct {
	EntityType string `json:"entity_type,omitempty" jsonschema:"enum=event,enum=profile,enum=custom_event,description=Only schemas of this entity type"`
	Query      string `json:"query,omitempty" jsonschema:"description=Case-insensitive substring of the entity name"`
	Limit      int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=5000,default=100"`
	Offset     int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks the entity type and window.
func (in LexiconSchemasInput) Validate() error {
	var iss query.Issues
	iss.Enum(query.CodeInvalidEnum, "entity_type", in.EntityType, mixpanel.LexiconEntityTypes...)
	checkPage(&iss, in.Limit, in.Offset, discMaxRows)
	return issuesError(iss)
}

// LexiconSchemaSummary is one schema without its property list.
type LexiconSchemaSummary struct {
	EntityType    string `json:"entity_type"`
	Name          string `json:"name"`
	Description   string `json:"description,omitempty"`
	DisplayName   string `json:"display_name,omitempty"`
	PropertyCount int    `json:"property_count"`
}

// LexiconSchemaList is a page of schema summaries.
type LexiconSchemaList struct {
	Schemas []LexiconSchemaSummary `json:"schemas"`
	Total   int                    `json:"total"`
	Offset  int                    `json:"offset"`
}

// Text renders the schemas as a table.
func (o LexiconSchemaList) Text() string {
	rows := make([][]string, 0, len(o.Schemas))
	for _, s := range o.Schemas {
		rows = append(rows, []string{s.EntityType, s.Name, s.DisplayName, strconv.Itoa(s.PropertyCount), s.Description})
	}
	s := Table{Title: fmt.Sprintf("%d Lexicon schemas", o.Total), Columns: []string{"entity_type", "name", "display name", "properties", "description"}, Rows: rows, Offset: o.Offset, Total: o.Total}.String()
	return s + "get_lexicon_schema shows one schema's properties.\n"
}

func listLexiconSchemas(ctx context.Context, env *Env, in LexiconSchemasInput) (LexiconSchemaList, error) {
	c, err := env.Client()
	if err != nil {
		return LexiconSchemaList{}, err
	}
	all, err := c.LexiconSchemas(ctx, in.EntityType)
	if err != nil {
		return LexiconSchemaList{}, err
	}
	rows, total, offset := pageByName(all, func(s mixpanel.LexiconSchema) string { return s.Name },
		SavedListInput{Query: in.Query, Limit: in.Limit, Offset: in.Offset})
	out := LexiconSchemaList{Schemas: []LexiconSchemaSummary{}, Total: total, Offset: offset}
	for _, s := range rows {
		sum := LexiconSchemaSummary{EntityType: s.EntityType, Name: s.Name, Description: s.SchemaJSON.Description, PropertyCount: len(s.SchemaJSON.Properties)}
		if s.SchemaJSON.Metadata != nil {
			sum.DisplayName = s.SchemaJSON.Metadata.DisplayName
		}
		out.Schemas = append(out.Schemas, sum)
	}
	return out, nil
}

// LexiconSchemaInput names one schema.
type LexiconSchemaInput struct {
	EntityType string `json:"entity_type" jsonschema:"enum=event,enum=profile,enum=custom_event"`
	Name       string `json:"name" jsonschema:"description=Entity name, e.g. an event name"`
}

// Validate checks the entity type and name.
func (in LexiconSchemaInput) Validate() error {
	var iss query.Issues
	if iss.Required(query.CodeRequired, "entity_type", in.EntityType, "event") {
		iss.Enum(query.CodeInvalidEnum, "entity_type", in.EntityType, mixpanel.LexiconEntityTypes...)
	}
	iss.Required(query.CodeRequired, "name", in.Name, "Sign Up")
	return issuesError(iss)
}

// LexiconSchemaOutput is one schema.
type LexiconSchemaOutput struct {
	mixpanel.LexiconSchema
}

// Text renders the schema's header and its properties as a table.
func (o LexiconSchemaOutput) Text() string {
	var b strings.Builder
	d := o.SchemaJSON
	fmt.Fprintf(&b, "Lexicon %s %q", o.EntityType, o.Name)
	if d.Metadata != nil && d.Metadata.DisplayName != "" {
		fmt.Fprintf(&b, " (shown as %q)", d.Metadata.DisplayName)
	}
	if d.Description != "" {
		b.WriteString(": " + d.Description)
	}
	b.WriteByte('\n')
	if m := d.Metadata; m != nil {
		var parts []string
		if len(m.Tags) > 0 {
			parts = append(parts, "tags "+strings.Join(m.Tags, ", "))
		}
		if m.Hidden {
			parts = append(parts, "hidden")
		}
		if m.Dropped {
			parts = append(parts, "dropped")
		}
		if len(m.Contacts)+len(m.TeamContacts) > 0 {
			parts = append(parts, "owners "+strings.Join(append(append([]string{}, m.Contacts...), m.TeamContacts...), ", "))
		}
		if m.Source != "" {
			parts = append(parts, "source "+m.Source)
		}
		if len(parts) > 0 {
			b.WriteString(strings.Join(parts, "; ") + "\n")
		}
	}
	names := slices.Sorted(maps.Keys(d.Properties))
	rows := make([][]string, 0, len(names))
	for _, n := range names {
		p := d.Properties[n]
		note := ""
		if p.Metadata != nil {
			var notes []string
			if p.Metadata.DisplayName != "" {
				notes = append(notes, "shown as "+strconv.Quote(p.Metadata.DisplayName))
			}
			if p.Metadata.Hidden {
				notes = append(notes, "hidden")
			}
			note = strings.Join(notes, ", ")
		}
		rows = append(rows, []string{n, p.Type, p.Description, note})
	}
	b.WriteString(Table{Title: fmt.Sprintf("%d documented properties", len(names)), Columns: []string{"property", "type", "description", "notes"}, Rows: rows}.String())
	return b.String()
}

func getLexiconSchema(ctx context.Context, env *Env, in LexiconSchemaInput) (LexiconSchemaOutput, error) {
	c, err := env.Client()
	if err != nil {
		return LexiconSchemaOutput{}, err
	}
	s, err := c.LexiconSchema(ctx, in.EntityType, in.Name)
	if err != nil {
		return LexiconSchemaOutput{}, err
	}
	return LexiconSchemaOutput{s}, nil
}

// The views of get_schema_graph.
const (
	viewSummary         = "summary"
	viewEventProperties = "event_properties"
	viewPropertyEvents  = "property_events"
	viewOrphans         = "orphans"
	viewRelationships   = "relationships"
)

// SchemaGraphInput picks a view of the event↔property graph.
type SchemaGraphInput struct {
	View           string `json:"view,omitempty" jsonschema:"enum=summary,enum=event_properties,enum=property_events,enum=orphans,enum=relationships,default=summary,description=summary: events with property counts; event_properties: properties of event; property_events: events of property; orphans: properties on no event; relationships: every event-property edge"`
	Event          string `json:"event,omitempty" jsonschema:"description=Event name, for view event_properties"`
	Property       string `json:"property,omitempty" jsonschema:"description=Property name, for view property_events"`
	IncludeDensity bool   `json:"include_density,omitempty" jsonschema:"description=Add each property's density (share of events carrying it) where Mixpanel computed it"`
	Limit          int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=5000,default=100"`
	Offset         int    `json:"offset,omitempty" jsonschema:"minimum=0"`
}

// Validate checks the view and the name it needs.
func (in SchemaGraphInput) Validate() error {
	var iss query.Issues
	if iss.Enum(query.CodeInvalidEnum, "view", in.View, viewSummary, viewEventProperties, viewPropertyEvents, viewOrphans, viewRelationships) {
		switch in.View {
		case viewEventProperties:
			iss.Required(query.CodeRequired, "event", in.Event, "Sign Up")
		case viewPropertyEvents:
			iss.Required(query.CodeRequired, "property", in.Property, "$browser")
		}
	}
	checkPage(&iss, in.Limit, in.Offset, discMaxRows)
	return issuesError(iss)
}

// SchemaGraphEventRow is one event of the summary view.
type SchemaGraphEventRow struct {
	Name          string   `json:"name"`
	DisplayName   string   `json:"display_name,omitempty"`
	PropertyCount int      `json:"property_count"`
	Verified      bool     `json:"verified,omitempty"`
	Hidden        bool     `json:"hidden,omitempty"`
	Tags          []string `json:"tags,omitempty"`
}

// SchemaGraphView is one view of the graph: the rows of that view, with
// the graph's counts.
type SchemaGraphView struct {
	View       string                   `json:"view"`
	ComputedAt string                   `json:"computed_at"`
	Meta       mixpanel.SchemaGraphMeta `json:"meta"`
	// RelationshipSource says how the edges were gathered (include_events
	// or per_event, the fallback when the bulk join fails).
	RelationshipSource string `json:"relationship_source,omitempty"`
	Event              string `json:"event,omitempty"`
	Property           string `json:"property,omitempty"`
	// Events is the summary view's rows.
	Events []SchemaGraphEventRow `json:"events,omitempty"`
	// Names is the property or event names of the other list views.
	Names []string `json:"names,omitempty"`
	// Relationships is the relationships view's rows.
	Relationships []mixpanel.SchemaRelationship `json:"relationships,omitempty"`
	Total         int                           `json:"total"`
	Offset        int                           `json:"offset"`
}

// Text renders the view as a table under a line of graph counts.
func (o SchemaGraphView) Text() string {
	m := o.Meta
	var b strings.Builder
	fmt.Fprintf(&b, "Schema graph: %d events, %d event properties, %d user properties, %d relationships, %d orphan properties.\n",
		m.EventCount, m.PropertyCount, m.UserPropertyCount, m.RelationshipEdges, m.OrphanProperties)
	if o.RelationshipSource == mixpanel.RelationshipsPerEvent {
		b.WriteString("Note: the Lexicon's bulk join failed; relationships were gathered event by event.\n")
	}
	if dropped := m.EventsWithoutName + m.PropertiesWithoutName + m.PropertyEventEntriesDropped; dropped > 0 {
		fmt.Fprintf(&b, "Note: %d malformed Lexicon rows or entries were skipped.\n", dropped)
	}
	t := Table{Offset: o.Offset, Total: o.Total}
	switch o.View {
	case viewSummary:
		t.Title, t.Columns = "Events by number of properties", []string{"event", "properties", "flags", "tags"}
		for _, e := range o.Events {
			var flags []string
			if e.Verified {
				flags = append(flags, "verified")
			}
			if e.Hidden {
				flags = append(flags, "hidden")
			}
			name := e.Name
			if e.DisplayName != "" {
				name += " (" + e.DisplayName + ")"
			}
			t.Rows = append(t.Rows, []string{name, strconv.Itoa(e.PropertyCount), strings.Join(flags, ", "), strings.Join(e.Tags, ", ")})
		}
	case viewEventProperties:
		t.Title, t.Columns, t.Rows = fmt.Sprintf("Properties on event %q", o.Event), []string{"property"}, singleColumn(o.Names)
	case viewPropertyEvents:
		t.Title, t.Columns, t.Rows = fmt.Sprintf("Events carrying property %q", o.Property), []string{"event"}, singleColumn(o.Names)
	case viewOrphans:
		t.Title, t.Columns, t.Rows = "Event properties on no event", []string{"property"}, singleColumn(o.Names)
	case viewRelationships:
		t.Title, t.Columns = "Event → property", []string{"event", "property", "density"}
		for _, r := range o.Relationships {
			density := ""
			if r.DensityLocal != nil {
				density = Pct(*r.DensityLocal)
			}
			t.Rows = append(t.Rows, []string{r.Event, r.Property, density})
		}
	}
	b.WriteString(t.String())
	return b.String()
}

func getSchemaGraph(ctx context.Context, env *Env, in SchemaGraphInput) (SchemaGraphView, error) {
	c, err := env.Client()
	if err != nil {
		return SchemaGraphView{}, err
	}
	view := cmp.Or(in.View, viewSummary)
	g, err := c.SchemaGraph(ctx, mixpanel.SchemaGraphOptions{IncludeDensity: in.IncludeDensity, Now: env.Now()})
	if err != nil {
		return SchemaGraphView{}, err
	}
	out := SchemaGraphView{View: view, ComputedAt: g.ComputedAt, Meta: g.Meta, RelationshipSource: g.RelationshipSource, Event: in.Event, Property: in.Property}
	limit := cmp.Or(in.Limit, discDefaultRows)
	switch view {
	case viewSummary:
		rows := make([]SchemaGraphEventRow, 0, len(g.Events))
		for _, e := range g.Events {
			rows = append(rows, SchemaGraphEventRow{Name: e.Name, DisplayName: e.DisplayName, PropertyCount: len(g.PropertiesForEvent(e.Name)), Verified: e.Verified, Hidden: e.Hidden, Tags: e.Tags})
		}
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].PropertyCount > rows[j].PropertyCount })
		start, end := Page(len(rows), in.Offset, limit)
		out.Events, out.Total, out.Offset = rows[start:end], len(rows), start
	case viewRelationships:
		rel := g.Relationships()
		start, end := Page(len(rel), in.Offset, limit)
		out.Relationships, out.Total, out.Offset = rel[start:end], len(rel), start
	default:
		var names []string
		switch view {
		case viewEventProperties:
			if _, known := g.EventToProperties[in.Event]; !known {
				return SchemaGraphView{}, fmt.Errorf("event: %q is not in the Lexicon%s", in.Event, suggest(in.Event, slices.Sorted(maps.Keys(g.EventToProperties))))
			}
			names = g.PropertiesForEvent(in.Event)
		case viewPropertyEvents:
			if _, known := g.PropertyToEvents[in.Property]; !known {
				return SchemaGraphView{}, fmt.Errorf("property: %q is not an event property of the Lexicon%s", in.Property, suggest(in.Property, slices.Sorted(maps.Keys(g.PropertyToEvents))))
			}
			names = g.EventsForProperty(in.Property)
		case viewOrphans:
			names = g.OrphanProperties()
		}
		start, end := Page(len(names), in.Offset, limit)
		out.Names, out.Total, out.Offset = names[start:end], len(names), start
	}
	return out, nil
}

// suggest names close matches, or nothing.
func suggest(name string, candidates []string) string {
	similar := mixpanel.FindSimilarEvents(name, candidates)
	if len(similar) == 0 {
		return ""
	}
	q := make([]string, len(similar))
	for i, s := range similar {
		q[i] = strconv.Quote(s)
	}
	return "; did you mean " + strings.Join(q, ", ") + "?"
}
