package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Every tool's arguments pass through one pipeline before its handler runs:
//
//  1. cap: the arguments object may be at most MaxArgsBytes, and any one
//     string at most MaxStringBytes — or 4 × the maxLength its schema
//     declares when that is more (4 bytes is the longest UTF-8 character,
//     so any string within maxLength characters passes);
//  2. coerce: unambiguous slips are rewritten, the same way for every tool
//     and every nested field, as the tool's input JSON Schema directs;
//  3. decode strictly into the input type (unknown arguments are refused);
//  4. validate (the input's Validate method, see check.go).
//
// The coercions, each applied only where the schema does not accept the
// value as it is:
//
//   - a string holding a base-10 integer ("5", "-3") where an integer is
//     wanted, and a number without a fraction (5.0, 5e2) for an integer;
//   - a string holding a finite number ("2.5") where a number is wanted;
//   - "true" or "false" (any case) where a boolean is wanted;
//   - a number where only a string is wanted becomes its literal text (a
//     project id sent as 12345);
//   - a single value where a list is wanted becomes a one-item list;
//   - a string whose first non-blank character is "[" (or "{") where the
//     schema accepts an array (or an object) is decoded as JSON, even when
//     a plain string is accepted too: generic clients send lists that way,
//     and an event literally named `["Sign Up"]` is far less likely than a
//     list sent as text.
//
// Everything else that does not fit is an error, never a guess: "5.5" or
// 5.5 for an integer, "yes" for a boolean, a "["/"{" string that does not
// parse as JSON where an array/object is accepted (to pass a name that
// starts with "[" use a list: ["[beta] Sign Up"]). Values whose schema
// accepts anything (filter values, cursors) are passed through untouched,
// and inside a union whose object alternatives cannot be told apart by the
// keys present, the union type's own UnmarshalJSON and checks decide: the
// pipeline never second-guesses them.
//
// Errors read `field: CODE: what is wrong; how to fix it`, like every
// validation error (check.go lists the codes).

// Input caps. They bound the work and memory one call can cost before any
// request, and stop a huge value being echoed back into the model's
// context.
const (
	MaxArgsBytes   = 1 << 20  // the whole arguments object
	MaxStringBytes = 64 << 10 // one string, unless its schema allows longer
)

// argPipeline decodes one tool's arguments; it is built once per tool and
// parses the tool's input schema on first use.
type argPipeline struct {
	schema func() (json.RawMessage, error)

	once sync.Once
	root map[string]any
	defs map[string]any
	err  error
	alts sync.Map // schema node (its map's pointer) -> []map[string]any, see walker.alternatives
}

func newArgPipeline(schema func() (json.RawMessage, error)) *argPipeline {
	return &argPipeline{schema: schema}
}

func (p *argPipeline) load() error {
	p.once.Do(func() {
		raw, err := p.schema()
		if err != nil {
			p.err = err
			return
		}
		if err := json.Unmarshal(raw, &p.root); err != nil {
			p.err = fmt.Errorf("input schema: %w", err)
			return
		}
		p.defs, _ = p.root["$defs"].(map[string]any)
	})
	return p.err
}

// decode runs the cap, coerce and strict-decode steps into v (a pointer to
// the tool's input struct).
func (p *argPipeline) decode(args json.RawMessage, v any) error {
	return p.decodeParsed(args, nil, v)
}

// decodeParsed is decode of arguments the caller has decoded already:
// parsed is encoding/json's decoding of args into an any (what mcp-go
// holds of every tools/call), or nil.
func (p *argPipeline) decodeParsed(args json.RawMessage, parsed, v any) error {
	fixed, err := p.coerceParsed(args, parsed)
	if err != nil {
		return err
	}
	return p.decodeStrict(fixed, v)
}

