package replay

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func act(ts int64, action, interaction, target, url string) UserAction {
	a := UserAction{Timestamp: ts, Action: action, TargetDesc: target, URL: url, Metadata: map[string]any{}, Description: target}
	if interaction != "" {
		a.Metadata["interaction"] = interaction
		a.Description = strings.ToUpper(interaction[:1]) + interaction[1:] + " " + target
	}
	if action == ActionNavigate {
		a.Description = "Navigated to " + url
		a.TargetDesc = a.Description
	}
	return a
}

const (
	boards1 = "https://app.example.com/boards?id=1"
	boards2 = "https://app.example.com/boards?id=2"
	docs    = "https://app.example.com/docs"
	save    = `button "Save"`
)

// testBundle is three replays built by hand so every aggregation has a
// known answer.
func testBundle() *ReplayBundle {
	r1 := &Replay{ReplayID: "r1", DistinctID: "u1", ProjectID: 7, StartTime: 1000, EndTime: 21000, RetentionDays: 30, EventCount: 120, Actions: []UserAction{
		act(1000, ActionNavigate, "", "", boards1),
		act(2000, ActionClick, InteractionFocused, save, boards1),
		act(2001, ActionClick, InteractionClicked, save, boards1),
		act(2300, ActionClick, InteractionClicked, save, boards1),
		act(2600, ActionClick, InteractionClicked, save, boards1),
		act(20000, ActionInput, "", `input "Name"`, boards1),
		act(21000, ActionConsoleError, "", "Save failed", boards1),
	}}
	saveClick := act(1500, ActionClick, InteractionClicked, save, boards2)
	saveClick.Metadata["data-testid"] = "save-btn"
	r2 := &Replay{ReplayID: "r2", DistinctID: "u2", ProjectID: 7, StartTime: 1000, EndTime: 5100, RetentionDays: 7, EventCount: 40, Actions: []UserAction{
		act(1000, ActionNavigate, "", "", boards2),
		saveClick,
		act(1600, ActionClick, InteractionDoubleClicked, save, boards2),
		act(5000, ActionClick, InteractionClicked, `a "Docs"`, docs),
		act(5100, ActionNavigate, "", "", docs),
	}, MixpanelEvents: []ReplayEvent{{ReplayID: "r2", EventName: "Signup", EventTime: 2, Properties: map[string]any{"plan": "pro"}}}}
	r3 := &Replay{ReplayID: "r3", DistinctID: "u1", ProjectID: 7, StartTime: 9000, EndTime: 9000, RetentionDays: 90, Actions: []UserAction{}}
	return &ReplayBundle{Replays: []*Replay{r1, r2, r3}, ProjectID: 7, ComputedAt: "2026-11-25T12:00:00Z"}
}

func ids(b *ReplayBundle) []string {
	out := []string{}
	for _, r := range b.Replays {
		out = append(out, r.ReplayID)
	}
	return out
}

func TestBundleSessions(t *testing.T) {
	b := testBundle()
	require.NoError(t, b.Validate())
	assert.Equal(t, []SessionRow{
		{ReplayID: "r1", DistinctID: "u1", StartTime: 1000, EndTime: 21000, DurationS: 20, RetentionDays: 30, NEvents: 120, NActions: 7, NClicks: 3, NInputs: 1, NPages: 1, NErrors: 1, EntryURL: boards1, ExitURL: boards1},
		{ReplayID: "r2", DistinctID: "u2", StartTime: 1000, EndTime: 5100, DurationS: 4.1, RetentionDays: 7, NEvents: 40, NActions: 5, NClicks: 3, NPages: 2, NMPEvents: 1, EntryURL: boards2, ExitURL: docs},
		{ReplayID: "r3", DistinctID: "u1", StartTime: 9000, EndTime: 9000, RetentionDays: 90},
	}, b.Sessions())
	rows := b.ActionRows()
	assert.Len(t, rows, 12)
	assert.Equal(t, ActionRow{ReplayID: "r2", T: 5000, Action: ActionClick, TargetDesc: `a "Docs"`, Description: `Clicked a "Docs"`, URL: docs, Metadata: map[string]any{"interaction": "clicked"}}, rows[10])
	assert.Equal(t, []MixpanelRow{{ReplayID: "r2", T: 2, EventName: "Signup", Properties: map[string]any{"plan": "pro"}}}, b.MixpanelRows())
}

