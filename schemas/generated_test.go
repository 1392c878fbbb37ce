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
