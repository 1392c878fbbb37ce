// Package mpcontext (in the folder context/) serves the MCP resources that
// ground a model in the user's Mixpanel: the organization's and project's
// business context, and session replay summaries. It is named mpcontext so
// that its importers keep the standard library's context.
//
// Every resource is text/markdown under the mixpanel:// scheme:
//
//	mixpanel://business-context                          organization + project context
//	mixpanel://organization/business-context             organization context
//	mixpanel://project/business-context                  project context
//	mixpanel://replays/{replay_id}/summary               one replay's summary
//	mixpanel://users/{distinct_id}/replays/summary       a user's recent replays
package mpcontext

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/completion"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel/replay"
)

// The resources' URIs and URI templates.
const (
	ChainURI              = "mixpanel://business-context"
	OrganizationURI       = "mixpanel://organization/business-context"
	ProjectURI            = "mixpanel://project/business-context"
	ReplaySummaryTemplate = "mixpanel://replays/{replay_id}/summary"
	UserReplaysTemplate   = "mixpanel://users/{distinct_id}/replays/summary"
)

// User bundle bounds: a resource read must stay quick and readable.
const (
	userReplayLimit      = 5
	userReplayMaxActions = 40
	replayMaxActions     = 200
)

const markdown = "text/markdown"

// ClientFunc returns the Mixpanel client of the request's MCP session (a
// session may have switched project), or why there is none (a missing
// setting); tools.Env.ClientFor is one.
type ClientFunc func(ctx context.Context) (*mixpanel.Client, error)

// Register adds the resources and templates to s. The server needs
// server.WithResourceCapabilities.
func Register(s *server.MCPServer, client ClientFunc) {
	s.AddResource(mcp.NewResource(ChainURI, "business-context",
		mcp.WithResourceTitle("Business context (organization and project)"),
		mcp.WithResourceDescription("What the organization and this Mixpanel project are about: key events, metrics and conventions to follow when analysing. Read it first."),
		mcp.WithMIMEType(markdown)),
		reader(client, "", func(ctx context.Context, c *mixpanel.Client, _ string) (string, error) {
			chain, err := c.GetBusinessContextChain(ctx)
			if err != nil {
				return "", err
			}
			return contextMarkdown("Organization", chain.Organization) + "\n" + contextMarkdown("Project", chain.Project), nil
		}))
	for _, scope := range []struct{ uri, name, title, level string }{
		{OrganizationURI, "organization-business-context", "Organization business context", mixpanel.LevelOrganization},
		{ProjectURI, "project-business-context", "Project business context", mixpanel.LevelProject},
	} {
		s.AddResource(mcp.NewResource(scope.uri, scope.name,
			mcp.WithResourceTitle(scope.title),
			mcp.WithResourceDescription(fmt.Sprintf("The %s's business context markdown: its key events, metrics and conventions.", scope.level)),
			mcp.WithMIMEType(markdown)),
			reader(client, "", func(ctx context.Context, c *mixpanel.Client, _ string) (string, error) {
				bc, err := c.GetBusinessContext(ctx, scope.level, 0)
				if err != nil {
					return "", err
				}
				return contextMarkdown(strings.ToUpper(scope.level[:1])+scope.level[1:], bc), nil
			}))
	}
	s.AddResourceTemplate(mcp.NewResourceTemplate(ReplaySummaryTemplate, "replay-summary",
		mcp.WithTemplateTitle("Session replay summary"),
		mcp.WithTemplateDescription("One session replay as markdown: who, when, pages visited, console errors and a timeline of user actions. The replays toolset lists the ids."),
		mcp.WithTemplateMIMEType(markdown)),
		reader(client, "replay_id", func(ctx context.Context, c *mixpanel.Client, id string) (string, error) {
			r, _, err := c.FetchReplay(ctx, id, mixpanel.FetchOptions{})
			if err != nil {
				return "", err
			}
			return r.Markdown(replay.MarkdownOptions{MaxActions: replayMaxActions, HideFocus: true}), nil
		}))
	s.AddResourceTemplate(mcp.NewResourceTemplate(UserReplaysTemplate, "user-replays-summary",
		mcp.WithTemplateTitle("A user's recent session replays"),
		mcp.WithTemplateDescription(fmt.Sprintf("The %d newest session replays of one user (distinct_id) in the last %d days, summarised together as markdown.", userReplayLimit, mixpanel.DefaultReplayLookbackDays)),
		mcp.WithTemplateMIMEType(markdown)),
		reader(client, "distinct_id", userReplays))
}

