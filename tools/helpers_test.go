package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// fixedNow is the clock of tool tests, so relative dates are stable: the
// day the fake's dataset is anchored to, after its replays were recorded.
var fixedNow = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)

// testEnv is an Env whose client talks to srv.
func testEnv(t *testing.T, srv *mixpaneltest.Server) *Env {
	t.Helper()
	// The tools and the fake share one clock, so "today" and "the last N
	// days" mean the same on both sides whatever day the tests run.
	srv.Data.Now = fixedNow
	env := NewEnv(srv.Client(t), nil, zerolog.Nop())
	env.Now = func() time.Time { return fixedNow }
	return env
}

// callTool runs a registered tool in-process with JSON arguments. Every
// successful result's structuredContent is checked against the tool's
// output schema, so each tool test also proves the schema tells the truth.
func callTool(t *testing.T, env *Env, name string, args string) *mcp.CallToolResult {
	t.Helper()
	tool := Lookup(name)
	if tool == nil {
		t.Fatalf("no tool %q", name)
	}
	res := tool.Call(context.Background(), env, json.RawMessage(args))
	recordSeen(name, res)
	if !res.IsError {
		checkOutputSchema(t, tool, res.StructuredContent)
	}
	return res
}

var (
	outputSchemasMu sync.Mutex
	outputSchemas   = map[string]*jsonschema.Schema{}
)

// checkOutputSchema validates v against the tool's output schema.
func checkOutputSchema(t *testing.T, tool *Tool, v any) {
	t.Helper()
	outputSchemasMu.Lock()
	sch, ok := outputSchemas[tool.Name]
	if !ok {
		_, out, err := tool.Schemas()
		if err != nil {
			outputSchemasMu.Unlock()
			t.Fatalf("%s: output schema: %v", tool.Name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err == nil {
			c := jsonschema.NewCompiler()
			if err = c.AddResource(tool.Name+".json", doc); err == nil {
				sch, err = c.Compile(tool.Name + ".json")
			}
		}
		if err != nil {
			outputSchemasMu.Unlock()
			t.Fatalf("%s: compile output schema: %v", tool.Name, err)
		}
		outputSchemas[tool.Name] = sch
	}
	outputSchemasMu.Unlock()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: encode structuredContent: %v", tool.Name, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: decode structuredContent: %v", tool.Name, err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("%s: structuredContent does not match the output schema: %#v", tool.Name, err)
	}
}

// resultText is the text content of a result.
func resultText(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	if len(res.Content) == 0 {
		t.Fatalf("result has no content")
	}
	tc, ok := res.Content[0].(mcp.TextContent)
	if !ok {
		t.Fatalf("first content is %T, not text", res.Content[0])
	}
	return tc.Text
}

// mustOK fails unless the result is a success, and returns its text.
func mustOK(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	text := resultText(t, res)
	if res.IsError {
		t.Fatalf("tool failed: %s", text)
	}
	return text
}

// mustFail fails unless the result is an error, and returns its text.
func mustFail(t *testing.T, res *mcp.CallToolResult) string {
	t.Helper()
	text := resultText(t, res)
	if !res.IsError {
		t.Fatalf("tool succeeded, want an error; text: %s", text)
	}
	return text
}

// structured decodes the structuredContent of a result into v.
func structured(t *testing.T, res *mcp.CallToolResult, v any) {
	t.Helper()
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatalf("encode structuredContent: %v", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode structuredContent: %v\n%s", err, raw)
	}
}

// elicit answers every elicitation with a fixed action.
type elicit struct {
	action mcp.ElicitationResponseAction
	asked  []string
}

func (e *elicit) Elicit(_ context.Context, req mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	e.asked = append(e.asked, req.Params.Message)
	res := &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: e.action}}
	if e.action == mcp.ElicitationResponseActionAccept {
		res.Content = map[string]any{"confirm": true}
	}
	return res, nil
}

// sessionFor serves toolsets to an in-process MCP client that supports
// elicitation and answers with h.
func sessionFor(t *testing.T, env *Env, h *elicit, toolsets ...Toolset) *client.Client {
	t.Helper()
	s := server.NewMCPServer("test", "1", server.WithToolCapabilities(false), server.WithElicitation())
	var names []string
	for _, ts := range toolsets {
		names = append(names, string(ts))
	}
	if err := AddTo(s, env, Selection{Toolsets: names}); err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClientWithOptions(s, client.WithElicitationHandler(h))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.Capabilities.Elicitation = &mcp.ElicitationCapability{}
	if _, err := c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	return c
}

// confirmPhrase finds the phrase an operation that needs the confirm
// argument names when it refuses a call without it.
var confirmPhrase = regexp.MustCompile(`confirm: MG1: .*call again with confirm ("(?:[^"\\]|\\.)*")`)

// phraseIn returns the phrase of a confirm refusal, if text is one.
func phraseIn(text string) (string, bool) {
	m := confirmPhrase.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	p, err := strconv.Unquote(m[1])
	return p, err == nil
}

// callConfirmed calls a tool that needs the confirm argument the way a
// client without elicitation does: the first call must be refused naming
// the phrase; the call is then made again repeating it.
func callConfirmed(t *testing.T, env *Env, name string, args string) *mcp.CallToolResult {
	t.Helper()
	text := mustFail(t, callTool(t, env, name, args))
	phrase, ok := phraseIn(text)
	if !ok {
		t.Fatalf("%s without confirm: want a refusal naming the phrase, got: %s", name, text)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		t.Fatal(err)
	}
	m["confirm"] = phrase
	raw, _ := json.Marshal(m)
	return callTool(t, env, name, string(raw))
}

// callAsking calls tool through a real MCP session whose user answers the
// elicitation with action. It checks the user was asked once, naming each
// of names, and that the result carries note; it returns the requests the
// call sent.
func callAsking(t *testing.T, srv *mixpaneltest.Server, env *Env, toolset Toolset, action mcp.ElicitationResponseAction, tool string, args map[string]any, names []string, note string) []mixpaneltest.Request {
	t.Helper()
	h := &elicit{action: action}
	c := sessionFor(t, env, h, toolset)
	req := mcp.CallToolRequest{}
	req.Params.Name, req.Params.Arguments = tool, args
	before := len(srv.Requests())
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	text := resultText(t, res)
	if len(h.asked) != 1 {
		t.Fatalf("the user was asked %d times", len(h.asked))
	}
	for _, n := range names {
		if !strings.Contains(h.asked[0], n) {
			t.Fatalf("the question %q does not name %s", h.asked[0], n)
		}
	}
	if !strings.Contains(text, note) {
		t.Errorf("result %q lacks %q", text, note)
	}
	return srv.Requests()[before:]
}
