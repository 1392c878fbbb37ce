package query

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FlowQuery is the reference's Workspace.query_flow: the paths users take
// before and after anchor events.
type FlowQuery struct {
	Event                FlowStepList `json:"event"`
	Forward              *Number      `json:"forward,omitempty" jsonschema:"default=3,description=Steps to trace after each anchor (0-5)"`
	Reverse              *Number      `json:"reverse,omitempty" jsonschema:"description=Steps to trace before each anchor (0-5)"`
	FromDate             *string      `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD; to_date defaults to today"`
	ToDate               *string      `json:"to_date,omitempty" jsonschema:"description=YYYY-MM-DD; needs from_date"`
	Last                 *Int         `json:"last,omitempty" jsonschema:"default=30,description=Days back when no dates are given"`
	ConversionWindow     *Int         `json:"conversion_window,omitempty" jsonschema:"default=7,description=Path window in conversion_window_unit"`
	ConversionWindowUnit string       `json:"conversion_window_unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,enum=session,default=day"`
	CountType            string       `json:"count_type,omitempty" jsonschema:"enum=unique,enum=total,enum=session,default=unique,description=session needs a 1-session window"`
	Cardinality          *Int         `json:"cardinality,omitempty" jsonschema:"default=3,description=Top paths or events shown per step (1-50)"`
	CollapseRepeated     bool         `json:"collapse_repeated,omitempty" jsonschema:"description=Merge consecutive repeats of an event"`
	HiddenEvents         []string     `json:"hidden_events,omitempty" jsonschema:"description=Events left out of the paths"`
	Mode                 string       `json:"mode,omitempty" jsonschema:"enum=sankey,enum=paths,enum=tree,default=sankey,description=sankey: step graph; paths: top paths; tree: prefix trees"`
	Where                StepFilters  `json:"where,omitempty" jsonschema:"description=All must match; at most one in_cohort/not_in_cohort"`
	DataGroupID          *Int         `json:"data_group_id,omitempty" jsonschema:"description=Group analytics data group"`
	Segments             GroupList    `json:"segments,omitempty" jsonschema:"description=Breakdowns"`
	Exclusions           []string     `json:"exclusions,omitempty" jsonschema:"description=Events excluded from the paths"`
}

// FlowStep is an anchor event with its own direction, label, filters or
// session anchor. Filters here must have a legacy form (no starts_with,
// ends_with, in_the_next, list_contains or cohort filters).
type FlowStep struct {
	Event             string      `json:"event" jsonschema:"description=$session_start/$session_end with session_event"`
	Forward           *Number     `json:"forward,omitempty" jsonschema:"description=This anchor's own forward"`
	Reverse           *Number     `json:"reverse,omitempty" jsonschema:"description=This anchor's own reverse"`
	Label             *string     `json:"label,omitempty"`
	Filters           StepFilters `json:"filters,omitempty"`
	FiltersCombinator string      `json:"filters_combinator,omitempty" jsonschema:"enum=all,enum=any,default=all"`
	SessionEvent      *string     `json:"session_event,omitempty" jsonschema:"enum=start,enum=end"`
}

// FlowStepList is one anchor or a list; each is an event name or FlowStep.
type FlowStepList []FlowStep

// UnmarshalJSON accepts one item or a list of names and objects.
func (l *FlowStepList) UnmarshalJSON(b []byte) error {
	out, err := nameOrObjects(b, func(x *FlowStep) *string { return &x.Event }, "flow step", `an event name or {"event": ...}`)
	*l = out
	return err
}

// Defaults and limits of the reference's query_flow.
const (
	DefaultFlowForward          = 3
	DefaultFlowConversionWindow = 7
	DefaultFlowCardinality      = 3
	maxFlowDirection            = 5
	maxFlowCardinality          = 50
)

// flowWindowMax is one less day than funnels allow (366, a leap year).
var flowWindowMax = sync.OnceValue(func() map[string]int64 { return map[string]int64{"month": 12, "week": 52, "day": 366} })

