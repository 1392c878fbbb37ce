//go:build schemagen

package schemas

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/invopop/jsonschema"
)

var rawMessage = reflect.TypeFor[json.RawMessage]()

// reflector is the project's configuration: a field without omitempty is
// required, unknown input fields are rejected, and json.RawMessage means
// "any JSON value". Definitions are shared through $defs so a type used in
// many places (Filter, say) is described once; one used once is written in
// place (inlineSingleUse).
func reflector(strict, expanded bool) *jsonschema.Reflector {
	return &jsonschema.Reflector{
		ExpandedStruct:            expanded,
		AllowAdditionalProperties: !strict,
		Namer:                     genericName,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == rawMessage {
				return &jsonschema.Schema{}
			}
			return nil
		},
	}
}

// genericName names an instantiated generic type by its base name and its
// arguments' short names (List[.../mixpanel.Dashboard] is ListDashboard),
// so its $defs key is a valid JSON pointer; other types keep their names.
func genericName(t reflect.Type) string {
	name := t.Name()
	base, args, ok := strings.Cut(name, "[")
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString(base)
	for _, a := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
		a = a[strings.LastIndexAny(a, "./")+1:]
		b.WriteString(strings.NewReplacer("[", "", "]", "", "*", "").Replace(a))
	}
	return b.String()
}

// Input returns the input schema of a tool whose arguments decode into t.
// Unknown properties are refused, matching the tools' strict decoding.
func Input(t reflect.Type) (json.RawMessage, error) { return build(t, true) }

// Output returns the output schema of a tool whose structured result is t.
// It allows unknown properties so that a richer answer never breaks a client.
func Output(t reflect.Type) (json.RawMessage, error) { return build(t, false) }

func build(t reflect.Type, strict bool) (json.RawMessage, error) {
	root, err := toMap(reflector(strict, true).ReflectFromType(t))
	if err != nil {
		return nil, err
	}
	if root["type"] != "object" {
		return nil, fmt.Errorf("schema of %s: a tool's input and output must be JSON objects, got %v", t, root["type"])
	}
	delete(root, "$schema")
	delete(root, "$id")
	defs, _ := root["$defs"].(map[string]any)
	if defs == nil {
		defs = map[string]any{}
	}
	// Union types describe their alternatives with Ref, which the reflector
	// cannot follow; reflect each referenced type that has no definition yet
	// until none is missing.
	for {
		missing := missingRefs(root, defs)
		if len(missing) == 0 {
			break
		}
		for _, name := range missing {
			rt, ok := refTypes.Load(name)
			if !ok {
				return nil, fmt.Errorf("schema of %s: $ref to %q, a type never passed to schemas.Ref", t, name)
			}
			sub, err := toMap(reflector(strict, false).ReflectFromType(rt.(reflect.Type)))
			if err != nil {
				return nil, err
			}
			subDefs, _ := sub["$defs"].(map[string]any)
			for k, v := range subDefs {
				if _, have := defs[k]; !have {
					defs[k] = v
				}
			}
			if _, have := defs[name]; !have {
				return nil, fmt.Errorf("schema of %s: reflecting %s gave no definition", t, name)
			}
		}
	}
	inlineSingleUse(root, defs)
	if len(defs) > 0 {
		root["$defs"] = defs
	} else {
		delete(root, "$defs")
	}
	return json.Marshal(objectSchemas(root))
}

