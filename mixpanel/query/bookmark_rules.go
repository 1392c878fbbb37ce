package query

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// The reference's bookmark enums (bookmark_enums.py) that the B rules check.
var (
	validMathInsights = sync.OnceValue(func() map[string]bool {
		return setOf("total", "unique", "cumulative_unique", "sessions", "dau", "wau", "mau",
			"average", "median", "min", "max", "p25", "p75", "p90", "p99", "custom_percentile", "histogram",
			"unique_values", "most_frequent", "first_value", "multi_attribution", "numeric_summary")
	})
	validMathFunnels = sync.OnceValue(func() map[string]bool {
		return setOf("general", "unique", "session", "total", "conversion_rate",
			"conversion_rate_unique", "conversion_rate_total", "conversion_rate_session", "average",
			"median", "min", "max", "p25", "p75", "p90", "p99", "histogram")
	})
	validMathRetention = sync.OnceValue(func() map[string]bool { return setOf("unique", "retention_rate", "total", "average") })
	validPerUser       = sync.OnceValue(func() map[string]bool {
		return setOf("average", "max", "min", "session_replay_id_value", "total", "unique_values")
	})
	validTimeUnits = sync.OnceValue(func() map[string]bool {
		return setOf("hour", "day", "week", "month", "second", "minute", "quarter", "year",
			"session", "hour_of_day", "day_of_week")
	})
	validPropertyTypes = sync.OnceValue(func() map[string]bool {
		return setOf("string", "number", "datetime", "boolean", "list", "object", "undefined",
			"dimension", "other", "unknown")
	})
	validChartTypes = sync.OnceValue(func() map[string]bool {
		return setOf("bar", "line", "pie", "bar-stacked", "stacked-line", "table", "insights-metric",
			"column", "stacked-column", "metric", "sankey", "flows", "paths", "funnel-top-paths", "funnel-steps",
			"funnel-steps-metric", "funnel-trend", "funnel-frequency-line", "funnel-frequency-bar",
			"funnel-ttc-line", "funnel-ttc-bar", "funnel-median-ttc", "line-retention", "retention-trend",
			"retention-trend-metric", "retention-table", "retention-curve", "frequency", "impact-adoption",
			"impact-trends", "impact-propensity", "frequency-curve")
	})
)

const maxFilterValues = 1000

func setOf(vals ...string) map[string]bool {
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		m[v] = true
	}
	return m
}

