package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FunnelQuery is the reference's Workspace.query_funnel: ordered steps a
// user must complete within a conversion window.
type FunnelQuery struct {
	Steps                FunnelStepList      `json:"steps"`
	ConversionWindow     *Number             `json:"conversion_window,omitempty" jsonschema:"default=14,description=Time from the first step to the last in conversion_window_unit"`
	ConversionWindowUnit string              `json:"conversion_window_unit,omitempty" jsonschema:"enum=second,enum=minute,enum=hour,enum=day,enum=week,enum=month,enum=session,default=day"`
	Order                string              `json:"order,omitempty" jsonschema:"enum=loose,enum=any,default=loose,description=loose: steps in order with other events between; any: any order"`
	Math                 string              `json:"math,omitempty" jsonschema:"enum=conversion_rate_unique,enum=conversion_rate_total,enum=conversion_rate_session,enum=unique,enum=total,enum=average,enum=median,enum=min,enum=max,enum=p25,enum=p75,enum=p90,enum=p99,enum=histogram,default=conversion_rate_unique"`
	MathProperty         *string             `json:"math_property,omitempty" jsonschema:"description=Numeric property for the property math (optional for total: sums it)"`
	FromDate             *string             `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD; to_date defaults to today"`
	ToDate               *string             `json:"to_date,omitempty" jsonschema:"description=YYYY-MM-DD; needs from_date"`
	Last                 *Int                `json:"last,omitempty" jsonschema:"default=30,description=Days back when no dates are given"`
	Unit                 string              `json:"unit,omitempty" jsonschema:"enum=hour,enum=day,enum=week,enum=month,enum=quarter,default=day,description=Time bucket for trends"`
	GroupBy              GroupList           `json:"group_by,omitempty"`
	Where                WhereList           `json:"where,omitempty"`
	Exclusions           ExclusionList       `json:"exclusions,omitempty"`
	HoldingConstant      HoldingConstantList `json:"holding_constant,omitempty"`
	Mode                 string              `json:"mode,omitempty" jsonschema:"enum=steps,enum=trends,enum=table,default=steps,description=steps: conversion per step; trends: conversion over time"`
	ReentryMode          *string             `json:"reentry_mode,omitempty" jsonschema:"enum=default,enum=basic,enum=aggressive,enum=optimized,description=How users re-enter the funnel after converting"`
	TimeComparison       *TimeComparison     `json:"time_comparison,omitempty"`
	DataGroupID          *Int                `json:"data_group_id,omitempty" jsonschema:"description=Group analytics data group"`
}

// FunnelStep is one step: an event with an optional label, filters and
// order override. A bare event name is the same as {"event": name}.
type FunnelStep struct {
	Event             string      `json:"event"`
	Label             *string     `json:"label,omitempty" jsonschema:"description=Display name"`
	Filters           StepFilters `json:"filters,omitempty"`
	FiltersCombinator string      `json:"filters_combinator,omitempty" jsonschema:"enum=all,enum=any,default=all"`
	Order             *string     `json:"order,omitempty" jsonschema:"enum=loose,enum=any,description=Overrides the funnel's order"`
}

// Exclusion drops users who did an event between two steps (0-based,
// inclusive); without to_step it runs to the last step.
type Exclusion struct {
	Event    string `json:"event"`
	FromStep *Int   `json:"from_step,omitempty" jsonschema:"description=0-based first step of the range"`
	ToStep   *Int   `json:"to_step,omitempty" jsonschema:"description=0-based last step; default the last"`
}

// HoldingConstant counts a conversion only when a property keeps one value
// across all steps.
type HoldingConstant struct {
	Property     string `json:"property"`
	ResourceType string `json:"resource_type,omitempty" jsonschema:"enum=events,enum=people,default=events"`
}

// Defaults of the reference's query_funnel.
const (
	DefaultConversionWindow = 14
	maxFunnelSteps          = 100
	maxHoldingConstant      = 3
)

