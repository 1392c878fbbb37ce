package mixpanel_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

func TestFlexTypes(t *testing.T) {
	var n mixpanel.FlexInt
	for raw, want := range map[string]int64{`12`: 12, `"12"`: 12, `null`: 0, `12.0`: 12, `" 7 "`: 7} {
		require.NoError(t, json.Unmarshal([]byte(raw), &n), raw)
		assert.Equal(t, mixpanel.FlexInt(want), n, raw)
	}
	for _, bad := range []string{`1.5`, `"x"`, `true`, `{}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &n), bad)
	}
	var b mixpanel.FlexBool
	for raw, want := range map[string]bool{`true`: true, `1`: true, `0`: false, `"true"`: true, `"0"`: false, `null`: false, `{}`: false} {
		require.NoError(t, json.Unmarshal([]byte(raw), &b), raw)
		assert.Equal(t, mixpanel.FlexBool(want), b, raw)
	}
	var tags mixpanel.TagList
	require.NoError(t, json.Unmarshal([]byte(`["a",{"name":"b"},{"id":3},4]`), &tags))
	assert.Equal(t, mixpanel.TagList{"a", "b"}, tags)
	assert.Error(t, json.Unmarshal([]byte(`"a"`), &tags))
}
