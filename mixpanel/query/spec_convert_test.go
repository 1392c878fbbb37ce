package query

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// This file translates the neutral Python-call specs of
// testdata/cases.json (see its README) into the JSON input a model would
// send, so the golden tests exercise the real JSON surface. Engines add
// their own types to specConverters from their own test files.

// oval is a JSON value that keeps object key order and number text.
type oval struct {
	kind string // object, array, string, number, bool, null
	keys []string
	obj  map[string]*oval
	arr  []*oval
	str  string // string value or number text
	b    bool
}

func parseOrdered(data []byte) (*oval, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return parseOval(dec)
}

func parseOval(dec *json.Decoder) (*oval, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &oval{kind: "object", obj: map[string]*oval{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				child, err := parseOval(dec)
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, k)
				v.obj[k] = child
			}
			_, err := dec.Token()
			return v, err
		case '[':
			v := &oval{kind: "array", arr: []*oval{}}
			for dec.More() {
				child, err := parseOval(dec)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, child)
			}
			_, err := dec.Token()
			return v, err
		}
	case string:
		return &oval{kind: "string", str: t}, nil
	case json.Number:
		return &oval{kind: "number", str: t.String()}, nil
	case bool:
		return &oval{kind: "bool", b: t}, nil
	case nil:
		return &oval{kind: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

func (v *oval) get(k string) *oval {
	if v == nil || v.kind != "object" {
		return nil
	}
	return v.obj[k]
}

func (v *oval) arg(i int) *oval {
	a := v.get("args")
	if a == nil || i >= len(a.arr) {
		return nil
	}
	return a.arr[i]
}

// out is an ordered output object under construction.
type out struct {
	keys []string
	vals map[string]any
}

func newOut() *out { return &out{vals: map[string]any{}} }

func (o *out) set(k string, v any) *out {
	if v == nil {
		return o
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
	return o
}

func (o *out) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// specConverter turns one typed object ({"$type", "ctor", "args",
// "kwargs"}) into its JSON input form.
type specConverter func(ctor string, v *oval) (any, error)

var specConverters = map[string]specConverter{}

func init() {
	specConverters["Filter"] = convFilter
	specConverters["Metric"] = firstArgAs("event")
	specConverters["Formula"] = firstArgAs("expression")
	specConverters["CohortMetric"] = cohortLike
	specConverters["CohortBreakdown"] = cohortLike
	specConverters["FrequencyBreakdown"] = firstArgAs("event")
	specConverters["FrequencyFilter"] = firstArgAs("event", "value")
	specConverters["CustomPropertyRef"] = firstArgAs("custom_property_id")
	specConverters["PropertyInput"] = firstArgAs("name")
	specConverters["GroupBy"] = func(ctor string, v *oval) (any, error) {
		if ctor == "list_item" {
			return withKwargs(v, "property", "sub")
		}
		return withKwargs(v, "property")
	}
	specConverters["TimeComparison"] = func(ctor string, v *oval) (any, error) {
		o := newOut()
		switch ctor {
		case "relative":
			o.set("type", "relative").set("unit", convValue(v.arg(0)))
		case "absolute_start", "absolute_end":
			o.set("type", strings.ReplaceAll(ctor, "_", "-")).set("date", convValue(v.arg(0)))
		default:
			o.set("type", convValue(v.arg(0)))
		}
		return addKwargs(o, v)
	}
	specConverters["InlineCustomProperty"] = func(ctor string, v *oval) (any, error) {
		o := newOut().set("formula", convValue(v.arg(0)))
		if ctor == "numeric" {
			num := newOut()
			if kw := v.get("kwargs"); kw != nil {
				for _, k := range kw.keys {
					num.set(k, convValue(kw.obj[k]))
				}
			}
			return o.set("numeric", num), nil
		}
		o.set("inputs", convValue(v.arg(1)))
		return addKwargs(o, v)
	}
	specConverters["CohortDefinition"] = func(ctor string, v *oval) (any, error) {
		key := "all_of"
		if ctor == "any_of" {
			key = "any_of"
		}
		items := []any{}
		for _, a := range v.get("args").arr {
			items = append(items, convValue(a))
		}
		return newOut().set(key, items), nil
	}
	specConverters["CohortCriteria"] = func(ctor string, v *oval) (any, error) {
		o := newOut().set("criterion", ctor)
		switch ctor {
		case "did_event", "did_not_do_event":
			o.set("event", convValue(v.arg(0)))
		case "has_property":
			o.set("property", convValue(v.arg(0))).set("value", convValue(v.arg(1)))
		case "property_is_set", "property_is_not_set":
			o.set("property", convValue(v.arg(0)))
		case "in_cohort", "not_in_cohort":
			o.set("cohort_id", convValue(v.arg(0)))
		}
		return addKwargs(o, v)
	}
}

// firstArgAs maps positional args to the given field names, then kwargs.
func firstArgAs(names ...string) specConverter {
	return func(_ string, v *oval) (any, error) { return withKwargs(v, names...) }
}

func withKwargs(v *oval, names ...string) (any, error) {
	o := newOut()
	for i, n := range names {
		if a := v.arg(i); a != nil {
			o.set(n, convValue(a))
		}
	}
	return addKwargs(o, v)
}

func addKwargs(o *out, v *oval) (any, error) {
	if kw := v.get("kwargs"); kw != nil {
		for _, k := range kw.keys {
			o.set(k, convValue(kw.obj[k]))
		}
	}
	return o, nil
}

func cohortLike(_ string, v *oval) (any, error) { return withKwargs(v, "cohort", "name") }

var convErr error

// convValue converts any spec value; conversion errors are kept in convErr.
func convValue(v *oval) any {
	if v == nil {
		return nil
	}
	switch v.kind {
	case "object":
		if t := v.get("$type"); t != nil {
			ctor := ""
			if c := v.get("ctor"); c != nil && c.kind == "string" {
				ctor = c.str
			}
			conv, ok := specConverters[t.str]
			if !ok {
				convErr = fmt.Errorf("no converter for $type %s", t.str)
				return nil
			}
			res, err := conv(ctor, v)
			if err != nil {
				convErr = err
			}
			return res
		}
		o := newOut()
		for _, k := range v.keys {
			o.set(k, convValue(v.obj[k]))
		}
		return o
	case "array":
		items := make([]any, len(v.arr))
		for i, a := range v.arr {
			items[i] = convValue(a)
		}
		return items
	case "string":
		return v.str
	case "number":
		return json.Number(v.str)
	case "bool":
		return v.b
	}
	return json.RawMessage("null")
}

func convFilter(ctor string, v *oval) (any, error) {
	o := newOut()
	switch ctor {
	case "in_cohort", "not_in_cohort":
		o.set("operator", ctor).set("cohort", convValue(v.arg(0)))
		if n := v.arg(1); n != nil {
			o.set("name", convValue(n))
		}
		return addKwargs(o, v)
	case "list_contains":
		o.set("property", convValue(v.arg(0))).set("operator", ctor)
		var inner []any
		for _, a := range v.get("args").arr[1:] {
			inner = append(inner, convValue(a))
		}
		if len(inner) > 0 {
			o.set("filters", inner)
		}
		eq := newOut()
		if kw := v.get("kwargs"); kw != nil {
			for _, k := range kw.keys {
				switch k {
				case "quantifier", "resource_type":
					o.set(k, convValue(kw.obj[k]))
				default:
					eq.set(k, convValue(kw.obj[k]))
				}
			}
		}
		if len(eq.keys) > 0 {
			o.set("equals", eq)
		}
		return o, nil
	}
	o.set("property", convValue(v.arg(0))).set("operator", ctor)
	switch ctor {
	case "between", "not_between", "date_between", "date_not_between":
		o.set("value", []any{convValue(v.arg(1)), convValue(v.arg(2))})
	case "in_the_last", "not_in_the_last", "in_the_next":
		o.set("value", convValue(v.arg(1))).set("unit", convValue(v.arg(2)))
	case "is_set", "is_not_set", "is_true", "is_false":
	default:
		o.set("value", convValue(v.arg(1)))
	}
	return addKwargs(o, v)
}

// callToInput converts a builder call spec into the tool's JSON input; its
// leading positional arguments go to names ("events"; "born_event",
// "return_event"; ...).
func callToInput(spec *oval, names ...string) ([]byte, error) {
	convErr = nil
	o := newOut()
	for i, n := range names {
		if a := spec.arg(i); a != nil {
			o.set(n, convValue(a))
		}
	}
	if _, err := addKwargs(o, spec); err != nil {
		return nil, err
	}
	if convErr != nil {
		return nil, convErr
	}
	return json.Marshal(o)
}
