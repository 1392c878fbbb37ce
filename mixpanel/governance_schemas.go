package mixpanel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The schema registry (wire reference §4.21): JSON Schema draft-7
// documents per event, custom event or the profile ($user), under
// {scope}/schemas… with no trailing slash. Mixpanel answers in camelCase
// (entityType, schemaJson); the types carry the reference's names.

// SchemaEntityTypes are the kinds of entity a schema describes.
var SchemaEntityTypes = []string{"event", "custom_event", "profile"}

// SchemaEntry is one registered schema.
type SchemaEntry struct {
	EntityType       string         `json:"entity_type" col:"type" jsonschema:"enum=event,enum=custom_event,enum=profile"`
	Name             string         `json:"name" col:"name" jsonschema:"description=Event name; $user for profile"`
	Version          string         `json:"version,omitempty" col:"version" jsonschema:"description=YYYY-MM-DD"`
	SchemaDefinition map[string]any `json:"schema_definition" col:"schema" jsonschema:"description=JSON Schema draft-7"`
}

// Ref names the schema.
func (e SchemaEntry) Ref() Ref { return Ref{Kind: e.EntityType + " schema", Name: e.Name} }

// UnmarshalJSON accepts Mixpanel's camelCase and the reference's names.
func (e *SchemaEntry) UnmarshalJSON(b []byte) error {
	type plain SchemaEntry
	return decodeCamel(b, (*plain)(e), map[string]string{"schemaJson": "schema_definition"})
}

func (e SchemaEntry) wire() map[string]any {
	m := map[string]any{"entityType": e.EntityType, "name": e.Name, "schemaJson": e.SchemaDefinition}
	if e.Version != "" {
		m["version"] = e.Version
	}
	return m
}

// ListSchemaRegistryParams picks one entity type, or all.
type ListSchemaRegistryParams struct {
	EntityType string `json:"entity_type,omitempty" jsonschema:"enum=event,enum=custom_event,enum=profile"`
}

// SchemaParams names one schema and carries its document (create: the
// whole schema; update: the part to merge in).
type SchemaParams struct {
	EntityType string         `json:"entity_type" jsonschema:"enum=event,enum=custom_event,enum=profile"`
	EntityName string         `json:"entity_name" jsonschema:"description=Event name; $user for profile"`
	SchemaJSON map[string]any `json:"schema_json" jsonschema:"description=JSON Schema draft-7 document"`
}

// BulkSchemasParams creates or updates many schemas in one request.
type BulkSchemasParams struct {
	Entries    []SchemaEntry `json:"entries" jsonschema:"minItems=1,maxItems=4000"`
	Truncate   *bool         `json:"truncate,omitempty" jsonschema:"description=Create only: first delete every schema of entity_type"`
	EntityType string        `json:"entity_type,omitempty" jsonschema:"enum=event,enum=custom_event,enum=profile"`
}

// DeleteSchemasParams deletes one schema (type and name), every schema of
// a type (type only) or every schema (neither).
type DeleteSchemasParams struct {
	EntityType string `json:"entity_type,omitempty" jsonschema:"enum=event,enum=custom_event,enum=profile,description=Omit to delete every schema"`
	EntityName string `json:"entity_name,omitempty" jsonschema:"description=Needs entity_type"`
}

// BulkCreateSchemasResponse counts what a bulk create did.
type BulkCreateSchemasResponse struct {
	Added   int `json:"added"`
	Deleted int `json:"deleted"`
}

// BulkPatchResult is one entry's outcome of a bulk update.
type BulkPatchResult struct {
	EntityType string `json:"entity_type" col:"type"`
	Name       string `json:"name" col:"name"`
	Status     string `json:"status" col:"status"`
	Error      string `json:"error,omitempty" col:"error"`
}

// UnmarshalJSON accepts Mixpanel's camelCase.
func (r *BulkPatchResult) UnmarshalJSON(b []byte) error {
	type plain BulkPatchResult
	return decodeCamel(b, (*plain)(r), nil)
}

// DeleteSchemasResponse counts the deleted schemas.
type DeleteSchemasResponse struct {
	DeleteCount int `json:"delete_count"`
}

// UnmarshalJSON accepts Mixpanel's camelCase.
func (r *DeleteSchemasResponse) UnmarshalJSON(b []byte) error {
	type plain DeleteSchemasResponse
	return decodeCamel(b, (*plain)(r), nil)
}

