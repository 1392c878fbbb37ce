package query

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"
)

// FunnelStepData is one step of a funnel result. Times are in seconds.
type FunnelStepData struct {
	Event            string  `json:"event"`               // Event (or label) of the step
	Count            float64 `json:"count"`               // Users (or events) that reached the step
	StepConvRatio    float64 `json:"step_conv_ratio"`     // Conversion from the previous step (0-1)
	OverallConvRatio float64 `json:"overall_conv_ratio"`  // Conversion from the first step (0-1)
	AvgTime          float64 `json:"avg_time"`            // Average seconds from the previous step
	AvgTimeFromStart float64 `json:"avg_time_from_start"` // Average seconds from the first step
}

// FunnelQueryResult is the outcome of an ad-hoc funnel query.
type FunnelQueryResult struct {
	ComputedAt string           `json:"computed_at"`
	FromDate   string           `json:"from_date"`
	ToDate     string           `json:"to_date"`
	StepsData  []FunnelStepData `json:"steps_data"`
	// Series is the raw series for shapes the step table does not cover
	// (trends over time, per-segment values).
	Series json.RawMessage `json:"series,omitempty"`
	Params map[string]any  `json:"params,omitempty"`
	Meta   map[string]any  `json:"meta"`
	// SegmentSteps holds the steps of each breakdown segment when the
	// answer is segmented; StepsData is then the $overall aggregate.
	SegmentSteps map[string][]FunnelStepData `json:"segment_steps,omitempty"`
}

