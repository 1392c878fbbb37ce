package mixpaneltest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The legacy Query API (wire reference §4.5). Counts are deterministic
// functions of the event, segment and date, so tests can compare answers
// across calls; segments are the values the dataset lists for the
// property, and unknown ids answer 404 as Mixpanel does.
func routesLegacy(s *Server) {
	s.handle(http.MethodGet, QueryPrefix+"/segmentation", s.segmentation)
	s.handle(http.MethodGet, QueryPrefix+"/segmentation/numeric", s.segmentationNumeric)
	s.handle(http.MethodGet, QueryPrefix+"/segmentation/sum", s.segmentationStat("sum"))
	s.handle(http.MethodGet, QueryPrefix+"/segmentation/average", s.segmentationStat("average"))
	s.handle(http.MethodGet, QueryPrefix+"/events", s.eventCounts)
	s.handle(http.MethodGet, QueryPrefix+"/events/properties", s.propertyCounts)
	s.handle(http.MethodGet, QueryPrefix+"/funnels", s.legacyFunnel)
	s.handle(http.MethodGet, QueryPrefix+"/retention", s.legacyRetention)
	s.handle(http.MethodGet, QueryPrefix+"/retention/addiction", s.frequency)
	s.handle(http.MethodPost, QueryPrefix+"/stream/bookmark", s.activityFeed)
}

const dayLayout = "2006-01-02"

// checked reads required parameters and the from/to range, answering 400
// (and returning false) the way Mixpanel does when one is missing or bad.
func legacyDates(w http.ResponseWriter, q url.Values, required ...string) (from, to time.Time, ok bool) {
	for _, k := range required {
		if strings.TrimSpace(q.Get(k)) == "" {
			WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("'%s' is a required parameter", k)))
			return from, to, false
		}
	}
	var err error
	if from, err = time.Parse(dayLayout, q.Get("from_date")); err != nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("invalid from_date: expected YYYY-MM-DD, got "+strconv.Quote(q.Get("from_date"))))
		return from, to, false
	}
	if to, err = time.Parse(dayLayout, q.Get("to_date")); err != nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("invalid to_date: expected YYYY-MM-DD, got "+strconv.Quote(q.Get("to_date"))))
		return from, to, false
	}
	if to.Before(from) {
		WriteJSON(w, http.StatusBadRequest, errorBody("from_date must not be after to_date"))
		return from, to, false
	}
	return from, to, true
}

// oneOf answers 400 unless q[k] is empty or one of the allowed values.
func legacyEnum(w http.ResponseWriter, q url.Values, k string, allowed ...string) bool {
	if v := q.Get(k); v != "" && !slices.Contains(allowed, v) {
		WriteJSON(w, http.StatusBadRequest, errorBody(fmt.Sprintf("invalid %s %q: must be one of %s", k, v, strings.Join(allowed, ", "))))
		return false
	}
	return true
}

// buckets lists the period keys of [from, to] for a unit, as Mixpanel
// labels them (day keys for day/week/month, "YYYY-MM-DD HH:00:00" for hours).
func periodKeys(from, to time.Time, unit string) []string {
	var out []string
	switch unit {
	case "hour", "minute":
		for t := from; !t.After(to.Add(23 * time.Hour)); t = t.Add(time.Hour) {
			out = append(out, t.Format("2006-01-02 15:00:00"))
		}
	case "week":
		start := from.AddDate(0, 0, -int(from.Weekday()+6)%7)
		for t := start; !t.After(to); t = t.AddDate(0, 0, 7) {
			out = append(out, t.Format(dayLayout))
		}
	case "month":
		for t := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); !t.After(to); t = t.AddDate(0, 1, 0) {
			out = append(out, t.Format(dayLayout))
		}
	default:
		for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
			out = append(out, t.Format(dayLayout))
		}
	}
	return out
}

// periodSum adds the daily counts of the days in [from, to] that fall in
// the period starting at key (a day, a Monday-started week or a month).
func periodSum(daily map[string]int, key, unit string, from, to time.Time) int {
	n := 0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		k := d.Format(dayLayout)
		switch unit {
		case "week":
			k = d.AddDate(0, 0, -int(d.Weekday()+6)%7).Format(dayLayout)
		case "month":
			k = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC).Format(dayLayout)
		}
		if k == key {
			n += daily[d.Format(dayLayout)]
		}
	}
	return n
}

