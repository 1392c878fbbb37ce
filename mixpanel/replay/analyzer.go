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
	eventCustom           = 5
	eventPlugin           = 6
)

// rrweb incremental snapshot sources.
const (
	sourceMutation         = 0
	sourceMouseInteraction = 2
	sourceScroll           = 3
	sourceViewportResize   = 4
	sourceInput            = 5
	sourceTouchMove        = 6
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
	mouseTouchEnd    = 9
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
	// maxMessageRunes is the prefix of a console message kept, as the
	// reference keeps about 1,500 characters; a longer one ends with a mark
	// saying how much was cut.
	maxMessageRunes   = 1500
	maxSelectionRunes = 200
	maxPayloadRunes   = 200
	// multiClickGapMs is the longest gap between the clicks of one double
	// or triple click (browsers use about 500 ms).
	multiClickGapMs = 500
	// swipeMinPx is how far a finger moves before a touch is a swipe.
	swipeMinPx = 30
	// touchGestureMs bounds a touch gesture whose end the recorder missed
	// (a drag that scrolls may have no TouchEnd).
	touchGestureMs = 3000
	// focusTapMs: on a touch device, a focus with no touch within this
	// long before it, and no click after it, is a tap the recorder saw
	// only as the focus (a tap on a blocked image inside a link).
	focusTapMs = 1000
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

	loading       bool // a page load began since the last Meta event
	scrolled      bool
	lastScroll    int64
	pending       *UserAction // input being typed, merged until the field is left
	pendingID     int
	pendingSel    *UserAction // selection being dragged
	pendingSeq    int         // the events that made pending and pendingSel
	pendingSelSeq int
	seqs          []int      // the event that made each of res.Actions
	clicks        clickGroup // clicks that may be one double or triple click
	touch         *touchGesture
	touchSeen     bool // the session is on a touch device
	viewW         int  // the viewport's size, from Meta and resize events
	viewH         int
	lastTouch     int64 // when the last tap started
	focusTap      focusCandidate

	window []byte // the JSON reader's buffer, kept across Feed calls
	ev     eventFields
}

// clickGroup collects clicks on one element, each within multiClickGapMs
// of the last, with the dblclick among them.
type clickGroup struct {
	acts   []UserAction
	seqs   []int
	id     int
	last   int64
	clicks int
	dbl    bool
}

// touchGesture is a touch that may still become a swipe.
type touchGesture struct {
	act             UserAction
	seq             int
	x0, y0, x1, y1  int
	hasStart, moved bool
	scrolled        bool
}

