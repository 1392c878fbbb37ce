package query

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// RetentionQuery is the reference's Workspace.query_retention: of the users
// who did the born event, how many came back to do the return event in each
// later period.
type RetentionQuery struct {
	BornEvent           RetentionEventRef `json:"born_event"`
	ReturnEvent         RetentionEventRef `json:"return_event"`
	RetentionUnit       string            `json:"retention_unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,default=week,description=Length of one retention bucket"`
	Alignment           string            `json:"alignment,omitempty" jsonschema:"enum=birth,enum=interval_start,default=birth,description=birth: buckets start at each user's born event; interval_start: at calendar periods"`
	BucketSizes         []Number          `json:"bucket_sizes,omitempty" jsonschema:"description=Custom bucket boundaries in retention units: ascending positive integers such as [1\\, 3\\, 7\\, 14]"`
	Math                string            `json:"math,omitempty" jsonschema:"enum=retention_rate,enum=unique,enum=total,enum=average,default=retention_rate"`
	FromDate            *string           `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD; to_date defaults to today"`
	ToDate              *string           `json:"to_date,omitempty" jsonschema:"description=YYYY-MM-DD; needs from_date"`
	Last                *Int              `json:"last,omitempty" jsonschema:"default=30,description=Days back when no dates are given"`
	Unit                string            `json:"unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,default=day,description=Cohort granularity"`
	GroupBy             GroupList         `json:"group_by,omitempty" jsonschema:"description=Cohort and property breakdowns cannot be mixed"`
	Where               WhereList         `json:"where,omitempty"`
	Mode                string            `json:"mode,omitempty" jsonschema:"enum=curve,enum=trends,enum=table,default=curve"`
	UnboundedMode       *string           `json:"unbounded_mode,omitempty" jsonschema:"enum=none,enum=carry_back,enum=carry_forward,enum=consecutive_forward,description=How returns count across unbounded buckets"`
	RetentionCumulative bool              `json:"retention_cumulative,omitempty" jsonschema:"description=Count users who returned in a bucket or any later one"`
	TimeComparison      *TimeComparison   `json:"time_comparison,omitempty"`
	DataGroupID         *Int              `json:"data_group_id,omitempty" jsonschema:"description=Group analytics data group"`
}

// RetentionEvent is a born or return event with optional filters.
type RetentionEvent struct {
	Event             string      `json:"event"`
	Filters           StepFilters `json:"filters,omitempty"`
	FiltersCombinator string      `json:"filters_combinator,omitempty" jsonschema:"enum=all,enum=any,default=all"`
}

// RetentionEventRef is an event name or a RetentionEvent object.
type RetentionEventRef struct {
	RetentionEvent
}

// UnmarshalJSON accepts an event name or a RetentionEvent object.
func (r *RetentionEventRef) UnmarshalJSON(b []byte) error {
	*r = RetentionEventRef{}
	switch jsonKind(b) {
	case "string":
		return json.Unmarshal(b, &r.Event)
	case "object":
		if err := decodeStrict(b, &r.RetentionEvent); err != nil {
			return fmt.Errorf("retention event: %w", err)
		}
		return nil
	}
	return fmt.Errorf("a retention event is an event name or {\"event\": ..., \"filters\": [...]}, got %s", jsonKind(b))
}

// MarshalJSON writes the object form.
func (r RetentionEventRef) MarshalJSON() ([]byte, error) { return json.Marshal(r.RetentionEvent) }

const maxRetentionBuckets = 730

var retentionUnits = []string{"day", "month", "week"}
var retentionUnboundedModes = []string{"carry_back", "carry_forward", "consecutive_forward", "none"}

func (q *RetentionQuery) retentionUnit() string { return orDefault(q.RetentionUnit, "week") }
func (q *RetentionQuery) alignment() string     { return orDefault(q.Alignment, "birth") }
func (q *RetentionQuery) math() string          { return orDefault(q.Math, "retention_rate") }
func (q *RetentionQuery) unit() string          { return orDefault(q.Unit, "day") }
func (q *RetentionQuery) mode() string          { return orDefault(q.Mode, "curve") }

// Validate runs the constructor and argument stages.
func (q *RetentionQuery) Validate() error {
	if err := q.checkConstruct(); err != nil {
		return err
	}
	return q.checkArgs()
}

