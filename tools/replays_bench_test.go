package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

// largeRecording repeats the events of the real recordings, timestamps
// shifted so each copy follows the last, until the JSON is at least size
// bytes: a long multi-page session with its full snapshots and mutations.
func largeRecording(tb testing.TB, size int) (events []json.RawMessage, n int) {
	tb.Helper()
	type event struct {
		Type      int             `json:"type"`
		Data      json.RawMessage `json:"data"`
		Timestamp int64           `json:"timestamp"`
	}
	var all []event
	for _, name := range []string{"web_login_board", "web_checkout_form", "web_rage_errors", "mobile_shop_idle"} {
		raw, err := os.ReadFile(filepath.Join("..", "mixpanel", "replay", "testdata", name+".json"))
		if err != nil {
			tb.Fatal(err)
		}
		var evs []event
		if err := json.Unmarshal(raw, &evs); err != nil {
			tb.Fatal(err)
		}
		all = append(all, evs...)
	}
	first, last := all[0].Timestamp, all[len(all)-1].Timestamp
	for shift := int64(0); n < size; shift += last - first + 1000 {
		for _, e := range all {
			e.Timestamp += shift
			b, err := json.Marshal(e)
			if err != nil {
				tb.Fatal(err)
			}
			events = append(events, b)
			n += len(b) + 1
		}
	}
	return events, n
}

// BenchmarkFetchReplayLarge runs fetch_replay end to end on a ~30 MB
// recording served by the fake CDN as ~1 MB files, each answered after
// 100 ms (a network's time to first byte). It reports the wall time split
// into fetching and analysing, and the default result's size against the
// raw recording's.
//
//   - fetch-only-ms: the CDN walk with nothing done to the files;
//   - analyse-only-ms: the analyzer over the same bytes held in memory;
//   - analyse-in-walk-ms: time spent inside the analyzer during a walk,
//     and wait-in-walk-ms: the rest of that walk, spent waiting for files;
//   - overlap-%: how much of the shorter of fetch-only and analyse-only the
//     walk hides (100% would be a walk as long as the longer of the two).
func BenchmarkFetchReplayLarge(b *testing.B) {
	events, size := largeRecording(b, 30<<20)
	per := len(events) * (1 << 20) / size
	srv := mixpaneltest.New(b)
	srv.Data.Now = fixedNow
	srv.Data.Replays = append(srv.Data.Replays, mixpaneltest.Replay{
		ID: "r-large", DistinctID: "bench", RetentionDays: 30, RRWeb: events, FileEvents: per, FileLatency: 100 * time.Millisecond,
	})
	c := srv.Client(b)
	env := NewEnv(c, nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	tool := Lookup("fetch_replay")
	ctx := context.Background()
	args := json.RawMessage(`{"replay_id":"r-large","retention_days":30}`)

	// One call first, so the fake has encoded its files before timing.
	res := any(tool.Call(ctx, env, args))
	b.ResetTimer()
	for b.Loop() {
		r := tool.Call(ctx, env, args)
		if r.IsError {
			b.Fatalf("fetch_replay failed: %v", r.Content)
		}
		res = r
	}
	b.StopTimer()
	out, err := json.Marshal(res)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(size)/(1<<20), "recording-MB")
	b.ReportMetric(float64(len(out))/1024, "result-KB")
	b.ReportMetric(100*float64(len(out))/float64(size), "result-%")

	signed, err := c.SignReplays(ctx, []string{"r-large"}, "prod")
	if err != nil {
		b.Fatal(err)
	}
	var bodies [][]byte
	var mu sync.Mutex
	start := time.Now()
	if _, err := c.WalkReplay(ctx, signed[0], 30, mixpanel.WalkOptions{}, func(_ int, r io.Reader) error {
		body, err := io.ReadAll(r)
		mu.Lock()
		bodies = append(bodies, body)
		mu.Unlock()
		return err
	}); err != nil {
		b.Fatal(err)
	}
	fetchOnly := time.Since(start)

	start = time.Now()
	an := replay.NewAnalyzer(replay.Options{})
	for _, body := range bodies {
		if err := an.Feed(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
	an.Result()
	analyseOnly := time.Since(start)

	if signed, err = c.SignReplays(ctx, []string{"r-large"}, "prod"); err != nil {
		b.Fatal(err)
	}
	var inAnalyzer time.Duration
	an = replay.NewAnalyzer(replay.Options{})
	start = time.Now()
	if _, err := c.WalkReplay(ctx, signed[0], 30, mixpanel.WalkOptions{}, func(_ int, r io.Reader) error {
		t := time.Now()
		defer func() { inAnalyzer += time.Since(t) }()
		return an.Feed(r)
	}); err != nil {
		b.Fatal(err)
	}
	an.Result()
	walk := time.Since(start)
	b.ReportMetric(ms(fetchOnly), "fetch-only-ms")
	b.ReportMetric(ms(analyseOnly), "analyse-only-ms")
	b.ReportMetric(ms(inAnalyzer), "analyse-in-walk-ms")
	b.ReportMetric(ms(walk-inAnalyzer), "wait-in-walk-ms")
	hidden := fetchOnly + analyseOnly - walk
	b.ReportMetric(100*float64(hidden)/float64(min(fetchOnly, analyseOnly)), "overlap-%")
	b.ReportMetric(float64(len(bodies)), "cdn-files")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
