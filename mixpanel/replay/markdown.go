package replay

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MarkdownOptions shape a replay's summary for a reader with a token budget.
type MarkdownOptions struct {
	// MaxActions caps the timeline; 0 means no cap. A capped timeline ends
	// with a line saying how many actions were left out.
	MaxActions int
	// HideFocus leaves out the focus half of clicks, which repeats the click
	// that follows it.
	HideFocus bool
}

// SummaryMarkdown is the full summary of the replay: what a tool returns by
// default instead of raw rrweb.
func (r *Replay) SummaryMarkdown() string { return r.Markdown(MarkdownOptions{}) }

// Markdown renders the replay's summary: a header with who, when and how
// long, the counts, the page path and the console errors, then the
// "{unix seconds}: {description}" timeline. A replay without actions gets the
// reference's one-line placeholder.
func (r *Replay) Markdown(opts MarkdownOptions) string {
	if len(r.Actions) == 0 {
		return fmt.Sprintf("# Replay %s — no actions extracted\n", r.ReplayID)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Replay %s\n\n", r.ReplayID)
	user := r.DistinctID
	if user == "" {
		user = "(anonymous)"
	}
	fmt.Fprintf(&b, "- user: %s\n", user)
	fmt.Fprintf(&b, "- recorded: %s, %s s, %d rrweb events\n",
		time.UnixMilli(r.StartTime).UTC().Format(time.RFC3339), strconv.FormatFloat(r.DurationSeconds(), 'f', 1, 64), r.EventCount)
	one := &ReplayBundle{Replays: []*Replay{r}}
	row := one.Sessions()[0]
	fmt.Fprintf(&b, "- actions: %d (%s, %s, %s, %s)\n", row.NActions,
		plural(row.NClicks, "click"), plural(row.NInputs, "input"), plural(row.NPages, "page load"), plural(row.NErrors, "console error"))
	if path := r.PagePath(); len(path) > 0 {
		fmt.Fprintf(&b, "- pages: %s\n", strings.Join(path, " → "))
	}
	writeConsole(&b, "Console errors", r.Errors())
	writeConsole(&b, "Console warnings", r.Warnings())
	writeSignals(&b, one)
	if len(r.MixpanelEvents) > 0 {
		b.WriteString("\n## Mixpanel events\n\n")
		for _, e := range r.MixpanelEvents {
			fmt.Fprintf(&b, "%d: %s\n", e.EventTime, e.EventName)
		}
	}
	b.WriteString("\n## Timeline\n\n")
	shown := r.Actions
	if opts.HideFocus {
		shown = make([]UserAction, 0, len(r.Actions))
		for _, a := range r.Actions {
			if a.Interaction() != InteractionFocused {
				shown = append(shown, a)
			}
		}
	}
	more := 0
	if opts.MaxActions > 0 && len(shown) > opts.MaxActions {
		more = len(shown) - opts.MaxActions
		shown = shown[:opts.MaxActions]
	}
	b.WriteString(Timeline(shown))
	b.WriteByte('\n')
	if more > 0 {
		fmt.Fprintf(&b, "… %d more actions; raise the action limit to see them\n", more)
	}
	return b.String()
}

// SummaryMarkdown rolls the bundle up: totals, then each replay's summary
// separated by horizontal rules, in the reference's layout.
func (b *ReplayBundle) SummaryMarkdown() string { return b.Markdown(MarkdownOptions{}) }

// Markdown is SummaryMarkdown with options applied to every replay.
func (b *ReplayBundle) Markdown(opts MarkdownOptions) string {
	if len(b.Replays) == 0 {
		return "# No replays in bundle\n"
	}
	events, actions, errs := 0, 0, 0
	for _, s := range b.Sessions() {
		events += s.NEvents
		actions += s.NActions
		errs += s.NErrors
	}
	sections := []string{
		"# Bundle summary",
		"",
		fmt.Sprintf("- replays: %d", len(b.Replays)),
		fmt.Sprintf("- total events: %d", events),
		fmt.Sprintf("- total actions: %d", actions),
		fmt.Sprintf("- total errors: %d", errs),
		"",
	}
	for _, r := range b.Replays {
		sections = append(sections, r.Markdown(opts), "\n---\n")
	}
	return strings.Join(sections, "\n")
}

// writeConsole lists each distinct console error (or warning) once, with
// its count and first and last time, because a failing handler repeats the
// same errors on every click and the timeline already shows each occurrence.
func writeConsole(b *strings.Builder, title string, errs []UserAction) {
	if len(errs) == 0 {
		return
	}
	type group struct {
		msg, url    string
		n           int
		first, last int64
	}
	var groups []*group
	index := map[[2]string]*group{}
	for _, e := range errs {
		k := [2]string{e.TargetDesc, e.URL}
		g, ok := index[k]
		if !ok {
			g = &group{msg: e.TargetDesc, url: e.URL, first: e.Timestamp}
			index[k] = g
			groups = append(groups, g)
		}
		g.n++
		g.last = e.Timestamp
	}
	fmt.Fprintf(b, "\n## %s (%d, %d distinct)\n\n", title, len(errs), len(groups))
	for _, g := range groups {
		fmt.Fprintf(b, "- %d× %s — at %d", g.n, g.msg, floorDiv(g.first, 1000))
		if g.n > 1 {
			fmt.Fprintf(b, "–%d", floorDiv(g.last, 1000))
		}
		if g.url != "" {
			fmt.Fprintf(b, " on %s", g.url)
		}
		b.WriteByte('\n')
	}
}

// writeSignals notes rage clicks and long pauses at the reference's default
// thresholds: the frustration and hesitation a reader looks for first.
func writeSignals(b *strings.Builder, one *ReplayBundle) {
	rage := one.RageClicks(DefaultRageThreshold, DefaultRageWindowMs)
	pauses := one.LongPauses(DefaultPauseSeconds)
	if len(rage) == 0 && len(pauses) == 0 {
		return
	}
	b.WriteString("\n## Signals\n\n")
	for _, rc := range rage {
		fmt.Fprintf(b, "- rage click: %d× %s at %d\n", rc.Count, rc.TargetDesc, floorDiv(rc.TStart, 1000))
	}
	for _, p := range pauses {
		fmt.Fprintf(b, "- long pause: %s s after %d\n", strconv.FormatFloat(p.DurationS, 'f', 1, 64), floorDiv(p.TStart, 1000))
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
