package query

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// InsightsQuery is the whole surface of the reference's Workspace.query:
// what to measure, over which dates, broken down and filtered how.
type InsightsQuery struct {
	Events          EventList       `json:"events"`
	FromDate        *string         `json:"from_date,omitempty" jsonschema:"description=YYYY-MM-DD; to_date defaults to today"`
	ToDate          *string         `json:"to_date,omitempty" jsonschema:"description=YYYY-MM-DD; needs from_date"`
	Last            *Int            `json:"last,omitempty" jsonschema:"default=30,description=Days back when no dates are given"`
	Unit            string          `json:"unit,omitempty" jsonschema:"enum=hour,enum=day,enum=week,enum=month,enum=quarter,default=day,description=Time bucket"`
	Math            InsightsMath    `json:"math,omitempty" jsonschema:"description=For plain event names"`
	MathProperty    *string         `json:"math_property,omitempty" jsonschema:"description=Property for property math on plain event names"`
	PerUser         *string         `json:"per_user,omitempty" jsonschema:"enum=total,enum=average,enum=min,enum=max,enum=unique_values,description=Per-user pre-aggregation for plain event names"`
	PercentileValue *Number         `json:"percentile_value,omitempty" jsonschema:"description=For math percentile\\, e.g. 95"`
	GroupBy         GroupList       `json:"group_by,omitempty"`
	Where           WhereList       `json:"where,omitempty"`
	Formula         *string         `json:"formula,omitempty" jsonschema:"description=Formula over events by letter\\, e.g. (B / A) * 100; hides the metrics"`
	FormulaLabel    *string         `json:"formula_label,omitempty"`
	Rolling         *Int            `json:"rolling,omitempty" jsonschema:"description=Rolling average window in units"`
	Cumulative      bool            `json:"cumulative,omitempty" jsonschema:"description=Running totals (not with rolling)"`
	Mode            string          `json:"mode,omitempty" jsonschema:"enum=timeseries,enum=total,enum=table,default=timeseries,description=timeseries: per unit; total: one number per series"`
	TimeComparison  *TimeComparison `json:"time_comparison,omitempty"`
	DataGroupID     *Int            `json:"data_group_id,omitempty" jsonschema:"description=Group analytics data group"`
}

// Params is a built bookmark params object, ready to post or save.
type Params = map[string]any

// DefaultLast is the reference's default relative range in days.
const DefaultLast = 30

const maxLastDays = 3650
const maxRolling = 365

// lastDays is a query's relative range in days: last, else DefaultLast.
func lastDays(last *Int) int64 {
	if last == nil {
		return DefaultLast
	}
	return int64(*last)
}

func (q *InsightsQuery) unit() string { return orDefault(q.Unit, "day") }
func (q *InsightsQuery) math() string { return orDefault(string(q.Math), "total") }
func (q *InsightsQuery) mode() string { return orDefault(q.Mode, "timeseries") }

// splitEvents separates metrics from formulas, the way the reference does
// before validating: letters refer to metric positions only.
func (q *InsightsQuery) splitEvents() (metrics []EventItem, formulas []Formula) {
	for _, e := range q.Events {
		if e.Formula != nil {
			formulas = append(formulas, *e.Formula)
			continue
		}
		metrics = append(metrics, e)
	}
	if q.Formula != nil {
		formulas = []Formula{{Expression: *q.Formula, Label: q.FormulaLabel}}
	}
	return metrics, formulas
}

// Validate runs the construct and argument stages and returns a
// *ValidationError listing every issue of the first stage that failed.
func (q *InsightsQuery) Validate() error {
	if err := q.checkConstruct(); err != nil {
		return err
	}
	return q.checkArgs()
}

func (q *InsightsQuery) checkConstruct() error {
	var iss Issues
	for i, e := range q.Events {
		p := join("events", i)
		switch {
		case e.Metric != nil:
			e.Metric.check(p, &iss)
		case e.Cohort != nil:
			e.Cohort.check(p, &iss)
		case e.Formula != nil:
			e.Formula.check(p, &iss)
		}
	}
	if q.Formula != nil && strings.TrimSpace(*q.Formula) == "" {
		iss.Add("FM1", "formula", "formula must be a non-empty expression such as \"B / A\"")
	}
	checkSharedConstructors(q.GroupBy, q.Where, q.TimeComparison, &iss)
	if !oneOfStrings(q.mode(), "timeseries", "total", "table") {
		iss.Add("X8_INVALID_MODE", "mode", "mode %q is not valid; use timeseries, total or table", q.Mode)
	}
	return iss.Err(StageConstruct)
}

