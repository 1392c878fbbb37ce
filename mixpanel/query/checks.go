package query

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The one set of value checks of the project: dates, enums, ranges and
// required values. The query engines here and every tool use them, so the
// same mistake reads the same everywhere: `field: CODE: what is wrong; how
// to fix it`.
//
// Codes are the reference's where it defines one (V8_DATE_FORMAT, CD6,
// ...). Where it does not, the port's own codes start with X:
//
//	X1_INVALID_ENUM   a value outside its allowed set
//	X2..X8            query-engine checks (operators, filter values and
//	                  dates, list_contains, cohort selectors, list items,
//	                  funnel modes)
//	X9_TYPE           a value of the wrong JSON type that no coercion fixes
//	X10_UNKNOWN_ARGUMENT  an argument the tool does not take
//	X11_REQUIRED      a required value missing or empty
//	X12_TOO_LARGE     arguments or one string over its size cap
//	X13_BAD_JSON      arguments that are not a JSON object, or a string
//	                  that looks like JSON where a list/object is wanted
//	                  but does not parse
//	X14_RANGE         a number outside its range
//	X15_CONFLICT      arguments that exclude each other, or one that only
//	                  applies together with another
const (
	CodeInvalidEnum = "X1_INVALID_ENUM"
	CodeType        = "X9_TYPE"
	CodeUnknownArg  = "X10_UNKNOWN_ARGUMENT"
	CodeRequired    = "X11_REQUIRED"
	CodeTooLarge    = "X12_TOO_LARGE"
	CodeBadJSON     = "X13_BAD_JSON"
	CodeRange       = "X14_RANGE"
	CodeConflict    = "X15_CONFLICT"
)

// DateCodes are the codes one date check reports under: Format for text
// that is not YYYY-MM-DD, Invalid for a day the calendar lacks.
type DateCodes struct{ Format, Invalid string }

// TimeArgDates are the reference's codes for from_date and to_date (V8).
var TimeArgDates = DateCodes{Format: "V8_DATE_FORMAT", Invalid: "V8_DATE_INVALID"}

// Date checks that s is a YYYY-MM-DD calendar date and returns it.
func (l *Issues) Date(codes DateCodes, path, s string) (time.Time, bool) {
	if !dateRe.MatchString(s) {
		l.Add(codes.Format, path, "%s is not a YYYY-MM-DD date; write it like \"2026-01-31\"", quoteClip(s))
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		l.Add(codes.Invalid, path, "%q is not a calendar date; check the day of the month", s)
		return time.Time{}, false
	}
	return t, true
}

// DateOrder reports from after to (both already checked by Date; a zero
// time is skipped). fromPath names the start field.
func (l *Issues) DateOrder(code, fromPath string, from, to time.Time) bool {
	if from.IsZero() || to.IsZero() || !from.After(to) {
		return true
	}
	l.Add(code, fromPath, "%s is after to_date %s; swap them", from.Format(time.DateOnly), to.Format(time.DateOnly))
	return false
}

// Enum checks that v is one of allowed; the empty string (omitted) passes.
func (l *Issues) Enum(code, path, v string, allowed ...string) bool {
	if v == "" || slices.Contains(allowed, v) {
		return true
	}
	l.Add(code, path, "%s is not valid; use one of %s", quoteClip(v), strings.Join(allowed, ", "))
	return false
}

// NoMax is the hi of a Range without an upper bound.
const NoMax = math.MaxInt64

// Range checks lo <= v <= hi; fix, when set, says what else to do (such
// as "omit it for the default 50").
func (l *Issues) Range(code, path string, v, lo, hi int64, fix string) bool {
	if v >= lo && v <= hi {
		return true
	}
	bound := fmt.Sprintf("between %d and %d", lo, hi)
	if hi == NoMax {
		bound = fmt.Sprintf("%d or more", lo)
	}
	if fix == "" {
		fix = "pass a value " + bound
	}
	l.Add(code, path, "must be %s (got %d); %s", bound, v, fix)
	return false
}

// Required reports an empty or blank string value; example shows a good
// one.
func (l *Issues) Required(code, path, v, example string) bool {
	if strings.TrimSpace(v) != "" {
		return true
	}
	l.Add(code, path, "must be a non-empty string; pass e.g. %q", example)
	return false
}

// quoteClip quotes s for a message, cut so a huge value is never echoed
// back whole.
func quoteClip(s string) string {
	if len(s) > 60 {
		cut := 57
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.Quote(s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
