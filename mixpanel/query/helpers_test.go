package query

import (
	"encoding/json"
	"reflect"
	"testing"
)

func equalJSON(a, b any) bool { return reflect.DeepEqual(a, b) }

func mustMarshal(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
