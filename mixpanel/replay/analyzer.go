package replay

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// pass. Feed it the recording's CDN files in order; it reads them through a
// fixed window and applies each event as it is parsed, so a recording of
// tens of MB never sits in memory (unless Options.KeepRaw asks for it), and
// only the tracked DOM (see domTracker) grows with the page.
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
//
// An event is applied while it is parsed: a snapshot or mutation whose
// later fields turn out malformed is counted as skipped but the part
// before the fault stays applied.
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

	window []byte // the JSON reader's buffer, kept across Feed calls
	ev     eventFields
}

// NewAnalyzer returns an Analyzer with the given options.
func NewAnalyzer(opts Options) *Analyzer {
	return &Analyzer{opts: opts, dom: newDOMTracker(opts.MaxNodes)}
}

// eventFields holds what the analyzer reads of one event's data besides
// DOM changes, which go straight into the tracker. Buffers are reused from
// event to event.
type eventFields struct {
	source, id, typ, pointer  int
	hasSource, hasTyp, hasPtr bool
	text                      []byte
	hasText                   bool
	checked, hasChecked       bool
	ranges                    []selRange
	href, plugin              []byte
	payload                   []byte
	removes                   []int32
	texts                     []textChange
	attrs                     []attrChange
}

type textChange struct {
	id     int
	text   span
	masked bool
}

type attrChange struct {
	id       int
	from, to int // into domTracker.attrs
}

type selRange struct {
	Start, StartOffset, End, EndOffset int
}

func (e *eventFields) reset() {
	e.source, e.id, e.typ, e.pointer = 0, 0, 0, 0
	e.hasSource, e.hasTyp, e.hasPtr = false, false, false
	e.text, e.hasText = e.text[:0], false
	e.checked, e.hasChecked = false, false
	e.ranges = e.ranges[:0]
	e.href, e.plugin, e.payload = e.href[:0], e.plugin[:0], e.payload[:0]
	e.removes, e.texts, e.attrs = e.removes[:0], e.texts[:0], e.attrs[:0]
}

// Feed analyses one JSON array of rrweb events, such as one CDN file. A
// body that is not an array holds no events (as the CDN walk treats it).
// It fails on malformed JSON and, for the first event of the recording,
// with a *NotRRWebError when it lacks rrweb's type, data or timestamp.
func (a *Analyzer) Feed(r io.Reader) error {
	if a.window == nil {
		a.window = make([]byte, 0, readWindow)
	}
	j := &jsonReader{r: r, buf: a.window[:0]}
	defer func() { a.window = j.buf[:0] }()
	switch j.peek() {
	case 0:
		if j.err != nil && j.err != io.EOF {
			return fmt.Errorf("read rrweb recording: %w", j.err)
		}
		return nil
	case '[':
	default:
		if err := j.skip(); err != nil {
			return fmt.Errorf("read rrweb recording: %w", err)
		}
		return nil
	}
	it, err := j.array()
	if err != nil {
		return fmt.Errorf("read rrweb recording: %w", err)
	}
	for {
		more, err := it.next()
		if err != nil {
			return fmt.Errorf("read rrweb recording end: %w", err)
		}
		if !more {
			return nil
		}
		if err := a.event(j); err != nil {
			var nr *NotRRWebError
			if errors.As(err, &nr) {
				return err
			}
			return fmt.Errorf("read rrweb event %d: %w", a.res.EventCount-1, err)
		}
	}
}

// event reads and handles one event.
func (a *Analyzer) event(j *jsonReader) error {
	a.res.EventCount++
	first := !a.started
	a.started = true
	if !a.opts.KeepRaw {
		return a.parseEvent(j, first)
	}
	j.peek()
	mark, started := j.startTee()
	err := a.parseEvent(j, first)
	a.res.RawEvents = append(a.res.RawEvents, json.RawMessage(bytes.Clone(j.teeSince(mark, started))))
	return err
}

