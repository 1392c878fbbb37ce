package demo

import (
	"bufio"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// Raw export (wire reference §4.7) and the activity feed (§4.5) over the
// demo's events: the export streams NDJSON in time order, line by line as
// it is read (the RoundTripper pipes it), and the feed pages one or more
// users' events with the sentinel cursor.

// timeIndex is the events' indexes in time order (ties by index), built
// on the first export: 4 bytes an event.
type timeIndex struct {
	once  sync.Once
	order []int32
}

func (x *timeIndex) get(e *Events) []int32 {
	x.once.Do(func() { x.order = sortByTime(e.t) })
	return x.order
}

// sortByTime returns the indexes of t (seconds, under 2^24) in time
// order, ties by index: a stable radix sort in two 12-bit passes.
func sortByTime(t []int32) []int32 {
	a, b := make([]int32, len(t)), make([]int32, len(t))
	for i := range a {
		a[i] = int32(i)
	}
	for shift := 0; shift < 24; shift += 12 {
		var start [1 << 12]int
		for _, i := range a {
			start[(t[i]>>shift)&(1<<12-1)]++
		}
		sum := 0
		for d, n := range start {
			start[d], sum = sum, sum+n
		}
		for _, i := range a {
			d := (t[i] >> shift) & (1<<12 - 1)
			b[start[d]] = i
			start[d]++
		}
		a, b = b, a
	}
	return a
}

// userOf is the user whose events include index i.
func (e *Events) userOf(i int) int {
	return sort.Search(len(e.users), func(u int) bool { return int(e.first[u+1]) > i })
}

// raw is event i of user u with every property it carries, as the export
// and the feed send it.
func (e *Events) raw(i, u int) mixpaneltest.RawEvent {
	id := e.ev[i]
	props := make(map[string]any, len(commonProps)+len(eventProps[id]))
	ep := &evProps{e: e, i: i, u: u}
	for _, names := range [][]string{commonProps, eventProps[id]} {
		for _, name := range names {
			if v := ep.get(name); v != nil {
				props[name] = v
			}
		}
	}
	return mixpaneltest.RawEvent{Name: eventNames[id], Time: time.Unix(e.unix(e.t[i]), 0).UTC(), DistinctID: distinctID(u), InsertID: insertID(i), Properties: props}
}

// localSpan is the project days [from, to] in seconds since Start; to is
// a day's last second, as the decoded requests carry it.
func (e *Events) localSpan(from, to time.Time) (lo, hi int32) {
	return int32(e.dayIndex(from)) * day, int32(e.dayIndex(to)+1) * day
}

func (p *Project) export(w http.ResponseWriter, r *http.Request) {
	x, ok := mixpaneltest.DecodeExport(w, r)
	if !ok {
		return
	}
	if x.Where.ReadsUser() {
		writeErr(w, unsupported("export where expressions on user[\"...\"] profile properties (the demo reads the events' properties[\"...\"])"))
		return
	}
	e := p.Events
	want := [numEvents]bool{}
	for _, name := range x.Events {
		if id := eventID(name); id >= 0 {
			want[id] = true
		}
	}
	lo, hi := e.localSpan(x.From, x.To)
	order := p.times.get(e)
	start := sort.Search(len(order), func(k int) bool { return e.t[order[k]] >= lo })
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	defer bw.Flush()
	where := e.newExpr(x.Where)
	var line []byte
	n := 0
	for _, i32 := range order[start:] {
		i := int(i32)
		if e.t[i] >= hi {
			break
		}
		if len(x.Events) > 0 && !want[e.ev[i]] {
			continue
		}
		u := e.userOf(i)
		if !where.match(i, u) {
			continue
		}
		line = e.appendExportLine(line[:0], i, u)
		if _, err := bw.Write(line); err != nil {
			return // the reader went away
		}
		if n++; x.Limit > 0 && n >= x.Limit {
			return
		}
	}
}

// appendExportLine appends event i of user u as an export line: the
// JSON of mixpaneltest.ExportLine (tested equal), written directly since
// an export may run to a million lines. Demo strings are plain ASCII.
func (e *Events) appendExportLine(b []byte, i, u int) []byte {
	id := e.ev[i]
	b = append(b, `{"event":`...)
	b = strconv.AppendQuote(b, eventNames[id])
	b = append(b, `,"properties":{"time":`...)
	b = strconv.AppendInt(b, e.unix(e.t[i]), 10)
	b = append(b, `,"distinct_id":`...)
	b = strconv.AppendQuote(b, distinctID(u))
	b = append(b, `,"$insert_id":`...)
	b = strconv.AppendQuote(b, insertID(i))
	for _, names := range [][]string{commonProps, eventProps[id]} {
		for _, name := range names {
			v, ok := accessors()[name](e, i, u)
			if !ok {
				continue
			}
			b = append(b, ',')
			b = strconv.AppendQuote(b, name)
			b = append(b, ':')
			if v.num {
				b = strconv.AppendFloat(b, v.n, 'f', -1, 64)
			} else {
				b = strconv.AppendQuote(b, v.s)
			}
		}
	}
	return append(b, "}}\n"...)
}

// userIndex is the user a demo distinct id names, or -1.
func (e *Events) userIndex(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "u"))
	if err != nil || n < 0 || n >= len(e.users) || distinctID(n) != id {
		return -1
	}
	return n
}

func (p *Project) activityFeed(w http.ResponseWriter, r *http.Request) {
	e := p.Events
	q, ok := mixpaneltest.DecodeActivityFeed(w, r, e.today())
	if !ok {
		return
	}
	lo, hi := e.localSpan(q.From, q.To)
	var matched []mixpaneltest.RawEvent
	seen := map[int]bool{}
	for _, id := range q.DistinctIDs {
		u := e.userIndex(id)
		if u < 0 || seen[u] {
			continue
		}
		seen[u] = true
		for i := int(e.first[u]); i < int(e.first[u+1]); i++ {
			if t := e.t[i]; t >= lo && t < hi && q.Admits(eventNames[e.ev[i]], e.unix(t), insertID(i)) {
				matched = append(matched, e.raw(i, u))
			}
		}
	}
	mixpaneltest.WriteActivityFeed(w, q, matched)
}
