package mixpanel

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode/utf8"
)

// BusinessContextMaxChars is Mixpanel's cap on business context content,
// in Unicode characters. It is checked before any request is sent.
const BusinessContextMaxChars = 50000

// The two scopes business context lives at.
const (
	LevelProject      = "project"
	LevelOrganization = "organization"
)

// BusinessContext is the markdown that grounds assistants at one scope.
// OrganizationID is set at organization level, ProjectID at project level.
type BusinessContext struct {
	Level          string  `json:"level" jsonschema:"enum=organization,enum=project"`
	Content        string  `json:"content" jsonschema:"description=Markdown; empty when nothing is set at this scope"`
	OrganizationID *int64  `json:"organization_id,omitempty" jsonschema:"description=Owning organization (organization level)"`
	ProjectID      *string `json:"project_id,omitempty" jsonschema:"description=Owning project (project level)"`
	IsEmpty        bool    `json:"is_empty"`
	CharacterCount int     `json:"character_count" jsonschema:"description=Length of content in Unicode characters (cap 50000)"`
}

// BusinessContextChain is both scopes, read in one round trip.
type BusinessContextChain struct {
	Organization BusinessContext `json:"organization"`
	Project      BusinessContext `json:"project"`
}

func newBusinessContext(level, content string, orgID int64, projectID string) BusinessContext {
	bc := BusinessContext{Level: level, Content: content, IsEmpty: content == "", CharacterCount: utf8.RuneCountInString(content)}
	if level == LevelOrganization && orgID != 0 {
		bc.OrganizationID = &orgID
	}
	if level == LevelProject && projectID != "" {
		bc.ProjectID = &projectID
	}
	return bc
}

// BusinessContextTooLongError is content over the 50,000-character cap.
type BusinessContextTooLongError struct {
	Length int
}

func (e *BusinessContextTooLongError) Error() string {
	return fmt.Sprintf("content: BUSINESS_CONTEXT_TOO_LONG: %d characters is %d over the cap of %d; shorten it (summarise, drop examples, link to longer docs) and set it again",
		e.Length, e.Length-BusinessContextMaxChars, BusinessContextMaxChars)
}

// CheckBusinessContext applies the cap.
func CheckBusinessContext(content string) error {
	if n := utf8.RuneCountInString(content); n > BusinessContextMaxChars {
		return &BusinessContextTooLongError{Length: n}
	}
	return nil
}

// CheckLevel accepts "project" and "organization".
func CheckLevel(level string) error {
	if level != LevelProject && level != LevelOrganization {
		return fmt.Errorf("level: must be \"organization\" or \"project\", got %q", level)
	}
	return nil
}

// businessContextPath is the App API path of a scope; organization level
// needs the organization id, which orgID gives or /me resolves.
func (c *Client) businessContextPath(ctx context.Context, level string, orgID int64) (string, int64, string, error) {
	if err := CheckLevel(level); err != nil {
		return "", 0, "", err
	}
	if level == LevelProject {
		pid, err := c.RequireProject()
		if err != nil {
			return "", 0, "", err
		}
		return "/projects/" + url.PathEscape(pid) + "/business-context", 0, pid, nil
	}
	if orgID == 0 {
		var err error
		if orgID, err = c.OrganizationID(ctx); err != nil {
			return "", 0, "", err
		}
	}
	return "/organizations/" + strconv.FormatInt(orgID, 10) + "/business-context", orgID, "", nil
}

// GetBusinessContext reads one scope; orgID 0 resolves the project's
// organization.
func (c *Client) GetBusinessContext(ctx context.Context, level string, orgID int64) (BusinessContext, error) {
	path, org, pid, err := c.businessContextPath(ctx, level, orgID)
	if err != nil {
		return BusinessContext{}, err
	}
	content, err := c.contentCall(ctx, Request{Path: path})
	if err != nil {
		return BusinessContext{}, fmt.Errorf("get %s business context: %w", level, err)
	}
	return newBusinessContext(level, content, org, pid), nil
}

// SetBusinessContext replaces one scope's content ("" clears it). Content
// over the cap fails before any request.
func (c *Client) SetBusinessContext(ctx context.Context, level, content string, orgID int64) (BusinessContext, error) {
	if err := CheckBusinessContext(content); err != nil {
		return BusinessContext{}, err
	}
	path, org, pid, err := c.businessContextPath(ctx, level, orgID)
	if err != nil {
		return BusinessContext{}, err
	}
	got, err := c.contentCall(ctx, Request{Method: http.MethodPut, Path: path, Body: map[string]string{"content": content}})
	if err != nil {
		return BusinessContext{}, fmt.Errorf("set %s business context: %w", level, err)
	}
	return newBusinessContext(level, got, org, pid), nil
}

// ClearBusinessContext empties one scope.
func (c *Client) ClearBusinessContext(ctx context.Context, level string, orgID int64) (BusinessContext, error) {
	return c.SetBusinessContext(ctx, level, "", orgID)
}

// GetBusinessContextChain reads the organization and project context in
// one call. The organization id is left out: finding it would cost a /me
// round trip the chain endpoint exists to avoid.
func (c *Client) GetBusinessContextChain(ctx context.Context) (BusinessContextChain, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return BusinessContextChain{}, err
	}
	var out struct {
		Org     *string `json:"org_context"`
		Project *string `json:"project_context"`
	}
	if err := c.AppJSON(ctx, Request{Path: "/projects/" + url.PathEscape(pid) + "/business-context/chain"}, &out); err != nil {
		return BusinessContextChain{}, fmt.Errorf("get business context chain: %w", err)
	}
	if out.Org == nil || out.Project == nil {
		return BusinessContextChain{}, badAnswer(http.MethodGet, "/business-context/chain", "the answer lacks org_context or project_context")
	}
	return BusinessContextChain{
		Organization: newBusinessContext(LevelOrganization, *out.Org, 0, ""),
		Project:      newBusinessContext(LevelProject, *out.Project, 0, pid),
	}, nil
}

func (c *Client) contentCall(ctx context.Context, req Request) (string, error) {
	var out struct {
		Content *string `json:"content"`
	}
	if err := c.AppJSON(ctx, req, &out); err != nil {
		return "", err
	}
	if out.Content == nil {
		return "", badAnswer(req.method(), req.Path, "the answer lacks the required field content")
	}
	return *out.Content, nil
}

// OrganizationID is the organization that owns the configured project,
// from /me; when /me does not list the project, the principal's only
// organization.
func (c *Client) OrganizationID(ctx context.Context) (int64, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return 0, err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return 0, fmt.Errorf("find the organization of project %s: %w", pid, err)
	}
	if p, ok := me.Projects[pid]; ok && p.OrganizationID > 0 {
		return p.OrganizationID, nil
	}
	if len(me.Organizations) == 1 {
		for k := range me.Organizations {
			if id, err := strconv.ParseInt(k, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	orgs := slices.Sorted(maps.Keys(me.Organizations))
	return 0, fmt.Errorf("organization_id: cannot tell which organization owns project %s (this account sees organizations %v); pass organization_id", pid, orgs)
}
