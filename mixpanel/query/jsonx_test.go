package query

import (
	"encoding/json"
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
