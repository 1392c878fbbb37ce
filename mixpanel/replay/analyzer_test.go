package replay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func openRecording(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".json"))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// A small page used by the synthetic streams below.
const (
	evMeta     = `{"type":4,"data":{"href":"https://app.example.com/settings?tab=1","width":1,"height":1},"timestamp":1000}`
	evSnapshot = `{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"body","attributes":{},"childNodes":[` +
		`{"type":2,"id":3,"tagName":"label","attributes":{},"childNodes":[{"type":3,"id":4,"textContent":"Name"},{"type":2,"id":5,"tagName":"input","attributes":{"type":"text","data-testid":"name-field"},"childNodes":[]}]},` +
		`{"type":2,"id":6,"tagName":"label","attributes":{},"childNodes":[{"type":2,"id":7,"tagName":"input","attributes":{"type":"radio","name":"d"},"childNodes":[]},{"type":3,"id":8,"textContent":"Compact"}]},` +
		`{"type":2,"id":9,"tagName":"label","attributes":{},"childNodes":[{"type":2,"id":10,"tagName":"input","attributes":{"type":"radio","name":"d"},"childNodes":[]},{"type":3,"id":11,"textContent":"Cozy"}]},` +
		`{"type":2,"id":12,"tagName":"button","attributes":{"data-testid":"save"},"childNodes":[{"type":3,"id":13,"textContent":"Save"}]},` +
		`{"type":2,"id":14,"tagName":"div","attributes":{"id":"list"},"childNodes":[{"type":3,"id":15,"textContent":"Hello brave new world"}]}` +
		`]}]}},"timestamp":1001}`
)