func (q *InsightsQuery) checkArgs() error {
	var iss Issues
	metrics, formulas := q.splitEvents()
	// The reference rejects these two shapes before any other check.
	if len(q.Events) == 1 && q.Events[0].Formula != nil {
		iss.Add("V0_NO_EVENTS", "events", "Formula cannot be the only item; provide event(s) too, e.g. [\"Signup\", \"Purchase\", {\"expression\": \"B / A\"}]")
		return iss.Err(StageArgs)
	}
	if q.Formula != nil && len(metrics) < len(q.Events) {
		iss.Add("V4_FORMULA_CONFLICT", "formula", "Cannot combine top-level 'formula' parameter with Formula objects in the events list; use one approach")
		return iss.Err(StageArgs)
	}
	if q.DataGroupID != nil && *q.DataGroupID <= 0 {
		iss.Add("DG1_INVALID_DATA_GROUP_ID", "data_group_id", "data_group_id must be a positive integer (got %d)", *q.DataGroupID)
	}
	if len(metrics) == 0 {
		iss.Add("V0_NO_EVENTS", "events", "At least one event is required; set events to an event name such as \"Signup\"")
	}
	hasPlain := false
	for i, e := range metrics {
		p := join("events", i)
		switch {
		case e.Cohort != nil:
			continue
		case e.Metric == nil:
			hasPlain = true
		}
		name := e.Name
		if e.Metric != nil {
			name = e.Metric.Event
		}
		if strings.TrimSpace(name) == "" {
			iss.AddNeeding(NeedEventName, "V17_EMPTY_EVENT", p, "Event name must be a non-empty string; use an event name of the project")
			continue
		}
		if controlChars().MatchString(name) {
			iss.Add("V22_CONTROL_CHAR_EVENT", p, "Event name contains control characters (e.g. null bytes): %q; remove them", name)
		}
		if invisibleOnly().MatchString(name) {
			iss.AddNeeding(NeedEventName, "V22_INVISIBLE_EVENT", p, "Event name contains only invisible characters; use a visible event name of the project")
		}
	}
	math := q.math()
	if hasPlain {
		if mathRequiringProperty()[math] && q.MathProperty == nil {
			iss.Add("V1_MATH_REQUIRES_PROPERTY", "math", "math='%s' requires math_property to be set; set math_property to a numeric event property such as \"amount\"", math)
		}
		if !mathRequiringProperty()[math] && math != "total" && q.MathProperty != nil {
			iss.Add("V2_MATH_REJECTS_PROPERTY", "math_property", "math_property is only valid with property-based math types (%s), not '%s'; remove math_property or change math", propertyMathList(), math)
		}
		if math == "percentile" && q.PercentileValue == nil {
			iss.Add("V26_PERCENTILE_REQUIRES_VALUE", "percentile_value", "math='percentile' requires percentile_value to be set, e.g. 95")
		}
		if math == "histogram" && q.PerUser == nil {
			iss.Add("V27_HISTOGRAM_REQUIRES_PER_USER", "per_user", "math='histogram' requires per_user to be set (e.g. per_user='total')")
		}
		if q.PerUser != nil && mathNoPerUser()[math] {
			iss.Add("V3_PER_USER_INCOMPATIBLE", "per_user", "per_user is incompatible with math='%s'; remove per_user or use a property math", math)
		}
		if q.PerUser != nil && q.MathProperty == nil {
			iss.Add("V3B_PER_USER_REQUIRES_PROPERTY", "per_user", "per_user requires math_property to be set; set math_property to a numeric property or remove per_user")
		}
	}
	if len(formulas) > 0 && len(metrics) < 2 {
		iss.Add("V4_FORMULA_MIN_EVENTS", "formula", "formula requires at least 2 events (got %d); add the events the formula's letters refer to", len(metrics))
	}
	for fi, f := range formulas {
		fpath := listPath("formula", fi, len(formulas))
		positions := formulaLetters(f.Expression)
		if len(positions) == 0 {
			iss.Add("V16_FORMULA_SYNTAX", fpath, "Formula '%s' must reference at least one event position (A, B, C, ...); write it over the letters of the events, e.g. B / A", f.Expression)
		}
		if len(positions) > 0 && len(metrics) > 0 {
			maxLetter := rune('A' + len(metrics) - 1)
			var out []string
			for _, p := range positions {
				if p > maxLetter {
					out = append(out, string(p))
				}
			}
			if len(out) > 0 {
				iss.Add("V19_FORMULA_BOUNDS", fpath, "Formula references position(s) ['%s'] but only %d event(s) defined (A-%c); every capital letter counts as a position", strings.Join(out, "', '"), len(metrics), maxLetter)
			}
		}
	}
	if q.Rolling != nil && q.Cumulative {
		iss.Add("V5_ROLLING_CUMULATIVE_EXCLUSIVE", "rolling", "rolling and cumulative are mutually exclusive; keep one")
	}
	if q.Rolling != nil && *q.Rolling <= 0 {
		iss.Add("V6_ROLLING_POSITIVE", "rolling", "rolling must be a positive integer, e.g. 7")
	}
	if q.Rolling != nil && *q.Rolling > maxRolling {
		iss.Add("V23_ROLLING_TOO_LARGE", "rolling", "rolling=%d exceeds maximum of %d periods; use a smaller window", *q.Rolling, maxRolling)
	}
	ValidateTimeArgs(q.FromDate, q.ToDate, lastDays(q.Last), &iss)
	ValidateGroupByArgs(q.GroupBy, &iss)
	ScanCustomProperties(q.GroupBy, nil, metrics, &iss)
	for i, e := range metrics {
		if e.Metric == nil {
			continue
		}
		m, p := e.Metric, join("events", i)
		mm := m.math()
		if mathRequiringProperty()[mm] && m.Property == nil {
			iss.Add("V13_METRIC_MATH_PROPERTY", p, "Metric('%s'): math='%s' requires property to be set; set property to a numeric event property", m.Event, mm)
		}
		if !mathRequiringProperty()[mm] && mm != "total" && m.Property != nil {
			iss.Add("V14_METRIC_REJECTS_PROPERTY", p, "Metric('%s'): property is only valid with property-based math types (%s), not '%s'; remove property or change math", m.Event, propertyMathList(), mm)
		}
		if mm == "histogram" && m.PerUser == nil {
			iss.Add("V27_HISTOGRAM_REQUIRES_PER_USER", p, "Metric('%s'): math='histogram' requires per_user to be set (e.g. per_user='total')", m.Event)
		}
		if mm == "percentile" && m.PercentileValue == nil {
			iss.Add("V26_PERCENTILE_REQUIRES_VALUE", p, "Metric('%s'): math='percentile' requires percentile_value to be set, e.g. 95", m.Event)
		}
		if m.PerUser != nil && mathNoPerUser()[mm] {
			iss.Add("V3_PER_USER_INCOMPATIBLE", p, "Metric('%s'): per_user is incompatible with math='%s'; remove per_user or use a property math", m.Event, mm)
		}
		if m.PerUser != nil && m.Property == nil {
			iss.Add("V3B_PER_USER_REQUIRES_PROPERTY", p, "Metric('%s'): per_user requires property to be set; set property or remove per_user", m.Event)
		}
	}
	ScanCustomProperties(nil, q.Where, nil, &iss)
	return iss.Err(StageArgs)
}

