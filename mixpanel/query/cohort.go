package query

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// CohortRef is a saved cohort id or an inline CohortDefinition, the
// reference's int | CohortDefinition.
type CohortRef struct {
	ID         Int
	Definition *CohortDefinition
}

// UnmarshalJSON accepts an id (number or numeric string) or a definition.
func (c *CohortRef) UnmarshalJSON(b []byte) error {
	*c = CohortRef{}
	if jsonKind(b) == "object" {
		var d CohortDefinition
		if err := d.UnmarshalJSON(b); err != nil {
			return err
		}
		c.Definition = &d
		return nil
	}
	if err := c.ID.UnmarshalJSON(b); err != nil {
		return fmt.Errorf("cohort must be a saved cohort id or a definition {\"all_of\": [...]}: %w", err)
	}
	return nil
}

// MarshalJSON writes the form it was read from.
func (c CohortRef) MarshalJSON() ([]byte, error) {
	if c.Definition != nil {
		return json.Marshal(c.Definition)
	}
	return json.Marshal(int64(c.ID))
}

// checkCohortArgs is the reference's _validate_cohort_args, shared by
// Filter.in_cohort (CF1/CF2), CohortBreakdown (CB1/CB2) and CohortMetric
// (CM1/CM2); the definition's own checks run too.
func checkCohortArgs(c CohortRef, name *string, path, idCode, nameCode string, iss *Issues) {
	if c.Definition == nil && c.ID <= 0 {
		iss.AddNeeding(NeedCohortID, idCode, join(path, "cohort"), "cohort must be a positive integer (got %d); use a saved cohort's id or an inline definition", c.ID)
	}
	if name != nil && strings.TrimSpace(*name) == "" {
		iss.Add(nameCode, join(path, "name"), "cohort name must be non-empty when provided; remove name or set a label")
	}
	if c.Definition != nil {
		c.Definition.check(join(path, "cohort"), iss)
	}
}

// writeTo sets "id" or "raw_cohort" on a cohort entry.
func (c CohortRef) writeTo(entry map[string]any) {
	if c.Definition != nil {
		entry["raw_cohort"] = c.Definition.RawCohort()
		return
	}
	entry["id"] = int64(c.ID)
}

// CohortDefinition combines criteria with AND (all_of) or OR (any_of);
// items may be criteria or nested definitions.
type CohortDefinition struct {
	AllOf []CohortItem `json:"all_of,omitempty"`
	AnyOf []CohortItem `json:"any_of,omitempty"`
}

// UnmarshalJSON decodes strictly.
func (d *CohortDefinition) UnmarshalJSON(b []byte) error {
	type plain CohortDefinition
	var p plain
	if err := decodeStrict(b, &p); err != nil {
		return fmt.Errorf("cohort definition: %w", err)
	}
	*d = CohortDefinition(p)
	return nil
}

// CohortItem is one member of a definition: a criterion or a nested
// definition.
type CohortItem struct {
	Criteria   *CohortCriteria
	Definition *CohortDefinition
}

// UnmarshalJSON picks the form by its keys: all_of/any_of is a definition.
func (it *CohortItem) UnmarshalJSON(b []byte) error {
	*it = CohortItem{}
	if jsonKind(b) != "object" {
		return fmt.Errorf("cohort item must be an object, got %s", jsonKind(b))
	}
	if keys := keySet(b); keys["all_of"] || keys["any_of"] {
		var d CohortDefinition
		if err := d.UnmarshalJSON(b); err != nil {
			return err
		}
		it.Definition = &d
		return nil
	}
	var c CohortCriteria
	if err := decodeStrict(b, &c); err != nil {
		return fmt.Errorf("cohort criterion: %w", err)
	}
	it.Criteria = &c
	return nil
}

// MarshalJSON writes the item's form.
func (it CohortItem) MarshalJSON() ([]byte, error) {
	if it.Definition != nil {
		return json.Marshal(it.Definition)
	}
	return json.Marshal(it.Criteria)
}