// FlowQueryType is the arb_funnels query_type of a flow mode.
func FlowQueryType(mode string) string {
	switch mode {
	case "paths":
		return "flows_top_paths"
	case "tree":
		return "flows"
	}
	return "flows_sankey"
}

func (q *FlowQuery) mode() string      { return orDefault(q.Mode, "sankey") }
func (q *FlowQuery) countType() string { return orDefault(q.CountType, "unique") }
func (q *FlowQuery) windowUnit() string {
	return orDefault(q.ConversionWindowUnit, "day")
}

func (q *FlowQuery) window() int64 {
	if q.ConversionWindow == nil {
		return DefaultFlowConversionWindow
	}
	return int64(*q.ConversionWindow)
}

func (q *FlowQuery) cardinality() int64 {
	if q.Cardinality == nil {
		return DefaultFlowCardinality
	}
	return int64(*q.Cardinality)
}

// direction is a forward/reverse value: set, integral, and its value.
type direction struct {
	set, isInt bool
	value      int64
	text       string
}

func readDirection(n *Number, def int64) direction {
	if n == nil {
		return direction{value: def, isInt: true, text: strconv.FormatInt(def, 10)}
	}
	v, isInt := numberInt(*n)
	if !isInt {
		v = int64(n.Float())
	}
	return direction{set: true, isInt: isInt, value: v, text: string(*n)}
}

// resolvedStep is a FlowStep with the query's forward/reverse applied, as
// the reference rebuilds each FlowStep before validating it.
type resolvedStep struct {
	FlowStep
	forward, reverse direction
}

// namedDirection is a direction with the input field it came from.
type namedDirection struct {
	name string
	dir  direction
}

func (s resolvedStep) directions() []namedDirection {
	return []namedDirection{{"forward", s.forward}, {"reverse", s.reverse}}
}

func (q *FlowQuery) resolvedSteps() []resolvedStep {
	top := []direction{readDirection(q.Forward, DefaultFlowForward), readDirection(q.Reverse, 0)}
	out := make([]resolvedStep, len(q.Event))
	for i, s := range q.Event {
		out[i] = resolvedStep{FlowStep: s, forward: top[0], reverse: top[1]}
		if s.Forward != nil {
			out[i].forward = readDirection(s.Forward, 0)
		}
		if s.Reverse != nil {
			out[i].reverse = readDirection(s.Reverse, 0)
		}
	}
	return out
}

// Validate runs the constructor, step and argument stages.
func (q *FlowQuery) Validate() error {
	if err := q.checkConstruct(); err != nil {
		return err
	}
	if err := q.checkSteps(); err != nil {
		return err
	}
	return q.checkArgs()
}

// checkConstruct runs FlowStep's constructor on every step after the
// query's forward/reverse are applied (FL1, FL2, FS1), and the shared
// filter and breakdown constructors.
func (q *FlowQuery) checkConstruct() error {
	var iss Issues
	if len(q.Event) == 0 {
		iss.Add("FL1_EMPTY_STEPS", "event", "At least one anchor event is required; set event to an event name such as \"Signup\"")
	}
	for i, s := range q.resolvedSteps() {
		p := join("event", i)
		checkEventName("FlowStep", "FL1", s.Event, join(p, "event"), &iss)
		for _, d := range s.directions() {
			if d.dir.value < 0 || d.dir.value > maxFlowDirection || (!d.dir.isInt && d.dir.text != "" && numberOutOfRange(d.dir.text)) {
				iss.Add("FL2", join(p, d.name), "FlowStep.%s must be in range 0-5, got %s; use 0 to 5 steps", d.name, d.dir.text)
			}
		}
		if s.SessionEvent != nil {
			want := map[string]string{"start": "$session_start", "end": "$session_end"}[*s.SessionEvent]
			switch {
			case want == "":
				iss.Add("X1_INVALID_ENUM", join(p, "session_event"), "session_event %q is not valid; use start or end", *s.SessionEvent)
			case s.Event != want:
				iss.Add("FS1", join(p, "session_event"), "FlowStep.session_event=%q requires event=%q, got %q", *s.SessionEvent, want, s.Event)
			}
		}
		FilterList(s.Filters).resolveAll(join(p, "filters"), &iss)
	}
	for i, f := range q.Where {
		f.Resolve(join("where", i), &iss)
	}
	checkGroupConstructors("segments", q.Segments, &iss)
	return iss.Err(StageConstruct)
}

