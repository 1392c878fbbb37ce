// Package tools holds the MCP tools of mixpanel-mcp: one file per domain,
// the generic typed-tool constructor they all use, toolsets, read-only
// filtering and the text rendering helpers for results a model reads.
package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/rs/zerolog"

	"github.com/mixpanel-mcp/mixpanel-mcp/charts"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/schemas"
)

// Annotations are the four MCP behaviour hints, always all set: mcp-go
// fills missing ones with defaults that would make a read claim to destroy.
type Annotations struct {
	ReadOnly, Destructive, Idempotent, OpenWorld bool
}

// Presets for the common kinds of tool.
var (
	// ReadOnly reads from Mixpanel.
	ReadOnly = Annotations{ReadOnly: true, Idempotent: true, OpenWorld: true}
	// Local computes without calling Mixpanel (validators, builders).
	Local = Annotations{ReadOnly: true, Idempotent: true}
	// Write creates or changes something in Mixpanel.
	Write = Annotations{OpenWorld: true}
	// Destructive deletes or irreversibly changes something.
	Destructive = Annotations{Destructive: true, Idempotent: true, OpenWorld: true}
	// Overwrite replaces fields of an existing entity (update, PATCH/PUT):
	// the old values are gone, and repeating it changes nothing more.
	Overwrite = Annotations{Destructive: true, Idempotent: true, OpenWorld: true}
	// SetState puts an entity in a state (favorite, pin, archive, enable)
	// without losing anything; repeating it changes nothing.
	SetState = Annotations{Idempotent: true, OpenWorld: true}
)

// DefaultCallTimeout bounds one tool call when Env.CallTimeout is 0.
const DefaultCallTimeout = 60 * time.Second

// Env is what every handler gets besides its input.
type Env struct {
	client    *mixpanel.Client
	clientErr error
	surface   *surface        // what AddTo registered; per-session toolsets in dynamic mode
	session   envSession      // the call's MCP session and its project switch (session.go)
	served    map[string]bool // see Has
	Log       zerolog.Logger
	Now       func() time.Time
	// CallTimeout is the one deadline of a tool call, every Mixpanel
	// request, retry and backoff in it included (a raw export or a replay
	// bundle too); 0 means DefaultCallTimeout, negative means none.
	CallTimeout time.Duration
	// Transport is how the server is reached: "stdio" or "http". Tools
	// that read local files (a lookup table's file_path) do so only over
	// stdio, where the client runs on this machine.
	Transport string
}

// errCallDeadline is the cause of a call's context when its deadline passed.
var errCallDeadline = errors.New("the tool call's deadline passed")

// NewEnv builds the handlers' environment. A client error (typically a
// missing setting) is returned by every call to Client instead of stopping
// the server, so it can start and list its tools unconfigured.
func NewEnv(client *mixpanel.Client, clientErr error, log zerolog.Logger) *Env {
	return &Env{client: client, clientErr: clientErr, session: envSession{store: newSessionStore()}, Log: log, Now: time.Now}
}

// Client returns the Mixpanel client, or an error naming the missing setting.
func (e *Env) Client() (*mixpanel.Client, error) {
	if e.clientErr != nil {
		return nil, e.clientErr
	}
	if e.client == nil {
		return nil, &mixpanel.MissingSettingError{Setting: "MP_USERNAME + MP_SECRET or MP_OAUTH_TOKEN", Fix: "no Mixpanel client is configured"}
	}
	if err := e.client.Config().CheckCredentials(); err != nil {
		return nil, err
	}
	return e.client, nil
}

// Texter is implemented by outputs that render themselves for a model.
type Texter interface{ Text() string }

// Validator is implemented by inputs that check themselves before the
// handler runs.
type Validator interface{ Validate() error }

// Tool is one registered tool.
type Tool struct {
	Name        string
	Toolset     Toolset
	Description string
	// Title is the name people see in a client's tool list; "" derives
	// it from Name (DisplayTitle). Not part of the model-visible cost.
	Title       string
	Annotations Annotations
	// Chart: the charts view (MCP Apps) draws the tool's results; the
	// definition's _meta names it (see Meta).
	Chart bool

	schemaOnce sync.Once
	inSchema   json.RawMessage
	outSchema  json.RawMessage
	schemaErr  error
	// In and Out of New, which Reflect reflects (schemagen builds only).
	inType, outType reflect.Type
	// withConfirm: the input schema has the confirm argument (withConfirmArg).
	withConfirm bool

	defOnce sync.Once // the MCP definition (Definition)
	def     mcp.Tool
	defErr  error

	// call runs the tool on its arguments: their JSON text and, when the
	// caller has decoded it already, that decoding (argPipeline.decodeParsed).
	call func(ctx context.Context, env *Env, args json.RawMessage, parsed any) *mcp.CallToolResult
}

