//go:build schemagen

package tools

import (
	"encoding/json"
	"reflect"
	"sync"

	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// Helpers of the tests that reflect input schemas from Go types, which
// only a schemagen build can do.

// reflectedInput is T's input schema, reflected.
func reflectedInput[T any]() (json.RawMessage, error) { return schemas.Input(reflect.TypeFor[T]()) }

// argPipelines caches one argument pipeline per input type for tests
// that decode arguments without a registered tool.
var argPipelines sync.Map

// decodeArgs runs the argument pipeline of a tool whose input is T.
func decodeArgs[T any](args json.RawMessage, v *T) error {
	p, _ := argPipelines.LoadOrStore(reflect.TypeFor[T](), newArgPipeline(reflectedInput[T]))
	return p.(*argPipeline).decode(args, v)
}

// decodeValidate decodes args into a fresh T and validates it; decodeErr
// says which step failed.
func decodeValidate[T any](args json.RawMessage) (decodeErr bool, err error) {
	var in T
	if err := decodeArgs(args, &in); err != nil {
		return true, err
	}
	if v, ok := any(&in).(Validator); ok {
		return false, v.Validate()
	}
	return false, nil
}