// ListSchemaRegistry lists the registered schemas, of one type or all.
func (c *Client) ListSchemaRegistry(ctx context.Context, p ListSchemaRegistryParams) ([]SchemaEntry, error) {
	parts := []string{"schemas"}
	if p.EntityType != "" {
		parts = append(parts, QuoteSegment(p.EntityType))
	}
	path, err := c.scoped(parts...)
	if err != nil {
		return nil, err
	}
	return appCall[[]SchemaEntry](ctx, c, GET, path, nil, nil)
}

// CreateSchema registers the schema of one entity.
func (c *Client) CreateSchema(ctx context.Context, p SchemaParams) (map[string]any, error) {
	path, err := c.scoped("schemas", QuoteSegment(p.EntityType), QuoteSegment(p.EntityName))
	if err != nil {
		return nil, err
	}
	return appCall[map[string]any](ctx, c, POST, path, nil, p.SchemaJSON)
}

// UpdateSchema merges a partial schema into one entity's schema.
func (c *Client) UpdateSchema(ctx context.Context, p SchemaParams) (map[string]any, error) {
	path, err := c.scoped("schemas", QuoteSegment(p.EntityType), QuoteSegment(p.EntityName))
	if err != nil {
		return nil, err
	}
	return appCall[map[string]any](ctx, c, PATCH, path, nil, p.SchemaJSON)
}

func (p BulkSchemasParams) wire() map[string]any {
	entries := make([]map[string]any, len(p.Entries))
	for i, e := range p.Entries {
		entries[i] = e.wire()
	}
	b := map[string]any{"entries": entries}
	if p.Truncate != nil {
		b["truncate"] = *p.Truncate
	}
	if p.EntityType != "" {
		b["entityType"] = p.EntityType
	}
	return b
}

// CreateSchemasBulk registers many schemas; truncate first deletes every
// schema of the entity type.
func (c *Client) CreateSchemasBulk(ctx context.Context, p BulkSchemasParams) (BulkCreateSchemasResponse, error) {
	path, err := c.scoped("schemas")
	if err != nil {
		return BulkCreateSchemasResponse{}, err
	}
	return appCall[BulkCreateSchemasResponse](ctx, c, POST, path, nil, p.wire())
}

// UpdateSchemasBulk merges many partial schemas; each entry answers ok or
// error.
func (c *Client) UpdateSchemasBulk(ctx context.Context, p BulkSchemasParams) ([]BulkPatchResult, error) {
	path, err := c.scoped("schemas")
	if err != nil {
		return nil, err
	}
	return appCall[[]BulkPatchResult](ctx, c, PATCH, path, nil, p.wire())
}

// DeleteSchemas deletes one schema, a type's schemas or all of them. A
// name without a type is refused (Mixpanel would delete every schema).
func (c *Client) DeleteSchemas(ctx context.Context, p DeleteSchemasParams) (DeleteSchemasResponse, error) {
	if err := p.Validate(); err != nil {
		return DeleteSchemasResponse{}, err
	}
	parts := []string{"schemas"}
	if p.EntityType != "" {
		parts = append(parts, QuoteSegment(p.EntityType))
		if p.EntityName != "" {
			parts = append(parts, QuoteSegment(p.EntityName))
		}
	}
	path, err := c.scoped(parts...)
	if err != nil {
		return DeleteSchemasResponse{}, err
	}
	return appCall[DeleteSchemasResponse](ctx, c, DELETE, path, nil, nil)
}

// Validate checks the entity type.
func (p ListSchemaRegistryParams) Validate() error {
	var c checks
	c.oneOf("entity_type", p.EntityType, SchemaEntityTypes)
	return c.err()
}

// Validate checks the name and that the document is a draft-7 schema.
func (p SchemaParams) Validate() error {
	var c checks
	c.required("entity_type", p.EntityType == "", "pass event, custom_event or profile")
	c.oneOf("entity_type", p.EntityType, SchemaEntityTypes)
	c.required("entity_name", p.EntityName == "", "name the event ($user for profile)")
	c.required("schema_json", p.SchemaJSON == nil, `pass a JSON Schema draft-7 object, e.g. {"properties":{"amount":{"type":"number"}}}`)
	c.draft7("schema_json", p.SchemaJSON)
	return c.err()
}

