package mixpanel

// Lexicon schemas: documented events and profiles.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
)

// LexiconEntityTypes are the entity types Lexicon schemas exist for.
var LexiconEntityTypes = []string{"event", "profile", "custom_event"}

// LexiconSchema is a documented event or profile of the Lexicon.
type LexiconSchema struct {
	EntityType string            `json:"entity_type"`
	Name       string            `json:"name"`
	SchemaJSON LexiconDefinition `json:"schema_json"`
}

// LexiconDefinition is a Lexicon schema's body.
type LexiconDefinition struct {
	Description string                     `json:"description,omitempty"`
	Properties  map[string]LexiconProperty `json:"properties"`
	Metadata    *LexiconMetadata           `json:"metadata,omitempty"`
}

// LexiconProperty documents one property; Type is a JSON Schema type.
type LexiconProperty struct {
	Type        string           `json:"type"`
	Description string           `json:"description,omitempty"`
	Metadata    *LexiconMetadata `json:"metadata,omitempty"`
}

// LexiconMetadata is the Mixpanel part ("com.mixpanel") of Lexicon metadata.
type LexiconMetadata struct {
	Source       string   `json:"source,omitempty"`
	DisplayName  string   `json:"display_name,omitempty"`
	Tags         []string `json:"tags"`
	Hidden       bool     `json:"hidden"`
	Dropped      bool     `json:"dropped"`
	Contacts     []string `json:"contacts"`
	TeamContacts []string `json:"team_contacts"`
}

type lexiconSchemaWire struct {
	EntityType string                `json:"entityType"`
	Name       string                `json:"name"`
	SchemaJSON lexiconDefinitionWire `json:"schemaJson"`
}

type lexiconDefinitionWire struct {
	Description *string                        `json:"description"`
	Properties  map[string]lexiconPropertyWire `json:"properties"`
	Metadata    *lexiconMetadataWire           `json:"metadata"`
}

type lexiconPropertyWire struct {
	Type        json.RawMessage      `json:"type"`
	Description *string              `json:"description"`
	Metadata    *lexiconMetadataWire `json:"metadata"`
}

type lexiconMetadataWire struct {
	Mixpanel *struct {
		Source       *string  `json:"$source"`
		DisplayName  *string  `json:"displayName"`
		Tags         TagList  `json:"tags"`
		Hidden       FlexBool `json:"hidden"`
		Dropped      FlexBool `json:"dropped"`
		Contacts     TagList  `json:"contacts"`
		TeamContacts TagList  `json:"teamContacts"`
	} `json:"com.mixpanel"`
}

func (w *lexiconMetadataWire) convert() *LexiconMetadata {
	if w == nil || w.Mixpanel == nil {
		return nil
	}
	m := w.Mixpanel
	return &LexiconMetadata{
		Source: deref(m.Source), DisplayName: deref(m.DisplayName),
		Tags: nonNilSlice(m.Tags), Hidden: bool(m.Hidden), Dropped: bool(m.Dropped),
		Contacts: nonNilSlice(m.Contacts), TeamContacts: nonNilSlice(m.TeamContacts),
	}
}

func (w lexiconSchemaWire) convert() LexiconSchema {
	def := LexiconDefinition{
		Description: deref(w.SchemaJSON.Description),
		Properties:  make(map[string]LexiconProperty, len(w.SchemaJSON.Properties)),
		Metadata:    w.SchemaJSON.Metadata.convert(),
	}
	for name, p := range w.SchemaJSON.Properties {
		typ := "string"
		var s string
		var list []string
		switch {
		case json.Unmarshal(p.Type, &s) == nil && s != "":
			typ = s
		case json.Unmarshal(p.Type, &list) == nil && len(list) > 0:
			// JSON Schema allows ["string", "null"]: report the non-null one.
			typ = list[0]
			for _, t := range list {
				if t != "null" {
					typ = t
					break
				}
			}
		}
		def.Properties[name] = LexiconProperty{Type: typ, Description: deref(p.Description), Metadata: p.Metadata.convert()}
	}
	return LexiconSchema{EntityType: w.EntityType, Name: w.Name, SchemaJSON: def}
}

// LexiconSchemas lists the Lexicon's schemas, of one entity type or all,
// sorted by entity type and name.
func (c *Client) LexiconSchemas(ctx context.Context, entityType string) ([]LexiconSchema, error) {
	path, err := c.schemasPath(entityType)
	if err != nil {
		return nil, err
	}
	return rawDecoded(ctx, c, Request{Family: App, Path: path, Cacheable: true}, "list Lexicon schemas", decodeLexiconSchemas)
}

// decodeLexiconSchemas decodes a schemas list (inside the App envelope or
// not), sorted by entity type and name.
func decodeLexiconSchemas(raw []byte) ([]LexiconSchema, error) {
	var wire []lexiconSchemaWire
	if err := json.Unmarshal(UnwrapResults(raw), &wire); err != nil {
		return nil, fmt.Errorf("decode Lexicon schemas: %w", err)
	}
	out := make([]LexiconSchema, 0, len(wire))
	for _, w := range wire {
		out = append(out, w.convert())
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].EntityType != out[j].EntityType {
			return out[i].EntityType < out[j].EntityType
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// LexiconSchema returns the schema of one entity, e.g. ("event", "Purchase").
func (c *Client) LexiconSchema(ctx context.Context, entityType, name string) (LexiconSchema, error) {
	if entityType == "" {
		return LexiconSchema{}, errors.New("lexicon schema: entity_type is required (event, profile or custom_event)")
	}
	path, err := c.schemasPath(entityType)
	if err != nil {
		return LexiconSchema{}, err
	}
	return rawDecoded(ctx, c, Request{Family: App, Path: path, Query: url.Values{"entity_name": {name}}, Cacheable: true}, fmt.Sprintf("get Lexicon schema %s %q", entityType, name),
		func(raw []byte) (LexiconSchema, error) {
			return decodeOneLexiconSchema(UnwrapResults(raw), entityType, name)
		})
}

// decodeOneLexiconSchema accepts the full entry, a one-entry list, or the
// bare schemaJson (whose entity type and name are then the requested ones).
func decodeOneLexiconSchema(payload []byte, entityType, name string) (LexiconSchema, error) {
	payload = bytes.TrimSpace(payload)
	if len(payload) > 0 && payload[0] == '[' {
		var list []lexiconSchemaWire
		if err := json.Unmarshal(payload, &list); err != nil {
			return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
		}
		for _, w := range list {
			if w.Name == name {
				return w.convert(), nil
			}
		}
		return LexiconSchema{}, fmt.Errorf("the answer has no schema named %q", name)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil {
		return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
	}
	if _, ok := probe["schemaJson"]; ok {
		var w lexiconSchemaWire
		if err := json.Unmarshal(payload, &w); err != nil {
			return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
		}
		return w.convert(), nil
	}
	w := lexiconSchemaWire{EntityType: entityType, Name: name}
	if err := json.Unmarshal(payload, &w.SchemaJSON); err != nil {
		return LexiconSchema{}, fmt.Errorf("decode Lexicon schema: %w", err)
	}
	return w.convert(), nil
}

func (c *Client) schemasPath(entityType string) (string, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return "", err
	}
	path := "/projects/" + url.PathEscape(pid) + "/schemas"
	if entityType == "" {
		return path, nil
	}
	if !slices.Contains(LexiconEntityTypes, entityType) {
		return "", fmt.Errorf("lexicon schemas: unknown entity type %q; use event, profile or custom_event", entityType)
	}
	return path + "/" + entityType, nil
}