// checkConstruct runs RetentionEvent's constructor (RE1) on both events,
// bare names included, and the shared constructors.
func (q *RetentionQuery) checkConstruct() error {
	var iss Issues
	for _, ev := range []struct {
		path string
		e    RetentionEvent
	}{{"born_event", q.BornEvent.RetentionEvent}, {"return_event", q.ReturnEvent.RetentionEvent}} {
		checkFilteredEvent("RetentionEvent", "RE1", ev.path, ev.e.Event, ev.e.FiltersCombinator, FilterList(ev.e.Filters), &iss)
	}
	checkSharedConstructors(q.GroupBy, q.Where, q.TimeComparison, &iss)
	return iss.Err(StageConstruct)
}

// checkArgs is the reference's validate_retention_args (R1-R13, CB3 and the
// shared time, breakdown and custom-property rules), in its order.
func (q *RetentionQuery) checkArgs() error {
	var iss Issues
	checkDataGroupID(q.DataGroupID, &iss)
	checkRetentionEventName(q.BornEvent.Event, "born_event", "R1", "BORN", &iss)
	checkRetentionEventName(q.ReturnEvent.Event, "return_event", "R2", "RETURN", &iss)
	ValidateTimeArgs(q.FromDate, q.ToDate, lastDays(q.Last), &iss)
	ValidateGroupByArgs(q.GroupBy, &iss)
	allInts := true
	for i, b := range q.BucketSizes {
		v, isInt := numberInt(b)
		switch {
		case !isInt:
			allInts = false
			iss.Add("R5_BUCKET_SIZES_INTEGER", fmt.Sprintf("bucket_sizes[%d]", i), "bucket_sizes[%d] must be an integer, got %s; use whole numbers such as [1, 3, 7]", i, b)
		case v <= 0:
			allInts = false
			iss.Add("R5_BUCKET_SIZES_POSITIVE", "bucket_sizes", "bucket_sizes values must be positive integers; use whole numbers from 1, such as [1, 3, 7]")
		}
	}
	if len(q.BucketSizes) > maxRetentionBuckets {
		iss.Add("R5_BUCKET_SIZES_TOO_MANY", "bucket_sizes", "bucket_sizes has %d entries, maximum is %d; use fewer, wider buckets", len(q.BucketSizes), maxRetentionBuckets)
	}
	if allInts {
		for i := 1; i < len(q.BucketSizes); i++ {
			prev, _ := numberInt(q.BucketSizes[i-1])
			cur, _ := numberInt(q.BucketSizes[i])
			if cur <= prev {
				iss.Add("R6_BUCKET_SIZES_ASCENDING", "bucket_sizes", "bucket_sizes must be in strictly ascending order, e.g. [1, 3, 7]")
				break
			}
		}
	}
	if !oneOfStrings(q.retentionUnit(), retentionUnits...) {
		iss.Add("R7_INVALID_RETENTION_UNIT", "retention_unit", "Invalid retention_unit '%s'; use day, week or month", q.RetentionUnit)
	}
	if !oneOfStrings(q.alignment(), "birth", "interval_start") {
		iss.Add("R8_INVALID_ALIGNMENT", "alignment", "Invalid alignment '%s'; use birth or interval_start", q.Alignment)
	}
	if !oneOfStrings(q.math(), "retention_rate", "unique", "total", "average") {
		iss.Add("R9_INVALID_MATH", "math", "Invalid math '%s'; use retention_rate, unique, total or average", q.Math)
	}
	if !oneOfStrings(q.mode(), "curve", "trends", "table") {
		iss.Add("R10_INVALID_MODE", "mode", "Invalid mode '%s'; use curve, trends or table", q.Mode)
	}
	if !oneOfStrings(q.unit(), retentionUnits...) {
		iss.Add("R11_INVALID_UNIT", "unit", "Invalid unit '%s'; retention units are day, week and month", q.Unit)
	}
	hasCohort, hasProperty := false, false
	for i, g := range q.GroupBy {
		switch {
		case g.Cohort != nil:
			hasCohort = true
		case g.GroupBy != nil:
			hasProperty = true
		case g.Frequency == nil:
			hasProperty = true
			if strings.TrimSpace(g.Name) == "" {
				iss.Add("R12_EMPTY_GROUP_BY", listPath("group_by", i, len(q.GroupBy)), "group_by property name must be a non-empty string; name a property such as \"platform\"")
			}
		}
	}
	if hasCohort && hasProperty {
		iss.Add("CB3_RETENTION_MIXED_BREAKDOWN", "group_by", "retention does not support mixing CohortBreakdown with property GroupBy; run one query per kind of breakdown")
	}
	ScanCustomProperties(q.GroupBy, nil, nil, &iss)
	if q.UnboundedMode != nil && !oneOfStrings(*q.UnboundedMode, retentionUnboundedModes...) {
		iss.Add("R13_INVALID_UNBOUNDED_MODE", "unbounded_mode", "Invalid unbounded_mode '%s'; valid values: %s", *q.UnboundedMode, strings.Join(retentionUnboundedModes, ", "))
	}
	ScanCustomProperties(nil, q.Where, nil, &iss)
	scanFilterCustomProperties(FilterList(q.BornEvent.Filters), "born_event", &iss)
	scanFilterCustomProperties(FilterList(q.ReturnEvent.Filters), "return_event", &iss)
	return iss.Err(StageArgs)
}

