package mixpaneltest

import "testing"

func TestSelector(t *testing.T) {
	props := map[string]any{"plan": "pro", "n": 5.0, "tags": []any{"a", "b"}, "d": "2026-11-20T10:00:00", "t": true}
	tests := []struct {
		src  string
		want bool
	}{
		{``, true},
		{`properties["plan"] == "pro"`, true},
		{`properties["plan"] != "pro"`, false},
		{`(properties["plan"] == "free" or properties["plan"] == "pro") and properties["n"] >= 5`, true},
		{`"r" in properties["plan"]`, true},
		{`not "x" in properties["plan"]`, true},
		{`"b" in properties["tags"]`, true},
		{`defined(properties["plan"]) and not defined(properties["missing"])`, true},
		{`properties["n"] > 4 and properties["n"] < 6 and properties["n"] <= 5`, true},
		{`properties["t"] == true`, true},
		{`datetime(properties["d"]) >= datetime("2026-11-20T00:00:00") and datetime(properties["d"]) <= datetime("2026-11-20T23:59:59")`, true},
		{`datetime(properties["d"]) >= datetime(NOW - 604800000)`, true},
		{`number(properties["n"]) == 5`, true},
		{`properties["missing"] == "x"`, false},
		{`properties["missing"] != "x"`, true},
		{`properties["plan"] > "free" and properties["plan"] >= "pro" and properties["plan"] <= "pro"`, true},
		{`properties["plan"] < "free"`, false},
		{`properties["n"] != 5 or properties["n"] > 10 or properties["n"] < 5 or properties["n"] >= 6`, false},
		{`properties["n"] == "5"`, true},
		{`properties["plan"] in ["free", "pro"] and not properties["n"] in [1, 2]`, true},
		{`properties["plan"] in []`, false},
	}
	for _, tt := range tests {
		sel, err := ParseSelector(tt.src)
		if err != nil {
			t.Fatalf("%s: %v", tt.src, err)
		}
		if got := sel.Match(props); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.src, got, tt.want)
		}
		if got := sel.MatchFunc(func(k string) any { return props[k] }); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.src, got, tt.want)
		}
	}
	sel, _ := ParseSelector(`properties["a"] == "x" or (defined(user["b"]) and properties["a"] != "y")`)
	if names := sel.Names(); len(names) != 2 || names[0] != "a" || names[1] != "b" || !sel.ReadsUser() {
		t.Errorf("names %v (user %v), want [a b] with a user property", names, sel.ReadsUser())
	}
	if sel, _ := ParseSelector(`properties["a"] == "x"`); sel.ReadsUser() {
		t.Error("an event-property expression reads a user property")
	}
	for _, bad := range []string{`properties["x"`, `properties[x]`, `"unterminated`, `1 +`, `foo(1)`, `(a`, `properties["x"] ==`, `@`, `properties["a"] in ["b"`, `["a" "b"]`} {
		if _, err := ParseSelector(bad); err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
}

func FuzzParseSelector(f *testing.F) {
	for _, s := range []string{`properties["a"] == "b"`, `not defined(properties["x"]) or (1 + 2 - -3) > 0`, `"a" in properties["l"]`, `datetime(NOW - 5)`, `((`, `properties["a"] in ["b", 1]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sel, err := ParseSelector(src)
		if err != nil {
			return
		}
		sel.Match(map[string]any{"a": "b", "l": []any{"a"}, "x": 1.0})
	})
}
