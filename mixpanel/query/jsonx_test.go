package query

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNumberErrorNeverCutsACharacter: the error for a value that is not a
// number quotes at most 40 bytes of it, cut on a character boundary.
// Before, the cut fell inside a multi-byte character and the error was
// not valid UTF-8.
func TestNumberErrorNeverCutsACharacter(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string // the error starts with it
	}{
		{"object with two-byte characters", `{"k":"a` + strings.Repeat("é", 40) + `"}`, `{"k":"a` + strings.Repeat("é", 16) + `...`},
		{"list with three-byte characters", `["` + strings.Repeat("€", 40) + `"]`, `["` + strings.Repeat("€", 12) + `...`},
		{"string with four-byte characters", `"` + strings.Repeat("😀", 40) + `"`, `"` + strings.Repeat("😀", 10) + `..."`},
		{"short value quoted whole", `"abc"`, `"abc" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n Number
			err := json.Unmarshal([]byte(tt.raw), &n)
			require.Error(t, err)
			assert.True(t, utf8.ValidString(err.Error()), "%q", err.Error())
			assert.True(t, strings.HasPrefix(err.Error(), tt.want), "%q", err.Error())
		})
	}
}

// FuzzIsJSONNumber checks the hand-written number grammar against
// encoding/json: s is a number exactly when it decodes as a json.Number
// and is not quoted, blank-padded, null or out of float64 range.
func FuzzIsJSONNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "12", "1.5", "-2.5e-3", "1E+9", "01", "1.", ".5", "-", "+1", "0x10", "Inf", "NaN", "1_000", " 1", "1 ", `"1"`, "null", "1e400", "", "-e1", "2e", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v json.Number
		want := false
		if s != "" && s[0] != '"' && s != "null" && json.Unmarshal([]byte(s), &v) == nil {
			fl, err := strconv.ParseFloat(s, 64)
			want = err == nil && !math.IsInf(fl, 0) && !math.IsNaN(fl)
		}
		if got := IsJSONNumber(s); got != want {
			t.Fatalf("IsJSONNumber(%q) = %v, encoding/json says %v", s, got, want)
		}
	})
}
