package query

import (
	"encoding/json"
	"fmt"
)

// FilterList is one Filter or a list of them.
type FilterList []Filter

// UnmarshalJSON accepts one filter or a list.
func (l *FilterList) UnmarshalJSON(b []byte) error {
	out, err := decodeList[Filter](b, "filters")
	if err != nil {
		return err
	}
	*l = out
	return nil
}

// resolveAll resolves every filter; a nil result means an issue.
func (l FilterList) resolveAll(path string, iss *Issues) []ResolvedFilter {
	out := make([]ResolvedFilter, len(l))
	for i, f := range l {
		out[i] = f.Resolve(join(path, i), iss)
	}
	return out
}

// EventItem is one entry of an insights query's events: an event name, a
// Metric, a CohortMetric or a Formula.
type EventItem struct {
	Name    string
	Metric  *Metric
	Cohort  *CohortMetric
	Formula *Formula
}

// UnmarshalJSON picks the form: a string is an event name; an object with
// "event" is a Metric, with "cohort" a CohortMetric, with "expression" a
// Formula.
func (e *EventItem) UnmarshalJSON(b []byte) error {
	*e = EventItem{}
	switch jsonKind(b) {
	case "string":
		return json.Unmarshal(b, &e.Name)
	case "object":
		keys := keySet(b)
		switch {
		case keys["event"]:
			var m Metric
			if err := decodeStrict(b, &m); err != nil {
				return fmt.Errorf("metric: %w", err)
			}
			e.Metric = &m
		case keys["cohort"]:
			var c CohortMetric
			if err := decodeStrict(b, &c); err != nil {
				return fmt.Errorf("cohort metric: %w", err)
			}
			e.Cohort = &c
		case keys["expression"]:
			var f Formula
			if err := decodeStrict(b, &f); err != nil {
				return fmt.Errorf("formula: %w", err)
			}
			e.Formula = &f
		default:
			return fmt.Errorf("event object needs \"event\" (Metric), \"cohort\" (CohortMetric) or \"expression\" (Formula)")
		}
		return nil
	}
	return fmt.Errorf("event must be an event name or an object, got %s", jsonKind(b))
}

// MarshalJSON writes the item's form.
func (e EventItem) MarshalJSON() ([]byte, error) {
	switch {
	case e.Metric != nil:
		return json.Marshal(e.Metric)
	case e.Cohort != nil:
		return json.Marshal(e.Cohort)
	case e.Formula != nil:
		return json.Marshal(e.Formula)
	}
	return json.Marshal(e.Name)
}

// EventList is one event item or a list of them.
type EventList []EventItem

// UnmarshalJSON accepts one item or a list.
func (l *EventList) UnmarshalJSON(b []byte) error {
	out, err := decodeList[EventItem](b, "events")
	if err != nil {
		return err
	}
	*l = out
	return nil
}

// GroupItem is one breakdown: a property name, a GroupBy, a
// CohortBreakdown or a FrequencyBreakdown.
type GroupItem struct {
	Name      string
	GroupBy   *GroupBy
	Cohort    *CohortBreakdown
	Frequency *FrequencyBreakdown
}

// UnmarshalJSON picks the form: "property" is a GroupBy, "cohort" a
// CohortBreakdown, "event" a FrequencyBreakdown.
func (g *GroupItem) UnmarshalJSON(b []byte) error {
	*g = GroupItem{}
	switch jsonKind(b) {
	case "string":
		return json.Unmarshal(b, &g.Name)
	case "object":
		keys := keySet(b)
		switch {
		case keys["property"]:
			var v GroupBy
			if err := decodeStrict(b, &v); err != nil {
				return fmt.Errorf("group_by: %w", err)
			}
			g.GroupBy = &v
		case keys["cohort"]:
			var v CohortBreakdown
			if err := decodeStrict(b, &v); err != nil {
				return fmt.Errorf("cohort breakdown: %w", err)
			}
			g.Cohort = &v
		case keys["event"]:
			var v FrequencyBreakdown
			if err := decodeStrict(b, &v); err != nil {
				return fmt.Errorf("frequency breakdown: %w", err)
			}
			g.Frequency = &v
		default:
			return fmt.Errorf("breakdown object needs \"property\" (GroupBy), \"cohort\" (CohortBreakdown) or \"event\" (FrequencyBreakdown)")
		}
		return nil
	}
	return fmt.Errorf("breakdown must be a property name or an object, got %s", jsonKind(b))
}

