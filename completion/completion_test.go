package completion_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mixpanel-mcp/mixpanel-mcp/completion"
	mpcontext "github.com/mixpanel-mcp/mixpanel-mcp/context"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/mixpaneltest"
	"github.com/mixpanel-mcp/mixpanel-mcp/prompts"
)

// session is an in-process MCP session of a server with the real prompts
// and resource templates, completing from the fake Mixpanel.
func session(t *testing.T, srv *mixpaneltest.Server) *client.Client {
	t.Helper()
	// The fake's replays were recorded before this day; "the last 90
	// days" counts back from it.
	srv.Data.Now = time.Date(2026, 11, 25, 23, 0, 0, 0, time.UTC)
	cfg := srv.Config()
	cfg.CacheTTL = time.Minute // as served: discovery answers are reused
	mc, err := mixpanel.New(cfg)
	require.NoError(t, err)
	clientFor := func(context.Context) (*mixpanel.Client, error) { return mc, nil }
	all := func(string) bool { return true }
	p := &completion.Provider{Client: clientFor, Prompts: prompts.Completions(all), Templates: mpcontext.Completions()}
	s := server.NewMCPServer("t", "1", server.WithCompletions(), server.WithPromptCapabilities(false), server.WithResourceCapabilities(false, false),
		server.WithPromptCompletionProvider(p), server.WithResourceCompletionProvider(p))
	prompts.Register(s, all)
	mpcontext.Register(s, clientFor)
	c, err := client.NewInProcessClient(s)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Start(context.Background()))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_LEGACY_PROTOCOL_VERSION
	res, err := c.Initialize(context.Background(), init)
	require.NoError(t, err)
	require.NotNil(t, res.Capabilities.Completions, "the completions capability is declared")
	return c
}

func complete(t *testing.T, c *client.Client, ref any, name, value string, given map[string]string) *mcp.Completion {
	t.Helper()
	req := mcp.CompleteRequest{}
	req.Params.Ref = ref
	req.Params.Argument = mcp.CompleteArgument{Name: name, Value: value}
	req.Params.Context = mcp.CompleteContext{Arguments: given}
	res, err := c.Complete(context.Background(), req)
	require.NoError(t, err)
	return &res.Completion
}

func TestCompletePrompts(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := session(t, srv)
	prompt := func(name string) mcp.PromptReference { return mcp.PromptReference{Type: "ref/prompt", Name: name} }

	for _, tc := range []struct {
		name          string
		prompt, arg   string
		value         string
		given         map[string]string
		want          []string
		wantContained []string
	}{
		{name: "event by prefix, any case", prompt: "compare_segments", arg: "event", value: "pur", want: []string{"Purchase"}},
		{name: "event with a typo", prompt: "compare_segments", arg: "event", value: "Purchse", want: []string{"Purchase"}},
		{name: "prefix first, then substring", prompt: "compare_segments", arg: "event", value: "Sign", want: []string{"Sign Up"}},
		{name: "substring", prompt: "compare_segments", arg: "event", value: "cart", want: []string{"Add to Cart"}},
		{name: "last step of a list", prompt: "diagnose_funnel", arg: "steps", value: "Product Viewed ,add", want: []string{"Product Viewed, Add to Cart"}},
		{name: "first step", prompt: "diagnose_funnel", arg: "steps", value: "Checkout", want: []string{"Checkout Started"}},
		{name: "property of the given event", prompt: "compare_segments", arg: "property", value: "cur", given: map[string]string{"event": "Purchase"}, want: []string{"currency"}},
		{name: "properties of the given event only", prompt: "compare_segments", arg: "property", value: "search", given: map[string]string{"event": "Purchase"}, want: []string{}},
		{name: "property without an event: Lexicon's", prompt: "compare_segments", arg: "property", value: "search", want: []string{"search_term"}},
		{name: "value of the given property", prompt: "compare_segments", arg: "value", value: "g", given: map[string]string{"event": "Purchase", "property": "mp_country_code"}, want: []string{"GB"}},
		{name: "no property, no values", prompt: "compare_segments", arg: "value", value: "", want: []string{}},
		{name: "distinct id of a replay", prompt: "investigate_user", arg: "distinct_id", value: "jane", want: []string{"jane.doe@acme.io"}},
		{name: "free-text argument", prompt: "answer_question", arg: "question", value: "Did", want: []string{}},
		{name: "another server's prompt", prompt: "test_prompt_with_arguments", arg: "arg1", value: "test", want: []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := complete(t, c, prompt(tc.prompt), tc.arg, tc.value, tc.given)
			assert.Equal(t, tc.want, got.Values)
			assert.Equal(t, len(tc.want), got.Total)
			assert.False(t, got.HasMore)
		})
	}
}

func TestCompleteTemplates(t *testing.T) {
	srv := mixpaneltest.New(t)
	c := session(t, srv)
	ref := func(uri string) mcp.ResourceReference { return mcp.ResourceReference{Type: "ref/resource", URI: uri} }

	users := complete(t, c, ref(mpcontext.UserReplaysTemplate), "distinct_id", "", nil)
	assert.ElementsMatch(t, []string{"jane.doe@acme.io", "sam.lee@acme.io", "kim.ng@acme.io"}, users.Values)

	replays := complete(t, c, ref(mpcontext.ReplaySummaryTemplate), "replay_id", "", nil)
	assert.Contains(t, replays.Values, mixpaneltest.ReplayRage)
	one := complete(t, c, ref(mpcontext.ReplaySummaryTemplate), "replay_id", mixpaneltest.ReplayRage[:len(mixpaneltest.ReplayRage)-1], nil)
	assert.Equal(t, []string{mixpaneltest.ReplayRage}, one.Values)

	discoveries := 0
	for _, r := range srv.Requests() {
		if r.Path == mixpaneltest.QueryPrefix+"/insights" {
			discoveries++
		}
	}
	assert.Equal(t, 1, discoveries, "replay discovery is asked once; later keystrokes use the discovery cache")
}

func TestMatchCapsAndCounts(t *testing.T) {
	var names []string
	for i := range 150 {
		names = append(names, fmt.Sprintf("event %03d", i))
	}
	values, total := completion.Match("", names)
	assert.Len(t, values, completion.MaxValues)
	assert.Equal(t, 150, total)
	assert.Equal(t, "event 000", values[0], "candidates keep their order")

	values, total = completion.Match("EVENT 14", names)
	assert.Equal(t, []string{"event 140", "event 141", "event 142", "event 143", "event 144", "event 145", "event 146", "event 147", "event 148", "event 149"}, values)
	assert.Equal(t, 10, total)

	values, total = completion.Match("zzz", names)
	assert.Equal(t, []string{}, values)
	assert.Zero(t, total)
}
