package mixpanel

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Lexicon definitions (wire reference §4.16): the event and property
// entries of the Lexicon, their tags, history and export. Mixpanel answers
// in camelCase; the types here carry the reference's snake_case names and
// accept either spelling when decoding.

// EventDefinition is a Lexicon event entry.
type EventDefinition struct {
	ID            int64    `json:"id" col:"id"`
	Name          string   `json:"name" col:"name"`
	DisplayName   string   `json:"display_name,omitempty"`
	Description   string   `json:"description,omitempty" col:"description"`
	Hidden        bool     `json:"hidden" col:"hidden"`
	Dropped       bool     `json:"dropped" col:"dropped"`
	Merged        bool     `json:"merged"`
	Verified      bool     `json:"verified" col:"verified"`
	Tags          TagList  `json:"tags,omitempty" col:"tags"`
	CustomEventID *int64   `json:"custom_event_id,omitempty"`
	LastModified  string   `json:"last_modified,omitempty"`
	Status        string   `json:"status,omitempty"`
	Platforms     []string `json:"platforms,omitempty"`
	CreatedUTC    string   `json:"created_utc,omitempty"`
	ModifiedUTC   string   `json:"modified_utc,omitempty"`
}

// Ref names the event definition.
func (d EventDefinition) Ref() Ref { return Ref{Kind: "event", ID: ID(d.ID), Name: d.Name} }