// CohortCriteria is one condition of cohort membership, the reference's
// CohortCriteria built by one of its class methods named in Criterion.
type CohortCriteria struct {
	Criterion           string          `json:"criterion" jsonschema:"enum=did_event,enum=did_not_do_event,enum=has_property,enum=property_is_set,enum=property_is_not_set,enum=in_cohort,enum=not_in_cohort"`
	Event               string          `json:"event,omitempty" jsonschema:"description=did_event/did_not_do_event: event name"`
	AtLeast             *Int            `json:"at_least,omitempty"`
	AtMost              *Int            `json:"at_most,omitempty"`
	Exactly             *Int            `json:"exactly,omitempty"`
	WithinDays          *Int            `json:"within_days,omitempty"`
	WithinWeeks         *Int            `json:"within_weeks,omitempty"`
	WithinMonths        *Int            `json:"within_months,omitempty"`
	FromDate            *string         `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD\\, with to_date instead of within_*"`
	ToDate              *string         `json:"to_date,omitempty"`
	Where               FilterList      `json:"where,omitempty" jsonschema:"description=Event property filters"`
	Aggregation         *string         `json:"aggregation,omitempty" jsonschema:"enum=total,enum=unique,enum=average,enum=min,enum=max,enum=median"`
	AggregationProperty *string         `json:"aggregation_property,omitempty"`
	Property            string          `json:"property,omitempty" jsonschema:"description=has_property/property_is_set: user property"`
	Value               json.RawMessage `json:"value,omitempty"`
	Operator            string          `json:"operator,omitempty" jsonschema:"enum=equals,enum=not_equals,enum=contains,enum=not_contains,enum=greater_than,enum=less_than,enum=is_set,enum=is_not_set,default=equals"`
	PropertyType        string          `json:"property_type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,enum=list,default=string"`
	CohortID            *Int            `json:"cohort_id,omitempty" jsonschema:"description=in_cohort/not_in_cohort: saved cohort id"`
}

var propertyOperatorMap = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"equals": "==", "not_equals": "!=", "contains": "in", "not_contains": "not in",
		"greater_than": ">", "less_than": "<", "is_set": "defined", "is_not_set": "not defined",
	}
})

var selectorFilterOps = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"equals": true, "does not equal": true, "contains": true, "does not contain": true,
		"is greater than": true, "is less than": true, "is set": true, "is not set": true, "is between": true,
	}
})

// criterionNode is a criterion's selector leaf and, for event criteria,
// its behavior entry.
type criterionNode struct {
	node     map[string]any
	behavior map[string]any
}

// criterionFields names the fields each kind of criterion takes; others
// are reported rather than silently ignored.
var criterionFields = sync.OnceValue(func() map[string][]string {
	return map[string][]string{
		"did_event":           {"event", "at_least", "at_most", "exactly", "within_days", "within_weeks", "within_months", "from_date", "to_date", "where", "aggregation", "aggregation_property"},
		"did_not_do_event":    {"event", "within_days", "within_weeks", "within_months", "from_date", "to_date"},
		"has_property":        {"property", "value", "operator", "property_type"},
		"property_is_set":     {"property"},
		"property_is_not_set": {"property"},
		"in_cohort":           {"cohort_id"},
		"not_in_cohort":       {"cohort_id"},
	}
})

// setFields lists the criterion's fields that were given.
func (c *CohortCriteria) setFields() []string {
	var out []string
	add := func(name string, set bool) {
		if set {
			out = append(out, name)
		}
	}
	add("event", c.Event != "")
	add("at_least", c.AtLeast != nil)
	add("at_most", c.AtMost != nil)
	add("exactly", c.Exactly != nil)
	add("within_days", c.WithinDays != nil)
	add("within_weeks", c.WithinWeeks != nil)
	add("within_months", c.WithinMonths != nil)
	add("from_date", c.FromDate != nil)
	add("to_date", c.ToDate != nil)
	add("where", c.Where != nil)
	add("aggregation", c.Aggregation != nil)
	add("aggregation_property", c.AggregationProperty != nil)
	add("property", c.Property != "")
	add("value", jsonKind(c.Value) != "" && jsonKind(c.Value) != "null")
	add("operator", c.Operator != "")
	add("property_type", c.PropertyType != "")
	add("cohort_id", c.CohortID != nil)
	return out
}

func (c *CohortCriteria) build(path string, iss *Issues) criterionNode {
	if allowed, ok := criterionFields()[c.Criterion]; ok {
		for _, f := range c.setFields() {
			if !oneOfStrings(f, allowed...) {
				iss.Add("X3_FILTER_VALUE", join(path, f), "%s does not apply to criterion %q; remove it (it takes %s)", f, c.Criterion, strings.Join(allowed, ", "))
			}
		}
	}
	switch c.Criterion {
	case "did_event", "did_not_do_event":
		return c.buildEvent(path, iss)
	case "has_property", "property_is_set", "property_is_not_set":
		return c.buildProperty(path, iss)
	case "in_cohort", "not_in_cohort":
		if c.CohortID == nil || *c.CohortID <= 0 {
			iss.AddNeeding(NeedCohortID, "CD8", join(path, "cohort_id"), "cohort_id must be a positive integer; use a saved cohort's id")
		}
		op := "in"
		if c.Criterion == "not_in_cohort" {
			op = "not in"
		}
		var id int64
		if c.CohortID != nil {
			id = int64(*c.CohortID)
		}
		return criterionNode{node: map[string]any{"property": "cohort", "value": id, "operator": op}}
	}
	iss.Add("X2_UNKNOWN_OPERATOR", join(path, "criterion"), "unknown criterion %q; use one of did_event, did_not_do_event, has_property, property_is_set, property_is_not_set, in_cohort, not_in_cohort", c.Criterion)
	return criterionNode{node: map[string]any{}}
}

