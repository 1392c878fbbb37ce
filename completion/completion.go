// Package completion answers MCP completion/complete for the arguments of
// prompts and resource templates: event names, property names (of the
// events the other arguments name), property values, replay ids and
// distinct ids, from Mixpanel's schema discovery through the client's
// discovery cache. Candidates starting with what the user typed come
// first, in Mixpanel's order, then those containing it; when nothing does,
// close matches (mixpanel.FindSimilarEvents: shared words, typos).
package completion

import (
	"context"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Kind is what an argument holds, and so where its completions come from.
type Kind int

// The kinds of completable argument.
const (
	// Event is one event name.
	Event Kind = iota + 1
	// EventList is comma-separated event names; the last one is completed
	// and the ones before it are kept.
	EventList
	// Property is an event property name: of the events the request's
	// other (Event or EventList) arguments name, else any event property
	// Lexicon knows.
	Property
	// PropertyValue is a value of the property the request's Property
	// argument names (sent with its Event argument's event, when given).
	PropertyValue
	// ReplayID is a session replay id of the last 90 days.
	ReplayID
	// DistinctID is the distinct id of a user with a session replay in the
	// last 90 days.
	DistinctID
)

// MaxValues is the most values one answer carries (the MCP limit).
const MaxValues = 100

// discoveryLimit is how many properties or values are asked for: enough
// to complete from, one cached answer per property or event.
const discoveryLimit = 1000

// Args maps a prompt's arguments (or a URI template's variables) to their
// kinds; an argument not in it is free text and gets no completions.
type Args map[string]Kind

// ClientFunc returns the Mixpanel client of the request's session, or why
// there is none.
type ClientFunc func(ctx context.Context) (*mixpanel.Client, error)

// Provider completes the arguments of the prompts and URI templates it
// knows; it is both server.PromptCompletionProvider and
// server.ResourceCompletionProvider. Prompts and Templates are keyed by
// prompt name and by URI template.
type Provider struct {
	Client    ClientFunc
	Prompts   map[string]Args
	Templates map[string]Args
	// Prepare, when set, derives the context of the discovery calls from
	// the request's (the server uses it to forward the client's notices).
	Prepare func(context.Context) context.Context
}

// CompletePromptArgument completes an argument of a prompt.
func (p *Provider) CompletePromptArgument(ctx context.Context, prompt string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	return p.complete(ctx, p.Prompts[prompt], arg, cc)
}

// CompleteResourceArgument completes a variable of a URI template.
func (p *Provider) CompleteResourceArgument(ctx context.Context, uri string, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	return p.complete(ctx, p.Templates[uri], arg, cc)
}

// complete answers for one argument. Anything it does not know (another
// server's prompt, a free-text argument) gets no values rather than an
// error: completion is a typing aid, and an empty list is its "nothing
// to suggest".
func (p *Provider) complete(ctx context.Context, args Args, arg mcp.CompleteArgument, cc mcp.CompleteContext) (*mcp.Completion, error) {
	kind := args[arg.Name]
	if kind == 0 {
		return &mcp.Completion{Values: []string{}}, nil
	}
	c, err := p.Client(ctx)
	if err != nil {
		return nil, err
	}
	if p.Prepare != nil {
		ctx = p.Prepare(ctx)
	}
	typed, keep := arg.Value, ""
	if i := strings.LastIndex(typed, ","); kind == EventList && i >= 0 {
		keep, typed = strings.TrimSpace(typed[:i])+", ", strings.TrimSpace(typed[i+1:])
	}
	candidates, err := candidates(ctx, c, kind, args, cc.Arguments)
	if err != nil {
		return nil, err
	}
	values, total := Match(typed, candidates)
	for i, v := range values {
		values[i] = keep + v
	}
	return &mcp.Completion{Values: values, Total: total, HasMore: total > len(values)}, nil
}

// candidates lists every value an argument of kind may take, in the order
// to offer them.
func candidates(ctx context.Context, c *mixpanel.Client, kind Kind, args Args, given map[string]string) ([]string, error) {
	switch kind {
	case Event, EventList:
		return c.Events(ctx, mixpanel.EventsOptions{})
	case Property:
		events := eventsOf(args, given)
		if len(events) == 0 {
			defs, err := c.PropertyDefinitions(ctx, "event")
			if err != nil {
				return nil, err
			}
			names := make([]string, len(defs))
			for i, d := range defs {
				names[i] = d.Name
			}
			return names, nil
		}
		var names []string
		for _, e := range events {
			counts, err := c.EventProperties(ctx, e, discoveryLimit)
			if err != nil {
				return nil, err
			}
			for _, pc := range counts {
				if !slices.Contains(names, pc.Name) {
					names = append(names, pc.Name)
				}
			}
		}
		return names, nil
	case PropertyValue:
		property := firstOf(args, given, Property)
		if property == "" {
			return nil, nil
		}
		return c.PropertyValues(ctx, mixpanel.PropertyValuesOptions{Property: property, Event: firstOf(args, given, Event), Limit: discoveryLimit})
	case ReplayID, DistinctID:
		found, err := c.ListReplays(ctx, mixpanel.ReplayQuery{Limit: discoveryLimit, Cached: true})
		if err != nil {
			return nil, err
		}
		var out []string
		for _, r := range found {
			v := r.ReplayID
			if kind == DistinctID {
				v = r.DistinctID
			}
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out, nil
	}
	return nil, nil
}

// eventsOf lists the events the request's other arguments name.
func eventsOf(args Args, given map[string]string) []string {
	var out []string
	for name, kind := range args {
		v := given[name]
		switch kind {
		case Event:
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		case EventList:
			for _, e := range strings.Split(v, ",") {
				if e = strings.TrimSpace(e); e != "" {
					out = append(out, e)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// firstOf is the value given for the argument of that kind, or "".
func firstOf(args Args, given map[string]string, kind Kind) string {
	for name, k := range args {
		if k == kind {
			if v := strings.TrimSpace(given[name]); v != "" {
				return v
			}
		}
	}
	return ""
}

// Match returns up to MaxValues candidates for what was typed, and how
// many matched in all: those that start with it (ignoring case), then those
// that contain it, each in the candidates' order; when none does, the
// close matches mixpanel.FindSimilarEvents finds (shared words, typos).
// Nothing typed matches everything.
func Match(typed string, candidates []string) (values []string, total int) {
	lower := strings.ToLower(typed)
	var prefixed, inside []string
	for _, c := range candidates {
		switch cl := strings.ToLower(c); {
		case strings.HasPrefix(cl, lower):
			prefixed = append(prefixed, c)
		case strings.Contains(cl, lower):
			inside = append(inside, c)
		}
	}
	all := append(prefixed, inside...)
	if len(all) == 0 && typed != "" {
		// Nothing holds what was typed: names sharing a word with it, or
		// a typo away from it.
		all = mixpanel.FindSimilarEvents(typed, candidates)
	}
	values = all[:min(MaxValues, len(all))]
	if values == nil {
		values = []string{}
	}
	return slices.Clone(values), len(all)
}
