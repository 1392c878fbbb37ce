package mixpanel

// The schema graph: Lexicon events and properties and which events carry
// which properties.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// SchemaEvent is a Lexicon event definition as the schema graph keeps it
// (Lexicon's camelCase keys).
type SchemaEvent struct {
	ID            int64   `json:"id,omitempty"`
	Name          string  `json:"name"`
	DisplayName   string  `json:"displayName,omitempty"`
	Description   string  `json:"description,omitempty"`
	Hidden        bool    `json:"hidden,omitempty"`
	Dropped       bool    `json:"dropped,omitempty"`
	Verified      bool    `json:"verified,omitempty"`
	Tags          TagList `json:"tags,omitempty"`
	CustomEventID int64   `json:"customEventId,omitempty"`
}

// SchemaProperty is a Lexicon property definition; Events lists the
// events it travels with (event properties only).
type SchemaProperty struct {
	ID           int64            `json:"id,omitempty"`
	Name         string           `json:"name"`
	ResourceType string           `json:"resourceType,omitempty"`
	Type         string           `json:"type,omitempty"`
	Description  string           `json:"description,omitempty"`
	Hidden       bool             `json:"hidden,omitempty"`
	Dropped      bool             `json:"dropped,omitempty"`
	Sensitive    bool             `json:"sensitive,omitempty"`
	DensityLocal *float64         `json:"densityLocal,omitempty"`
	Events       []SchemaEventRef `json:"events,omitempty"`
}

// SchemaEventRef names an event a property appears on.
type SchemaEventRef struct {
	Name string `json:"name"`
}

// SchemaGraphMeta counts what was gathered and what was dropped; a
// nonzero drop count means the Lexicon answer had an unexpected shape.
type SchemaGraphMeta struct {
	EventCount                  int `json:"event_count"`
	PropertyCount               int `json:"property_count"`
	UserPropertyCount           int `json:"user_property_count"`
	RelationshipEdges           int `json:"relationship_edges"`
	OrphanProperties            int `json:"orphan_properties"`
	EventsWithoutName           int `json:"events_without_name"`
	PropertiesWithoutName       int `json:"properties_without_name"`
	PropertyEventEntriesDropped int `json:"property_event_entries_dropped"`
}

// SchemaGraphParams are the options that produced a SchemaGraphResult.
type SchemaGraphParams struct {
	IncludeDensity        bool `json:"include_density"`
	IncludeUserProperties bool `json:"include_user_properties"`
}

// SchemaGraphResult is the Lexicon's events and properties with the
// event↔property relationships (the reference's SchemaGraphResult).
type SchemaGraphResult struct {
	ComputedAt        string              `json:"computed_at"`
	Events            []SchemaEvent       `json:"events"`
	Properties        []SchemaProperty    `json:"properties"`
	UserProperties    []SchemaProperty    `json:"user_properties"`
	EventToProperties map[string][]string `json:"event_to_properties"`
	PropertyToEvents  map[string][]string `json:"property_to_events"`
	IncludeDensity    bool                `json:"include_density"`
	Meta              SchemaGraphMeta     `json:"meta"`
	Params            SchemaGraphParams   `json:"params"`
	// RelationshipSource is RelationshipsBulk or RelationshipsPerEvent.
	RelationshipSource string `json:"relationship_source,omitempty"`
}

// SchemaRelationship is one event→property edge.
type SchemaRelationship struct {
	Event        string   `json:"event"`
	Property     string   `json:"property"`
	DensityLocal *float64 `json:"density_local,omitempty"`
}

// SchemaGraphOptions select what SchemaGraph gathers.
type SchemaGraphOptions struct {
	IncludeDensity     bool
	SkipUserProperties bool
	Now                time.Time // computed_at; zero means time.Now
}

