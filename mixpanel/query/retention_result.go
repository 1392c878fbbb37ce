package query

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// RetentionCohort is one cohort's row: its size and, per bucket, how many
// were retained and what share that is. Bucket 0 is the birth bucket.
type RetentionCohort struct {
	First  float64   `json:"first"`  // Cohort size
	Counts []float64 `json:"counts"` // Retained per bucket (index 0 = birth bucket)
	Rates  []float64 `json:"rates"`  // Retention rate per bucket (0-1)
}

// RetentionQueryResult is the outcome of an ad-hoc retention query. For a
// breakdown, Cohorts and Average hold the $overall aggregate and Segments /
// SegmentAverages the per-segment data.
type RetentionQueryResult struct {
	ComputedAt      string                                `json:"computed_at"`
	FromDate        string                                `json:"from_date"`
	ToDate          string                                `json:"to_date"`
	Cohorts         map[string]RetentionCohort            `json:"cohorts"`           // Cohorts keyed by YYYY-MM-DD
	Average         *RetentionCohort                      `json:"average,omitempty"` // The synthetic $average cohort
	Segments        map[string]map[string]RetentionCohort `json:"segments,omitempty"`
	SegmentAverages map[string]RetentionCohort            `json:"segment_averages,omitempty"`
	Params          map[string]any                        `json:"params,omitempty"`
	Meta            map[string]any                        `json:"meta"`
}

// CohortDates returns the cohort dates in ascending order.
func (r *RetentionQueryResult) CohortDates() []string {
	return sortedCohortKeys(r.Cohorts)
}

// SegmentNames returns the breakdown segments in ascending order.
func (r *RetentionQueryResult) SegmentNames() []string {
	names := make([]string, 0, len(r.Segments))
	for name := range r.Segments {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// BucketCount is the widest counts array among the cohorts and the average.
func (r *RetentionQueryResult) BucketCount() int {
	n := 0
	for _, c := range r.Cohorts {
		n = max(n, len(c.Counts), len(c.Rates))
	}
	if r.Average != nil {
		n = max(n, len(r.Average.Counts), len(r.Average.Rates))
	}
	return n
}

// RetentionRow is one (segment, cohort, bucket) cell in long form, the shape
// the reference's DataFrame uses.
type RetentionRow struct {
	Segment    string  `json:"segment,omitempty"`
	CohortDate string  `json:"cohort_date"`
	Bucket     int     `json:"bucket"`
	Count      float64 `json:"count"`
	Rate       float64 `json:"rate"`
}

// Rows flattens the result: per segment when segmented, else the cohorts.
// A bucket with a count but no rate gets rate 0, as in the reference.
func (r *RetentionQueryResult) Rows() []RetentionRow {
	var rows []RetentionRow
	emit := func(segment string, cohorts map[string]RetentionCohort) {
		for _, date := range sortedCohortKeys(cohorts) {
			c := cohorts[date]
			for i, count := range c.Counts {
				rate := 0.0
				if i < len(c.Rates) {
					rate = c.Rates[i]
				}
				rows = append(rows, RetentionRow{Segment: segment, CohortDate: date, Bucket: i, Count: count, Rate: rate})
			}
		}
	}
	if len(r.Segments) > 0 {
		for _, name := range r.SegmentNames() {
			emit(name, r.Segments[name])
		}
		return rows
	}
	emit("", r.Cohorts)
	return rows
}

// ParseRetentionResponse turns an /insights answer for a retention bookmark
// into a RetentionQueryResult. The series must hold at most one metric key;
// several keys cannot be represented without losing data and are an error.
func ParseRetentionResponse(body []byte, params map[string]any) (*RetentionQueryResult, error) {
	top, err := responseMembers("retention", body)
	if err != nil {
		return nil, err
	}
	series, ok := top["series"]
	if !ok {
		return nil, fmt.Errorf("retention query returned unexpected response shape (missing 'series' key); keys present: %v", memberNames(top))
	}
	metrics, isObj := orderedMembers(series)
	if !isObj {
		return nil, fmt.Errorf("retention query 'series' is %s, expected an object", rawKindPhrase(series))
	}
	if len(metrics) > 1 {
		keys := make([]string, len(metrics))
		for i, m := range metrics {
			keys[i] = m.Key
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("retention query returned %d series keys %v; expected one metric", len(metrics), keys)
	}
	dates, _ := objectMap(top["date_range"])
	result := &RetentionQueryResult{
		ComputedAt: lenientString(top["computed_at"], ""),
		FromDate:   lenientString(dates["from_date"], ""),
		ToDate:     lenientString(dates["to_date"], ""),
		Cohorts:    map[string]RetentionCohort{},
		Params:     params,
		Meta:       lenientObject(top["meta"]),
	}
	if len(metrics) == 0 {
		return result, nil
	}
	cohortData, ok := orderedMembers(metrics[0].Value)
	if !ok {
		return nil, fmt.Errorf("retention series value for key %q is %s, expected cohort data", metrics[0].Key, rawKindPhrase(metrics[0].Value))
	}
	var overall json.RawMessage
	for _, m := range cohortData {
		if m.Key == "$overall" && jsonKind(m.Value) == "object" {
			overall = m.Value
		}
	}
	if overall == nil {
		result.Cohorts, result.Average = cohortsAndAverage(cohortData)
		return result, nil
	}
	overallMembers, _ := orderedMembers(overall)
	result.Cohorts, result.Average = cohortsAndAverage(overallMembers)
	result.Segments = map[string]map[string]RetentionCohort{}
	result.SegmentAverages = map[string]RetentionCohort{}
	for _, m := range cohortData {
		segMembers, isObj := orderedMembers(m.Value)
		if m.Key == "$overall" || !isObj {
			continue
		}
		cohorts, avg := cohortsAndAverage(segMembers)
		result.Segments[m.Key] = cohorts
		if avg != nil {
			result.SegmentAverages[m.Key] = *avg
		}
	}
	return result, nil
}

// cohortsAndAverage splits date-keyed cohorts from $average; ISO timestamp
// keys are cut to their date.
func cohortsAndAverage(members []jsonMember) (map[string]RetentionCohort, *RetentionCohort) {
	cohorts := map[string]RetentionCohort{}
	var average *RetentionCohort
	for _, m := range members {
		fields, isObj := objectMap(m.Value)
		if m.Key == "$average" {
			if isObj && len(fields) > 0 {
				c := retentionCohort(fields)
				average = &c
			}
			continue
		}
		if !isObj {
			continue
		}
		key := m.Key
		if strings.Contains(key, "T") && len(key) > 10 {
			key = key[:10]
		}
		cohorts[key] = retentionCohort(fields)
	}
	return cohorts, average
}

func retentionCohort(fields map[string]json.RawMessage) RetentionCohort {
	return RetentionCohort{
		First:  lenientFloat(fields["first"]),
		Counts: lenientFloats(fields["counts"]),
		Rates:  lenientFloats(fields["rates"]),
	}
}

func sortedCohortKeys(m map[string]RetentionCohort) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// rawKindPhrase names the JSON type of raw for error messages.
func rawKindPhrase(raw json.RawMessage) string {
	return kindPhrases()[jsonKind(raw)]
}

var kindPhrases = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"": "empty", "object": "an object", "array": "a list", "string": "a string",
		"bool": "a boolean", "null": "null", "number": "a number",
	}
})
