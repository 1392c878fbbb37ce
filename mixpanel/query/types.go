package query

import (
	"regexp"
	"strings"
	"sync"
)

// Metric is one event measured with its own aggregation, the reference's
// Metric. Unlike a bare event name it ignores the query-level math.
type Metric struct {
	Event             string       `json:"event"`
	Math              InsightsMath `json:"math,omitempty"`
	Property          *PropertyRef `json:"property,omitempty"`
	PerUser           *string      `json:"per_user,omitempty" jsonschema:"enum=total,enum=average,enum=min,enum=max,enum=unique_values,description=Aggregate per user first (needs property)"`
	PercentileValue   *Number      `json:"percentile_value,omitempty" jsonschema:"description=For math percentile\\, e.g. 95"`
	Filters           FilterList   `json:"filters,omitempty"`
	FiltersCombinator string       `json:"filters_combinator,omitempty" jsonschema:"enum=all,enum=any,default=all"`
	SegmentMethod     *string      `json:"segment_method,omitempty" jsonschema:"enum=all,enum=first,description=first: only each user's first event counts"`
}

// InsightsMath is the aggregation of an Insights metric. Its schema is one
// $defs entry shared by the query's math and every Metric's.
type InsightsMath string

// CohortMetric measures the size of a saved cohort over time.
type CohortMetric struct {
	Cohort CohortRef `json:"cohort"`
	Name   *string   `json:"name,omitempty" jsonschema:"description=Series label"`
}

// Formula combines the non-formula event items by letter (A is the first).
type Formula struct {
	Expression string  `json:"expression" jsonschema:"description=Over the letters\\, e.g. B / A"`
	Label      *string `json:"label,omitempty"`
}

// GroupBy breaks results down by a property, with optional numeric buckets;
// with "sub" it breaks down by a sub-property of a list of objects (the
// reference's GroupBy.list_item).
type GroupBy struct {
	Property     PropertyRef `json:"property"`
	PropertyType string      `json:"property_type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,default=string"`
	BucketSize   *Number     `json:"bucket_size,omitempty" jsonschema:"description=Needs property_type number\\, bucket_min and bucket_max"`
	BucketMin    *Number     `json:"bucket_min,omitempty"`
	BucketMax    *Number     `json:"bucket_max,omitempty"`
	Sub          *string     `json:"sub,omitempty" jsonschema:"description=Breaks a list of objects down by this sub-property"`
	SubType      string      `json:"sub_type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,enum=datetime,default=string"`
}

// CohortBreakdown segments results by membership of a cohort.
type CohortBreakdown struct {
	Cohort         CohortRef `json:"cohort"`
	Name           *string   `json:"name,omitempty"`
	IncludeNegated *bool     `json:"include_negated,omitempty" jsonschema:"default=true,description=Also show a Not In segment"`
}

// FrequencyBreakdown segments users by how often they did an event.
type FrequencyBreakdown struct {
	Event      string  `json:"event" jsonschema:"description=Segments users by how often they did it"`
	BucketSize *Int    `json:"bucket_size,omitempty" jsonschema:"default=1"`
	BucketMin  *Int    `json:"bucket_min,omitempty"`
	BucketMax  *Int    `json:"bucket_max,omitempty" jsonschema:"default=10"`
	Label      *string `json:"label,omitempty"`
}

// FrequencyFilter keeps users who did an event a number of times.
type FrequencyFilter struct {
	Event          string     `json:"event"`
	Value          Number     `json:"value" jsonschema:"description=Threshold count"`
	Operator       string     `json:"operator,omitempty" jsonschema:"enum=is at least,enum=is at most,enum=is greater than,enum=is less than,enum=is equal to,default=is at least"`
	DateRangeValue *Int       `json:"date_range_value,omitempty" jsonschema:"description=Look-back window in date_range_unit"`
	DateRangeUnit  *string    `json:"date_range_unit,omitempty" jsonschema:"enum=day,enum=week,enum=month"`
	EventFilters   FilterList `json:"event_filters,omitempty"`
	Label          *string    `json:"label,omitempty"`
}

