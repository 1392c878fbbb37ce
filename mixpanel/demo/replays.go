package demo

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// Session replays: the real rrweb recordings, embedded compressed, each
// attached to a web user of the demo at a moment of their own events in
// the week before yesterday. The replay starts two seconds before that event; the
// user's events inside the recording's span carry its $mp_replay_id, as
// events tracked during a recording do, and the CDN serves the recording
// with its timestamps moved to that start.

//go:embed recordings/*.json.gz
var recordings embed.FS

func init() {
	accessors()["$mp_replay_id"] = func(e *Events, i, _ int) (value, bool) {
		id, ok := e.replays[i]
		return value{s: id}, ok
	}
}

// replaySpec picks where a recording belongs: the user's event it shows.
type replaySpec struct {
	file   string
	anchor func(e *Events, i int) bool
}

var replaySpecs = []replaySpec{
	{"web_checkout_form.json", func(e *Events, i int) bool { return e.ev[i] == evPurchase }},
	{"web_login_board.json", func(e *Events, i int) bool { return e.ev[i] == evFeatureUsed && features[e.a[i]] == "editor" }},
	{"web_rage_errors.json", func(e *Events, i int) bool { return e.ev[i] == evFeatureUsed && features[e.a[i]] == "export" }},
	{"web_extra_interactions.json", func(e *Events, i int) bool { return e.ev[i] == evPageView && pages[e.b[i]] == "/pricing" }},
	{"mobile_shop_idle.json", func(e *Events, i int) bool { return e.ev[i] == evPageView && pages[e.b[i]] == "/features" }},
}

// replayLead is how long before its anchor event a replay starts.
const replayLead = 2

// ReplayRetentionDays is the retention the demo's replays are stamped with.
const ReplayRetentionDays = 30

// attachReplays picks each recording's user and moment, marks the user's
// events inside it and gives the fake the replays and their recordings.
func (p *Project) attachReplays() error {
	e := p.Events
	e.replays = map[int]string{}
	served := map[string][]byte{}
	var list []mixpaneltest.Replay
	// Anchors end before yesterday: in true UTC (7 hours after the
	// project's clock) the replay still starts before the fake's "now",
	// the start of today, so "the last N days" finds it.
	end := int32(Days-2) * day
	for k, spec := range replaySpecs {
		events, err := readRecording(spec.file)
		if err != nil {
			return err
		}
		first, last := recordingSpan(events)
		span := int32((last - first + 999) / 1000)
		// The latest anchor of a web user in the six days before that,
		// scanning users from a different place for each recording.
		u, i := -1, -1
		for n := range e.users {
			uu := (n + k*(len(e.users)/len(replaySpecs)+1)) % len(e.users)
			if e.users[uu].platform != 0 || slices.ContainsFunc(list, func(r mixpaneltest.Replay) bool { return r.DistinctID == distinctID(uu) }) {
				continue
			}
			for j := int(e.first[uu+1]) - 1; j >= int(e.first[uu]); j-- {
				if e.t[j] < end && e.t[j] >= end-6*day && spec.anchor(e, j) {
					u, i = uu, j
					break
				}
			}
			if u >= 0 {
				break
			}
		}
		if u < 0 {
			continue // a demo too small to have such a moment
		}
		start := e.t[i] - replayLead
		startMs := e.Start.Add(time.Duration(start)*time.Second - projectOffset).UnixMilli()
		id := replayID(spec.file, u)
		rp := mixpaneltest.Replay{ID: id, DistinctID: distinctID(u), RetentionDays: ReplayRetentionDays, Recording: id + ".json", StartTime: startMs}
		for j := int(e.first[u]); j < int(e.first[u+1]); j++ {
			if e.t[j] < start || e.t[j] > start+span {
				continue
			}
			e.replays[j] = id
			props := map[string]string{}
			for name, get := range accessors() {
				if v, ok := get(e, j, u); ok {
					props[name] = v.String()
				}
			}
			rp.Events = append(rp.Events, mixpaneltest.ReplayEvent{Name: eventNames[e.ev[j]], Offset: int64(e.t[j] - start), Properties: props})
		}
		shifted, err := shiftRecording(events, startMs-first)
		if err != nil {
			return fmt.Errorf("recording %s: %w", spec.file, err)
		}
		served[rp.Recording] = shifted
		list = append(list, rp)
	}
	p.fake.Data.Replays = list
	p.fake.Data.Recording = func(name string) ([]byte, error) {
		raw, ok := served[name]
		if !ok {
			return nil, fmt.Errorf("demo: no recording %s", name)
		}
		return raw, nil
	}
	return nil
}

// replayID is a UUID-shaped id, the same for the same recording and user.
func replayID(file string, u int) string {
	h := sha256.Sum256([]byte(file + "/" + distinctID(u)))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// readRecording reads an embedded recording's events, numbers kept exact.
func readRecording(file string) ([]map[string]any, error) {
	f, err := recordings.Open("recordings/" + file + ".gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", file, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("recording %s: %w", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var events []map[string]any
	if err := dec.Decode(&events); err != nil {
		return nil, fmt.Errorf("recording %s: %w", file, err)
	}
	return events, nil
}

func timestampOf(ev map[string]any) (int64, bool) {
	n, ok := ev["timestamp"].(json.Number)
	if !ok {
		return 0, false
	}
	ms, err := n.Int64()
	return ms, err == nil
}

// recordingSpan is the first and last timestamp (Unix ms).
func recordingSpan(events []map[string]any) (first, last int64) {
	for _, ev := range events {
		if ms, ok := timestampOf(ev); ok {
			if first == 0 || ms < first {
				first = ms
			}
			last = max(last, ms)
		}
	}
	return first, last
}

// shiftRecording moves every event's timestamp by delta ms.
func shiftRecording(events []map[string]any, delta int64) ([]byte, error) {
	out := make([]map[string]any, len(events))
	for i, ev := range events {
		c := make(map[string]any, len(ev))
		for k, v := range ev {
			c[k] = v
		}
		if ms, ok := timestampOf(ev); ok {
			c["timestamp"] = ms + delta
		}
		out[i] = c
	}
	return json.Marshal(out)
}

// Replays are the demo's session replays, as discovery finds them.
func (p *Project) Replays() []mixpaneltest.Replay { return slices.Clone(p.fake.Data.Replays) }
