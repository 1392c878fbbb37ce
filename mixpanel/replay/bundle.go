package replay

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// NewReplay builds a Replay from its discovery summary and the analyzer's
// result. The recording's own first and last timestamps win over the
// summary's start time, as in the reference.
func NewReplay(s ReplaySummary, res *Result) *Replay {
	r := &Replay{
		ReplayID:       s.ReplayID,
		DistinctID:     s.DistinctID,
		ProjectID:      s.ProjectID,
		StartTime:      s.StartTime,
		EndTime:        s.StartTime,
		RetentionDays:  s.RetentionDays,
		Actions:        []UserAction{},
		MixpanelEvents: []ReplayEvent{},
	}
	if res != nil {
		if res.StartTime > 0 {
			r.StartTime, r.EndTime = res.StartTime, res.EndTime
		}
		r.EventCount = res.EventCount
		r.RRWebEvents = res.RawEvents
		r.Actions = res.Actions
	}
	return r
}

// NewBundle builds a bundle stamped with the current UTC time.
func NewBundle(projectID int64, replays []*Replay) *ReplayBundle {
	if replays == nil {
		replays = []*Replay{}
	}
	return &ReplayBundle{Replays: replays, ProjectID: projectID, ComputedAt: time.Now().UTC().Format(time.RFC3339)}
}

func (b *ReplayBundle) with(replays []*Replay) *ReplayBundle {
	if replays == nil {
		replays = []*Replay{}
	}
	return &ReplayBundle{Replays: replays, ComputedAt: b.ComputedAt, ProjectID: b.ProjectID}
}

// SessionRow is one replay with derived counts (the reference's sessions_df).
type SessionRow struct {
	ReplayID      string  `json:"replay_id"`
	DistinctID    string  `json:"distinct_id,omitempty"`
	StartTime     int64   `json:"start_time" jsonschema:"description=Unix ms"`
	EndTime       int64   `json:"end_time" jsonschema:"description=Unix ms"`
	DurationS     float64 `json:"duration_s"`
	RetentionDays int     `json:"retention_days"`
	NEvents       int     `json:"n_events" jsonschema:"description=rrweb events"`
	NActions      int     `json:"n_actions"`
	NClicks       int     `json:"n_clicks" jsonschema:"description=Genuine clicks (focus halves excluded)"`
	NInputs       int     `json:"n_inputs"`
	NPages        int     `json:"n_pages" jsonschema:"description=Page loads"`
	NErrors       int     `json:"n_errors" jsonschema:"description=Console errors"`
	NMPEvents     int     `json:"n_mp_events" jsonschema:"description=Mixpanel events in the replay window"`
	EntryURL      string  `json:"entry_url,omitempty"`
	ExitURL       string  `json:"exit_url,omitempty"`
}

