package mixpanel

import (
	"context"
	"net/url"
	"strings"
)

// Schema enforcement (wire reference §4.22): what Mixpanel does with data
// that does not match the registered schemas, one configuration per
// project at {scope}/data-definitions/schema/, bodies in camelCase.

// EnforcementRules is the closed set of enforcement actions.
var EnforcementRules = []string{"Warn and Accept", "Warn and Hide", "Warn and Drop"}

// enforcementFields are the fields get_schema_enforcement can select.
var enforcementFields = []string{"id", "lastModified", "lastModifiedBy", "ruleEvent", "notificationEmails", "events",
	"commonProperties", "userProperties", "initializedBy", "initializedFrom", "initializedTo", "state"}

// SchemaEnforcementConfig is a project's enforcement configuration.
type SchemaEnforcementConfig struct {
	ID                 *int64           `json:"id,omitempty"`
	LastModified       string           `json:"last_modified,omitempty"`
	LastModifiedBy     any              `json:"last_modified_by,omitempty"`
	RuleEvent          string           `json:"rule_event,omitempty"`
	NotificationEmails []string         `json:"notification_emails,omitempty"`
	Events             []map[string]any `json:"events,omitempty"`
	CommonProperties   []map[string]any `json:"common_properties,omitempty"`
	UserProperties     []map[string]any `json:"user_properties,omitempty"`
	InitializedBy      any              `json:"initialized_by,omitempty"`
	InitializedFrom    string           `json:"initialized_from,omitempty"`
	InitializedTo      string           `json:"initialized_to,omitempty"`
	State              string           `json:"state,omitempty"`
}

// UnmarshalJSON accepts Mixpanel's camelCase.
func (s *SchemaEnforcementConfig) UnmarshalJSON(b []byte) error {
	type plain SchemaEnforcementConfig
	return decodeCamel(b, (*plain)(s), nil)
}

// EventNames lists the enforced events by name.
func (s SchemaEnforcementConfig) EventNames() []string {
	var out []string
	for _, e := range s.Events {
		if n, ok := e["name"].(string); ok {
			out = append(out, n)
		}
	}
	return out
}

// GetSchemaEnforcementParams selects fields.
type GetSchemaEnforcementParams struct {
	Fields string `json:"fields,omitempty" jsonschema:"description=camelCase field names joined by commas (e.g. ruleEvent and state)"`
}

// InitSchemaEnforcementParams starts enforcement.
type InitSchemaEnforcementParams struct {
	RuleEvent string `json:"rule_event" jsonschema:"enum=Warn and Accept,enum=Warn and Hide,enum=Warn and Drop"`
}

// UpdateSchemaEnforcementParams changes parts of the configuration.
type UpdateSchemaEnforcementParams struct {
	NotificationEmails []string            `json:"notification_emails,omitempty"`
	RuleEvent          string              `json:"rule_event,omitempty" jsonschema:"enum=Warn and Accept,enum=Warn and Hide,enum=Warn and Drop"`
	Events             []string            `json:"events,omitempty" jsonschema:"description=Event names to enforce"`
	Properties         map[string][]string `json:"properties,omitempty" jsonschema:"description=Event name -> property names"`
}

// ReplaceSchemaEnforcementParams is a whole configuration.
type ReplaceSchemaEnforcementParams struct {
	CommonProperties   []map[string]any `json:"common_properties" jsonschema:"description=[{name}]"`
	UserProperties     []map[string]any `json:"user_properties" jsonschema:"description=[{name}]"`
	Events             []map[string]any `json:"events" jsonschema:"description=[{name}]"`
	RuleEvent          string           `json:"rule_event" jsonschema:"enum=Warn and Accept,enum=Warn and Hide,enum=Warn and Drop"`
	NotificationEmails []string         `json:"notification_emails"`
	SchemaID           *int64           `json:"schema_id,omitempty"`
}

func (c *Client) enforcementPath() (string, error) {
	return c.scoped("data-definitions", "schema", "")
}