// Count is the fake's deterministic count for a key, between lo and lo+spread.
func LegacyCount(lo, spread int, parts ...string) int {
	h := fnv.New32a()
	for _, p := range parts {
		_, _ = h.Write([]byte(p))
		_, _ = h.Write([]byte{0})
	}
	return lo + int(h.Sum32()%uint32(spread))
}

func (s *Server) knownEvent(name string) bool {
	_, ok := s.event(name)
	return ok
}

// segmentsOf returns the values the dataset lists for the property an
// "on" expression names (properties["x"] or a bare name).
func (s *Server) segmentsOf(on string) []string {
	name := on
	if i := strings.Index(on, `["`); i >= 0 {
		name = strings.TrimSuffix(on[i+2:], `"]`)
	}
	for _, p := range slices.Concat(s.Data.EventProperties, s.Data.UserProperties) {
		if p.Name == name && len(p.Values) > 0 {
			return p.Values
		}
	}
	return []string{"undefined"}
}

func seriesAnswer(keys []string, values map[string]map[string]int) map[string]any {
	return map[string]any{"data": map[string]any{"series": keys, "values": values}, "legend_size": len(values)}
}

func (s *Server) segmentation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "event", "from_date", "to_date")
	if !ok || !legacyEnum(w, q, "unit", "minute", "hour", "day", "week", "month") || !legacyEnum(w, q, "type", "general", "unique", "average") {
		return
	}
	event, keys := q.Get("event"), periodKeys(from, to, q.Get("unit"))
	values := map[string]map[string]int{}
	if !s.knownEvent(event) {
		WriteJSON(w, http.StatusOK, seriesAnswer(keys, values))
		return
	}
	segs := []string{event}
	if on := q.Get("on"); on != "" {
		segs = s.segmentsOf(on)
	}
	for _, seg := range segs {
		values[seg] = map[string]int{}
		for _, k := range keys {
			values[seg][k] = LegacyCount(10, 200, event, seg, k, q.Get("type"), q.Get("where"))
		}
	}
	WriteJSON(w, http.StatusOK, seriesAnswer(keys, values))
}

func (s *Server) segmentationNumeric(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "event", "from_date", "to_date", "on")
	if !ok || !legacyEnum(w, q, "unit", "hour", "day") {
		return
	}
	keys := periodKeys(from, to, q.Get("unit"))
	values := map[string]map[string]int{}
	for _, rng := range []string{"0 - 50", "50 - 100", "100 - 150", "150 - 200"} {
		values[rng] = map[string]int{}
		for _, k := range keys {
			values[rng][k] = LegacyCount(0, 80, q.Get("event"), rng, k)
		}
	}
	WriteJSON(w, http.StatusOK, seriesAnswer(keys, values))
}

func (s *Server) segmentationStat(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, to, ok := legacyDates(w, q, "event", "from_date", "to_date", "on")
		if !ok || !legacyEnum(w, q, "unit", "hour", "day") {
			return
		}
		results := map[string]float64{}
		for _, k := range periodKeys(from, to, q.Get("unit")) {
			n := float64(LegacyCount(100, 5000, kind, q.Get("event"), q.Get("on"), k))
			if kind == "average" {
				n /= 97
			} else {
				n += 0.5
			}
			results[k] = n
		}
		answer := map[string]any{"status": "ok", "results": results}
		if kind == "sum" {
			answer["computed_at"] = s.Data.Today().Format("2006-01-02T15:04:05.000000+00:00")
		}
		WriteJSON(w, http.StatusOK, answer)
	}
}

