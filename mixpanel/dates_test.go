package mixpanel_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

func TestIsISODate(t *testing.T) {
	tests := map[string]bool{
		"2025-01-01":                true,
		"2025-01-01T10:15":          true,
		"2025-01-01 10:15:30":       true,
		"2025-01-01T10:15:30.123Z":  true,
		"2025-01-01T10:15:30+05:30": true,
		"2025-01-01T10:15:30-0800":  true,
		"2024-02-29":                true,
		"2025-02-29":                false,
		"2025-13-01":                false,
		"2025-12-32":                false,
		"0000-01-01":                false,
		"2025-01-01T24:00":          false,
		"2025-01-01T10:60":          false,
		"2025-01-01T10:15:30+24:00": false,
		"2025-01-01Z":               false,
		"20250101":                  false,
		"12":                        false,
		"":                          false,
	}
	for in, want := range tests {
		assert.Equal(t, want, mixpanel.IsISODate(in), in)
	}
}
