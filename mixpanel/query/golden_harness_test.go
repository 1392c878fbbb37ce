package query

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

// The harness below runs the cases of testdata/cases.json for one engine.
// Each engine supplies a goldenBuild that decodes the converted JSON input
// (see spec_convert_test.go) and builds its params.

type bookmarkCase struct {
	ID            string          `json:"id"`
	Kind          string          `json:"kind"`
	Description   string          `json:"description"`
	Spec          json.RawMessage `json:"spec"`
	Today         string          `json:"today"`
	Expected      json.RawMessage `json:"expected"`
	ExpectedError *struct {
		Type  string   `json:"type"`
		Stage string   `json:"stage"`
		Rule  string   `json:"rule"`
		Codes []string `json:"codes"`
	} `json:"expected_error"`
}

// goldenBuild decodes one JSON input and builds its params.
type goldenBuild func(input []byte, today time.Time) (any, error)

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

// runBookmarkCases checks every case of kind: valid ones must give the
// expected params (compared as JSON), invalid ones a *ValidationError whose
// first rule, and whole code list when the reference gave one, match.
func runBookmarkCases(t *testing.T, kind, firstArg string, wantCases int, build goldenBuild) {
	cases := loadCases(t, kind)
	if len(cases) != wantCases {
		t.Fatalf("want %d %s cases, got %d", wantCases, kind, len(cases))
	}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			spec, err := parseOrdered(c.Spec)
			if err != nil {
				t.Fatal(err)
			}
			input, err := callToInput(spec, firstArg)
			if err != nil {
				t.Fatalf("convert spec: %v", err)
			}
			params, err := build(input, caseToday(c))
			if c.ExpectedError != nil {
				if err == nil {
					t.Fatalf("%s: want error rule %q, got params\ninput: %s", c.Description, c.ExpectedError.Rule, input)
				}
				var ve *ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("want *ValidationError, got %T: %v", err, err)
				}
				if c.ExpectedError.Rule != "" && ve.Issues[0].Rule() != c.ExpectedError.Rule {
					t.Fatalf("want first rule %q, got %v", c.ExpectedError.Rule, ve)
				}
				if c.ExpectedError.Codes != nil && !reflect.DeepEqual(ve.Codes(), c.ExpectedError.Codes) {
					t.Fatalf("want codes %v, got %v", c.ExpectedError.Codes, ve.Codes())
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
		})
	}
}