func (s *Server) eventCounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "event", "type", "unit", "from_date", "to_date")
	if !ok || !legacyEnum(w, q, "unit", "day", "week", "month") || !legacyEnum(w, q, "type", "general", "unique", "average") {
		return
	}
	var events []string
	if err := json.Unmarshal([]byte(q.Get("event")), &events); err != nil || len(events) == 0 {
		WriteJSON(w, http.StatusBadRequest, errorBody("event must be a JSON array of event names"))
		return
	}
	keys := periodKeys(from, to, q.Get("unit"))
	values := map[string]map[string]int{}
	for _, e := range events {
		values[e] = map[string]int{}
		for _, k := range keys {
			n := 0
			if daily, ok := s.Data.DailyCounts[e]; ok {
				n = periodSum(daily, k, q.Get("unit"), from, to)
			} else if s.knownEvent(e) {
				n = LegacyCount(10, 300, e, k, q.Get("type"))
			}
			values[e][k] = n
		}
	}
	WriteJSON(w, http.StatusOK, seriesAnswer(keys, values))
}

func (s *Server) propertyCounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "event", "name", "from_date", "to_date")
	if !ok || !legacyEnum(w, q, "unit", "minute", "hour", "day", "week", "month") || !legacyEnum(w, q, "type", "general", "unique", "average") {
		return
	}
	segs := s.segmentsOf(q.Get("name"))
	if v := q.Get("values"); v != "" {
		if err := json.Unmarshal([]byte(v), &segs); err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("values must be a JSON array of strings"))
			return
		}
	}
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < len(segs) {
		segs = segs[:l]
	}
	keys := periodKeys(from, to, q.Get("unit"))
	values := map[string]map[string]int{}
	for _, seg := range segs {
		values[seg] = map[string]int{}
		for _, k := range keys {
			values[seg][k] = LegacyCount(5, 150, q.Get("event"), q.Get("name"), seg, k)
		}
	}
	WriteJSON(w, http.StatusOK, seriesAnswer(keys, values))
}

// funnelSteps finds a saved funnel's (or funnel bookmark's) steps.
func (s *Server) funnelSteps(id int64) ([]string, bool) {
	steps, ok := s.Data.FunnelSteps[id]
	return steps, ok
}

func (s *Server) legacyFunnel(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "funnel_id", "from_date", "to_date")
	if !ok {
		return
	}
	id, err := strconv.ParseInt(q.Get("funnel_id"), 10, 64)
	if err != nil {
		WriteJSON(w, http.StatusBadRequest, errorBody("funnel_id must be an integer"))
		return
	}
	steps, found := s.funnelSteps(id)
	if !found {
		WriteJSON(w, http.StatusNotFound, errorBody(fmt.Sprintf("funnel %d not found", id)))
		return
	}
	dates := periodKeys(from, to, "day")
	stepList := func(seg string, date string) []map[string]any {
		var out []map[string]any
		first, prev := 0, 0
		for i, ev := range steps {
			n := LegacyCount(800, 400, strconv.FormatInt(id, 10), seg, date)
			for j := 1; j <= i; j++ {
				n = n * LegacyCount(35, 50, ev, seg, date, strconv.Itoa(j)) / 100
			}
			if i == 0 {
				first, prev = n, n
			}
			out = append(out, map[string]any{"count": n, "step_conv_ratio": stepRatio(n, prev), "overall_conv_ratio": stepRatio(n, first),
				"avg_time": LegacyCount(30, 3000, ev, date), "event": ev, "goal": ev, "step_label": ev})
			prev = n
		}
		return out
	}
	data := map[string]any{}
	for _, d := range dates {
		if on := q.Get("on"); on != "" {
			byDay := map[string]any{"$overall": stepList("$overall", d)}
			for _, seg := range s.segmentsOf(on) {
				byDay[seg] = stepList(seg, d)
			}
			data[d] = byDay
			continue
		}
		st := stepList("", d)
		last := st[len(st)-1]["count"].(int)
		data[d] = map[string]any{"steps": st, "analysis": map[string]any{"completion": last, "starting_amount": st[0]["count"], "steps": len(st), "worst": 1}}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"meta": map[string]any{"dates": dates}, "data": data, "computed_at": s.Data.Today().Format(time.RFC3339)})
}

