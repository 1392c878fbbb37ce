package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// The legacy Query API (wire reference §4.5) computed over the demo's
// events: segmentation (with on and where expressions), numeric buckets,
// sums and averages, event and property counts. Expressions are parsed by
// mixpaneltest's selector, the subset of Mixpanel's expression language
// the client and the tools send; anything else is refused by name.

// legacyRoutes are the query routes this file answers, by path.
func (p *Project) legacyRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"/segmentation":         p.segmentation,
		"/segmentation/numeric": p.segmentationNumeric,
		"/segmentation/sum":     p.segmentationStat("sum"),
		"/segmentation/average": p.segmentationStat("average"),
		"/events":               p.eventCounts,
		"/events/properties":    p.propertyCounts,
		"/retention":            p.legacyRetention,
		"/retention/addiction":  p.frequency,
	}
}

func writeErr(w http.ResponseWriter, err error) {
	mixpaneltest.WriteJSON(w, http.StatusBadRequest, mixpaneltest.ErrorBody(err.Error()))
}

// evProps reads the properties of one event for the selector; it is
// reused across events so a scan allocates no closure per event.
type evProps struct {
	e    *Events
	i, u int
}

func (p *evProps) get(name string) any {
	switch name {
	case "time":
		return float64(p.e.unix(p.e.t[p.i]))
	case "distinct_id", "$distinct_id":
		return distinctID(p.u)
	case "$insert_id":
		return insertID(p.i)
	}
	get, ok := accessors()[name]
	if !ok {
		return nil
	}
	v, ok := get(p.e, p.i, p.u)
	switch {
	case !ok:
		return nil
	case v.num:
		return v.n
	}
	return v.s
}

// unix is the Unix time of t (seconds since Start, in the project's zone).
func (e *Events) unix(t int32) int64 { return e.Start.Add(-projectOffset).Unix() + int64(t) }

// insertID is event i's $insert_id: stable for a seed, size and day, and
// ordered as the events are (zero-padded).
func insertID(i int) string { return fmt.Sprintf("demo-%09d", i) }

// parseExpr parses a where/on expression, naming the parameter and what
// the demo evaluates when it cannot.
func (e *Events) parseExpr(param, src string) (*expr, error) {
	sel, err := mixpaneltest.ParseSelector(src)
	if err != nil {
		return nil, unsupported("%s expression %q (%v); the demo evaluates properties[\"name\"], literals, [lists], ==, !=, <, >, <=, >=, in, and, or, not, + and -, defined(), number(), string(), boolean() and datetime()", param, src, err)
	}
	if sel.ReadsUser() {
		return nil, unsupported("%s expression %q: user[\"...\"] profile properties in legacy queries (the demo reads the events' properties[\"...\"])", param, src)
	}
	return e.newExpr(sel), nil
}

func (e *Events) newExpr(sel *mixpaneltest.Selector) *expr {
	x := &expr{sel: sel, ep: evProps{e: e}}
	x.get = x.ep.get
	x.memo = map[uint32]any{}
	for _, name := range sel.Names() {
		if !columnProps()[name] {
			x.memo = nil
		}
	}
	return x
}

// columnProps are the properties fixed by a user's attributes and an
// event's columns (not its time, ids or the user's email).
var columnProps = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		"platform": true, "country": true, "$os": true, "utm_source": true, "page": true, "signup_method": true,
		"plan": true, "amount": true, "currency": true, "coupon_applied": true, "feature": true,
	}
})

// expr is a where/on expression over the events. When it reads only
// column properties its results are memoized by those columns: a few
// hundred evaluations instead of one per event.
type expr struct {
	sel  *mixpaneltest.Selector
	ep   evProps
	get  func(string) any
	memo map[uint32]any
}

func (x *expr) key(i, u int) uint32 {
	e, us := x.ep.e, x.ep.e.users[u]
	return uint32(us.platform) | uint32(us.country)<<2 | uint32(us.os)<<6 | uint32(us.method)<<9 |
		uint32(e.ev[i])<<11 | uint32(e.a[i])<<15 | uint32(e.b[i])<<20
}

