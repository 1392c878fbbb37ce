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
// ...). Where it does not, the project's own: X1_INVALID_ENUM for a value
// outside its set, X2..X10 for the query engines' own checks, and these
// two families, which every tool shares:
//
//	A1_TYPE            a value of the wrong JSON type that no coercion fixes
//	A2_UNKNOWN_ARGUMENT  an argument or field the tool does not take
//	A3_TOO_LARGE       the arguments or one string over its size cap
//	A4_BAD_JSON        arguments that are not a JSON object, or a string
//	                   that looks like JSON where a list/object is wanted
//	                   but does not parse
//	MG1_REQUIRED       a required value missing or empty
//	MG2_DATE           not a YYYY-MM-DD day, or a range that runs backwards
//	                   (where the reference has no code of its own)
//	MG5_CONFLICT       arguments that exclude each other, or one that only
//	                   applies together with another
//	MG6_RANGE          a number outside its range
//
// (MG3_LENGTH and MG4_URL, and the MG family's origin in management
// inputs: mixpanel/validate.go.)
const (
	CodeInvalidEnum = "X1_INVALID_ENUM"
	CodeType        = "A1_TYPE"
	CodeUnknownArg  = "A2_UNKNOWN_ARGUMENT"
	CodeTooLarge    = "A3_TOO_LARGE"
	CodeBadJSON     = "A4_BAD_JSON"
	CodeRequired    = "MG1_REQUIRED"
	CodeDate        = "MG2_DATE"
	CodeConflict    = "MG5_CONFLICT"
	CodeRange       = "MG6_RANGE"
)

// DateCodes are the codes one date check reports under: Format for text
// that is not YYYY-MM-DD, Invalid for a day the calendar lacks.
type DateCodes struct{ Format, Invalid string }

// TimeArgDates are the reference's codes for from_date and to_date (V8).
var TimeArgDates = DateCodes{Format: "V8_DATE_FORMAT", Invalid: "V8_DATE_INVALID"}

// Dates are the codes of a date the reference gives no code for.
var Dates = DateCodes{Format: CodeDate, Invalid: CodeDate}

// Date checks that s is a YYYY-MM-DD calendar date and returns it.
func (l *Issues) Date(codes DateCodes, path, s string) (time.Time, bool) {
	if !dateRe().MatchString(s) {
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
// time is skipped), against the start field fromPath.
func (l *Issues) DateOrder(code, fromPath, toPath string, from, to time.Time) bool {
	if from.IsZero() || to.IsZero() || !from.After(to) {
		return true
	}
	l.Add(code, fromPath, "%s is after %s %s; swap them", from.Format(time.DateOnly), toPath, to.Format(time.DateOnly))
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
		fix = "pass a whole number in that range"
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
