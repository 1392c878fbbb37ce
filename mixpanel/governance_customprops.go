package mixpanel

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Custom properties (wire reference §4.18): properties computed from a
// formula over other properties, or from a behavior. Inputs here use the
// reference's snake_case names; bodies and answers are camelCase.

// CustomProperty is a saved custom property.
type CustomProperty struct {
	ID                 int64                      `json:"customPropertyId" col:"id"`
	Name               string                     `json:"name" col:"name"`
	Description        string                     `json:"description,omitempty"`
	ResourceType       string                     `json:"resourceType,omitempty" col:"resource"`
	PropertyType       string                     `json:"propertyType,omitempty" col:"type"`
	DisplayFormula     string                     `json:"displayFormula,omitempty" col:"formula"`
	ComposedProperties map[string]json.RawMessage `json:"composedProperties,omitempty"`
	Behavior           json.RawMessage            `json:"behavior,omitempty"`
	IsLocked           bool                       `json:"isLocked,omitempty"`
	IsVisible          *bool                      `json:"isVisible,omitempty"`
	DataGroupID        *int64                     `json:"dataGroupId,omitempty"`
	Created            string                     `json:"created,omitempty"`
	Modified           string                     `json:"modified,omitempty"`
	ExampleValue       any                        `json:"exampleValue,omitempty"`
}

// Ref names the custom property.
func (p CustomProperty) Ref() Ref { return Ref{Kind: "custom property", ID: ID(p.ID), Name: p.Name} }

// ComposedPropertyValue binds a formula key to a property of the project.
type ComposedPropertyValue struct {
	ResourceType        string          `json:"resource_type" jsonschema:"enum=event,enum=user,enum=groupprofile"`
	Value               string          `json:"value,omitempty" jsonschema:"description=Property name"`
	Type                string          `json:"type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,enum=list"`
	TypeCast            string          `json:"type_cast,omitempty"`
	Label               string          `json:"label,omitempty"`
	PropertyDefaultType string          `json:"property_default_type,omitempty"`
	Behavior            json.RawMessage `json:"behavior,omitempty"`
	JoinPropertyType    string          `json:"join_property_type,omitempty"`
}

func (v ComposedPropertyValue) wire() map[string]any {
	out := map[string]any{"resourceType": v.ResourceType}
	for k, s := range map[string]string{"value": v.Value, "type": v.Type, "typeCast": v.TypeCast, "label": v.Label, "propertyDefaultType": v.PropertyDefaultType, "joinPropertyType": v.JoinPropertyType} {
		if s != "" {
			out[k] = s
		}
	}
	if len(v.Behavior) > 0 {
		out["behavior"] = v.Behavior
	}
	return out
}

// CreateCustomPropertyParams is a new custom property (and the input of
// validate_custom_property).
type CreateCustomPropertyParams struct {
	Name               string                           `json:"name" jsonschema:"minLength=1"`
	ResourceType       string                           `json:"resource_type" jsonschema:"enum=events,enum=people,enum=group_profiles"`
	Description        string                           `json:"description,omitempty"`
	DisplayFormula     string                           `json:"display_formula,omitempty" jsonschema:"description=Formula over composed_properties keys\\, e.g. A * (1 - B); or set behavior"`
	ComposedProperties map[string]ComposedPropertyValue `json:"composed_properties,omitempty" jsonschema:"description=Formula inputs by key (A-Z)"`
	IsLocked           *bool                            `json:"is_locked,omitempty"`
	IsVisible          *bool                            `json:"is_visible,omitempty"`
	PropertyType       string                           `json:"property_type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime"`
	ExampleValue       any                              `json:"example_value,omitempty"`
	DataGroupID        *int64                           `json:"data_group_id,omitempty"`
	Behavior           json.RawMessage                  `json:"behavior,omitempty" jsonschema:"description=Behavior spec instead of a formula"`
}

// UpdateCustomPropertyParams changes a custom property; absent fields are
// not sent. resource_type and data_group_id cannot change.
type UpdateCustomPropertyParams struct {
	Name               string                           `json:"name,omitempty"`
	Description        *string                          `json:"description,omitempty"`
	DisplayFormula     string                           `json:"display_formula,omitempty"`
	ComposedProperties map[string]ComposedPropertyValue `json:"composed_properties,omitempty"`
	IsLocked           *bool                            `json:"is_locked,omitempty"`
	IsVisible          *bool                            `json:"is_visible,omitempty"`
}

