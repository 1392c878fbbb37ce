package replay

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// rrweb event types.
const (
	eventDOMContentLoaded = 0
	eventLoad             = 1
	eventFullSnapshot     = 2
	eventIncremental      = 3
	eventMeta             = 4
	eventPlugin           = 6
)

// rrweb incremental snapshot sources.
const (
	sourceMutation         = 0
	sourceMouseInteraction = 2
	sourceScroll           = 3
	sourceInput            = 5
	sourceSelection        = 14
)

// rrweb mouse interaction types.
const (
	mouseClick       = 2
	mouseContextMenu = 3
	mouseDblClick    = 4
	mouseFocus       = 5
	mouseBlur        = 6
	mouseTouchStart  = 7
)

// interactionVerb names the mouse interactions that become actions.
func interactionVerb(t int) string {
	switch t {
	case mouseClick:
		return InteractionClicked
	case mouseDblClick:
		return InteractionDoubleClicked
	case mouseContextMenu:
		return InteractionRightClicked
	case mouseFocus:
		return InteractionFocused
	case mouseTouchStart:
		return InteractionTapped
	}
	return ""
}

// Debounce windows of the reference analyzer, in milliseconds.
const (
	scrollDebounceMs    = 1000
	selectionDebounceMs = 1000
)

const (
	maxMessageRunes   = 500
	maxSelectionRunes = 200
)

// ErrNotRRWeb is matched (errors.Is) by the error for a recording that is
// not an rrweb stream: Mixpanel's mobile SDKs record in another format.
var ErrNotRRWeb = errors.New("recording is not an rrweb event stream")

// NotRRWebError says which rrweb keys the first event lacks.
type NotRRWebError struct {
	Missing []string
}

func (e *NotRRWebError) Error() string {
	what := "is not a JSON object"
	if len(e.Missing) > 0 {
		what = "lacks " + strings.Join(e.Missing, ", ")
	}
	return "recording is not an rrweb event stream: its first event " + what +
		"; it is probably a mobile SDK session replay, which cannot be analysed here yet; open it in Mixpanel's replay player instead"
}

// Is makes errors.Is(err, ErrNotRRWeb) true.
func (e *NotRRWebError) Is(target error) bool { return target == ErrNotRRWeb }

// Options tune an Analyzer. The zero value is what the reference does.
type Options struct {
	// MaxNodes caps the DOM tracker; 0 means DefaultMaxNodes.
	MaxNodes int
	// KeepRaw keeps every raw rrweb event in Result.RawEvents, e.g. to hand
	// the recording to the rrweb player. It holds the whole recording in
	// memory, so only ask for it when the raw stream is needed.
	KeepRaw bool
}

// PageVisit is one page load (an rrweb Meta event).
type PageVisit struct {
	Timestamp int64  `json:"timestamp" jsonschema:"description=Unix ms"`
	URL       string `json:"url"`
}

// ConsoleError is one error-level console record.
type ConsoleError struct {
	Timestamp int64  `json:"timestamp" jsonschema:"description=Unix ms"`
	Message   string `json:"message"`
	URL       string `json:"url,omitempty"`
}

// Result is the analyzer's output for one recording.
type Result struct {
	Actions []UserAction `json:"actions"`
	// EventCount counts every array element read, malformed ones included.
	EventCount int `json:"event_count"`
	// SkippedEvents counts events whose shape did not fit rrweb's and were
	// ignored.
	SkippedEvents int `json:"skipped_events"`
	// StartTime and EndTime are the first and last rrweb timestamps (Unix ms).
	StartTime int64 `json:"start_time"`
	EndTime   int64 `json:"end_time"`
	// NodeCapReached reports a page larger than Options.MaxNodes: later nodes
	// were not tracked and their actions have vaguer descriptions.
	NodeCapReached bool              `json:"node_cap_reached"`
	RawEvents      []json.RawMessage `json:"-"`
}

// Pages lists the page loads, from the navigate actions.
func (r *Result) Pages() []PageVisit {
	out := []PageVisit{}
	for _, a := range r.Actions {
		if a.Action == ActionNavigate {
			out = append(out, PageVisit{Timestamp: a.Timestamp, URL: a.URL})
		}
	}
	return out
}

// Errors lists the error-level console records, from the console_error
// actions.
func (r *Result) Errors() []ConsoleError {
	out := []ConsoleError{}
	for _, a := range r.Actions {
		if a.Action == ActionConsoleError {
			msg, _ := a.Metadata["message"].(string)
			out = append(out, ConsoleError{Timestamp: a.Timestamp, Message: msg, URL: a.URL})
		}
	}
	return out
}