// funnelWindowMax is the largest conversion window per unit (about 366
// days in each unit), the reference's MAX_CONVERSION_WINDOW.
var funnelWindowMax = sync.OnceValue(func() map[string]int64 {
	return map[string]int64{
		"month": 12, "session": 12, "week": 52, "day": 367, "hour": 8808, "minute": 528480, "second": 31708800,
	}
})

var funnelWindowUnits = []string{"day", "hour", "minute", "month", "second", "session", "week"}
var funnelReentryModes = []string{"aggressive", "basic", "default", "optimized"}

// FunnelStepList is one step or a list; each is an event name or a
// FunnelStep object.
type FunnelStepList []FunnelStep

// UnmarshalJSON accepts one item or a list of names and objects.
func (l *FunnelStepList) UnmarshalJSON(b []byte) error {
	out, err := nameOrObjects(b, func(x *FunnelStep) *string { return &x.Event }, "funnel step", `an event name or {"event": ...}`)
	*l = out
	return err
}

// StepFilters are the filters of one step or event: a list of filters (a
// single filter is accepted too) whose schema lists the Filter shape once.
type StepFilters []Filter

// UnmarshalJSON accepts one filter or a list.
func (s *StepFilters) UnmarshalJSON(b []byte) error {
	var l FilterList
	if err := l.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = StepFilters(l)
	return nil
}

// ExclusionList is one exclusion or a list; a bare event name excludes it
// across the whole funnel.
type ExclusionList []Exclusion

// UnmarshalJSON accepts one item or a list of names and objects.
func (l *ExclusionList) UnmarshalJSON(b []byte) error {
	out, err := nameOrObjects(b, func(x *Exclusion) *string { return &x.Event }, "exclusion", `an event name or {"event": ..., "from_step": ..., "to_step": ...}`)
	*l = out
	return err
}

// HoldingConstantList is one property or a list (at most 3).
type HoldingConstantList []HoldingConstant

// UnmarshalJSON accepts one item or a list of names and objects.
func (l *HoldingConstantList) UnmarshalJSON(b []byte) error {
	out, err := nameOrObjects(b, func(x *HoldingConstant) *string { return &x.Property }, "holding_constant", `a property name or {"property": ..., "resource_type": ...}`)
	*l = out
	return err
}

func (q *FunnelQuery) window() (int64, bool) {
	if q.ConversionWindow == nil {
		return DefaultConversionWindow, true
	}
	return numberInt(*q.ConversionWindow)
}

func (q *FunnelQuery) windowUnit() string { return orDefault(q.ConversionWindowUnit, "day") }
func (q *FunnelQuery) order() string      { return orDefault(q.Order, "loose") }
func (q *FunnelQuery) math() string       { return orDefault(q.Math, "conversion_rate_unique") }
func (q *FunnelQuery) unit() string       { return orDefault(q.Unit, "day") }
func (q *FunnelQuery) mode() string       { return orDefault(q.Mode, "steps") }

// Validate runs the constructor and argument stages and returns a
// *ValidationError listing every issue of the first stage that failed.
func (q *FunnelQuery) Validate() error {
	if err := q.checkConstruct(); err != nil {
		return err
	}
	return q.checkArgs()
}

