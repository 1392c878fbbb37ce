package demo

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// Saved reports run by id (wire reference §4.4): the bookmark is looked up
// in the project's store (the seeded reports and those created since) and
// its params are evaluated by the same engines as an ad-hoc query.
//
//   - GET /insights?bookmark_id=: an insights report answers
//     {computed_at, date_range, headers: ["$event"], series}; a funnel or
//     retention report answers its engine's envelope ($funnel, $retention).
//   - GET /funnels?funnel_id=&from_date=&to_date=: a funnels report per
//     day over the given range (the legacy funnel shape).
//   - GET /retention?bookmark_id=: a retention report's cohorts (the
//     legacy retention shape); without bookmark_id the route's other
//     handler answers.

// handleSaved registers the saved-report routes.
func (p *Project) handleSaved() {
	p.fake.Handle(http.MethodGet, mixpaneltest.QueryPrefix+"/insights", p.savedInsights)
	p.fake.Handle(http.MethodGet, mixpaneltest.QueryPrefix+"/funnels", p.savedFunnel)
	other := p.fake.Route(http.MethodGet, mixpaneltest.QueryPrefix+"/retention")
	p.fake.Handle(http.MethodGet, mixpaneltest.QueryPrefix+"/retention", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("bookmark_id") || other == nil {
			p.savedRetention(w, r)
			return
		}
		other(w, r)
	})
}

// savedCohort is the definition of a cohort of the project's store.
func (p *Project) savedCohort(id string) (map[string]any, bool) {
	e, ok := p.fake.Store.Find("cohorts", id)
	if !ok || e["deleted"] == true {
		return nil, false
	}
	return e, true
}

func fail(w http.ResponseWriter, status int, err error) {
	mixpaneltest.WriteJSON(w, status, map[string]any{"error": err.Error(), "status": "error"})
}

// report finds the bookmark named by the query parameter key and returns
// its type and params, answering the error itself when it cannot.
func (p *Project) report(w http.ResponseWriter, r *http.Request, key string) (string, map[string]any, bool) {
	raw := r.URL.Query().Get(key)
	if raw == "" {
		fail(w, http.StatusBadRequest, fmt.Errorf("'%s' is a required parameter", key))
		return "", nil, false
	}
	if _, err := strconv.ParseInt(raw, 10, 64); err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("%s must be an integer, got %q", key, raw))
		return "", nil, false
	}
	b, ok := p.fake.SavedBookmark(raw)
	if !ok {
		fail(w, http.StatusNotFound, fmt.Errorf("bookmark %s not found", raw))
		return "", nil, false
	}
	typ, _ := b["type"].(string)
	params, _ := b["params"].(map[string]any)
	if s, isText := b["params"].(string); isText {
		_ = json.Unmarshal([]byte(s), &params)
	}
	if params == nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("bookmark %s has no params to run", raw))
		return "", nil, false
	}
	return typ, params, true
}

// evaluate runs params with the engine of its first metric's behavior.
func (e *Events) evaluate(params map[string]any) (map[string]any, error) {
	switch mixpaneltest.BehaviorType(params) {
	case "funnel":
		return e.Funnel(params)
	case "retention":
		return e.Retention(params)
	case "insights":
		return e.Insights(params)
	}
	return nil, unsupported("session replay reports")
}

func (p *Project) savedInsights(w http.ResponseWriter, r *http.Request) {
	typ, params, ok := p.report(w, r, "bookmark_id")
	if !ok {
		return
	}
	if typ == "flows" {
		fail(w, http.StatusBadRequest, fmt.Errorf("bookmark %s is a flows report; run it on the flows endpoint", r.URL.Query().Get("bookmark_id")))
		return
	}
	answer, err := p.Events.evaluate(params)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	if h, _ := answer["headers"].([]string); len(h) > 0 && h[0] == "$metric" {
		answer["headers"] = []string{"$event"}
		delete(answer, "meta")
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, answer)
}

// withRange returns a copy of params over [from, to] (YYYY-MM-DD) by unit.
func withRange(params map[string]any, from, to, unit string) map[string]any {
	out := maps.Clone(params)
	sections, _ := params["sections"].(map[string]any)
	s := maps.Clone(sections)
	if s == nil {
		s = map[string]any{}
	}
	s["time"] = []any{map[string]any{"dateRangeType": "between", "unit": unit, "value": []any{from, to}}}
	out["sections"] = s
	return out
}

