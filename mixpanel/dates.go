package mixpanel

// Recognising ISO-8601 dates in property values.

import (
	"regexp"
	"strconv"
	"sync"
	"time"
)

var isoDate = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$`)
})

// isISODate reports whether s is an ISO-8601 date or date-time with a real
// calendar date and clock time ("2025-13-99" is not).
func isISODate(s string) bool {
	m := isoDate().FindStringSubmatch(s)
	if m == nil {
		return false
	}
	num := func(i int) int { n, _ := strconv.Atoi(m[i]); return n }
	y, mo, d := num(1), num(2), num(3)
	if y < 1 || mo < 1 || mo > 12 || d < 1 || d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return false
	}
	if m[4] != "" && (num(4) > 23 || num(5) > 59 || (m[6] != "" && num(6) > 59)) {
		return false
	}
	if m[8] != "" && (num(8) > 23 || num(9) > 59) {
		return false
	}
	return true
}