func numberOutOfRange(text string) bool {
	f, err := strconv.ParseFloat(text, 64)
	return err != nil || f < 0 || f > maxFlowDirection
}

// checkSteps is the reference's per-step stage that runs before the flow
// arguments: integer directions (a top-level non-integer is reported for
// the argument and again for every step that inherits it), the filters
// combinator, and whether each step filter has a legacy segfilter form.
func (q *FlowQuery) checkSteps() error {
	var iss Issues
	for _, top := range []namedDirection{{"forward", readDirection(q.Forward, DefaultFlowForward)}, {"reverse", readDirection(q.Reverse, 0)}} {
		if !top.dir.isInt {
			iss.Add("FL_TYPE_"+strings.ToUpper(top.name), top.name, "%s must be an integer (got %s); use a whole number 0-5", top.name, top.dir.text)
		}
	}
	for i, s := range q.resolvedSteps() {
		p := join("event", i)
		for _, d := range s.directions() {
			if !d.dir.isInt {
				iss.Add("FL_TYPE_"+strings.ToUpper(d.name), join(p, d.name), "Per-step %s must be an integer (got %s); use a whole number 0-5", d.name, d.dir.text)
			}
		}
		if !oneOfStrings(orDefault(s.FiltersCombinator, "all"), "all", "any") {
			iss.Add("FL_INVALID_FILTERS_COMBINATOR", join(p, "filters_combinator"), "filters_combinator must be 'all' or 'any' (got %q)", s.FiltersCombinator)
		}
		for fi, f := range s.Filters {
			var fiss Issues
			segfilterEntry(f.Resolve("", &fiss), fmt.Sprintf("%s.filters[%d]", p, fi), &iss)
		}
	}
	return iss.Err(StageArgs)
}

