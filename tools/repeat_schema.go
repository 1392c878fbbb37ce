//go:build schemagen

package tools

import "encoding/json"

const confirmDesc = "Only if the client cannot ask the user: after their go-ahead, the phrase this tool's error names"

// confirmProperty adds the confirm argument to an input schema.
func confirmProperty(in json.RawMessage) (json.RawMessage, error) {
	var m map[string]any
	if err := json.Unmarshal(in, &m); err != nil {
		return nil, err
	}
	props, _ := m["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		m["properties"] = props
	}
	props[confirmArg] = map[string]any{"type": "string", "description": confirmDesc}
	return json.Marshal(m)
}