// checkRetentionEventName is R1/R2 with the reference's per-event codes.
func checkRetentionEventName(event, path, rule, which string, iss *Issues) {
	if strings.TrimSpace(event) == "" {
		iss.AddNeeding(NeedEventName, rule+"_EMPTY_"+which+"_EVENT", path, "%s must be a non-empty string; use an event name of the project", path)
		return
	}
	if controlChars().MatchString(event) {
		iss.Add(rule+"_CONTROL_CHAR_"+which+"_EVENT", path, "%s contains control characters: %q; remove them", path, event)
	}
	if invisibleOnly().MatchString(event) {
		iss.AddNeeding(NeedEventName, rule+"_INVISIBLE_"+which+"_EVENT", path, "%s contains only invisible characters; use a visible event name of the project", path)
	}
}

// Build validates the query and returns its bookmark params.
func (q *RetentionQuery) Build(today time.Time) (Params, error) {
	return build(q, today, bookmarkRules("retention"))
}

func (q *RetentionQuery) params(today time.Time) Params {
	behaviors := make([]any, 0, 2)
	for _, e := range []RetentionEvent{q.BornEvent.RetentionEvent, q.ReturnEvent.RetentionEvent} {
		behaviors = append(behaviors, map[string]any{
			"type": "event", "id": nil, "name": e.Event,
			"filters":           stepFilterEntries(FilterList(e.Filters)),
			"filtersDeterminer": orDefault(e.FiltersCombinator, "all"),
		})
	}
	buckets := make([]any, len(q.BucketSizes))
	for i, b := range q.BucketSizes {
		buckets[i] = b
	}
	behavior := map[string]any{
		"type": "retention", "resourceType": "events", "behaviors": behaviors,
		"retentionUnit": q.retentionUnit(), "retentionAlignmentType": q.alignment(),
		"retentionCustomBucketSizes": buckets, "filter": []any{},
	}
	if q.UnboundedMode != nil {
		behavior["retentionUnboundedMode"] = *q.UnboundedMode
	}
	measurement := map[string]any{"math": q.math()}
	if q.RetentionCumulative {
		measurement["retentionCumulative"] = true
	}
	dg := dataGroupPtr(q.DataGroupID)
	sections := map[string]any{
		"show":    []any{map[string]any{"type": "metric", "behavior": behavior, "measurement": measurement}},
		"time":    TimeSection(q.FromDate, q.ToDate, lastDays(q.Last), q.unit(), today),
		"filter":  globalFilterSection(q.Where),
		"group":   GroupSection(q.GroupBy, dg),
		"formula": []any{},
	}
	if dg != nil {
		sections["dataGroupId"] = *dg
	}
	display := map[string]any{"chartType": RetentionChartType(q.mode())}
	if q.TimeComparison != nil {
		display["timeComparison"] = q.TimeComparison.Entry()
	}
	return Params{
		"sections":       sections,
		"displayOptions": display,
		"sorting": map[string]any{
			"bar":  map[string]any{"colSortAttrs": []any{}, "sortBy": "column"},
			"line": map[string]any{"sortBy": "column", "colSortAttrs": []any{map[string]any{"sortBy": "value", "sortOrder": "desc", "valueField": "averageValue"}}},
			"table": map[string]any{"sortBy": "column", "colSortAttrs": []any{
				map[string]any{"sortBy": "value", "sortOrder": "desc", "valueField": "size", "viewNLimit": 12},
			}},
		},
		"columnWidths": map[string]any{"bar": map[string]any{}},
	}
}

// RetentionChartType maps a retention mode to its chart type.
func RetentionChartType(mode string) string {
	switch mode {
	case "trends":
		return "line"
	case "table":
		return "table"
	}
	return "retention-curve"
}
