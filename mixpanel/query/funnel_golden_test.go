package query

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The funnel, retention and flow golden tests run every case of the shared
// cases.json (the reference's own output) plus this repository's extra
// specs in testdata/engines/*.json, whose expected params are golden files
// regenerated only with -update-engines.

var updateEngines = flag.Bool("update-engines", false, "rewrite the golden params of testdata/engines")

func init() {
	specConverters["FunnelStep"] = firstArgAs("event", "label", "filters", "filters_combinator", "order")
	specConverters["Exclusion"] = firstArgAs("event", "from_step", "to_step")
	specConverters["HoldingConstant"] = firstArgAs("property", "resource_type")
	specConverters["RetentionEvent"] = firstArgAs("event", "filters", "filters_combinator")
	specConverters["FlowStep"] = firstArgAs("event", "forward", "reverse", "label", "filters", "filters_combinator", "session_event")
}

// engine describes how one builder's call spec maps to its query type.
type engine struct {
	kind       string
	positional []string
	build      func(input []byte, today time.Time) (Params, error)
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
	"funnels":   {"funnels", []string{"steps"}, buildAs(&FunnelQuery{})},
	"retention": {"retention", []string{"born_event", "return_event"}, buildAs(&RetentionQuery{})},
	"flows":     {"flows", []string{"event"}, buildAs(&FlowQuery{})},
}

// callToInputNamed converts a builder call spec whose leading positional
// arguments are named by names (retention takes two).
func callToInputNamed(spec *oval, names ...string) ([]byte, error) {
	convErr = nil
	o := newOut()
	for i, n := range names {
		if a := spec.arg(i); a != nil {
			o.set(n, convValue(a))
		}
	}
	if _, err := addKwargs(o, spec); err != nil {
		return nil, err
	}
	if convErr != nil {
		return nil, convErr
	}
	return json.Marshal(o)
}

// engineCase is one extra golden case: cases.json's shape plus a note of
// where its expected behaviour comes from.
type engineCase struct {
	ID            string          `json:"id"`
	Kind          string          `json:"kind"`
	Description   string          `json:"description"`
	Source        string          `json:"source"`
	Spec          json.RawMessage `json:"spec"`
	Today         string          `json:"today,omitempty"`
	Expected      json.RawMessage `json:"expected,omitempty"`
	ExpectedError *struct {
		Rule  string   `json:"rule"`
		Codes []string `json:"codes,omitempty"`
	} `json:"expected_error,omitempty"`
}

func fromShared(c bookmarkCase) engineCase {
	e := engineCase{ID: c.ID, Kind: c.Kind, Description: c.Description, Spec: c.Spec, Today: c.Today, Expected: c.Expected}
	if c.ExpectedError != nil {
		e.ExpectedError = &struct {
			Rule  string   `json:"rule"`
			Codes []string `json:"codes,omitempty"`
		}{c.ExpectedError.Rule, c.ExpectedError.Codes}
	}
	return e
}

func runEngineCase(t *testing.T, e engine, c engineCase) (Params, error, []byte) {
	t.Helper()
	spec, err := parseOrdered(c.Spec)
	if err != nil {
		t.Fatal(err)
	}
	input, err := callToInputNamed(spec, e.positional...)
	if err != nil {
		t.Fatalf("convert spec: %v", err)
	}
	params, err := e.build(input, caseToday(bookmarkCase{Today: c.Today}))
	return params, err, input
}

func checkEngineCase(t *testing.T, e engine, c engineCase) {
	t.Helper()
	params, err, input := runEngineCase(t, e, c)
	if c.ExpectedError != nil {
		if err == nil {
			t.Fatalf("%s: want error rule %q, got params\ninput: %s", c.Description, c.ExpectedError.Rule, input)
		}
		var ve *ValidationError
		if !asValidationError(err, &ve) {
			if c.ExpectedError.Rule != "" {
				t.Fatalf("want a rule %q, got a plain error %v", c.ExpectedError.Rule, err)
			}
			return
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
	got := normalizeJSON(t, params)
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		t.Fatalf("%s\ninput: %s\ngot:  %s\nwant: %s", c.Description, input, gb, c.Expected)
	}
}

func asValidationError(err error, out **ValidationError) bool {
	ve, ok := err.(*ValidationError)
	*out = ve
	return ok
}

// loadExtraCases reads testdata/engines/<kind>.json.
func loadExtraCases(t *testing.T, kind string) ([]engineCase, string) {
	t.Helper()
	path := filepath.Join("testdata", "engines", kind+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []engineCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cases, path
}

func testEngineGolden(t *testing.T, kind string, wantShared, wantTotal int) {
	e := engines[kind]
	shared := loadCases(t, kind)
	if len(shared) != wantShared {
		t.Fatalf("want %d shared %s cases, got %d", wantShared, kind, len(shared))
	}
	for _, c := range shared {
		t.Run(c.ID, func(t *testing.T) { checkEngineCase(t, e, fromShared(c)) })
	}
	extra, path := loadExtraCases(t, kind)
	if *updateEngines {
		for i := range extra {
			if extra[i].ExpectedError != nil {
				continue
			}
			params, err, input := runEngineCase(t, e, extra[i])
			if err != nil {
				t.Fatalf("%s: %v\ninput: %s", extra[i].ID, err, input)
			}
			raw, _ := json.Marshal(params)
			extra[i].Expected = raw
		}
		data, err := json.MarshalIndent(extra, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range extra {
		if c.Source == "" || !strings.HasPrefix(c.ID, "x-"+kind+"-") {
			t.Errorf("extra case %q needs an id x-%s-NNN and a source note", c.ID, kind)
		}
		t.Run(c.ID, func(t *testing.T) { checkEngineCase(t, e, c) })
	}
	if total := len(shared) + len(extra); total < wantTotal {
		t.Errorf("%s has %d specs, want at least %d", kind, total, wantTotal)
	}
}

func TestFunnelBookmarkParamsGolden(t *testing.T)    { testEngineGolden(t, "funnels", 33, 40) }
func TestRetentionBookmarkParamsGolden(t *testing.T) { testEngineGolden(t, "retention", 23, 30) }
func TestFlowBookmarkParamsGolden(t *testing.T)      { testEngineGolden(t, "flows", 28, 30) }