// coerceParsed applies the caps and coercions to raw arguments and returns
// the arguments to decode: the trimmed input itself when nothing changed.
// parsed is the caller's decoding of args, or nil (see decodeParsed). When every number in args is a plain integer that a
// float64 holds exactly, that decoding says as much as the text, and
// arguments that need no coercion (the usual case) are settled by a walk
// over it that writes nothing: args are then not decoded a second time.
func (p *argPipeline) coerceParsed(args json.RawMessage, parsed any) (json.RawMessage, error) {
	if err := p.load(); err != nil {
		return nil, err
	}
	if len(args) > MaxArgsBytes {
		return nil, issuesError(query.Issues{{Code: query.CodeTooLarge, Path: "arguments", Message: fmt.Sprintf("%d bytes exceed the %d-byte (1 MiB) limit for one call's arguments; send less, e.g. fewer or shorter values", len(args), MaxArgsBytes)}})
	}
	trimmed := bytes.TrimSpace(args)
	if len(trimmed) == 0 || string(trimmed) == "null" {
		trimmed = []byte("{}")
	}
	if obj, ok := parsed.(map[string]any); ok && plainNumbers(trimmed) {
		w := walker{defs: p.defs, memo: &p.alts, check: true}
		w.object("", obj, p.root, true)
		if len(w.issues) == 0 && !w.changed {
			return trimmed, nil
		}
	}
	v, err := decodeValue(trimmed)
	if err != nil {
		return nil, issuesError(query.Issues{{Code: query.CodeBadJSON, Path: "arguments", Message: fmt.Sprintf("not valid JSON (%v); send one JSON object of named arguments", err)}})
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, issuesError(query.Issues{{Code: query.CodeBadJSON, Path: "arguments", Message: fmt.Sprintf("expected a JSON object, got %s; send named arguments such as {\"limit\": 10}", kindPhrase(v))}})
	}
	w := walker{defs: p.defs, memo: &p.alts}
	w.object("", obj, p.root, true)
	if len(w.issues) > 0 {
		return nil, issuesError(w.issues)
	}
	if !w.changed {
		return trimmed, nil
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("re-encode arguments: %w", err)
	}
	return raw, nil
}

// decodeStrict decodes coerced arguments into v, refusing unknown fields.
func (p *argPipeline) decodeStrict(args json.RawMessage, v any) error {
	s := strictDecoders.Get().(*strictDecoder)
	s.src = args
	start := s.dec.InputOffset()
	if err := s.dec.Decode(v); err != nil {
		return p.decodeError(err) // the decoder may be stuck: not reused
	}
	if s.dec.InputOffset()-start == int64(len(args)) && len(args) <= maxPooledArgs {
		s.src = nil
		strictDecoders.Put(s)
	}
	return nil
}

// strictDecoder is a json.Decoder that refuses unknown fields, reading
// one call's arguments at a time from src. A json.Decoder and its buffer
// weigh more than most calls' arguments; the pool keeps those that
// decoded everything they were given, and not too much. Its buffer is
// reused, so an input type's UnmarshalJSON must copy what it keeps, as
// encoding/json requires (each in this module does).
type strictDecoder struct {
	dec *json.Decoder
	src []byte
}

// maxPooledArgs bounds the arguments a pooled decoder has read: its
// buffer grows to the largest.
const maxPooledArgs = 64 << 10

var strictDecoders = sync.Pool{New: func() any {
	s := &strictDecoder{}
	s.dec = json.NewDecoder(s)
	s.dec.DisallowUnknownFields()
	return s
}}

func (s *strictDecoder) Read(b []byte) (int, error) {
	if len(s.src) == 0 {
		return 0, io.EOF
	}
	n := copy(b, s.src)
	s.src = s.src[n:]
	return n, nil
}

// decodeError restates a decoder error in the one error style. Unknown and
// missing top-level arguments are found by the walker first, so these are
// nested mismatches and the union types' own complaints.
func (p *argPipeline) decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "arguments"
		}
		return issuesError(query.Issues{{Code: query.CodeType, Path: field, Message: fmt.Sprintf("expected %s, got a JSON %s; pass %s", goKindPhrase(typeErr.Type), typeErr.Value, goKindPhrase(typeErr.Type))}})
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return issuesError(query.Issues{{Code: query.CodeUnknownArg, Path: "arguments", Message: fmt.Sprintf("unknown field %s in a nested object; remove it (the tool's input schema lists the fields)", name)}})
	}
	return issuesError(query.Issues{{Code: query.CodeType, Path: "arguments", Message: msg}})
}

// decodeValue decodes exactly one JSON value, numbers kept exact.
func decodeValue(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		return nil, errors.New("data after the value")
	}
	return v, nil
}

// plainNumbers reports whether every number in the JSON text b is an
// integer of at most 15 digits, without fraction or exponent: a float64
// holds each exactly, and it reads the same in the text as in Go.
func plainNumbers(b []byte) bool {
	digits := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"': // skip the string
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			digits = 0
		case c >= '0' && c <= '9':
			if digits++; digits > 15 {
				return false
			}
		case (c == '.' || c == 'e' || c == 'E') && digits > 0:
			return false
		default:
			digits = 0
		}
	}
	return true
}

