package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

// The replays toolset. Fetching several replays is one tool with an
// analysis choice rather than a tool per aggregation: the expensive part
// (signing and walking every recording) is the same for all of them, and
// one tool costs the model a fraction of the tools/list tokens.
func replaysTools() []*Tool {
	return []*Tool{
		New("list_replays", ToolsetReplays,
			"List session replays of a user (distinct_id), of explicit replay_ids, or of a period (neither); newest first. Default range: the last 90 days.",
			ReadOnly, listReplays),
		New("fetch_replay", ToolsetReplays,
			"Fetch one session replay and summarise it: page path, console errors, counts and a timeline of user actions. Raw rrweb only with include_raw (size-capped).",
			ReadOnly, fetchReplay),
		New("fetch_replays", ToolsetReplays,
			"Fetch several session replays (replay_ids, or a user's/period's newest) and analyse them together: summary, sessions, top_clicks, rage_clicks, long_pauses, elements, error_sessions or find_pattern.",
			ReadOnly, fetchReplays),
		New("list_replay_events", ToolsetReplays,
			"List the Mixpanel events tracked during replays (not the recording event), in time order, with up to 5 extra event properties.",
			ReadOnly, listReplayEvents),
	}
}

// Bounds of the replay tools.
const (
	replayListMax        = 1000
	replayBundleDefault  = 10
	replayBundleMax      = 50
	replayEventsMaxIDs   = 100
	defaultMaxActions    = 200
	bundleMaxActions     = 60
	defaultMaxRawBytes   = 200_000
	maxRawBytesCap       = 5_000_000
	replayEventsShowRows = 200
)

func checkRetention(iss *query.Issues, days int) {
	if days != 0 && !replay.ValidRetention(days) {
		iss.Add(query.CodeInvalidEnum, "retention_days", "%d is not valid; use one of 1, 7, 30, 90, or omit it to look it up", days)
	}
}

func checkEventProperties(iss *query.Issues, props []string) {
	if len(props) > mixpanel.MaxReplayEventProperties {
		iss.Add(query.CodeRange, "event_properties", "at most %d (the Insights group-by limit), got %d; drop some", mixpanel.MaxReplayEventProperties, len(props))
	}
}

// checkMax checks an optional count: 0 is omitted, otherwise lo..hi.
func checkMax(iss *query.Issues, field string, v, lo, hi int64) {
	if v != 0 {
		iss.Range(query.CodeRange, field, v, lo, hi, "omit it for the default")
	}
}

func utcTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05")
}

// ListReplaysInput selects replays: one user's, explicit ids, or a period.
type ListReplaysInput struct {
	DistinctID string     `json:"distinct_id,omitempty" jsonschema:"description=The user's distinct_id"`
	ReplayIDs  StringList `json:"replay_ids,omitempty" jsonschema:"description=Look up these replays instead"`
	FromDate   string     `json:"from_date,omitempty" jsonschema:"description=Start YYYY-MM-DD (default: 90 days ago)"`
	ToDate     string     `json:"to_date,omitempty" jsonschema:"description=End YYYY-MM-DD (default: today)"`
	Limit      int        `json:"limit,omitempty" jsonschema:"minimum=1,maximum=1000,default=100"`
}

// Validate checks the selection and dates.
func (in ListReplaysInput) Validate() error {
	var iss query.Issues
	if in.DistinctID != "" && len(in.ReplayIDs) > 0 {
		iss.Add(query.CodeConflict, "distinct_id", "give distinct_id or replay_ids, not both")
	}
	checkPage(&iss, in.Limit, 0, replayListMax)
	checkDates(&iss, in.FromDate, in.ToDate, true)
	return issuesError(iss)
}

// ReplayList is the replays found, newest first.
type ReplayList struct {
	Replays []replay.ReplaySummary `json:"replays"`
	Scope   string                 `json:"scope" jsonschema:"description=What was searched"`
}