// TimeComparison overlays a comparison period: relative (unit) or
// absolute-start / absolute-end (date).
type TimeComparison struct {
	Type string  `json:"type" jsonschema:"enum=relative,enum=absolute-start,enum=absolute-end"`
	Unit *string `json:"unit,omitempty" jsonschema:"enum=day,enum=week,enum=month,enum=quarter,enum=year,description=relative only"`
	Date *string `json:"date,omitempty" jsonschema:"description=absolute-* only: YYYY-MM-DD"`
}

var controlChars = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]") })
var invisibleOnly = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^[\\s\u200b\u200c\u200d\ufeff\u00ad\u2060]*$") })

// mathRequiringProperty is the reference's MATH_REQUIRING_PROPERTY.
var mathRequiringProperty = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"average": true, "median": true, "min": true, "max": true, "p25": true, "p75": true,
		"p90": true, "p99": true, "custom_percentile": true, "percentile": true, "histogram": true,
		"unique_values": true, "most_frequent": true, "first_value": true, "multi_attribution": true,
		"numeric_summary": true,
	}
})

var mathNoPerUser = sync.OnceValue(func() map[string]bool { return map[string]bool{"dau": true, "wau": true, "mau": true, "unique": true} })

func (m *Metric) math() string {
	if m.Math == "" {
		return "total"
	}
	return string(m.Math)
}

func (m *Metric) combinator() string {
	if m.FiltersCombinator == "" {
		return "all"
	}
	return m.FiltersCombinator
}

// check runs the reference's Metric constructor rules (M1-M4).
func (m *Metric) check(path string, iss *Issues) {
	if strings.TrimSpace(m.Event) == "" {
		iss.AddNeeding(NeedEventName, "M1", join(path, "event"), "Metric.event must be a non-empty string; set event to an event name of the project")
	} else if controlChars().MatchString(m.Event) {
		iss.Add("M1", join(path, "event"), "Metric.event contains control characters: %q; remove them", m.Event)
	}
	math := m.math()
	if mathRequiringProperty()[math] && m.Property == nil && math != "custom_percentile" {
		iss.Add("M2", join(path, "property"), "Metric math=%q requires a property; set property to a numeric event property such as \"amount\"", math)
	}
	if math == "percentile" && m.PercentileValue == nil {
		iss.Add("M3", join(path, "percentile_value"), "Metric math=\"percentile\" requires percentile_value, e.g. 95")
	}
	if m.SegmentMethod != nil && !oneOfStrings(*m.SegmentMethod, "all", "first") {
		iss.Add("M4", join(path, "segment_method"), "Metric segment_method must be one of ['all', 'first'], got %q", *m.SegmentMethod)
	}
	if !oneOfStrings(m.combinator(), "all", "any") {
		iss.Add("X1_INVALID_ENUM", join(path, "filters_combinator"), "filters_combinator %q is not valid; use all or any", m.FiltersCombinator)
	}
	if m.Property != nil {
		m.Property.checkShape(join(path, "property"), iss)
	}
	m.Filters.resolveAll(join(path, "filters"), iss)
}

// check runs the CohortMetric constructor rules (CM1, CM2, CM5).
func (c *CohortMetric) check(path string, iss *Issues) {
	if c.Cohort.Definition != nil {
		iss.Add("CM5", join(path, "cohort"), "CohortMetric does not support inline CohortDefinition (server returns 500); use a saved cohort id instead")
		return
	}
	checkCohortArgs(c.Cohort, c.Name, path, "CM1", "CM2", iss)
}

// check runs the Formula constructor rule.
func (f *Formula) check(path string, iss *Issues) {
	if strings.TrimSpace(f.Expression) == "" {
		iss.Add("FM1", join(path, "expression"), "Formula.expression must be a non-empty string such as \"B / A\"")
	}
}

func (g *GroupBy) propertyType() string {
	if g.PropertyType == "" {
		return "string"
	}
	return g.PropertyType
}