// walker applies caps and coercions to a decoded value along its schema.
type walker struct {
	defs    map[string]any
	memo    *sync.Map
	issues  query.Issues
	changed bool
	// check: only find out whether the value needs a coercion or has an
	// issue; write nothing back. The value may hold float64 numbers
	// (encoding/json's decoding into an any), all plain integers (see
	// plainNumbers).
	check bool
}

func (w *walker) add(code, path, format string, args ...any) {
	if path == "" {
		path = "arguments"
	}
	w.issues.Add(code, path, format, args...)
}

// resolve follows $ref to the definition.
func (w *walker) resolve(s map[string]any) map[string]any {
	for range 32 {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			return nil
		}
		s, _ = w.defs[name].(map[string]any)
		if s == nil {
			return nil
		}
	}
	return nil
}

// alternatives lists the schemas a value may match: the branches of
// anyOf/oneOf (flattened), or s itself. nil means "anything". s is a node
// of the tool's input schema, which lives as long as the pipeline, so the
// answer is worked out once per node.
func (w *walker) alternatives(s map[string]any) []map[string]any {
	key := reflect.ValueOf(s).UnsafePointer()
	if alts, ok := w.memo.Load(key); ok {
		return alts.([]map[string]any)
	}
	alts := w.flatten(s)
	w.memo.Store(key, alts)
	return alts
}

func (w *walker) flatten(s map[string]any) []map[string]any {
	s = w.resolve(s)
	if s == nil {
		return nil
	}
	var branches []any
	if a, ok := s["anyOf"].([]any); ok {
		branches = append(branches, a...)
	}
	if a, ok := s["oneOf"].([]any); ok {
		branches = append(branches, a...)
	}
	if len(branches) == 0 {
		if !typed(s) {
			return nil // no type: any value
		}
		return []map[string]any{s}
	}
	var out []map[string]any
	for _, b := range branches {
		bm, _ := b.(map[string]any)
		sub := w.alternatives(bm)
		if sub == nil {
			return nil
		}
		out = append(out, sub...)
	}
	return out
}

// typed reports whether s names a type.
func typed(s map[string]any) bool {
	switch t := s["type"].(type) {
	case string:
		return true
	case []any:
		for _, x := range t {
			if _, ok := x.(string); ok {
				return true
			}
		}
	}
	return false
}

// hasType reports whether kind is one of the types s names.
func hasType(s map[string]any, kind string) bool {
	switch t := s["type"].(type) {
	case string:
		return t == kind
	case []any:
		return slices.Contains(t, any(kind))
	}
	return false
}

// accepts reports whether one of alts is of type kind.
func accepts(alts []map[string]any, kind string) bool {
	return slices.ContainsFunc(alts, func(a map[string]any) bool { return hasType(a, kind) })
}

// itemsOf reports whether one of alts is a list and gives the schema of
// its items when exactly one is (nil: anything).
func itemsOf(alts []map[string]any) (items map[string]any, list bool) {
	n := 0
	for _, a := range alts {
		if hasType(a, "array") {
			n++
			items, _ = a["items"].(map[string]any)
		}
	}
	if n > 1 {
		items = nil
	}
	return items, n > 0
}

// indexPath is the path of a list's item i (in a check, path itself: no
// issue is reported).
func (w *walker) indexPath(path string, i int) string {
	if w.check {
		return path
	}
	return path + "[" + strconv.Itoa(i) + "]"
}

// join is the path of member key under path (in a check, path itself).
func (w *walker) join(path, key string) string {
	if w.check {
		return path
	}
	return join(path, key)
}

// value caps and coerces v, which the schema s describes (nil: anything).
// It returns the value to put in v's place, and whether there is one: v
// itself is coerced in place (the members of an object or list) or left
// as it is.
func (w *walker) value(path string, v any, s map[string]any) (any, bool) {
	var alts []map[string]any
	if s != nil {
		alts = w.alternatives(s)
	}
	return w.valueOf(path, v, alts)
}

