// Package replay turns Mixpanel session replays (rrweb event streams) into
// what a model can read: normalized user actions, a markdown timeline, and
// cross-session aggregations over bundles of replays.
//
// It is pure Go with no HTTP and no MCP dependency: the Mixpanel client
// discovers, signs and downloads replays, then hands the rrweb bytes to
// Analyze (or to an Analyzer, one CDN file at a time). The types mirror the
// "Session Replay Types" of the reference library mixpanel_headless, with
// JSON names equal to its field names.
package replay

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
)

// The closed set of UserAction.Action values. The reference locks it so that
// label functions and aggregations can switch on it exhaustively; its nine
// values come first (media_interaction is reserved, not emitted). This
// project adds two for what a narrator of the session mentions and the
// reference drops: console warnings, and the custom events an app tags the
// recording with (rrweb's addCustomEvent).
const (
	ActionClick            = "click"
	ActionInput            = "input"
	ActionScroll           = "scroll"
	ActionNavigate         = "navigate"
	ActionSelect           = "select"
	ActionConsoleError     = "console_error"
	ActionTouchStart       = "touch_start"
	ActionViewportResize   = "viewport_resize"
	ActionMediaInteraction = "media_interaction"
	ActionConsoleWarning   = "console_warning"
	ActionCustomEvent      = "custom_event"
)

// Actions lists every valid UserAction.Action value, the reference's first
// in its order.
func Actions() []string {
	return []string{
		ActionClick, ActionInput, ActionScroll, ActionNavigate, ActionSelect,
		ActionConsoleError, ActionViewportResize, ActionTouchStart, ActionMediaInteraction,
		ActionConsoleWarning, ActionCustomEvent,
	}
}

// Values of UserAction.Metadata["interaction"] for click-family actions. A
// real mouse click on a focusable element yields both a "focused" and a
// "clicked" action; aggregations drop the focus half so a click counts once.
const (
	InteractionClicked       = "clicked"
	InteractionDoubleClicked = "double-clicked"
	InteractionRightClicked  = "right-clicked"
	InteractionFocused       = "focused"
	InteractionTapped        = "tapped"
	// A double or triple click is one action (it selects a word or a
	// paragraph), not two or three clicks: it is not a rage click.
	InteractionTripleClicked = "triple-clicked"
	// A swipe is a touch_start action: the finger moved, so it was not a
	// tap on what it started on.
	InteractionSwiped = "swiped"
)

// ValidRetention accepts the only CDN retention windows Mixpanel stores
// replays at: 1, 7, 30 and 90 days. The window names a replay's CDN files,
// so any other value can only miss.
func ValidRetention(days int) bool {
	switch days {
	case 1, 7, 30, 90:
		return true
	}
	return false
}

// ValidationError reports a field of a replay type that breaks the
// reference's construction rules, with a fix the caller can apply.
type ValidationError struct {
	Field   string
	Problem string
	Fix     string
}

func (e *ValidationError) Error() string {
	if e.Fix == "" {
		return e.Field + ": " + e.Problem
	}
	return e.Field + ": " + e.Problem + "; " + e.Fix
}

// ReplaySummary is the discovery handle of one replay: enough to decide
// whether to download the recording, which costs one CDN walk.
type ReplaySummary struct {
	ReplayID      string `json:"replay_id" jsonschema:"description=Mixpanel replay identifier"`
	DistinctID    string `json:"distinct_id,omitempty" jsonschema:"description=Mixpanel user identifier; empty for anonymous sessions"`
	ProjectID     int64  `json:"project_id" jsonschema:"description=Owning project"`
	StartTime     int64  `json:"start_time" jsonschema:"description=Unix ms of the $mp_session_record event"`
	RetentionDays int    `json:"retention_days" jsonschema:"enum=1,enum=7,enum=30,enum=90,description=Days of CDN retention"`
}

// Validate applies the reference's rules (data-model §2.1).
func (s ReplaySummary) Validate() error {
	switch {
	case s.ReplayID == "":
		return &ValidationError{Field: "replay_id", Problem: "must be non-empty", Fix: "pass the $mp_replay_id of the replay"}
	case s.ProjectID <= 0:
		return &ValidationError{Field: "project_id", Problem: fmt.Sprintf("must be positive; got %d", s.ProjectID), Fix: "pass the numeric id of the project that recorded the replay"}
	case s.StartTime <= 0:
		return &ValidationError{Field: "start_time", Problem: fmt.Sprintf("must be a positive unix ms timestamp; got %d", s.StartTime)}
	case !ValidRetention(s.RetentionDays):
		return &ValidationError{Field: "retention_days", Problem: fmt.Sprintf("must be one of 1, 7, 30, 90; got %d", s.RetentionDays), Fix: "use the replay's $mp_replay_retention_period (30 when unknown)"}
	}
	return nil
}