// focusCandidate is a focus on a touch device that may be a tap.
type focusCandidate struct {
	active bool
	idx    int // into res.Actions
	id     int
	ts     int64
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
	x, y, width, height       int
	hasX, hasY                bool
	moves                     int
	firstX, firstY            int
	lastX, lastY              int
	tag                       []byte
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
	e.x, e.y, e.width, e.height, e.hasX, e.hasY = 0, 0, 0, 0, false, false
	e.moves, e.firstX, e.firstY, e.lastX, e.lastY = 0, 0, 0, 0, 0
	e.tag = e.tag[:0]
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
	a.tick(ts)
	ok := true
	switch typ {
	case eventDOMContentLoaded, eventLoad:
		a.loading = true
	case eventMeta:
		a.meta(ts)
	case eventIncremental:
		ok = a.incremental(ts)
	case eventCustom:
		a.custom(ts)
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
	it, err := j.objectOf()
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
		case typ == eventMeta && string(key) == "width":
			ev.width, ferr = j.integer()
		case typ == eventMeta && string(key) == "height":
			ev.height, ferr = j.integer()
		case typ == eventPlugin && string(key) == "plugin":
			ev.plugin, ferr = j.text(ev.plugin[:0], 64)
		case (typ == eventPlugin || typ == eventCustom) && string(key) == "payload":
			ev.payload, ferr = j.raw(ev.payload[:0])
		case typ == eventCustom && string(key) == "tag":
			ev.tag, ferr = j.text(ev.tag[:0], 200)
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
	case "x":
		ev.x, err = j.integer()
		ev.hasX = err == nil
	case "y":
		ev.y, err = j.integer()
		ev.hasY = err == nil
	case "width":
		ev.width, err = j.integer()
	case "height":
		ev.height, err = j.integer()
	case "positions":
		var x, y int
		err = eachObject(j, func(k []byte) error {
			var err error
			switch string(k) {
			case "x":
				x, err = j.integer()
			case "y":
				y, err = j.integer()
			default:
				err = j.skip()
			}
			return err
		}, func() {
			if ev.moves == 0 {
				ev.firstX, ev.firstY = x, y
			}
			ev.lastX, ev.lastY = x, y
			ev.moves++
		})
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
	it, err := j.arrayOf()
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
	a.flushAll()
	// Actions held back (a click that may be a double click, a touch that
	// may be a swipe, an input being typed) are emitted late; the event
	// that made each one orders actions of the same millisecond.
	order := make([]int, len(a.res.Actions))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(a.res.Actions[x].Timestamp, a.res.Actions[y].Timestamp), cmp.Compare(a.seqs[x], a.seqs[y]))
	})
	sorted := make([]UserAction, len(order))
	seqs := make([]int, len(order))
	for i, j := range order {
		sorted[i], seqs[i] = a.res.Actions[j], a.seqs[j]
	}
	a.res.Actions, a.seqs = sorted, seqs
	a.res.NodeCapReached = a.res.NodeCapReached || a.dom.capped
	if a.res.Actions == nil {
		a.res.Actions = []UserAction{}
	}
	out := a.res
	return &out
}

// emit adds an action made by the event being handled.
func (a *Analyzer) emit(act UserAction) { a.emitAt(act, a.res.EventCount) }

// emitAt adds an action made by the seq-th event of the recording.
func (a *Analyzer) emitAt(act UserAction, seq int) {
	a.seqs = append(a.seqs, seq)
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
	if a.ev.width > 0 && a.ev.height > 0 {
		a.viewW, a.viewH = a.ev.width, a.ev.height
	}
	loading := a.loading
	a.loading = false
	href := string(a.ev.href)
	if href == "" || (!loading && href == a.url) {
		return
	}
	a.flushAll()
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
	a.flushAll()
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
	case sourceViewportResize:
		a.viewport(ts)
	case sourceTouchMove:
		a.touchMove()
	}
	return true
}

func (a *Analyzer) mouse(ts int64) bool {
	d := &a.ev
	if !d.hasTyp {
		return false
	}
	switch d.typ {
	case mouseBlur:
		if a.pending != nil && a.pendingID == d.id {
			a.flushInput()
		}
		return true
	case mouseTouchEnd:
		a.touchSeen = true
		a.flushTouch()
		return true
	}
	verb := interactionVerb(d.typ)
	if verb == "" || d.id == 0 {
		return true
	}
	a.flushTouch()
	if a.pending != nil && a.pendingID != d.id {
		a.flushInput()
	}
	isClick := d.typ == mouseClick || d.typ == mouseDblClick
	if !isClick {
		a.flushClicks()
	}
	if d.typ != mouseFocus {
		a.flushSelection()
	}
	if a.focusTap.active && d.id == a.focusTap.id && isClick {
		a.focusTap.active = false // the focus half of a click
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
			a.touchSeen = true
		}
	}
	for k, v := range a.dom.dataAttrs(d.id) {
		meta[k] = v
	}
	act := UserAction{
		Timestamp:    ts,
		Action:       ActionClick,
		TargetNodeID: intPtr(d.id),
		TargetDesc:   desc,
		Description:  capitalize(verb) + " " + desc,
		Metadata:     meta,
	}
	switch {
	case d.typ == mouseTouchStart:
		act.Action = ActionTouchStart
		a.touchSeen = true
		a.touch = &touchGesture{act: act, seq: a.res.EventCount, x0: d.x, y0: d.y, hasStart: d.hasX && d.hasY}
	case isClick:
		a.addClick(ts, d.id, d.typ == mouseDblClick, act)
	case d.typ == mouseFocus:
		a.resolveFocusTap()
		a.emit(act)
		if a.touchSeen && ts-a.lastTouch > focusTapMs {
			a.focusTap = focusCandidate{active: true, idx: len(a.res.Actions) - 1, id: d.id, ts: ts}
		}
	default:
		a.emit(act)
	}
	return true
}