// MarshalJSON writes the item's form.
func (g GroupItem) MarshalJSON() ([]byte, error) {
	switch {
	case g.GroupBy != nil:
		return json.Marshal(g.GroupBy)
	case g.Cohort != nil:
		return json.Marshal(g.Cohort)
	case g.Frequency != nil:
		return json.Marshal(g.Frequency)
	}
	return json.Marshal(g.Name)
}

// GroupList is one breakdown or a list of them.
type GroupList []GroupItem

// UnmarshalJSON accepts one item or a list.
func (l *GroupList) UnmarshalJSON(b []byte) error {
	out, err := decodeList[GroupItem](b, "group_by")
	if err != nil {
		return err
	}
	*l = out
	return nil
}

// WhereItem is one global filter: a Filter or a FrequencyFilter.
type WhereItem struct {
	Filter    *Filter
	Frequency *FrequencyFilter
}

// UnmarshalJSON picks the form: an object with "event" is a
// FrequencyFilter, otherwise a Filter.
func (w *WhereItem) UnmarshalJSON(b []byte) error {
	*w = WhereItem{}
	if jsonKind(b) != "object" {
		return fmt.Errorf("filter must be an object such as {\"property\": \"country\", \"operator\": \"equals\", \"value\": \"US\"}, got %s", jsonKind(b))
	}
	if keySet(b)["event"] {
		var v FrequencyFilter
		if err := decodeStrict(b, &v); err != nil {
			return fmt.Errorf("frequency filter: %w", err)
		}
		w.Frequency = &v
		return nil
	}
	var f Filter
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	w.Filter = &f
	return nil
}

// MarshalJSON writes the item's form.
func (w WhereItem) MarshalJSON() ([]byte, error) {
	if w.Frequency != nil {
		return json.Marshal(w.Frequency)
	}
	return json.Marshal(w.Filter)
}

// WhereList is one global filter or a list of them (all must match).
type WhereList []WhereItem

// UnmarshalJSON accepts one item or a list.
func (l *WhereList) UnmarshalJSON(b []byte) error {
	out, err := decodeList[WhereItem](b, "where")
	if err != nil {
		return err
	}
	*l = out
	return nil
}

// decodeList decodes one item or a list of them; an item's error is
// prefixed with name and its index, e.g. "where[2]: ...".
func decodeList[T any, P interface {
	*T
	UnmarshalJSON([]byte) error
}](b []byte, name string) ([]T, error) {
	items, err := splitList(b)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		if err := P(&out[i]).UnmarshalJSON(it); err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", name, i, err)
		}
	}
	return out, nil
}

// nameOrObjects decodes one item or a list whose items are either a bare
// name (stored through name) or a strict object of type T. what and shape
// word the errors: "[1]: a flow step is an event name or {...}, got number".
func nameOrObjects[T any](b []byte, name func(*T) *string, what, shape string) ([]T, error) {
	items, err := splitList(b)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		switch jsonKind(it) {
		case "string":
			if err := json.Unmarshal(it, name(&out[i])); err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
		case "object":
			if err := decodeStrict(it, &out[i]); err != nil {
				return nil, fmt.Errorf("[%d]: %s: %w", i, what, err)
			}
		default:
			return nil, fmt.Errorf("[%d]: a %s is %s, got %s", i, what, shape, jsonKind(it))
		}
	}
	return out, nil
}