// SignedTTLSeconds is how long a signed CDN query string stays valid.
const SignedTTLSeconds = 300

// SignedReplay is a signed CDN access handle for one replay.
//
// Its query string is a bearer credential valid for about five minutes, so it
// is held by a closure in an unexported field: JSON encoding leaves it out,
// String, GoString, Format and LogValue print a masked form, and even a
// reflection-based print of a struct that holds a SignedReplay in an
// unexported field (where fmt cannot call Format) shows only a function
// address, for every verb. Callers that need the credential ask for it by
// name (QueryString, FileURL, WithCredential).
type SignedReplay struct {
	ReplayID string  `json:"replay_id" jsonschema:"description=Mixpanel replay identifier"`
	URL      string  `json:"url" jsonschema:"description=CDN URL prefix with a trailing slash"`
	Env      string  `json:"env" jsonschema:"enum=prod,enum=dev,description=Replay environment"`
	SignedAt float64 `json:"signed_at" jsonschema:"description=Unix seconds when the URL was signed"`

	cred func() string
}

// NewSignedReplay validates and builds a handle (data-model §2.2).
func NewSignedReplay(replayID, url, queryString, env string, signedAt float64) (SignedReplay, error) {
	switch {
	case replayID == "":
		return SignedReplay{}, &ValidationError{Field: "replay_id", Problem: "must be non-empty"}
	case !strings.HasSuffix(url, "/"):
		return SignedReplay{}, &ValidationError{Field: "url", Problem: "must end with '/' for CDN-path concatenation", Fix: "use the url of the sign response unchanged"}
	case queryString == "":
		return SignedReplay{}, &ValidationError{Field: "query_string", Problem: "must be non-empty", Fix: "sign the replay again"}
	case env != "prod" && env != "dev":
		return SignedReplay{}, &ValidationError{Field: "env", Problem: fmt.Sprintf("must be \"prod\" or \"dev\"; got %q", env)}
	case signedAt < 0:
		return SignedReplay{}, &ValidationError{Field: "signed_at", Problem: fmt.Sprintf("must be non-negative; got %v", signedAt)}
	}
	return SignedReplay{ReplayID: replayID, URL: url, Env: env, SignedAt: signedAt, cred: func() string { return queryString }}, nil
}

// QueryString returns the signed bearer credential. Never log it.
func (s SignedReplay) QueryString() string {
	if s.cred == nil {
		return ""
	}
	return s.cred()
}

// Equal compares two handles, credential included; use it instead of == or
// reflect.DeepEqual, which cannot see through the closure.
func (s SignedReplay) Equal(o SignedReplay) bool {
	return s.ReplayID == o.ReplayID && s.URL == o.URL && s.Env == o.Env && s.SignedAt == o.SignedAt && s.QueryString() == o.QueryString()
}

// ExpiresAt is the approximate Unix second at which the signature lapses.
func (s SignedReplay) ExpiresAt() float64 { return s.SignedAt + SignedTTLSeconds }

// IsExpired reports whether now (Unix seconds) has reached ExpiresAt.
func (s SignedReplay) IsExpired(now float64) bool { return now >= s.ExpiresAt() }

// FileURL is the CDN address of recording file n. It carries the credential,
// so it must not reach a log or an error message either.
func (s SignedReplay) FileURL(n, retentionDays int) string {
	return fmt.Sprintf("%s%04d-%d.json?%s", s.URL, n, retentionDays, s.QueryString())
}

func (s SignedReplay) masked() string {
	return fmt.Sprintf("SignedReplay(replay_id=%q, url=%q, query_string=\"<redacted %d chars>\", env=%q, signed_at=%v)",
		s.ReplayID, s.URL, len(s.QueryString()), s.Env, s.SignedAt)
}

// String masks the credential.
func (s SignedReplay) String() string { return s.masked() }

// GoString masks the credential for %#v.
func (s SignedReplay) GoString() string { return s.masked() }

// Format masks the credential for every verb, so %x or %q cannot dump it.
func (s SignedReplay) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.masked())) }

// LogValue masks the credential for log/slog.
func (s SignedReplay) LogValue() slog.Value { return slog.StringValue(s.masked()) }

// SignedReplayCredential is the explicit opt-in serialization of a
// SignedReplay that includes the bearer credential, with the reference's
// warning key so downstream serializers can surface the risk.
type SignedReplayCredential struct {
	Warning     string  `json:"_warning"`
	ReplayID    string  `json:"replay_id"`
	URL         string  `json:"url"`
	QueryString string  `json:"query_string"`
	Env         string  `json:"env"`
	SignedAt    float64 `json:"signed_at"`
}