func TestBundleClicks(t *testing.T) {
	b := testBundle()
	assert.Equal(t, []ElementRow{
		{TargetDesc: `a "Docs"`, URL: docs, NClicks: 1, NUniqueReplays: 1},
		{TargetDesc: save, URL: "https://app.example.com/boards", NClicks: 5, NUniqueReplays: 2},
	}, b.Elements(), "focus halves are not clicks; ?id=1 and ?id=2 are one page template")
	assert.Equal(t, []ClickCount{{save, 5}, {`a "Docs"`, 1}}, b.TopClicks(DefaultTopClicks))
	assert.Equal(t, []ClickCount{{save, 5}}, b.TopClicks(1))
	assert.Empty(t, b.TopClicks(0))

	tests := []struct {
		threshold int
		window    int64
		want      []RageClick
	}{
		{DefaultRageThreshold, DefaultRageWindowMs, []RageClick{{"r1", 2001, save, 3}}},
		{2, DefaultRageWindowMs, []RageClick{{"r1", 2001, save, 3}, {"r2", 1500, save, 2}}},
		{3, 500, []RageClick{}},
		{4, 10000, []RageClick{}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, b.RageClicks(tt.threshold, tt.window), "threshold %d window %d", tt.threshold, tt.window)
	}
}

func TestBundlePauses(t *testing.T) {
	b := testBundle()
	assert.Equal(t, []Pause{{"r1", 2600, 17.4}}, b.LongPauses(DefaultPauseSeconds))
	assert.Equal(t, []Pause{{"r1", 2600, 17.4}, {"r2", 1600, 3.4}}, b.LongPauses(3))
	assert.Empty(t, b.LongPauses(60))
}

func TestBundleFilters(t *testing.T) {
	b := testBundle()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		got  *ReplayBundle
		want []string
	}{
		{"where user", b.Where(Where{DistinctID: "u1"}), []string{"r1", "r3"}},
		{"where url", b.Where(Where{ContainsURL: "/docs"}), []string{"r2"}},
		{"where event", b.Where(Where{HasEvent: "Signup"}), []string{"r2"}},
		{"where min duration", b.Where(Where{MinDurationS: f(5)}), []string{"r1"}},
		{"where max duration", b.Where(Where{MaxDurationS: f(5)}), []string{"r2", "r3"}},
		{"where combined", b.Where(Where{DistinctID: "u1", MaxDurationS: f(5)}), []string{"r3"}},
		{"where nothing", b.Where(Where{}), []string{"r1", "r2", "r3"}},
		{"pattern contiguous", b.FindPattern([]string{`click:button "Save"@https://app.example.com/boards`, `input:input "Name"@https://app.example.com/boards`}, nil), []string{"r1"}},
		{"pattern across pages", b.FindPattern([]string{`click:a "Docs"@https://app.example.com/docs`, "navigate:Navigated to " + docs + "@https://app.example.com/docs"}, DefaultLabel), []string{"r2"}},
		{"pattern not contiguous", b.FindPattern([]string{"navigate:Navigated to " + boards1 + "@https://app.example.com/boards", `input:input "Name"@https://app.example.com/boards`}, nil), []string{}},
		{"pattern empty", b.FindPattern(nil, nil), []string{"r1", "r2", "r3"}},
		{"pattern by selector", b.FindPattern([]string{"click:save-btn@https://app.example.com/boards"}, SelectorLabel("data-testid")), []string{"r2"}},
		{"errors", b.ErrorSessions(), []string{"r1"}},
		{"head", b.Head(2), []string{"r1", "r2"}},
		{"head too many", b.Head(10), []string{"r1", "r2", "r3"}},
		{"head zero", b.Head(0), []string{}},
		{"head negative drops from the end", b.Head(-1), []string{"r1", "r2"}},
		{"filter", b.Filter(func(r *Replay) bool { return r.RetentionDays > 10 }), []string{"r1", "r3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ids(tt.got))
			assert.Equal(t, b.ProjectID, tt.got.ProjectID)
			assert.Equal(t, b.ComputedAt, tt.got.ComputedAt)
		})
	}
	assert.Equal(t, []string{"r1", "r2", "r3"}, ids(b), "filters leave the bundle unchanged")
	assert.Equal(t, []string{"r1"}, b.ErrorSessionIDs())
}

