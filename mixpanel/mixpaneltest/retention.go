package mixpaneltest

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

// maxRetentionCohorts caps the cohorts of one answer, as a wide date range
// with a day unit would otherwise produce hundreds.
const maxRetentionCohorts = 60

// retentionAnswer answers a retention bookmark the way /insights does:
// {"<born> and then <return>": {"<ISO date>": {first, counts, rates}, ...,
// "$average": {...}}}, or, with a breakdown, the same keyed by "$overall"
// and by each segment. Cohorts start every retentionUnit across the date
// range; later cohorts have fewer buckets because they are younger, unless
// custom bucket sizes fix the bucket count.
func retentionAnswer(_ *Server, bookmark map[string]any) (any, int) {
	show := showClause(bookmark)
	behavior, _ := show["behavior"].(map[string]any)
	rawEvents, _ := behavior["behaviors"].([]any)
	if len(rawEvents) != 2 {
		return map[string]any{"error": "retention needs exactly two behaviors (born, return)", "status": "error"}, http.StatusBadRequest
	}
	born, _ := rawEvents[0].(map[string]any)["name"].(string)
	ret, _ := rawEvents[1].(map[string]any)["name"].(string)
	unit, _ := behavior["retentionUnit"].(string)
	custom, _ := behavior["retentionCustomBucketSizes"].([]any)
	from, to := bookmarkDayRange(bookmark)
	starts := cohortStarts(from, to, unit)

	cohorts := func(scale float64) map[string]any {
		return adhocRetentionCohorts(born+"/"+ret, starts, len(custom), scale)
	}
	var value map[string]any
	if segs := firstBreakdownSegments(bookmark); len(segs) > 0 {
		value = map[string]any{"$overall": cohorts(1)}
		for i, seg := range segs {
			value[seg] = cohorts(1 / float64(i+2))
		}
	} else {
		value = cohorts(1)
	}
	return engineAnswer("$retention", born+" and then "+ret, value, from, to), http.StatusOK
}

// cohortStarts steps from from to to by the retention unit (week by default).
func cohortStarts(from, to time.Time, unit string) []time.Time {
	next := func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	switch unit {
	case "day":
		next = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	case "month":
		next = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	}
	var out []time.Time
	for d := from; !d.After(to) && len(out) < maxRetentionCohorts; d = next(d) {
		out = append(out, d)
	}
	return out
}

// adhocRetentionCohorts builds the cohort map and its $average. With fixed
// buckets every cohort has fixed+1 of them; otherwise cohort i of n has n-i.
func adhocRetentionCohorts(seed string, starts []time.Time, fixed int, scale float64) map[string]any {
	out := map[string]any{}
	n := len(starts)
	sumFirst := 0.0
	var sumCounts []float64
	var cohortsAt []int
	for i, start := range starts {
		buckets := n - i
		if fixed > 0 {
			buckets = fixed + 1
		}
		first := math.Round(scale * float64(200+stableHash(fmt.Sprint(seed, i))%300))
		counts := make([]any, buckets)
		rates := make([]any, buckets)
		for b := 0; b < buckets; b++ {
			c := first
			if b > 0 {
				c = math.Round(first * 0.55 * math.Pow(0.82, float64(b-1)))
			}
			counts[b], rates[b] = c, 0.0
			if first > 0 {
				rates[b] = c / first
			}
			if b >= len(sumCounts) {
				sumCounts = append(sumCounts, 0)
				cohortsAt = append(cohortsAt, 0)
			}
			sumCounts[b] += c
			cohortsAt[b]++
		}
		sumFirst += first
		out[isoDayStart(start)] = map[string]any{"first": first, "counts": counts, "rates": rates}
	}
	if n == 0 {
		return out
	}
	avgCounts := make([]any, len(sumCounts))
	avgRates := make([]any, len(sumCounts))
	avgFirst := math.Round(sumFirst / float64(n))
	for b := range sumCounts {
		c := math.Round(sumCounts[b] / float64(cohortsAt[b]))
		avgCounts[b], avgRates[b] = c, 0.0
		if avgFirst > 0 {
			avgRates[b] = c / avgFirst
		}
	}
	out["$average"] = map[string]any{"first": avgFirst, "counts": avgCounts, "rates": avgRates}
	return out
}
