package mixpanel

// Subproperty inference for list-of-object properties.

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Limits of subproperty inference.
const (
	// DefaultSubpropertySample is how many values subproperty inference reads.
	DefaultSubpropertySample = 50
	// maxSubpropertySamples caps the distinct sample values kept per subproperty.
	maxSubpropertySamples = 5
)

// SubPropertyInfo is an inferred key of a list-of-object property such as
// cart items (the reference's SubPropertyInfo). Type is string, number,
// boolean or datetime.
type SubPropertyInfo struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	SampleValues []any  `json:"sample_values"`
}

// Subproperties samples a list-of-object property's values and infers the
// type of each key inside its objects. The warnings say which keys were
// mixed-typed (reported as string), only null, or both scalar and nested.
func (c *Client) Subproperties(ctx context.Context, property, event string, sampleSize int) ([]SubPropertyInfo, []string, error) {
	if sampleSize <= 0 {
		sampleSize = DefaultSubpropertySample
	}
	raw, err := c.PropertyValues(ctx, PropertyValuesOptions{Property: property, Event: event, Limit: sampleSize})
	if err != nil {
		return nil, nil, fmt.Errorf("subproperties: %w", err)
	}
	subs, warnings := InferSubproperties(raw)
	return subs, warnings, nil
}

// InferSubproperties parses raw property values (each a JSON object or a
// list of objects; others are skipped) and infers a scalar type per key,
// sorted by name. Null values are missing data, not a type; nested
// objects and lists are out of scope, since list_item breakdowns and
// list_contains filters only work on scalar keys.
func InferSubproperties(raw []string) ([]SubPropertyInfo, []string) {
	type keyInfo struct {
		values                       []any
		scalar, nested, nonNull, any bool
	}
	keys := map[string]*keyInfo{}
	for _, row := range objectRows(raw) {
		for k, v := range row {
			ki := keys[k]
			if ki == nil {
				ki = &keyInfo{}
				keys[k] = ki
			}
			ki.any = true
			if v == nil {
				continue
			}
			ki.nonNull = true
			switch v.(type) {
			case map[string]any, []any:
				ki.nested = true
			default:
				ki.scalar = true
				ki.values = append(ki.values, v)
			}
		}
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var warnings []string
	for _, k := range names {
		if ki := keys[k]; ki.scalar && ki.nested {
			warnings = append(warnings, fmt.Sprintf("subproperty %q is a scalar in some rows and a nested object or list in others; reporting the scalar form", k))
		}
	}
	for _, k := range names {
		if !keys[k].nonNull {
			warnings = append(warnings, fmt.Sprintf("subproperty %q was null in every sampled row; its type is unknown", k))
		}
	}
	var out []SubPropertyInfo
	for _, k := range names {
		ki := keys[k]
		if len(ki.values) == 0 {
			continue
		}
		typ, mixed := inferScalarType(ki.values)
		if mixed {
			warnings = append(warnings, fmt.Sprintf("subproperty %q has mixed value types across sampled rows; reporting it as string", k))
		}
		out = append(out, SubPropertyInfo{Name: k, Type: typ, SampleValues: distinctSamples(ki.values)})
	}
	return out, warnings
}

// objectRows decodes each raw value as a JSON object (one row) or a list
// of objects (one row per object), keeping numbers exact.
func objectRows(raw []string) []map[string]any {
	var rows []map[string]any
	for _, r := range raw {
		dec := json.NewDecoder(strings.NewReader(r))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil || dec.More() {
			continue
		}
		switch v := v.(type) {
		case map[string]any:
			rows = append(rows, v)
		case []any:
			for _, item := range v {
				if obj, ok := item.(map[string]any); ok {
					rows = append(rows, obj)
				}
			}
		}
	}
	return rows
}

// inferScalarType types a key's non-null scalar values; mixed is true when
// they disagree, and the type is then string.
func inferScalarType(values []any) (typ string, mixed bool) {
	var bools, nums, strs int
	allDates := true
	for _, v := range values {
		switch v := v.(type) {
		case bool:
			bools++
		case json.Number:
			nums++
		case string:
			strs++
			if allDates && !isISODate(v) {
				allDates = false
			}
		}
	}
	switch len(values) {
	case bools:
		return "boolean", false
	case nums:
		return "number", false
	case strs:
		if allDates {
			return "datetime", false
		}
		return "string", false
	}
	return "string", true
}

// distinctSamples keeps the first maxSubpropertySamples distinct values in
// the order seen; numbers compare by value, so 5 and 5.0 are one sample.
func distinctSamples(values []any) []any {
	seen := map[string]bool{}
	var out []any
	for _, v := range values {
		key := fmt.Sprintf("%T:%v", v, v)
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				key = "n:" + strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, v)
		if len(out) == maxSubpropertySamples {
			break
		}
	}
	return out
}
