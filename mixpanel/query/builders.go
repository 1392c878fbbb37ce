package query

import "time"

// Bookmark builders shared by the insights, funnel and retention engines.
// Each returns a fragment of the bookmark params JSON.

// TimeSection is sections.time: "between" for explicit dates (to_date
// defaults to today, as in the reference), else "in the last" N days.
func TimeSection(fromDate, toDate *string, last int64, unit string, today time.Time) []any {
	if fromDate != nil {
		to := today.Format("2006-01-02")
		if toDate != nil {
			to = *toDate
		}
		return []any{map[string]any{"dateRangeType": "between", "unit": unit, "value": []any{*fromDate, to}}}
	}
	return []any{map[string]any{
		"dateRangeType": "in the last",
		"unit":          unit,
		"window":        map[string]any{"unit": "day", "value": last},
	}}
}

// FilterSection is sections.filter for where items that already passed
// their constructor checks.
func FilterSection(where WhereList) []any {
	out := make([]any, 0, len(where))
	var iss Issues
	for _, w := range where {
		switch {
		case w.Frequency != nil:
			out = append(out, FrequencyFilterEntry(*w.Frequency))
		case w.Filter != nil:
			out = append(out, w.Filter.Resolve("", &iss).Entry())
		}
	}
	return out
}

// FrequencyFilterEntry is the sections.filter entry of a FrequencyFilter.
func FrequencyFilterEntry(f FrequencyFilter) map[string]any {
	behavior := map[string]any{
		"event":          f.Event,
		"aggregation":    "total",
		"filterOperator": f.operator(),
		"filterValue":    f.Value,
	}
	if f.DateRangeValue != nil && f.DateRangeUnit != nil {
		behavior["dateRange"] = map[string]any{"value": int64(*f.DateRangeValue), "unit": *f.DateRangeUnit}
	}
	if f.EventFilters != nil {
		var iss Issues
		entries := make([]any, len(f.EventFilters))
		for i, ef := range f.EventFilters {
			entries[i] = ef.Resolve("", &iss).Entry()
		}
		behavior["eventFilters"] = entries
	}
	e := map[string]any{
		"resourceType":   "people",
		"behaviorType":   "$frequency",
		"customProperty": map[string]any{"behavior": behavior},
	}
	if f.Label != nil {
		e["label"] = *f.Label
	}
	return e
}

// GroupSection is sections.group. dataGroupID goes into the custom
// property, cohort and frequency entries, not into plain ones.
func GroupSection(groups GroupList, dataGroupID *int64) []any {
	out := make([]any, 0, len(groups))
	var dg any
	if dataGroupID != nil {
		dg = *dataGroupID
	}
	for _, g := range groups {
		switch {
		case g.GroupBy != nil:
			out = append(out, groupByEntry(*g.GroupBy, dg))
		case g.Cohort != nil:
			out = append(out, cohortGroupEntry(*g.Cohort, dg))
		case g.Frequency != nil:
			out = append(out, frequencyGroupEntry(*g.Frequency, dg))
		default:
			out = append(out, map[string]any{
				"value": g.Name, "propertyName": g.Name, "resourceType": "events",
				"propertyType": "string", "propertyDefaultType": "string",
			})
		}
	}
	return out
}

func groupByEntry(g GroupBy, dg any) map[string]any {
	var e map[string]any
	pt := g.propertyType()
	switch p := g.Property; {
	case p.Ref != nil:
		e = map[string]any{
			"customPropertyId": int64(p.Ref.ID), "value": nil, "resourceType": "events",
			"profileType": nil, "search": "", "dataGroupId": dg, "dataset": "$mixpanel",
			"propertyType": pt, "typeCast": nil, "unit": nil, "isHidden": false,
		}
	case p.Inline != nil:
		typ := p.Inline.propertyType()
		if typ == "" {
			typ = pt
		}
		e = map[string]any{
			"customProperty": p.Inline.customPropertyBody(typ), "value": nil,
			"resourceType": p.Inline.resourceType(), "profileType": nil, "search": "",
			"dataGroupId": dg, "dataset": "$mixpanel", "propertyType": typ,
			"typeCast": nil, "unit": nil, "isHidden": false,
		}
	case g.Sub != nil:
		st := g.SubType
		if st == "" {
			st = "string"
		}
		e = map[string]any{
			"dataset": "$mixpanel", "value": p.Name, "resourceType": "events",
			"joinPropertyType": "list", "propertyType": "object",
			"listItemGroup": map[string]any{
				"resourceType": "event", "propertyName": *g.Sub,
				"propertyDefaultType": st, "propertyType": st,
			},
		}
	default:
		e = map[string]any{
			"value": p.Name, "propertyName": p.Name, "resourceType": "events",
			"propertyType": pt, "propertyDefaultType": pt,
		}
	}
	if g.BucketSize != nil {
		b := map[string]any{"bucketSize": *g.BucketSize}
		if g.BucketMin != nil {
			b["min"] = *g.BucketMin
		}
		if g.BucketMax != nil {
			b["max"] = *g.BucketMax
		}
		e["customBucket"] = b
	}
	return e
}