// Completions maps each URI template to its completable variables, for
// completion.Provider.
func Completions() map[string]completion.Args {
	return map[string]completion.Args{
		ReplaySummaryTemplate: {"replay_id": completion.ReplayID},
		UserReplaysTemplate:   {"distinct_id": completion.DistinctID},
	}
}

// reader makes a resource handler of render, so every resource checks its
// URI argument (named arg; "" for none) before needing a client, and fails
// the same way: the URI named, never an empty document.
func reader(client ClientFunc, arg string, render func(ctx context.Context, c *mixpanel.Client, value string) (string, error)) func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		var value string
		if arg != "" {
			var err error
			if value, err = argument(req, arg); err != nil {
				return nil, readError(req, err)
			}
		}
		c, err := client(ctx)
		if err != nil {
			return nil, readError(req, err)
		}
		text, err := render(ctx, c, value)
		if err != nil {
			return nil, readError(req, err)
		}
		return contents(req, text), nil
	}
}

func userReplays(ctx context.Context, c *mixpanel.Client, user string) (string, error) {
	found, err := c.ListReplays(ctx, mixpanel.ReplayQuery{DistinctID: user, Limit: userReplayLimit})
	if err != nil {
		return "", err
	}
	if len(found) == 0 {
		return fmt.Sprintf("# Replays of %s\n\nNo session replays of this user in the last %d days.\n", user, mixpanel.DefaultReplayLookbackDays), nil
	}
	ids := make([]string, len(found))
	for i, s := range found {
		ids[i] = s.ReplayID
	}
	bundle, failures, err := c.FetchReplays(ctx, ids, mixpanel.FetchOptions{Summaries: found})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Replays of %s\n\n", user)
	b.WriteString(bundle.Markdown(replay.MarkdownOptions{MaxActions: userReplayMaxActions, HideFocus: true}))
	for _, f := range failures {
		fmt.Fprintf(&b, "\nNot fetched: %s: %s\n", f.ReplayID, f.Error)
	}
	return b.String(), nil
}

// argument is a template variable, percent-decoded.
func argument(req mcp.ReadResourceRequest, name string) (string, error) {
	var raw string
	switch v := req.Params.Arguments[name].(type) {
	case string:
		raw = v
	case []string:
		if len(v) > 0 {
			raw = v[0]
		}
	}
	value, err := url.PathUnescape(raw)
	if err != nil || strings.TrimSpace(value) == "" {
		return "", fmt.Errorf("%s: missing or malformed in the resource URI", name)
	}
	return value, nil
}

func contents(req mcp.ReadResourceRequest, text string) []mcp.ResourceContents {
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: markdown, Text: text}}
}

// readError names the resource and, for a missing replay, says so plainly:
// a resource read must fail rather than answer an empty document.
func readError(req mcp.ReadResourceRequest, err error) error {
	var notFound *mixpanel.ReplayNotFoundError
	if errors.As(err, &notFound) {
		return fmt.Errorf("resource %s not found: %w", req.Params.URI, err)
	}
	return fmt.Errorf("resource %s: %w", req.Params.URI, err)
}

func contextMarkdown(heading string, bc mixpanel.BusinessContext) string {
	if bc.IsEmpty {
		return fmt.Sprintf("# %s business context\n\n(none set)\n", heading)
	}
	content := strings.TrimRight(bc.Content, "\n")
	if strings.HasPrefix(content, "# ") {
		return content + "\n"
	}
	return fmt.Sprintf("# %s business context\n\n%s\n", heading, content)
}