// check runs the GroupBy constructor rules (GB1-GB5).
func (g *GroupBy) check(path string, iss *Issues) {
	if !g.Property.IsCustom() && strings.TrimSpace(g.Property.Name) == "" {
		iss.Add("GB1", join(path, "property"), "GroupBy.property must be a non-empty string")
	}
	if g.BucketSize != nil && g.BucketSize.Float() <= 0 {
		iss.Add("GB2", join(path, "bucket_size"), "GroupBy.bucket_size must be positive, got %s", *g.BucketSize)
	}
	if g.BucketMin != nil && g.BucketMax != nil && g.BucketMin.Float() >= g.BucketMax.Float() {
		iss.Add("GB3", path, "GroupBy.bucket_min (%s) must be less than bucket_max (%s)", *g.BucketMin, *g.BucketMax)
	}
	if !oneOfStrings(g.propertyType(), "string", "number", "boolean", "datetime") {
		iss.Add("X1_INVALID_ENUM", join(path, "property_type"), "property_type %q is not valid; use string, number, boolean or datetime", g.PropertyType)
	}
	if g.Sub != nil {
		if g.BucketSize != nil || g.BucketMin != nil || g.BucketMax != nil {
			iss.Add("GB4", path, "GroupBy.list_item is incompatible with bucketing; remove the bucket fields")
		}
		if g.Property.IsCustom() {
			iss.Add("GB5", join(path, "property"), "GroupBy.list_item requires property to be a plain property name")
		}
		if strings.TrimSpace(*g.Sub) == "" {
			iss.Add("X7_LIST_ITEM", join(path, "sub"), "ListItemGroupMode.sub must be a non-empty string")
		}
		st := g.SubType
		if st == "" {
			st = "string"
		}
		if !oneOfStrings(st, "string", "number", "boolean", "datetime") {
			iss.Add("X7_LIST_ITEM", join(path, "sub_type"), "sub_type must be one of string, number, boolean, datetime, got %q", g.SubType)
		}
	} else if g.SubType != "" {
		iss.Add("X7_LIST_ITEM", join(path, "sub_type"), "sub_type needs sub; set sub to the list item's sub-property")
	}
	g.Property.checkShape(join(path, "property"), iss)
}

// check runs the CohortBreakdown constructor rules (CB1, CB2).
func (c *CohortBreakdown) check(path string, iss *Issues) {
	checkCohortArgs(c.Cohort, c.Name, path, "CB1", "CB2", iss)
}

func (f *FrequencyBreakdown) buckets() (size, lo, hi int64) {
	size, lo, hi = 1, 0, 10
	if f.BucketSize != nil {
		size = int64(*f.BucketSize)
	}
	if f.BucketMin != nil {
		lo = int64(*f.BucketMin)
	}
	if f.BucketMax != nil {
		hi = int64(*f.BucketMax)
	}
	return
}

// check runs the FrequencyBreakdown constructor rules (FB1-FB4).
func (f *FrequencyBreakdown) check(path string, iss *Issues) {
	size, lo, hi := f.buckets()
	switch {
	case strings.TrimSpace(f.Event) == "":
		iss.Add("FB1", join(path, "event"), "FrequencyBreakdown.event must be a non-empty string")
	case size <= 0:
		iss.Add("FB2", join(path, "bucket_size"), "FrequencyBreakdown.bucket_size must be positive, got %d", size)
	case lo < 0:
		iss.Add("FB4", join(path, "bucket_min"), "FrequencyBreakdown.bucket_min must be non-negative, got %d", lo)
	case lo >= hi:
		iss.Add("FB3", path, "FrequencyBreakdown.bucket_min (%d) must be less than bucket_max (%d)", lo, hi)
	}
}

// frequencyFilterOperators is the reference's VALID_FREQUENCY_FILTER_OPERATORS.
var frequencyFilterOperators = []string{"is at least", "is at most", "is equal to", "is greater than", "is less than"}