func cohortGroupEntry(c CohortBreakdown, dg any) map[string]any {
	name := deref(c.Name)
	base := map[string]any{"name": name, "negated": false, "data_group_id": dg}
	if c.Cohort.Definition != nil {
		base["raw_cohort"] = c.Cohort.Definition.RawCohort()
	} else {
		base["id"] = int64(c.Cohort.ID)
		base["groups"] = []any{}
	}
	cohorts := []any{base}
	labels := []any{name}
	if c.IncludeNegated == nil || *c.IncludeNegated {
		neg := map[string]any{}
		for k, v := range base {
			neg[k] = v
		}
		neg["negated"] = true
		cohorts = append(cohorts, neg)
		labels = append(labels, "Not In "+name)
	}
	return map[string]any{
		"value": labels, "resourceType": "events", "profileType": nil, "search": "",
		"dataGroupId": dg, "propertyType": nil, "typeCast": nil, "cohorts": cohorts,
		"isHidden": false,
	}
}

func frequencyGroupEntry(f FrequencyBreakdown, dg any) map[string]any {
	label := f.Event + " Frequency"
	if f.Label != nil {
		label = *f.Label
	}
	size, lo, hi := f.buckets()
	return map[string]any{
		"dataset": "$mixpanel",
		"behavior": map[string]any{
			"aggregationOperator": "total",
			"event":               map[string]any{"label": f.Event, "value": f.Event},
			"behaviorType":        "$frequency",
			"filters":             []any{},
			"filtersOperator":     "and",
			"dateRange":           nil,
		},
		"value": label, "resourceType": "people", "propertyType": "number", "dataGroupId": dg,
		"customBucket": map[string]any{"bucketSize": size, "min": lo, "max": hi, "disabled": false},
	}
}

// MeasurementProperty is measurement.property of an insights metric.
func MeasurementProperty(p PropertyRef) map[string]any {
	switch {
	case p.Ref != nil:
		return map[string]any{"customPropertyId": int64(p.Ref.ID), "name": "", "resourceType": "events"}
	case p.Inline != nil:
		return map[string]any{
			"customProperty": p.Inline.customPropertyBody(p.Inline.propertyType()),
			"name":           "", "resourceType": p.Inline.resourceType(),
			"dataset": "$mixpanel", "dataGroupId": nil,
		}
	}
	return map[string]any{"name": p.Name, "resourceType": "events"}
}

func measurement(math string, prop *PropertyRef, perUser *string, percentile *Number, segment *string) map[string]any {
	if math == "percentile" {
		math = "custom_percentile"
	}
	m := map[string]any{"math": math}
	if prop != nil {
		m["property"] = MeasurementProperty(*prop)
	}
	if perUser != nil {
		m["perUserAggregation"] = *perUser
	}
	if percentile != nil {
		m["percentile"] = *percentile
	}
	if segment != nil {
		m["segmentMethod"] = *segment
	}
	return m
}

func eventBehavior(event string, filters FilterList, combinator string) map[string]any {
	entries := make([]any, 0, len(filters))
	var iss Issues
	for _, f := range filters {
		entries = append(entries, f.Resolve("", &iss).Entry())
	}
	return map[string]any{
		"type": "event", "name": event, "resourceType": "events",
		"filtersDeterminer": combinator, "filters": entries,
	}
}

// queryEngine is what every query type offers build: its constructor and
// argument stages, and the params they guard.
type queryEngine interface {
	Validate() error
	params(today time.Time) Params
}

// build is every engine's Build: the two input stages, then the params,
// then the bookmark stage on the params that would be sent.
func build(q queryEngine, today time.Time, checkBookmark func(Params, *Issues)) (Params, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	params := q.params(today)
	var iss Issues
	checkBookmark(params, &iss)
	if err := iss.Err(StageBookmark); err != nil {
		return nil, err
	}
	return params, nil
}

// bookmarkRules is ValidateBookmark for one bookmark type.
func bookmarkRules(bookmarkType string) func(Params, *Issues) {
	return func(p Params, iss *Issues) { ValidateBookmark(p, bookmarkType, iss) }
}