// checkConstruct is what the reference's constructors check: FunnelStep
// (FS1), Exclusion (EX1-EX3) and HoldingConstant (HC1), including the ones
// it builds from bare strings, plus the shared filter, breakdown and time
// comparison constructors.
func (q *FunnelQuery) checkConstruct() error {
	var iss Issues
	for i, s := range q.Steps {
		p := join("steps", i)
		checkFilteredEvent("FunnelStep", "FS1", p, s.Event, s.FiltersCombinator, FilterList(s.Filters), &iss)
		if s.Order != nil && !oneOfStrings(*s.Order, "loose", "any") {
			iss.Add("X1_INVALID_ENUM", join(p, "order"), "order %q is not valid; use loose or any", *s.Order)
		}
	}
	for i, e := range q.Exclusions {
		p := join("exclusions", i)
		checkEventName("Exclusion", "EX1", e.Event, join(p, "event"), &iss)
		from := e.fromStep()
		if from < 0 {
			iss.Add("EX2", join(p, "from_step"), "Exclusion.from_step must be >= 0, got %d; steps are 0-based", from)
		}
		if e.ToStep != nil && int64(*e.ToStep) < from {
			iss.Add("EX3", join(p, "to_step"), "Exclusion.to_step (%d) must be >= from_step (%d); swap them, or omit to_step for the last step", *e.ToStep, from)
		}
	}
	for i, h := range q.HoldingConstant {
		p := join("holding_constant", i)
		if strings.TrimSpace(h.Property) == "" {
			iss.Add("HC1", join(p, "property"), "HoldingConstant.property must be a non-empty string; name a property such as \"platform\"")
		}
		if !oneOfStrings(orDefault(h.ResourceType, "events"), "events", "people") {
			iss.Add("X1_INVALID_ENUM", join(p, "resource_type"), "resource_type %q is not valid; use events or people", h.ResourceType)
		}
	}
	checkSharedConstructors(q.GroupBy, q.Where, q.TimeComparison, &iss)
	if !oneOfStrings(q.mode(), "steps", "trends", "table") {
		iss.Add("X8_INVALID_MODE", "mode", "mode %q is not valid; use steps, trends or table", q.Mode)
	}
	if !oneOfStrings(q.order(), "loose", "any") {
		iss.Add("X1_INVALID_ENUM", "order", "order %q is not valid; use loose or any", q.Order)
	}
	return iss.Err(StageConstruct)
}

