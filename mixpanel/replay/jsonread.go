package replay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader is a pull parser over a stream of JSON text, written for the
// analyzer's one job: walk tens of MB of rrweb events once, read the few
// fields it needs straight into its own compact structures, and skip the
// rest (CSS, class lists, mouse paths) without building anything.
//
// encoding/json decoded every event into Go values through reflection and
// held each event whole in its buffer (a full snapshot of a big page is
// tens of MB in one event), which made the analyzer spend most of its time
// in allocation and memclr. This reader holds a fixed 64 KiB window of the
// input, so memory does not grow with the size of an event, and decodes a
// string only when the analyzer keeps it.
//
// Values the analyzer reads are parsed strictly (an object needs string
// keys and colons, a number its digits); values it skips are matched by
// brackets and string quotes only. Malformed input is an error, never a
// panic; truncated input is io.ErrUnexpectedEOF.
type jsonReader struct {
	r   io.Reader
	buf []byte
	pos int
	off int64 // input offset of buf[0], for error messages
	err error // sticky read error (io.EOF at the end)

	// tee collects the bytes consumed since teeFrom while teeOn is set: the
	// raw text of a value when the analyzer has to keep it.
	tee     []byte
	teeFrom int
	teeOn   bool

	scratch []byte // holds a string or number that crosses a refill
}

const readWindow = 64 << 10

var errSyntax = errors.New("invalid JSON")

// newBytesReader parses b in place, without copying it.
func newBytesReader(b []byte) *jsonReader {
	return &jsonReader{buf: b, err: io.EOF}
}

// fill refills the window once everything in it is consumed; it returns
// false at the end of input or on a read error (kept in j.err).
func (j *jsonReader) fill() bool {
	if j.pos < len(j.buf) {
		return true
	}
	if j.err != nil {
		return false
	}
	if j.teeOn {
		j.tee = append(j.tee, j.buf[j.teeFrom:j.pos]...)
		j.teeFrom = 0
	}
	j.off += int64(len(j.buf))
	j.buf = j.buf[:cap(j.buf)]
	for {
		n, err := j.r.Read(j.buf)
		if n > 0 || err != nil {
			j.buf, j.pos = j.buf[:n], 0
			if err != nil {
				j.err = err
			}
			return n > 0
		}
	}
}

// fail turns the state at the failure point into an error.
func (j *jsonReader) fail(what string) error {
	if j.err != nil && j.err != io.EOF {
		return j.err
	}
	if j.pos >= len(j.buf) && j.err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w at offset %d: %s", errSyntax, j.off+int64(j.pos), what)
}

// startTee starts collecting consumed bytes; it returns a mark for teeSince.
// Tees nest: an inner start while one runs only returns a mark.
func (j *jsonReader) startTee() (mark int, started bool) {
	if j.teeOn {
		return len(j.tee) + j.pos - j.teeFrom, false
	}
	j.teeOn, j.teeFrom, j.tee = true, j.pos, j.tee[:0]
	return 0, true
}

// teeSince returns the bytes consumed since mark; it stops the tee when
// stop is set. The slice is valid until the next startTee.
func (j *jsonReader) teeSince(mark int, stop bool) []byte {
	j.tee = append(j.tee, j.buf[j.teeFrom:j.pos]...)
	j.teeFrom = j.pos
	if stop {
		j.teeOn = false
	}
	return j.tee[mark:]
}

// peek skips white space and returns the next byte without consuming it;
// 0 at the end of input.
func (j *jsonReader) peek() byte {
	if j.pos < len(j.buf) {
		if c := j.buf[j.pos]; c > ' ' {
			return c
		}
	}
	return j.peekSpace()
}

func (j *jsonReader) peekSpace() byte {
	for {
		for j.pos < len(j.buf) {
			switch c := j.buf[j.pos]; c {
			case ' ', '\t', '\n', '\r':
				j.pos++
			default:
				return c
			}
		}
		if !j.fill() {
			return 0
		}
	}
}

// consume skips white space and consumes c, or fails.
func (j *jsonReader) consume(c byte) error {
	if j.peek() != c {
		return j.fail("expected " + strconv.QuoteRune(rune(c)))
	}
	j.pos++
	return nil
}

