package mixpanel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

func TestSubpropertiesFromCart(t *testing.T) {
	srv := mixpaneltest.New(t)
	subs, warnings, err := srv.Client(t).Subproperties(context.Background(), "cart", "Purchase", 0)
	require.NoError(t, err)
	assert.Equal(t, url.Values{"name": {"cart"}, "event": {"Purchase"}, "limit": {"50"}, "project_id": {"12345"}}, srv.LastRequest(t, valuesPath).Query)

	byName := map[string]mixpanel.SubPropertyInfo{}
	var names []string
	for _, s := range subs {
		byName[s.Name] = s
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"Added At", "Brand", "Category", "Item ID", "On Sale", "Price", "Size"}, names, "sorted; the null-only key is left out")
	assert.Equal(t, "datetime", byName["Added At"].Type, "date and date-time strings")
	assert.Equal(t, "string", byName["Brand"].Type)
	assert.Equal(t, []any{"Stride", "Nimbus", "Lotus"}, byName["Brand"].SampleValues)
	assert.Equal(t, "boolean", byName["On Sale"].Type)
	assert.Equal(t, []any{false, true}, byName["On Sale"].SampleValues)
	assert.Equal(t, "number", byName["Price"].Type)
	assert.Equal(t, []any{json.Number("89.99"), json.Number("129"), json.Number("24.5"), json.Number("45")}, byName["Price"].SampleValues)
	assert.Equal(t, "string", byName["Size"].Type, "mixed string and number collapse to string")
	require.Len(t, warnings, 2)
	assert.Contains(t, warnings[0], `"Gift Note" was null in every sampled row`)
	assert.Contains(t, warnings[1], `"Size" has mixed value types`)
}

func TestInferSubproperties(t *testing.T) {
	tests := []struct {
		name         string
		raw          []string
		want         []mixpanel.SubPropertyInfo
		wantWarnings int
	}{
		{"nothing parseable", []string{"plain text", "42", `"str"`, `[1,2]`, `{"a":1} trailing`}, nil, 0},
		{"object rows and list rows", []string{`{"k":"a"}`, `[{"k":"b"},{"k":"a"}, 7]`},
			[]mixpanel.SubPropertyInfo{{Name: "k", Type: "string", SampleValues: []any{"a", "b"}}}, 0},
		{"bool and number mix is string", []string{`{"f":true}`, `{"f":1}`},
			[]mixpanel.SubPropertyInfo{{Name: "f", Type: "string", SampleValues: []any{true, json.Number("1")}}}, 1},
		{"number and string mix is string", []string{`{"id":"sku-1"}`, `{"id":1002}`},
			[]mixpanel.SubPropertyInfo{{Name: "id", Type: "string", SampleValues: []any{"sku-1", json.Number("1002")}}}, 1},
		{"impossible calendar date is a string", []string{`{"d":"2025-01-01"}`, `{"d":"2025-13-99"}`},
			[]mixpanel.SubPropertyInfo{{Name: "d", Type: "string", SampleValues: []any{"2025-01-01", "2025-13-99"}}}, 0},
		{"scalar and nested: scalar reported, with a warning", []string{`{"x":{"y":1}}`, `{"x":"flat"}`},
			[]mixpanel.SubPropertyInfo{{Name: "x", Type: "string", SampleValues: []any{"flat"}}}, 1},
		{"only nested is skipped quietly", []string{`{"x":[1,2]}`}, nil, 0},
		{"null is missing data, not a type", []string{`{"n":null}`, `{"n":3}`},
			[]mixpanel.SubPropertyInfo{{Name: "n", Type: "number", SampleValues: []any{json.Number("3")}}}, 0},
		{"samples are distinct and capped at five; 5 and 5.0 are one", []string{`[{"p":5},{"p":5.0},{"p":1},{"p":2},{"p":3},{"p":4},{"p":6}]`},
			[]mixpanel.SubPropertyInfo{{Name: "p", Type: "number", SampleValues: []any{json.Number("5"), json.Number("1"), json.Number("2"), json.Number("3"), json.Number("4")}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings := mixpanel.InferSubproperties(tt.raw)
			assert.Equal(t, tt.want, got)
			assert.Len(t, warnings, tt.wantWarnings, "warnings: %v", warnings)
		})
	}
}

func BenchmarkInferSubproperties(b *testing.B) {
	raw := make([]string, mixpanel.DefaultSubpropertySample)
	for i := range raw {
		raw[i] = fmt.Sprintf(`[{"Brand":"B%d","Category":"C%d","Price":%d.5,"Item ID":"sku-%d","On Sale":%t,"Added At":"2026-11-%02dT10:00:00Z"},{"Brand":"B","Price":3}]`, i%7, i%4, i, i, i%2 == 0, i%28+1)
	}
	b.ReportAllocs()
	for b.Loop() {
		if subs, _ := mixpanel.InferSubproperties(raw); len(subs) != 6 {
			b.Fatalf("got %d subproperties", len(subs))
		}
	}
}