// checkArgs is the reference's validate_funnel_args (F1-F12 with the shared
// time, breakdown and custom-property rules), in the reference's order.
func (q *FunnelQuery) checkArgs() error {
	var iss Issues
	checkDataGroupID(q.DataGroupID, &iss)
	n := len(q.Steps)
	if n < 2 {
		iss.Add("F1_MIN_STEPS", "steps", "At least 2 steps are required (got %d); add the step users should reach next", n)
	}
	if n > maxFunnelSteps {
		iss.Add("F1_MAX_STEPS", "steps", "Maximum %d steps allowed (got %d); drop or merge steps", maxFunnelSteps, n)
	}
	for i, s := range q.Steps {
		checkStepEventName(s.Event, join("steps", i), "F2", &iss)
	}
	window, isInt := q.window()
	unit := q.windowUnit()
	switch {
	case !isInt:
		iss.Add("F3_CONVERSION_WINDOW_TYPE", "conversion_window", "conversion_window must be an integer, got %s; use a whole number such as 14", *q.ConversionWindow)
	case window <= 0:
		iss.Add("F3_CONVERSION_WINDOW_POSITIVE", "conversion_window", "conversion_window must be a positive integer; use a whole number such as 14")
	case funnelWindowMax()[unit] > 0 && window > funnelWindowMax()[unit]:
		iss.Add("F3_CONVERSION_WINDOW_MAX", "conversion_window", "conversion_window=%d exceeds maximum of %d for unit '%s'; use a larger unit or a shorter window", window, funnelWindowMax()[unit], unit)
	}
	if !oneOfStrings(unit, funnelWindowUnits...) {
		iss.Add("F7_INVALID_WINDOW_UNIT", "conversion_window_unit", "Invalid conversion_window_unit '%s'; use one of %s", unit, strings.Join(funnelWindowUnits, ", "))
	}
	math := q.math()
	if isInt {
		if unit == "second" && window > 0 && window < 2 {
			iss.Add("F7_SECOND_MIN_WINDOW", "conversion_window", "conversion_window must be at least 2 when conversion_window_unit='second' (got %d); use 2 or more seconds", window)
		}
		if math == "conversion_rate_session" && unit != "session" {
			iss.Add("F9_SESSION_MATH_REQUIRES_SESSION_WINDOW", "math", "math='%s' requires conversion_window_unit='session'; set it with conversion_window 1-12, or use conversion_rate_unique", math)
		}
		if unit == "session" && math != "conversion_rate_session" && window != 1 {
			iss.Add("F9_SESSION_WINDOW_REQUIRES_ONE", "conversion_window", "conversion_window_unit='session' requires conversion_window=1 (up to 12 only with math='conversion_rate_session')")
		}
	}
	if mathRequiringProperty()[math] && q.MathProperty == nil {
		iss.Add("F10_MATH_MISSING_PROPERTY", "math_property", "math='%s' requires a math_property (numeric property name to aggregate), e.g. \"amount\"", math)
	}
	if !mathRequiringProperty()[math] && math != "total" && q.MathProperty != nil {
		iss.Add("F11_MATH_REJECTS_PROPERTY", "math_property", "math='%s' does not support math_property; remove it, or use one of the property maths: %s", math, propertyMathList())
	}
	for i, e := range q.Exclusions {
		p := join("exclusions", i)
		from := e.fromStep()
		if strings.TrimSpace(e.Event) == "" {
			iss.Add("F4_EMPTY_EXCLUSION_EVENT", p, "Exclusion event name must be a non-empty string; name the event to exclude")
		} else if controlChars().MatchString(e.Event) {
			iss.Add("F4_CONTROL_CHAR_EXCLUSION", p, "Exclusion event name contains control characters: %q; remove them", e.Event)
		}
		if from < 0 {
			iss.Add("F4_EXCLUSION_NEGATIVE_STEP", p, "Exclusion from_step must be >= 0 (got %d); steps are 0-based", from)
		}
		if e.ToStep != nil && int64(*e.ToStep) <= from {
			iss.Add("F4_EXCLUSION_STEP_ORDER", p, "Exclusion to_step (%d) must be > from_step (%d); pick a later to_step, or omit it for the last step", *e.ToStep, from)
		}
		if e.ToStep != nil && int64(*e.ToStep) >= int64(n) {
			iss.Add("F4_EXCLUSION_STEP_BOUNDS", p, "Exclusion to_step (%d) exceeds step count (%d); steps are 0-based", *e.ToStep, n)
		}
		if from >= int64(n) {
			iss.Add("F4_EXCLUSION_STEP_BOUNDS", p, "Exclusion from_step (%d) exceeds step count (%d); steps are 0-based", from, n)
		}
	}
	for i, h := range q.HoldingConstant {
		if strings.TrimSpace(h.Property) == "" {
			iss.Add("F8_EMPTY_HOLDING_CONSTANT_PROPERTY", join("holding_constant", i), "Holding constant property name must be a non-empty string; name a property such as \"platform\"")
		}
	}
	if len(q.HoldingConstant) > maxHoldingConstant {
		iss.Add("F8_MAX_HOLDING_CONSTANT", "holding_constant", "Maximum %d holding_constant properties allowed (got %d); keep the %d that matter most", maxHoldingConstant, len(q.HoldingConstant), maxHoldingConstant)
	}
	ValidateTimeArgs(q.FromDate, q.ToDate, lastDays(q.Last), &iss)
	ValidateGroupByArgs(q.GroupBy, &iss)
	ScanCustomProperties(q.GroupBy, nil, nil, &iss)
	for i, s := range q.Steps {
		scanFilterCustomProperties(FilterList(s.Filters), join("steps", i), &iss)
	}
	if q.ReentryMode != nil && !oneOfStrings(*q.ReentryMode, funnelReentryModes...) {
		iss.Add("F12_INVALID_REENTRY_MODE", "reentry_mode", "Invalid reentry_mode '%s'; valid values: %s", *q.ReentryMode, strings.Join(funnelReentryModes, ", "))
	}
	ScanCustomProperties(nil, q.Where, nil, &iss)
	return iss.Err(StageArgs)
}

// Build validates the query and returns its bookmark params; today fills
// to_date when only from_date is given.
func (q *FunnelQuery) Build(today time.Time) (Params, error) {
	return build(q, today, bookmarkRules("funnels"))
}