func stepRatio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (s *Server) legacyRetention(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := q.Get("bookmark_id"); id != "" {
		s.savedRetention(w, id)
		return
	}
	from, to, ok := legacyDates(w, q, "born_event", "from_date", "to_date")
	if !ok || !legacyEnum(w, q, "retention_type", "birth", "compounded") || !legacyEnum(w, q, "unit", "day", "week", "month") {
		return
	}
	if q.Get("unit") != "" && q.Get("interval") != "" {
		WriteJSON(w, http.StatusBadRequest, errorBody("unit and interval are mutually exclusive"))
		return
	}
	periods := 8
	if n, err := strconv.Atoi(q.Get("interval_count")); err == nil && n > 0 {
		periods = n
	}
	WriteJSON(w, http.StatusOK, retentionCohorts(periodKeys(from, to, cmp.Or(q.Get("unit"), "day")), periods, q.Get("born_event"), q.Get("event")))
}

func retentionCohorts(dates []string, periods int, born, ret string) map[string]any {
	out := map[string]any{}
	for _, d := range dates {
		first := LegacyCount(100, 400, born, ret, d)
		counts := make([]int, periods)
		n := first
		for i := range counts {
			n = n * LegacyCount(55, 40, born, d, strconv.Itoa(i)) / 100
			counts[i] = n
		}
		out[d] = map[string]any{"first": first, "counts": counts}
	}
	return out
}