// CustomPropertyValidation is Mixpanel's verdict on a definition.
type CustomPropertyValidation struct {
	Valid  bool            `json:"valid"`
	Errors json.RawMessage `json:"errors,omitempty"`
}

func composedWire(m map[string]ComposedPropertyValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v.wire()
	}
	return out
}

// Body is the camelCase create body.
func (p CreateCustomPropertyParams) Body() map[string]any {
	b := map[string]any{"name": p.Name, "resourceType": p.ResourceType}
	if p.Description != "" {
		b["description"] = p.Description
	}
	if p.DisplayFormula != "" {
		b["displayFormula"] = p.DisplayFormula
	}
	if p.ComposedProperties != nil {
		b["composedProperties"] = composedWire(p.ComposedProperties)
	}
	if p.IsLocked != nil {
		b["isLocked"] = *p.IsLocked
	}
	if p.IsVisible != nil {
		b["isVisible"] = *p.IsVisible
	}
	if p.PropertyType != "" {
		b["propertyType"] = p.PropertyType
	}
	if p.ExampleValue != nil {
		b["exampleValue"] = p.ExampleValue
	}
	if p.DataGroupID != nil {
		b["dataGroupId"] = *p.DataGroupID
	}
	if len(p.Behavior) > 0 {
		b["behavior"] = p.Behavior
	}
	return b
}

// Body is the camelCase update body.
func (p UpdateCustomPropertyParams) Body() map[string]any {
	b := map[string]any{}
	if p.Name != "" {
		b["name"] = p.Name
	}
	if p.Description != nil {
		b["description"] = *p.Description
	}
	if p.DisplayFormula != "" {
		b["displayFormula"] = p.DisplayFormula
	}
	if p.ComposedProperties != nil {
		b["composedProperties"] = composedWire(p.ComposedProperties)
	}
	if p.IsLocked != nil {
		b["isLocked"] = *p.IsLocked
	}
	if p.IsVisible != nil {
		b["isVisible"] = *p.IsVisible
	}
	return b
}

// ListCustomProperties lists the custom properties.
func (c *Client) ListCustomProperties(ctx context.Context) ([]CustomProperty, error) {
	path, err := c.scoped("custom_properties", "")
	if err != nil {
		return nil, err
	}
	return appCall[[]CustomProperty](ctx, c, GET, path, nil, nil)
}

// GetCustomProperty reads one custom property.
func (c *Client) GetCustomProperty(ctx context.Context, id int64) (CustomProperty, error) {
	path, err := c.scoped("custom_properties", ID(id), "")
	if err != nil {
		return CustomProperty{}, err
	}
	return appCall[CustomProperty](ctx, c, GET, path, nil, nil)
}

// CreateCustomProperty saves a custom property.
func (c *Client) CreateCustomProperty(ctx context.Context, p CreateCustomPropertyParams) (CustomProperty, error) {
	path, err := c.scoped("custom_properties", "")
	if err != nil {
		return CustomProperty{}, err
	}
	return appCall[CustomProperty](ctx, c, POST, path, nil, p.Body())
}

// UpdateCustomProperty replaces the given fields (PUT).
func (c *Client) UpdateCustomProperty(ctx context.Context, id int64, p UpdateCustomPropertyParams) (CustomProperty, error) {
	path, err := c.scoped("custom_properties", ID(id), "")
	if err != nil {
		return CustomProperty{}, err
	}
	return appCall[CustomProperty](ctx, c, PUT, path, nil, p.Body())
}

// DeleteCustomProperty deletes a custom property.
func (c *Client) DeleteCustomProperty(ctx context.Context, id int64) error {
	path, err := c.scoped("custom_properties", ID(id), "")
	if err != nil {
		return err
	}
	_, err = appCall[Empty](ctx, c, DELETE, path, nil, nil)
	return err
}

// ValidateCustomProperty asks Mixpanel whether a definition is valid
// without saving it.
func (c *Client) ValidateCustomProperty(ctx context.Context, p CreateCustomPropertyParams) (CustomPropertyValidation, error) {
	path, err := c.scoped("custom_properties", "validate", "")
	if err != nil {
		return CustomPropertyValidation{}, err
	}
	return appCall[CustomPropertyValidation](ctx, c, POST, path, nil, p.Body())
}

