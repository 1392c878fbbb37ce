//go:build schemagen

package replay

import (
	"encoding/json"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSchemaTags reflects the types as the tools package will, so a tag
// that invopop/jsonschema reads differently (a comma splits a description)
// shows up here.
func TestSchemaTags(t *testing.T) {
	r := &jsonschema.Reflector{ExpandedStruct: true, DoNotReference: true}
	s := r.Reflect(&UserAction{})
	raw, err := json.Marshal(s)
	require.NoError(t, err)
	var got struct {
		Properties map[string]struct {
			Description string `json:"description"`
			Enum        []any  `json:"enum"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	require.NoError(t, json.Unmarshal(raw, &got))
	assert.Equal(t, `Human description of the target such as button "Sign in"`, got.Properties["target_desc"].Description)
	assert.Len(t, got.Properties["action"].Enum, len(Actions()))
	assert.NotContains(t, got.Required, "url")

	b, err := json.Marshal(r.Reflect(&ReplayBundle{}))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"retention_days"`)
	sr, err := json.Marshal(r.Reflect(&SignedReplay{}))
	require.NoError(t, err)
	assert.NotContains(t, string(sr), "query_string", "the credential is not part of the schema either")
}