// value is the expression's value for event i of user u.
func (x *expr) value(i, u int) any {
	var k uint32
	if x.memo != nil {
		k = x.key(i, u)
		if v, ok := x.memo[k]; ok {
			return v
		}
	}
	x.ep.i, x.ep.u = i, u
	v := x.sel.Value(x.get)
	if x.memo != nil {
		x.memo[k] = v
	}
	return v
}

// match says whether event i of user u passes the expression (an empty
// one passes everything).
func (x *expr) match(i, u int) bool {
	if x == nil {
		return true
	}
	var k uint32
	if x.memo != nil {
		k = x.key(i, u)
		if v, ok := x.memo[k]; ok {
			return v.(bool)
		}
	}
	x.ep.i, x.ep.u = i, u
	ok := x.sel.MatchFunc(x.get)
	if x.memo != nil {
		x.memo[k] = ok
	}
	return ok
}

// segmentKey is the segment an "on" value names, as Mixpanel labels it.
func segmentKey(v any) string {
	switch x := v.(type) {
	case nil:
		return "undefined"
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// periods maps event times to the legacy period keys of [from, to].
type periods struct {
	keys  []string
	index func(t int32) int
	// lo and hi bound the range in seconds since Start.
	lo, hi int32
}

func (e *Events) periods(from, to time.Time, unit string) (periods, error) {
	p := periods{keys: mixpaneltest.PeriodKeys(from, to, unit)}
	fromDay := e.dayIndex(from)
	p.lo, p.hi = int32(fromDay)*day, int32(e.dayIndex(to)+1)*day
	switch unit {
	case "", "day":
		p.index = func(t int32) int { return int(t/day) - fromDay }
	case "hour":
		p.index = func(t int32) int { return int(t/3600) - fromDay*24 }
	case "week":
		first := fromDay - (int(from.Weekday())+6)%7
		p.index = func(t int32) int { return (int(t/day) - first) / 7 }
	case "month":
		m0 := from.Year()*12 + int(from.Month())
		p.index = func(t int32) int {
			d := e.Start.AddDate(0, 0, int(t/day))
			return d.Year()*12 + int(d.Month()) - m0
		}
	default:
		return p, unsupported("%s buckets in the legacy APIs (hour, day, week or month)", unit)
	}
	return p, nil
}

// scan visits the events called name (every event when name is "") in
// [lo, hi) that pass where (nil: all), by user and in time order.
func (e *Events) scan(name string, where *expr, lo, hi int32, visit func(i, u int)) {
	id := numEvents
	if name != "" {
		if id = eventID(name); id < 0 {
			return
		}
	}
	for u := range e.users {
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if t := e.t[i]; t < lo || t >= hi || (id != numEvents && int(e.ev[i]) != id) {
				continue
			}
			if where == nil || where.match(i, u) {
				visit(i, u)
			}
		}
	}
}

// counter tallies events, distinct users and a sum per (segment, period).
type counter struct {
	nkeys int
	segs  map[string][]legacyCell
}

type legacyCell struct {
	events, users int
	lastUser      int
	sum           float64
}

func newCounter(nkeys int) *counter { return &counter{nkeys: nkeys, segs: map[string][]legacyCell{}} }

func (c *counter) add(seg string, k, u int, x float64) {
	if k < 0 || k >= c.nkeys {
		return
	}
	cells := c.segs[seg]
	if cells == nil {
		cells = make([]legacyCell, c.nkeys)
		for i := range cells {
			cells[i].lastUser = -1
		}
		c.segs[seg] = cells
	}
	cl := &cells[k]
	cl.events++
	cl.sum += x
	if cl.lastUser != u {
		cl.users++
		cl.lastUser = u
	}
}

// value is a cell's number for a legacy type: general counts events,
// unique counts users, average is events per user.
func (cl legacyCell) value(typ string) float64 {
	switch typ {
	case "unique":
		return float64(cl.users)
	case "average":
		if cl.users == 0 {
			return 0
		}
		return round2(float64(cl.events) / float64(cl.users))
	}
	return float64(cl.events)
}

func (c *counter) values(keys []string, typ string) map[string]map[string]float64 {
	out := map[string]map[string]float64{}
	for seg, cells := range c.segs {
		out[seg] = c.row(keys, cells, typ)
	}
	return out
}

func (c *counter) row(keys []string, cells []legacyCell, typ string) map[string]float64 {
	row := make(map[string]float64, len(keys))
	for k, key := range keys {
		var cl legacyCell
		if cells != nil {
			cl = cells[k]
		}
		row[key] = cl.value(typ)
	}
	return row
}

func seriesAnswer(keys []string, values map[string]map[string]float64) map[string]any {
	return map[string]any{"data": map[string]any{"series": keys, "values": values}, "legend_size": len(values)}
}

// legacyRequest reads the parameters the segmentations share.
func (p *Project) legacyRequest(w http.ResponseWriter, q url.Values, units []string, required ...string) (periods, *expr, bool) {
	from, to, ok := mixpaneltest.LegacyDates(w, q, required...)
	if !ok || !mixpaneltest.LegacyEnum(w, q, "unit", units...) || !mixpaneltest.LegacyEnum(w, q, "type", "general", "unique", "average") {
		return periods{}, nil, false
	}
	per, err := p.Events.periods(from, to, q.Get("unit"))
	if err != nil {
		writeErr(w, err)
		return per, nil, false
	}
	where, err := p.Events.parseExpr("where", q.Get("where"))
	if err != nil {
		writeErr(w, err)
		return per, nil, false
	}
	return per, where, true
}

func (p *Project) segmentation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	per, where, ok := p.legacyRequest(w, q, []string{"minute", "hour", "day", "week", "month"}, "event", "from_date", "to_date")
	if !ok {
		return
	}
	on, err := p.Events.parseExpr("on", q.Get("on"))
	if err != nil {
		writeErr(w, err)
		return
	}
	event, hasOn := q.Get("event"), q.Get("on") != ""
	c := newCounter(len(per.keys))
	p.Events.scan(event, where, per.lo, per.hi, func(i, u int) {
		seg := event
		if hasOn {
			seg = segmentKey(on.value(i, u))
		}
		c.add(seg, per.index(p.Events.t[i]), u, 0)
	})
	mixpaneltest.WriteJSON(w, http.StatusOK, seriesAnswer(per.keys, c.values(per.keys, q.Get("type"))))
}