// UnmarshalJSON accepts Mixpanel's camelCase and the reference's names.
func (d *EventDefinition) UnmarshalJSON(b []byte) error {
	type plain EventDefinition
	var w struct {
		plain
		DisplayNameC   string  `json:"displayName"`
		CustomEventIDC *int64  `json:"customEventId"`
		LastModifiedC  string  `json:"lastModified"`
		CreatedUTCC    string  `json:"createdUtc"`
		ModifiedUTCC   string  `json:"modifiedUtc"`
		IDF            FlexInt `json:"id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = EventDefinition(w.plain)
	d.ID = int64(w.IDF)
	d.DisplayName = firstOf(d.DisplayName, w.DisplayNameC)
	if d.CustomEventID == nil {
		d.CustomEventID = w.CustomEventIDC
	}
	d.LastModified = firstOf(d.LastModified, w.LastModifiedC)
	d.CreatedUTC = firstOf(d.CreatedUTC, w.CreatedUTCC)
	d.ModifiedUTC = firstOf(d.ModifiedUTC, w.ModifiedUTCC)
	return nil
}

// PropertyDefinition is a Lexicon property entry.
type PropertyDefinition struct {
	ID           int64  `json:"id,omitempty" col:"id"`
	Name         string `json:"name" col:"name"`
	ResourceType string `json:"resource_type,omitempty" col:"resource"`
	DisplayName  string `json:"display_name,omitempty"`
	Description  string `json:"description,omitempty" col:"description"`
	ExampleValue string `json:"example_value,omitempty"`
	Hidden       bool   `json:"hidden" col:"hidden"`
	Dropped      bool   `json:"dropped" col:"dropped"`
	Merged       bool   `json:"merged"`
	Sensitive    bool   `json:"sensitive" col:"sensitive"`
	DataGroupID  *int64 `json:"data_group_id,omitempty"`
}

// Ref names the property definition.
func (d PropertyDefinition) Ref() Ref {
	return Ref{Kind: "property", ID: ID(d.ID), Name: d.Name}
}

// UnmarshalJSON accepts Mixpanel's camelCase and the reference's names.
func (d *PropertyDefinition) UnmarshalJSON(b []byte) error {
	type plain PropertyDefinition
	var w struct {
		plain
		ResourceTypeC string  `json:"resourceType"`
		DisplayNameC  string  `json:"displayName"`
		ExampleValueC any     `json:"exampleValue"`
		ExampleValue  any     `json:"example_value"`
		DataGroupIDC  *int64  `json:"dataGroupId"`
		IDF           FlexInt `json:"id"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = PropertyDefinition(w.plain)
	d.ID = int64(w.IDF)
	d.ResourceType = firstOf(d.ResourceType, w.ResourceTypeC)
	d.DisplayName = firstOf(d.DisplayName, w.DisplayNameC)
	d.ExampleValue = firstOf(exampleText(w.ExampleValue), exampleText(w.ExampleValueC))
	if d.DataGroupID == nil {
		d.DataGroupID = w.DataGroupIDC
	}
	return nil
}

// LexiconTag labels Lexicon entries.
type LexiconTag struct {
	ID   int64  `json:"id,omitempty" col:"id"`
	Name string `json:"name" col:"name"`
}

// Ref names the tag.
func (t LexiconTag) Ref() Ref { return Ref{Kind: "Lexicon tag", ID: ID(t.ID), Name: t.Name} }

// UnmarshalJSON accepts a tag object or a bare name.
func (t *LexiconTag) UnmarshalJSON(b []byte) error {
	var name string
	if json.Unmarshal(b, &name) == nil {
		*t = LexiconTag{Name: name}
		return nil
	}
	var w struct {
		ID   FlexInt `json:"id"`
		Name string  `json:"name"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = LexiconTag{ID: int64(w.ID), Name: w.Name}
	return nil
}

// The resource types of Lexicon properties. The reference sends what it is
// given; Mixpanel's newer API wants the capitalized forms.
var PropertyResourceTypes = []string{"event", "user", "groupprofile", "Event", "User"}

// GetEventDefinitionsParams picks event definitions by name.
type GetEventDefinitionsParams struct {
	Names []string `json:"names,omitempty" jsonschema:"description=Event names; omit for all"`
}

// GetPropertyDefinitionsParams picks property definitions.
type GetPropertyDefinitionsParams struct {
	Names        []string `json:"names,omitempty" jsonschema:"description=Property names; omit for all"`
	ResourceType string   `json:"resource_type,omitempty" jsonschema:"enum=event,enum=user,enum=groupprofile,enum=Event,enum=User"`
}

// UpdateEventDefinitionParams changes one event's Lexicon entry; absent
// fields stay.
type UpdateEventDefinitionParams struct {
	Name        string   `json:"name" jsonschema:"minLength=1,description=Event name"`
	Hidden      *bool    `json:"hidden,omitempty"`
	Dropped     *bool    `json:"dropped,omitempty" jsonschema:"description=Drop its data at ingestion"`
	Merged      *bool    `json:"merged,omitempty"`
	Verified    *bool    `json:"verified,omitempty"`
	Tags        []string `json:"tags,omitempty" jsonschema:"description=Tag names; replaces the current tags"`
	DisplayName *string  `json:"display_name,omitempty"`
	Description *string  `json:"description,omitempty"`
}

// UpdatePropertyDefinitionParams changes one property's Lexicon entry.
type UpdatePropertyDefinitionParams struct {
	Name         string  `json:"name" jsonschema:"minLength=1,description=Property name"`
	Hidden       *bool   `json:"hidden,omitempty"`
	Dropped      *bool   `json:"dropped,omitempty"`
	Merged       *bool   `json:"merged,omitempty"`
	Sensitive    *bool   `json:"sensitive,omitempty" jsonschema:"description=PII: hide values from users without access"`
	DisplayName  *string `json:"display_name,omitempty"`
	Description  *string `json:"description,omitempty"`
	ExampleValue *string `json:"example_value,omitempty"`
	ResourceType string  `json:"resource_type,omitempty" jsonschema:"enum=event,enum=user,enum=groupprofile,enum=Event,enum=User,description=Which property when an event and a user property share the name"`
}

// BulkEventUpdate is one entry of a bulk event update, by name or id.
type BulkEventUpdate struct {
	Name         string   `json:"name,omitempty"`
	ID           int64    `json:"id,omitempty"`
	Hidden       *bool    `json:"hidden,omitempty"`
	Dropped      *bool    `json:"dropped,omitempty"`
	Merged       *bool    `json:"merged,omitempty"`
	Verified     *bool    `json:"verified,omitempty"`
	Tags         []string `json:"tags,omitempty"`
	DisplayName  *string  `json:"display_name,omitempty"`
	Contacts     []string `json:"contacts,omitempty" jsonschema:"description=Owner emails"`
	TeamContacts []string `json:"team_contacts,omitempty"`
}

// BulkUpdateEventsParams changes many event entries at once.
type BulkUpdateEventsParams struct {
	Events []BulkEventUpdate `json:"events" jsonschema:"minItems=1,maxItems=1000"`
}

// BulkPropertyUpdate is one entry of a bulk property update.
type BulkPropertyUpdate struct {
	Name         string  `json:"name"`
	ResourceType string  `json:"resource_type" jsonschema:"enum=event,enum=user,enum=groupprofile,enum=Event,enum=User"`
	ID           int64   `json:"id,omitempty"`
	Hidden       *bool   `json:"hidden,omitempty"`
	Dropped      *bool   `json:"dropped,omitempty"`
	Sensitive    *bool   `json:"sensitive,omitempty"`
	DisplayName  *string `json:"display_name,omitempty"`
	ExampleValue *string `json:"example_value,omitempty"`
	DataGroupID  *int64  `json:"data_group_id,omitempty"`
}

// BulkUpdatePropertiesParams changes many property entries at once.
type BulkUpdatePropertiesParams struct {
	Properties []BulkPropertyUpdate `json:"properties" jsonschema:"minItems=1,maxItems=1000"`
}

// LexiconTagParams names a tag (create, rename, delete).
type LexiconTagParams struct {
	Name string `json:"name" jsonschema:"minLength=1"`
}

// PropertyHistoryParams names a property and its entity type.
type PropertyHistoryParams struct {
	PropertyName string `json:"property_name" jsonschema:"minLength=1"`
	EntityType   string `json:"entity_type" jsonschema:"enum=event,enum=user,enum=groupprofile"`
}

// The export types of export_lexicon.
var LexiconExportTypes = []string{"All Events and Properties", "All User Profile Properties"}

// ExportLexiconParams picks what export_lexicon exports.
type ExportLexiconParams struct {
	ExportTypes []string `json:"export_types,omitempty" jsonschema:"description=Omit for everything,enum=All Events and Properties,enum=All User Profile Properties"`
}

// wire turns the params into the PATCH body: display_name and the other
// multi-word fields in camelCase, unset fields left out.
func (p UpdateEventDefinitionParams) wire() map[string]any {
	b := map[string]any{"name": p.Name}
	setBool(b, "hidden", p.Hidden)
	setBool(b, "dropped", p.Dropped)
	setBool(b, "merged", p.Merged)
	setBool(b, "verified", p.Verified)
	if p.Tags != nil {
		b["tags"] = p.Tags
	}
	setStr(b, "displayName", p.DisplayName)
	setStr(b, "description", p.Description)
	return b
}

func (p UpdatePropertyDefinitionParams) wire() map[string]any {
	b := map[string]any{"name": p.Name}
	setBool(b, "hidden", p.Hidden)
	setBool(b, "dropped", p.Dropped)
	setBool(b, "merged", p.Merged)
	setBool(b, "sensitive", p.Sensitive)
	setStr(b, "displayName", p.DisplayName)
	setStr(b, "description", p.Description)
	setStr(b, "exampleValue", p.ExampleValue)
	if p.ResourceType != "" {
		b["resourceType"] = p.ResourceType
	}
	return b
}

func (u BulkEventUpdate) wire() map[string]any {
	b := map[string]any{}
	if u.Name != "" {
		b["name"] = u.Name
	}
	if u.ID != 0 {
		b["id"] = u.ID
	}
	setBool(b, "hidden", u.Hidden)
	setBool(b, "dropped", u.Dropped)
	setBool(b, "merged", u.Merged)
	setBool(b, "verified", u.Verified)
	if u.Tags != nil {
		b["tags"] = u.Tags
	}
	setStr(b, "displayName", u.DisplayName)
	if u.Contacts != nil {
		b["contacts"] = u.Contacts
	}
	if u.TeamContacts != nil {
		b["team_contacts"] = u.TeamContacts
	}
	return b
}

func (u BulkPropertyUpdate) wire() map[string]any {
	b := map[string]any{"name": u.Name, "resourceType": u.ResourceType}
	if u.ID != 0 {
		b["id"] = u.ID
	}
	setBool(b, "hidden", u.Hidden)
	setBool(b, "dropped", u.Dropped)
	setBool(b, "sensitive", u.Sensitive)
	setStr(b, "displayName", u.DisplayName)
	setStr(b, "exampleValue", u.ExampleValue)
	if u.DataGroupID != nil {
		b["dataGroupId"] = *u.DataGroupID
	}
	return b
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// exampleText shows an example value of any JSON type as text.
func exampleText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

func itoa(i int) string { return strconv.Itoa(i) }

func setBool(b map[string]any, k string, v *bool) {
	if v != nil {
		b[k] = *v
	}
}

func setStr(b map[string]any, k string, v *string) {
	if v != nil {
		b[k] = *v
	}
}

func namesQuery(names []string) url.Values {
	q := url.Values{}
	for _, n := range names {
		q.Add("name[]", n)
	}
	return q
}

// GetEventDefinitions reads event definitions by name, or all of them.
func (c *Client) GetEventDefinitions(ctx context.Context, p GetEventDefinitionsParams) ([]EventDefinition, error) {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]EventDefinition](ctx, c, GET, path, namesQuery(p.Names), nil)
}

// UpdateEventDefinition changes one event definition.
func (c *Client) UpdateEventDefinition(ctx context.Context, p UpdateEventDefinitionParams) (EventDefinition, error) {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return EventDefinition{}, err
	}
	return appCall[EventDefinition](ctx, c, PATCH, path, nil, p.wire())
}

// DeleteEventDefinition removes an event's Lexicon entry (DELETE with the
// name in the body).
func (c *Client) DeleteEventDefinition(ctx context.Context, name string) error {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, map[string]any{"name": name})
	return err
}

// BulkUpdateEventDefinitions changes many event definitions.
func (c *Client) BulkUpdateEventDefinitions(ctx context.Context, p BulkUpdateEventsParams) ([]EventDefinition, error) {
	path, err := c.scoped("data-definitions", "events", "")
	if err != nil {
		return nil, err
	}
	entries := make([]map[string]any, len(p.Events))
	for i, e := range p.Events {
		entries[i] = e.wire()
	}
	return appCall[[]EventDefinition](ctx, c, PATCH, path, nil, map[string]any{"events": entries})
}

// GetPropertyDefinitions reads property definitions by name and type.
func (c *Client) GetPropertyDefinitions(ctx context.Context, p GetPropertyDefinitionsParams) ([]PropertyDefinition, error) {
	path, err := c.scoped("data-definitions", "properties", "")
	if err != nil {
		return nil, err
	}
	q := namesQuery(p.Names)
	if p.ResourceType != "" {
		q.Set("resource_type", p.ResourceType)
	}
	return appCall[[]PropertyDefinition](ctx, c, GET, path, q, nil)
}

// UpdatePropertyDefinition changes one property definition.
func (c *Client) UpdatePropertyDefinition(ctx context.Context, p UpdatePropertyDefinitionParams) (PropertyDefinition, error) {
	path, err := c.scoped("data-definitions", "properties", "")
	if err != nil {
		return PropertyDefinition{}, err
	}
	return appCall[PropertyDefinition](ctx, c, PATCH, path, nil, p.wire())
}

// BulkUpdatePropertyDefinitions changes many property definitions.
func (c *Client) BulkUpdatePropertyDefinitions(ctx context.Context, p BulkUpdatePropertiesParams) ([]PropertyDefinition, error) {
	path, err := c.scoped("data-definitions", "properties", "")
	if err != nil {
		return nil, err
	}
	entries := make([]map[string]any, len(p.Properties))
	for i, e := range p.Properties {
		entries[i] = e.wire()
	}
	return appCall[[]PropertyDefinition](ctx, c, PATCH, path, nil, map[string]any{"properties": entries})
}

// ListLexiconTags lists the Lexicon's tags.
func (c *Client) ListLexiconTags(ctx context.Context) ([]LexiconTag, error) {
	path, err := c.scoped("data-definitions", "tags", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]LexiconTag](ctx, c, GET, path, nil, nil)
}

// CreateLexiconTag adds a tag.
func (c *Client) CreateLexiconTag(ctx context.Context, p LexiconTagParams) (LexiconTag, error) {
	path, err := c.scoped("data-definitions", "tags", "")
	if err != nil {
		return LexiconTag{}, err
	}
	return appCall[LexiconTag](ctx, c, POST, path, nil, p)
}

// UpdateLexiconTag renames a tag.
func (c *Client) UpdateLexiconTag(ctx context.Context, id int64, p LexiconTagParams) (LexiconTag, error) {
	path, err := c.scoped("data-definitions", "tags", ID(id), "")
	if err != nil {
		return LexiconTag{}, err
	}
	return appCall[LexiconTag](ctx, c, PATCH, path, nil, p)
}

// DeleteLexiconTag deletes a tag by name: Mixpanel takes a POST with
// {"delete": true}.
func (c *Client) DeleteLexiconTag(ctx context.Context, name string) error {
	path, err := c.scoped("data-definitions", "tags", "")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, POST, path, nil, map[string]any{"delete": true, "name": name})
	return err
}

// GetTrackingMetadata reads how an event is tracked (sources, platforms,
// last seen); the shape is not pinned, so it is returned as sent.
func (c *Client) GetTrackingMetadata(ctx context.Context, eventName string) (json.RawMessage, error) {
	path, err := c.scoped("data-definitions", "events", "tracking-metadata", "")
	if err != nil {
		return nil, err
	}
	return appCall[json.RawMessage](ctx, c, GET, path, url.Values{"event_name": {eventName}}, nil)
}

// GetEventHistory lists the changes to an event's Lexicon entry.
func (c *Client) GetEventHistory(ctx context.Context, eventName string) ([]json.RawMessage, error) {
	path, err := c.scoped("data-definitions", "events", PathSegment(eventName), "history", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]json.RawMessage](ctx, c, GET, path, nil, nil)
}

// GetPropertyHistory lists the changes to a property's Lexicon entry.
func (c *Client) GetPropertyHistory(ctx context.Context, p PropertyHistoryParams) ([]json.RawMessage, error) {
	path, err := c.scoped("data-definitions", "properties", PathSegment(p.PropertyName), "history", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]json.RawMessage](ctx, c, GET, path, url.Values{"entity_type": {p.EntityType}}, nil)
}

// ExportLexicon exports the Lexicon: an object, or a string when Mixpanel
// queued the export and mails it.
func (c *Client) ExportLexicon(ctx context.Context, p ExportLexiconParams) (json.RawMessage, error) {
	path, err := c.scoped("data-definitions", "export", "")
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if len(p.ExportTypes) > 0 {
		raw, _ := json.Marshal(p.ExportTypes)
		q.Set("export_type", string(raw))
	}
	return appCall[json.RawMessage](ctx, c, GET, path, q, nil)
}

// Validate checks the resource type.
func (p GetPropertyDefinitionsParams) Validate() error {
	var c checks
	c.resourceType("resource_type", p.ResourceType)
	return c.err()
}

// Validate needs the name and something to change.
func (p UpdateEventDefinitionParams) Validate() error {
	var c checks
	c.requiredID(query.NeedEventName, "name", p.Name == "", "name the event as tracked")
	c.required("hidden", len(p.wire()) == 1, "pass at least one field to change: hidden, dropped, merged, verified, tags, display_name or description")
	return c.err()
}

// Validate needs the name and something to change.
func (p UpdatePropertyDefinitionParams) Validate() error {
	var c checks
	c.requiredID(query.NeedPropertyName, "name", p.Name == "", "name the property as tracked")
	w := p.wire()
	delete(w, "resourceType")
	c.required("hidden", len(w) == 1, "pass at least one field to change: hidden, dropped, merged, sensitive, display_name, description or example_value")
	c.resourceType("resource_type", p.ResourceType)
	return c.err()
}

// Validate needs entries that each name an event and change something.
func (p BulkUpdateEventsParams) Validate() error {
	var c checks
	c.required("events", len(p.Events) == 0, "pass one entry per event to change")
	c.maxItems("events", len(p.Events), 1000)
	for i, e := range p.Events {
		f := "events[" + itoa(i) + "]"
		c.required(f+".name", e.Name == "" && e.ID == 0, "identify the event by name or id")
		w := e.wire()
		delete(w, "name")
		delete(w, "id")
		c.required(f+".hidden", len(w) == 0, "pass at least one field to change")
	}
	return c.err()
}

// Validate needs entries with a name and resource type.
func (p BulkUpdatePropertiesParams) Validate() error {
	var c checks
	c.required("properties", len(p.Properties) == 0, "pass one entry per property to change")
	c.maxItems("properties", len(p.Properties), 1000)
	for i, e := range p.Properties {
		f := "properties[" + itoa(i) + "]"
		c.required(f+".name", e.Name == "", "name the property")
		c.required(f+".resource_type", e.ResourceType == "", "say whether it is an event or a user property: resource_type event or user")
		c.resourceType(f+".resource_type", e.ResourceType)
		w := e.wire()
		for _, k := range []string{"name", "resourceType", "id", "dataGroupId"} {
			delete(w, k)
		}
		c.required(f+".hidden", len(w) == 0, "pass at least one field to change")
	}
	return c.err()
}

// Validate needs a name.
func (p LexiconTagParams) Validate() error {
	var c checks
	c.required("name", p.Name == "", "name the tag")
	c.maxLen("name", p.Name, 255)
	return c.err()
}

// Validate needs the property and a known entity type.
func (p PropertyHistoryParams) Validate() error {
	var c checks
	c.required("property_name", p.PropertyName == "", "name the property")
	c.required("entity_type", p.EntityType == "", "pass event, user or groupprofile")
	if p.EntityType != "" && !slices.Contains([]string{"event", "user", "groupprofile"}, p.EntityType) {
		c.add(CodeRange, "entity_type", "%q is not an entity type; use event, user or groupprofile", p.EntityType)
	}
	return c.err()
}

// Validate checks the export types.
func (p ExportLexiconParams) Validate() error {
	var c checks
	for i, t := range p.ExportTypes {
		if !slices.Contains(LexiconExportTypes, t) {
			c.add(CodeRange, "export_types["+itoa(i)+"]", "%q is not an export type; use \"All Events and Properties\" or \"All User Profile Properties\"", t)
		}
	}
	return c.err()
}

func (c *checks) resourceType(field, v string) {
	if v != "" && !slices.Contains(PropertyResourceTypes, v) {
		c.add(CodeRange, field, "%q is not a resource type; use event, user or groupprofile", v)
	}
}

func (c *checks) maxItems(field string, n, max int) {
	if n > max {
		c.add(CodeRange, field, "%d entries, at most %d per call; split the list", n, max)
	}
}
