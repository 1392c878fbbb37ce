//go:build schemagen

package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// coerceIn exercises every coercion on plain fields and inside nested
// objects and lists.
type coerceIn struct {
	N      int               `json:"n,omitempty"`
	F      float64           `json:"f,omitempty"`
	B      bool              `json:"b,omitempty"`
	S      string            `json:"s,omitempty"`
	Names  []string          `json:"names,omitempty"`
	Nested []coerceItem      `json:"nested,omitempty"`
	Obj    *coerceItem       `json:"obj,omitempty"`
	Either StringList        `json:"either,omitempty"`
	Any    json.RawMessage   `json:"any,omitempty"`
	Long   string            `json:"long,omitempty" jsonschema:"maxLength=100000"`
	Map    map[string]int    `json:"map,omitempty"`
	Events query.EventList   `json:"events,omitempty"`
	Cohort *query.CohortRef  `json:"cohort,omitempty"`
	Wheres query.WhereList   `json:"where,omitempty"`
	Extra  map[string]string `json:"extra,omitempty"`
}

type coerceItem struct {
	ID    int64    `json:"id"`
	On    bool     `json:"on,omitempty"`
	Items []string `json:"items,omitempty"`
}

func coerce(t *testing.T, args string) (string, error) {
	t.Helper()
	out, err := newArgPipeline(reflectedInput[coerceIn]).coerceParsed(json.RawMessage(args), nil)
	return string(out), err
}