func (c *CohortCriteria) buildEvent(path string, iss *Issues) criterionNode {
	if strings.TrimSpace(c.Event) == "" {
		iss.Add("CD4", join(path, "event"), "event name must be non-empty; set event to the event users performed")
	}
	if (c.Aggregation == nil) != (c.AggregationProperty == nil) {
		code := "CA1"
		if c.Aggregation == nil {
			code = "CA2"
		}
		iss.Add(code, path, "aggregation and aggregation_property must both be set or both be omitted, e.g. \"aggregation\": \"total\", \"aggregation_property\": \"amount\"")
	}
	if c.AggregationProperty != nil && strings.TrimSpace(*c.AggregationProperty) == "" {
		iss.Add("CA2", join(path, "aggregation_property"), "aggregation_property must be a non-empty property name")
	}
	if c.Aggregation != nil && !oneOfStrings(*c.Aggregation, "total", "unique", "average", "min", "max", "median") {
		iss.Add("CA1", join(path, "aggregation"), "aggregation %q is not valid; use one of total, unique, average, min, max, median", *c.Aggregation)
	}
	freqOp, freq := "", int64(0)
	n := 0
	if c.Criterion == "did_not_do_event" {
		freqOp, n = "==", 1
	} else {
		for _, f := range []struct {
			v  *Int
			op string
		}{{c.AtLeast, ">="}, {c.AtMost, "<="}, {c.Exactly, "=="}} {
			if f.v != nil {
				n++
				freqOp, freq = f.op, int64(*f.v)
			}
		}
	}
	if n != 1 {
		iss.Add("CD1", path, "exactly one of at_least, at_most, exactly must be set, e.g. \"at_least\": 1")
	} else if freq < 0 {
		iss.Add("CD2", path, "frequency value must be >= 0")
	}
	count := map[string]any{"event_selector": map[string]any{"event": c.Event, "selector": nil}, "type": "absolute"}
	if len(c.Where) > 0 {
		children := make([]any, 0, len(c.Where))
		for i, f := range c.Where {
			fpath := join(join(path, "where"), i)
			rf := f.Resolve(fpath, iss)
			if rf.Operator == "" {
				continue
			}
			if !selectorFilterOps()[rf.Operator] || rf.Method == "in_cohort" || rf.Method == "not_in_cohort" {
				iss.Add("X6_COHORT_WHERE", fpath, "unsupported filter operator for cohort selector: %q; use equals, not_equals, contains, not_contains, greater_than, less_than, is_set, is_not_set or between", f.Operator)
				continue
			}
			children = append(children, selectorNode(rf))
		}
		count["event_selector"].(map[string]any)["selector"] = map[string]any{"operator": "and", "children": children}
	}
	if c.Aggregation != nil && c.AggregationProperty != nil {
		count["aggregationOperator"] = *c.Aggregation
		count["property"] = *c.AggregationProperty
	}
	behavior := map[string]any{"count": count}
	rolling := 0
	var unit string
	var win Int
	for _, w := range []struct {
		v    *Int
		unit string
	}{{c.WithinDays, "day"}, {c.WithinWeeks, "week"}, {c.WithinMonths, "month"}} {
		if w.v != nil {
			rolling++
			unit, win = w.unit, *w.v
		}
	}
	hasDates := c.FromDate != nil || c.ToDate != nil
	switch {
	case rolling == 0 && !hasDates, rolling > 0 && hasDates, rolling > 1:
		iss.Add("CD3", path, "exactly one time constraint required (within_days/weeks/months or from_date+to_date)")
	case rolling == 1:
		if win <= 0 {
			iss.Add("CD3", path, "time window value must be positive")
		}
		behavior["window"] = map[string]any{"unit": unit, "value": int64(win)}
	default:
		if c.FromDate == nil || c.ToDate == nil {
			iss.Add("CD5", path, "from_date and to_date must be given together")
			break
		}
		a, okA := parseDate(*c.FromDate)
		b, okB := parseDate(*c.ToDate)
		if !okA || !okB {
			iss.Add("CD6", path, "dates must be valid YYYY-MM-DD calendar dates (got %q, %q)", *c.FromDate, *c.ToDate)
		} else if a.After(b) {
			iss.Add("CD6", path, "from_date must be before or equal to to_date")
		}
		behavior["from_date"] = *c.FromDate
		behavior["to_date"] = *c.ToDate
	}
	node := map[string]any{"property": "behaviors", "value": "bhvr_0", "operator": freqOp, "operand": freq}
	return criterionNode{node: node, behavior: behavior}
}