// WithCredential returns the full serialization including the credential.
func (s SignedReplay) WithCredential() SignedReplayCredential {
	return SignedReplayCredential{
		Warning:     "query_string is a bearer credential valid for ~5 minutes",
		ReplayID:    s.ReplayID,
		URL:         s.URL,
		QueryString: s.QueryString(),
		Env:         s.Env,
		SignedAt:    s.SignedAt,
	}
}

// ReplayEvent is a Mixpanel event that happened inside a replay's window.
// EventTime is in Unix seconds (Mixpanel's native unit), unlike the rrweb
// millisecond timestamps, which is why the timeline is in Unix seconds too.
type ReplayEvent struct {
	ReplayID   string         `json:"replay_id" jsonschema:"description=Owning replay"`
	EventName  string         `json:"event_name" jsonschema:"description=Mixpanel event name"`
	EventTime  int64          `json:"event_time" jsonschema:"description=Unix seconds"`
	Properties map[string]any `json:"properties" jsonschema:"description=Selected event properties; null when not requested"`
}

// Validate applies the reference's rules (data-model §2.4).
func (e ReplayEvent) Validate() error {
	switch {
	case e.ReplayID == "":
		return &ValidationError{Field: "replay_id", Problem: "must be non-empty"}
	case e.EventName == "":
		return &ValidationError{Field: "event_name", Problem: "must be non-empty"}
	case e.EventTime <= 0:
		return &ValidationError{Field: "event_time", Problem: fmt.Sprintf("must be a positive unix seconds timestamp; got %d", e.EventTime), Fix: "divide millisecond timestamps by 1000"}
	}
	return nil
}

// UserAction is one normalized user action extracted from an rrweb stream:
// the atomic unit every bundle aggregation works on.
type UserAction struct {
	Timestamp    int64          `json:"timestamp" jsonschema:"description=Unix ms"`
	Action       string         `json:"action" jsonschema:"enum=click,enum=input,enum=scroll,enum=navigate,enum=select,enum=console_error,enum=viewport_resize,enum=touch_start,enum=media_interaction,enum=console_warning,enum=custom_event"`
	TargetNodeID *int           `json:"target_node_id" jsonschema:"description=rrweb DOM node id of the target if any"`
	TargetDesc   string         `json:"target_desc" jsonschema:"description=Human description of the target such as button \"Sign in\""`
	URL          string         `json:"url,omitempty" jsonschema:"description=Page URL when the action happened if known"`
	Metadata     map[string]any `json:"metadata" jsonschema:"description=Action-specific extras such as interaction or text_length or is_checked or message"`
	Description  string         `json:"description" jsonschema:"description=Full phrase for the timeline such as Clicked button \"Sign in\""`
}

// Validate applies the reference's rules (data-model §2.3).
func (a UserAction) Validate() error {
	switch {
	case a.Timestamp <= 0:
		return &ValidationError{Field: "timestamp", Problem: fmt.Sprintf("must be a positive unix ms timestamp; got %d", a.Timestamp)}
	case !slices.Contains(Actions(), a.Action):
		return &ValidationError{Field: "action", Problem: fmt.Sprintf("unknown action %q", a.Action), Fix: "use one of " + strings.Join(Actions(), ", ")}
	case a.TargetDesc == "":
		return &ValidationError{Field: "target_desc", Problem: "must be non-empty"}
	}
	return nil
}

// Interaction is the click-family verb in Metadata["interaction"], or "".
func (a UserAction) Interaction() string {
	s, _ := a.Metadata["interaction"].(string)
	return s
}

// IsRealClick reports a click that is not the focus half of a click, the
// reference's definition of a genuine click for every click aggregation.
func (a UserAction) IsRealClick() bool {
	return a.Action == ActionClick && a.Interaction() != InteractionFocused
}

// Line is the text of the action in the markdown timeline.
func (a UserAction) Line() string {
	if a.Description != "" {
		return a.Description
	}
	return a.TargetDesc
}