func (a *Analyzer) parseEvent(j *jsonReader, first bool) error {
	if j.peek() != '{' {
		if err := j.skip(); err != nil {
			return err
		}
		if first {
			return &NotRRWebError{}
		}
		a.res.SkippedEvents++
		return nil
	}
	it, err := j.object()
	if err != nil {
		return err
	}
	a.ev.reset()
	var (
		typ                     int
		ts                      int64
		hasType, hasData, hasTS bool
		bad                     bool
		deferred                []byte
	)
	for {
		key, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var ferr error
		switch string(key) {
		case "type":
			typ, ferr = j.integer()
			hasType = ferr == nil
		case "timestamp":
			ts, ferr = j.number()
			hasTS = ferr == nil
		case "data":
			hasData = true
			if hasType {
				ferr = a.parseData(j, typ)
			} else {
				// Not rrweb's key order: keep the data until the type is known.
				deferred, ferr = j.raw(nil)
			}
		default:
			ferr = j.skip()
		}
		if ferr == errType {
			bad = true
		} else if ferr != nil {
			return ferr
		}
	}
	if deferred != nil && hasType && !bad {
		if err := a.parseData(newBytesReader(deferred), typ); err == errType {
			bad = true
		} else if err != nil {
			return err
		}
	}
	if bad {
		a.res.SkippedEvents++
		return nil
	}
	if first {
		var missing []string
		if !hasType {
			missing = append(missing, "type")
		}
		if !hasData {
			missing = append(missing, "data")
		}
		if !hasTS {
			missing = append(missing, "timestamp")
		}
		if len(missing) > 0 {
			return &NotRRWebError{Missing: missing}
		}
	}
	if !hasType || !hasData || !hasTS || ts <= 0 {
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
	switch typ {
	case eventDOMContentLoaded, eventLoad:
		a.loading = true
	case eventMeta:
		a.meta(ts)
	case eventIncremental:
		ok = a.incremental(ts)
	case eventPlugin:
		ok = a.plugin(ts)
	}
	if !ok {
		a.res.SkippedEvents++
	}
	return nil
}

// parseData reads an event's data object: DOM changes are applied as they
// are read, the rest lands in a.ev for the handlers.
func (a *Analyzer) parseData(j *jsonReader, typ int) error {
	if j.peek() != '{' {
		if err := j.skip(); err != nil {
			return err
		}
		return errType
	}
	it, err := j.object()
	if err != nil {
		return err
	}
	ev := &a.ev
	bad := false
	for {
		key, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		var ferr error
		switch {
		case typ == eventFullSnapshot && string(key) == "node":
			ferr = a.fullSnapshot(j)
		case typ == eventMeta && string(key) == "href":
			ev.href, ferr = j.text(ev.href[:0], -1)
		case typ == eventPlugin && string(key) == "plugin":
			ev.plugin, ferr = j.text(ev.plugin[:0], 64)
		case typ == eventPlugin && string(key) == "payload":
			ev.payload, ferr = j.raw(ev.payload[:0])
		case typ == eventIncremental:
			ferr = a.incrementalField(j, key)
		default:
			ferr = j.skip()
		}
		if ferr == errType {
			bad = true
		} else if ferr != nil {
			return ferr
		}
	}
	if typ == eventIncremental {
		a.applyDeferred()
	}
	return typeErrIf(bad)
}

func (a *Analyzer) incrementalField(j *jsonReader, key []byte) error {
	ev := &a.ev
	var err error
	switch string(key) {
	case "source":
		ev.source, err = j.integer()
		ev.hasSource = err == nil
	case "id":
		ev.id, err = j.integer()
	case "type":
		ev.typ, err = j.integer()
		ev.hasTyp = err == nil
	case "pointerType":
		ev.pointer, err = j.integer()
		ev.hasPtr = err == nil
	case "text":
		ev.text, err = j.text(ev.text[:0], -1)
		ev.hasText = err == nil
	case "isChecked":
		ev.checked, err = j.boolean()
		ev.hasChecked = err == nil
	case "ranges":
		err = a.parseRanges(j)
	case "adds":
		err = a.parseAdds(j)
	case "removes":
		err = eachObject(j, func(k []byte) error {
			if string(k) != "id" {
				return j.skip()
			}
			id, err := j.integer()
			if err == nil {
				a.dom.remove(id)
			}
			return err
		}, nil)
	case "texts":
		var c textChange
		err = eachObject(j, func(k []byte) error {
			switch string(k) {
			case "id":
				var err error
				c.id, err = j.integer()
				return err
			case "value":
				if null, err := j.null(); err != nil || null {
					return err
				}
				b, err := j.text(a.dom.scratch[:0], maxKeptText)
				if err == nil {
					a.dom.scratch = b[:0]
					if len(bytes.TrimSpace(b)) > 0 {
						c.text, c.masked = a.dom.keep(b), isMasked(b)
					}
				}
				return err
			}
			return j.skip()
		}, func() {
			ev.texts = append(ev.texts, c)
			c = textChange{}
		})
	case "attributes":
		var c attrChange
		err = eachObject(j, func(k []byte) error {
			switch string(k) {
			case "id":
				var err error
				c.id, err = j.integer()
				return err
			case "attributes":
				c.from = len(a.dom.attrs)
				err := a.dom.parseAttrs(j)
				c.to = len(a.dom.attrs)
				return err
			}
			return j.skip()
		}, func() {
			ev.attrs = append(ev.attrs, c)
			c = attrChange{}
		})
	default:
		err = j.skip()
	}
	return err
}

// eachObject walks an array of objects, calling field for each key (the
// value must be consumed) and done after each object. A wrong type
// anywhere is reported after the array is consumed.
func eachObject(j *jsonReader, field func(key []byte) error, done func()) error {
	if null, err := j.null(); err != nil || null {
		return err
	}
	if j.peek() != '[' {
		if err := j.skip(); err != nil {
			return err
		}
		return errType
	}
	it, err := j.array()
	if err != nil {
		return err
	}
	bad := false
	for {
		more, err := it.next()
		if err != nil {
			return err
		}
		if !more {
			return typeErrIf(bad)
		}
		if j.peek() != '{' {
			if err := j.skip(); err != nil {
				return err
			}
			bad = true
			continue
		}
		obj, err := j.object()
		if err != nil {
			return err
		}
		for {
			key, ok, err := obj.next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := field(key); err == errType {
				bad = true
			} else if err != nil {
				return err
			}
		}
		if done != nil {
			done()
		}
	}
}

// parseAdds applies a mutation's added nodes in order.
func (a *Analyzer) parseAdds(j *jsonReader) error {
	var parent, next, root int
	var haveNode bool
	return eachObject(j, func(k []byte) error {
		var err error
		switch string(k) {
		case "parentId":
			parent, err = j.integer()
		case "nextId":
			if null, nerr := j.null(); nerr != nil || null {
				return nerr
			}
			next, err = j.integer()
		case "node":
			parentTag := ""
			if p := a.dom.node(parent); p != nil {
				parentTag = p.tag
			}
			root, err = a.dom.parseNode(j, parentTag)
			haveNode = true
		default:
			err = j.skip()
		}
		return err
	}, func() {
		if haveNode && root != 0 {
			a.dom.link(parent, root, next)
		}
		parent, next, root, haveNode = 0, 0, 0, false
	})
}

func (a *Analyzer) parseRanges(j *jsonReader) error {
	var r selRange
	return eachObject(j, func(k []byte) error {
		var err error
		switch string(k) {
		case "start":
			r.Start, err = j.integer()
		case "startOffset":
			r.StartOffset, err = j.integer()
		case "end":
			r.End, err = j.integer()
		case "endOffset":
			r.EndOffset, err = j.integer()
		default:
			err = j.skip()
		}
		return err
	}, func() {
		a.ev.ranges = append(a.ev.ranges, r)
		r = selRange{}
	})
}

// applyDeferred applies a mutation's text and attribute changes, which
// rrweb applies after its removes and adds.
func (a *Analyzer) applyDeferred() {
	for _, c := range a.ev.texts {
		a.dom.setText(c.id, c.text, c.masked)
	}
	for _, c := range a.ev.attrs {
		a.dom.setAttrs(c.id, a.dom.attrs[c.from:c.to])
	}
	a.dom.compact()
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
func (a *Analyzer) meta(ts int64) {
	loading := a.loading
	a.loading = false
	href := string(a.ev.href)
	if href == "" || (!loading && href == a.url) {
		return
	}
	a.flushInput()
	a.flushSelection()
	a.url = href
	a.emit(UserAction{
		Timestamp:   ts,
		Action:      ActionNavigate,
		URL:         href,
		Description: "Navigated to " + href,
		Metadata:    map[string]any{"url": href},
	})
}

// fullSnapshot reads a snapshot's root node into a fresh tracker.
func (a *Analyzer) fullSnapshot(j *jsonReader) error {
	if null, err := j.null(); err != nil || null {
		return err
	}
	// A full snapshot rebuilds the page and node ids restart, so whatever is
	// being merged belongs to the old page.
	a.flushInput()
	a.flushSelection()
	a.res.NodeCapReached = a.res.NodeCapReached || a.dom.capped
	a.dom.reset()
	_, err := a.dom.parseNode(j, "")
	return err
}

func (a *Analyzer) incremental(ts int64) bool {
	if !a.ev.hasSource {
		return false
	}
	switch a.ev.source {
	case sourceMouseInteraction:
		return a.mouse(ts)
	case sourceScroll:
		a.scroll(ts)
	case sourceInput:
		a.input(ts)
	case sourceSelection:
		a.selection(ts)
	}
	return true
}

func (a *Analyzer) mouse(ts int64) bool {
	d := &a.ev
	if !d.hasTyp {
		return false
	}
	if d.typ == mouseBlur {
		if a.pending != nil && a.pendingID == d.id {
			a.flushInput()
		}
		return true
	}
	verb := interactionVerb(d.typ)
	if verb == "" || d.id == 0 {
		return true
	}
	if a.pending != nil && a.pendingID != d.id {
		a.flushInput()
	}
	if d.typ != mouseFocus {
		a.flushSelection()
	}
	desc := a.dom.describe(d.id)
	meta := map[string]any{"interaction": verb}
	if d.hasPtr {
		switch d.pointer {
		case 0:
			meta["pointer_type"] = "mouse"
		case 1:
			meta["pointer_type"] = "pen"
		case 2:
			meta["pointer_type"] = "touch"
		}
	}
	for k, v := range a.dom.dataAttrs(d.id) {
		meta[k] = v
	}
	action := ActionClick
	if d.typ == mouseTouchStart {
		action = ActionTouchStart
	}
	a.emit(UserAction{
		Timestamp:    ts,
		Action:       action,
		TargetNodeID: intPtr(d.id),
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

func (a *Analyzer) scroll(ts int64) {
	id := a.ev.id
	if !a.scrolled || ts-a.lastScroll > scrollDebounceMs {
		act := UserAction{Timestamp: ts, Action: ActionScroll, TargetDesc: "(viewport)", Description: "Scrolled"}
		if n := a.dom.node(id); n != nil && n.kind == nodeElement && n.tag != "html" && n.tag != "body" {
			desc := a.dom.describe(id)
			act.TargetNodeID = intPtr(id)
			act.TargetDesc = desc
			act.Description = "Scrolled " + desc
		}
		a.emit(act)
	}
	a.scrolled, a.lastScroll = true, ts
}

func (a *Analyzer) input(ts int64) {
	d := &a.ev
	kind := a.dom.inputType(d.id)
	checkable := kind == "checkbox" || kind == "radio"
	// Ticking a radio also reports the one that went off; the tick says it.
	if kind == "radio" && d.hasChecked && !d.checked {
		return
	}
	if a.pending != nil && (a.pendingID != d.id || d.id == 0) {
		a.flushInput()
	}
	text := string(d.text)
	desc := "input"
	switch {
	case a.pending != nil && a.pendingID == d.id && d.id != 0:
		// Each keystroke reports the field again; it is still the same field.
		desc = a.pending.TargetDesc
	case d.id != 0:
		desc = a.dom.describe(d.id)
	}
	var description string
	switch {
	case checkable && d.hasChecked:
		state := "unchecked"
		if d.checked {
			state = "checked"
		}
		description = "Set " + desc + " to " + state
	case kind == "" && d.hasChecked && d.checked:
		description = "Set " + desc + " to checked"
	case text == "":
		description = "Cleared " + desc
	case kind == "select":
		description = "Selected option '" + text + "' in " + desc
	default:
		description = "Entered '" + text + "' in " + desc
	}
	meta := map[string]any{"text_length": utf8.RuneCountInString(text)}
	if d.hasChecked {
		meta["is_checked"] = d.checked
	} else {
		meta["is_checked"] = nil
	}
	if text != "" && strings.Trim(text, "*") == "" {
		meta["masked"] = true
	}
	for k, v := range a.dom.dataAttrs(d.id) {
		meta[k] = v
	}
	act := &UserAction{
		Timestamp:   ts,
		Action:      ActionInput,
		TargetDesc:  desc,
		Description: description,
		Metadata:    meta,
	}
	if d.id != 0 {
		act.TargetNodeID = intPtr(d.id)
	}
	a.pending, a.pendingID = act, d.id
}

func (a *Analyzer) flushInput() {
	if a.pending == nil {
		return
	}
	a.emit(*a.pending)
	a.pending, a.pendingID = nil, 0
}

func (a *Analyzer) selection(ts int64) {
	if len(a.ev.ranges) == 0 {
		return
	}
	if a.pendingSel != nil && ts-a.pendingSel.Timestamp > selectionDebounceMs {
		a.flushSelection()
	}
	var texts []string
	for _, r := range a.ev.ranges {
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
		Metadata:    map[string]any{"range_count": len(a.ev.ranges)},
		URL:         a.url,
	}
}

// rangeText resolves a selection range to its text. Offsets count
// characters of the start and end text nodes.
func (a *Analyzer) rangeText(r selRange) string {
	start, _, ok1 := a.dom.textOf(r.Start)
	if !ok1 {
		return ""
	}
	if r.Start == r.End {
		return strings.TrimSpace(sliceRunes(start, r.StartOffset, r.EndOffset))
	}
	end, _, ok2 := a.dom.textOf(r.End)
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

func (a *Analyzer) plugin(ts int64) bool {
	if !bytes.HasPrefix(a.ev.plugin, []byte("rrweb/console@")) {
		return true
	}
	level, args, ok := consoleRecord(a.ev.payload)
	if !ok {
		return false
	}
	if level != "error" || len(args) == 0 {
		return true
	}
	msg := clipRunes(strings.Join(args, " "), maxMessageRunes)
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

// consoleRecord reads the console plugin's payload: its level and its
// arguments rendered as text. The plugin serializes each argument as JSON
// text inside a JSON string ("\"text\"", "500"), so a string argument is
// unwrapped twice.
func consoleRecord(payload []byte) (level string, args []string, ok bool) {
	j := newBytesReader(payload)
	if j.peek() != '{' {
		return "", nil, false
	}
	it, err := j.object()
	if err != nil {
		return "", nil, false
	}
	for {
		key, more, err := it.next()
		if err != nil {
			return "", nil, false
		}
		if !more {
			return level, args, true
		}
		switch string(key) {
		case "level":
			b, err := j.text(nil, 32)
			if err != nil {
				return "", nil, false
			}
			level = string(b)
		case "payload":
			if j.peek() != '[' {
				return "", nil, false
			}
			arr, _ := j.array()
			for {
				more, err := arr.next()
				if err != nil {
					return "", nil, false
				}
				if !more {
					break
				}
				s, err := consoleArg(j)
				if err != nil {
					return "", nil, false
				}
				if s != "" {
					args = append(args, s)
				}
			}
		default:
			if err := j.skip(); err != nil {
				return "", nil, false
			}
		}
	}
}

// consoleArg renders one console argument.
func consoleArg(j *jsonReader) (string, error) {
	if j.peek() != '"' {
		raw, err := j.raw(nil)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(strings.Trim(string(raw), `"`)), nil
	}
	s, err := j.str(nil, -1)
	if err != nil {
		return "", err
	}
	if len(s) > 0 && s[0] == '"' {
		inner := newBytesReader(s)
		if in, err := inner.str(nil, -1); err == nil && inner.peek() == 0 {
			return strings.TrimSpace(string(in)), nil
		}
	}
	return strings.TrimSpace(strings.Trim(string(s), `"`)), nil
}
