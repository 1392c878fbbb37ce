package query

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// PropertyRef names a property: a plain property name, a saved custom
// property, or a custom property defined inline for this query. It mirrors
// the reference's str | CustomPropertyRef | InlineCustomProperty.
type PropertyRef struct {
	Name   string
	Ref    *CustomPropertyRef
	Inline *InlineCustomProperty
}

// CustomPropertyRef points at a saved custom property by id.
type CustomPropertyRef struct {
	ID Int `json:"custom_property_id"`
}

// InlineCustomProperty computes a property at query time from a formula
// over other properties. Numeric is the reference's numeric() shortcut:
// each letter maps to a number property and the result is a number.
type InlineCustomProperty struct {
	Formula      string                   `json:"formula" jsonschema:"description=Formula over input letters A-Z\\, e.g. A * B"`
	Inputs       map[string]PropertyInput `json:"inputs,omitempty" jsonschema:"description=Map of letter to input property"`
	Numeric      map[string]string        `json:"numeric,omitempty" jsonschema:"description=Shortcut: map of letter to number event property name (sets property_type number)"`
	PropertyType string                   `json:"property_type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,description=Result type; default: the type of the place it is used"`
	ResourceType string                   `json:"resource_type,omitempty" jsonschema:"enum=events,enum=people,default=events"`
}

// PropertyInput binds a formula letter to a raw property.
type PropertyInput struct {
	Name         string `json:"name"`
	Type         string `json:"type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,enum=list,default=string"`
	ResourceType string `json:"resource_type,omitempty" jsonschema:"enum=event,enum=user,default=event"`
}

// UnmarshalJSON accepts a property name, {"custom_property_id": N} or an
// inline custom property object.
func (p *PropertyRef) UnmarshalJSON(b []byte) error {
	*p = PropertyRef{}
	switch jsonKind(b) {
	case "string":
		return json.Unmarshal(b, &p.Name)
	case "object":
		if keySet(b)["custom_property_id"] {
			var r CustomPropertyRef
			if err := decodeStrict(b, &r); err != nil {
				return fmt.Errorf("custom property reference: %w", err)
			}
			p.Ref = &r
			return nil
		}
		var ic InlineCustomProperty
		if err := decodeStrict(b, &ic); err != nil {
			return fmt.Errorf("inline custom property: %w", err)
		}
		p.Inline = &ic
		return nil
	}
	return fmt.Errorf("property must be a name, {\"custom_property_id\": N} or an inline custom property {\"formula\", \"inputs\"}, got %s", jsonKind(b))
}

// MarshalJSON writes the form it was read from.
func (p PropertyRef) MarshalJSON() ([]byte, error) {
	switch {
	case p.Ref != nil:
		return json.Marshal(p.Ref)
	case p.Inline != nil:
		return json.Marshal(p.Inline)
	}
	return json.Marshal(p.Name)
}

// IsCustom reports whether the property is a saved or inline custom property.
func (p PropertyRef) IsCustom() bool { return p.Ref != nil || p.Inline != nil }

// String is the name, or a short description of a custom property.
func (p PropertyRef) String() string {
	switch {
	case p.Ref != nil:
		return fmt.Sprintf("custom property %d", p.Ref.ID)
	case p.Inline != nil:
		return "(" + p.Inline.Formula + ")"
	}
	return p.Name
}

// resourceType is the inline property's resource type with its default.
func (ic *InlineCustomProperty) resourceType() string {
	if ic.ResourceType == "" {
		return "events"
	}
	return ic.ResourceType
}

// inputs resolves the explicit inputs and the numeric shortcut into one map.
func (ic *InlineCustomProperty) inputs() map[string]PropertyInput {
	out := make(map[string]PropertyInput, len(ic.Inputs)+len(ic.Numeric))
	for k, v := range ic.Inputs {
		out[k] = v
	}
	for k, v := range ic.Numeric {
		out[k] = PropertyInput{Name: v, Type: "number"}
	}
	return out
}

// propertyType is the declared result type; the numeric shortcut declares
// "number" as the reference's numeric() does.
func (ic *InlineCustomProperty) propertyType() string {
	if ic.PropertyType == "" && len(ic.Numeric) > 0 && len(ic.Inputs) == 0 {
		return "number"
	}
	return ic.PropertyType
}

