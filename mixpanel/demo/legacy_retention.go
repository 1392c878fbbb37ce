package demo

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// Legacy retention (GET /retention without bookmark_id) and frequency
// (GET /retention/addiction) computed from the events.
//
// Retention (birth): a user is born at their first born_event (passing
// born_where) in [from_date, to_date], into the cohort of that day, or of
// the unit (week, or interval days) counted from from_date; counts[b] is
// the users who did the return event (any event when none is named;
// passing where) between b and b+1 units after their birth, the birth
// event itself aside. A cohort has a count per unit up to today, at most
// interval_count. This is the Insights retention engine's definition, so
// their cohort sizes and later buckets agree.
//
// Frequency: data[period][i] is the number of users who did the event
// (passing where) in at least i+1 distinct hours (or days) of the period;
// a period has one entry per hour (or day) it spans.

func (p *Project) legacyRetention(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := mixpaneltest.LegacyDates(w, q, "born_event", "from_date", "to_date")
	if !ok || !mixpaneltest.LegacyEnum(w, q, "retention_type", "birth", "compounded") || !mixpaneltest.LegacyEnum(w, q, "unit", "day", "week", "month") {
		return
	}
	if q.Get("unit") != "" && q.Get("interval") != "" {
		writeErr(w, fmt.Errorf("unit and interval are mutually exclusive"))
		return
	}
	var err error
	switch {
	case q.Get("retention_type") == "compounded":
		err = unsupported("compounded (recurring) legacy retention; birth retention is computed")
	case q.Get("unit") == "month":
		err = unsupported("monthly legacy retention (day, week or an interval in days)")
	case q.Get("on") != "":
		err = unsupported("segmented legacy retention (on)")
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	ud := map[string]int{"": 1, "day": 1, "week": 7}[q.Get("unit")]
	if s := q.Get("interval"); s != "" {
		if ud, err = strconv.Atoi(s); err != nil || ud < 1 {
			writeErr(w, fmt.Errorf("interval must be a positive number of days, got %q", s))
			return
		}
	}
	limit := 0
	if s := q.Get("interval_count"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 {
			writeErr(w, fmt.Errorf("interval_count must be a positive integer, got %q", s))
			return
		}
	}
	bornWhere, err := p.Events.parseExpr("born_where", q.Get("born_where"))
	if err != nil {
		writeErr(w, err)
		return
	}
	where, err := p.Events.parseExpr("where", q.Get("where"))
	if err != nil {
		writeErr(w, err)
		return
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, p.Events.legacyRetention(from, to, ud, limit, q.Get("born_event"), q.Get("event"), bornWhere, where))
}

func (e *Events) legacyRetention(from, to time.Time, ud, limit int, born, ret string, bornWhere, where *expr) map[string]any {
	fromDay := e.dayIndex(from)
	lo, hi := e.localSpan(from, to)
	ncohorts := (e.dayIndex(to)-fromDay)/ud + 1
	nowDay := int(e.Now / day)
	counts := make([][]int, ncohorts)
	firsts := make([]int, ncohorts)
	for c := range counts {
		n := max(0, (nowDay-(fromDay+c*ud))/ud+1)
		if limit > 0 {
			n = min(n, limit)
		}
		counts[c] = make([]int, n)
	}
	bornID, retID := eventID(born), numEvents
	if ret != "" {
		retID = eventID(ret)
	}
	unitSecs := int32(ud) * day
	if bornID >= 0 {
		for u := range e.users {
			end := int(e.first[u+1])
			b0 := -1
			for i := int(e.first[u]); i < end && b0 < 0; i++ {
				if t := e.t[i]; t >= lo && t < hi && int(e.ev[i]) == bornID && bornWhere.match(i, u) {
					b0 = i
				}
			}
			if b0 < 0 {
				continue
			}
			c := (int(e.t[b0]/day) - fromDay) / ud
			firsts[c]++
			last := -1
			for i := b0 + 1; i < end && retID >= 0; i++ {
				b := int((e.t[i] - e.t[b0]) / unitSecs)
				if b >= len(counts[c]) {
					break
				}
				if b == last || (retID != numEvents && int(e.ev[i]) != retID) {
					continue
				}
				if where.match(i, u) {
					counts[c][b]++
					last = b
				}
			}
		}
	}
	out := map[string]any{}
	for c := range counts {
		out[e.Start.AddDate(0, 0, fromDay+c*ud).Format("2006-01-02")] = map[string]any{"first": firsts[c], "counts": counts[c]}
	}
	return out
}

func (p *Project) frequency(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, ok := mixpaneltest.LegacyDates(w, q, "from_date", "to_date", "unit", "addiction_unit")
	if !ok || !mixpaneltest.LegacyEnum(w, q, "unit", "day", "week", "month") || !mixpaneltest.LegacyEnum(w, q, "addiction_unit", "hour", "day") {
		return
	}
	if q.Get("on") != "" {
		writeErr(w, unsupported("segmented frequency (on)"))
		return
	}
	where, err := p.Events.parseExpr("where", q.Get("where"))
	if err != nil {
		writeErr(w, err)
		return
	}
	e := p.Events
	per, err := e.periods(from, to, q.Get("unit"))
	if err != nil {
		writeErr(w, err)
		return
	}
	unitSecs := int32(3600)
	if q.Get("addiction_unit") == "day" {
		unitSecs = day
	}
	// hist[k][n] counts the users active in exactly n units of period k.
	hist := make([]map[int]int, len(per.keys))
	for k := range hist {
		hist[k] = map[int]int{}
	}
	user, period, units, lastUnit := -1, -1, 0, int32(-1)
	flush := func() {
		if units > 0 {
			hist[period][units]++
		}
		units, lastUnit = 0, -1
	}
	e.scan(q.Get("event"), where, per.lo, per.hi, func(i, u int) {
		k := per.index(e.t[i])
		if k < 0 || k >= len(per.keys) {
			return
		}
		if u != user || k != period {
			flush()
			user, period = u, k
		}
		if unit := e.t[i] / unitSecs; unit != lastUnit {
			units++
			lastUnit = unit
		}
	})
	flush()
	data := map[string][]int{}
	for k, key := range per.keys {
		start, _ := time.Parse("2006-01-02", key)
		var end time.Time
		switch q.Get("unit") {
		case "week":
			end = start.AddDate(0, 0, 7)
		case "month":
			end = start.AddDate(0, 1, 0)
		default:
			end = start.AddDate(0, 0, 1)
		}
		row := make([]int, int(end.Sub(start)/time.Second)/int(unitSecs))
		for n, users := range hist[k] {
			for i := 0; i < n && i < len(row); i++ {
				row[i] += users
			}
		}
		data[key] = row
	}
	mixpaneltest.WriteJSON(w, http.StatusOK, map[string]any{"data": data})
}