func inc(ts int, data string) string {
	return `{"type":3,"data":` + data + `,"timestamp":` + itoa(ts) + `}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func stream(events ...string) string { return "[" + strings.Join(events, ",\n") + "]" }

func analyzeString(t *testing.T, s string) *Result {
	t.Helper()
	res, err := Analyze(strings.NewReader(s), Options{})
	require.NoError(t, err)
	return res
}

func TestAnalyzerInputs(t *testing.T) {
	res := analyzeString(t, stream(evMeta, evSnapshot,
		inc(2000, `{"source":2,"type":5,"id":5}`),
		inc(2100, `{"source":5,"text":"J","isChecked":false,"id":5}`),
		inc(2200, `{"source":5,"text":"Ja","isChecked":false,"id":5}`),
		inc(5200, `{"source":5,"text":"Jane","isChecked":false,"id":5}`),
		inc(5300, `{"source":2,"type":6,"id":5}`),
		inc(6000, `{"source":5,"text":"compact","isChecked":true,"id":7}`),
		inc(6000, `{"source":5,"text":"cozy","isChecked":false,"id":10}`),
		inc(7000, `{"source":5,"text":"","isChecked":false,"id":5}`),
		inc(8000, `{"source":2,"type":2,"id":12,"pointerType":0}`),
	))
	assert.Equal(t, []string{
		"Navigated to https://app.example.com/settings?tab=1",
		`Focused input "Name" type=text`,
		`Entered 'Jane' in input "Name" type=text`,
		`Set input "Compact" type=radio to checked`,
		`Cleared input "Name" type=text`,
		`Clicked button "Save"`,
	}, descriptions(res.Actions))
	entered := res.Actions[2]
	assert.Equal(t, int64(5200), entered.Timestamp, "a merged input carries the time of its final value")
	assert.Equal(t, map[string]any{"text_length": 4, "is_checked": false, "data-testid": "name-field"}, entered.Metadata)
	assert.Equal(t, "save", res.Actions[5].Metadata["data-testid"])
	assert.Equal(t, "mouse", res.Actions[5].Metadata["pointer_type"])
	for _, a := range res.Actions {
		assert.Equal(t, "https://app.example.com/settings?tab=1", a.URL)
	}
}

func TestAnalyzerScrollSelectionConsole(t *testing.T) {
	res := analyzeString(t, stream(evMeta, evSnapshot,
		inc(2000, `{"source":3,"id":1,"x":0,"y":10}`),
		inc(2500, `{"source":3,"id":1,"x":0,"y":20}`),
		inc(3400, `{"source":3,"id":1,"x":0,"y":30}`),
		inc(5000, `{"source":3,"id":14,"x":0,"y":30}`),
		inc(6000, `{"source":14,"ranges":[{"start":15,"startOffset":6,"end":15,"endOffset":8}]}`),
		inc(6100, `{"source":14,"ranges":[{"start":15,"startOffset":6,"end":15,"endOffset":11}]}`),
		inc(6150, `{"source":14,"ranges":[]}`),
		inc(9000, `{"source":14,"ranges":[{"start":99,"startOffset":0,"end":99,"endOffset":3}]}`),
		`{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"error","trace":[],"payload":["\"Save failed:\"","500","{\"code\":7}"]}},"timestamp":10000}`,
		`{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"warn","trace":[],"payload":["\"careful\""]}},"timestamp":10001}`,
		`{"type":6,"data":{"plugin":"other/plugin@1","payload":{"level":"error","payload":["\"x\""]}},"timestamp":10002}`,
	))
	assert.Equal(t, []string{
		"Navigated to https://app.example.com/settings?tab=1",
		"Scrolled",
		`Scrolled div "Hello brave new world"`,
		"Selected 'brave'",
		"Selected text",
		`Console error: Save failed: 500 {"code":7}`,
		"Console warning: careful",
	}, descriptions(res.Actions), "scrolls less than a second apart are one; a drag selection is one; console errors and warnings count, other plugins do not")
	assert.Equal(t, int64(6100), res.Actions[3].Timestamp)
	require.Len(t, res.Errors(), 1)
	assert.Equal(t, ConsoleError{Timestamp: 10000, Message: `Save failed: 500 {"code":7}`, URL: "https://app.example.com/settings?tab=1"}, res.Errors()[0])
	assert.Equal(t, []PageVisit{{Timestamp: 1000, URL: "https://app.example.com/settings?tab=1"}}, res.Pages())
	assert.Equal(t, "1: Navigated to https://app.example.com/settings?tab=1\n2: Scrolled", strings.Join(strings.Split(res.Markdown(), "\n")[:2], "\n"))
}

func TestAnalyzerNotRRWeb(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		missing []string
	}{
		{"mobile SDK shape", `[{"seq":1,"frame":"abc","ts":17}]`, []string{"type", "data", "timestamp"}},
		{"missing data", `[{"type":4,"timestamp":1}]`, []string{"data"}},
		{"not an object", `[17, 18]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Analyze(strings.NewReader(tt.body), Options{})
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrNotRRWeb))
			var nr *NotRRWebError
			require.True(t, errors.As(err, &nr))
			assert.Equal(t, tt.missing, nr.Missing)
			assert.Contains(t, err.Error(), "mobile")
		})
	}
}

func TestAnalyzerOddInput(t *testing.T) {
	tests := []struct {
		name            string
		body            string
		events, skipped int
		wantErr         bool
	}{
		{"empty body", ``, 0, 0, false},
		{"empty array", `[]`, 0, 0, false},
		{"not an array is no events", `{"a":[1,{"b":2}]}`, 0, 0, false},
		{"null", `null`, 0, 0, false},
		{"malformed events are skipped", stream(evMeta,
			`{"type":"x","data":{},"timestamp":1}`,
			`{"type":3,"data":{"source":2,"type":"bad"},"timestamp":2}`,
			`{"type":3,"data":[],"timestamp":3}`,
			`{"type":3,"data":{"source":0,"adds":[{"parentId":1,"node":{"id":"x"}}]},"timestamp":4}`,
			`{"type":3,"data":{},"timestamp":5}`,
			`{"type":4,"data":{"href":"x"},"timestamp":-5}`), 7, 6, false},
		{"broken JSON", `[{"type":4,"data":{"href":"x"},"timestamp":1},{"type":`, 1, 0, true},
		{"truncated array", `[{"type":4,"data":{"href":"x"},"timestamp":1}`, 1, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewAnalyzer(Options{})
			err := a.Feed(strings.NewReader(tt.body))
			if tt.wantErr {
				require.Error(t, err)
				assert.False(t, errors.Is(err, ErrNotRRWeb))
				return
			}
			require.NoError(t, err)
			res := a.Result()
			assert.Equal(t, tt.events, res.EventCount)
			assert.Equal(t, tt.skipped, res.SkippedEvents)
			assert.NotNil(t, res.Actions)
		})
	}
	assert.Equal(t, "No user actions recorded.", analyzeString(t, `[]`).Markdown())
}

