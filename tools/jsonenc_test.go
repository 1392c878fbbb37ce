package tools

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// requireSameAsMarshal checks appendJSON against encoding/json, the
// encoding it must reproduce byte for byte (or refuse as it does).
func requireSameAsMarshal(t *testing.T, v any) {
	t.Helper()
	want, wantErr := json.Marshal(v)
	got, err := appendJSON([]byte("prefix"), v)
	if wantErr != nil {
		require.Error(t, err, "encoding/json refused %#v (%v)", v, wantErr)
		return
	}
	require.NoError(t, err, "%#v", v)
	require.Equal(t, "prefix"+string(want), string(got), "%#v", v)
}

func TestAppendJSONMatchesMarshal(t *testing.T) {
	type other struct {
		A int `json:"a"`
	}
	for _, v := range []any{
		nil, true, false, "", "plain", `quote " backslash \ slash /`, "<b>&amp;</b>", "\x00\x01\b\f\n\r\t\x1f\x7f",
		"caf\u00e9 \u65e5\u672c \U0001F600", "bad \xff\xfe utf8 \xc3", "line\u2028para\u2029", 0, -7, int64(1) << 60,
		0.0, math.Copysign(0, -1), 1.5, -2.25, 1e20, 1e21, 1.2345678e-7, 1e-6, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), json.Number("12.50"), json.Number("not a number"),
		map[string]any(nil), map[string]any{}, []any(nil), []any{}, []string(nil), []string{"b", "<a>"},
		map[string]any{"b": 1, "a": []any{"x", 2.5, nil, map[string]any{"z": false, "<": ">"}}, "": []string{}},
		map[string]any{"nested": map[string]any{"bad": math.Inf(-1)}}, []any{other{A: 1}, &other{A: 2}, []int{1, 2}},
		map[string]any{"s": "\xed\xa0\x80", "u": uint8(3), "f32": float32(0.1)},
	} {
		requireSameAsMarshal(t, v)
	}
}

// TestAppendJSONBookmarkParams encodes the reference's own bookmark
// params (every case's expected output in mixpanel/query's cases.json)
// and params this server builds, which hold Go-typed values.
func TestAppendJSONBookmarkParams(t *testing.T) {
	data, err := os.ReadFile("../mixpanel/query/testdata/cases.json")
	require.NoError(t, err)
	var cases []struct {
		ID       string `json:"id"`
		Expected any    `json:"expected"`
	}
	require.NoError(t, json.Unmarshal(data, &cases))
	require.NotEmpty(t, cases)
	for _, c := range cases {
		requireSameAsMarshal(t, c.Expected)
	}
	for _, spec := range []string{
		`{"events": ["Sign Up"], "last": 30}`,
		`{"events": [{"event": "Purchase", "math": "average", "property": "amount"}, "Sign Up"], "formula": "A / B", "unit": "week", "from_date": "2026-01-01", "to_date": "2026-02-01"}`,
		`{"events": "Purchase", "math": "unique", "last": 90, "group_by": [{"property": "amount", "property_type": "number", "bucket_size": 10, "bucket_min": 0, "bucket_max": 100}], "where": [{"property": "country", "operator": "equals", "value": ["US", "<FR>"]}]}`,
	} {
		var q query.InsightsQuery
		require.NoError(t, json.Unmarshal([]byte(spec), &q), spec)
		params, err := q.Build(fixedNow)
		require.NoError(t, err, spec)
		requireSameAsMarshal(t, params)
	}
}

// FuzzAppendJSON decodes arbitrary JSON into generic values (numbers as
// float64 and as json.Number) and compares appendJSON with encoding/json,
// as well as on an arbitrary string and float.
func FuzzAppendJSON(f *testing.F) {
	f.Add(`{"a":[1,2.5e-7,"x<y",{"b":null,"c":true}],"":{}}`, "caf\u00e9 \xff \u2028", 1e21)
	f.Add(`[1e400]`, "\x00", -0.0)
	f.Fuzz(func(t *testing.T, doc, s string, x float64) {
		requireSameAsMarshal(t, s)
		requireSameAsMarshal(t, x)
		requireSameAsMarshal(t, map[string]any{s: []any{s, x}})
		var v any
		if json.Unmarshal([]byte(doc), &v) == nil {
			requireSameAsMarshal(t, v)
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			requireSameAsMarshal(t, v)
		}
	})
}

// TestInsightsOutputJSON: the output's MarshalJSON writes what encoding/json
// writes for the struct's own fields and tags, for a dry run, a result and
// params encoded ahead by the handler.
func TestInsightsOutputJSON(t *testing.T) {
	type plain InsightsOutput // the fields and tags, without MarshalJSON
	res, _ := bigInsightsResult(t)
	params := res.Params
	res.Params = nil
	for name, o := range map[string]InsightsOutput{
		"dry run":         {DryRun: true, Params: params},
		"dry run encoded": {DryRun: true, Params: params, encoded: paramsJSON(params)},
		"result":          {Params: params, Result: res, encoded: paramsJSON(params)},
		"no params":       {},
	} {
		requireEncodesAsFields(t, name, o, plain(o))
	}
	_, err := json.Marshal(InsightsOutput{Params: query.Params{"x": math.NaN()}})
	require.Error(t, err)
}

// TestCohortDefinitionOutputJSON: as TestInsightsOutputJSON, for the
// cohort definition.
func TestCohortDefinitionOutputJSON(t *testing.T) {
	type plain CohortDefinitionOutput
	def := map[string]any{"selector": map[string]any{"operator": "and", "children": []any{map[string]any{"property": "behaviors", "value": "bhvr_0"}}}, "behaviors": map[string]any{"bhvr_0": map[string]any{"count": 3, "window": "<30d>"}}}
	for name, o := range map[string]CohortDefinitionOutput{
		"plain":         {Definition: def, Behaviors: 1},
		"encoded ahead": {Definition: def, Behaviors: 1, encoded: paramsJSON(def)},
		"empty":         {},
	} {
		requireEncodesAsFields(t, name, o, plain(o))
	}
}

// requireEncodesAsFields: o, whose MarshalJSON writes its fields by hand,
// encodes as plain, the same fields and tags encoded by encoding/json.
func requireEncodesAsFields[T, P any](t *testing.T, name string, o T, plain P) {
	t.Helper()
	want, err := json.Marshal(plain)
	require.NoError(t, err, name)
	got, err := json.Marshal(o)
	require.NoError(t, err, name)
	require.Equal(t, string(want), string(got), name)
}