// selectorNode is a filter written into a behavior's event selector.
func selectorNode(rf ResolvedFilter) map[string]any {
	node := propertyEntry(rf)
	if rf.Value != nil {
		node["filterValue"] = rf.Value
	}
	return node
}

func (c *CohortCriteria) buildProperty(path string, iss *Issues) criterionNode {
	if strings.TrimSpace(c.Property) == "" {
		iss.Add("CD7", join(path, "property"), "property name must be non-empty; set property to a user property such as \"plan\"")
	}
	op := c.Operator
	switch c.Criterion {
	case "property_is_set":
		op = "is_set"
	case "property_is_not_set":
		op = "is_not_set"
	}
	if op == "" {
		op = "equals"
	}
	sel, ok := propertyOperatorMap()[op]
	if !ok {
		iss.Add("X1_INVALID_ENUM", join(path, "operator"), "operator %q is not valid; use one of equals, not_equals, contains, not_contains, greater_than, less_than, is_set, is_not_set", op)
	}
	typ := c.PropertyType
	if typ == "" {
		typ = "string"
	}
	if !oneOfStrings(typ, "string", "number", "boolean", "datetime", "list") {
		iss.Add("X1_INVALID_ENUM", join(path, "property_type"), "property_type %q is not valid; use one of string, number, boolean, datetime, list", typ)
	}
	var operand any = ""
	if k := jsonKind(c.Value); k != "" && k != "null" && c.Criterion == "has_property" {
		v, err := decodeAny(c.Value)
		if err != nil || k == "object" {
			iss.Add("X3_FILTER_VALUE", join(path, "value"), "value must be a string, number, boolean or list of strings")
		} else {
			operand = v
		}
	} else if c.Criterion == "has_property" && op != "is_set" && op != "is_not_set" {
		iss.Add("X3_FILTER_VALUE", join(path, "value"), "has_property needs a value to compare with")
	}
	return criterionNode{node: map[string]any{"property": "user", "value": c.Property, "operator": sel, "operand": operand, "type": typ}}
}

// check runs every constructor rule of the definition and its criteria.
func (d *CohortDefinition) check(path string, iss *Issues) {
	d.toDict(path, iss)
}

func (d *CohortDefinition) items(path string, iss *Issues) (string, []CohortItem, string) {
	switch {
	case len(d.AllOf) > 0 && len(d.AnyOf) > 0:
		iss.Add("CD9", path, "a definition is either all_of or any_of; nest one inside the other to combine them")
		return "and", d.AllOf, "all_of"
	case len(d.AllOf) > 0:
		return "and", d.AllOf, "all_of"
	case len(d.AnyOf) > 0:
		return "or", d.AnyOf, "any_of"
	}
	iss.Add("CD9", path, "CohortDefinition requires at least one criterion in all_of or any_of")
	return "and", nil, "all_of"
}

func (d *CohortDefinition) toDict(path string, iss *Issues) map[string]any {
	behaviors := map[string]any{}
	counter := 0
	var walk func(def *CohortDefinition, path string) map[string]any
	walk = func(def *CohortDefinition, path string) map[string]any {
		op, items, key := def.items(path, iss)
		children := make([]any, 0, len(items))
		for i, it := range items {
			ipath := join(join(path, key), i)
			switch {
			case it.Definition != nil:
				children = append(children, walk(it.Definition, ipath))
			case it.Criteria != nil:
				cn := it.Criteria.build(ipath, iss)
				if cn.behavior != nil {
					k := fmt.Sprintf("bhvr_%d", counter)
					counter++
					behaviors[k] = cn.behavior
					cn.node["value"] = k
				}
				children = append(children, cn.node)
			}
		}
		return map[string]any{"operator": op, "children": children}
	}
	sel := walk(d, path)
	return map[string]any{"selector": sel, "behaviors": behaviors}
}

// ToDict is the cohort definition JSON ({"selector", "behaviors"}) with
// behavior keys numbered bhvr_0, bhvr_1, ... over the whole tree, as the
// reference's to_dict writes it for create_cohort.
func (d CohortDefinition) ToDict() (map[string]any, error) {
	var iss Issues
	out := d.toDict("", &iss)
	if err := iss.Err(StageConstruct); err != nil {
		return nil, err
	}
	return out, nil
}

// RawCohort is the definition as queries embed it ("raw_cohort"): event
// selectors without filters lose their null "selector" key, which the
// server cannot traverse.
func (d CohortDefinition) RawCohort() map[string]any {
	var iss Issues
	out := d.toDict("", &iss)
	for _, b := range out["behaviors"].(map[string]any) {
		es := b.(map[string]any)["count"].(map[string]any)["event_selector"].(map[string]any)
		if es["selector"] == nil {
			delete(es, "selector")
		}
	}
	return out
}
