package query

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// One runner checks the bookmark params of every engine against the
// reference's own cases (testdata/cases.json) and, for the engines that
// have them, this repository's extra specs (testdata/engines/<kind>.json).
// No expected value there is written by this code: an extra case expects an
// error rule, or its params are derived from a reference case's output by
// hand-written edits (see testdata/engines/README.md).

// bookmarkCase is one case of cases.json or of an extra file. Source says
// where an extra case's expected behaviour comes from; Derived, for an
// extra case that builds params, how its expected params follow from the
// reference's output.
type bookmarkCase struct {
	ID            string          `json:"id"`
	Kind          string          `json:"kind"`
	Description   string          `json:"description"`
	Source        string          `json:"source,omitempty"`
	Spec          json.RawMessage `json:"spec"`
	Today         string          `json:"today,omitempty"`
	Derived       *derivation     `json:"derived,omitempty"`
	Expected      json.RawMessage `json:"expected,omitempty"`
	ExpectedError *struct {
		Rule  string   `json:"rule"`
		Codes []string `json:"codes,omitempty"`
	} `json:"expected_error,omitempty"`
}

// engine ties a kind of case to its query type.
type engine struct {
	kind string
	// positional names the builder's leading positional arguments.
	positional []string
	build      func(input []byte, today time.Time) (Params, error)
	// shared is the exact number of cases.json cases of the kind.
	shared int
	// total is the least number of shared plus extra cases; 0 means the
	// kind has no extra file.
	total int
}

func buildAs[Q interface {
	Build(time.Time) (Params, error)
}](q Q) func([]byte, time.Time) (Params, error) {
	return func(input []byte, today time.Time) (Params, error) {
		fresh := reflect.New(reflect.TypeOf(q).Elem()).Interface().(Q)
		if err := decodeStrict(input, fresh); err != nil {
			return nil, err
		}
		return fresh.Build(today)
	}
}

var engines = map[string]engine{
	"insights":  {"insights", []string{"events"}, buildAs(&InsightsQuery{}), 72, 0},
	"funnels":   {"funnels", []string{"steps"}, buildAs(&FunnelQuery{}), 33, 40},
	"retention": {"retention", []string{"born_event", "return_event"}, buildAs(&RetentionQuery{}), 23, 30},
	"flows":     {"flows", []string{"event"}, buildAs(&FlowQuery{}), 28, 30},
}

func loadCases(t testing.TB, kind string) []bookmarkCase {
	t.Helper()
	data, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []bookmarkCase
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	var out []bookmarkCase
	for _, c := range all {
		if c.Kind == kind {
			out = append(out, c)
		}
	}
	return out
}

// loadExtraCases reads testdata/engines/<kind>.json.
func loadExtraCases(t *testing.T, kind string) []bookmarkCase {
	t.Helper()
	path := filepath.Join("testdata", "engines", kind+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []bookmarkCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cases
}

// caseToday is the frozen clock of a case, or a fixed date that no case's
// expected params depend on.
func caseToday(c bookmarkCase) time.Time {
	if c.Today != "" {
		d, _ := time.Parse("2006-01-02", c.Today)
		return d
	}
	return time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)
}

// normalizeJSON re-decodes a value so numbers compare by value.
func normalizeJSON(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// runGolden checks every case of kind: the shared ones, then the extra
// ones, whose expected params are derived from the reference's output.
func runGolden(t *testing.T, kind string) {
	e := engines[kind]
	shared := loadCases(t, kind)
	if len(shared) != e.shared {
		t.Fatalf("want %d shared %s cases, got %d", e.shared, kind, len(shared))
	}
	for _, c := range shared {
		t.Run(c.ID, func(t *testing.T) { checkCase(t, e, c) })
	}
	if e.total == 0 {
		return
	}
	extra := loadExtraCases(t, kind)
	reference := referenceOutputs(t)
	for _, c := range extra {
		if c.Source == "" || !strings.HasPrefix(c.ID, "x-"+kind+"-") {
			t.Errorf("extra case %q needs an id x-%s-NNN and a source note", c.ID, kind)
		}
		if (c.Derived == nil) == (c.ExpectedError == nil) || c.Expected != nil {
			t.Errorf("extra case %s needs either expected_error or derived (and no literal expected)", c.ID)
			continue
		}
		if c.Derived != nil {
			want, err := c.Derived.apply(reference)
			if err != nil {
				t.Errorf("%s: derived: %v", c.ID, err)
				continue
			}
			c.Expected = want
		}
		t.Run(c.ID, func(t *testing.T) { checkCase(t, e, c) })
	}
	if total := len(shared) + len(extra); total < e.total {
		t.Errorf("%s has %d specs, want at least %d", kind, total, e.total)
	}
}

// buildCase converts a case's call spec to the tool's JSON input and builds
// its params.
func buildCase(t *testing.T, e engine, c bookmarkCase) (Params, []byte, error) {
	t.Helper()
	spec, err := parseOrdered(c.Spec)
	if err != nil {
		t.Fatal(err)
	}
	input, err := callToInput(spec, e.positional...)
	if err != nil {
		t.Fatalf("convert spec: %v", err)
	}
	params, err := e.build(input, caseToday(c))
	return params, input, err
}

// checkCase wants a valid case's params to equal its expected params (as
// JSON), and an invalid case to fail with a *ValidationError whose issues
// all have a message and whose first rule, and whole code list when the
// case gives one, match. A case without a rule (the reference raised a
// plain Python error) must still fail validation, never decoding.
func checkCase(t *testing.T, e engine, c bookmarkCase) {
	t.Helper()
	params, input, err := buildCase(t, e, c)
	if c.ExpectedError != nil {
		if err == nil {
			t.Fatalf("%s: want error rule %q, got params\ninput: %s", c.Description, c.ExpectedError.Rule, input)
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("want *ValidationError, got %T: %v", err, err)
		}
		if c.ExpectedError.Rule != "" && ve.Issues[0].Rule() != c.ExpectedError.Rule {
			t.Fatalf("want first rule %q, got %v\ninput: %s", c.ExpectedError.Rule, ve, input)
		}
		if c.ExpectedError.Codes != nil && !reflect.DeepEqual(ve.Codes(), c.ExpectedError.Codes) {
			t.Fatalf("want codes %v, got %v", c.ExpectedError.Codes, ve.Codes())
		}
		for _, is := range ve.Issues {
			if is.Message == "" {
				t.Fatalf("issue %s has no message", is.Code)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v\ninput: %s", c.Description, err, input)
	}
	var want any
	if err := json.Unmarshal(c.Expected, &want); err != nil {
		t.Fatal(err)
	}
	if got := normalizeJSON(t, params); !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		t.Fatalf("%s\ninput: %s\ngot:  %s\nwant: %s", c.Description, input, gb, c.Expected)
	}
}