// valueOf caps and coerces v, which may match one of alts (nil: anything),
// and returns as value does.
func (w *walker) valueOf(path string, v any, alts []map[string]any) (any, bool) {
	if alts == nil {
		w.capStrings(path, v)
		return nil, false
	}
	switch x := v.(type) {
	case string:
		return w.str(path, x, alts)
	case json.Number:
		if !w.finite(path, x) {
			return nil, false
		}
		return w.number(path, x, alts)
	case float64: // a plain integer (walker.check)
		return w.number(path, json.Number(strconv.FormatInt(int64(x), 10)), alts)
	case bool:
		if !accepts(alts, "boolean") {
			if items, ok := itemsOf(alts); ok {
				return w.wrap(path, x, items)
			}
		}
	case []any:
		items, ok := itemsOf(alts)
		if !ok {
			w.capStrings(path, x)
			return nil, false
		}
		for i, item := range x {
			if item, ok := w.value(w.indexPath(path, i), item, items); ok && !w.check {
				x[i] = item
			}
		}
	case map[string]any:
		obj, ok := chooseObject(x, alts)
		if !ok {
			if items, ok := itemsOf(alts); ok {
				return w.wrap(path, x, items)
			}
			w.capStrings(path, x)
			return nil, false
		}
		w.object(path, x, obj, false)
	}
	return nil, false
}

// chooseObject picks the object alternative of alts for m: the only one,
// or the one whose properties hold every key of m; nil when none or
// several do (the union decides then). ok reports whether alts has an
// object at all.
func chooseObject(m map[string]any, alts []map[string]any) (obj map[string]any, ok bool) {
	n := 0
	for _, a := range alts {
		if hasType(a, "object") {
			n++
			obj = a
		}
	}
	if n <= 1 {
		return obj, n == 1
	}
	var found map[string]any
	for _, o := range alts {
		if !hasType(o, "object") {
			continue
		}
		props, _ := o["properties"].(map[string]any)
		fits := true
		for k := range m {
			if _, ok := props[k]; !ok {
				fits = false
				break
			}
		}
		if fits {
			if found != nil {
				return nil, true
			}
			found = o
		}
	}
	return found, true
}

// object coerces m's members along s, in place. At the top level it also
// reports unknown and missing arguments by name, all at once.
func (w *walker) object(path string, m map[string]any, s map[string]any, top bool) {
	if s == nil {
		w.capStrings(path, m)
		return
	}
	props, _ := s["properties"].(map[string]any)
	extra, _ := s["additionalProperties"].(map[string]any)
	var buf [16]string // the keys of most objects, without allocating
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	if !w.check {
		slices.Sort(keys) // issues in a stable order
	}
	for _, k := range keys {
		if len(k) > MaxStringBytes {
			w.add(query.CodeTooLarge, path, "an object key of %d bytes exceeds the %d-byte limit; shorten it", len(k), MaxStringBytes)
			continue
		}
		sub := w.join(path, k)
		ps, ok := props[k].(map[string]any)
		if !ok {
			ps = extra
		}
		if ps != nil {
			if v, ok := w.value(sub, m[k], ps); ok && !w.check {
				m[k] = v
			}
			continue
		}
		if s["additionalProperties"] == false {
			if top {
				w.add(query.CodeUnknownArg, sub, "unknown argument; valid arguments: %s", strings.Join(sortedKeys(props), ", "))
			} else {
				w.add(query.CodeUnknownArg, sub, "unknown field %q; valid fields here: %s", k, strings.Join(sortedKeys(props), ", "))
			}
			continue
		}
		w.capStrings(sub, m[k])
	}
	if top {
		req, _ := s["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := m[name]; !ok {
				w.add(query.CodeRequired, name, "missing required argument; pass it (the tool's input schema describes it)")
			}
		}
	}
}

// str handles a string value.
func (w *walker) str(path, x string, alts []map[string]any) (any, bool) {
	if limit := stringCap(alts); len(x) > limit {
		w.add(query.CodeTooLarge, path, "a string of %d bytes exceeds the %d-byte limit for this field; shorten it", len(x), limit)
		return nil, false
	}
	t := strings.TrimSpace(x)
	for _, k := range []struct{ open, kind, what string }{{"[", "array", "list"}, {"{", "object", "object"}} {
		if !strings.HasPrefix(t, k.open) || !accepts(alts, k.kind) {
			continue
		}
		decoded, err := decodeValue([]byte(t))
		if err != nil {
			w.add(query.CodeBadJSON, path, "the string %s looks like a JSON %s but does not parse (%v); pass a real JSON %s, or a list holding the string if it is a name starting with %q", clipQ(x), k.what, err, k.what, k.open)
			return nil, false
		}
		w.changed = true
		if v, ok := w.valueOf(path, decoded, alts); ok {
			return v, true
		}
		return decoded, true
	}
	if accepts(alts, "string") {
		return nil, false
	}
	if accepts(alts, "integer") {
		if n, ok := integral(x); ok {
			w.changed = true
			return n, true
		}
		if !accepts(alts, "number") {
			w.add(query.CodeType, path, "expected an integer, got the string %s; pass a whole number such as 5", clipQ(x))
			return nil, false
		}
	}
	if accepts(alts, "number") {
		if query.IsJSONNumber(x) {
			w.changed = true
			return json.Number(x), true
		}
		w.add(query.CodeType, path, "expected a number, got the string %s; pass a number such as 2.5", clipQ(x))
		return nil, false
	}
	if accepts(alts, "boolean") {
		switch strings.ToLower(x) {
		case "true":
			w.changed = true
			return true, true
		case "false":
			w.changed = true
			return false, true
		}
		w.add(query.CodeType, path, "expected true or false, got the string %s; pass true or false", clipQ(x))
		return nil, false
	}
	if items, ok := itemsOf(alts); ok {
		return w.wrap(path, x, items)
	}
	return nil, false
}