// tick ends what waits on time: a click group, a touch gesture, a focus
// that may be a tap.
func (a *Analyzer) tick(ts int64) {
	if len(a.clicks.acts) > 0 && ts-a.clicks.last > multiClickGapMs {
		a.flushClicks()
	}
	if a.touch != nil && ts-a.touch.act.Timestamp > touchGestureMs {
		a.flushTouch()
	}
	if a.focusTap.active && ts-a.focusTap.ts > focusTapMs {
		a.resolveFocusTap()
	}
}

// flushAll emits everything still being merged, before a page changes and
// at the end.
func (a *Analyzer) flushAll() {
	a.flushTouch()
	a.flushClicks()
	a.resolveFocusTap()
	a.flushInput()
	a.flushSelection()
}

// addClick adds a click or dblclick to the click group, ending the group
// first when the click is on another element or comes too late.
func (a *Analyzer) addClick(ts int64, id int, dbl bool, act UserAction) {
	g := &a.clicks
	if len(g.acts) > 0 && (g.id != id || ts-g.last > multiClickGapMs) {
		a.flushClicks()
	}
	g.acts = append(g.acts, act)
	g.seqs = append(g.seqs, a.res.EventCount)
	g.id, g.last = id, ts
	if dbl {
		g.dbl = true
	} else {
		g.clicks++
	}
}

// flushClicks emits the click group: two clicks with the browser's dblclick
// are one double click, three one triple click, each quoting what it
// selected (a word, a paragraph) when the selection can be read. Anything
// else stays single clicks, so fast repeated clicking still shows as rage.
func (a *Analyzer) flushClicks() {
	g := &a.clicks
	if len(g.acts) == 0 {
		return
	}
	kind := ""
	switch {
	case g.dbl && g.clicks == 2:
		kind = InteractionDoubleClicked
	case g.dbl && g.clicks == 3:
		kind = InteractionTripleClicked
	}
	if kind == "" {
		for i, act := range g.acts {
			a.emitAt(act, g.seqs[i])
		}
	} else {
		act := g.acts[0]
		act.Metadata["interaction"] = kind
		act.Description = capitalize(kind) + " " + act.TargetDesc
		if text, masked := a.takeSelection(act.Timestamp - 100); masked {
			act.Description += ", selecting masked text"
		} else if text != "" {
			act.Description += ", selecting '" + text + "'"
			act.Metadata["selected_text"] = text
		}
		a.emitAt(act, g.seqs[0])
	}
	*g = clickGroup{acts: g.acts[:0], seqs: g.seqs[:0]}
}

// takeSelection removes the selection a double or triple click made (the
// pending one, and any already emitted since since) and returns its text.
func (a *Analyzer) takeSelection(since int64) (text string, masked bool) {
	if s := a.pendingSel; s != nil && s.Timestamp >= since {
		text, _ = s.Metadata["selected_text"].(string)
		masked, _ = s.Metadata["masked"].(bool)
		a.pendingSel = nil
	}
	for i := len(a.res.Actions) - 1; i >= 0 && i >= len(a.res.Actions)-20; i-- {
		x := a.res.Actions[i]
		if x.Action != ActionSelect || x.Timestamp < since {
			continue
		}
		if text == "" && !masked {
			text, _ = x.Metadata["selected_text"].(string)
			masked, _ = x.Metadata["masked"].(bool)
		}
		a.res.Actions = slices.Delete(a.res.Actions, i, i+1)
		a.seqs = slices.Delete(a.seqs, i, i+1)
	}
	return text, masked
}