// Replay is one fully analysed session replay.
//
// Unlike the reference, the raw rrweb stream is not kept by default (a real
// recording is tens of MB and a model must never see it): EventCount keeps
// its size, and RRWebEvents is filled only when the analyzer was asked to
// keep the raw events.
type Replay struct {
	ReplayID       string            `json:"replay_id" jsonschema:"description=Mixpanel replay identifier"`
	DistinctID     string            `json:"distinct_id,omitempty" jsonschema:"description=Mixpanel user identifier"`
	ProjectID      int64             `json:"project_id" jsonschema:"description=Owning project"`
	StartTime      int64             `json:"start_time" jsonschema:"description=Unix ms of the first rrweb event"`
	EndTime        int64             `json:"end_time" jsonschema:"description=Unix ms of the last rrweb event"`
	RetentionDays  int               `json:"retention_days" jsonschema:"enum=1,enum=7,enum=30,enum=90"`
	EventCount     int               `json:"event_count" jsonschema:"description=Number of rrweb events in the recording"`
	RRWebEvents    []json.RawMessage `json:"rrweb_events,omitempty" jsonschema:"description=Raw rrweb events; only when explicitly requested"`
	Actions        []UserAction      `json:"actions" jsonschema:"description=Normalized user actions in time order"`
	MixpanelEvents []ReplayEvent     `json:"mixpanel_events" jsonschema:"description=Mixpanel events in the replay window when requested"`
}

// Validate applies the reference's rules (data-model §2.5).
func (r *Replay) Validate() error {
	switch {
	case r.ReplayID == "":
		return &ValidationError{Field: "replay_id", Problem: "must be non-empty"}
	case r.ProjectID <= 0:
		return &ValidationError{Field: "project_id", Problem: fmt.Sprintf("must be positive; got %d", r.ProjectID)}
	case r.StartTime <= 0:
		return &ValidationError{Field: "start_time", Problem: fmt.Sprintf("must be a positive unix ms timestamp; got %d", r.StartTime)}
	case r.EndTime < r.StartTime:
		return &ValidationError{Field: "end_time", Problem: fmt.Sprintf("must be >= start_time; got start=%d, end=%d", r.StartTime, r.EndTime)}
	case !ValidRetention(r.RetentionDays):
		return &ValidationError{Field: "retention_days", Problem: fmt.Sprintf("must be one of 1, 7, 30, 90; got %d", r.RetentionDays)}
	}
	return nil
}

// DurationSeconds is (end_time - start_time) / 1000.
func (r *Replay) DurationSeconds() float64 { return float64(r.EndTime-r.StartTime) / 1000 }

// PagePath lists the URLs of the replay's navigate actions, in order.
func (r *Replay) PagePath() []string {
	var out []string
	for _, a := range r.Actions {
		if a.Action == ActionNavigate && a.URL != "" {
			out = append(out, a.URL)
		}
	}
	return out
}

// Errors returns the console_error actions.
func (r *Replay) Errors() []UserAction { return r.actions(ActionConsoleError, nil) }

// Warnings returns the console_warning actions.
func (r *Replay) Warnings() []UserAction { return r.actions(ActionConsoleWarning, nil) }

// ClicksOn returns the click actions for which keep is true.
func (r *Replay) ClicksOn(keep func(UserAction) bool) []UserAction {
	return r.actions(ActionClick, keep)
}

// actions returns the actions of one kind for which keep (nil: all) is true.
func (r *Replay) actions(kind string, keep func(UserAction) bool) []UserAction {
	var out []UserAction
	for _, a := range r.Actions {
		if a.Action == kind && (keep == nil || keep(a)) {
			out = append(out, a)
		}
	}
	return out
}

// String stays bounded: counts only, never the event payload.
func (r *Replay) String() string {
	return fmt.Sprintf("Replay(replay_id=%q, distinct_id=%q, project_id=%d, events=%d, actions=%d, mixpanel_events=%d, duration_s=%.1f)",
		r.ReplayID, r.DistinctID, r.ProjectID, r.EventCount, len(r.Actions), len(r.MixpanelEvents), r.DurationSeconds())
}

// ReplayBundle is a collection of replays with cross-session projections.
// Every filter returns a new bundle and leaves the receiver unchanged.
type ReplayBundle struct {
	Replays    []*Replay `json:"replays"`
	ComputedAt string    `json:"computed_at" jsonschema:"description=ISO-8601 UTC time the bundle was built"`
	ProjectID  int64     `json:"project_id" jsonschema:"description=Owning project shared by every replay"`
}

// Validate checks that every replay belongs to the bundle's project.
func (b *ReplayBundle) Validate() error {
	if b.ProjectID == 0 {
		return nil
	}
	var bad []string
	for _, r := range b.Replays {
		if r.ProjectID != b.ProjectID {
			bad = append(bad, r.ReplayID)
		}
	}
	if len(bad) > 0 {
		return &ValidationError{Field: "replays", Problem: fmt.Sprintf("project_id=%d but these replays carry another project_id: %s", b.ProjectID, strings.Join(bad, ", ")), Fix: "bundle replays of one project only"}
	}
	return nil
}

// String stays bounded: the replay count only.
func (b *ReplayBundle) String() string {
	return fmt.Sprintf("ReplayBundle(replays=%d, project_id=%d, computed_at=%q)", len(b.Replays), b.ProjectID, b.ComputedAt)
}
