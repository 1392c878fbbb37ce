package mixpanel

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Management inputs check themselves before any request, in the query
// engines' error style (`field: CODE: what is wrong; how to fix it`). The
// reference has no rule codes for them, so they use this project's MG
// family:
//
//	MG1_REQUIRED  a required field is missing or empty
//	MG2_DATE      not a YYYY-MM-DD day, or a range that runs backwards
//	MG3_LENGTH    longer than Mixpanel accepts
//	MG4_URL       not an absolute https URL
//	MG5_CONFLICT  fields that cannot go together, or one that needs another
//	MG6_RANGE     a number outside its allowed range or set
//	MG8_SCHEMA    not a valid JSON Schema draft-7 document
//
// The family is the project's own for every tool: the shared ones are
// defined with the one set of checks in mixpanel/query/checks.go.
const (
	CodeRequired = query.CodeRequired
	CodeDate     = query.CodeDate
	CodeLength   = "MG3_LENGTH"
	CodeURL      = "MG4_URL"
	CodeConflict = query.CodeConflict
	CodeRange    = query.CodeRange
	CodeSchema   = "MG8_SCHEMA"
)

// checks collects the issues of one input.
type checks struct{ iss query.Issues }

func (c *checks) required(field string, empty bool, fix string) {
	if empty {
		c.iss.Add(CodeRequired, field, "%s is required; %s", field, fix)
	}
}

// requiredID is required for an id (or the current state) of an existing
// entity; the issue says which, so the caller can point at where to look
// it up.
func (c *checks) requiredID(need query.Need, field string, empty bool, fix string) {
	if empty {
		c.iss.AddNeeding(need, CodeRequired, field, "%s is required; %s", field, fix)
	}
}

func (c *checks) day(field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, _ := c.iss.Date(query.Dates, field, v)
	return t
}

func (c *checks) dayRange(fromField, from, toField, to string) {
	c.iss.DateOrder(CodeDate, fromField, toField, c.day(fromField, from), c.day(toField, to))
}

func (c *checks) maxLen(field, v string, n int) {
	if k := utf8.RuneCountInString(v); k > n {
		c.iss.Add(CodeLength, field, "%d characters, Mixpanel takes at most %d; shorten it", k, n)
	}
}

func (c *checks) httpsURL(field, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		c.iss.Add(CodeURL, field, "%q is not an absolute https URL; Mixpanel only calls https endpoints, e.g. https://example.com/hook", v)
	}
}

func (c *checks) add(code, field, format string, args ...any) {
	c.iss.Add(code, field, format, args...)
}

func (c *checks) err() error {
	if len(c.iss) == 0 {
		return nil
	}
	return &InputError{Issues: c.iss}
}

// InputError is a management input that failed its checks; nothing was
// sent.
type InputError struct{ Issues query.Issues }

func (e *InputError) Error() string {
	lines := make([]string, len(e.Issues))
	for i, is := range e.Issues {
		lines[i] = is.String()
	}
	return strings.Join(lines, "\n")
}

// arm is one variant of a flag or an experiment, for the split checks.
type arm struct {
	key     string
	split   float64
	control bool
}

// arms checks the variants at field: each has a unique key and a share
// between 0 and 1, and the shares add up to 1. It returns the keys and how
// many variants are the control, which flags and experiments rule on
// differently.
func (c *checks) arms(field string, arms []arm) (keys map[string]bool, controls int) {
	keys = map[string]bool{}
	sum := 0.0
	for i, a := range arms {
		p := fmt.Sprintf("%s[%d]", field, i)
		c.required(p+".key", a.key == "", "give the variant a key")
		if keys[a.key] {
			c.add(CodeConflict, p+".key", "variant key %q is used twice; keys must be unique", a.key)
		}
		keys[a.key] = true
		if a.split < 0 || a.split > 1 {
			c.add(CodeRange, p+".split", "%v is not a share; splits are between 0 and 1", a.split)
		}
		sum += a.split
		if a.control {
			controls++
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		c.add(CodeRange, field, "the splits add up to %.4g, not 1 (100%%); adjust them so they sum to 1", sum)
	}
	return keys, controls
}