// null consumes a null literal if one comes next.
func (j *jsonReader) null() (bool, error) {
	if j.peek() != 'n' {
		return false, nil
	}
	return true, j.literal("null")
}

func (j *jsonReader) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if j.pos >= len(j.buf) && !j.fill() {
			return j.fail("truncated " + lit)
		}
		if j.buf[j.pos] != lit[i] {
			return j.fail("invalid literal")
		}
		j.pos++
	}
	return nil
}

// objectKeys iterates an object: next returns each key (valid until the
// next read) with the reader placed on its value, which the caller must
// consume; ok is false after the closing brace.
type objectIter struct {
	j     *jsonReader
	first bool
}

func (j *jsonReader) object() (objectIter, error) {
	if err := j.consume('{'); err != nil {
		return objectIter{}, err
	}
	return objectIter{j: j, first: true}, nil
}

// objectOf opens the object that is the next value; any other value is
// consumed and reported as errType.
func (j *jsonReader) objectOf() (objectIter, error) {
	if j.peek() != '{' {
		if err := j.skip(); err != nil {
			return objectIter{}, err
		}
		return objectIter{}, errType
	}
	return j.object()
}

func (it *objectIter) next() (key []byte, ok bool, err error) {
	j := it.j
	c := j.peek()
	if c == '}' {
		j.pos++
		return nil, false, nil
	}
	if !it.first {
		if c != ',' {
			return nil, false, j.fail("expected ',' or '}' in object")
		}
		j.pos++
		c = j.peek()
	}
	it.first = false
	if c != '"' {
		return nil, false, j.fail("expected a string key")
	}
	// Keys are short and plain: take them in place when they are.
	buf := j.buf
	for i := j.pos + 1; i < len(buf); i++ {
		switch buf[i] {
		case '"':
			key = buf[j.pos+1 : i]
			j.pos = i + 1
			if j.pos < len(buf) && buf[j.pos] == ':' {
				j.pos++
				return key, true, nil
			}
			// The colon may lie past a refill, which reuses the window.
			key = append(j.scratch[:0], key...)
			j.scratch = key[:0]
			if err := j.consume(':'); err != nil {
				return nil, false, err
			}
			return key, true, nil
		case '\\':
			i = len(buf)
		}
	}
	key, err = j.str(j.scratch[:0], -1)
	if err != nil {
		return nil, false, err
	}
	j.scratch = key[:0]
	if err := j.consume(':'); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// arrayIter iterates an array: next reports whether an element follows,
// with the reader placed on it.
type arrayIter struct {
	j     *jsonReader
	first bool
}

func (j *jsonReader) array() (arrayIter, error) {
	if err := j.consume('['); err != nil {
		return arrayIter{}, err
	}
	return arrayIter{j: j, first: true}, nil
}

// arrayOf opens the array that is the next value; any other value is
// consumed and reported as errType.
func (j *jsonReader) arrayOf() (arrayIter, error) {
	if j.peek() != '[' {
		if err := j.skip(); err != nil {
			return arrayIter{}, err
		}
		return arrayIter{}, errType
	}
	return j.array()
}

func (it *arrayIter) next() (bool, error) {
	j := it.j
	c := j.peek()
	if c == ']' {
		j.pos++
		return false, nil
	}
	if !it.first {
		if c != ',' {
			return false, j.fail("expected ',' or ']' in array")
		}
		j.pos++
		if j.peek() == ']' {
			return false, j.fail("trailing comma in array")
		}
	}
	it.first = false
	return true, nil
}

// str reads a string value and appends its decoded bytes to dst, keeping
// at most limit bytes of it (all when limit < 0; a cut never splits a
// UTF-8 sequence). The whole string is consumed either way.
func (j *jsonReader) str(dst []byte, limit int) ([]byte, error) {
	if err := j.consume('"'); err != nil {
		return dst, err
	}
	room := func(n int) int {
		if limit < 0 {
			return n
		}
		return max(0, min(n, limit-len(dst)))
	}
	for {
		if j.pos >= len(j.buf) && !j.fill() {
			return dst, j.fail("unterminated string")
		}
		seg := j.buf[j.pos:]
		q := bytes.IndexByte(seg, '"')
		plain := seg
		if q >= 0 {
			plain = seg[:q]
		}
		if b := bytes.IndexByte(plain, '\\'); b >= 0 {
			dst = append(dst, seg[:room(b)]...)
			j.pos += b + 1
			var err error
			if dst, err = j.escape(dst, limit); err != nil {
				return dst, err
			}
			continue
		}
		dst = append(dst, plain[:room(len(plain))]...)
		if q >= 0 {
			j.pos += q + 1
			if limit >= 0 && len(dst) >= limit {
				dst = dst[:validUTF8Prefix(dst)]
			}
			return dst, nil
		}
		j.pos = len(j.buf)
	}
}

// validUTF8Prefix is the length of b without a trailing cut rune.
func validUTF8Prefix(b []byte) int {
	for i := len(b); i > 0 && i > len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i-1]) {
			if utf8.FullRune(b[i-1:]) {
				return len(b)
			}
			return i - 1
		}
	}
	return len(b)
}

