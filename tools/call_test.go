//go:build schemagen

package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
)

// listNames is a tool that reads the event names, for tests of what the
// call around a handler does.
func listNames() *Tool {
	return New("list_names", ToolsetDiscovery, "List event names.", ReadOnly, func(ctx context.Context, env *Env, _ struct{}) (plainOut, error) {
		c, err := env.Client()
		if err != nil {
			return plainOut{}, err
		}
		var names []string
		err = c.JSON(ctx, mixpanel.Request{Family: mixpanel.Query, Path: "/events/names"}, &names)
		return plainOut{N: len(names)}, err
	})
}

// TestCallDeadlineCoversEveryAttempt: one deadline bounds a whole tool
// call. Before, a hung Mixpanel held a call for the request timeout times
// four attempts (120 s x 4, about 8 minutes).
func TestCallDeadlineCoversEveryAttempt(t *testing.T) {
	path := mixpaneltest.QueryPrefix + "/events/names"
	tests := []struct {
		name      string
		failure   mixpaneltest.Failure
		realSleep bool
		cancel    bool // the client cancels the call before it starts
		want      string
		wantCalls int // -1: not checked
	}{
		{name: "a hung Mixpanel: the call ends at its deadline after one attempt",
			failure:   mixpaneltest.Failure{Path: path, Delay: time.Hour},
			want:      "timed out: list_names did not finish within its 200ms deadline, which covers every Mixpanel request and retry of the call. Narrow it",
			wantCalls: 1},
		{name: "a retry wait longer than the time left: the last answer at once",
			failure: mixpaneltest.Failure{Path: path, Status: 503, Body: `{"error":"overloaded"}`}, realSleep: true,
			want: "mixpanel GET /events/names: 503 Service Unavailable: overloaded", wantCalls: 1},
		{name: "a call the client cancelled is not called a timeout",
			failure: mixpaneltest.Failure{Path: path, Delay: time.Hour}, cancel: true,
			want: "cancelled", wantCalls: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mixpaneltest.New(t)
			srv.Fail(tt.failure)
			cfg := srv.Config()
			cfg.Timeout = time.Hour
			if tt.realSleep {
				cfg.Sleep = nil
			}
			c, err := mixpanel.New(cfg)
			require.NoError(t, err)
			env := NewEnv(c, nil, zerolog.Nop())
			env.CallTimeout = 200 * time.Millisecond
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancel {
				cancel()
			}
			defer cancel()
			text := mustFail(t, listNames().Call(ctx, env, json.RawMessage(`{}`)))
			if tt.want == "cancelled" {
				assert.Equal(t, tt.want, text)
			} else {
				assert.Contains(t, text, tt.want)
			}
			if tt.wantCalls >= 0 {
				assert.Len(t, srv.Requests(), tt.wantCalls)
			}
		})
	}
}

// TestCallTimeoutSetting: the handler's context carries the configured
// deadline, the default one, or none.
func TestCallTimeoutSetting(t *testing.T) {
	tests := []struct {
		name    string
		setting time.Duration
		want    time.Duration // 0: no deadline
	}{
		{"default", 0, DefaultCallTimeout},
		{"configured", 5 * time.Minute, 5 * time.Minute},
		{"negative disables", -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var left time.Duration
			tool := New("deadline", ToolsetProject, "d", Local, func(ctx context.Context, _ *Env, _ struct{}) (plainOut, error) {
				if dl, ok := ctx.Deadline(); ok {
					left = time.Until(dl)
				}
				return plainOut{}, nil
			})
			env := NewEnv(nil, nil, zerolog.Nop())
			env.CallTimeout = tt.setting
			mustOK(t, tool.Call(context.Background(), env, json.RawMessage(`{}`)))
			if tt.want == 0 {
				assert.Zero(t, left)
				return
			}
			assert.InDelta(t, tt.want.Seconds(), left.Seconds(), 5)
		})
	}
}

func explodeWithString() { panic("boom") }

func explodeWithNilMap() {
	var m map[string]int
	m["x"]++
}

func explodeWithError() { panic(http.ErrAbortHandler) }

// TestCallPanicLogsItsStack: a recovered panic is logged with the stack
// that led to it, so it can be fixed; the model gets an error result.
// Before, the log held only the panic value.
func TestCallPanicLogsItsStack(t *testing.T) {
	tests := []struct {
		name    string
		explode func()
		frame   string
	}{
		{"panic with a string", explodeWithString, "tools.explodeWithString"},
		{"runtime error", explodeWithNilMap, "tools.explodeWithNilMap"},
		{"panic with an error", explodeWithError, "tools.explodeWithError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			env := NewEnv(nil, nil, zerolog.New(&logs))
			tool := newEcho(func(context.Context, *Env, echoIn) (echoOut, error) {
				tt.explode()
				return echoOut{}, nil
			})
			text := mustFail(t, tool.Call(context.Background(), env, json.RawMessage(`{"name":"a"}`)))
			assert.Contains(t, text, "internal error in echo")
			var entry struct {
				Message string `json:"message"`
				Tool    string `json:"tool"`
				Stack   string `json:"stack"`
			}
			require.NoError(t, json.Unmarshal(logs.Bytes(), &entry), logs.String())
			assert.Equal(t, "tool panicked", entry.Message)
			assert.Equal(t, "echo", entry.Tool)
			assert.Contains(t, entry.Stack, tt.frame)
			assert.Contains(t, entry.Stack, "tools.(*Tool).Call")
		})
	}
}

// TestCallOverMCPReadsArgumentsAsSent calls a tool through mcp-go, which
// decodes the arguments' numbers as float64: the tool still gets them as
// the client wrote them, an int64 beyond 2^53 exact and a number for a
// string as its literal text, and a slip is still coerced.
func TestCallOverMCPReadsArgumentsAsSent(t *testing.T) {
	type echoID struct {
		ID   int64  `json:"id"`
		Name string `json:"name,omitempty"`
	}
	tool := New("echo_id", ToolsetProject, "d", Local, func(_ context.Context, _ *Env, in echoID) (echoID, error) { return in, nil })
	s := server.NewMCPServer("t", "1")
	s.AddTool(tool.registered(), handlerFor(tool, NewEnv(nil, nil, zerolog.Nop())))
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Start(context.Background()))
	_, err = c.Initialize(context.Background(), mcp.InitializeRequest{})
	require.NoError(t, err)
	for _, tt := range []struct{ args, want string }{
		{`{"id":9007199254740993}`, `{"id":9007199254740993}`},
		{`{"id":"9007199254740993","name":1.50}`, `{"id":9007199254740993,"name":"1.50"}`},
		{`{"id":5.0}`, `{"id":5}`},
	} {
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = "echo_id", json.RawMessage(tt.args)
		res, err := c.CallTool(context.Background(), req)
		require.NoError(t, err)
		require.False(t, res.IsError, "%s: %v", tt.args, res.Content)
		assert.Equal(t, tt.want, res.Content[0].(mcp.TextContent).Text, tt.args)
	}
}