// Text renders the replays as a table.
func (o ReplayList) Text() string {
	rows := make([][]string, 0, len(o.Replays))
	for _, s := range o.Replays {
		rows = append(rows, []string{s.ReplayID, cmpOrDash(s.DistinctID), utcTime(s.StartTime), fmt.Sprint(s.RetentionDays)})
	}
	return Table{
		Title:   fmt.Sprintf("%d session replays of %s, newest first (UTC)", len(o.Replays), o.Scope),
		Columns: []string{"replay_id", "distinct_id", "started", "retention_days"},
		Rows:    rows,
	}.String() + "fetch_replay summarises one; fetch_replays analyses several together.\n"
}

func listReplays(ctx context.Context, env *Env, in ListReplaysInput) (ReplayList, error) {
	c, err := env.Client()
	if err != nil {
		return ReplayList{}, err
	}
	got, err := c.ListReplays(ctx, mixpanel.ReplayQuery{DistinctID: in.DistinctID, ReplayIDs: in.ReplayIDs, FromDate: in.FromDate, ToDate: in.ToDate, Limit: in.Limit})
	if err != nil {
		return ReplayList{}, err
	}
	return ReplayList{Replays: got, Scope: replayScope(in.DistinctID, in.ReplayIDs, in.FromDate, in.ToDate)}, nil
}

func replayScope(distinct string, ids []string, from, to string) string {
	var who string
	switch {
	case distinct != "":
		who = "user " + distinct
	case len(ids) > 0:
		who = fmt.Sprintf("%d requested ids", len(ids))
	default:
		who = "the project"
	}
	switch {
	case len(ids) > 0:
		return who
	case from == "":
		return who + " in the last 90 days"
	case to == "":
		return who + " from " + from + " to today"
	}
	return who + " from " + from + " to " + to
}

// FetchReplayInput names the replay and how much of it to return.
type FetchReplayInput struct {
	ReplayID        string     `json:"replay_id" jsonschema:"description=The replay's id (list_replays finds them)"`
	RetentionDays   int        `json:"retention_days,omitempty" jsonschema:"enum=1,enum=7,enum=30,enum=90,description=From list_replays; saves a lookup"`
	IncludeEvents   bool       `json:"include_events,omitempty" jsonschema:"description=Add the Mixpanel events tracked during the replay"`
	EventProperties StringList `json:"event_properties,omitempty" jsonschema:"description=Up to 5 event properties for include_events"`
	MaxActions      int        `json:"max_actions,omitempty" jsonschema:"minimum=1,maximum=5000,default=200,description=Timeline lines shown"`
	IncludeRaw      bool       `json:"include_raw,omitempty" jsonschema:"description=Also return raw rrweb events (large; only to replay or debug)"`
	MaxRawBytes     int        `json:"max_raw_bytes,omitempty" jsonschema:"minimum=1000,maximum=5000000,default=200000,description=Cap on raw rrweb returned"`
	MaxFiles        int        `json:"max_files,omitempty" jsonschema:"minimum=1,maximum=500,default=500,description=Cap on CDN files read"`
}

// Validate checks the id and bounds.
func (in FetchReplayInput) Validate() error {
	var iss query.Issues
	iss.Required(query.CodeRequired, "replay_id", in.ReplayID, "7f3c2a")
	checkMax(&iss, "max_actions", int64(in.MaxActions), 1, 5000)
	checkMax(&iss, "max_raw_bytes", int64(in.MaxRawBytes), 1000, maxRawBytesCap)
	if in.MaxRawBytes != 0 && !in.IncludeRaw {
		iss.Add(query.CodeConflict, "max_raw_bytes", "only applies with include_raw=true; set include_raw or drop max_raw_bytes")
	}
	checkMax(&iss, "max_files", int64(in.MaxFiles), 1, mixpanel.DefaultReplayMaxFiles)
	if len(in.EventProperties) > 0 && !in.IncludeEvents {
		iss.Add(query.CodeConflict, "event_properties", "only applies with include_events=true; set include_events or drop event_properties")
	}
	checkEventProperties(&iss, in.EventProperties)
	checkRetention(&iss, in.RetentionDays)
	return issuesError(iss)
}