func (j *jsonReader) byte1() (byte, bool) {
	if j.pos >= len(j.buf) && !j.fill() {
		return 0, false
	}
	c := j.buf[j.pos]
	j.pos++
	return c, true
}

// escape decodes the escape after a backslash.
func (j *jsonReader) escape(dst []byte, limit int) ([]byte, error) {
	c, ok := j.byte1()
	if !ok {
		return dst, j.fail("unterminated escape")
	}
	r, err := j.escaped(c)
	if err != nil {
		return dst, err
	}
	if utf16.IsSurrogate(r) {
		// A pair is two escapes; a lone half is invalid text.
		lo := utf8.RuneError
		if j.pos >= len(j.buf) {
			j.fill()
		}
		if j.pos < len(j.buf) && j.buf[j.pos] == '\\' {
			j.pos++
			c, ok := j.byte1()
			if !ok {
				return dst, j.fail("unterminated escape")
			}
			next, err := j.escaped(c)
			if err != nil {
				return dst, err
			}
			if p := utf16.DecodeRune(r, next); p != utf8.RuneError {
				r = p
			} else {
				dst = appendRune(dst, utf8.RuneError, limit)
				r = next
			}
		} else {
			r = lo
		}
	}
	return appendRune(dst, r, limit), nil
}

func appendRune(dst []byte, r rune, limit int) []byte {
	if limit >= 0 && len(dst)+utf8.RuneLen(r) > limit {
		return dst
	}
	return utf8.AppendRune(dst, r)
}

// escaped is the rune of the escape \c.
func (j *jsonReader) escaped(c byte) (rune, error) {
	switch c {
	case '"', '\\', '/':
		return rune(c), nil
	case 'b':
		return '\b', nil
	case 'f':
		return '\f', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case 't':
		return '\t', nil
	case 'u':
		return j.hex4()
	}
	return 0, j.fail("invalid escape")
}

