package query

import (
	"fmt"
	"strconv"
	"strings"
)

// Issue is one validation failure. Code is the reference's code (for
// example "V17_EMPTY_EVENT" or "TC3b"); codes starting with "X" name checks
// this port adds where the reference has no code of its own. Needs, when
// set, says the fix is a value that exists in the project (an event name, a
// saved cohort's id), so a caller that can list those can say where to look;
// the message itself names no tool.
type Issue struct {
	Code    string `json:"code"`
	Path    string `json:"path"`
	Message string `json:"message"`
	Needs   Need   `json:"-"`
}

// Need is a kind of project value an issue's fix needs.
type Need string

// The project values a fix can need.
const (
	NeedEventName        Need = "event name"
	NeedCohortID         Need = "cohort id"
	NeedCustomPropertyID Need = "custom property id"
	NeedBookmarkID       Need = "saved report id"
	NeedAlertID          Need = "alert id"
	NeedFlagState        Need = "feature flag's current state"
	NeedPropertyName     Need = "property name"
	NeedDropFilterID     Need = "drop filter id"
	NeedLookupTableID    Need = "lookup table id"
	NeedLookupUploadKey  Need = "lookup upload key"
)

// Rule is the leading rule of the code, the part the reference's
// documentation names: "V12B" for "V12B_BUCKET_REQUIRES_NUMBER".
func (i Issue) Rule() string {
	if k := strings.IndexByte(i.Code, '_'); k > 0 {
		head := i.Code[:k]
		if strings.IndexFunc(head, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
			return head
		}
	}
	return i.Code
}

func (i Issue) String() string {
	if i.Path == "" {
		return i.Rule() + ": " + i.Message
	}
	return i.Path + ": " + i.Rule() + ": " + i.Message
}

// Stage says which layer of checks found the issues.
type Stage string

// The validation stages, in the order they run.
const (
	StageConstruct Stage = "construct" // the typed objects' own checks
	StageArgs      Stage = "args"      // argument rules (V*, CP*, DG1, ...)
	StageBookmark  Stage = "bookmark"  // rules on the built params (B*)
)

// ValidationError lists every issue one stage found. Invalid input never
// reaches the network, so a caller can fix all of them in one go.
type ValidationError struct {
	Stage  Stage   `json:"stage"`
	Issues []Issue `json:"issues"`
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid query (%d issue", len(e.Issues))
	if len(e.Issues) != 1 {
		b.WriteByte('s')
	}
	b.WriteString("):")
	for _, is := range e.Issues {
		b.WriteString("\n- ")
		b.WriteString(is.String())
	}
	return b.String()
}

// Codes lists the issues' codes in order.
func (e *ValidationError) Codes() []string {
	out := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		out[i] = is.Code
	}
	return out
}

// Issues collects validation failures while a spec is checked.
type Issues []Issue

// Add records one failure.
func (l *Issues) Add(code, path, format string, args ...any) {
	*l = append(*l, Issue{Code: code, Path: path, Message: fmt.Sprintf(format, args...)})
}

// AddNeeding records one failure whose fix is a value of the project.
func (l *Issues) AddNeeding(need Need, code, path, format string, args ...any) {
	*l = append(*l, Issue{Code: code, Path: path, Message: fmt.Sprintf(format, args...), Needs: need})
}

// Err turns the collected issues into a *ValidationError, or nil.
func (l Issues) Err(stage Stage) error {
	if len(l) == 0 {
		return nil
	}
	return &ValidationError{Stage: stage, Issues: append([]Issue(nil), l...)}
}

// join builds a JSON-like path: join("where", 2) is "where[2]",
// join("events[0]", "math") is "events[0].math".
func join(base string, elem any) string {
	switch e := elem.(type) {
	case int:
		return base + "[" + strconv.Itoa(e) + "]"
	case string:
		if base == "" {
			return e
		}
		return base + "." + e
	}
	return base
}

// listPath is the reference's path for item i of a list argument: the bare
// name when the list has one item, name[i] otherwise.
func listPath(name string, i, n int) string {
	if n == 1 {
		return name
	}
	return fmt.Sprintf("%s[%d]", name, i)
}