// TestAnalyzerFeedsFiles checks that feeding a recording as several CDN
// files, in any split, gives the same analysis as one file.
func TestAnalyzerFeedsFiles(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "web_login_board.json"))
	require.NoError(t, err)
	var events []json.RawMessage
	require.NoError(t, json.Unmarshal(data, &events))
	whole, err := Analyze(bytes.NewReader(data), Options{})
	require.NoError(t, err)

	for _, size := range []int{1, 7, 50, 1000} {
		a := NewAnalyzer(Options{})
		for i := 0; i < len(events); i += size {
			chunk, err := json.Marshal(events[i:min(i+size, len(events))])
			require.NoError(t, err)
			require.NoError(t, a.Feed(bytes.NewReader(chunk)))
		}
		assert.Equal(t, whole, a.Result(), "files of %d events", size)
	}
}

func TestAnalyzerKeepRawAndOrder(t *testing.T) {
	body := stream(evMeta, evSnapshot,
		inc(9000, `{"source":2,"type":2,"id":12}`),
		inc(3000, `{"source":2,"type":2,"id":14}`))
	res, err := Analyze(strings.NewReader(body), Options{KeepRaw: true})
	require.NoError(t, err)
	require.Len(t, res.RawEvents, 4)
	assert.JSONEq(t, evMeta, string(res.RawEvents[0]))
	assert.Equal(t, []string{"Navigated to https://app.example.com/settings?tab=1", `Clicked div "Hello brave new world"`, `Clicked button "Save"`}, descriptions(res.Actions), "actions come out in time order")
	assert.Equal(t, int64(1000), res.StartTime)
	assert.Equal(t, int64(9000), res.EndTime)

	out, err := json.Marshal(res)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "raw", "raw events never reach the JSON result")
}

func TestAnalyzerFullSnapshotResetsNodes(t *testing.T) {
	second := `{"type":2,"data":{"node":{"type":0,"id":1,"childNodes":[{"type":2,"id":2,"tagName":"body","attributes":{},"childNodes":[` +
		`{"type":2,"id":12,"tagName":"a","attributes":{"href":"https://app.example.com/orders/12345"},"childNodes":[{"type":3,"id":13,"textContent":"Order"}]}]}]}},"timestamp":5001}`
	res := analyzeString(t, stream(evMeta, evSnapshot,
		inc(2000, `{"source":2,"type":2,"id":12}`),
		`{"type":4,"data":{"href":"https://app.example.com/orders"},"timestamp":5000}`, second,
		inc(6000, `{"source":2,"type":2,"id":12}`),
		inc(6001, `{"source":2,"type":2,"id":14}`)))
	assert.Equal(t, []string{
		"Navigated to https://app.example.com/settings?tab=1",
		`Clicked button "Save"`,
		"Navigated to https://app.example.com/orders",
		`Clicked a "Order" to /orders/12345`,
		"Clicked element",
	}, descriptions(res.Actions), "ids restart on a page load: 12 is another element and 14 is gone")
}

func TestAnalyzerNavigations(t *testing.T) {
	const (
		loaded = `{"type":0,"data":{},"timestamp":%d},{"type":1,"data":{},"timestamp":%d}`
		meta   = `{"type":4,"data":{"href":"%s"},"timestamp":%d}`
	)
	body := "[" + strings.Join([]string{
		fmt.Sprintf(meta, "https://a/x", 1000), // recorder started after the load
		evSnapshot,
		fmt.Sprintf(meta, "https://a/x", 2000), // a checkout: same page, no load
		fmt.Sprintf(loaded, 3000, 3001),
		fmt.Sprintf(meta, "https://a/x", 3002), // a reload
		fmt.Sprintf(meta, "https://a/y", 4000), // a new URL always counts
	}, ",") + "]"
	res := analyzeString(t, body)
	assert.Equal(t, []string{"https://a/x", "https://a/x", "https://a/y"}, navURLs(res.Actions))
	assert.Len(t, res.Pages(), 3)
}