func TestArgCoercions(t *testing.T) {
	tests := []struct {
		name, args, want string
	}{
		{"integer as string", `{"n":"5"}`, `{"n":5}`},
		{"negative integer as string", `{"n":"-3"}`, `{"n":-3}`},
		{"integral float for an integer", `{"n":5.0}`, `{"n":5}`},
		{"exponent for an integer", `{"n":5e2}`, `{"n":500}`},
		{"integral float string for an integer", `{"n":"5.0"}`, `{"n":5}`},
		{"number as string", `{"f":"2.5"}`, `{"f":2.5}`},
		{"boolean as string", `{"b":"true"}`, `{"b":true}`},
		{"boolean as capitalised string", `{"b":"False"}`, `{"b":false}`},
		{"number for a string", `{"s":12345}`, `{"s":"12345"}`},
		{"single item for a list", `{"names":"A"}`, `{"names":["A"]}`},
		{"JSON-encoded list", `{"names":"[\"A\",\"B\"]"}`, `{"names":["A","B"]}`},
		{"JSON-encoded list with blanks", `{"names":" [\"A\"] "}`, `{"names":["A"]}`},
		{"JSON-encoded object", `{"obj":"{\"id\":\"7\"}"}`, `{"obj":{"id":7}}`},
		{"nested: list items and their fields", `{"nested":{"id":"1","on":"true","items":"x"}}`, `{"nested":[{"id":1,"items":["x"],"on":true}]}`},
		{"JSON list where a string is also allowed", `{"either":"[\"A\",\"B\"]"}`, `{"either":["A","B"]}`},
		{"union of string and objects: JSON-encoded list", `{"events":"[\"Sign Up\",\"Purchase\"]"}`, `{"events":["Sign Up","Purchase"]}`},
		{"int or definition: integer string", `{"cohort":"12"}`, `{"cohort":12}`},
		{"map values", `{"map":{"a":"1"}}`, `{"map":{"a":1}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := coerce(t, tt.args)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, got)
			var in coerceIn
			require.NoError(t, newArgPipeline(reflectedInput[coerceIn]).decode(json.RawMessage(tt.args), &in), "the coerced arguments decode")
		})
	}
}

func TestArgsUntouchedWhenValid(t *testing.T) {
	for _, args := range []string{
		`{"n":5,"s":"[not json","either":"A","names":["[x"]}`,
		`{"any":"[\"kept as text\"]"}`,
		`{"any":{"n":"5"}}`,
		`{"s":"{\"a\":1}"}`,
		`{"f":5.5}`,
	} {
		got, err := coerce(t, args)
		require.NoError(t, err, args)
		assert.Equal(t, args, got, "valid arguments pass through byte for byte")
	}
}

func TestArgAmbiguitiesAreErrors(t *testing.T) {
	tests := []struct {
		name, args, want string
	}{
		{"fraction for an integer", `{"n":5.5}`, `n: A1: expected an integer, got 5.5`},
		{"fractional string for an integer", `{"n":"5.5"}`, `n: A1: expected an integer, got the string "5.5"`},
		{"word for an integer", `{"n":"five"}`, `n: A1: expected an integer`},
		{"padded integer", `{"n":" 5"}`, `n: A1: expected an integer`},
		{"yes for a boolean", `{"b":"yes"}`, `b: A1: expected true or false, got the string "yes"`},
		{"not a number", `{"f":"NaN"}`, `f: A1: expected a number`},
		{"broken JSON list", `{"names":"[\"A\","}`, `names: A4: the string "[\"A\"," looks like a JSON list but does not parse`},
		{"broken JSON list where a string is allowed", `{"either":"[A, B]"}`, `either: A4: `},
		{"broken JSON in a union", `{"events":"[\"Sign Up\""}`, `events: A4: `},
		{"nested ambiguity keeps the path", `{"nested":[{"id":1},{"id":"x"}]}`, `nested[1].id: A1: expected an integer`},
		{"nested unknown field", `{"obj":{"id":1,"bogus":2}}`, `obj.bogus: A2: unknown field "bogus"; valid fields here: id, items, on`},
		{"unknown argument", `{"nope":1}`, `nope: A2: unknown argument; valid arguments: any, b, cohort,`},
		{"every problem at once", `{"n":"x","b":"y"}`, "2 problems with the arguments:\n- b: A1: "},
		{"not an object", `"x"`, `arguments: A4: expected a JSON object, got a string`},
		{"not JSON", `{"n":`, `arguments: A4: not valid JSON`},
		{"trailing data", `{} {}`, `arguments: A4: not valid JSON`},
		{"number beyond float64 for a number", `{"f":1e400}`, `f: MG6: 1e400 is beyond the range of a number`},
		{"number beyond float64 for a boolean", `{"b":1e1000}`, `b: MG6: 1e1000 is beyond the range of a number`},
		{"number beyond float64 in a free-form value", `{"any":[1,-1e999]}`, `any[1]: MG6: -1e999 is beyond`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := coerce(t, tt.args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestArgCaps(t *testing.T) {
	big := strings.Repeat("x", MaxStringBytes+1)
	tests := []struct {
		name, args, want string
	}{
		{"a 10 MB event name", `{"names":["` + strings.Repeat("e", 10<<20) + `"]}`, `arguments: A3: 10485774 bytes exceed the 1048576-byte (1 MiB) limit`},
		{"one long string", `{"s":"` + big + `"}`, `s: A3: a string of 65537 bytes exceeds the 65536-byte limit`},
		{"inside a list", `{"names":["a","` + big + `"]}`, `names[1]: A3: `},
		{"inside an untyped value", `{"any":{"k":["` + big + `"]}}`, `any.k[0]: A3: `},
		{"an object key", `{"extra":{"` + big + `":"v"}}`, `extra: A3: an object key of 65537 bytes`},
		{"past a declared maxLength's bytes", `{"long":"` + strings.Repeat("x", 400001) + `"}`, `long: A3: a string of 400001 bytes exceeds the 400000-byte limit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := coerce(t, tt.args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Less(t, len(err.Error()), 400, "the error never echoes the value whole")
		})
	}
	_, err := coerce(t, `{"long":"`+strings.Repeat("é", 100000)+`"}`)
	assert.NoError(t, err, "a declared maxLength of characters allows 4 bytes each")
}

// TestInspectorListArgumentReachesMixpanelAsAList is the case generic
// clients hit: a list sent as a JSON string became one event literally
// named ["Sign Up"].
func TestInspectorListArgumentReachesMixpanelAsAList(t *testing.T) {
	srv := mixpaneltest.New(t)
	res := callTool(t, testEnv(t, srv), "query_insights", `{"events":"[\"Sign Up\"]","dry_run":"true","last":"7"}`)
	text := resultText(t, res)
	require.False(t, res.IsError, text)
	assert.Contains(t, text, `"Sign Up"`)
	assert.NotContains(t, text, `[\"Sign Up\"]`)
	assert.Empty(t, srv.Requests(), "dry_run sends nothing")
}

// TestHugeEventNameRefusedBeforeAnyRequest: a 10 MB event name is refused
// with the limit named, and nothing reaches Mixpanel.
func TestHugeEventNameRefusedBeforeAnyRequest(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := testEnv(t, srv)
	for _, args := range []string{
		`{"events":"` + strings.Repeat("e", 10<<20) + `"}`,
		`{"events":"` + strings.Repeat("e", 100<<10) + `"}`,
	} {
		text := mustFail(t, callTool(t, env, "query_insights", args))
		assert.Contains(t, text, "A3")
		assert.Contains(t, text, "limit")
		assert.Less(t, len(text), 400)
	}
	assert.Empty(t, srv.Requests())
}

// FuzzCoerceArgs feeds arbitrary arguments to the pipeline of a schema
// with every kind of field and of the query_insights tool: it never
// panics, what it accepts is a JSON object, and coercing its own output
// again changes nothing.
func FuzzCoerceArgs(f *testing.F) {
	for _, seed := range []string{
		`{"n":"5","b":"true","names":"A"}`, `{"names":"[\"A\",\"B\"]"}`, `{"nested":{"id":"1"}}`,
		`{"n":5.5}`, `{"obj":"{\"id\":1}"}`, `{"events":"[\"Sign Up\"]"}`, `{"cohort":"7"}`,
		`{"where":{"property":"p","operator":"equals","value":"[x]"}}`, `{"any":[1,"2",{"3":null}]}`,
		`{"events":[{"event":"A","math":"sum","property":"p"}],"last":"30"}`, `{"group_by":"[\"$browser\"]"}`,
		`null`, `[]`, `{"n":1e400}`, `{"s":"\u0000"}`, "\x00", `{"either":"["}`,
	} {
		f.Add(seed)
	}
	pipes := []*argPipeline{newArgPipeline(reflectedInput[coerceIn]), newArgPipeline(func() (json.RawMessage, error) {
		in, _, err := Lookup("query_insights").Schemas()
		return in, err
	})}
	f.Fuzz(func(t *testing.T, args string) {
		for _, p := range pipes {
			require.NoError(t, p.load())
			out, err := p.coerceParsed(json.RawMessage(args), nil)
			if err != nil {
				if _, ok := err.(*ArgsError); !ok {
					t.Fatalf("error of type %T: %v", err, err)
				}
				continue
			}
			var obj map[string]any
			if json.Unmarshal(out, &obj) != nil || obj == nil {
				t.Fatalf("accepted %q as %q, not a JSON object", args, out)
			}
			again, err := p.coerceParsed(out, nil)
			if err != nil || string(again) != string(out) {
				t.Fatalf("coercing %q again gave %q, %v", out, again, err)
			}
		}
	})
}

// TestEveryToolRefusesMistypedArguments calls each registered tool with an
// argument of the wrong kind: the result is an error in the one style,
// never a panic and never a request.
func TestEveryToolRefusesMistypedArguments(t *testing.T) {
	srv := mixpaneltest.New(t)
	env := NewEnv(srv.Client(t), nil, zerolog.Nop())
	for _, tool := range All() {
		res := tool.Call(context.Background(), env, json.RawMessage(`{"no_such_argument_anywhere":{"x":1}}`))
		text := resultText(t, res)
		require.True(t, res.IsError, "%s: %s", tool.Name, text)
		assert.Contains(t, text, "no_such_argument_anywhere: A2: unknown argument; valid arguments: ", tool.Name)
	}
	assert.Empty(t, srv.Requests())
}

func TestPlainNumbers(t *testing.T) {
	tests := []struct {
		json string
		want bool
	}{
		{`{}`, true},
		{`{"n":5,"m":-3,"l":[0,123456789012345],"b":true,"f":false,"z":null}`, true},
		{`{"s":"1.5e3 and 1234567890123456","t":"\"5.0\\"}`, true},
		{`{"n":5.0}`, false},
		{`{"n":5e2}`, false},
		{`{"n":-1E2}`, false},
		{`{"n":1234567890123456}`, false},
		{`{"true":true,"e":[1,true,false]}`, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, plainNumbers([]byte(tt.json)), tt.json)
	}
}

// FuzzParsedArgs checks the pipeline given mcp-go's decoding of the
// arguments besides their text against the pipeline given the text alone:
// the same arguments to decode or the same error, and the decoding is left
// as it was.
func FuzzParsedArgs(f *testing.F) {
	for _, seed := range []string{
		`{"n":"5","b":"true","names":"A"}`, `{"n":5,"f":2,"s":"x","names":["a"],"nested":[{"id":1,"on":true}]}`,
		`{"n":5.0}`, `{"n":5e2}`, `{"s":12345}`, `{"s":12345.0}`, `{"nested":{"id":1}}`, `{"obj":{"id":9007199254740993}}`,
		`{"any":[1,"2",{"3":null}],"map":{"a":1}}`, `{"events":["Sign Up"],"last":30,"dry_run":true}`,
		`{"events":[{"event":"A","math":"sum","property":"p"}],"last":"30"}`, `{"nope":1}`, `{"n":1,"n":"x"}`,
		` {"n" : 5} `, `null`, `[]`, `{"s":"\u0000"}`,
	} {
		f.Add(seed)
	}
	pipes := []*argPipeline{newArgPipeline(reflectedInput[coerceIn]), newArgPipeline(func() (json.RawMessage, error) {
		in, _, err := Lookup("query_insights").Schemas()
		return in, err
	})}
	f.Fuzz(func(t *testing.T, args string) {
		var parsed, before any
		if json.Unmarshal([]byte(args), &parsed) != nil { // mcp-go refuses the request
			return
		}
		require.NoError(t, json.Unmarshal([]byte(args), &before))
		for _, p := range pipes {
			want, wantErr := p.coerceParsed(json.RawMessage(args), nil)
			got, err := p.coerceParsed(json.RawMessage(args), parsed)
			assert.Equal(t, string(want), string(got), args)
			assert.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(err), args)
			assert.Equal(t, before, parsed, "the decoding is left as it was")
		}
	})
}