// numericValue reads the number an "on" expression gives, if any.
func numericValue(on *expr, i, u int) (float64, bool) {
	switch v := on.value(i, u).(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

// niceWidth is the bucket width numeric segmentation uses for values in
// [lo, hi]: a 1, 2 or 5 times a power of ten giving at most 10 buckets.
func niceWidth(lo, hi float64) float64 {
	span := hi - lo
	if span <= 0 {
		return 1
	}
	for p := math.Pow(10, math.Floor(math.Log10(span/10))); ; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if span/(m*p) <= 10 {
				return m * p
			}
		}
	}
}

// numericRequest reads a numeric segmentation request (/numeric, /sum,
// /average): the common legacy parameters and the "on" expression.
func (p *Project) numericRequest(w http.ResponseWriter, q url.Values) (periods, *expr, *expr, bool) {
	per, where, ok := p.legacyRequest(w, q, []string{"hour", "day"}, "event", "from_date", "to_date", "on")
	if !ok {
		return periods{}, nil, nil, false
	}
	on, err := p.Events.parseExpr("on", q.Get("on"))
	if err != nil {
		writeErr(w, err)
		return periods{}, nil, nil, false
	}
	return per, where, on, true
}

func (p *Project) segmentationNumeric(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	per, where, on, ok := p.numericRequest(w, q)
	if !ok {
		return
	}
	type hit struct {
		x    float64
		k, u int
	}
	var hits []hit
	lo, hi := math.Inf(1), math.Inf(-1)
	p.Events.scan(q.Get("event"), where, per.lo, per.hi, func(i, u int) {
		if x, ok := numericValue(on, i, u); ok {
			hits = append(hits, hit{x, per.index(p.Events.t[i]), u})
			lo, hi = min(lo, x), max(hi, x)
		}
	})
	c := newCounter(len(per.keys))
	if len(hits) > 0 {
		width := niceWidth(lo, hi)
		start := math.Floor(lo/width) * width
		label := func(x float64) string {
			b := start + math.Floor((x-start)/width)*width
			return strconv.FormatFloat(b, 'f', -1, 64) + " - " + strconv.FormatFloat(b+width, 'f', -1, 64)
		}
		for _, h := range hits {
			c.add(label(h.x), h.k, h.u, 0)
		}
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, seriesAnswer(per.keys, c.values(per.keys, q.Get("type"))))
}