// Markdown renders the timeline: one "{unix seconds}: {description}" line
// per action, the reference's format (Unix seconds line up with Mixpanel
// event times). A recording without actions says so in one line.
func (r *Result) Markdown() string { return Timeline(r.Actions) }

// Timeline renders actions as "{unix seconds}: {description}" lines.
func Timeline(actions []UserAction) string {
	if len(actions) == 0 {
		return "No user actions recorded."
	}
	var b strings.Builder
	for i, a := range actions {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.FormatInt(floorDiv(a.Timestamp, 1000), 10))
		b.WriteString(": ")
		b.WriteString(a.Line())
	}
	return b.String()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Analyze reads one rrweb recording (a JSON array of events) and returns its
// actions. See Analyzer for the details.
func Analyze(r io.Reader, opts Options) (*Result, error) {
	a := NewAnalyzer(opts)
	if err := a.Feed(r); err != nil {
		return nil, err
	}
	return a.Result(), nil
}

// Analyzer turns an rrweb event stream into UserActions in one streaming
// pass. Feed it the recording's CDN files in order; it decodes them token by
// token, holding one event at a time (plus the tracked DOM), so a recording
// of tens of MB never sits in memory (unless Options.KeepRaw asks for it).
//
// Events are handled in stream order, the order the recorder writes them
// (and the CDN walk sorts each file into); the actions of Result are then
// sorted by time, stably. Result ends the analysis.
//
// It follows the reference analyzer's action mapping, verbs and debouncing,
// with refinements that make timelines read like the session: keystrokes
// into one field become one input action with the final value (the
// reference keeps the first keystroke of each second), a drag selection
// becomes one select action with the final selection, a text field's input
// is never "Set … to unchecked" (the recorder sends isChecked for every
// field), the radio that goes off when another is ticked is not an action,
// a scrolled element is named, and click metadata carries the pointer type
// and the data-* attributes of the target (for SelectorLabel).
type Analyzer struct {
	opts    Options
	dom     *domTracker
	res     Result
	url     string
	started bool

	loading    bool // a page load began since the last Meta event
	scrolled   bool
	lastScroll int64
	pending    *UserAction // input being typed, merged until the field is left
	pendingID  int
	pendingSel *UserAction // selection being dragged
}

// NewAnalyzer returns an Analyzer with the given options.
func NewAnalyzer(opts Options) *Analyzer {
	return &Analyzer{opts: opts, dom: newDOMTracker(opts.MaxNodes)}
}

// event is one rrweb event. Its data holds the fields of every event type
// the analyzer reads (rrweb never gives one key two meanings among them), so
// an event is decoded in a single pass with no intermediate copy.
type event struct {
	Type      *int         `json:"type"`
	Data      *eventData   `json:"data"`
	Timestamp *json.Number `json:"timestamp"`
}

type eventData struct {
	// Meta
	Href string `json:"href"`
	// FullSnapshot
	Node *snapNode `json:"node"`
	// IncrementalSnapshot: every source
	Source *int `json:"source"`
	ID     int  `json:"id"`
	// Mutation
	Adds []struct {
		ParentID int       `json:"parentId"`
		NextID   *int      `json:"nextId"`
		Node     *snapNode `json:"node"`
	} `json:"adds"`
	Removes []struct {
		ID int `json:"id"`
	} `json:"removes"`
	Texts []struct {
		ID    int     `json:"id"`
		Value *string `json:"value"`
	} `json:"texts"`
	Attributes []struct {
		ID         int      `json:"id"`
		Attributes attrList `json:"attributes"`
	} `json:"attributes"`
	// MouseInteraction
	Type        *int `json:"type"`
	PointerType *int `json:"pointerType"`
	// Input
	Text      *string `json:"text"`
	IsChecked *bool   `json:"isChecked"`
	// Selection
	Ranges []selRange `json:"ranges"`
	// Plugin (and Custom events, whose payload can be anything)
	Plugin  string          `json:"plugin"`
	Payload json.RawMessage `json:"payload"`
}