// savedFunnel answers GET /funnels for a funnels report: per date key of
// the range (unit day, week or month), the funnel of the users who entered
// then (each user counted once, at their first entry, so the dates add up
// to the report's funnel over the whole range), as {"meta":{"dates"}, "data":{date:{"steps":[...],"analysis":{...}}}}.
// length and length_unit replace the conversion window; on (an event
// property, properties["name"]) segments each date by the entry event.
func (p *Project) savedFunnel(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for _, k := range []string{"funnel_id", "from_date", "to_date"} {
		if strings.TrimSpace(q.Get(k)) == "" {
			fail(w, http.StatusBadRequest, fmt.Errorf("'%s' is a required parameter", k))
			return
		}
	}
	typ, params, ok := p.report(w, r, "funnel_id")
	if !ok {
		return
	}
	if typ != "funnels" || mixpaneltest.BehaviorType(params) != "funnel" {
		fail(w, http.StatusBadRequest, fmt.Errorf("bookmark %s is a %s report, not a funnel", q.Get("funnel_id"), typ))
		return
	}
	if q.Get("where") != "" {
		fail(w, http.StatusBadRequest, unsupported("where expressions on saved funnels (add the filter to the report)"))
		return
	}
	unit := q.Get("unit")
	if unit == "" {
		unit = "day"
	}
	if unit != "day" && unit != "week" && unit != "month" {
		fail(w, http.StatusBadRequest, fmt.Errorf("unit must be day, week or month, got %q", unit))
		return
	}
	run := withRange(params, q.Get("from_date"), q.Get("to_date"), unit)
	sections := run["sections"].(map[string]any)
	show, _ := sections["show"].([]any)
	first, _ := show[0].(map[string]any)
	first = maps.Clone(first)
	behavior, _ := first["behavior"].(map[string]any)
	behavior = maps.Clone(behavior)
	if n := q.Get("length"); n != "" {
		x, err := strconv.Atoi(n)
		if err != nil || x < 1 {
			fail(w, http.StatusBadRequest, fmt.Errorf("length must be a positive integer, got %q", n))
			return
		}
		behavior["conversionWindowDuration"] = float64(x)
		if lu := q.Get("length_unit"); lu != "" {
			behavior["conversionWindowUnit"] = lu
		}
	}
	first["behavior"] = behavior
	sections["show"] = append([]any{first}, show[1:]...)
	on := q.Get("on")
	if on != "" {
		name := strings.TrimSuffix(strings.TrimPrefix(on, `properties["`), `"]`)
		if strings.ContainsAny(name, `"[]()`) {
			fail(w, http.StatusBadRequest, unsupported("the segmentation expression %q (an event property: properties[\"name\"])", on))
			return
		}
		sections["group"] = []any{map[string]any{"value": name, "propertyName": name, "resourceType": "events"}}
	}
	run["displayOptions"] = map[string]any{"chartType": "line"}
	answer, err := p.Events.Funnel(run)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	var dates []string
	data := map[string]any{}
	for _, v := range answer["series"].(map[string]any) {
		for key, m := range v.(map[string]any) {
			dates = append(dates, key[:10])
			data[key[:10]] = legacyFunnelDay(m.(map[string]any))
		}
	}
	sort.Strings(dates)
	mixpaneltest.WriteJSON(w, http.StatusOK, map[string]any{"meta": map[string]any{"dates": dates}, "data": data, "computed_at": p.Events.computedAt()})
}

// legacyFunnelDay turns an engine answer's metrics into the legacy shape:
// {"steps":[...],"analysis":{...}} or, when the report has a breakdown,
// {"$overall":[...],"<segment>":[...]} (a segment's own breakdowns are
// summed up in its rollup).
func legacyFunnelDay(v map[string]any) map[string]any {
	if _, segmented := v["$overall"]; !segmented {
		steps := legacySteps(v)
		first, last := 0.0, 0.0
		if len(steps) > 0 {
			first, last = steps[0]["count"].(float64), steps[len(steps)-1]["count"].(float64)
		}
		return map[string]any{"steps": steps, "analysis": map[string]any{"completion": last, "starting_amount": first, "steps": len(steps)}}
	}
	out := map[string]any{}
	for seg, m := range v {
		out[seg] = legacySteps(m.(map[string]any))
	}
	return out
}

func legacySteps(m map[string]any) []map[string]any {
	if overall, ok := m["$overall"].(map[string]any); ok {
		m = overall
	}
	count, _ := m["count"].(map[string]any)
	steps := make([]map[string]any, len(count))
	for key := range count {
		n, label, _ := strings.Cut(key, ". ")
		s, _ := strconv.Atoi(n)
		at := func(metric string) float64 { return m[metric].(map[string]any)[key].(map[string]any)["all"].(float64) }
		steps[s-1] = map[string]any{"count": at("count"), "step_conv_ratio": at("step_conv_ratio"), "overall_conv_ratio": at("overall_conv_ratio"),
			"avg_time": at("avg_time"), "event": label, "goal": label, "step_label": label}
	}
	return steps
}

// savedRetention answers GET /retention?bookmark_id= for a retention
// report: {"<cohort date>": {"first", "counts", "rates"}} (bucket 0 is the
// cohort itself), over the report's own range.
func (p *Project) savedRetention(w http.ResponseWriter, r *http.Request) {
	typ, params, ok := p.report(w, r, "bookmark_id")
	if !ok {
		return
	}
	if typ != "retention" || mixpaneltest.BehaviorType(params) != "retention" {
		fail(w, http.StatusBadRequest, fmt.Errorf("bookmark %s is a %s report, not retention", r.URL.Query().Get("bookmark_id"), typ))
		return
	}
	answer, err := p.Events.Retention(params)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	out := map[string]any{}
	for _, v := range answer["series"].(map[string]any) {
		cohorts := v.(map[string]any)
		if overall, ok := cohorts["$overall"].(map[string]any); ok {
			cohorts = overall
		}
		for date, c := range cohorts {
			if !strings.HasPrefix(date, "$") {
				out[date[:10]] = c
			}
		}
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, out)
}