// SegmentNames returns the breakdown segments in ascending order.
func (r *FunnelQueryResult) SegmentNames() []string {
	names := make([]string, 0, len(r.SegmentSteps))
	for name := range r.SegmentSteps {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// OverallConversionRate is the last step's conversion from the first step,
// 0 when there are no steps.
func (r *FunnelQueryResult) OverallConversionRate() float64 {
	if len(r.StepsData) == 0 {
		return 0
	}
	return r.StepsData[len(r.StepsData)-1].OverallConvRatio
}

// FunnelDropOff describes the transition that loses the largest share of
// users, the first thing an analyst looks for in a funnel.
type FunnelDropOff struct {
	FromStep  int     `json:"from_step"` // 1-based step the users left from
	ToStep    int     `json:"to_step"`   // 1-based step they did not reach
	FromEvent string  `json:"from_event"`
	ToEvent   string  `json:"to_event"`
	Lost      float64 `json:"lost"` // Users lost between the two steps
	Rate      float64 `json:"rate"` // Share of the previous step lost (0-1)
}

// BiggestDropOff returns the transition with the highest loss rate (ties go
// to the earlier step), or nil for funnels of fewer than two steps.
func (r *FunnelQueryResult) BiggestDropOff() *FunnelDropOff {
	var best *FunnelDropOff
	for i := 1; i < len(r.StepsData); i++ {
		prev, cur := r.StepsData[i-1], r.StepsData[i]
		rate := 1 - cur.StepConvRatio
		if cur.StepConvRatio == 0 && prev.Count > 0 {
			rate = 1 - cur.Count/prev.Count
		}
		lost := prev.Count - cur.Count
		if lost < 0 {
			lost = 0
		}
		if best == nil || rate > best.Rate {
			best = &FunnelDropOff{
				FromStep: i, ToStep: i + 1,
				FromEvent: prev.Event, ToEvent: cur.Event,
				Lost: lost, Rate: rate,
			}
		}
	}
	return best
}

// ParseFunnelResponse turns an /insights answer for a funnel bookmark into a
// FunnelQueryResult. A 200 carrying "error", or one without "series", is an
// error, as in the reference.
func ParseFunnelResponse(body []byte, params map[string]any) (*FunnelQueryResult, error) {
	top, err := responseMembers("funnel", body)
	if err != nil {
		return nil, err
	}
	series, ok := top["series"]
	if !ok {
		return nil, fmt.Errorf("funnel query returned unexpected response shape (missing 'series' key); keys present: %v", memberNames(top))
	}
	dates, _ := objectMap(top["date_range"])
	return &FunnelQueryResult{
		ComputedAt:   lenientString(top["computed_at"], ""),
		FromDate:     lenientString(dates["from_date"], ""),
		ToDate:       lenientString(dates["to_date"], ""),
		StepsData:    funnelStepsFromSeries(series),
		Series:       series,
		Params:       params,
		Meta:         lenientObject(top["meta"]),
		SegmentSteps: funnelSegments(series),
	}, nil
}

// funnelSegments reads the per-segment steps of a breakdown answer,
// {funnel: {"$overall": metrics, "<segment>": metrics, ...}}; it is nil for
// any other shape. The reference keeps these only in the raw series.
func funnelSegments(series json.RawMessage) map[string][]FunnelStepData {
	members, ok := orderedMembers(series)
	if !ok {
		return nil
	}
	for _, m := range members {
		value, ok := objectMap(m.Value)
		if !ok {
			continue
		}
		overall, ok := objectMap(value["$overall"])
		if !ok {
			continue
		}
		if _, hasCount := overall["count"]; !hasCount {
			continue
		}
		segments := map[string][]FunnelStepData{}
		for name, raw := range value {
			metrics, ok := objectMap(raw)
			if _, hasCount := metrics["count"]; name == "$overall" || !ok || !hasCount {
				continue
			}
			segments[name] = funnelStepsFromMetrics(metrics)
		}
		if len(segments) == 0 {
			return nil
		}
		return segments
	}
	return nil
}

// funnelStepsFromSeries applies the reference's shape rules in order: a list
// of steps, series.steps, series.$overall (object with steps, or list), then
// the canonical {funnel: {metric: {"N. Event": {"all": v}}}} form, reached
// directly, through $overall (breakdowns) or through the first date (trends).
func funnelStepsFromSeries(series json.RawMessage) []FunnelStepData {
	if jsonKind(series) == "array" {
		return funnelStepsFromList(series)
	}
	members, ok := orderedMembers(series)
	if !ok {
		return []FunnelStepData{}
	}
	byKey := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		byKey[m.Key] = m.Value
	}
	if steps, ok := byKey["steps"]; ok && jsonKind(steps) == "array" {
		return funnelStepsFromList(steps)
	}
	if overall, ok := byKey["$overall"]; ok {
		if inner, isObj := objectMap(overall); isObj {
			if steps, ok := inner["steps"]; ok && jsonKind(steps) == "array" {
				return funnelStepsFromList(steps)
			}
		}
		if jsonKind(overall) == "array" {
			return funnelStepsFromList(overall)
		}
	}
	metrics := findFunnelMetrics(members)
	if metrics == nil {
		return []FunnelStepData{}
	}
	return funnelStepsFromMetrics(metrics)
}

// findFunnelMetrics locates the first metrics object (one holding "count").
func findFunnelMetrics(members []jsonMember) map[string]json.RawMessage {
	for _, m := range members {
		value, ok := objectMap(m.Value)
		if !ok {
			continue
		}
		if _, has := value["count"]; has {
			return value
		}
		if overall, has := value["$overall"]; has {
			if inner, ok := objectMap(overall); ok {
				if _, hasCount := inner["count"]; hasCount {
					return inner
				}
			}
		}
		subs, _ := orderedMembers(m.Value)
		for _, sub := range subs {
			if inner, ok := objectMap(sub.Value); ok {
				if _, hasCount := inner["count"]; hasCount {
					return inner
				}
			}
		}
	}
	return nil
}

var stepPrefix = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)\.\s*(.+)$`) })

// funnelStepsFromMetrics pivots {metric: {"N. Event": {"all": v}}} into
// step rows sorted by their numeric prefix, so "10." follows "9.".
func funnelStepsFromMetrics(metrics map[string]json.RawMessage) []FunnelStepData {
	counts, ok := objectMap(metrics["count"])
	if !ok {
		return []FunnelStepData{}
	}
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		ni, si := stepSortKey(names[i])
		nj, sj := stepSortKey(names[j])
		if ni != nj {
			return ni < nj
		}
		return si < sj
	})
	value := func(metric, step string) float64 {
		byStep, ok := objectMap(metrics[metric])
		if !ok {
			return 0
		}
		raw, ok := byStep[step]
		if !ok {
			return 0
		}
		if segs, isObj := objectMap(raw); isObj {
			return lenientFloat(segs["all"])
		}
		return lenientFloat(raw)
	}
	out := make([]FunnelStepData, 0, len(names))
	for _, name := range names {
		event := name
		if m := stepPrefix().FindStringSubmatch(name); m != nil {
			event = m[2]
		}
		out = append(out, FunnelStepData{
			Event:            event,
			Count:            value("count", name),
			StepConvRatio:    value("step_conv_ratio", name),
			OverallConvRatio: value("overall_conv_ratio", name),
			AvgTime:          value("avg_time", name),
			AvgTimeFromStart: value("avg_time_from_start", name),
		})
	}
	return out
}

func stepSortKey(name string) (int, string) {
	if m := stepPrefix().FindStringSubmatch(name); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n, name
		}
	}
	return 1 << 31, name
}

// funnelStepsFromList reads a list of step objects; a step without an event
// is named "Step N" as the reference's table does.
func funnelStepsFromList(raw json.RawMessage) []FunnelStepData {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return []FunnelStepData{}
	}
	out := make([]FunnelStepData, 0, len(items))
	for i, item := range items {
		fields, _ := objectMap(item)
		out = append(out, FunnelStepData{
			Event:            lenientString(fields["event"], fmt.Sprintf("Step %d", i+1)),
			Count:            lenientFloat(fields["count"]),
			StepConvRatio:    lenientFloat(fields["step_conv_ratio"]),
			OverallConvRatio: lenientFloat(fields["overall_conv_ratio"]),
			AvgTime:          lenientFloat(fields["avg_time"]),
			AvgTimeFromStart: lenientFloat(fields["avg_time_from_start"]),
		})
	}
	return out
}

func memberNames(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