// ConsoleErrorRow is one console error of a replay.
type ConsoleErrorRow struct {
	Time    int64  `json:"time" jsonschema:"description=Unix seconds"`
	Message string `json:"message"`
	URL     string `json:"url,omitempty"`
}

// ReplayResult is one analysed replay: the summary a model reads, plus the
// facts it is built from. Raw rrweb appears only when asked for.
type ReplayResult struct {
	ReplayID        string               `json:"replay_id"`
	DistinctID      string               `json:"distinct_id,omitempty"`
	StartTime       int64                `json:"start_time" jsonschema:"description=Unix ms"`
	EndTime         int64                `json:"end_time" jsonschema:"description=Unix ms"`
	DurationS       float64              `json:"duration_s"`
	RetentionDays   int                  `json:"retention_days"`
	EventCount      int                  `json:"event_count" jsonschema:"description=rrweb events in the recording"`
	ActionCount     int                  `json:"action_count"`
	PagePath        []string             `json:"page_path"`
	Errors          []ConsoleErrorRow    `json:"errors"`
	MixpanelEvents  []replay.ReplayEvent `json:"mixpanel_events,omitempty"`
	SummaryMarkdown string               `json:"summary_markdown"`
	CDNFiles        int                  `json:"cdn_files"`
	CDNBytes        int64                `json:"cdn_bytes" jsonschema:"description=Raw rrweb bytes read"`
	Truncated       bool                 `json:"truncated,omitempty" jsonschema:"description=Stopped at max_files"`
	RRWebEvents     []json.RawMessage    `json:"rrweb_events,omitempty" jsonschema:"description=Raw rrweb events (include_raw only), in order, up to max_raw_bytes"`
	RawTruncated    bool                 `json:"raw_truncated,omitempty" jsonschema:"description=rrweb_events stops at max_raw_bytes"`
}

// Text is the summary markdown; raw rrweb is never inlined.
func (o ReplayResult) Text() string {
	var b strings.Builder
	b.WriteString(o.SummaryMarkdown)
	if o.Truncated {
		b.WriteString("\nThe recording may continue past max_files CDN files.\n")
	}
	if o.RRWebEvents != nil {
		more := ""
		if o.RawTruncated {
			more = fmt.Sprintf(", cut at max_raw_bytes (the recording has %d events)", o.EventCount)
		}
		fmt.Fprintf(&b, "\nRaw rrweb: %d events in structuredContent.rrweb_events%s.\n", len(o.RRWebEvents), more)
	}
	return b.String()
}

func fetchReplay(ctx context.Context, env *Env, in FetchReplayInput) (ReplayResult, error) {
	c, err := env.Client()
	if err != nil {
		return ReplayResult{}, err
	}
	r, stats, err := c.FetchReplay(ctx, in.ReplayID, mixpanel.FetchOptions{
		RetentionDays: in.RetentionDays, MaxFiles: in.MaxFiles,
		IncludeEvents: in.IncludeEvents, EventProperties: in.EventProperties,
		KeepRaw: in.IncludeRaw,
	})
	if err != nil {
		return ReplayResult{}, err
	}
	maxActions := in.MaxActions
	if maxActions == 0 {
		maxActions = defaultMaxActions
	}
	out := ReplayResult{
		ReplayID: r.ReplayID, DistinctID: r.DistinctID, StartTime: r.StartTime, EndTime: r.EndTime,
		DurationS: r.DurationSeconds(), RetentionDays: r.RetentionDays, EventCount: r.EventCount,
		ActionCount: len(r.Actions), PagePath: orNone(r.PagePath()), Errors: consoleErrors(r),
		SummaryMarkdown: r.Markdown(replay.MarkdownOptions{MaxActions: maxActions, HideFocus: true}),
		CDNFiles:        stats.Files, CDNBytes: stats.Bytes, Truncated: stats.Truncated,
	}
	if in.IncludeEvents {
		out.MixpanelEvents = withProperties(r.MixpanelEvents)
	}
	if in.IncludeRaw {
		limit := in.MaxRawBytes
		if limit == 0 {
			limit = defaultMaxRawBytes
		}
		out.RRWebEvents, out.RawTruncated = capRaw(r.RRWebEvents, limit)
	}
	return out, nil
}