// Feed analyses one JSON array of rrweb events, such as one CDN file. A
// body that is not an array holds no events (as the CDN walk treats it).
// It fails on malformed JSON and, for the first event of the recording,
// with a *NotRRWebError when it lacks rrweb's type, data or timestamp.
func (a *Analyzer) Feed(r io.Reader) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	dec.UseNumber()
	tok, err := dec.Token()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read rrweb recording: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return skipValue(dec, tok)
	}
	for dec.More() {
		var ev event
		var err error
		if a.opts.KeepRaw {
			var raw json.RawMessage
			if err = dec.Decode(&raw); err == nil {
				a.res.RawEvents = append(a.res.RawEvents, raw)
				err = json.Unmarshal(raw, &ev)
			}
		} else {
			err = dec.Decode(&ev)
		}
		var typeErr *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &typeErr) {
			return fmt.Errorf("read rrweb event %d: %w", a.res.EventCount, err)
		}
		if err := a.event(&ev, typeErr); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("read rrweb recording end: %w", err)
	}
	return nil
}

// skipValue consumes the rest of a value whose first token was tok.
func skipValue(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '{' && d != '[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("read rrweb recording: %w", err)
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// event handles one decoded event; typeErr is set when part of it did not
// fit rrweb's shape.
func (a *Analyzer) event(ev *event, typeErr *json.UnmarshalTypeError) error {
	a.res.EventCount++
	first := !a.started
	a.started = true
	if typeErr != nil {
		if first && typeErr.Field == "" {
			return &NotRRWebError{}
		}
		a.res.SkippedEvents++
		return nil
	}
	if first {
		var missing []string
		if ev.Type == nil {
			missing = append(missing, "type")
		}
		if ev.Data == nil {
			missing = append(missing, "data")
		}
		if ev.Timestamp == nil {
			missing = append(missing, "timestamp")
		}
		if len(missing) > 0 {
			return &NotRRWebError{Missing: missing}
		}
	}
	if ev.Type == nil || ev.Data == nil || ev.Timestamp == nil {
		a.res.SkippedEvents++
		return nil
	}
	ts, okTS := jsonMillis(*ev.Timestamp)
	if !okTS || ts <= 0 {
		a.res.SkippedEvents++
		return nil
	}
	if a.res.StartTime == 0 || ts < a.res.StartTime {
		a.res.StartTime = ts
	}
	if ts > a.res.EndTime {
		a.res.EndTime = ts
	}
	ok := true
	switch *ev.Type {
	case eventDOMContentLoaded, eventLoad:
		a.loading = true
	case eventMeta:
		a.meta(ts, ev.Data)
	case eventFullSnapshot:
		a.fullSnapshot(ev.Data)
	case eventIncremental:
		ok = a.incremental(ts, ev.Data)
	case eventPlugin:
		ok = a.plugin(ts, ev.Data)
	}
	if !ok {
		a.res.SkippedEvents++
	}
	return nil
}

// jsonMillis reads a timestamp, which some recorders write as a float.
func jsonMillis(n json.Number) (int64, bool) {
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || f > 1<<62 || f < -(1<<62) {
		return 0, false
	}
	return int64(f), true
}

// Result flushes what is still being merged and returns the analysis, with
// actions in timestamp order (stable, so equal timestamps keep their order).
func (a *Analyzer) Result() *Result {
	a.flushInput()
	a.flushSelection()
	slices.SortStableFunc(a.res.Actions, func(x, y UserAction) int { return cmp.Compare(x.Timestamp, y.Timestamp) })
	a.res.NodeCapReached = a.res.NodeCapReached || a.dom.capped
	if a.res.Actions == nil {
		a.res.Actions = []UserAction{}
	}
	out := a.res
	return &out
}

func (a *Analyzer) emit(act UserAction) {
	if act.URL == "" {
		act.URL = a.url
	}
	if act.TargetDesc == "" {
		act.TargetDesc = act.Description
	}
	if act.Metadata == nil {
		act.Metadata = map[string]any{}
	}
	a.res.Actions = append(a.res.Actions, act)
}

// meta handles a Meta event, which starts every full snapshot. A page load
// is announced by DOMContentLoaded and Load events first; a Meta event for
// the page already shown without them is the recorder re-snapshotting the
// same page (a checkout), not a navigation.
func (a *Analyzer) meta(ts int64, d *eventData) {
	loading := a.loading
	a.loading = false
	if d.Href == "" || (!loading && d.Href == a.url) {
		return
	}
	a.flushInput()
	a.flushSelection()
	a.url = d.Href
	a.emit(UserAction{
		Timestamp:   ts,
		Action:      ActionNavigate,
		URL:         d.Href,
		Description: "Navigated to " + d.Href,
		Metadata:    map[string]any{"url": d.Href},
	})
}

func (a *Analyzer) fullSnapshot(d *eventData) {
	if d.Node == nil {
		return
	}
	// A full snapshot rebuilds the page and node ids restart, so whatever is
	// being merged belongs to the old page.
	a.flushInput()
	a.flushSelection()
	a.res.NodeCapReached = a.res.NodeCapReached || a.dom.capped
	a.dom.reset()
	a.dom.add(d.Node, 0, 0)
}

func (a *Analyzer) incremental(ts int64, d *eventData) bool {
	if d.Source == nil {
		return false
	}
	switch *d.Source {
	case sourceMutation:
		a.mutation(d)
	case sourceMouseInteraction:
		return a.mouse(ts, d)
	case sourceScroll:
		a.scroll(ts, d)
	case sourceInput:
		a.input(ts, d)
	case sourceSelection:
		a.selection(ts, d)
	}
	return true
}

func (a *Analyzer) mutation(d *eventData) {
	// rrweb applies removes before adds, then texts and attributes.
	for _, r := range d.Removes {
		a.dom.remove(r.ID)
	}
	for _, add := range d.Adds {
		next := 0
		if add.NextID != nil {
			next = *add.NextID
		}
		a.dom.add(add.Node, add.ParentID, next)
	}
	for _, t := range d.Texts {
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		a.dom.setText(t.ID, v)
	}
	for _, at := range d.Attributes {
		a.dom.setAttrs(at.ID, at.Attributes)
	}
}

func (a *Analyzer) mouse(ts int64, d *eventData) bool {
	if d.Type == nil {
		return false
	}
	if *d.Type == mouseBlur {
		if a.pending != nil && a.pendingID == d.ID {
			a.flushInput()
		}
		return true
	}
	verb := interactionVerb(*d.Type)
	if verb == "" || d.ID == 0 {
		return true
	}
	if a.pending != nil && a.pendingID != d.ID {
		a.flushInput()
	}
	if *d.Type != mouseFocus {
		a.flushSelection()
	}
	desc := a.dom.describe(d.ID)
	meta := map[string]any{"interaction": verb}
	if d.PointerType != nil {
		switch *d.PointerType {
		case 0:
			meta["pointer_type"] = "mouse"
		case 1:
			meta["pointer_type"] = "pen"
		case 2:
			meta["pointer_type"] = "touch"
		}
	}
	for k, v := range a.dom.dataAttrs(d.ID) {
		meta[k] = v
	}
	action := ActionClick
	if *d.Type == mouseTouchStart {
		action = ActionTouchStart
	}
	a.emit(UserAction{
		Timestamp:    ts,
		Action:       action,
		TargetNodeID: intPtr(d.ID),
		TargetDesc:   desc,
		Description:  capitalize(verb) + " " + desc,
		Metadata:     meta,
	})
	return true
}

func intPtr(v int) *int { return &v }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (a *Analyzer) scroll(ts int64, d *eventData) {
	if !a.scrolled || ts-a.lastScroll > scrollDebounceMs {
		act := UserAction{Timestamp: ts, Action: ActionScroll, TargetDesc: "(viewport)", Description: "Scrolled"}
		if n, ok := a.dom.nodes[d.ID]; ok && n.kind == nodeElement && n.tag != "html" && n.tag != "body" {
			desc := a.dom.describe(d.ID)
			act.TargetNodeID = intPtr(d.ID)
			act.TargetDesc = desc
			act.Description = "Scrolled " + desc
		}
		a.emit(act)
	}
	a.scrolled, a.lastScroll = true, ts
}

func (a *Analyzer) input(ts int64, d *eventData) {
	kind := a.dom.inputType(d.ID)
	checkable := kind == "checkbox" || kind == "radio"
	// Ticking a radio also reports the one that went off; the tick says it.
	if kind == "radio" && d.IsChecked != nil && !*d.IsChecked {
		return
	}
	if a.pending != nil && (a.pendingID != d.ID || d.ID == 0) {
		a.flushInput()
	}
	text := ""
	if d.Text != nil {
		text = *d.Text
	}
	desc := "input"
	switch {
	case a.pending != nil && a.pendingID == d.ID && d.ID != 0:
		// Each keystroke reports the field again; it is still the same field.
		desc = a.pending.TargetDesc
	case d.ID != 0:
		desc = a.dom.describe(d.ID)
	}
	var description string
	switch {
	case checkable && d.IsChecked != nil:
		state := "unchecked"
		if *d.IsChecked {
			state = "checked"
		}
		description = "Set " + desc + " to " + state
	case kind == "" && d.IsChecked != nil && *d.IsChecked:
		description = "Set " + desc + " to checked"
	case text == "":
		description = "Cleared " + desc
	case kind == "select":
		description = "Selected option '" + text + "' in " + desc
	default:
		description = "Entered '" + text + "' in " + desc
	}
	meta := map[string]any{"text_length": utf8.RuneCountInString(text)}
	if d.IsChecked != nil {
		meta["is_checked"] = *d.IsChecked
	} else {
		meta["is_checked"] = nil
	}
	if text != "" && strings.Trim(text, "*") == "" {
		meta["masked"] = true
	}
	for k, v := range a.dom.dataAttrs(d.ID) {
		meta[k] = v
	}
	act := &UserAction{
		Timestamp:   ts,
		Action:      ActionInput,
		TargetDesc:  desc,
		Description: description,
		Metadata:    meta,
	}
	if d.ID != 0 {
		act.TargetNodeID = intPtr(d.ID)
	}
	a.pending, a.pendingID = act, d.ID
}

func (a *Analyzer) flushInput() {
	if a.pending == nil {
		return
	}
	a.emit(*a.pending)
	a.pending, a.pendingID = nil, 0
}

type selRange struct {
	Start       int `json:"start"`
	StartOffset int `json:"startOffset"`
	End         int `json:"end"`
	EndOffset   int `json:"endOffset"`
}

func (a *Analyzer) selection(ts int64, d *eventData) {
	if len(d.Ranges) == 0 {
		return
	}
	if a.pendingSel != nil && ts-a.pendingSel.Timestamp > selectionDebounceMs {
		a.flushSelection()
	}
	var texts []string
	for _, r := range d.Ranges {
		if s := a.rangeText(r); s != "" {
			texts = append(texts, s)
		}
	}
	description := "Selected text"
	if len(texts) > 0 {
		description = "Selected '" + clipRunes(strings.Join(texts, " ... "), maxSelectionRunes) + "'"
	}
	a.pendingSel = &UserAction{
		Timestamp:   ts,
		Action:      ActionSelect,
		TargetDesc:  "(selection)",
		Description: description,
		Metadata:    map[string]any{"range_count": len(d.Ranges)},
		URL:         a.url,
	}
}

// rangeText resolves a selection range to its text. Offsets count
// characters of the start and end text nodes.
func (a *Analyzer) rangeText(r selRange) string {
	start, ok1 := a.dom.textOf(r.Start)
	if !ok1 {
		return ""
	}
	if r.Start == r.End {
		return strings.TrimSpace(sliceRunes(start, r.StartOffset, r.EndOffset))
	}
	end, ok2 := a.dom.textOf(r.End)
	if !ok2 {
		return strings.TrimSpace(sliceRunes(start, r.StartOffset, -1))
	}
	return strings.TrimSpace(strings.TrimSpace(sliceRunes(start, r.StartOffset, -1)) + " " + strings.TrimSpace(sliceRunes(end, 0, r.EndOffset)))
}

// sliceRunes returns s[from:to] in characters, clamped; to < 0 means the end.
func sliceRunes(s string, from, to int) string {
	r := []rune(s)
	if to < 0 || to > len(r) {
		to = len(r)
	}
	if from < 0 {
		from = 0
	}
	if from >= to {
		return ""
	}
	return string(r[from:to])
}

func (a *Analyzer) flushSelection() {
	if a.pendingSel == nil {
		return
	}
	a.emit(*a.pendingSel)
	a.pendingSel = nil
}

func (a *Analyzer) plugin(ts int64, d *eventData) bool {
	if !strings.HasPrefix(d.Plugin, "rrweb/console@") {
		return true
	}
	var rec struct {
		Level   string            `json:"level"`
		Payload []json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(d.Payload, &rec); err != nil {
		return false
	}
	if rec.Level != "error" || len(rec.Payload) == 0 {
		return true
	}
	parts := make([]string, 0, len(rec.Payload))
	for _, p := range rec.Payload {
		if s := consoleArg(p); s != "" {
			parts = append(parts, s)
		}
	}
	msg := clipRunes(strings.Join(parts, " "), maxMessageRunes)
	if msg == "" {
		return true
	}
	a.emit(UserAction{
		Timestamp:   ts,
		Action:      ActionConsoleError,
		TargetDesc:  msg,
		Description: "Console error: " + msg,
		Metadata:    map[string]any{"message": msg},
	})
	return true
}

// consoleArg renders one console argument. The console plugin serializes
// each argument as JSON text inside a JSON string ("\"text\"", "500"), so a
// string argument is unwrapped twice.
func consoleArg(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return strings.TrimSpace(string(bytes.Trim(raw, `"`)))
	}
	var inner string
	if err := json.Unmarshal([]byte(s), &inner); err == nil {
		return strings.TrimSpace(inner)
	}
	return strings.TrimSpace(strings.Trim(s, `"`))
}