// SchemaGraph gathers event definitions, event properties with the events
// each appears on (one bulk includeEvents=true call) and, unless skipped,
// user properties, concurrently, and derives the relationship maps.
func (c *Client) SchemaGraph(ctx context.Context, o SchemaGraphOptions) (*SchemaGraphResult, error) {
	scope, err := c.Scope()
	if err != nil {
		return nil, err
	}
	var (
		events               []json.RawMessage
		eventProps, userProp []json.RawMessage
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := c.AppJSON(gctx, Request{Path: scope + "/data-definitions/events/", Cacheable: true}, &events); err != nil {
			return fmt.Errorf("event definitions: %w", err)
		}
		return nil
	})
	var bulkErr error
	g.Go(func() error {
		q := url.Values{"resourceType": {"Event"}, "includeEvents": {"true"}}
		if o.IncludeDensity {
			q.Set("includeDensity", "true")
		}
		if err := c.AppJSON(gctx, Request{Path: scope + "/data-definitions/properties/", Query: q, Cacheable: true}, &eventProps); err != nil {
			if !IsKind(err, KindServer) && !IsKind(err, KindTransport) {
				return fmt.Errorf("event property definitions: %w", err)
			}
			bulkErr = err
		}
		return nil
	})
	if !o.SkipUserProperties {
		g.Go(func() error {
			q := url.Values{"resourceType": {"User"}}
			if err := c.AppJSON(gctx, Request{Path: scope + "/data-definitions/properties/", Query: q, Cacheable: true}, &userProp); err != nil {
				return fmt.Errorf("user property definitions: %w", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("schema graph: %w", err)
	}
	source := RelationshipsBulk
	if bulkErr != nil {
		// The bulk join runs behind a ~120 s gateway deadline that large
		// projects miss; the per-event gather of the Query API is the
		// reference's own way around it.
		c.log.Debug().Str("error", bulkErr.Error()).Msg("includeEvents gather failed; gathering per event")
		var err error
		if eventProps, err = c.perEventRelationships(ctx, scope, events, o.IncludeDensity); err != nil {
			return nil, fmt.Errorf("schema graph: the bulk gather failed (%v) and so did the per-event one: %w", bulkErr, err)
		}
		source = RelationshipsPerEvent
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	r := buildSchemaGraph(now.UTC().Format(time.RFC3339), events, eventProps, userProp,
		SchemaGraphParams{IncludeDensity: o.IncludeDensity, IncludeUserProperties: !o.SkipUserProperties})
	r.RelationshipSource = source
	return r, nil
}

// Where a schema graph's relationships came from.
const (
	RelationshipsBulk     = "include_events" // one data-definitions call with includeEvents=true
	RelationshipsPerEvent = "per_event"      // Query API per-event properties, chunked by event name
)

// PerEventChunk is how many event names one per-event properties call takes.
const PerEventChunk = 200

// perEventRelationships lists the event property definitions without the
// bulk join and attaches to each the events that carry it, gathered from
// {Q}/data_definitions/events?fetch_per_event_properties=true in chunks of
// PerEventChunk event names. Properties no event carries keep no events.
func (c *Client) perEventRelationships(ctx context.Context, scope string, events []json.RawMessage, density bool) ([]json.RawMessage, error) {
	q := url.Values{"resourceType": {"Event"}}
	if density {
		q.Set("includeDensity", "true")
	}
	var props []json.RawMessage
	if err := c.AppJSON(ctx, Request{Path: scope + "/data-definitions/properties/", Query: q, Cacheable: true}, &props); err != nil {
		return nil, fmt.Errorf("event property definitions: %w", err)
	}
	var names []string
	for _, raw := range events {
		var e struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(raw, &e) == nil && e.Name != "" {
			names = append(names, e.Name)
		}
	}
	carriers := map[string][]string{}
	for chunk := range slices.Chunk(names, PerEventChunk) {
		q := url.Values{"fetch_per_event_properties": {"true"}, "name[]": chunk}
		raw, err := c.Raw(ctx, Request{Family: Query, Path: "/data_definitions/events", Query: q, Cacheable: true})
		if err != nil {
			return nil, fmt.Errorf("per-event properties: %w", err)
		}
		var rows []struct {
			Name       string            `json:"name"`
			Properties []json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(UnwrapResults(raw), &rows); err != nil {
			return nil, badAnswer(http.MethodGet, "/data_definitions/events", "unexpected answer: "+err.Error())
		}
		for _, row := range rows {
			if row.Name == "" {
				continue
			}
			for _, p := range row.Properties {
				var ref SchemaEventRef
				if json.Unmarshal(p, &ref) == nil && ref.Name != "" {
					carriers[ref.Name] = append(carriers[ref.Name], row.Name)
				}
			}
		}
	}
	out := make([]json.RawMessage, 0, len(props))
	for _, raw := range props {
		var row map[string]json.RawMessage
		var name string
		if json.Unmarshal(raw, &row) != nil || json.Unmarshal(row["name"], &name) != nil {
			out = append(out, raw) // buildSchemaGraph counts it as dropped
			continue
		}
		refs := make([]SchemaEventRef, 0, len(carriers[name]))
		for _, e := range carriers[name] {
			refs = append(refs, SchemaEventRef{Name: e})
		}
		row["events"], _ = json.Marshal(refs)
		withEvents, err := json.Marshal(row)
		if err != nil {
			return nil, fmt.Errorf("per-event properties: %w", err)
		}
		out = append(out, withEvents)
	}
	return out, nil
}

// PropertyDefinitions lists the Lexicon's property definitions of one
// resource type, "Event" or "User" (lowercase and plural spellings are
// normalised: Mixpanel refuses them with a 400).
func (c *Client) PropertyDefinitions(ctx context.Context, resourceType string) ([]SchemaProperty, error) {
	switch strings.ToLower(resourceType) {
	case "event", "events":
		resourceType = "Event"
	case "user", "users", "people", "profile":
		resourceType = "User"
	default:
		return nil, fmt.Errorf("property definitions: unknown resource type %q; use Event or User", resourceType)
	}
	scope, err := c.Scope()
	if err != nil {
		return nil, err
	}
	var rows []json.RawMessage
	req := Request{Path: scope + "/data-definitions/properties/", Query: url.Values{"resourceType": {resourceType}}, Cacheable: true}
	if err := c.AppJSON(ctx, req, &rows); err != nil {
		return nil, fmt.Errorf("list %s property definitions: %w", strings.ToLower(resourceType), err)
	}
	out := make([]SchemaProperty, 0, len(rows))
	for _, raw := range rows {
		if p, _, ok := decodeSchemaProperty(raw); ok {
			p.Events = nil
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// buildSchemaGraph derives a SchemaGraphResult from raw Lexicon rows. Rows
// without a name and events entries that are not {"name": "..."} objects
// are dropped and counted in Meta, never fatal.
func buildSchemaGraph(computedAt string, events, eventProps, userProps []json.RawMessage, params SchemaGraphParams) *SchemaGraphResult {
	r := &SchemaGraphResult{
		ComputedAt:        computedAt,
		Events:            []SchemaEvent{},
		Properties:        []SchemaProperty{},
		UserProperties:    []SchemaProperty{},
		EventToProperties: map[string][]string{},
		PropertyToEvents:  map[string][]string{},
		IncludeDensity:    params.IncludeDensity,
		Params:            params,
	}
	for _, raw := range events {
		var e SchemaEvent
		if json.Unmarshal(raw, &e) != nil || e.Name == "" {
			r.Meta.EventsWithoutName++
			continue
		}
		r.Events = append(r.Events, e)
		r.EventToProperties[e.Name] = []string{}
	}
	for _, raw := range eventProps {
		p, dropped, ok := decodeSchemaProperty(raw)
		r.Meta.PropertyEventEntriesDropped += dropped
		if !ok {
			r.Meta.PropertiesWithoutName++
			continue
		}
		r.Properties = append(r.Properties, p)
		// A name listed twice (say, once per data group) is one node:
		// its edges merge.
		evs, seen := r.PropertyToEvents[p.Name]
		if !seen {
			evs = []string{}
		}
		for _, ev := range p.Events {
			if slices.Contains(evs, ev.Name) {
				continue
			}
			evs = append(evs, ev.Name)
			r.EventToProperties[ev.Name] = append(r.EventToProperties[ev.Name], p.Name)
			r.Meta.RelationshipEdges++
		}
		r.PropertyToEvents[p.Name] = evs
	}
	for _, evs := range r.PropertyToEvents {
		if len(evs) == 0 {
			r.Meta.OrphanProperties++
		}
	}
	for _, raw := range userProps {
		p, _, ok := decodeSchemaProperty(raw)
		if !ok {
			r.Meta.PropertiesWithoutName++
			continue
		}
		p.Events = nil
		r.UserProperties = append(r.UserProperties, p)
	}
	r.Meta.EventCount = len(r.Events)
	r.Meta.PropertyCount = len(r.Properties)
	r.Meta.UserPropertyCount = len(r.UserProperties)
	return r
}

// decodeSchemaProperty decodes one property row, keeping only well-formed
// events entries; dropped counts the others.
func decodeSchemaProperty(raw json.RawMessage) (p SchemaProperty, dropped int, ok bool) {
	// Fast path: well-formed entries decode in one pass, which matters on
	// projects with thousands of properties on hundreds of events.
	var wire schemaPropertyWire[SchemaEventRef]
	if json.Unmarshal(raw, &wire) == nil {
		if wire.Name == "" {
			return SchemaProperty{}, 0, false
		}
		p = wire.property()
		for _, ref := range wire.Events {
			if ref.Name == "" {
				dropped++
				continue
			}
			p.Events = append(p.Events, ref)
		}
		return p, dropped, true
	}
	var lenient schemaPropertyWire[json.RawMessage]
	if json.Unmarshal(raw, &lenient) != nil || lenient.Name == "" {
		return SchemaProperty{}, 0, false
	}
	p = lenient.property()
	for _, e := range lenient.Events {
		var ref SchemaEventRef
		if json.Unmarshal(e, &ref) != nil || ref.Name == "" {
			dropped++
			continue
		}
		p.Events = append(p.Events, ref)
	}
	return p, dropped, true
}

// schemaPropertyWire is a data-definitions property row; E is how its
// events entries are decoded.
type schemaPropertyWire[E any] struct {
	ID           FlexInt  `json:"id"`
	Name         string   `json:"name"`
	ResourceType string   `json:"resourceType"`
	Type         string   `json:"type"`
	Description  *string  `json:"description"`
	Hidden       FlexBool `json:"hidden"`
	Dropped      FlexBool `json:"dropped"`
	Sensitive    FlexBool `json:"sensitive"`
	DensityLocal *float64 `json:"densityLocal"`
	Events       []E      `json:"events"`
}

func (w *schemaPropertyWire[E]) property() SchemaProperty {
	return SchemaProperty{ID: int64(w.ID), Name: w.Name, ResourceType: w.ResourceType, Type: w.Type,
		Description: deref(w.Description), Hidden: bool(w.Hidden), Dropped: bool(w.Dropped),
		Sensitive: bool(w.Sensitive), DensityLocal: w.DensityLocal}
}

// PropertiesForEvent lists the properties seen on an event.
func (r *SchemaGraphResult) PropertiesForEvent(event string) []string {
	return r.EventToProperties[event]
}

// EventsForProperty lists the events a property appears on.
func (r *SchemaGraphResult) EventsForProperty(prop string) []string { return r.PropertyToEvents[prop] }

// OrphanProperties lists event properties that appear on no event, in
// Lexicon order.
func (r *SchemaGraphResult) OrphanProperties() []string {
	var out []string
	for _, name := range r.propertyNames() {
		if len(r.PropertyToEvents[name]) == 0 {
			out = append(out, name)
		}
	}
	return out
}

// propertyNames lists the distinct event property names in Lexicon order.
func (r *SchemaGraphResult) propertyNames() []string {
	seen := make(map[string]bool, len(r.Properties))
	out := make([]string, 0, len(r.Properties))
	for _, p := range r.Properties {
		if !seen[p.Name] {
			seen[p.Name] = true
			out = append(out, p.Name)
		}
	}
	return out
}

// Relationships lists every event→property edge, by event then property,
// with the property's density when it was requested.
func (r *SchemaGraphResult) Relationships() []SchemaRelationship {
	density := map[string]*float64{}
	for _, p := range r.Properties {
		if density[p.Name] == nil {
			density[p.Name] = p.DensityLocal
		}
	}
	var out []SchemaRelationship
	for _, name := range r.propertyNames() {
		for _, e := range r.PropertyToEvents[name] {
			out = append(out, SchemaRelationship{Event: e, Property: name, DensityLocal: density[name]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Event != out[j].Event {
			return out[i].Event < out[j].Event
		}
		return out[i].Property < out[j].Property
	})
	return out
}