// Formula checks reuse the query engines' custom-property rule codes:
// CP4 (input keys are single capital letters), CP5 (formula length) and CP6
// (an input names a property). A key the formula never uses, or a letter
// the formula uses with no input, is MG5_CONFLICT.
var (
	formulaStrings = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`) })
	formulaLetter  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b[A-Z]\b`) })
	inputKey       = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]$`) })
)

func checkFormula(c *checks, formula string, inputs map[string]ComposedPropertyValue) {
	if n := len([]rune(formula)); n > query.MaxCustomPropertyFormula {
		c.add("CP5_FORMULA_TOO_LONG", "display_formula", "%d characters, Mixpanel takes at most %d; shorten the formula", n, query.MaxCustomPropertyFormula)
	}
	used := map[string]bool{}
	for _, l := range formulaLetter().FindAllString(formulaStrings().ReplaceAllString(formula, `""`), -1) {
		used[l] = true
	}
	keys := make([]string, 0, len(inputs))
	for k := range inputs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		in := inputs[k]
		f := "composed_properties." + k
		switch {
		case !inputKey().MatchString(k):
			c.add("CP4_INVALID_INPUT_KEY", f, "input keys are single capital letters (A-Z), got %q; rename it, e.g. A", k)
		case formula != "" && !used[k]:
			c.add(CodeConflict, f, "the formula never uses %s; reference it in display_formula or remove the input", k)
		}
		if strings.TrimSpace(in.Value) == "" && len(in.Behavior) == 0 {
			c.add("CP6_EMPTY_INPUT_NAME", f+".value", "input %s names no property; set value to a property name such as \"price\"", k)
		}
		switch in.ResourceType {
		case "event", "user", "groupprofile":
		case "":
			c.required(f+".resource_type", true, "use event, user or groupprofile")
		default:
			c.add(CodeRange, f+".resource_type", "%q is not an input resource type; use event, user or groupprofile (singular)", in.ResourceType)
		}
	}
	for _, l := range slices.Sorted(mapKeys(used)) {
		if _, ok := inputs[l]; !ok {
			c.add(CodeConflict, "display_formula", "the formula uses %s but composed_properties has no %s; add it or change the formula", l, l)
		}
	}
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Validate applies the reference's rules: exactly one of display_formula
// or behavior; a formula needs composed_properties and behavior excludes
// them; inputs referenced by key; the formula length cap.
func (p CreateCustomPropertyParams) Validate() error {
	var c checks
	c.required("name", strings.TrimSpace(p.Name) == "", "name the custom property")
	switch p.ResourceType {
	case "events", "people", "group_profiles":
	case "":
		c.required("resource_type", true, "use events, people or group_profiles")
	default:
		c.add(CodeRange, "resource_type", "%q is not a resource type; use events, people or group_profiles (plural)", p.ResourceType)
	}
	hasBehavior := len(p.Behavior) > 0 && string(p.Behavior) != "null"
	switch {
	case p.DisplayFormula != "" && hasBehavior:
		c.add(CodeConflict, "behavior", "display_formula and behavior cannot both be set; keep one")
	case p.DisplayFormula == "" && !hasBehavior:
		c.required("display_formula", true, "set display_formula (with composed_properties) or behavior")
	case p.DisplayFormula != "" && len(p.ComposedProperties) == 0:
		c.required("composed_properties", true, "a formula needs its inputs, e.g. {\"A\": {\"resource_type\": \"event\", \"value\": \"price\"}}")
	case hasBehavior && len(p.ComposedProperties) > 0:
		c.add(CodeConflict, "composed_properties", "behavior and composed_properties cannot both be set; drop composed_properties")
	}
	if p.PropertyType != "" && !slices.Contains([]string{"string", "number", "boolean", "datetime"}, p.PropertyType) {
		c.add(CodeRange, "property_type", "%q is not a property type; use string, number, boolean or datetime", p.PropertyType)
	}
	checkFormula(&c, p.DisplayFormula, p.ComposedProperties)
	return c.err()
}

// Validate checks that something changes and the formula with its inputs.
func (p UpdateCustomPropertyParams) Validate() error {
	var c checks
	c.required("name", len(p.Body()) == 0, "pass at least one of name, description, display_formula, composed_properties, is_locked, is_visible")
	if p.DisplayFormula != "" && len(p.ComposedProperties) == 0 {
		c.required("composed_properties", true, "a new formula replaces the old one whole: pass its inputs too")
	}
	if p.DisplayFormula == "" && len(p.ComposedProperties) > 0 {
		c.required("display_formula", true, "new inputs need the formula that uses them: pass display_formula too")
	}
	checkFormula(&c, p.DisplayFormula, p.ComposedProperties)
	return c.err()
}