// number handles a number value.
func (w *walker) number(path string, n json.Number, alts []map[string]any) (any, bool) {
	if accepts(alts, "number") {
		return nil, false
	}
	if accepts(alts, "integer") {
		if _, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return nil, false
		}
		if i, ok := integral(string(n)); ok {
			w.changed = true
			return i, true
		}
		w.add(query.CodeType, path, "expected an integer, got %s; pass a whole number such as 5", clip(string(n), 40))
		return nil, false
	}
	if accepts(alts, "string") {
		w.changed = true
		return string(n), true
	}
	if items, ok := itemsOf(alts); ok {
		return w.wrap(path, n, items)
	}
	return nil, false
}

// wrap turns a single value into a one-item list of items and coerces the
// item.
func (w *walker) wrap(path string, v any, items map[string]any) (any, bool) {
	w.changed = true
	if item, ok := w.value(path, v, items); ok {
		v = item
	}
	return []any{v}, true
}

// capStrings checks every string inside v against the default cap (and
// every number for range).
func (w *walker) capStrings(path string, v any) {
	switch x := v.(type) {
	case json.Number:
		w.finite(path, x)
	case string:
		if len(x) > MaxStringBytes {
			w.add(query.CodeTooLarge, path, "a string of %d bytes exceeds the %d-byte (64 KiB) limit for one string; shorten it", len(x), MaxStringBytes)
		}
	case []any:
		for i, item := range x {
			w.capStrings(w.indexPath(path, i), item)
		}
	case map[string]any:
		for _, k := range sortedKeys(x) {
			if len(k) > MaxStringBytes {
				w.add(query.CodeTooLarge, path, "an object key of %d bytes exceeds the %d-byte limit; shorten it", len(k), MaxStringBytes)
				continue
			}
			w.capStrings(w.join(path, k), x[k])
		}
	}
}

// finite refuses a number no float64 holds: JSON allows 1e400, but it can
// be neither decoded here nor sent to Mixpanel.
func (w *walker) finite(path string, n json.Number) bool {
	if query.IsJSONNumber(string(n)) {
		return true
	}
	w.add(query.CodeRange, path, "%s is beyond the range of a number (about ±1.8e308); pass a smaller one", clip(string(n), 40))
	return false
}

// stringCap is the byte cap of a string matching one of alts.
func stringCap(alts []map[string]any) int {
	limit := MaxStringBytes
	for _, a := range alts {
		if n, ok := a["maxLength"].(float64); ok && hasType(a, "string") && int(n)*utf8.UTFMax > limit {
			limit = int(n) * utf8.UTFMax
		}
	}
	return limit
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// integral reads s as a whole number: "5", "-3", "5.0" or "5e2" (no
// blanks); 5.5 and numbers beyond 2^53 (not exact as floats) are not.
func integral(s string) (json.Number, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(strconv.FormatInt(i, 10)), true
	}
	if !query.IsJSONNumber(s) {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return "", false
	}
	return json.Number(strconv.FormatInt(int64(f), 10)), true
}

// clipQ quotes s for an error message, cut to a readable length so a huge
// value is never echoed back whole.
func clipQ(s string) string { return strconv.Quote(clip(s, 60)) }

// kindPhrase names the JSON kind of a decoded value.
func kindPhrase(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	}
	return "an object"
}

// goKindPhrase names what a Go type accepts, in JSON terms.
func goKindPhrase(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
