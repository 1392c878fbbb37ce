package schemas

import "testing"

func TestValueEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{`{"a":"}\"{","b":[1,{"c":"]"}]},"outputSchema":{}}`, len(`{"a":"}\"{","b":[1,{"c":"]"}]}`)},
		{`"x\\",1`, len(`"x\\"`)},
		{`[[],[{}]]}`, len(`[[],[{}]]`)},
		{`true,"x"`, len(`true`)},
		{`null}`, len(`null`)},
		{`{"a":1`, -1},
		{`"open`, -1},
	} {
		if got := valueEnd([]byte(c.in)); got != c.want {
			t.Errorf("valueEnd(%s) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestLine(t *testing.T) {
	data := []byte("{\n\"a\":{\"x\":1},\n\"b_c\":2,\n\"d\":[3],\n\"e\":4\n}\n")
	for name, want := range map[string]string{"a": `{"x":1}`, "b_c": "2", "d": "[3]", "e": "4"} {
		got, ok := line(data, name)
		if !ok || string(got) != want {
			t.Errorf("line(%q) = %s, %v; want %s", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "0", "b", "c", "z", "{", "}"} {
		if got, ok := line(data, name); ok {
			t.Errorf("line(%q) found %s", name, got)
		}
	}
	if _, ok := line(generatedJSON, "no_such_tool"); ok {
		t.Error("no_such_tool found in the generated file")
	}
}
