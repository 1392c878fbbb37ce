package query

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Filter is one condition on a property, the reference's Filter built by
// one of its class methods. Operator names the class method:
//
//	{"property": "country", "operator": "equals", "value": ["US", "CA"]}
//	{"property": "amount", "operator": "between", "value": [10, 100]}
//	{"property": "created", "operator": "in_the_last", "value": 7, "unit": "day"}
//	{"operator": "in_cohort", "cohort": 123, "name": "Power Users"}
//	{"property": "cart", "operator": "list_contains", "filters": [...], "quantifier": "all"}
type Filter struct {
	Property     *PropertyRef    `json:"property,omitempty"`
	Operator     string          `json:"operator"`
	Value        json.RawMessage `json:"value,omitempty"`
	Unit         string          `json:"unit,omitempty"`
	ResourceType string          `json:"resource_type,omitempty"`
	Cohort       *CohortRef      `json:"cohort,omitempty"`
	Name         *string         `json:"name,omitempty"`
	Filters      []Filter        `json:"filters,omitempty"`
	Equals       *OrderedEquals  `json:"equals,omitempty"`
	Quantifier   string          `json:"quantifier,omitempty"`
}

// OrderedEquals is list_contains's keyword shorthand: each key is a
// sub-property that must equal the value (a string or a list of strings).
// Key order is kept because the inner filters follow it.
type OrderedEquals struct {
	Keys   []string
	Values map[string]json.RawMessage
}

// UnmarshalJSON keeps the keys in the order they were written.
func (o *OrderedEquals) UnmarshalJSON(b []byte) error {
	keys, err := objectKeys(b)
	if err != nil {
		return fmt.Errorf("equals: %w", err)
	}
	o.Keys = keys
	o.Values = map[string]json.RawMessage{}
	return json.Unmarshal(b, &o.Values)
}

// MarshalJSON writes the keys in their order.
func (o OrderedEquals) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.Keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.Values[k])
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

// UnmarshalJSON decodes strictly.
func (f *Filter) UnmarshalJSON(b []byte) error {
	type plain Filter
	var p plain
	if err := decodeStrict(b, &p); err != nil {
		return fmt.Errorf("filter: %w", err)
	}
	*f = Filter(p)
	return nil
}

// filterOp describes one operator: its wire word, its property type and the
// shape of its value.
type filterOp struct {
	wire, propType, value string
}

// Value shapes of filterOp.value.
const (
	valStrList  = "strlist"  // string or list of strings; a string becomes a list
	valStr      = "str"      // one string
	valNone     = "none"     // no value
	valNum      = "num"      // one number
	valNumPair  = "numpair"  // [min, max]
	valDate     = "date"     // YYYY-MM-DD
	valDatePair = "datepair" // [from, to]
	valQuantity = "quantity" // positive integer with a unit
)

var filterOps = sync.OnceValue(func() map[string]filterOp {
	return map[string]filterOp{
		"equals":           {"equals", "string", valStrList},
		"not_equals":       {"does not equal", "string", valStrList},
		"contains":         {"contains", "string", valStr},
		"not_contains":     {"does not contain", "string", valStr},
		"starts_with":      {"starts with", "string", valStr},
		"ends_with":        {"ends with", "string", valStr},
		"is_set":           {"is set", "string", valNone},
		"is_not_set":       {"is not set", "string", valNone},
		"greater_than":     {"is greater than", "number", valNum},
		"less_than":        {"is less than", "number", valNum},
		"at_least":         {"is at least", "number", valNum},
		"at_most":          {"is at most", "number", valNum},
		"between":          {"is between", "number", valNumPair},
		"not_between":      {"not between", "number", valNumPair},
		"is_true":          {"true", "boolean", valNone},
		"is_false":         {"false", "boolean", valNone},
		"on":               {"was on", "datetime", valDate},
		"not_on":           {"was not on", "datetime", valDate},
		"before":           {"was before", "datetime", valDate},
		"since":            {"was since", "datetime", valDate},
		"in_the_last":      {"was in the", "datetime", valQuantity},
		"not_in_the_last":  {"was not in the", "datetime", valQuantity},
		"in_the_next":      {"was in the next", "datetime", valQuantity},
		"date_between":     {"was between", "datetime", valDatePair},
		"date_not_between": {"was not between", "datetime", valDatePair},
		"list_contains":    {"list_contains", "object", ""},
		"in_cohort":        {"contains", "list", ""},
		"not_in_cohort":    {"does not contain", "list", ""},
	}
})

// FilterOperators lists the operator names a Filter accepts.
var FilterOperators = []string{
	"equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with",
	"is_set", "is_not_set", "greater_than", "less_than", "at_least", "at_most",
	"between", "not_between", "is_true", "is_false", "on", "not_on", "before",
	"since", "in_the_last", "not_in_the_last", "in_the_next", "date_between",
	"date_not_between", "list_contains", "in_cohort", "not_in_cohort",
}

