package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// The context toolset: the business context markdown that tells an
// assistant what the organization and project are about.
func contextTools() []*Tool {
	return []*Tool{
		New("get_business_context", ToolsetContext,
			"Read the business context markdown of the project (default) or its organization. Read it before analysing to learn key events, metrics and conventions.",
			ReadOnly, getBusinessContext),
		New("get_business_context_chain", ToolsetContext,
			"Read the organization and project business context together in one call.",
			ReadOnly, getBusinessContextChain),
		New("set_business_context", ToolsetContext,
			"Replace the business context markdown of the project or organization (max 50,000 characters). Needs edit_project_info.",
			Destructive, setBusinessContext), // a full replace: the old text is gone
		New("clear_business_context", ToolsetContext,
			"Clear the business context of the project or organization.",
			Destructive, clearBusinessContext),
	}
}

// ContextScope picks the scope of business context.
type ContextScope struct {
	Level          string `json:"level,omitempty" jsonschema:"enum=project,enum=organization,default=project"`
	OrganizationID int64  `json:"organization_id,omitempty" jsonschema:"minimum=1,description=Organization level only; default the project's organization"`
}

func (s ContextScope) level() string {
	if s.Level == "" {
		return mixpanel.LevelProject
	}
	return s.Level
}

func (s ContextScope) check() error {
	if err := mixpanel.CheckLevel(s.level()); err != nil {
		return err
	}
	if s.OrganizationID < 0 {
		return fmt.Errorf("organization_id: must be a positive organization id (got %d)", s.OrganizationID)
	}
	if s.OrganizationID != 0 && s.level() != mixpanel.LevelOrganization {
		return errors.New("organization_id: only applies with level=\"organization\"")
	}
	return nil
}

// GetBusinessContextInput picks the scope.
type GetBusinessContextInput struct {
	ContextScope
}

// Validate checks the scope.
func (in GetBusinessContextInput) Validate() error { return in.check() }

// BusinessContextResult is one scope's context.
type BusinessContextResult struct {
	mixpanel.BusinessContext
}

// Text shows the markdown under a one-line header.
func (o BusinessContextResult) Text() string {
	return contextText(o.BusinessContext)
}

func contextText(bc mixpanel.BusinessContext) string {
	scope := bc.Level
	switch {
	case bc.ProjectID != nil:
		scope += " " + *bc.ProjectID
	case bc.OrganizationID != nil:
		scope += fmt.Sprintf(" %d", *bc.OrganizationID)
	}
	if bc.IsEmpty {
		return fmt.Sprintf("No business context is set for the %s.\n", scope)
	}
	return fmt.Sprintf("Business context of the %s (%d of %d characters):\n\n%s\n", scope, bc.CharacterCount, mixpanel.BusinessContextMaxChars, strings.TrimRight(bc.Content, "\n"))
}

func getBusinessContext(ctx context.Context, env *Env, in GetBusinessContextInput) (BusinessContextResult, error) {
	c, err := env.Client()
	if err != nil {
		return BusinessContextResult{}, err
	}
	bc, err := c.GetBusinessContext(ctx, in.level(), in.OrganizationID)
	return BusinessContextResult{bc}, err
}

// GetBusinessContextChainInput takes no arguments.
type GetBusinessContextChainInput struct{}

// BusinessContextChainResult is both scopes.
type BusinessContextChainResult struct {
	mixpanel.BusinessContextChain
}

// Text shows the organization's context, then the project's.
func (o BusinessContextChainResult) Text() string {
	return contextText(o.Organization) + "\n" + contextText(o.Project)
}

func getBusinessContextChain(ctx context.Context, env *Env, _ GetBusinessContextChainInput) (BusinessContextChainResult, error) {
	c, err := env.Client()
	if err != nil {
		return BusinessContextChainResult{}, err
	}
	chain, err := c.GetBusinessContextChain(ctx)
	return BusinessContextChainResult{chain}, err
}

// SetBusinessContextInput is the new content and its scope.
type SetBusinessContextInput struct {
	Content string `json:"content" jsonschema:"maxLength=50000,description=Markdown that replaces the current content (use clear_business_context to empty it)"`
	ContextScope
}

// Validate applies the cap before anything is sent.
func (in SetBusinessContextInput) Validate() error {
	if strings.TrimSpace(in.Content) == "" {
		return errors.New("content: is empty; to remove the context use clear_business_context")
	}
	if err := mixpanel.CheckBusinessContext(in.Content); err != nil {
		return err
	}
	return in.check()
}

func setBusinessContext(ctx context.Context, env *Env, in SetBusinessContextInput) (BusinessContextResult, error) {
	c, err := env.Client()
	if err != nil {
		return BusinessContextResult{}, err
	}
	bc, err := c.SetBusinessContext(ctx, in.level(), in.Content, in.OrganizationID)
	return BusinessContextResult{bc}, err
}

// ClearBusinessContextInput picks the scope to clear.
type ClearBusinessContextInput struct {
	ContextScope
}

// Validate checks the scope.
func (in ClearBusinessContextInput) Validate() error { return in.check() }

func clearBusinessContext(ctx context.Context, env *Env, in ClearBusinessContextInput) (BusinessContextResult, error) {
	c, err := env.Client()
	if err != nil {
		return BusinessContextResult{}, err
	}
	bc, err := c.ClearBusinessContext(ctx, in.level(), in.OrganizationID)
	return BusinessContextResult{bc}, err
}