// checkArgs is the reference's validate_flow_args (FL1-FL10 and the time
// rules) on the effective directions, then the custom-property rules and
// the where split.
func (q *FlowQuery) checkArgs() error {
	var iss Issues
	checkDataGroupID(q.DataGroupID, &iss)
	steps := q.resolvedSteps()
	var forward, reverse int64
	for i, s := range steps {
		forward = max(forward, s.forward.value)
		reverse = max(reverse, s.reverse.value)
		checkStepEventName(s.Event, join("event", i), "FL2", &iss)
	}
	if forward+reverse == 0 && len(steps) > 0 {
		iss.Add("FL5_NO_DIRECTION", "forward", "At least one of forward or reverse must be > 0; both are currently 0; set forward (after the anchor) or reverse (before it) to 1-5")
	}
	if c := q.cardinality(); c < 1 || c > maxFlowCardinality {
		iss.Add("FL6_CARDINALITY_RANGE", "cardinality", "cardinality must be between 1 and %d (got %d)", maxFlowCardinality, c)
	}
	window, unit := q.window(), q.windowUnit()
	if window <= 0 {
		iss.Add("FL7_CONVERSION_WINDOW_POSITIVE", "conversion_window", "conversion_window must be a positive integer; use a whole number such as 7")
	} else if m := flowWindowMax()[unit]; m > 0 && window > m {
		iss.Add("FL7_CONVERSION_WINDOW_MAX", "conversion_window", "conversion_window=%d exceeds maximum of %d for unit '%s'; use a larger unit or a shorter window", window, m, unit)
	}
	if !oneOfStrings(q.countType(), "unique", "total", "session") {
		iss.Add("FL_INVALID_COUNT_TYPE", "count_type", "Invalid count_type '%s'; use unique, total or session", q.CountType)
	}
	if !oneOfStrings(q.mode(), "sankey", "paths", "tree") {
		iss.Add("FL_INVALID_MODE", "mode", "Invalid mode '%s'; use sankey, paths or tree", q.Mode)
	}
	if !oneOfStrings(unit, "day", "week", "month", "session") {
		iss.Add("FL_INVALID_WINDOW_UNIT", "conversion_window_unit", "Invalid conversion_window_unit '%s'; use day, week, month or session", unit)
	}
	if q.countType() == "session" && unit != "session" {
		iss.Add("FL9_SESSION_REQUIRES_SESSION_WINDOW", "count_type", "count_type='session' requires conversion_window_unit='session' (with conversion_window=1)")
	}
	if unit == "session" && window != 1 {
		iss.Add("FL10_SESSION_WINDOW_REQUIRES_ONE", "conversion_window", "conversion_window_unit='session' requires conversion_window=1; set conversion_window to 1")
	}
	ValidateTimeArgs(q.FromDate, q.ToDate, lastDays(q.Last), &iss)
	for i, s := range steps {
		scanFilterCustomProperties(FilterList(s.Filters), join("event", i), &iss)
	}
	cohorts := 0
	for i, f := range q.Where {
		p := listPath("where", i, len(q.Where))
		switch {
		case f.Operator == "in_cohort" || f.Operator == "not_in_cohort":
			cohorts++
			if cohorts == 2 {
				iss.Add("XF2_FLOW_ONE_COHORT", "where", "flows support a single cohort filter; keep one in_cohort/not_in_cohort filter")
			}
		case f.Property != nil && f.Property.IsCustom():
			ValidateCustomProperty(*f.Property, p, &iss)
			iss.Add("XF1_FLOW_CUSTOM_PROPERTY", p, "flow filters need a plain property name; custom properties are not supported in flows")
		}
	}
	return iss.Err(StageArgs)
}

// Build validates the query and returns the flat flow params; today fills
// to_date when only from_date is given.
func (q *FlowQuery) Build(today time.Time) (Params, error) {
	return build(q, today, validateFlowBookmark)
}

func (q *FlowQuery) params(today time.Time) Params {
	steps := q.resolvedSteps()
	stepEntries := make([]any, len(steps))
	for i, s := range steps {
		label := s.Event
		if s.Label != nil && *s.Label != "" {
			label = *s.Label
		}
		boolOp := "and"
		if s.FiltersCombinator == "any" {
			boolOp = "or"
		}
		filters := make([]any, 0, len(s.Filters))
		var iss Issues
		for _, f := range s.Filters {
			filters = append(filters, segfilterEntry(f.Resolve("", &iss), "", &iss))
		}
		entry := map[string]any{
			"event": s.Event, "step_label": label,
			"forward": s.forward.value, "reverse": s.reverse.value,
			"bool_op": boolOp, "property_filter_params_list": filters,
		}
		if s.SessionEvent != nil {
			entry["session_event"] = *s.SessionEvent
		}
		stepEntries[i] = entry
	}
	hidden := make([]any, len(q.HiddenEvents))
	for i, h := range q.HiddenEvents {
		hidden[i] = h
	}
	exclusions := make([]any, len(q.Exclusions))
	for i, e := range q.Exclusions {
		exclusions[i] = e
	}
	chart, merge := "sankey", "graph"
	switch q.mode() {
	case "paths":
		chart, merge = "top-paths", "list"
	case "tree":
		merge = "tree"
	}
	params := Params{
		"steps":                 stepEntries,
		"date_range":            flowDateRange(q.FromDate, q.ToDate, lastDays(q.Last), today),
		"chartType":             chart,
		"flows_merge_type":      merge,
		"count_type":            q.countType(),
		"cardinality_threshold": q.cardinality(),
		"version":               2,
		"conversion_window":     map[string]any{"unit": q.windowUnit(), "value": q.window()},
		"anchor_position":       1,
		"collapse_repeated":     q.CollapseRepeated,
		"show_custom_events":    true,
		"hidden_events":         hidden,
		"exclusions":            exclusions,
	}
	if q.DataGroupID != nil {
		params["data_group_id"] = int64(*q.DataGroupID)
	}
	var children []any
	var iss Issues
	for _, f := range q.Where {
		rf := f.Resolve("", &iss)
		if f.Operator == "in_cohort" || f.Operator == "not_in_cohort" {
			if _, done := params["filter_by_cohort"]; !done {
				params["filter_by_cohort"] = flowCohortFilter(rf)
			}
			continue
		}
		entry := rf.Entry()
		entry["propertyName"] = entry["value"]
		delete(entry, "value")
		delete(entry, "defaultType")
		children = append(children, entry)
	}
	if len(children) > 0 {
		params["filter_by_event"] = map[string]any{"operator": "and", "children": children}
	}
	if len(q.Segments) > 0 {
		params["segments"] = GroupSection(q.Segments, nil)
	}
	return params
}