func (q *FunnelQuery) params(today time.Time) Params {
	order := q.order()
	behaviors := make([]any, len(q.Steps))
	for i, s := range q.Steps {
		b := map[string]any{
			"type": "event", "id": nil, "name": s.Event,
			"filters":           stepFilterEntries(FilterList(s.Filters)),
			"filtersDeterminer": orDefault(s.FiltersCombinator, "all"),
			"funnelOrder":       order,
		}
		if s.Label != nil {
			b["renamed"] = *s.Label
		}
		if s.Order != nil {
			b["funnelOrder"] = *s.Order
		}
		behaviors[i] = b
	}
	exclusions := make([]any, len(q.Exclusions))
	for i, e := range q.Exclusions {
		to := int64(len(q.Steps))
		if e.ToStep != nil {
			to = int64(*e.ToStep) + 1
		}
		exclusions[i] = map[string]any{"event": e.Event, "steps": map[string]any{"from": e.fromStep() + 1, "to": to}}
	}
	aggregateBy := make([]any, len(q.HoldingConstant))
	for i, h := range q.HoldingConstant {
		aggregateBy[i] = map[string]any{"value": h.Property, "resourceType": orDefault(h.ResourceType, "events")}
	}
	window, _ := q.window()
	behavior := map[string]any{
		"type": "funnel", "resourceType": "events", "behaviors": behaviors,
		"conversionWindowDuration": window, "conversionWindowUnit": q.windowUnit(),
		"funnelOrder": order, "exclusions": exclusions, "aggregateBy": aggregateBy, "filter": []any{},
	}
	if q.ReentryMode != nil {
		behavior["funnelReentryMode"] = *q.ReentryMode
	}
	var property any
	if q.MathProperty != nil && *q.MathProperty != "" {
		property = map[string]any{"name": *q.MathProperty, "type": "number", "resourceType": "events"}
	}
	show := []any{map[string]any{
		"type": "metric", "behavior": behavior,
		"measurement": map[string]any{"math": q.math(), "property": property, "stepIndex": nil},
	}}
	dg := dataGroupPtr(q.DataGroupID)
	sections := map[string]any{
		"show":    show,
		"time":    TimeSection(q.FromDate, q.ToDate, lastDays(q.Last), q.unit(), today),
		"filter":  globalFilterSection(q.Where),
		"group":   GroupSection(q.GroupBy, dg),
		"formula": []any{},
	}
	if dg != nil {
		sections["dataGroupId"] = *dg
	}
	display := map[string]any{"chartType": FunnelChartType(q.mode())}
	if q.TimeComparison != nil {
		display["timeComparison"] = q.TimeComparison.Entry()
	}
	return Params{"sections": sections, "displayOptions": display}
}

// FunnelChartType maps a funnel mode to its chart type.
func FunnelChartType(mode string) string {
	switch mode {
	case "trends":
		return "line"
	case "table":
		return "table"
	}
	return "funnel-steps"
}

func (e Exclusion) fromStep() int64 {
	if e.FromStep == nil {
		return 0
	}
	return int64(*e.FromStep)
}