// ResolvedFilter is a Filter after its constructor ran: the shape every
// bookmark builder (insights, funnels, retention, flows' legacy form) reads.
type ResolvedFilter struct {
	Property     PropertyRef // "$cohorts" for cohort filters
	Method       string      // the operator name, e.g. "not_equals"
	Operator     string      // the wire word, e.g. "does not equal"
	Value        any         // string, Number, []any, cohort entries or nil
	PropertyType string      // string, number, boolean, datetime, list, object
	ResourceType string      // events or people
	DateUnit     string      // hour, day, week or month for relative dates
	Items        []ResolvedFilter
	Quantifier   string // any or all, for list_contains
}

var dateRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`) })

// parseDate checks the reference's YYYY-MM-DD rule and the calendar.
func parseDate(s string) (time.Time, bool) {
	if !dateRe().MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// Resolve runs the constructor checks of the filter's class method and
// returns its resolved form. Issues are reported against path.
func (f Filter) Resolve(path string, iss *Issues) ResolvedFilter {
	op, ok := filterOps()[f.Operator]
	if !ok {
		iss.Add("X2_UNKNOWN_OPERATOR", join(path, "operator"), "unknown filter operator %q; use one of %s", f.Operator, strings.Join(FilterOperators, ", "))
		return ResolvedFilter{}
	}
	rf := ResolvedFilter{Method: f.Operator, Operator: op.wire, PropertyType: op.propType, ResourceType: "events"}
	if f.ResourceType != "" {
		if !oneOfStrings(f.ResourceType, "events", "people") {
			iss.Add("X1_INVALID_ENUM", join(path, "resource_type"), "resource_type %q is not valid; use events or people", f.ResourceType)
		}
		rf.ResourceType = f.ResourceType
	}
	switch f.Operator {
	case "in_cohort", "not_in_cohort":
		return f.resolveCohort(path, rf, iss)
	case "list_contains":
		return f.resolveListContains(path, rf, iss)
	}
	f.rejectUnused(path, iss, "cohort", "name", "filters", "equals", "quantifier")
	if f.Property == nil {
		iss.Add("X3_FILTER_VALUE", join(path, "property"), "filter %q needs a property; set property to a property name such as \"country\"", f.Operator)
	} else {
		rf.Property = *f.Property
		if !f.Property.IsCustom() && f.Property.Name == "" {
			iss.Add("X3_FILTER_VALUE", join(path, "property"), "filter property must be a non-empty name")
		}
		f.Property.checkShape(join(path, "property"), iss)
	}
	if op.value != valQuantity && f.Unit != "" {
		iss.Add("X3_FILTER_VALUE", join(path, "unit"), "unit only applies to in_the_last, not_in_the_last and in_the_next; remove it")
	}
	vpath := join(path, "value")
	raw := f.Value
	switch op.value {
	case valNone:
		if k := jsonKind(raw); k != "" && k != "null" {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes no value; remove value", f.Operator)
		}
	case valStrList:
		switch jsonKind(raw) {
		case "string":
			var s string
			_ = json.Unmarshal(raw, &s)
			rf.Value = []any{s}
		case "array":
			var ss []string
			if err := json.Unmarshal(raw, &ss); err != nil {
				iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes a string or a list of strings; write numbers as strings such as \"42\"", f.Operator)
				break
			}
			vals := make([]any, len(ss))
			for i, s := range ss {
				vals[i] = s
			}
			rf.Value = vals
		default:
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes a string or a list of strings, e.g. \"value\": [\"US\", \"CA\"]", f.Operator)
		}
	case valStr:
		var s string
		if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes one string value, e.g. \"value\": \"abc\"", f.Operator)
			break
		}
		rf.Value = s
	case valNum:
		var n Number
		if n.UnmarshalJSON(raw) != nil {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes one number, e.g. \"value\": 100", f.Operator)
			break
		}
		rf.Value = n
	case valNumPair:
		var pair []Number
		if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes [min, max], e.g. \"value\": [10, 100]", f.Operator)
			break
		}
		rf.Value = []any{pair[0], pair[1]}
	case valDate:
		var s string
		if jsonKind(raw) != "string" || json.Unmarshal(raw, &s) != nil {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes a date string YYYY-MM-DD", f.Operator)
			break
		}
		checkFilterDate(s, vpath, iss)
		rf.Value = s
	case valDatePair:
		var pair []string
		if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes [from_date, to_date] as YYYY-MM-DD strings", f.Operator)
			break
		}
		a, okA := checkFilterDate(pair[0], join(vpath, 0), iss)
		b, okB := checkFilterDate(pair[1], join(vpath, 1), iss)
		if okA && okB && a.After(b) {
			iss.Add("X4_FILTER_DATE", vpath, "from_date must be before to_date (got '%s' > '%s'); swap the dates", pair[0], pair[1])
		}
		rf.Value = []any{pair[0], pair[1]}
	case valQuantity:
		var q Int
		if q.UnmarshalJSON(raw) != nil {
			iss.Add("X3_FILTER_VALUE", vpath, "operator %q takes a whole number of units, e.g. \"value\": 7, \"unit\": \"day\"", f.Operator)
		} else if q <= 0 {
			iss.Add("X3_FILTER_VALUE", vpath, "quantity must be a positive integer (got %d)", q)
		} else {
			rf.Value = Number(fmt.Sprint(int64(q)))
		}
		if !oneOfStrings(f.Unit, "hour", "day", "week", "month") {
			iss.Add("X1_INVALID_ENUM", join(path, "unit"), "operator %q needs unit hour, day, week or month (got %q)", f.Operator, f.Unit)
		}
		rf.DateUnit = f.Unit
	}
	return rf
}

func checkFilterDate(s, path string, iss *Issues) (time.Time, bool) {
	if !dateRe().MatchString(s) {
		iss.Add("X4_FILTER_DATE", path, "Date must be YYYY-MM-DD format (got '%s')", s)
		return time.Time{}, false
	}
	t, ok := parseDate(s)
	if !ok {
		iss.Add("X4_FILTER_DATE", path, "'%s' is not a valid calendar date", s)
	}
	return t, ok
}

func (f Filter) rejectUnused(path string, iss *Issues, fields ...string) {
	for _, name := range fields {
		set := false
		switch name {
		case "cohort":
			set = f.Cohort != nil
		case "name":
			set = f.Name != nil
		case "filters":
			set = len(f.Filters) > 0
		case "equals":
			set = f.Equals != nil
		case "quantifier":
			set = f.Quantifier != ""
		case "property":
			set = f.Property != nil
		case "value":
			k := jsonKind(f.Value)
			set = k != "" && k != "null"
		case "unit":
			set = f.Unit != ""
		}
		if set {
			iss.Add("X3_FILTER_VALUE", join(path, name), "%s does not apply to operator %q; remove it", name, f.Operator)
		}
	}
}

func (f Filter) resolveCohort(path string, rf ResolvedFilter, iss *Issues) ResolvedFilter {
	f.rejectUnused(path, iss, "property", "value", "unit", "filters", "equals", "quantifier")
	if f.ResourceType != "" && f.ResourceType != "events" {
		iss.Add("X3_FILTER_VALUE", join(path, "resource_type"), "cohort filters always apply to events; remove resource_type")
	}
	rf.ResourceType = "events"
	rf.Property = PropertyRef{Name: "$cohorts"}
	if f.Cohort == nil {
		iss.Add("CF1", join(path, "cohort"), "%s needs a cohort: a saved cohort id or an inline definition {\"all_of\": [...]}", f.Operator)
		return rf
	}
	checkCohortArgs(*f.Cohort, f.Name, path, "CF1", "CF2", iss)
	entry := map[string]any{"negated": f.Operator == "not_in_cohort", "name": deref(f.Name)}
	f.Cohort.writeTo(entry)
	rf.Value = []any{map[string]any{"cohort": entry}}
	return rf
}

func (f Filter) resolveListContains(path string, rf ResolvedFilter, iss *Issues) ResolvedFilter {
	f.rejectUnused(path, iss, "value", "unit", "cohort", "name")
	if f.Property == nil || f.Property.IsCustom() || strings.TrimSpace(f.Property.Name) == "" {
		iss.Add("X3_FILTER_VALUE", join(path, "property"), "list_contains needs the name of a list-of-objects property, e.g. \"cart\"")
	} else {
		rf.Property = *f.Property
	}
	q := f.Quantifier
	if q == "" {
		q = "any"
	}
	if !oneOfStrings(q, "any", "all") {
		iss.Add("X1_INVALID_ENUM", join(path, "quantifier"), "Filter.list_contains quantifier must be 'any' or 'all', got %q", q)
	}
	rf.Quantifier = q
	if len(f.Filters) > 0 && f.Equals != nil {
		iss.Add("X5_LIST_CONTAINS", path, "Filter.list_contains: pass either filters OR equals shorthand, not both")
	}
	for i, sub := range f.Filters {
		spath := join(join(path, "filters"), i)
		if sub.Operator == "list_contains" {
			iss.Add("X5_LIST_CONTAINS", spath, "Filter.list_contains does not support nested list_contains filters")
			continue
		}
		rf.Items = append(rf.Items, sub.Resolve(spath, iss))
	}
	if f.Equals != nil {
		for _, k := range f.Equals.Keys {
			kpath := join(join(path, "equals"), k)
			if strings.TrimSpace(k) == "" {
				iss.Add("X5_LIST_CONTAINS", kpath, "Filter.list_contains: equals keys must be non-empty property names")
				continue
			}
			kind := jsonKind(f.Equals.Values[k])
			if kind != "string" && kind != "array" {
				iss.Add("X5_LIST_CONTAINS", kpath, "Filter.list_contains equals %q: value must be a string or a list of strings; use filters for numbers", k)
				continue
			}
			name := k
			sub := Filter{Property: &PropertyRef{Name: name}, Operator: "equals", Value: f.Equals.Values[k], ResourceType: rf.ResourceType}
			rf.Items = append(rf.Items, sub.Resolve(kpath, iss))
		}
	}
	if len(f.Filters) == 0 && (f.Equals == nil || len(f.Equals.Keys) == 0) {
		iss.Add("X5_LIST_CONTAINS", path, "Filter.list_contains requires at least one inner condition; set filters or equals")
	}
	return rf
}

// Entry is the bookmark filter entry (sections.filter, behavior.filters).
func (rf ResolvedFilter) Entry() map[string]any {
	if rf.Method == "list_contains" {
		inner := make([]any, len(rf.Items))
		for i, it := range rf.Items {
			e := it.Entry()
			if _, ok := e["dataset"]; !ok {
				e["dataset"] = "$mixpanel"
			}
			inner[i] = e
		}
		return map[string]any{
			"dataset":         "$mixpanel",
			"value":           rf.Property.Name,
			"resourceType":    rf.ResourceType,
			"filterType":      "object",
			"defaultType":     "object",
			"filterJoinType":  "list",
			"listQuantifier":  rf.Quantifier,
			"listItemFilters": inner,
			"filterOperator":  "true",
			"filterValue":     true,
		}
	}
	e := propertyEntry(rf)
	e["filterValue"] = rf.Value
	if rf.DateUnit != "" {
		e["filterDateUnit"] = rf.DateUnit
	}
	return e
}

// propertyEntry is the part of a filter entry that names the property and
// the operator, shared by bookmark filters and cohort event selectors: a
// saved or inline custom property replaces the plain name and its types.
func propertyEntry(rf ResolvedFilter) map[string]any {
	e := map[string]any{
		"resourceType":   rf.ResourceType,
		"filterType":     rf.PropertyType,
		"defaultType":    rf.PropertyType,
		"filterOperator": rf.Operator,
	}
	switch p := rf.Property; {
	case p.Ref != nil:
		e["customPropertyId"] = int64(p.Ref.ID)
		e["dataset"] = "$mixpanel"
	case p.Inline != nil:
		typ := p.Inline.propertyType()
		if typ == "" {
			typ = rf.PropertyType
		}
		e["customProperty"] = p.Inline.customPropertyBody(typ)
		e["filterType"] = typ
		e["defaultType"] = typ
		e["dataset"] = "$mixpanel"
		e["resourceType"] = p.Inline.resourceType()
	default:
		e["value"] = p.Name
	}
	return e
}

// filterSchemaShape is Filter as the model sees it: one plain field per
// key, whatever its Go representation.
type filterSchemaShape struct {
	Property     PropertyRef    `json:"property,omitempty"`
	Operator     string         `json:"operator" jsonschema:"enum=equals,enum=not_equals,enum=contains,enum=not_contains,enum=starts_with,enum=ends_with,enum=is_set,enum=is_not_set,enum=greater_than,enum=less_than,enum=at_least,enum=at_most,enum=between,enum=not_between,enum=is_true,enum=is_false,enum=on,enum=not_on,enum=before,enum=since,enum=in_the_last,enum=not_in_the_last,enum=in_the_next,enum=date_between,enum=date_not_between,enum=list_contains,enum=in_cohort,enum=not_in_cohort"`
	Value        any            `json:"value,omitempty" jsonschema:"description=equals/not_equals: string or list; between: [min\\,max]; dates: YYYY-MM-DD; date_between: [from\\,to]; in_the_last etc.: a count of unit"`
	Unit         string         `json:"unit,omitempty" jsonschema:"enum=hour,enum=day,enum=week,enum=month"`
	ResourceType string         `json:"resource_type,omitempty" jsonschema:"enum=events,enum=people,default=events"`
	Cohort       CohortRef      `json:"cohort,omitempty"`
	Name         string         `json:"name,omitempty" jsonschema:"description=Cohort label"`
	Filters      []any          `json:"filters,omitempty"`
	Equals       map[string]any `json:"equals,omitempty" jsonschema:"description=list_contains shorthand: sub-property to string or list"`
	Quantifier   string         `json:"quantifier,omitempty" jsonschema:"enum=any,enum=all,default=any"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
