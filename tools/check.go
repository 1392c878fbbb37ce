package tools

import (
	"fmt"
	"strings"
	"time"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Invalid arguments are reported with query.Issues and the checks on them
// (query.Issues.Date, Enum, Range, Required: the one date, enum and range
// checker of the project, whose codes mixpanel/query/checks.go lists), so a
// tool's mistake reads like a query engine's: `field: CODE: what is wrong;
// how to fix it`.

// ArgsError lists every problem found in one call's arguments, so a model
// can fix them all at once. Nothing was sent to Mixpanel.
type ArgsError struct {
	Issues query.Issues
}

func (e *ArgsError) Error() string {
	if len(e.Issues) == 1 {
		return e.Issues[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems with the arguments:", len(e.Issues))
	for _, is := range e.Issues {
		b.WriteString("\n- ")
		b.WriteString(is.String())
	}
	return b.String()
}

// issuesError is the error of a Validate method: nil when iss is empty.
func issuesError(iss query.Issues) error {
	if len(iss) == 0 {
		return nil
	}
	return &ArgsError{Issues: append(query.Issues(nil), iss...)}
}

// checkPage checks a table window: limit 0 is omitted (the default),
// otherwise 1..maxLimit; offset 0 or more.
func checkPage(iss *query.Issues, limit, offset, maxLimit int) {
	if limit != 0 {
		iss.Range(query.CodeRange, "limit", int64(limit), 1, int64(maxLimit), "omit it for the default")
	}
	iss.Range(query.CodeRange, "offset", int64(offset), 0, query.NoMax, "")
}

// checkDates checks optional from_date and to_date: each a YYYY-MM-DD day
// and in order (the reference's V8 and V15 codes); with needFrom, to_date
// alone is refused (V9).
func checkDates(iss *query.Issues, from, to string, needFrom bool) {
	var f, t time.Time
	if from != "" {
		f, _ = iss.Date(query.TimeArgDates, "from_date", from)
	}
	if to != "" {
		t, _ = iss.Date(query.TimeArgDates, "to_date", to)
	}
	if needFrom && to != "" && from == "" {
		iss.Add("V9_TO_REQUIRES_FROM", "to_date", "needs from_date; give both, or neither for the default range")
	}
	iss.DateOrder("V15_DATE_ORDER", "from_date", "to_date", f, t)
}

// issue is a one-problem error.
func issue(code, path, format string, args ...any) error {
	var iss query.Issues
	iss.Add(code, path, format, args...)
	return issuesError(iss)
}

// checkWindow is checkPage as an error, for inputs with nothing else to
// check.
func checkWindow(limit, offset, maxLimit int) error {
	var iss query.Issues
	checkPage(&iss, limit, offset, maxLimit)
	return issuesError(iss)
}