// Validate checks every entry and the truncate scope.
func (p BulkSchemasParams) Validate() error {
	var c checks
	c.required("entries", len(p.Entries) == 0, "pass at least one {entity_type, name, schema_definition}")
	if len(p.Entries) > 4000 {
		c.add(CodeRange, "entries", "%d entries; Mixpanel takes at most 4000 schema entities a minute; split the list", len(p.Entries))
	}
	c.oneOf("entity_type", p.EntityType, SchemaEntityTypes)
	if p.Truncate != nil && *p.Truncate && p.EntityType == "" {
		c.add(CodeConflict, "truncate", "truncate deletes every schema of entity_type, and none is named; pass entity_type or drop truncate")
	}
	for i, e := range p.Entries {
		f := fmt.Sprintf("entries[%d]", i)
		c.required(f+".entity_type", e.EntityType == "", "pass event, custom_event or profile")
		c.oneOf(f+".entity_type", e.EntityType, SchemaEntityTypes)
		c.required(f+".name", e.Name == "", "name the event ($user for profile)")
		c.day(f+".version", e.Version)
		c.required(f+".schema_definition", e.SchemaDefinition == nil, "pass a JSON Schema draft-7 object")
		c.draft7(f+".schema_definition", e.SchemaDefinition)
	}
	return c.err()
}

// Validate refuses a name without a type: that request deletes every
// schema.
func (p DeleteSchemasParams) Validate() error {
	var c checks
	c.oneOf("entity_type", p.EntityType, SchemaEntityTypes)
	if p.EntityName != "" && p.EntityType == "" {
		c.add(CodeConflict, "entity_name", "a name without entity_type would delete every schema of the project; pass entity_type too (event, custom_event or profile)")
	}
	return c.err()
}

// oneOf checks that a non-empty value is in the closed set.
func (c *checks) oneOf(field, v string, set []string) {
	if v == "" {
		return
	}
	for _, s := range set {
		if v == s {
			return
		}
	}
	c.add(CodeRange, field, "%q is not one of %s; pick one of them", v, strings.Join(set, ", "))
}

// draft7 checks that doc compiles as a JSON Schema draft-7 document
// (types, keywords and nested schemas valid against the draft-7
// metaschema). References are resolved locally only: nothing is fetched.
func (c *checks) draft7(field string, doc map[string]any) {
	if doc == nil {
		return
	}
	if err := CheckDraft7(doc); err != nil {
		c.add(CodeSchema, field, "not a valid JSON Schema draft-7 document: %s; fix it, e.g. {\"properties\":{\"amount\":{\"type\":\"number\"}}}", err)
	}
}

// CheckDraft7 compiles doc as a JSON Schema draft-7 document.
func CheckDraft7(doc map[string]any) error {
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	comp := jsonschema.NewCompiler()
	comp.DefaultDraft(jsonschema.Draft7)
	comp.UseLoader(noLoader{})
	const loc = "mem:///schema.json"
	if err := comp.AddResource(loc, v); err != nil {
		return err
	}
	if _, err := comp.Compile(loc); err != nil {
		return oneLine(err)
	}
	return nil
}

// noLoader refuses remote and file references: a schema is checked on its
// own, without reaching the network or the disk.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("reference %s is not resolved (only references inside the document are)", url)
}

// oneLine flattens a compiler error's tree into one line.
func oneLine(err error) error {
	s := strings.Join(strings.Fields(err.Error()), " ")
	s = strings.ReplaceAll(s, "mem:///schema.json#", "#")
	return fmt.Errorf("%s", s)
}

// QuoteSegment escapes a name as one path segment the way the reference
// does (Python's quote with no safe characters): everything but letters,
// digits and -._~ is percent-encoded, so "$user" is "%24user" and "/" is
// "%2F".
func QuoteSegment(s string) string {
	var b strings.Builder
	for _, by := range []byte(s) {
		if by < 0x80 && (unicode.IsLetter(rune(by)) || unicode.IsDigit(rune(by)) || strings.IndexByte("-._~", by) >= 0) {
			b.WriteByte(by)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", by)
	}
	return b.String()
}

// decodeCamel decodes b into v (a struct with snake_case JSON names),
// accepting Mixpanel's camelCase keys too; rename maps keys whose snake
// form differs from the field's name.
func decodeCamel(b []byte, v any, rename map[string]string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, x := range m {
		if r, ok := rename[k]; ok {
			out[r] = x
			continue
		}
		out[snakeCase(k)] = x
	}
	raw, _ := json.Marshal(out)
	return json.Unmarshal(raw, v)
}

func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
