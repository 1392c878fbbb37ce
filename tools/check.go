package tools

import (
	"fmt"
	"strings"

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