func (f *FrequencyFilter) operator() string {
	if f.Operator == "" {
		return "is at least"
	}
	return f.Operator
}

// check runs the FrequencyFilter constructor rules (FF1-FF5).
func (f *FrequencyFilter) check(path string, iss *Issues) {
	switch {
	case strings.TrimSpace(f.Event) == "":
		iss.Add("FF1", join(path, "event"), "FrequencyFilter.event must be a non-empty string")
	case !oneOfStrings(f.operator(), frequencyFilterOperators...):
		iss.Add("FF2", join(path, "operator"), "FrequencyFilter.operator must be one of: %s; got %q", strings.Join(frequencyFilterOperators, ", "), f.Operator)
	case f.Value == "":
		iss.Add("FF3", join(path, "value"), "FrequencyFilter needs value, the threshold count, e.g. 3")
	case f.Value.Float() < 0:
		iss.Add("FF3", join(path, "value"), "FrequencyFilter.value must be non-negative, got %s", f.Value)
	case (f.DateRangeValue == nil) != (f.DateRangeUnit == nil):
		iss.Add("FF4", path, "FrequencyFilter.date_range_value and date_range_unit must both be set or both be omitted")
	case f.DateRangeValue != nil && *f.DateRangeValue <= 0:
		iss.Add("FF5", join(path, "date_range_value"), "FrequencyFilter.date_range_value must be positive when set, got %d", *f.DateRangeValue)
	case f.DateRangeUnit != nil && !oneOfStrings(*f.DateRangeUnit, "day", "week", "month"):
		iss.Add("X1_INVALID_ENUM", join(path, "date_range_unit"), "date_range_unit %q is not valid; use day, week or month", *f.DateRangeUnit)
	}
	f.EventFilters.resolveAll(join(path, "event_filters"), iss)
}

// check runs the TimeComparison constructor rules (TC0-TC3b).
func (t *TimeComparison) check(path string, iss *Issues) {
	typ := strings.ReplaceAll(t.Type, "_", "-")
	switch typ {
	case "relative":
		switch {
		case t.Unit == nil:
			iss.Add("TC1", join(path, "unit"), "TimeComparison type='relative' requires unit, e.g. \"unit\": \"month\"")
		case !oneOfStrings(*t.Unit, "day", "week", "month", "quarter", "year"):
			iss.Add("TC1b", join(path, "unit"), "TimeComparison unit must be one of ['day', 'month', 'quarter', 'week', 'year'], got %q", *t.Unit)
		case t.Date != nil:
			iss.Add("TC1", join(path, "date"), "TimeComparison type='relative' does not accept date; use absolute-start or absolute-end for a date")
		}
	case "absolute-start", "absolute-end":
		switch {
		case t.Date == nil:
			iss.Add("TC2", join(path, "date"), "TimeComparison type=%q requires date, e.g. \"date\": \"2026-01-01\"", typ)
		case t.Unit != nil:
			iss.Add("TC2", join(path, "unit"), "TimeComparison type=%q does not accept unit; unit is only valid for type='relative'", typ)
		case !dateRe().MatchString(*t.Date):
			iss.Add("TC3", join(path, "date"), "TimeComparison date must be in YYYY-MM-DD format, got %q", *t.Date)
		default:
			if _, ok := parseDate(*t.Date); !ok {
				iss.Add("TC3b", join(path, "date"), "TimeComparison date is not a valid calendar date: %q", *t.Date)
			}
		}
	default:
		iss.Add("TC0", join(path, "type"), "TimeComparison type must be one of ['absolute-end', 'absolute-start', 'relative'], got %q", t.Type)
	}
}

// Entry is displayOptions.timeComparison.
func (t TimeComparison) Entry() map[string]any {
	typ := strings.ReplaceAll(t.Type, "_", "-")
	if typ == "relative" {
		return map[string]any{"type": typ, "value": deref(t.Unit)}
	}
	return map[string]any{"type": typ, "value": deref(t.Date)}
}