func (s *Server) frequency(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := legacyDates(w, q, "from_date", "to_date", "unit", "addiction_unit")
	if !ok || !legacyEnum(w, q, "unit", "day", "week", "month") || !legacyEnum(w, q, "addiction_unit", "hour", "day") {
		return
	}
	periods := 24
	if q.Get("addiction_unit") == "day" {
		periods = 7
	}
	data := map[string][]int{}
	for _, d := range periodKeys(from, to, q.Get("unit")) {
		n := LegacyCount(300, 200, q.Get("event"), d)
		row := make([]int, periods)
		for i := range row {
			row[i] = n
			n = n * LegacyCount(30, 40, d, strconv.Itoa(i)) / 100
		}
		data[d] = row
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": data})
}

// ActivityFeedRequest is a decoded POST /stream/bookmark: the users, the
// date range [From, To] (To at its last second), the page size, the event
// filter and the cursor.
type ActivityFeedRequest struct {
	DistinctIDs   []string
	From, To      time.Time
	Limit         int
	IncludeEvents []string
	ExcludeEvents []string
	Sentinel      *ActivityCursor
}

// ActivityCursor is the sentinel_event of a feed page: the next page
// starts after the event at Time (Unix seconds) with InsertID.
type ActivityCursor struct {
	Time     int64  `json:"time"`
	InsertID string `json:"$insert_id"`
}

// Admits reports whether the request's event filter and cursor admit an
// event called name at Unix time unix with insertID (its user and date
// are the caller's to check).
func (q *ActivityFeedRequest) Admits(name string, unix int64, insertID string) bool {
	if (len(q.IncludeEvents) > 0 && !slices.Contains(q.IncludeEvents, name)) || slices.Contains(q.ExcludeEvents, name) {
		return false
	}
	sc := q.Sentinel
	return sc == nil || unix > sc.Time || (unix == sc.Time && insertID > sc.InsertID)
}

// DecodeActivityFeed reads and checks a POST /stream/bookmark body,
// answering 400 (and false) as Mixpanel does when it is wrong; today
// resolves the relative ranges.
func DecodeActivityFeed(w http.ResponseWriter, r *http.Request, today time.Time) (*ActivityFeedRequest, bool) {
	var body struct {
		ProjectID     json.Number     `json:"project_id"`
		Bookmark      json.RawMessage `json:"bookmark"`
		DistinctIDs   []string        `json:"distinct_ids"`
		Mode          string          `json:"mode"`
		Limit         int             `json:"limit"`
		IncludeEvents []string        `json:"include_events"`
		ExcludeEvents []string        `json:"exclude_events"`
		SentinelEvent *ActivityCursor `json:"sentinel_event"`
	}
	if !DecodeBody(w, r, &body) {
		return nil, false
	}
	var bm struct {
		DateRange struct {
			Type   string `json:"type"`
			From   string `json:"from"`
			To     string `json:"to"`
			Window struct {
				Unit  string `json:"unit"`
				Value int    `json:"value"`
			} `json:"window"`
		} `json:"dateRange"`
	}
	switch {
	case string(body.ProjectID) != ProjectID:
		WriteJSON(w, http.StatusBadRequest, errorBody("project_id must be the integer "+ProjectID+" in the body"))
		return nil, false
	case len(body.DistinctIDs) == 0:
		WriteJSON(w, http.StatusBadRequest, errorBody("distinct_ids is required"))
		return nil, false
	case len(body.IncludeEvents) > 0 && len(body.ExcludeEvents) > 0:
		WriteJSON(w, http.StatusBadRequest, errorBody("include_events and exclude_events are mutually exclusive"))
		return nil, false
	case body.Limit < 0 || body.Limit > 15000:
		WriteJSON(w, http.StatusBadRequest, errorBody("limit must be between 1 and 15000"))
		return nil, false
	case json.Unmarshal(body.Bookmark, &bm) != nil:
		WriteJSON(w, http.StatusBadRequest, errorBody("bookmark.dateRange is required"))
		return nil, false
	}
	var from, to time.Time
	dr := bm.DateRange
	switch dr.Type {
	case "between", "since":
		var err error
		if from, err = time.Parse(dayLayout, dr.From); err != nil {
			WriteJSON(w, http.StatusBadRequest, errorBody("bookmark.dateRange.from must be YYYY-MM-DD"))
			return nil, false
		}
		to = today
		if dr.Type == "between" {
			if to, err = time.Parse(dayLayout, dr.To); err != nil {
				WriteJSON(w, http.StatusBadRequest, errorBody("bookmark.dateRange.to must be YYYY-MM-DD"))
				return nil, false
			}
		}
	case "relative_after":
		from, to = today.AddDate(0, 0, -dr.Window.Value), today
	default:
		WriteJSON(w, http.StatusBadRequest, errorBody("bookmark.dateRange.type must be between, since or relative_after"))
		return nil, false
	}
	q := &ActivityFeedRequest{DistinctIDs: body.DistinctIDs, From: from, To: to.Add(24*time.Hour - time.Second),
		Limit: cmp.Or(body.Limit, 1000), IncludeEvents: body.IncludeEvents, ExcludeEvents: body.ExcludeEvents, Sentinel: body.SentinelEvent}
	return q, true
}

// WriteActivityFeed answers a feed page from the matched events: oldest
// first, at most q.Limit, with a sentinel_event (the page's last event)
// when more remain.
func WriteActivityFeed(w http.ResponseWriter, q *ActivityFeedRequest, matched []RawEvent) {
	sort.SliceStable(matched, func(i, j int) bool {
		if !matched[i].Time.Equal(matched[j].Time) {
			return matched[i].Time.Before(matched[j].Time)
		}
		return matched[i].InsertID < matched[j].InsertID
	})
	results := map[string]any{}
	if len(matched) > q.Limit {
		matched = matched[:q.Limit]
		last := matched[q.Limit-1]
		results["sentinel_event"] = map[string]any{"time": last.Time.Unix(), "$insert_id": last.InsertID, "distinct_id": last.DistinctID}
	}
	events := make([]map[string]any, 0, len(matched))
	for _, e := range matched {
		events = append(events, map[string]any{"event": e.Name, "properties": e.wireProperties("$distinct_id")})
	}
	results["events"] = events
	WriteJSON(w, http.StatusOK, map[string]any{"status": "ok", "results": results})
}

// activityFeed answers POST /stream/bookmark: the users' events in the
// date range, oldest first, a page at a time; sentinel_event is the last
// event of a full page and the next page starts after it.
func (s *Server) activityFeed(w http.ResponseWriter, r *http.Request) {
	q, ok := DecodeActivityFeed(w, r, s.Data.Today())
	if !ok {
		return
	}
	var matched []RawEvent
	for _, e := range s.Data.RawEvents {
		if slices.Contains(q.DistinctIDs, e.DistinctID) && !e.Time.Before(q.From) && !e.Time.After(q.To) && q.Admits(e.Name, e.Time.Unix(), e.InsertID) {
			matched = append(matched, e)
		}
	}
	WriteActivityFeed(w, q, matched)
}