// Schemas returns the tool's input and output JSON Schemas: those
// generated into the binary (schemas.Generated). For a tool the generated
// file does not have, the server has none (an error naming the command
// that generates them); a schemagen build reflects them (reflectUngenerated).
func (t *Tool) Schemas() (in, out json.RawMessage, err error) {
	t.schemaOnce.Do(func() {
		if g, ok := schemas.Generated(t.Name); ok {
			t.inSchema, t.outSchema = g.Input, g.Output
			return
		}
		if reflectUngenerated == nil {
			t.schemaErr = errUngenerated
			return
		}
		t.inSchema, t.outSchema, t.schemaErr = reflectUngenerated(t)
	})
	return t.inSchema, t.outSchema, t.schemaErr
}

// errUngenerated: the server reflects no schemas (the reflector is built
// only with the schemagen tag), so a tool must be in the generated file.
var errUngenerated = errors.New("no generated schemas: run `go test -tags schemagen ./schemas -update`")

// reflectUngenerated reflects a tool's schemas where the generated file
// lacks them; only schemagen builds have it (schemagen_on.go).
var reflectUngenerated func(*Tool) (in, out json.RawMessage, err error)

// Definition is the MCP tool definition served by tools/list, made once.
func (t *Tool) Definition() (mcp.Tool, error) {
	t.defOnce.Do(func() {
		in, out, err := t.Schemas()
		if err != nil {
			t.defErr = fmt.Errorf("tool %s: %w", t.Name, err)
			return
		}
		t.def = t.registered()
		t.def.RawInputSchema, t.def.RawOutputSchema = in, out
	})
	return t.def, t.defErr
}

// anyObject is the input schema of a tool as mcp-go holds it.
var anyObject = json.RawMessage(`{"type":"object"}`)

// registered is the definition mcp-go holds for the tool: the full one
// with {"type":"object"} for schemas. mcp-go decodes a tool's input schema
// when it is registered and again on every tools/call over HTTP that
// carries a protocol version header, looking for x-mcp-header annotations
// (which no tool here has): for the query tools that decoding cost more
// than the rest of a dry run. Wherever mcp-go lists tools, fullDefinitions
// puts the definitions with their schemas back (registry.go).
func (t *Tool) registered() mcp.Tool {
	a := t.Annotations
	var meta *mcp.Meta
	if m := t.Meta(); m != nil {
		meta = &mcp.Meta{AdditionalFields: m}
	}
	return mcp.Tool{
		Meta:           meta,
		Name:           t.Name,
		Title:          t.DisplayTitle(),
		Description:    t.Description,
		RawInputSchema: anyObject,
		Annotations: mcp.ToolAnnotation{
			ReadOnlyHint:    &a.ReadOnly,
			DestructiveHint: &a.Destructive,
			IdempotentHint:  &a.Idempotent,
			OpenWorldHint:   &a.OpenWorld,
		},
	}
}

// Meta is the _meta of the tool's definition: the charts view's
// resource for a Chart tool, else nil. Hosts read it; models are not shown it.
func (t *Tool) Meta() map[string]any {
	if !t.Chart {
		return nil
	}
	return charts.ToolMeta()
}

// titleWords are the words of tool names a title spells otherwise.
var titleWords = sync.OnceValue(func() map[string]string {
	return map[string]string{"id": "ID", "ids": "IDs", "url": "URL", "rca": "RCA", "erf": "ERF", "gdpr": "GDPR", "lexicon": "Lexicon"}
})

