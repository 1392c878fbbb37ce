package replay

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// recordings are the four real rrweb recordings of the shared test set and
// one more made with the same generator (see testdata/README.md).
var recordings = []string{"web_login_board", "web_checkout_form", "web_rage_errors", "mobile_shop_idle", "web_extra_interactions",
	"web_masked_session", "web_console_viewport", "mobile_touch_gestures", "web_text_selections"}

// firstRecordings are the set the bundle test and the benchmarks' large
// recording were written for; they stay as they were, so the bundle golden
// and the speed figures compare across changes.
var firstRecordings = recordings[:5]

func analyzeFile(t testing.TB, name string) *Result {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".json"))
	require.NoError(t, err)
	defer f.Close()
	res, err := Analyze(f, Options{})
	require.NoError(t, err)
	return res
}

// testReplay wraps a recording's analysis in a Replay with fixed identity,
// so summaries are stable.
func testReplay(t testing.TB, name string) *Replay {
	t.Helper()
	res := analyzeFile(t, name)
	return NewReplay(ReplaySummary{ReplayID: name, DistinctID: "user-" + name, ProjectID: 42, StartTime: res.StartTime, RetentionDays: 30}, res)
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing; run go test ./mixpanel/replay -update")
	require.Equal(t, string(want), string(got), "output differs from %s; if the change is intended, run go test ./mixpanel/replay -update", path)
}

func TestGoldenAnalyses(t *testing.T) {
	for _, name := range recordings {
		t.Run(name, func(t *testing.T) {
			res := analyzeFile(t, name)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(res.Actions))
			checkGolden(t, filepath.Join("testdata", "golden", name+".actions.json"), buf.Bytes())
			checkGolden(t, filepath.Join("testdata", "golden", name+".timeline.md"), []byte(res.Markdown()+"\n"))
			checkGolden(t, filepath.Join("testdata", "golden", name+".summary.md"), []byte(testReplay(t, name).SummaryMarkdown()))

			require.Zero(t, res.SkippedEvents)
			require.False(t, res.NodeCapReached)
			for i, a := range res.Actions {
				require.NoError(t, a.Validate(), "action %d", i)
				if i > 0 {
					require.LessOrEqual(t, res.Actions[i-1].Timestamp, a.Timestamp, "actions out of order at %d", i)
				}
			}
			lines := strings.Split(res.Markdown(), "\n")
			require.Len(t, lines, len(res.Actions))
		})
	}
}

// TestSummaryIsCompact keeps the default summary (what a model reads
// instead of the recording) at least ten times smaller than the raw rrweb.
func TestSummaryIsCompact(t *testing.T) {
	for _, name := range recordings {
		info, err := os.Stat(filepath.Join("testdata", name+".json"))
		require.NoError(t, err)
		r := testReplay(t, name)
		full := len(r.SummaryMarkdown())
		lean := len(r.Markdown(MarkdownOptions{HideFocus: true}))
		t.Logf("%s: raw %d bytes, summary %d bytes (%.0fx smaller), without focus lines %d bytes", name, info.Size(), full, float64(info.Size())/float64(full), lean)
		if name == "web_console_viewport" {
			// A small page logging eleven messages, one of 1,500
			// characters kept whole: console-dense, so only 3x.
			require.Less(t, full*3, int(info.Size()))
		} else {
			require.Less(t, full*10, int(info.Size()))
		}
		require.Less(t, lean, full)
	}
}