// touchMove follows the finger of the touch in progress.
func (a *Analyzer) touchMove() {
	a.touchSeen = true
	g, d := a.touch, &a.ev
	if g == nil || d.moves == 0 {
		return
	}
	if !g.hasStart {
		g.x0, g.y0, g.hasStart = d.firstX, d.firstY, true
	}
	g.x1, g.y1, g.moved = d.lastX, d.lastY, true
}

// flushTouch emits the touch in progress: a swipe when the finger moved
// (whether or not the page scrolled), else the tap.
func (a *Analyzer) flushTouch() {
	g := a.touch
	if g == nil {
		return
	}
	a.touch = nil
	act := g.act
	dx, dy := g.x1-g.x0, g.y1-g.y0
	if g.moved && max(abs(dx), abs(dy)) >= swipeMinPx {
		dir := "down"
		switch {
		case abs(dx) > abs(dy) && dx < 0:
			dir = "left"
		case abs(dx) > abs(dy):
			dir = "right"
		case dy < 0:
			dir = "up"
		}
		act.Metadata["interaction"] = InteractionSwiped
		act.Metadata["direction"] = dir
		act.Metadata["distance_px"] = max(abs(dx), abs(dy))
		act.Metadata["scrolled"] = g.scrolled
		act.Description = "Swiped " + dir + " on " + act.TargetDesc
	} else {
		a.lastTouch = act.Timestamp // a tap, which focuses what it lands on
	}
	a.emitAt(act, g.seq)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// resolveFocusTap turns a lone focus on a touch device into the tap it was.
func (a *Analyzer) resolveFocusTap() {
	f := a.focusTap
	a.focusTap.active = false
	if !f.active || f.idx >= len(a.res.Actions) {
		return
	}
	act := &a.res.Actions[f.idx]
	if act.Interaction() != InteractionFocused || act.TargetNodeID == nil || *act.TargetNodeID != f.id {
		return
	}
	act.Metadata["interaction"] = InteractionTapped
	act.Metadata["recorded_as"] = "focus"
	act.Description = "Tapped " + act.TargetDesc
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
	if a.touch != nil {
		a.touch.scrolled = true
	}
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
	case kind == "select" && isMasked(text):
		description = "Selected a masked option in " + desc
	case kind == "select":
		description = "Selected option '" + text + "' in " + desc
	case isMasked(text):
		// Never quote the recorder's asterisks as if they were typed.
		description = "Entered a masked value in " + desc
	default:
		description = "Entered '" + text + "' in " + desc
	}
	meta := map[string]any{"text_length": utf8.RuneCountInString(text)}
	if d.hasChecked {
		meta["is_checked"] = d.checked
	} else {
		meta["is_checked"] = nil
	}
	if isMasked(text) {
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
	a.pending, a.pendingID, a.pendingSeq = act, d.id, a.res.EventCount
}

func (a *Analyzer) flushInput() {
	if a.pending == nil {
		return
	}
	a.emitAt(*a.pending, a.pendingSeq)
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
	masked := false
	for _, r := range a.ev.ranges {
		s, m := a.rangeText(r)
		masked = masked || m
		if s != "" && !m {
			texts = append(texts, s)
		}
	}
	meta := map[string]any{"range_count": len(a.ev.ranges)}
	description := "Selected text"
	switch {
	case masked:
		description = "Selected masked text"
		meta["masked"] = true
	case len(texts) > 0:
		text := clipRunes(strings.Join(texts, " ... "), maxSelectionRunes)
		description = "Selected '" + text + "'"
		meta["selected_text"] = text
	}
	a.pendingSelSeq = a.res.EventCount
	a.pendingSel = &UserAction{
		Timestamp:   ts,
		Action:      ActionSelect,
		TargetDesc:  "(selection)",
		Description: description,
		Metadata:    meta,
		URL:         a.url,
	}
}

// rangeText resolves a selection range to its text. Offsets count
// characters of the start and end text nodes.
func (a *Analyzer) rangeText(r selRange) (text string, masked bool) {
	start, m1, ok1 := a.dom.textOf(r.Start)
	if !ok1 {
		return "", false
	}
	if r.Start == r.End {
		return strings.TrimSpace(sliceRunes(start, r.StartOffset, r.EndOffset)), m1
	}
	end, m2, ok2 := a.dom.textOf(r.End)
	if !ok2 {
		return strings.TrimSpace(sliceRunes(start, r.StartOffset, -1)), m1
	}
	return strings.TrimSpace(strings.TrimSpace(sliceRunes(start, r.StartOffset, -1)) + " " + strings.TrimSpace(sliceRunes(end, 0, r.EndOffset))), m1 || m2
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
	a.emitAt(*a.pendingSel, a.pendingSelSeq)
	a.pendingSel = nil
}

// plugin handles console records: errors, failed assertions (which the
// browser reports as errors, "Assertion failed: …") and warnings. Logs,
// info and debug output are left out: they are the app's own chatter, not
// something the user met.
func (a *Analyzer) plugin(ts int64) bool {
	if !bytes.HasPrefix(a.ev.plugin, []byte("rrweb/console@")) {
		return true
	}
	level, args, ok := consoleRecord(a.ev.payload)
	if !ok {
		return false
	}
	action, label := ActionConsoleError, "Console error: "
	switch level {
	case "error":
	case "assert":
		args = append([]string{"Assertion failed:"}, args...)
	case "warn":
		action, label = ActionConsoleWarning, "Console warning: "
	default:
		return true
	}
	// One line: a stack trace's line breaks would split the timeline.
	msg, cut := clipMessage(strings.Join(strings.Fields(strings.Join(args, " ")), " "))
	if msg == "" {
		return true
	}
	meta := map[string]any{"message": msg, "level": level}
	if cut > 0 {
		meta["truncated_chars"] = cut
	}
	a.emit(UserAction{
		Timestamp:   ts,
		Action:      action,
		TargetDesc:  msg,
		Description: label + msg,
		Metadata:    meta,
	})
	return true
}

// clipMessage keeps the first maxMessageRunes characters of a console
// message and says how many more there were.
func clipMessage(s string) (string, int) {
	n := utf8.RuneCountInString(s)
	if n <= maxMessageRunes {
		return s, 0
	}
	cut := n - maxMessageRunes
	return string([]rune(s)[:maxMessageRunes]) + fmt.Sprintf("… [truncated: %d more characters]", cut), cut
}

// viewport reports a resize of the browser window (or a phone's rotation).
func (a *Analyzer) viewport(ts int64) {
	d := &a.ev
	if d.width <= 0 || d.height <= 0 || (d.width == a.viewW && d.height == a.viewH) {
		return
	}
	a.viewW, a.viewH = d.width, d.height
	size := strconv.Itoa(d.width) + "×" + strconv.Itoa(d.height)
	a.emit(UserAction{
		Timestamp:   ts,
		Action:      ActionViewportResize,
		TargetDesc:  "(viewport)",
		Description: "Resized the viewport to " + size,
		Metadata:    map[string]any{"width": d.width, "height": d.height},
	})
}

// custom reports an rrweb custom event: a checkpoint the app tagged the
// recording with (rrweb's addCustomEvent), with its payload.
func (a *Analyzer) custom(ts int64) {
	tag := string(a.ev.tag)
	if tag == "" {
		return
	}
	payload := ""
	if p := bytes.TrimSpace(a.ev.payload); len(p) > 0 && string(p) != "null" && string(p) != "{}" {
		var b bytes.Buffer
		if json.Compact(&b, p) == nil {
			payload = clipRunes(b.String(), maxPayloadRunes)
		}
	}
	desc := "Custom event " + quote(tag)
	meta := map[string]any{"tag": tag}
	if payload != "" {
		desc += ": " + payload
		meta["payload"] = payload
	}
	a.emit(UserAction{
		Timestamp:   ts,
		Action:      ActionCustomEvent,
		TargetDesc:  "custom " + quote(tag),
		Description: desc,
		Metadata:    meta,
	})
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