// flowDateRange is the flat date_range of flow params.
func flowDateRange(fromDate, toDate *string, last int64, today time.Time) map[string]any {
	if fromDate != nil {
		to := today.Format("2006-01-02")
		if toDate != nil {
			to = *toDate
		}
		return map[string]any{"type": "between", "from_date": *fromDate, "to_date": to}
	}
	return map[string]any{"type": "in the last", "from_date": map[string]any{"unit": "day", "value": last}, "to_date": "$now"}
}

// flowCohortFilter is filter_by_cohort: the cohort of an in_cohort or
// not_in_cohort filter, negated for exclusion.
func flowCohortFilter(rf ResolvedFilter) map[string]any {
	out := map[string]any{"name": "", "negated": rf.Operator == "does not contain"}
	items, _ := rf.Value.([]any)
	if len(items) == 0 {
		return out
	}
	wrapper, _ := items[0].(map[string]any)
	cohort, _ := wrapper["cohort"].(map[string]any)
	if name, ok := cohort["name"]; ok {
		out["name"] = name
	}
	for _, k := range []string{"id", "raw_cohort"} {
		if v, ok := cohort[k]; ok {
			out[k] = v
		}
	}
	return out
}

// segfilterEntry writes a resolved step filter in the legacy segfilter
// form flows use. Filters without such a form are reported on iss with the
// reference's SG codes and yield nil.
func segfilterEntry(rf ResolvedFilter, path string, iss *Issues) map[string]any {
	if rf.Property.IsCustom() {
		iss.Add("XF1_FLOW_CUSTOM_PROPERTY", path, "flow step filters need a plain property name; custom properties are not supported in flows")
		return nil
	}
	var filter map[string]any
	switch rf.PropertyType {
	case "string":
		op, ok := map[string]string{"equals": "==", "does not equal": "!=", "contains": "in", "does not contain": "not in", "is set": "set", "is not set": "not set"}[rf.Operator]
		if !ok {
			iss.Add("SG1_UNKNOWN_STRING_OPERATOR", path, "operator %q has no flow step filter form; flows take equals, not_equals, contains, not_contains, is_set, is_not_set on strings", rf.Method)
			return nil
		}
		filter = map[string]any{"operator": op, "operand": rf.Value}
		if rf.Operator == "is set" || rf.Operator == "is not set" {
			filter["operand"] = ""
		}
	case "number":
		op := map[string]string{"is greater than": ">", "is less than": "<", "is at least": ">=", "is at most": "<=", "is between": "><", "not between": "!><"}[rf.Operator]
		filter = map[string]any{"operator": op, "operand": pyNumberText(rf.Value)}
	case "boolean":
		filter = map[string]any{"operand": rf.Operator}
	case "datetime":
		op, ok := map[string]string{"was on": "==", "was not on": "!=", "was before": ">", "was since": "<", "was in the": ">", "was not in the": ">", "was between": "><", "was not between": "!><"}[rf.Operator]
		if !ok {
			iss.Add("SG3_UNKNOWN_DATETIME_OPERATOR", path, "operator %q has no flow step filter form; use in_the_last, on, before, since or date_between", rf.Method)
			return nil
		}
		filter = map[string]any{"operator": op}
		switch v := rf.Value.(type) {
		case []any:
			dates := make([]any, len(v))
			for i, d := range v {
				dates[i] = usDate(fmt.Sprint(d))
			}
			filter["operand"] = dates
		case string:
			filter["operand"] = usDate(v)
		default:
			filter["operand"] = v
			if rf.DateUnit != "" {
				filter["unit"] = rf.DateUnit + "s"
			}
		}
	default:
		iss.Add("SG4_UNSUPPORTED_PROPERTY_TYPE", path, "operator %q has no flow step filter form (list and cohort filters cannot filter a flow step); filter the flow with where instead", rf.Method)
		return nil
	}
	source := map[string]string{"events": "properties", "people": "user"}[rf.ResourceType]
	if source == "" {
		source = rf.ResourceType
	}
	return map[string]any{
		"property":               map[string]any{"name": rf.Property.Name, "source": source, "type": rf.PropertyType},
		"type":                   rf.PropertyType,
		"selected_property_type": rf.PropertyType,
		"filter":                 filter,
	}
}

