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

	"github.com/mixpanel-mcp/mixpanel-mcp/completion"
	"github.com/mixpanel-mcp/mixpanel-mcp/tools/toolref"
)

// prompt is one workflow: its arguments, an opening that states the task
// and the steps. A step that names a tool the server does not serve is
// left out (see text).
type prompt struct {
	name, title, description string
	args                     []arg
	intro                    func(args map[string]string) string
	steps                    []string
}

// arg is one argument; kind says what it names, so completion/complete
// can offer the project's values (0: free text).
type arg struct {
	name, title, description string
	required                 bool
	kind                     completion.Kind
}

var all = []prompt{
	{
		name:        "answer_question",
		title:       "Answer an analytics question",
		description: "Answer an analytics question from the project's data, the way an analyst would.",
		args:        []arg{{"question", "Question", "The question, e.g. 'Did signups drop last week?'", true, 0}},
		intro: func(a map[string]string) string {
			return fmt.Sprintf("Answer this question from our Mixpanel data: %q", a["question"])
		},
		steps: []string{
			"Read get_business_context_chain to learn our key events, metrics and naming.",
			"Find the exact event and property names with list_events, list_properties and list_property_values; never guess a name.",
			"Build the query with query_insights (or query_funnel / query_retention / query_flow when the question is about conversion, return visits or paths). Use dry_run first if you are unsure the query says what you mean.",
			"Compare with the previous period (time_comparison) before calling something a change.",
			"Answer in a few sentences with the numbers, the date range and the exact query settings you used; say what the data cannot tell.",
		},
	},
	{
		name:        "diagnose_funnel",
		title:       "Diagnose a funnel's drop-off",
		description: "Find where and why users drop out of a funnel, down to the sessions of users who left.",
		args: []arg{
			{"steps", "Funnel steps", "Comma-separated event names in order, e.g. 'Product Viewed, Add to Cart, Purchase'", true, completion.EventList},
			{"period", "Period", "Date range, e.g. 'last 30 days' (default) or '2026-10-01 to 2026-10-31'", false, 0},
		},
		intro: func(a map[string]string) string {
			period := a["period"]
			if period == "" {
				period = "the last 30 days"
			}
			return fmt.Sprintf("Diagnose the funnel %s over %s.", strings.Join(splitList(a["steps"]), " → "), period)
		},
		steps: []string{
			"Check each step's event name with list_events.",
			"Run query_funnel with these steps; note the step with the biggest drop-off.",
			"Break that step down with group_by on a few properties that could explain it (list_properties on the step's event: platform, country, browser, utm_source...); look for segments that convert far worse.",
			"Compare with the previous period (time_comparison) to see whether the drop-off is new.",
			"If session replays are available, list_replays for a few users who reached the step and did not convert, and fetch_replays with analysis rage_clicks and error_sessions to see what went wrong.",
			"Summarise: where users leave, which segments leave most, what the replays show, and what to try.",
		},
	},
	{
		name:        "investigate_user",
		title:       "Investigate one user",
		description: "Reconstruct what one user did and experienced: profile, events and session replays.",
		args:        []arg{{"distinct_id", "Distinct id", "The user's distinct id", true, completion.DistinctID}},
		intro: func(a map[string]string) string {
			return fmt.Sprintf("Investigate the user %q.", a["distinct_id"])
		},
		steps: []string{
			"query_user with distinct_id to read their profile (plan, country, created, last seen).",
			"query_activity_feed for their recent events; pass sentinel_event back to page further back.",
			"list_replays for the user, then fetch_replay on the most relevant sessions (start with those around errors or drop-offs you saw in the events).",
			"Tell the story in time order: what they tried to do, where they struggled (console errors, rage clicks, long pauses) and how the session ended.",
		},
	},
	{
		name:        "compare_segments",
		title:       "Compare segments of an event",
		description: "Break an event down by a property: which segments drive it, how they changed, and what sets one segment apart.",
		args: []arg{
			{"event", "Event", "The event to analyse, e.g. 'Purchase'", true, completion.Event},
			{"property", "Property", "The event property to break it down by, e.g. 'country'", true, completion.Property},
			{"value", "Segment", "One value of the property to look at closely (optional)", false, completion.PropertyValue},
		},
		intro: func(a map[string]string) string {
			text := fmt.Sprintf("Compare the segments of the event %q by its property %q.", a["event"], a["property"])
			if a["value"] != "" {
				text += fmt.Sprintf(" Look closely at the segment %q.", a["value"])
			}
			return text
		},
		steps: []string{
			"Check the event and property names with list_events and list_properties, and the values with list_property_values.",
			"Run query_insights on the event over the last 30 days with group_by on the property; note the largest segments and their share.",
			"Compare with the previous period (time_comparison) to see which segments grew or shrank.",
			"For the segment to look at closely (or the one that changed most), filter query_insights to it and compare its daily trend with the rest.",
			"Summarise: which segments matter, what changed, and the exact queries you ran.",
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

// Register adds the prompts to the server, each with only the steps whose
// tools has reports served (a workflow never walks a model to a tool it
// cannot call); a prompt left with no step that uses a tool is not offered.
func Register(s *server.MCPServer, has func(string) bool) {
	for _, p := range all {
		if !p.offered(has) {
			continue
		}
		opts := []mcp.PromptOption{mcp.WithPromptTitle(p.title), mcp.WithPromptDescription(p.description)}
		for _, a := range p.args {
			aopts := []mcp.ArgumentOption{mcp.ArgumentTitle(a.title), mcp.ArgumentDescription(a.description)}
			if a.required {
				aopts = append(aopts, mcp.RequiredArgument())
			}
			opts = append(opts, mcp.WithArgument(a.name, aopts...))
		}
		s.AddPrompt(mcp.NewPrompt(p.name, opts...), handler(p, has))
	}
}

// Completions maps each prompt Register offers to its completable
// arguments, for completion.Provider.
func Completions(has func(string) bool) map[string]completion.Args {
	out := map[string]completion.Args{}
	for _, p := range all {
		if !p.offered(has) {
			continue
		}
		args := completion.Args{}
		for _, a := range p.args {
			if a.kind != 0 {
				args[a.name] = a.kind
			}
		}
		out[p.name] = args
	}
	return out
}

// served lists the steps every tool of which has reports served.
func (p prompt) served(has func(string) bool) []string {
	var out []string
	for _, st := range p.steps {
		if len(toolref.Missing(st, has)) == 0 {
			out = append(out, st)
		}
	}
	return out
}

// offered: some kept step uses a tool.
func (p prompt) offered(has func(string) bool) bool {
	for _, st := range p.served(has) {
		if len(toolref.Find(st)) > 0 {
			return true
		}
	}
	return false
}

// text is the prompt for args: the opening and the served steps, numbered.
func (p prompt) text(args map[string]string, has func(string) bool) string {
	var b strings.Builder
	b.WriteString(p.intro(args))
	b.WriteString("\n")
	for i, st := range p.served(has) {
		fmt.Fprintf(&b, "\n%d. %s", i+1, st)
	}
	return b.String()
}

func handler(p prompt, has func(string) bool) server.PromptHandlerFunc {
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
			mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(p.text(args, has))),
		}), nil
	}
}