// GetSchemaEnforcement reads the configuration (404 when there is none).
func (c *Client) GetSchemaEnforcement(ctx context.Context, p GetSchemaEnforcementParams) (SchemaEnforcementConfig, error) {
	path, err := c.enforcementPath()
	if err != nil {
		return SchemaEnforcementConfig{}, err
	}
	var q url.Values
	if p.Fields != "" {
		q = url.Values{"fields": {p.Fields}}
	}
	return appCall[SchemaEnforcementConfig](ctx, c, GET, path, q, nil)
}

// InitSchemaEnforcement starts enforcement with a rule.
func (c *Client) InitSchemaEnforcement(ctx context.Context, p InitSchemaEnforcementParams) (map[string]any, error) {
	path, err := c.enforcementPath()
	if err != nil {
		return nil, err
	}
	return appCall[map[string]any](ctx, c, POST, path, nil, map[string]any{"ruleEvent": p.RuleEvent})
}

// UpdateSchemaEnforcement changes the fields given.
func (c *Client) UpdateSchemaEnforcement(ctx context.Context, p UpdateSchemaEnforcementParams) (map[string]any, error) {
	path, err := c.enforcementPath()
	if err != nil {
		return nil, err
	}
	b := map[string]any{}
	if p.NotificationEmails != nil {
		b["notificationEmails"] = p.NotificationEmails
	}
	if p.RuleEvent != "" {
		b["ruleEvent"] = p.RuleEvent
	}
	if p.Events != nil {
		b["events"] = p.Events
	}
	if p.Properties != nil {
		b["properties"] = p.Properties
	}
	return appCall[map[string]any](ctx, c, PATCH, path, nil, b)
}

// ReplaceSchemaEnforcement replaces the whole configuration.
func (c *Client) ReplaceSchemaEnforcement(ctx context.Context, p ReplaceSchemaEnforcementParams) (map[string]any, error) {
	path, err := c.enforcementPath()
	if err != nil {
		return nil, err
	}
	b := map[string]any{"commonProperties": p.CommonProperties, "userProperties": p.UserProperties, "events": p.Events,
		"ruleEvent": p.RuleEvent, "notificationEmails": p.NotificationEmails}
	if p.SchemaID != nil {
		b["schemaId"] = *p.SchemaID
	}
	return appCall[map[string]any](ctx, c, PUT, path, nil, b)
}

// DeleteSchemaEnforcement removes the configuration.
func (c *Client) DeleteSchemaEnforcement(ctx context.Context) (map[string]any, error) {
	path, err := c.enforcementPath()
	if err != nil {
		return nil, err
	}
	return appCall[map[string]any](ctx, c, DELETE, path, nil, nil)
}

// Validate checks the field names.
func (p GetSchemaEnforcementParams) Validate() error {
	var c checks
	if p.Fields != "" {
		for _, f := range strings.Split(p.Fields, ",") {
			c.oneOf("fields", strings.TrimSpace(f), enforcementFields)
		}
	}
	return c.err()
}

// Validate needs a rule from the closed set.
func (p InitSchemaEnforcementParams) Validate() error {
	var c checks
	c.required("rule_event", p.RuleEvent == "", "pass Warn and Accept, Warn and Hide or Warn and Drop")
	c.oneOf("rule_event", p.RuleEvent, EnforcementRules)
	return c.err()
}

// Validate needs something to change and a rule from the closed set.
func (p UpdateSchemaEnforcementParams) Validate() error {
	var c checks
	c.required("rule_event", p.NotificationEmails == nil && p.RuleEvent == "" && p.Events == nil && p.Properties == nil,
		"pass at least one of notification_emails, rule_event, events, properties")
	c.oneOf("rule_event", p.RuleEvent, EnforcementRules)
	return c.err()
}

// Validate needs every field of a full replacement.
func (p ReplaceSchemaEnforcementParams) Validate() error {
	var c checks
	const fix = "a replacement sends the whole configuration; pass it, [] when empty"
	c.required("common_properties", p.CommonProperties == nil, fix)
	c.required("user_properties", p.UserProperties == nil, fix)
	c.required("events", p.Events == nil, fix)
	c.required("notification_emails", p.NotificationEmails == nil, fix)
	c.required("rule_event", p.RuleEvent == "", "pass Warn and Accept, Warn and Hide or Warn and Drop")
	c.oneOf("rule_event", p.RuleEvent, EnforcementRules)
	return c.err()
}
