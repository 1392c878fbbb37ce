package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/query"
)

// Irreversible and bulk operations (Op.Repeat) never run on the model's
// word alone. A client with elicitation asks the user (Op.Confirm); a
// client without it must send a confirm argument repeating a short phrase
// that names the change, after the user has agreed: a model that sends
// the call without asking is refused, told the phrase, and nothing is
// sent to Mixpanel.

// confirmArg is the argument that carries the repeated phrase.
const confirmArg = "confirm"

type confirmKey struct{}

// withConfirmArg gives t the confirm argument: its schema gains the
// property (confirmProperty), and a call's confirm value is taken out of
// the arguments before they are decoded into the operation's input, for
// checkRepeat.
func withConfirmArg(t *Tool) {
	t.withConfirm = true
	call := t.call
	t.call = func(ctx context.Context, env *Env, args json.RawMessage, _ any) *mcp.CallToolResult {
		rest, said, err := takeConfirm(args)
		if err != nil {
			return mcp.NewToolResultError(err.Error())
		}
		return call(context.WithValue(ctx, confirmKey{}, said), env, rest, nil)
	}
}

// takeConfirm removes the confirm argument from args. Arguments that are
// too large or not an object pass through for the pipeline to refuse.
func takeConfirm(args json.RawMessage) (json.RawMessage, string, error) {
	if len(args) > MaxArgsBytes {
		return args, "", nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(args, &m) != nil {
		return args, "", nil
	}
	raw, ok := m[confirmArg]
	if !ok {
		return args, "", nil
	}
	delete(m, confirmArg)
	var said string
	if err := json.Unmarshal(raw, &said); err != nil {
		return nil, "", issuesError(query.Issues{{Code: query.CodeType, Path: confirmArg, Message: "expected a string; pass the phrase the tool asked for, or leave it out"}})
	}
	rest, err := json.Marshal(m)
	return rest, said, err
}

// checkRepeat compares the call's confirm argument with the phrase that
// names its change; nothing is sent unless they match exactly (names are
// case-sensitive in Mixpanel: "Sign up" is not "Sign Up").
func checkRepeat(ctx context.Context, phrase string) error {
	said, _ := ctx.Value(confirmKey{}).(string)
	var iss query.Issues
	switch {
	case strings.TrimSpace(said) == "":
		iss.Add(mixpanel.CodeRequired, confirmArg, "this change cannot be undone (or changes many things at once) and this client cannot ask the user; tell the user exactly what it changes and, once they agree, call again with confirm %q", phrase)
	case strings.TrimSpace(said) != phrase:
		iss.Add(mixpanel.CodeConflict, confirmArg, "%q does not repeat this change; it must be %q; nothing was changed", clip(said, 200), phrase)
	}
	if len(iss) == 0 {
		return nil
	}
	return &mixpanel.InputError{Issues: iss}
}

// countOf is the phrase of a bulk change: "delete 3 cohorts".
func countOf(verb string, n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%s 1 %s", verb, one)
	}
	return fmt.Sprintf("%s %d %s", verb, n, many)
}

// deleteSchemasPhrase names what delete_schemas removes.
func deleteSchemasPhrase(in mixpanel.DeleteSchemasParams) string {
	switch {
	case in.EntityType == "":
		return "delete every schema"
	case in.EntityName == "":
		return "delete every " + in.EntityType + " schema"
	}
	return "delete " + in.EntityType + " schema " + in.EntityName
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}