// DisplayTitle is the tool's Title, or its name as words: list_events
// reads "List events", get_lookup_download_url "Get lookup download URL".
func (t *Tool) DisplayTitle() string {
	if t.Title != "" {
		return t.Title
	}
	words := strings.Split(t.Name, "_")
	for i, w := range words {
		if spelled, ok := titleWords()[w]; ok {
			words[i] = spelled
		} else if i == 0 {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

// titled gives a tool a title its name does not read as.
func titled(t *Tool, title string) *Tool {
	t.Title = title
	return t
}

// charted marks a tool whose results the charts view draws.
func charted(t *Tool) *Tool {
	t.Chart = true
	return t
}

// Call runs the tool on raw JSON arguments. It never panics and never
// returns a protocol error: every failure is an isError result.
// The call runs under one deadline (Env.CallTimeout) that covers every
// request and retry it makes; a call cut off by it says so.
func (t *Tool) Call(ctx context.Context, env *Env, args json.RawMessage) *mcp.CallToolResult {
	return t.callParsed(ctx, env, args, nil)
}

// callParsed is Call given the caller's decoding of args, if any.
func (t *Tool) callParsed(ctx context.Context, env *Env, args json.RawMessage, parsed any) (res *mcp.CallToolResult) {
	env = env.forSession(ctx)
	timeout := env.CallTimeout
	if timeout == 0 {
		timeout = DefaultCallTimeout
	}
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, errCallDeadline)
		defer cancel()
	}
	defer func() {
		if p := recover(); p != nil {
			env.Log.Error().Str("tool", t.Name).Interface("panic", p).Str("stack", string(debug.Stack())).Msg("tool panicked")
			res = mcp.NewToolResultError(fmt.Sprintf("internal error in %s; please report it. The input was not the cause you can fix.", t.Name))
		}
	}()
	res = t.call(ctx, env, args, parsed)
	if res.IsError && errors.Is(context.Cause(ctx), errCallDeadline) {
		env.Log.Info().Str("tool", t.Name).Dur("deadline", timeout).Msg("tool call timed out")
		res = mcp.NewToolResultError(fmt.Sprintf("timed out: %s did not finish within its %s deadline, which covers every Mixpanel request and retry of the call. "+
			"Narrow it (a shorter date range, fewer events, segments or replays, a smaller limit), or have the server started with a longer --call-timeout (MCP_CALL_TIMEOUT).", t.Name, timeout))
	}
	return res
}

// New builds a tool from a typed handler: the input and output schemas are
// In's and Out's (generated from them; see Schemas), arguments are decoded
// strictly into In and validated, and the result carries Out as
// structuredContent plus a text rendering (Out's Text method, or compact
// JSON).
func New[In, Out any](name string, toolset Toolset, description string, ann Annotations, handler func(context.Context, *Env, In) (Out, error)) *Tool {
	t := &Tool{Name: name, Toolset: toolset, Description: description, Annotations: ann,
		inType: reflect.TypeFor[In](), outType: reflect.TypeFor[Out]()}
	pipe := newArgPipeline(func() (json.RawMessage, error) {
		in, _, err := t.Schemas()
		return in, err
	})
	t.call = func(ctx context.Context, env *Env, args json.RawMessage, parsed any) *mcp.CallToolResult {
		var in In
		if err := pipe.decodeParsed(args, parsed, &in); err != nil {
			return mcp.NewToolResultError(err.Error())
		}
		if v, ok := any(&in).(Validator); ok {
			if err := v.Validate(); err != nil {
				return mcp.NewToolResultError(ErrorText(err, env.Has))
			}
		}
		out, err := handler(ctx, env, in)
		if err != nil {
			env.Log.Info().Str("tool", name).Str("error", err.Error()).Msg("tool call failed")
			return mcp.NewToolResultError(ErrorText(err, env.Has))
		}
		text := ""
		if tx, ok := any(&out).(Texter); ok {
			text = tx.Text()
		} else if tx, ok := any(out).(Texter); ok {
			text = tx.Text()
		} else {
			raw, err := json.Marshal(out)
			if err != nil {
				return mcp.NewToolResultError("encode result: " + err.Error())
			}
			text = string(raw)
		}
		return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewTextContent(text)}, StructuredContent: out}
	}
	return t
}

// ErrorText is the text of an isError result: the error and, for Mixpanel
// API errors, what to do about it, then the tools that help among those
// has says are served (hints.go).
func ErrorText(err error, has func(string) bool) string {
	var apiErr *mixpanel.APIError
	if errors.As(err, &apiErr) {
		if h := apiErr.Hint(); h != "" {
			return withToolHints(err.Error()+"\n"+h, err, has)
		}
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + err.Error()
	}
	return withToolHints(err.Error(), err, has)
}
