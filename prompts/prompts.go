// Package prompts holds the MCP prompts of mixpanel-mcp: guided analysis
// workflows a user picks in their client, which tell the model which tools
// to use in which order for a common question.
package prompts

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// prompt is one workflow: its arguments and the text it expands to.
type prompt struct {
	name, description string
	args              []arg
	text              func(args map[string]string) string
}

type arg struct {
	name, description string
	required          bool
}

var all = []prompt{
	{
		name:        "answer_question",
		description: "Answer an analytics question from the project's data, the way an analyst would.",
		args:        []arg{{"question", "The question, e.g. 'Did signups drop last week?'", true}},
		text: func(a map[string]string) string {
			return fmt.Sprintf(`Answer this question from our Mixpanel data: %q

1. Read get_business_context_chain to learn our key events, metrics and naming.
2. Find the exact event and property names with list_events, list_properties and list_property_values; never guess a name.
3. Build the query with query_insights (or query_funnel / query_retention / query_flow when the question is about conversion, return visits or paths). Use dry_run first if you are unsure the query says what you mean.
4. Compare with the previous period (time_comparison) before calling something a change.
5. Answer in a few sentences with the numbers, the date range and the exact query settings you used; say what the data cannot tell.`, a["question"])
		},
	},
	{
		name:        "diagnose_funnel",
		description: "Find where and why users drop out of a funnel, down to the sessions of users who left.",
		args: []arg{
			{"steps", "Comma-separated event names in order, e.g. 'Product Viewed, Add to Cart, Purchase'", true},
			{"period", "Date range, e.g. 'last 30 days' (default) or '2026-10-01 to 2026-10-31'", false},
		},
		text: func(a map[string]string) string {
			period := a["period"]
			if period == "" {
				period = "the last 30 days"
			}
			return fmt.Sprintf(`Diagnose the funnel %s over %s.

1. Check each step's event name with list_events.
2. Run query_funnel with these steps; note the step with the biggest drop-off.
3. Break that step down with group_by on a few properties that could explain it (list_properties on the step's event: platform, country, browser, utm_source...); look for segments that convert far worse.
4. Compare with the previous period (time_comparison) to see whether the drop-off is new.
5. If session replays are available, list_replays for a few users who reached the step and did not convert, and fetch_replays with analysis rage_clicks and error_sessions to see what went wrong.
6. Summarise: where users leave, which segments leave most, what the replays show, and what to try.`, strings.Join(splitList(a["steps"]), " → "), period)
		},
	},
	{
		name:        "investigate_user",
		description: "Reconstruct what one user did and experienced: profile, events and session replays.",
		args:        []arg{{"distinct_id", "The user's distinct id", true}},
		text: func(a map[string]string) string {
			return fmt.Sprintf(`Investigate the user %q.

1. query_user with distinct_id to read their profile (plan, country, created, last seen).
2. query_activity_feed for their recent events; pass sentinel_event back to page further back.
3. list_replays for the user, then fetch_replay on the most relevant sessions (start with those around errors or drop-offs you saw in the events).
4. Tell the story in time order: what they tried to do, where they struggled (console errors, rage clicks, long pauses) and how the session ended.`, a["distinct_id"])
		},
	},
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Register adds every prompt to the server.
func Register(s *server.MCPServer) {
	for _, p := range all {
		opts := []mcp.PromptOption{mcp.WithPromptDescription(p.description)}
		for _, a := range p.args {
			aopts := []mcp.ArgumentOption{mcp.ArgumentDescription(a.description)}
			if a.required {
				aopts = append(aopts, mcp.RequiredArgument())
			}
			opts = append(opts, mcp.WithArgument(a.name, aopts...))
		}
		s.AddPrompt(mcp.NewPrompt(p.name, opts...), handler(p))
	}
}

func handler(p prompt) server.PromptHandlerFunc {
	return func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		args := map[string]string{}
		for _, a := range p.args {
			v := strings.TrimSpace(req.Params.Arguments[a.name])
			if v == "" && a.required {
				return nil, fmt.Errorf("prompt %s: argument %q is required: %s", p.name, a.name, a.description)
			}
			args[a.name] = v
		}
		return mcp.NewGetPromptResult(p.description, []mcp.PromptMessage{
			mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(p.text(args))),
		}), nil
	}
}