func (j *jsonReader) hex4() (rune, error) {
	var r rune
	for i := 0; i < 4; i++ {
		c, ok := j.byte1()
		if !ok {
			return 0, j.fail("unterminated \\u escape")
		}
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, j.fail("invalid \\u escape")
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// skipString consumes a string without decoding it: it looks only for
// the closing quote, which is the first quote not preceded by an odd run
// of backslashes.
func (j *jsonReader) skipString() error {
	j.pos++      // the opening quote, seen by the caller
	slashes := 0 // backslashes ending the previous window
	for {
		if j.pos >= len(j.buf) && !j.fill() {
			return j.fail("unterminated string")
		}
		seg := j.buf[j.pos:]
		q := bytes.IndexByte(seg, '"')
		if q < 0 {
			n := 0
			for n < len(seg) && seg[len(seg)-1-n] == '\\' {
				n++
			}
			if n == len(seg) {
				slashes += n
			} else {
				slashes = n
			}
			j.pos = len(j.buf)
			continue
		}
		n := 0
		for n < q && seg[q-1-n] == '\\' {
			n++
		}
		if n == q {
			n += slashes
		}
		j.pos += q + 1
		if n%2 == 0 {
			return nil
		}
		slashes = 0
	}
}

// skip consumes one value of any kind.
func (j *jsonReader) skip() error {
	switch c := j.peek(); c {
	case '"':
		return j.skipString()
	case '{', '[':
	case 0:
		return j.fail("expected a value")
	default:
		_, err := j.scalar()
		return err
	}
	depth := 0
	for {
		if j.pos >= len(j.buf) && !j.fill() {
			return j.fail("unterminated value")
		}
		switch j.buf[j.pos] {
		case '"':
			if err := j.skipString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				j.pos++
				return nil
			}
		}
		j.pos++
	}
}

// scalar consumes a number or literal and returns its text (valid until
// the next read).
func (j *jsonReader) scalar() ([]byte, error) {
	j.peek()
	start, crossed := j.pos, false
	out := j.scratch[:0]
	for {
		if j.pos >= len(j.buf) {
			out = append(out, j.buf[start:j.pos]...)
			crossed = true
			if !j.fill() {
				start = j.pos
				break
			}
			start = j.pos
		}
		c := j.buf[j.pos]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E') {
			break
		}
		j.pos++
	}
	if crossed {
		out = append(out, j.buf[start:j.pos]...)
		j.scratch = out[:0]
	} else {
		out = j.buf[start:j.pos]
	}
	switch {
	case len(out) == 0:
		return nil, j.fail("expected a value")
	case out[0] == '-' && len(out) > 1, out[0] >= '0' && out[0] <= '9':
		return out, nil
	case string(out) == "true", string(out) == "false", string(out) == "null":
		return out, nil
	}
	return nil, j.fail("invalid literal")
}

// errType marks a value of the wrong JSON type for the field that holds
// it: the event is skipped, the stream goes on.
var errType = errors.New("value of the wrong type")

// number reads a number (an int or a float within int64's range,
// truncated), or reports errType after consuming any other value.
func (j *jsonReader) number() (int64, error) {
	c := j.peek()
	if c != '-' && (c < '0' || c > '9') {
		if err := j.skip(); err != nil {
			return 0, err
		}
		return 0, errType
	}
	// Most numbers are small integers inside the window.
	buf := j.buf
	i := j.pos
	if c == '-' {
		i++
	}
	var n int64
	k := i
	for ; k < len(buf) && k-i < 18; k++ {
		d := buf[k]
		if d < '0' || d > '9' {
			break
		}
		n = n*10 + int64(d-'0')
	}
	if k > i && k < len(buf) {
		switch buf[k] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			j.pos = k
			if c == '-' {
				n = -n
			}
			return n, nil
		}
	}
	b, err := j.scalar()
	if err != nil {
		return 0, err
	}
	return parseNumber(b)
}

func parseNumber(b []byte) (int64, error) {
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	var n int64
	if len(digits) > 0 && len(digits) <= 18 {
		for _, c := range digits {
			if c < '0' || c > '9' {
				goto float
			}
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return n, nil
	}
float:
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || f > 1<<62 || f < -(1<<62) {
		return 0, errType
	}
	return int64(f), nil
}

// integer is number limited to int's range.
func (j *jsonReader) integer() (int, error) {
	n, err := j.number()
	if err == nil && (n > math.MaxInt32 || n < math.MinInt32) {
		return 0, errType
	}
	return int(n), err
}

// boolean reads true or false, or reports errType after consuming any
// other value.
func (j *jsonReader) boolean() (bool, error) {
	switch j.peek() {
	case 't':
		return true, j.literal("true")
	case 'f':
		return false, j.literal("false")
	}
	if err := j.skip(); err != nil {
		return false, err
	}
	return false, errType
}

// text reads a string into dst (see str), or reports errType after
// consuming any other value.
func (j *jsonReader) text(dst []byte, limit int) ([]byte, error) {
	if j.peek() != '"' {
		if err := j.skip(); err != nil {
			return dst, err
		}
		return dst, errType
	}
	return j.str(dst, limit)
}

// raw consumes one value and appends its JSON text to dst.
func (j *jsonReader) raw(dst []byte) ([]byte, error) {
	j.peek()
	mark, started := j.startTee()
	err := j.skip()
	dst = append(dst, j.teeSince(mark, started)...)
	return dst, err
}