// enumIssue words an invalid enum the reference's way and lists valid values.
func enumIssue(iss *Issues, code, path, field, value string, valid map[string]bool) {
	keys := make([]string, 0, len(valid))
	for k := range valid {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	iss.Add(code, path, "Invalid %s '%s'. Valid values: %s", field, value, strings.Join(keys, ", "))
}

// ValidateBookmark applies the reference's error-level bookmark rules (B*)
// to built params; bookmarkType selects the math enum ("insights",
// "funnels" or "retention"). Warning-level rules are left out: they never
// stopped a query in the reference either.
func ValidateBookmark(params Params, bookmarkType string, iss *Issues) {
	sections, ok := params["sections"].(map[string]any)
	if !ok {
		iss.Add("B1_MISSING_SECTIONS", "params", "Missing required field 'sections'")
		return
	}
	display, ok := params["displayOptions"].(map[string]any)
	if !ok {
		iss.Add("B2_MISSING_DISPLAY_OPTIONS", "params", "Missing required field 'displayOptions'")
	}
	show, _ := sections["show"].([]any)
	if len(show) == 0 {
		iss.Add("B4_SHOW_EMPTY", "sections.show", "'show' must be a non-empty list")
	}
	for i, c := range show {
		validateShowClause(c, i, bookmarkType, iss)
	}
	if display != nil {
		ct, _ := display["chartType"].(string)
		if ct == "" {
			iss.Add("B5_INVALID_CHART_TYPE", "displayOptions", "Missing required 'chartType'")
		} else if !validChartTypes()[ct] {
			enumIssue(iss, "B5_INVALID_CHART_TYPE", "displayOptions.chartType", "chartType", ct, validChartTypes())
		}
	}
	times, _ := sections["time"].([]any)
	for i, t := range times {
		tm, _ := t.(map[string]any)
		if u, ok := tm["unit"].(string); ok && !validTimeUnits()[u] {
			enumIssue(iss, "B12_INVALID_TIME_UNIT", join("sections.time", i)+".unit", "time unit", u, validTimeUnits())
		}
	}
	filters, _ := sections["filter"].([]any)
	for i, f := range filters {
		validateFilterClause(f, join("sections.filter", i), iss)
	}
	groups, _ := sections["group"].([]any)
	for i, g := range groups {
		gm, _ := g.(map[string]any)
		if c, ok := gm["cohorts"]; ok && c != nil {
			if l, ok := c.([]any); !ok || len(l) == 0 {
				iss.Add("B26_EMPTY_COHORTS", join("sections.group", i)+".cohorts", "Cohort group entry must have non-empty cohorts array")
			}
		}
	}
}

func validateShowClause(c any, i int, bookmarkType string, iss *Issues) {
	path := join("sections.show", i)
	clause, _ := c.(map[string]any)
	if clause == nil {
		iss.Add("B6_MISSING_BEHAVIOR", path, "Show clause must be a dict")
		return
	}
	behavior, hasBehavior := clause["behavior"].(map[string]any)
	if clause["type"] == "formula" && !hasBehavior {
		return
	}
	if !hasBehavior {
		iss.Add("B6_MISSING_BEHAVIOR", path, "Show clause missing 'behavior'")
		return
	}
	btype, _ := behavior["type"].(string)
	if btype == "event" || btype == "simple" || btype == "custom-event" {
		if behavior["name"] == nil {
			iss.Add("B8_MISSING_EVENT_NAME", path+".behavior", "Event behavior requires a 'name'")
		}
	}
	if btype == "cohort" {
		if id, ok := behavior["id"]; ok && id != nil {
			if n, ok := intOf(id); !ok || n <= 0 {
				iss.Add("B22_COHORT_BEHAVIOR_ID", path+".behavior.id", "Cohort behavior id must be a positive integer")
			}
		} else if behavior["raw_cohort"] == nil {
			iss.Add("B22_COHORT_MISSING_IDENTIFIER", path+".behavior", "Cohort behavior must have either 'id' (saved cohort) or 'raw_cohort' (inline definition)")
		}
		if rt, ok := behavior["resourceType"].(string); ok && rt != "cohorts" {
			iss.Add("B23_COHORT_RESOURCE_TYPE", path+".behavior.resourceType", "Cohort behavior resourceType must be 'cohorts' (got '%s')", rt)
		}
	}
	if bf, ok := behavior["filters"].([]any); ok {
		for fi, f := range bf {
			validateFilterClause(f, fmt.Sprintf("%s.behavior.filters[%d]", path, fi), iss)
		}
	}
	m, _ := clause["measurement"].(map[string]any)
	if m == nil {
		return
	}
	if math, ok := m["math"].(string); ok {
		valid := validMathInsights()
		switch bookmarkType {
		case "funnels":
			valid = validMathFunnels()
		case "retention":
			valid = validMathRetention()
		}
		if !valid[math] {
			enumIssue(iss, "B9_INVALID_MATH", path+".measurement.math", "math", math, valid)
			if math == "sum" {
				(*iss)[len(*iss)-1].Message += "; to sum a property use math total with the property"
			}
		}
		if btype == "cohort" && math != "unique" {
			iss.Add("B24_COHORT_MATH", path+".measurement.math", "Cohort behavior math must be 'unique' (got '%s')", math)
		}
	}
	if pu, ok := m["perUserAggregation"].(string); ok && !validPerUser()[pu] {
		enumIssue(iss, "B11_INVALID_PER_USER", path+".measurement.perUserAggregation", "perUserAggregation", pu, validPerUser())
		if pu == "sum" {
			(*iss)[len(*iss)-1].Message += "; use total to add up per user"
		}
	}
}

func validateFilterClause(c any, path string, iss *Issues) {
	clause, _ := c.(map[string]any)
	if clause == nil {
		iss.Add("B14_INVALID_FILTER_TYPE", path, "Filter clause must be a dict")
		return
	}
	has := func(k string) bool { return clause[k] != nil }
	if !(truthy(clause["value"]) || truthy(clause["propertyName"]) || has("customPropertyId") || has("customProperty")) {
		iss.Add("B18_MISSING_FILTER_PROPERTY", path, "Filter missing property identifier ('value', 'propertyName', 'customPropertyId', or 'customProperty')")
	}
	if id, ok := clause["customPropertyId"]; ok && id != nil {
		if n, ok := intOf(id); !ok || n <= 0 {
			iss.Add("B18B_INVALID_CP_ID", path+".customPropertyId", "customPropertyId must be a positive integer (got %v)", id)
		}
	}
	if ft, ok := clause["filterType"].(string); ok && !validPropertyTypes()[ft] {
		enumIssue(iss, "B14_INVALID_FILTER_TYPE", path+".filterType", "filterType", ft, validPropertyTypes())
	}
	fv, isList := clause["filterValue"].([]any)
	if clause["filterType"] == "list" && (clause["filterOperator"] == "contains" || clause["filterOperator"] == "does not contain") && len(fv) > 0 {
		if first, ok := fv[0].(map[string]any); ok {
			if _, ok := first["cohort"]; ok && clause["value"] != "$cohorts" {
				iss.Add("B25_COHORT_FILTER_VALUE", path+".value", "Cohort filter value must be '$cohorts'")
			}
		}
	}
	if isList && len(fv) == 0 {
		iss.Add("B20_EMPTY_FILTER_VALUE", path+".filterValue", "filterValue must not be an empty list; give at least one value or use is_set")
	}
	if isList && len(fv) > maxFilterValues {
		iss.Add("B21_FILTER_VALUE_TOO_MANY", path+".filterValue", "filterValue has %d entries, maximum is %d", len(fv), maxFilterValues)
	}
}

// truthy is Python's truth value of a decoded JSON value, which the
// reference's B18 check relies on.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case bool:
		return x
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case Number:
		return x.Float() != 0
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}