// usDate turns YYYY-MM-DD into the MM/DD/YYYY of segfilters.
func usDate(d string) string {
	parts := strings.SplitN(d, "-", 3)
	if len(parts) != 3 {
		return d
	}
	return parts[1] + "/" + parts[2] + "/" + parts[0]
}

// pyNumberText writes a number, or a pair, the way Python's str() does,
// which is what the flows API receives: 250 stays "250", 9.0 stays "9.0".
func pyNumberText(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = pyNumberText(item)
		}
		return out
	case Number:
		return pyStr(x)
	}
	return fmt.Sprint(v)
}

// pyStr is Python's str() of a JSON number: integers print exactly, floats
// in repr's shortest round-trip form (fixed notation for exponents -4..15,
// else d.ddde±XX).
func pyStr(n Number) string {
	if !strings.ContainsAny(string(n), ".eE") {
		if i, ok := new(big.Int).SetString(string(n), 10); ok {
			return i.String()
		}
		return string(n)
	}
	f := n.Float()
	sci := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return mant + "e" + expText[:1] + fmt.Sprintf("%02d", abs(exp))
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// validateFlowBookmark is the reference's validate_flow_bookmark (FLB1-FLB6)
// on the built flat params.
func validateFlowBookmark(params Params, iss *Issues) {
	steps, _ := params["steps"].([]any)
	if len(steps) == 0 {
		iss.Add("FLB1_EMPTY_STEPS", "steps", "Flow bookmark must have at least one step")
	}
	for i, s := range steps {
		step, _ := s.(map[string]any)
		if ev, _ := step["event"].(string); strings.TrimSpace(ev) == "" {
			iss.Add("FLB2_EMPTY_STEP_EVENT", fmt.Sprintf("steps[%d].event", i), "Step event name must be a non-empty string")
		}
	}
	if ct, _ := params["count_type"].(string); !oneOfStrings(ct, "unique", "total", "session") {
		iss.Add("FLB3_INVALID_COUNT_TYPE", "count_type", "Invalid count_type '%s'", ct)
	}
	if ct, _ := params["chartType"].(string); !oneOfStrings(ct, "sankey", "top-paths", "tree") {
		iss.Add("FLB4_INVALID_CHART_TYPE", "chartType", "Invalid chartType '%s'", ct)
	}
	if _, ok := params["date_range"]; !ok {
		iss.Add("FLB5_MISSING_DATE_RANGE", "date_range", "Flow bookmark requires a date_range")
	}
	if v, _ := intOf(params["version"]); v != 2 {
		iss.Add("FLB6_INVALID_VERSION", "version", "Flow bookmark version must be 2 (got %v)", params["version"])
	}
}