// withProperties gives events without requested properties an empty
// object rather than null, which the output schema (an object) refuses.
func withProperties(events []replay.ReplayEvent) []replay.ReplayEvent {
	out := make([]replay.ReplayEvent, len(events))
	for i, e := range events {
		if e.Properties == nil {
			e.Properties = map[string]any{}
		}
		out[i] = e
	}
	return out
}

// capRaw keeps the leading events that fit in limit bytes of JSON array.
func capRaw(events []json.RawMessage, limit int) ([]json.RawMessage, bool) {
	out := []json.RawMessage{}
	size := 2
	for _, e := range events {
		if size+len(e)+1 > limit {
			return out, true
		}
		size += len(e) + 1
		out = append(out, e)
	}
	return out, false
}

func consoleErrors(r *replay.Replay) []ConsoleErrorRow {
	rows := []ConsoleErrorRow{}
	for _, a := range r.Errors() {
		msg, _ := a.Metadata["message"].(string)
		if msg == "" {
			msg = a.Line()
		}
		rows = append(rows, ConsoleErrorRow{Time: a.Timestamp / 1000, Message: msg, URL: a.URL})
	}
	return rows
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// The analyses fetch_replays offers.
const (
	analysisSummary       = "summary"
	analysisSessions      = "sessions"
	analysisTopClicks     = "top_clicks"
	analysisRageClicks    = "rage_clicks"
	analysisLongPauses    = "long_pauses"
	analysisElements      = "elements"
	analysisErrorSessions = "error_sessions"
	analysisFindPattern   = "find_pattern"
)

var analyses = []string{analysisSummary, analysisSessions, analysisTopClicks, analysisRageClicks, analysisLongPauses, analysisElements, analysisErrorSessions, analysisFindPattern}

// FetchReplaysInput picks the replays and the analysis.
type FetchReplaysInput struct {
	ReplayIDs     StringList `json:"replay_ids,omitempty" jsonschema:"description=Replays to fetch; or give distinct_id / dates to fetch the newest"`
	DistinctID    string     `json:"distinct_id,omitempty" jsonschema:"description=Fetch this user's newest replays"`
	FromDate      string     `json:"from_date,omitempty" jsonschema:"description=Start YYYY-MM-DD when discovering (default: 90 days ago)"`
	ToDate        string     `json:"to_date,omitempty" jsonschema:"description=End YYYY-MM-DD (default: today)"`
	Limit         int        `json:"limit,omitempty" jsonschema:"minimum=1,maximum=50,default=10,description=Most replays to fetch"`
	Analysis      string     `json:"analysis,omitempty" jsonschema:"enum=summary,enum=sessions,enum=top_clicks,enum=rage_clicks,enum=long_pauses,enum=elements,enum=error_sessions,enum=find_pattern,default=summary"`
	N             int        `json:"n,omitempty" jsonschema:"minimum=1,maximum=100,default=10,description=Rows for top_clicks and elements"`
	Threshold     int        `json:"threshold,omitempty" jsonschema:"minimum=2,default=3,description=rage_clicks: clicks per burst"`
	WindowMs      int64      `json:"window_ms,omitempty" jsonschema:"minimum=1,default=1000,description=rage_clicks: burst span in ms"`
	ThresholdS    float64    `json:"threshold_s,omitempty" jsonschema:"default=10,description=long_pauses: idle seconds"`
	Pattern       StringList `json:"pattern,omitempty" jsonschema:"description=find_pattern: consecutive action labels action:target_desc@url_path"`
	IncludeEvents bool       `json:"include_events,omitempty" jsonschema:"description=Add each replay's Mixpanel events"`
	MaxActions    int        `json:"max_actions,omitempty" jsonschema:"minimum=1,maximum=1000,default=60,description=summary: timeline lines per replay"`
}

// Validate checks the selection and the analysis parameters.
func (in FetchReplaysInput) Validate() error {
	var iss query.Issues
	if in.DistinctID != "" && len(in.ReplayIDs) > 0 {
		iss.Add(query.CodeConflict, "distinct_id", "give replay_ids or distinct_id, not both")
	}
	if len(in.ReplayIDs) > replayBundleMax {
		iss.Add(query.CodeRange, "replay_ids", "at most %d replays per call (got %d); split the list", replayBundleMax, len(in.ReplayIDs))
	}
	checkMax(&iss, "limit", int64(in.Limit), 1, replayBundleMax)
	if iss.Enum(query.CodeInvalidEnum, "analysis", in.Analysis, analyses...) && in.Analysis == analysisFindPattern && len(in.Pattern) == 0 {
		iss.Add(query.CodeRequired, "pattern", "this analysis needs the action labels to look for, e.g. [\"click:button \\\"Sign in\\\"@/login\"]")
	}
	checkMax(&iss, "n", int64(in.N), 1, 100)
	checkMax(&iss, "threshold", int64(in.Threshold), 2, query.NoMax)
	if in.WindowMs < 0 {
		iss.Add(query.CodeRange, "window_ms", "must be positive (got %d); omit it for %d", in.WindowMs, replay.DefaultRageWindowMs)
	}
	if in.ThresholdS < 0 {
		iss.Add(query.CodeRange, "threshold_s", "must be positive (got %v); omit it for %v", in.ThresholdS, replay.DefaultPauseSeconds)
	}
	checkMax(&iss, "max_actions", int64(in.MaxActions), 1, 1000)
	checkDates(&iss, in.FromDate, in.ToDate, true)
	return issuesError(iss)
}

// ReplayAnalysis is the result of one analysis over a bundle of replays;
// only the analysis's own field is set.
type ReplayAnalysis struct {
	Analysis        string                   `json:"analysis"`
	ReplayIDs       []string                 `json:"replay_ids" jsonschema:"description=Replays analysed"`
	Failures        []mixpanel.ReplayFailure `json:"failures" jsonschema:"description=Replays that could not be fetched, and why"`
	SummaryMarkdown string                   `json:"summary_markdown,omitempty"`
	Sessions        []replay.SessionRow      `json:"sessions,omitempty"`
	TopClicks       []replay.ClickCount      `json:"top_clicks,omitempty"`
	RageClicks      []replay.RageClick       `json:"rage_clicks,omitempty"`
	LongPauses      []replay.Pause           `json:"long_pauses,omitempty"`
	Elements        []replay.ElementRow      `json:"elements,omitempty"`
	Matching        []string                 `json:"matching_replay_ids,omitempty" jsonschema:"description=error_sessions / find_pattern: replays that match"`
	Scope           string                   `json:"scope"`
}

// Text renders the analysis compactly.
func (o ReplayAnalysis) Text() string {
	var b strings.Builder
	title := fmt.Sprintf("%s of %d replays (%s)", o.Analysis, len(o.ReplayIDs), o.Scope)
	switch o.Analysis {
	case analysisSummary:
		b.WriteString(o.SummaryMarkdown)
	case analysisSessions:
		rows := make([][]string, 0, len(o.Sessions))
		for _, s := range o.Sessions {
			rows = append(rows, []string{s.ReplayID, cmpOrDash(s.DistinctID), utcTime(s.StartTime), Num(s.DurationS), fmt.Sprint(s.NActions), fmt.Sprint(s.NClicks), fmt.Sprint(s.NInputs), fmt.Sprint(s.NPages), fmt.Sprint(s.NErrors), fmt.Sprint(s.NMPEvents), s.EntryURL, s.ExitURL})
		}
		b.WriteString(Table{Title: title, Columns: []string{"replay_id", "distinct_id", "started (UTC)", "duration_s", "actions", "clicks", "inputs", "pages", "errors", "mp_events", "entry_url", "exit_url"}, Rows: rows}.String())
	case analysisTopClicks:
		rows := make([][]string, 0, len(o.TopClicks))
		for _, c := range o.TopClicks {
			rows = append(rows, []string{c.TargetDesc, fmt.Sprint(c.Count)})
		}
		b.WriteString(Table{Title: title, Columns: []string{"target", "clicks"}, Rows: rows}.String())
	case analysisRageClicks:
		rows := make([][]string, 0, len(o.RageClicks))
		for _, r := range o.RageClicks {
			rows = append(rows, []string{r.ReplayID, utcTime(r.TStart), r.TargetDesc, fmt.Sprint(r.Count)})
		}
		b.WriteString(Table{Title: title, Columns: []string{"replay_id", "at (UTC)", "target", "clicks"}, Rows: rows}.String())
	case analysisLongPauses:
		rows := make([][]string, 0, len(o.LongPauses))
		for _, p := range o.LongPauses {
			rows = append(rows, []string{p.ReplayID, utcTime(p.TStart), Num(p.DurationS)})
		}
		b.WriteString(Table{Title: title, Columns: []string{"replay_id", "after action at (UTC)", "idle_s"}, Rows: rows}.String())
	case analysisElements:
		rows := make([][]string, 0, len(o.Elements))
		for _, e := range o.Elements {
			rows = append(rows, []string{e.TargetDesc, e.URL, fmt.Sprint(e.NClicks), fmt.Sprint(e.NUniqueReplays)})
		}
		b.WriteString(Table{Title: title, Columns: []string{"target", "url", "clicks", "replays"}, Rows: rows}.String())
	case analysisErrorSessions, analysisFindPattern:
		fmt.Fprintf(&b, "%s: %d of %d replays match: %s\n", title, len(o.Matching), len(o.ReplayIDs), strings.Join(o.Matching, ", "))
	}
	for _, f := range o.Failures {
		fmt.Fprintf(&b, "\nNot fetched: %s: %s", f.ReplayID, f.Error)
	}
	if len(o.Failures) > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}

func fetchReplays(ctx context.Context, env *Env, in FetchReplaysInput) (ReplayAnalysis, error) {
	c, err := env.Client()
	if err != nil {
		return ReplayAnalysis{}, err
	}
	limit := in.Limit
	if limit == 0 {
		limit = replayBundleDefault
	}
	ids := []string(in.ReplayIDs)
	var found []replay.ReplaySummary
	if len(ids) == 0 {
		if found, err = c.ListReplays(ctx, mixpanel.ReplayQuery{DistinctID: in.DistinctID, FromDate: in.FromDate, ToDate: in.ToDate, Limit: limit}); err != nil {
			return ReplayAnalysis{}, err
		}
		for _, s := range found {
			ids = append(ids, s.ReplayID)
		}
	}
	analysis := in.Analysis
	if analysis == "" {
		analysis = analysisSummary
	}
	out := ReplayAnalysis{Analysis: analysis, ReplayIDs: []string{}, Failures: []mixpanel.ReplayFailure{}, Scope: replayScope(in.DistinctID, in.ReplayIDs, in.FromDate, in.ToDate)}
	if len(ids) == 0 {
		return out, nil
	}
	Progress(ctx, 0, len(ids), fmt.Sprintf("fetching %d replays", len(ids)))
	bundle, failures, err := c.FetchReplays(ctx, ids, mixpanel.FetchOptions{
		IncludeEvents: in.IncludeEvents,
		Summaries:     found,
		Progress: func(done, total int, id string) {
			Progress(ctx, done, total, "fetched replay "+id)
		},
	})
	if err != nil {
		return ReplayAnalysis{}, err
	}
	out.Failures = append(out.Failures, failures...)
	for _, r := range bundle.Replays {
		out.ReplayIDs = append(out.ReplayIDs, r.ReplayID)
	}
	applyAnalysis(&out, bundle, in)
	return out, nil
}

func applyAnalysis(out *ReplayAnalysis, bundle *replay.ReplayBundle, in FetchReplaysInput) {
	n := in.N
	if n == 0 {
		n = replay.DefaultTopClicks
	}
	switch out.Analysis {
	case analysisSummary:
		maxActions := in.MaxActions
		if maxActions == 0 {
			maxActions = bundleMaxActions
		}
		out.SummaryMarkdown = bundle.Markdown(replay.MarkdownOptions{MaxActions: maxActions, HideFocus: true})
	case analysisSessions:
		out.Sessions = bundle.Sessions()
	case analysisTopClicks:
		out.TopClicks = bundle.TopClicks(n)
	case analysisRageClicks:
		threshold, window := in.Threshold, in.WindowMs
		if threshold == 0 {
			threshold = replay.DefaultRageThreshold
		}
		if window == 0 {
			window = replay.DefaultRageWindowMs
		}
		out.RageClicks = bundle.RageClicks(threshold, window)
	case analysisLongPauses:
		s := in.ThresholdS
		if s == 0 {
			s = replay.DefaultPauseSeconds
		}
		out.LongPauses = bundle.LongPauses(s)
	case analysisElements:
		rows := bundle.Elements()
		slices.SortStableFunc(rows, func(a, b replay.ElementRow) int { return b.NClicks - a.NClicks })
		out.Elements = rows[:min(n, len(rows))]
	case analysisErrorSessions:
		out.Matching = bundle.ErrorSessionIDs()
	case analysisFindPattern:
		out.Matching = []string{}
		for _, r := range bundle.FindPattern(in.Pattern, nil).Replays {
			out.Matching = append(out.Matching, r.ReplayID)
		}
	}
}

// ListReplayEventsInput names the replays.
type ListReplayEventsInput struct {
	ReplayIDs       StringList `json:"replay_ids" jsonschema:"description=One replay id or a list"`
	EventProperties StringList `json:"event_properties,omitempty" jsonschema:"description=Up to 5 event properties to include"`
	FromDate        string     `json:"from_date,omitempty" jsonschema:"description=Start YYYY-MM-DD (default: 90 days ago)"`
	ToDate          string     `json:"to_date,omitempty" jsonschema:"description=End YYYY-MM-DD (default: today)"`
}

// Validate checks ids, properties and dates.
func (in ListReplayEventsInput) Validate() error {
	var iss query.Issues
	switch {
	case len(in.ReplayIDs) == 0:
		iss.Add(query.CodeRequired, "replay_ids", "give at least one replay id; list_replays finds them")
	case len(in.ReplayIDs) > replayEventsMaxIDs:
		iss.Add(query.CodeRange, "replay_ids", "at most %d per call (got %d); split the list", replayEventsMaxIDs, len(in.ReplayIDs))
	}
	checkEventProperties(&iss, in.EventProperties)
	checkDates(&iss, in.FromDate, in.ToDate, true)
	return issuesError(iss)
}

// ReplayEventList is the Mixpanel events of the replays, each replay's in
// time order.
type ReplayEventList struct {
	Events []replay.ReplayEvent `json:"events"`
}

// Text renders one row per event.
func (o ReplayEventList) Text() string {
	rows := make([][]string, 0, len(o.Events))
	hasProps := false
	for _, e := range o.Events {
		props := ""
		if len(e.Properties) > 0 {
			hasProps = true
			raw, _ := json.Marshal(e.Properties)
			props = string(raw)
		}
		rows = append(rows, []string{e.ReplayID, utcTime(e.EventTime * 1000), e.EventName, props})
	}
	cols := []string{"replay_id", "time (UTC)", "event", "properties"}
	if !hasProps {
		cols = cols[:3]
		for i := range rows {
			rows[i] = rows[i][:3]
		}
	}
	return Table{Title: fmt.Sprintf("%d Mixpanel events during the replays", len(o.Events)), Columns: cols, Rows: rows, Limit: replayEventsShowRows, Hint: "full list in structuredContent.events"}.String()
}

func listReplayEvents(ctx context.Context, env *Env, in ListReplayEventsInput) (ReplayEventList, error) {
	c, err := env.Client()
	if err != nil {
		return ReplayEventList{}, err
	}
	byReplay, err := c.ReplayEvents(ctx, in.ReplayIDs, in.EventProperties, in.FromDate, in.ToDate)
	if err != nil {
		return ReplayEventList{}, err
	}
	out := ReplayEventList{Events: []replay.ReplayEvent{}}
	for _, id := range in.ReplayIDs {
		out.Events = append(out.Events, withProperties(byReplay[id])...)
		delete(byReplay, id) // an id given twice lists its events once
	}
	return out, nil
}