// propertyMathList names the property maths (and total) in error
// messages: sorted once, not per validation.
var propertyMathList = sync.OnceValue(func() string { return sortedMathWithProperty() })

func sortedMathWithProperty() string {
	keys := make([]string, 0, len(mathRequiringProperty())+1)
	for k := range mathRequiringProperty() {
		keys = append(keys, k)
	}
	keys = append(keys, "total")
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// formulaLetters is every distinct capital letter of a formula, sorted:
// the reference counts each one as an event position.
func formulaLetters(expr string) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, r := range expr {
		if r >= 'A' && r <= 'Z' && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ValidateTimeArgs is the reference's validate_time_args (V7-V10, V15, V20),
// shared by every engine.
func ValidateTimeArgs(fromDate, toDate *string, last int64, iss *Issues) {
	if last <= 0 {
		iss.Add("V7_LAST_POSITIVE", "last", "last must be a positive integer, e.g. 30")
	}
	for _, d := range []struct {
		name string
		v    *string
	}{{"from_date", fromDate}, {"to_date", toDate}} {
		if d.v == nil {
			continue
		}
		if !dateRe().MatchString(*d.v) {
			iss.Add("V8_DATE_FORMAT", d.name, "%s must be YYYY-MM-DD format (got '%s'), e.g. 2024-01-31", d.name, *d.v)
		} else if _, ok := parseDate(*d.v); !ok {
			iss.Add("V8_DATE_INVALID", d.name, "%s '%s' is not a valid calendar date; check the day of the month", d.name, *d.v)
		}
	}
	if toDate != nil && fromDate == nil {
		iss.Add("V9_TO_REQUIRES_FROM", "to_date", "to_date requires from_date; set from_date too, or use last")
	}
	if fromDate != nil && last != DefaultLast {
		iss.Add("V10_DATE_LAST_EXCLUSIVE", "last", "Cannot combine last=%d with explicit dates; use either last or from_date/to_date", last)
	}
	if fromDate != nil && toDate != nil && dateRe().MatchString(*fromDate) && dateRe().MatchString(*toDate) && *fromDate > *toDate {
		iss.Add("V15_DATE_ORDER", "from_date", "from_date '%s' is after to_date '%s'; dates must be in chronological order", *fromDate, *toDate)
	}
	if last > maxLastDays {
		iss.Add("V20_LAST_TOO_LARGE", "last", "last=%d exceeds maximum of %d days (~10 years); use a smaller last or explicit dates", last, maxLastDays)
	}
}

// ValidateGroupByArgs is the reference's validate_group_by_args (V11, V12,
// V12B, V12C, V18).
func ValidateGroupByArgs(groups GroupList, iss *Issues) {
	for i, g := range groups {
		if g.GroupBy == nil {
			continue
		}
		gb, p := g.GroupBy, listPath("group_by", i, len(groups))
		if (gb.BucketMin != nil || gb.BucketMax != nil) && gb.BucketSize == nil {
			iss.Add("V11_BUCKET_REQUIRES_SIZE", p, "bucket_min/bucket_max require bucket_size; set bucket_size or remove the bounds")
		}
		if gb.BucketSize != nil && gb.BucketSize.Float() <= 0 {
			iss.Add("V12_BUCKET_SIZE_POSITIVE", p, "bucket_size must be positive, e.g. 10")
		}
		if gb.BucketSize != nil && gb.propertyType() != "number" {
			iss.Add("V12B_BUCKET_REQUIRES_NUMBER", p, "bucket_size requires property_type='number'; set property_type to number or remove the buckets")
		}
		if gb.BucketSize != nil && (gb.BucketMin == nil || gb.BucketMax == nil) {
			iss.Add("V12C_BUCKET_REQUIRES_BOUNDS", p, "bucket_size requires both bucket_min and bucket_max; set both")
		}
		if gb.BucketMin != nil && gb.BucketMax != nil && gb.BucketMin.Float() >= gb.BucketMax.Float() {
			iss.Add("V18_BUCKET_ORDER", p, "bucket_min (%s) must be less than bucket_max (%s)", *gb.BucketMin, *gb.BucketMax)
		}
	}
}

// ScanCustomProperties applies CP1-CP6 to every custom property in the
// breakdowns, global filters and metrics, with the reference's paths.
func ScanCustomProperties(groups GroupList, where WhereList, metrics []EventItem, iss *Issues) {
	for i, g := range groups {
		if g.GroupBy != nil && g.GroupBy.Property.IsCustom() {
			ValidateCustomProperty(g.GroupBy.Property, listPath("group_by", i, len(groups)), iss)
		}
	}
	for i, w := range where {
		switch {
		case w.Frequency != nil:
			for fi, ef := range w.Frequency.EventFilters {
				if ef.Property != nil && ef.Property.IsCustom() {
					ValidateCustomProperty(*ef.Property, fmt.Sprintf("where[%d].event_filters[%d]", i, fi), iss)
				}
			}
		case w.Filter != nil && w.Filter.Property != nil && w.Filter.Property.IsCustom():
			ValidateCustomProperty(*w.Filter.Property, listPath("where", i, len(where)), iss)
		}
	}
	for i, e := range metrics {
		if e.Metric == nil {
			continue
		}
		if e.Metric.Property != nil && e.Metric.Property.IsCustom() {
			ValidateCustomProperty(*e.Metric.Property, join("events", i), iss)
		}
		for fi, f := range e.Metric.Filters {
			if f.Property != nil && f.Property.IsCustom() {
				ValidateCustomProperty(*f.Property, fmt.Sprintf("events[%d].filters[%d]", i, fi), iss)
			}
		}
	}
}

// Build validates the query and returns its bookmark params. today fills
// to_date when only from_date is given.
func (q *InsightsQuery) Build(today time.Time) (Params, error) {
	return build(q, today, bookmarkRules("insights"))
}

func (q *InsightsQuery) params(today time.Time) Params {
	metrics, formulas := q.splitEvents()
	hidden := len(formulas) > 0
	show := make([]any, 0, len(metrics)+len(formulas))
	for _, e := range metrics {
		var clause map[string]any
		switch {
		case e.Metric != nil:
			m := e.Metric
			clause = map[string]any{
				"type":        "metric",
				"behavior":    eventBehavior(m.Event, m.Filters, m.combinator()),
				"measurement": measurement(m.math(), m.Property, m.PerUser, m.PercentileValue, m.SegmentMethod),
			}
			if hidden {
				clause["isHidden"] = true
			}
		case e.Cohort != nil:
			behavior := map[string]any{
				"type": "cohort", "name": deref(e.Cohort.Name), "resourceType": "cohorts",
				"dataGroupId": nil, "dataset": "$mixpanel", "filtersDeterminer": "all", "filters": []any{},
			}
			e.Cohort.Cohort.writeTo(behavior)
			clause = map[string]any{
				"type":        "metric",
				"behavior":    behavior,
				"measurement": map[string]any{"math": "unique", "property": nil, "perUserAggregation": nil},
				"isHidden":    hidden,
			}
		default:
			var prop *PropertyRef
			if q.MathProperty != nil {
				prop = &PropertyRef{Name: *q.MathProperty}
			}
			clause = map[string]any{
				"type":        "metric",
				"behavior":    eventBehavior(e.Name, nil, "all"),
				"measurement": measurement(q.math(), prop, q.PerUser, q.PercentileValue, nil),
			}
			if hidden {
				clause["isHidden"] = true
			}
		}
		show = append(show, clause)
	}
	for _, f := range formulas {
		clause := map[string]any{"type": "formula", "definition": f.Expression, "measurement": map[string]any{}, "referencedMetrics": []any{}}
		if f.Label != nil && *f.Label != "" {
			clause["name"] = *f.Label
		}
		show = append(show, clause)
	}
	var dg *int64
	if q.DataGroupID != nil {
		v := int64(*q.DataGroupID)
		dg = &v
	}
	sections := map[string]any{
		"show":   show,
		"time":   TimeSection(q.FromDate, q.ToDate, lastDays(q.Last), q.unit(), today),
		"filter": FilterSection(q.Where),
		"group":  GroupSection(q.GroupBy, dg),
	}
	if dg != nil {
		sections["dataGroupId"] = *dg
	}
	display := map[string]any{"chartType": InsightsChartType(q.mode()), "analysis": "linear"}
	switch {
	case q.Rolling != nil:
		display["analysis"] = "rolling"
		display["rollingWindowSize"] = int64(*q.Rolling)
	case q.Cumulative:
		display["analysis"] = "cumulative"
	}
	if q.TimeComparison != nil {
		display["timeComparison"] = q.TimeComparison.Entry()
	}
	return Params{"sections": sections, "displayOptions": display}
}

// InsightsChartType maps an insights mode to its chart type.
func InsightsChartType(mode string) string {
	switch mode {
	case "total":
		return "bar"
	case "table":
		return "table"
	}
	return "line"
}
