package demo

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

// TestEmbeddedRecordingsMatchTheOriginals: the embedded recordings are
// the real ones of mixpanel/replay/testdata, byte for byte.
func TestEmbeddedRecordingsMatchTheOriginals(t *testing.T) {
	for _, spec := range replaySpecs {
		want, err := os.ReadFile(filepath.Join("..", "replay", "testdata", spec.file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := recordings.Open("recordings/" + spec.file + ".gz")
		if err != nil {
			t.Fatal(err)
		}
		got := gunzipAll(t, f)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the embedded copy differs from the original; regenerate it (recordings/README.md)", spec.file)
		}
	}
}

// TestReplaysAttachedToUsersAndEvents: every recording is found for its
// user, fetched from the in-process CDN starting at its start, and its
// Mixpanel events are that user's events in its span, each carrying the
// replay id (an Insights count of events with that $mp_replay_id agrees).
func TestReplaysAttachedToUsersAndEvents(t *testing.T) {
	p := smallDemo()
	c := client(t, p)
	ctx := context.Background()
	replays := p.Replays()
	if len(replays) != len(replaySpecs) {
		t.Fatalf("%d replays, want %d", len(replays), len(replaySpecs))
	}
	for _, rp := range replays {
		found, err := c.ListReplays(ctx, mixpanel.ReplayQuery{DistinctID: rp.DistinctID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(found, func(s replay.ReplaySummary) bool {
			return s.ReplayID == rp.ID && s.StartTime/1000 == rp.StartTime/1000 && s.RetentionDays == ReplayRetentionDays
		}) {
			t.Fatalf("%s not found for %s: %+v", rp.ID, rp.DistinctID, found)
		}
		got, _, err := c.FetchReplay(ctx, rp.ID, mixpanel.FetchOptions{IncludeEvents: true})
		if err != nil {
			t.Fatalf("fetch %s: %v", rp.ID, err)
		}
		if got.StartTime != rp.StartTime || len(got.Actions) == 0 {
			t.Errorf("%s: starts %d (want %d), %d actions", rp.ID, got.StartTime, rp.StartTime, len(got.Actions))
		}
		// The user's events in the replay's span, from Events.All.
		var want []string
		for ev := range p.Events.All() {
			at := ev.Time.Add(-projectOffset).UnixMilli()
			if ev.DistinctID == rp.DistinctID && at >= rp.StartTime && at <= got.EndTime {
				want = append(want, ev.Name)
			}
		}
		var names []string
		for _, ev := range got.MixpanelEvents {
			names = append(names, ev.EventName)
		}
		if len(want) == 0 || !slices.Equal(names, want) {
			t.Errorf("%s: Mixpanel events %v, want %v", rp.ID, names, want)
		}
		// Insights over the last 30 days, filtered on $mp_replay_id.
		answer := query(t, p, insightsBookmark(want[0], "total", "bar", []any{equalsFilter("$mp_replay_id", rp.ID)}))
		n := 0
		for _, name := range want {
			if name == want[0] {
				n++
			}
		}
		total := 0.0
		for _, v := range series(t, answer, want[0]+" [Total Events]") {
			total += v.(float64)
		}
		if total != float64(n) {
			t.Errorf("%s: Insights counts %v %s events with its $mp_replay_id, want %d", rp.ID, total, want[0], n)
		}
	}
}

func gunzipAll(t *testing.T, f fs.File) []byte {
	t.Helper()
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