// objectSchemas rewrites the boolean schema true ("any value", which the
// reflector emits for json.RawMessage) as {}: MCP clients validate tool
// definitions with schemas that expect every property schema to be an
// object. It walks schema positions only, so values in default, enum,
// const and examples stay as written.
func objectSchemas(v any) any {
	if b, ok := v.(bool); ok && b {
		return map[string]any{}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, x := range m {
		switch k {
		case "items", "not", "contains", "propertyNames", "if", "then", "else":
			m[k] = objectSchemas(x)
		case "properties", "$defs", "definitions", "patternProperties", "dependentSchemas":
			if sub, ok := x.(map[string]any); ok {
				for name, sch := range sub {
					sub[name] = objectSchemas(sch)
				}
			}
		case "anyOf", "oneOf", "allOf", "prefixItems":
			if list, ok := x.([]any); ok {
				for i, sch := range list {
					list[i] = objectSchemas(sch)
				}
			}
		}
	}
	return m
}

func toMap(s *jsonschema.Schema) (map[string]any, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// inlineSingleUse replaces each reference to a definition used exactly
// once, and not by itself, with the definition: a $defs entry and its
// $ref cost a model ~13 tokens more than the same schema written in place.
// Keys written beside the $ref (a field's own description) win over the
// definition's. Definitions used twice or more, or recursive, stay shared.
func inlineSingleUse(root, defs map[string]any) {
	for {
		uses := map[string]int{}
		countRefs(root, uses)
		countRefs(defs, uses)
		var name string
		for _, n := range slices.Sorted(maps.Keys(defs)) {
			self := map[string]int{}
			countRefs(defs[n], self)
			if uses[n] == 1 && self[n] == 0 {
				name = n
				break
			}
		}
		if name == "" {
			return
		}
		def, _ := defs[name].(map[string]any)
		delete(defs, name)
		replaceRef(root, "#/$defs/"+name, def)
		replaceRef(defs, "#/$defs/"+name, def)
	}
}

// countRefs adds up the references to each definition found in v.
func countRefs(v any, uses map[string]int) {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if name, ok := strings.CutPrefix(ref, "#/$defs/"); ok {
				uses[name]++
			}
		}
		for _, x := range v {
			countRefs(x, uses)
		}
	case []any:
		for _, x := range v {
			countRefs(x, uses)
		}
	}
}

// replaceRef writes def's keys in place of the reference ref in v.
func replaceRef(v any, ref string, def map[string]any) {
	switch v := v.(type) {
	case map[string]any:
		if v["$ref"] == ref {
			delete(v, "$ref")
			for k, x := range def {
				if _, have := v[k]; !have {
					v[k] = x
				}
			}
			return
		}
		for _, x := range v {
			replaceRef(x, ref, def)
		}
	case []any:
		for _, x := range v {
			replaceRef(x, ref, def)
		}
	}
}

// missingRefs lists the $defs names referenced anywhere in root or defs
// that defs lacks, sorted for determinism.
func missingRefs(root map[string]any, defs map[string]any) []string {
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					if name, ok := strings.CutPrefix(s, "#/$defs/"); ok {
						if _, have := defs[name]; !have {
							seen[name] = true
						}
					}
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(root)
	walk(defs)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// refTypes maps a definition name to the Go type Ref was called with.
var refTypes sync.Map

// Ref is a reference to T's definition, for use inside a union type's
// JSONSchema method; T is reflected into the root's $defs automatically
// (and written in place if the schema uses it only once).
func Ref[T any]() *jsonschema.Schema {
	t := reflect.TypeFor[T]()
	refTypes.Store(t.Name(), t)
	return &jsonschema.Schema{Ref: "#/$defs/" + t.Name()}
}

// String is a plain string schema with a description.
func String(desc string) *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Description: desc}
}

// AnyOf is a union whose alternatives may overlap (a string or an object).
func AnyOf(desc string, alts ...*jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, AnyOf: alts}
}

// OneOf is a union of mutually exclusive alternatives.
func OneOf(desc string, alts ...*jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, OneOf: alts}
}

// ListOf accepts one item or a list of them: models often pass a single
// value where a list is expected, and the tools accept both.
func ListOf(desc string, item *jsonschema.Schema) *jsonschema.Schema {
	return &jsonschema.Schema{Description: desc, AnyOf: []*jsonschema.Schema{item, {Type: "array", Items: item}}}
}

// Enum is a string restricted to values.
func Enum(desc string, values ...string) *jsonschema.Schema {
	s := &jsonschema.Schema{Type: "string", Description: desc}
	for _, v := range values {
		s.Enum = append(s.Enum, v)
	}
	return s
}

// WithExamples returns s with examples attached (one per union keeps the
// schema usable by a model without bloating it).
func WithExamples(s *jsonschema.Schema, examples ...any) *jsonschema.Schema {
	s.Examples = append(s.Examples, examples...)
	return s
}