// --- helpers shared by the funnel, retention and flow engines ---

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// numberInt returns the number as an integer and whether it was written
// as one; 14.0 is not an integer, as in the reference's isinstance check.
func numberInt(n Number) (int64, bool) {
	if strings.ContainsAny(string(n), ".eE") {
		return int64(math.Trunc(n.Float())), false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// checkFilteredEvent is the constructor check of an event that carries its
// own filters (FunnelStep, RetentionEvent): its name, its combinator and
// each filter.
func checkFilteredEvent(typeName, code, path, event, combinator string, filters FilterList, iss *Issues) {
	checkEventName(typeName, code, event, join(path, "event"), iss)
	if !oneOfStrings(orDefault(combinator, "all"), "all", "any") {
		iss.Add("X1_INVALID_ENUM", join(path, "filters_combinator"), "filters_combinator %q is not valid; use all or any", combinator)
	}
	filters.resolveAll(join(path, "filters"), iss)
}

// checkEventName is the reference's _validate_event_name, run by the
// FunnelStep, Exclusion, RetentionEvent and FlowStep constructors.
func checkEventName(typeName, code, event, path string, iss *Issues) {
	switch {
	case strings.TrimSpace(event) == "":
		iss.AddNeeding(NeedEventName, code, path, "%s.event must be a non-empty string; use an event name of the project", typeName)
	case controlChars().MatchString(event):
		iss.Add(code, path, "%s.event contains control characters: %q; remove them", typeName, event)
	}
}

// checkStepEventName is the argument rule on a step's event (F2, R1/R2,
// FL2): non-empty, no control characters, not invisible-only.
func checkStepEventName(event, path, rule string, iss *Issues) {
	if strings.TrimSpace(event) == "" {
		iss.AddNeeding(NeedEventName, rule+"_EMPTY_STEP_EVENT", path, "Step event name must be a non-empty string; use an event name of the project")
		return
	}
	if controlChars().MatchString(event) {
		iss.Add(rule+"_CONTROL_CHAR_STEP_EVENT", path, "Step event name contains control characters: %q; remove them", event)
	}
	if invisibleOnly().MatchString(event) {
		iss.AddNeeding(NeedEventName, rule+"_INVISIBLE_STEP_EVENT", path, "Step event name contains only invisible characters; use a visible event name of the project")
	}
}

// checkSharedConstructors runs the constructors of the types insights,
// funnels and retention share: breakdowns, global filters and the time
// comparison.
func checkSharedConstructors(groups GroupList, where WhereList, tc *TimeComparison, iss *Issues) {
	checkGroupConstructors("group_by", groups, iss)
	for i, w := range where {
		p := join("where", i)
		switch {
		case w.Frequency != nil:
			w.Frequency.check(p, iss)
		case w.Filter != nil:
			w.Filter.Resolve(p, iss)
		}
	}
	if tc != nil {
		tc.check("time_comparison", iss)
	}
}

// checkGroupConstructors runs each breakdown's constructor; name is the
// input field holding them.
func checkGroupConstructors(name string, groups GroupList, iss *Issues) {
	for i, g := range groups {
		p := join(name, i)
		switch {
		case g.GroupBy != nil:
			g.GroupBy.check(p, iss)
		case g.Cohort != nil:
			g.Cohort.check(p, iss)
		case g.Frequency != nil:
			g.Frequency.check(p, iss)
		}
	}
}

func checkDataGroupID(dg *Int, iss *Issues) {
	if dg != nil && *dg <= 0 {
		iss.Add("DG1_INVALID_DATA_GROUP_ID", "data_group_id", "data_group_id must be a positive integer (got %d)", *dg)
	}
}

func dataGroupPtr(dg *Int) *int64 {
	if dg == nil {
		return nil
	}
	v := int64(*dg)
	return &v
}

// scanFilterCustomProperties applies CP1-CP6 to the custom properties of a
// step's or event's filters, with the reference's paths.
func scanFilterCustomProperties(filters FilterList, base string, iss *Issues) {
	for i, f := range filters {
		if f.Property != nil && f.Property.IsCustom() {
			ValidateCustomProperty(*f.Property, fmt.Sprintf("%s.filters[%d]", base, i), iss)
		}
	}
}

// stepFilterEntries are the bookmark entries of a step's own filters.
func stepFilterEntries(filters FilterList) []any {
	entries := make([]any, len(filters))
	var iss Issues
	for i, f := range filters {
		entries[i] = f.Resolve("", &iss).Entry()
	}
	return entries
}

// globalFilterSection is sections.filter for funnels and retention: the
// server reads "value" of every global filter, so custom-property entries
// (which have none) get "value": null.
func globalFilterSection(where WhereList) []any {
	entries := FilterSection(where)
	for _, e := range entries {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		_, hasValue := m["value"]
		_, hasRef := m["customPropertyId"]
		_, hasInline := m["customProperty"]
		if !hasValue && (hasRef || hasInline) {
			m["value"] = nil
		}
	}
	return entries
}
