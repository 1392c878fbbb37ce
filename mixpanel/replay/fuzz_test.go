package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzAnalyze feeds arbitrary rrweb-like JSON to the analyzer: it must
// never panic, and whatever it accepts must render and aggregate.
func FuzzAnalyze(f *testing.F) {
	for _, name := range recordings {
		data, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		var events []json.RawMessage
		if err := json.Unmarshal(data, &events); err != nil {
			f.Fatal(err)
		}
		// Small seeds keep the mutator fast: the first events after the
		// full snapshot, behind the synthetic page.
		var head []byte
		head, err = json.Marshal(append([]json.RawMessage{json.RawMessage(evMeta), json.RawMessage(evSnapshot)}, events[4:min(24, len(events))]...))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(head)
	}
	for _, s := range []string{
		stream(evMeta, evSnapshot,
			inc(2000, `{"source":2,"type":2,"id":12}`),
			inc(2100, `{"source":5,"text":"x","isChecked":false,"id":5}`),
			inc(2200, `{"source":14,"ranges":[{"start":15,"startOffset":-3,"end":15,"endOffset":99}]}`),
			inc(2300, `{"source":0,"adds":[{"parentId":15,"nextId":2,"node":{"type":2,"id":2,"tagName":"A","attributes":{"href":"http://x/1","aria-label":null},"childNodes":[{"type":2,"id":14,"tagName":"b"}]}}],"removes":[{"id":1}],"texts":[{"id":4,"value":null}],"attributes":[{"id":5,"attributes":{"type":true}}]}`),
			inc(2400, `{"source":3,"id":2}`)),
		`[{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"error","payload":["\"\\u00e9\"",7,{"a":1},null]}},"timestamp":1.5e3}]`,
		`[{"type":3,"data":{"source":2,"type":7,"id":-1,"pointerType":9},"timestamp":1}]`,
		`[{"type":2,"data":{"node":{"id":1,"type":2,"childNodes":[{"id":1,"type":3}]}},"timestamp":1}]`,
		`[{"a":1}]`,
		`{"type":4}`,
		`[`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Analyze(bytes.NewReader(data), Options{MaxNodes: 200, KeepRaw: true})
		if err != nil {
			var nr *NotRRWebError
			if errors.As(err, &nr) && !errors.Is(err, ErrNotRRWeb) {
				t.Fatal("a NotRRWebError must match ErrNotRRWeb")
			}
			return
		}
		if len(res.RawEvents) != res.EventCount || res.SkippedEvents > res.EventCount {
			t.Fatalf("counts disagree: %d raw, %d events, %d skipped", len(res.RawEvents), res.EventCount, res.SkippedEvents)
		}
		for i, a := range res.Actions {
			if err := a.Validate(); err != nil {
				t.Fatalf("action %d: %v", i, err)
			}
			if i > 0 && res.Actions[i-1].Timestamp > a.Timestamp {
				t.Fatalf("actions out of order at %d", i)
			}
		}
		if n := strings.Count(res.Markdown(), "\n"); len(res.Actions) > 0 && n != len(res.Actions)-1 {
			t.Fatalf("timeline has %d lines for %d actions", n+1, len(res.Actions))
		}
		r := NewReplay(ReplaySummary{ReplayID: "f", ProjectID: 1, StartTime: 1, RetentionDays: 30}, res)
		b := &ReplayBundle{Replays: []*Replay{r}}
		_ = b.SummaryMarkdown()
		_ = b.Elements()
		_ = b.RageClicks(DefaultRageThreshold, DefaultRageWindowMs)
		_ = b.FindPattern([]string{"click:element@(no-url)"}, SelectorLabel(""))
		if _, err := json.Marshal(res); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
	})
}

// FuzzNormalizeURL checks the normalizer never panics and is idempotent.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"", "/users/12345/profile?ref=x", "https://a.b/c/deadbeef?x", "://", "a://b", "/é/00000000-0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := NormalizeURL(s)
		if twice := NormalizeURL(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, once, twice)
		}
	})
}