func (p *Project) segmentationStat(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		per, where, on, ok := p.numericRequest(w, q)
		if !ok {
			return
		}
		c := newCounter(len(per.keys))
		p.Events.scan(q.Get("event"), where, per.lo, per.hi, func(i, u int) {
			if x, ok := numericValue(on, i, u); ok {
				c.add("", per.index(p.Events.t[i]), u, x)
			}
		})
		results := make(map[string]float64, len(per.keys))
		cells := c.segs[""]
		for k, key := range per.keys {
			var cl legacyCell
			if cells != nil {
				cl = cells[k]
			}
			results[key] = round2(cl.sum)
			if kind == "average" {
				results[key] = 0
				if cl.events > 0 {
					results[key] = round2(cl.sum / float64(cl.events))
				}
			}
		}
		answer := map[string]any{"status": "ok", "results": results}
		if kind == "sum" {
			answer["computed_at"] = p.Events.computedAt()
		}
		mixpaneltest.WriteJSON(w, http.StatusOK, answer)
	}
}

// computedAt is the generation instant as the query API stamps answers.
func (e *Events) computedAt() string {
	return time.Unix(e.unix(e.Now), 0).UTC().Format("2006-01-02T15:04:05.000000+00:00")
}

func (p *Project) eventCounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	per, _, ok := p.legacyRequest(w, q, []string{"day", "week", "month"}, "event", "type", "unit", "from_date", "to_date")
	if !ok {
		return
	}
	var events []string
	if err := json.Unmarshal([]byte(q.Get("event")), &events); err != nil || len(events) == 0 {
		writeErr(w, fmt.Errorf("event must be a JSON array of event names"))
		return
	}
	c := newCounter(len(per.keys))
	for _, name := range events {
		p.Events.scan(name, nil, per.lo, per.hi, func(i, u int) {
			c.add(name, per.index(p.Events.t[i]), u, 0)
		})
	}
	values := map[string]map[string]float64{}
	for _, name := range events {
		values[name] = c.row(per.keys, c.segs[name], q.Get("type"))
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, seriesAnswer(per.keys, values))
}

func (p *Project) propertyCounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	per, _, ok := p.legacyRequest(w, q, []string{"minute", "hour", "day", "week", "month"}, "event", "name", "from_date", "to_date")
	if !ok {
		return
	}
	var only []string
	if v := q.Get("values"); v != "" {
		if err := json.Unmarshal([]byte(v), &only); err != nil {
			writeErr(w, fmt.Errorf("values must be a JSON array of strings"))
			return
		}
	}
	limit := 255
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeErr(w, fmt.Errorf("limit must be a positive integer, got %q", l))
			return
		}
		limit = n
	}
	name := q.Get("name")
	c := newCounter(len(per.keys))
	ep := &evProps{e: p.Events}
	p.Events.scan(q.Get("event"), nil, per.lo, per.hi, func(i, u int) {
		ep.i, ep.u = i, u
		if v := ep.get(name); v != nil {
			c.add(segmentKey(v), per.index(p.Events.t[i]), u, 0)
		}
	})
	segs := only
	if segs == nil {
		total := map[string]int{}
		for seg, cells := range c.segs {
			segs = append(segs, seg)
			for _, cl := range cells {
				total[seg] += cl.events
			}
		}
		sort.Slice(segs, func(i, j int) bool {
			if total[segs[i]] != total[segs[j]] {
				return total[segs[i]] > total[segs[j]]
			}
			return segs[i] < segs[j]
		})
	}
	values := map[string]map[string]float64{}
	for _, seg := range segs[:min(limit, len(segs))] {
		values[seg] = c.row(per.keys, c.segs[seg], q.Get("type"))
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, seriesAnswer(per.keys, values))
}