func TestBundleSample(t *testing.T) {
	b := testBundle()
	first := ids(b.Sample(2, 42))
	assert.Len(t, first, 2)
	assert.Equal(t, first, ids(b.Sample(2, 42)), "same seed, same sample")
	assert.ElementsMatch(t, []string{"r1", "r2", "r3"}, ids(b.Sample(10, 1)))
	assert.Empty(t, ids(b.Sample(-1, 1)))
	seen := map[string]bool{}
	for seed := uint64(0); seed < 50; seed++ {
		seen[strings.Join(ids(b.Sample(2, seed)), ",")] = true
	}
	assert.Greater(t, len(seen), 1, "different seeds draw different samples")
}

func TestBundleCompare(t *testing.T) {
	b := testBundle()
	assert.Equal(t, []CompareRow{
		{ActionClick, 7, 4, 3},
		{ActionConsoleError, 1, 1, 0},
		{ActionInput, 1, 1, 0},
		{ActionNavigate, 3, 1, 2},
	}, b.Compare(b.ErrorSessions()))
	assert.Empty(t, (&ReplayBundle{}).Compare(&ReplayBundle{}))
}

func TestBundleMarkdown(t *testing.T) {
	b := testBundle()
	md := b.SummaryMarkdown()
	assert.True(t, strings.HasPrefix(md, "# Bundle summary\n\n- replays: 3\n- total events: 160\n- total actions: 12\n- total errors: 1\n\n# Replay r1\n"), md)
	assert.Contains(t, md, "# Replay r3 — no actions extracted\n")
	assert.Equal(t, 3, strings.Count(md, "\n---\n"))
	assert.Contains(t, md, "## Mixpanel events\n\n2: Signup\n")
	assert.Contains(t, md, "- rage click: 3× button \"Save\" at 2\n")
	assert.Contains(t, md, "- long pause: 17.4 s after 2\n")
	assert.Equal(t, "# No replays in bundle\n", (&ReplayBundle{}).SummaryMarkdown())

	capped := b.Replays[0].Markdown(MarkdownOptions{MaxActions: 2, HideFocus: true})
	assert.Contains(t, capped, "## Timeline\n\n1: Navigated to "+boards1+"\n2: Clicked button \"Save\"\n… 4 more actions; raise the action limit to see them\n")
	assert.NotContains(t, capped, "Focused")
}

// TestRealBundle aggregates the four shared recordings together.
func TestRealBundle(t *testing.T) {
	var replays []*Replay
	for _, name := range firstRecordings {
		replays = append(replays, testReplay(t, name))
	}
	b := &ReplayBundle{Replays: replays, ProjectID: 42, ComputedAt: "2026-11-25T12:00:00Z"}
	require.NoError(t, b.Validate())
	checkGolden(t, filepath.Join("testdata", "golden", "bundle.summary.md"), []byte(b.SummaryMarkdown()))

	assert.Equal(t, ClickCount{`button "Export board"`, 6}, b.TopClicks(1)[0])
	assert.Equal(t, []string{"web_login_board", "web_rage_errors", "mobile_shop_idle"}, ids(b.ErrorSessions()))
	// A double or triple click is one action, so the extra recording's
	// double- and triple-click are not bursts (the reference counts them
	// as three and four clicks); five fast clicks still are.
	var rage []string
	for _, rc := range b.RageClicks(DefaultRageThreshold, DefaultRageWindowMs) {
		rage = append(rage, fmt.Sprintf("%s %d× %s", rc.ReplayID, rc.Count, rc.TargetDesc))
	}
	assert.Equal(t, []string{
		`web_rage_errors 5× button "Export board"`,
		`web_rage_errors 6× div "Sync now"`,
	}, rage)
	assert.Equal(t, []string{"web_login_board", "web_rage_errors", "web_extra_interactions"}, ids(b.Where(Where{ContainsURL: "/boards/456/settings"})))
	assert.Equal(t, []string{"web_login_board"}, ids(b.FindPattern([]string{
		`click:button "Sign in"@http://127.0.0.1:46773/login`,
		"console_error:Login failed: password missing@http://127.0.0.1:46773/login",
	}, nil)))

	// The settings page of two recordings is one page template.
	var settings []ElementRow
	for _, e := range b.Elements() {
		if e.URL == "http://127.0.0.1:46773/boards/:id/settings" && e.TargetDesc == `button "Delete board"` {
			settings = append(settings, e)
		}
	}
	assert.Equal(t, []ElementRow{{`button "Delete board"`, "http://127.0.0.1:46773/boards/:id/settings", 2, 1}}, settings)
}