// Sessions returns one row per replay. Unlike the reference, n_clicks
// counts genuine clicks only, the same definition every click aggregation
// uses; the reference also counts the focus half of each click.
func (b *ReplayBundle) Sessions() []SessionRow {
	rows := make([]SessionRow, 0, len(b.Replays))
	for _, r := range b.Replays {
		row := SessionRow{
			ReplayID: r.ReplayID, DistinctID: r.DistinctID,
			StartTime: r.StartTime, EndTime: r.EndTime, DurationS: r.DurationSeconds(),
			RetentionDays: r.RetentionDays, NEvents: r.EventCount, NActions: len(r.Actions),
			NMPEvents: len(r.MixpanelEvents),
		}
		for _, a := range r.Actions {
			switch {
			case a.IsRealClick():
				row.NClicks++
			case a.Action == ActionInput:
				row.NInputs++
			case a.Action == ActionConsoleError:
				row.NErrors++
			case a.Action == ActionNavigate:
				row.NPages++
				if row.EntryURL == "" {
					row.EntryURL = a.URL
				}
				row.ExitURL = a.URL
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// ActionRow is one action of one replay (the reference's actions_df).
type ActionRow struct {
	ReplayID     string         `json:"replay_id"`
	T            int64          `json:"t" jsonschema:"description=Unix ms"`
	Action       string         `json:"action"`
	TargetNodeID *int           `json:"target_node_id"`
	TargetDesc   string         `json:"target_desc"`
	Description  string         `json:"description"`
	URL          string         `json:"url,omitempty"`
	Metadata     map[string]any `json:"metadata"`
}

// ActionRows returns every action of every replay, replay by replay.
func (b *ReplayBundle) ActionRows() []ActionRow {
	var rows []ActionRow
	for _, r := range b.Replays {
		for _, a := range r.Actions {
			rows = append(rows, ActionRow{
				ReplayID: r.ReplayID, T: a.Timestamp, Action: a.Action, TargetNodeID: a.TargetNodeID,
				TargetDesc: a.TargetDesc, Description: a.Description, URL: a.URL, Metadata: a.Metadata,
			})
		}
	}
	return rows
}

// MixpanelRow is one Mixpanel event of one replay (the reference's mixpanel_df).
type MixpanelRow struct {
	ReplayID   string         `json:"replay_id"`
	T          int64          `json:"t" jsonschema:"description=Unix seconds"`
	EventName  string         `json:"event_name"`
	Properties map[string]any `json:"properties"`
}

// MixpanelRows returns the Mixpanel events attached to the replays.
func (b *ReplayBundle) MixpanelRows() []MixpanelRow {
	var rows []MixpanelRow
	for _, r := range b.Replays {
		for _, e := range r.MixpanelEvents {
			rows = append(rows, MixpanelRow{ReplayID: r.ReplayID, T: e.EventTime, EventName: e.EventName, Properties: e.Properties})
		}
	}
	return rows
}

// ElementRow counts genuine clicks on one element of one page template.
type ElementRow struct {
	TargetDesc     string `json:"target_desc"`
	URL            string `json:"url" jsonschema:"description=Normalized URL: query dropped and id segments as :id"`
	NClicks        int    `json:"n_clicks"`
	NUniqueReplays int    `json:"n_unique_replays"`
}

// Elements groups genuine clicks by (target_desc, normalized URL), so the
// same button on /boards?id=1 and /boards?id=2 is one row; rows are sorted
// by target_desc, then URL.
func (b *ReplayBundle) Elements() []ElementRow {
	type key struct{ desc, url string }
	counts := map[key]*ElementRow{}
	seen := map[key]map[string]bool{}
	for _, r := range b.Replays {
		for _, a := range r.Actions {
			if !a.IsRealClick() {
				continue
			}
			k := key{a.TargetDesc, NormalizeURL(a.URL)}
			row, ok := counts[k]
			if !ok {
				row = &ElementRow{TargetDesc: k.desc, URL: k.url}
				counts[k] = row
				seen[k] = map[string]bool{}
			}
			row.NClicks++
			if !seen[k][r.ReplayID] {
				seen[k][r.ReplayID] = true
				row.NUniqueReplays++
			}
		}
	}
	rows := make([]ElementRow, 0, len(counts))
	for _, row := range counts {
		rows = append(rows, *row)
	}
	slices.SortFunc(rows, func(x, y ElementRow) int {
		return cmp.Or(strings.Compare(x.TargetDesc, y.TargetDesc), strings.Compare(x.URL, y.URL))
	})
	return rows
}

// ClickCount is one click target and how often it was clicked.
type ClickCount struct {
	TargetDesc string `json:"target_desc"`
	Count      int    `json:"count"`
}

// DefaultTopClicks is the reference's default n for TopClicks.
const DefaultTopClicks = 10

// TopClicks ranks the n most-clicked targets across the bundle, counting
// genuine clicks only; ties are ordered by target_desc.
func (b *ReplayBundle) TopClicks(n int) []ClickCount {
	counts := map[string]int{}
	for _, r := range b.Replays {
		for _, a := range r.Actions {
			if a.IsRealClick() {
				counts[a.TargetDesc]++
			}
		}
	}
	rows := make([]ClickCount, 0, len(counts))
	for d, c := range counts {
		rows = append(rows, ClickCount{TargetDesc: d, Count: c})
	}
	slices.SortFunc(rows, func(x, y ClickCount) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.TargetDesc, y.TargetDesc))
	})
	if n < 0 {
		n = 0
	}
	return rows[:min(n, len(rows))]
}

// The reference's rage-click defaults.
const (
	DefaultRageThreshold = 3
	DefaultRageWindowMs  = 1000
)

// RageClick is one burst of repeated clicks on one target.
type RageClick struct {
	ReplayID   string `json:"replay_id"`
	TStart     int64  `json:"t_start" jsonschema:"description=Unix ms of the burst's first click"`
	TargetDesc string `json:"target_desc"`
	Count      int    `json:"count"`
}

// RageClicks finds bursts of at least threshold consecutive genuine clicks
// on the same target_desc whose timestamps span at most windowMs, as the
// reference does: a burst is grown from each click over the following
// clicks on the same target, and a reported burst is skipped past.
func (b *ReplayBundle) RageClicks(threshold int, windowMs int64) []RageClick {
	rows := []RageClick{}
	for _, r := range b.Replays {
		var clicks []UserAction
		for _, a := range r.Actions {
			if a.IsRealClick() {
				clicks = append(clicks, a)
			}
		}
		for i := 0; i < len(clicks); {
			j := i + 1
			for j < len(clicks) && clicks[j].TargetDesc == clicks[i].TargetDesc && clicks[j].Timestamp-clicks[i].Timestamp <= windowMs {
				j++
			}
			if burst := j - i; burst >= threshold {
				rows = append(rows, RageClick{ReplayID: r.ReplayID, TStart: clicks[i].Timestamp, TargetDesc: clicks[i].TargetDesc, Count: burst})
				i = j
			} else {
				i++
			}
		}
	}
	return rows
}

// DefaultPauseSeconds is the reference's long-pause threshold.
const DefaultPauseSeconds = 10.0

// Pause is an idle stretch between two consecutive actions.
type Pause struct {
	ReplayID  string  `json:"replay_id"`
	TStart    int64   `json:"t_start" jsonschema:"description=Unix ms of the action before the pause"`
	DurationS float64 `json:"duration_s"`
}

// LongPauses finds gaps of at least thresholdS seconds between consecutive
// actions of a replay.
func (b *ReplayBundle) LongPauses(thresholdS float64) []Pause {
	thresholdMs := int64(thresholdS * 1000)
	rows := []Pause{}
	for _, r := range b.Replays {
		for i := 1; i < len(r.Actions); i++ {
			prev, cur := r.Actions[i-1], r.Actions[i]
			if gap := cur.Timestamp - prev.Timestamp; gap >= thresholdMs {
				rows = append(rows, Pause{ReplayID: r.ReplayID, TStart: prev.Timestamp, DurationS: float64(gap) / 1000})
			}
		}
	}
	return rows
}

// Filter returns a new bundle of the replays for which keep is true.
func (b *ReplayBundle) Filter(keep func(*Replay) bool) *ReplayBundle {
	var out []*Replay
	for _, r := range b.Replays {
		if keep(r) {
			out = append(out, r)
		}
	}
	return b.with(out)
}

// Where holds the conditions of ReplayBundle.Where; unset ones match all.
type Where struct {
	DistinctID   string   `json:"distinct_id,omitempty" jsonschema:"description=Keep replays of this user"`
	ContainsURL  string   `json:"contains_url,omitempty" jsonschema:"description=Keep replays that loaded a URL containing this substring"`
	HasEvent     string   `json:"has_event,omitempty" jsonschema:"description=Keep replays whose Mixpanel events include this event name"`
	MinDurationS *float64 `json:"min_duration_s,omitempty" jsonschema:"description=Keep replays at least this many seconds long"`
	MaxDurationS *float64 `json:"max_duration_s,omitempty" jsonschema:"description=Keep replays at most this many seconds long"`
}

// Where keeps the replays matching every set condition.
func (b *ReplayBundle) Where(w Where) *ReplayBundle {
	return b.Filter(func(r *Replay) bool {
		if w.DistinctID != "" && r.DistinctID != w.DistinctID {
			return false
		}
		if w.ContainsURL != "" && !slices.ContainsFunc(r.Actions, func(a UserAction) bool {
			return a.Action == ActionNavigate && strings.Contains(a.URL, w.ContainsURL)
		}) {
			return false
		}
		if w.HasEvent != "" && !slices.ContainsFunc(r.MixpanelEvents, func(e ReplayEvent) bool { return e.EventName == w.HasEvent }) {
			return false
		}
		if w.MinDurationS != nil && r.DurationSeconds() < *w.MinDurationS {
			return false
		}
		return w.MaxDurationS == nil || r.DurationSeconds() <= *w.MaxDurationS
	})
}

// FindPattern keeps the replays whose action labels contain sequence as a
// contiguous run. label defaults to DefaultLabel; an empty sequence keeps
// every replay.
func (b *ReplayBundle) FindPattern(sequence []string, label LabelFunc) *ReplayBundle {
	if label == nil {
		label = DefaultLabel
	}
	if len(sequence) == 0 {
		return b.with(slices.Clone(b.Replays))
	}
	return b.Filter(func(r *Replay) bool {
		labels := make([]string, len(r.Actions))
		for i, a := range r.Actions {
			labels[i] = label(a)
		}
		for i := 0; i+len(sequence) <= len(labels); i++ {
			if slices.Equal(labels[i:i+len(sequence)], sequence) {
				return true
			}
		}
		return false
	})
}

// ErrorSessionIDs lists the replays with at least one console error.
func (b *ReplayBundle) ErrorSessionIDs() []string {
	ids := []string{}
	for _, r := range b.Replays {
		if slices.ContainsFunc(r.Actions, func(a UserAction) bool { return a.Action == ActionConsoleError }) {
			ids = append(ids, r.ReplayID)
		}
	}
	return ids
}

// ErrorSessions keeps the replays with at least one console error.
func (b *ReplayBundle) ErrorSessions() *ReplayBundle {
	ids := b.ErrorSessionIDs()
	return b.Filter(func(r *Replay) bool { return slices.Contains(ids, r.ReplayID) })
}

// DefaultHead is the reference's default n for Head and Sample.
const DefaultHead = 5

// Head keeps the first n replays. A negative n drops the last -n, like the
// reference's list slice.
func (b *ReplayBundle) Head(n int) *ReplayBundle {
	if n < 0 {
		n = max(len(b.Replays)+n, 0)
	}
	return b.with(slices.Clone(b.Replays[:min(n, len(b.Replays))]))
}

// Sample picks up to n replays at random, the same ones for the same seed
// and bundle, in the order drawn.
func (b *ReplayBundle) Sample(n int, seed uint64) *ReplayBundle {
	k := max(min(n, len(b.Replays)), 0)
	pool := slices.Clone(b.Replays)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < k; i++ {
		j := i + rng.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return b.with(pool[:k])
}

// CompareRow is one action type's count in two bundles.
type CompareRow struct {
	Action     string `json:"action"`
	SelfCount  int    `json:"self_count"`
	OtherCount int    `json:"other_count"`
	Delta      int    `json:"delta" jsonschema:"description=self_count - other_count"`
}

// Compare counts each action type in b and other, sorted by action.
func (b *ReplayBundle) Compare(other *ReplayBundle) []CompareRow {
	count := func(bb *ReplayBundle) map[string]int {
		m := map[string]int{}
		for _, r := range bb.Replays {
			for _, a := range r.Actions {
				m[a.Action]++
			}
		}
		return m
	}
	self, oth := count(b), count(other)
	keys := map[string]bool{}
	for k := range self {
		keys[k] = true
	}
	for k := range oth {
		keys[k] = true
	}
	rows := make([]CompareRow, 0, len(keys))
	for k := range keys {
		rows = append(rows, CompareRow{Action: k, SelfCount: self[k], OtherCount: oth[k], Delta: self[k] - oth[k]})
	}
	slices.SortFunc(rows, func(x, y CompareRow) int { return strings.Compare(x.Action, y.Action) })
	return rows
}