// composedProperties is the wire form of the inputs.
func (ic *InlineCustomProperty) composedProperties() map[string]any {
	out := map[string]any{}
	for k, in := range ic.inputs() {
		t := in.Type
		if t == "" {
			t = "string"
		}
		rt := in.ResourceType
		if rt == "" {
			rt = "event"
		}
		out[k] = map[string]any{"value": in.Name, "type": t, "resourceType": rt}
	}
	return out
}

// customPropertyBody is the "customProperty" object; typ is the effective
// property type, or "" to leave propertyType out.
func (ic *InlineCustomProperty) customPropertyBody(typ string) map[string]any {
	body := map[string]any{
		"displayFormula":     ic.Formula,
		"composedProperties": ic.composedProperties(),
		"name":               "",
		"description":        "",
		"resourceType":       ic.resourceType(),
	}
	if typ != "" {
		body["propertyType"] = typ
	}
	return body
}

var cpInputKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]$`) })

// MaxCustomPropertyFormula is the longest formula Mixpanel takes (characters).
const MaxCustomPropertyFormula = 20000

// checkShape runs the constructor-level checks the Go form needs because
// JSON can express what Python's types cannot (unknown enums).
func (p *PropertyRef) checkShape(path string, iss *Issues) {
	if p.Inline == nil {
		return
	}
	ic := p.Inline
	if ic.PropertyType != "" && !oneOfStrings(ic.PropertyType, "string", "number", "boolean", "datetime") {
		iss.Add("X1_INVALID_ENUM", join(path, "property_type"), "property_type %q is not valid; use one of string, number, boolean, datetime", ic.PropertyType)
	}
	if ic.ResourceType != "" && !oneOfStrings(ic.ResourceType, "events", "people") {
		iss.Add("X1_INVALID_ENUM", join(path, "resource_type"), "resource_type %q is not valid; use events or people", ic.ResourceType)
	}
	for _, k := range sortedKeys(ic.Inputs) {
		in := ic.Inputs[k]
		if in.Type != "" && !oneOfStrings(in.Type, "string", "number", "boolean", "datetime", "list") {
			iss.Add("X1_INVALID_ENUM", join(path, "inputs."+k+".type"), "input type %q is not valid; use one of string, number, boolean, datetime, list", in.Type)
		}
		if in.ResourceType != "" && !oneOfStrings(in.ResourceType, "event", "user") {
			iss.Add("X1_INVALID_ENUM", join(path, "inputs."+k+".resource_type"), "input resource_type %q is not valid; use event or user", in.ResourceType)
		}
	}
}

// ValidateCustomProperty applies the reference's CP1-CP6 rules to a
// saved or inline custom property found at path.
func ValidateCustomProperty(p PropertyRef, path string, iss *Issues) {
	switch {
	case p.Ref != nil:
		if p.Ref.ID <= 0 {
			iss.AddNeeding(NeedCustomPropertyID, "CP1_INVALID_ID", path, "custom property ID must be a positive integer (got %d); use a saved custom property's id", p.Ref.ID)
		}
	case p.Inline != nil:
		ic := p.Inline
		inputs := ic.inputs()
		if strings.TrimSpace(ic.Formula) == "" {
			iss.Add("CP2_EMPTY_FORMULA", path, "inline custom property formula must be non-empty; write a formula such as \"A * B\"")
		}
		if len(inputs) == 0 {
			iss.Add("CP3_EMPTY_INPUTS", path, "inline custom property must have at least one input; map a letter to a property, e.g. \"inputs\": {\"A\": {\"name\": \"price\"}}")
		}
		for _, k := range sortedKeys(inputs) {
			if !cpInputKey().MatchString(k) {
				iss.Add("CP4_INVALID_INPUT_KEY", path, "inline custom property input keys must be single uppercase letters (A-Z), got %q; rename it to a letter such as \"A\"", k)
			}
		}
		if n := len([]rune(ic.Formula)); n > MaxCustomPropertyFormula {
			iss.Add("CP5_FORMULA_TOO_LONG", path, "inline custom property formula exceeds maximum length of 20,000 characters (got %d); shorten it", n)
		}
		for _, k := range sortedKeys(inputs) {
			if strings.TrimSpace(inputs[k].Name) == "" {
				iss.Add("CP6_EMPTY_INPUT_NAME", path, "inline custom property input %q has an empty property name; set name to a property such as \"price\"", k)
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func oneOfStrings(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}
