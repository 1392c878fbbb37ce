package replay_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

// Analysing a recording and wrapping it in a Replay, as a fetch does after
// the CDN walk.
func ExampleAnalyze() {
	f, err := os.Open("testdata/web_rage_errors.json")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	res, err := replay.Analyze(f, replay.Options{})
	if err != nil {
		panic(err)
	}
	r := replay.NewReplay(replay.ReplaySummary{ReplayID: "r-1", ProjectID: 42, StartTime: res.StartTime, RetentionDays: 30}, res)
	fmt.Println(len(r.Actions), "actions,", len(r.Errors()), "console errors")
	fmt.Println(r.Actions[2].Description)
	// Output:
	// 56 actions, 20 console errors
	// Clicked button "Export board"
}

// Feeding a recording one CDN file at a time.
func ExampleAnalyzer_Feed() {
	files := []string{
		`[{"type":4,"data":{"href":"https://app.example.com/home"},"timestamp":1700000000000}]`,
		`[{"type":6,"data":{"plugin":"rrweb/console@1","payload":{"level":"error","payload":["\"boom\""]}},"timestamp":1700000001500}]`,
	}
	a := replay.NewAnalyzer(replay.Options{})
	for _, body := range files {
		if err := a.Feed(strings.NewReader(body)); err != nil {
			panic(err)
		}
	}
	fmt.Println(a.Result().Markdown())
	// Output:
	// 1700000000: Navigated to https://app.example.com/home
	// 1700000001: Console error: boom
}

// A mobile SDK recording is not rrweb.
func ExampleErrNotRRWeb() {
	_, err := replay.Analyze(strings.NewReader(`[{"seq":0,"frame":"..."}]`), replay.Options{})
	fmt.Println(errors.Is(err, replay.ErrNotRRWeb))
	// Output: true
}

// Rage clicks across a bundle, at the reference's defaults.
func ExampleReplayBundle_RageClicks() {
	f, err := os.Open("testdata/web_rage_errors.json")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	res, err := replay.Analyze(f, replay.Options{})
	if err != nil {
		panic(err)
	}
	b := replay.NewBundle(42, []*replay.Replay{replay.NewReplay(replay.ReplaySummary{ReplayID: "r-1", ProjectID: 42, RetentionDays: 30}, res)})
	for _, rc := range b.RageClicks(replay.DefaultRageThreshold, replay.DefaultRageWindowMs) {
		fmt.Println(rc.Count, rc.TargetDesc)
	}
	// Output:
	// 5 button "Export board"
	// 6 div "Sync now"
}

// Labels group the same action across replays and page parameters.
func ExampleDefaultLabel() {
	a := replay.UserAction{Action: replay.ActionClick, TargetDesc: `button "Save"`, URL: "https://app.example.com/boards/123?tab=2"}
	fmt.Println(replay.DefaultLabel(a))
	// Output: click:button "Save"@https://app.example.com/boards/:id
}
