package mixpanel

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The App API operations that manage entities (dashboards, reports,
// cohorts, flags, ...) are each a typed Client method built on appCall: a
// scoped path, a method, an optional query and body, and the payload of
// Mixpanel's {"status":"ok","results":...} envelope decoded into Out.

// Empty is the result of an operation whose answer carries nothing (a 204,
// or {"status":"ok"}).
type Empty struct{}

// appCall sends one App API request and decodes the envelope's payload.
// A body of type url.Values is sent form-encoded, any other non-nil body as
// JSON (DELETE included: some deletes carry their ids in the body).
func appCall[Out any](ctx context.Context, c *Client, method, path string, q url.Values, body any) (Out, error) {
	var out Out
	req := Request{Family: App, Method: method, Path: path, Query: q}
	if form, ok := body.(url.Values); ok {
		req.Form = form
	} else {
		req.Body = body
	}
	var target any = &out
	if _, ok := any(out).(Empty); ok {
		target = nil
	}
	return out, c.AppJSON(ctx, req, target)
}

// appRaw sends one App API request and returns the whole body, envelope
// included: history and audit answers keep their pagination beside the
// results.
func appRaw(ctx context.Context, c *Client, method, path string, q url.Values, body any) (json.RawMessage, error) {
	return c.Raw(ctx, Request{Family: App, Method: method, Path: path, Query: q, Body: body})
}

// scoped joins the entity path to the client's scope: /workspaces/{wid}
// when a workspace is pinned, else /projects/{pid} (wire reference §1.3).
func (c *Client) scoped(parts ...string) (string, error) {
	scope, err := c.Scope()
	if err != nil {
		return "", err
	}
	return scope + joinPath(parts...), nil
}

// projectPath is a path that is never workspace-prefixed:
// /projects/{pid}/...
func (c *Client) projectPath(parts ...string) (string, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return "", err
	}
	return "/projects/" + url.PathEscape(pid) + joinPath(parts...), nil
}

// workspaceScoped is the path of workspace-scoped entities (feature flags):
// /projects/{pid}/workspaces/{wid}/... — a workspace must be known.
func (c *Client) workspaceScoped(parts ...string) (string, error) {
	pid, err := c.RequireProject()
	if err != nil {
		return "", err
	}
	if c.cfg.WorkspaceID == "" {
		return "", &MissingSettingError{Setting: "MP_WORKSPACE_ID", Fix: "feature flags live in a workspace: set MP_WORKSPACE_ID (or --workspace-id) to one of the project's workspaces"}
	}
	return "/projects/" + url.PathEscape(pid) + "/workspaces/" + url.PathEscape(c.cfg.WorkspaceID) + joinPath(parts...), nil
}

// joinPath writes parts as "/a/b"; a part is written as given, so callers
// escape names (PathSegment) and keep the trailing slash an endpoint needs
// by passing "" as the last part.
func joinPath(parts ...string) string {
	if len(parts) == 0 {
		return ""
	}
	return "/" + strings.Join(parts, "/")
}

// PathSegment escapes a name for use as one path segment, "/" included
// (Mixpanel's Lexicon paths take event names such as "Checkout Started").
func PathSegment(s string) string { return url.PathEscape(s) }

// ID writes a numeric id as a path segment.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// IDList writes ids the way Mixpanel's list filters take them: "1,2,3".
func IDList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = ID(id)
	}
	return strings.Join(s, ",")
}

// Methods, named once for the operation tables.
const (
	GET    = http.MethodGet
	POST   = http.MethodPost
	PUT    = http.MethodPut
	PATCH  = http.MethodPatch
	DELETE = http.MethodDelete
)

// Ref names one entity for people: its id and name.
type Ref struct {
	Kind string
	ID   string
	Name string
}

func (r Ref) String() string { return strings.TrimSpace(r.Kind + " " + r.Label()) }

// Label is the id and the quoted name, without the kind: 12 "Growth".
func (r Ref) Label() string {
	s := r.ID
	if r.Name != "" {
		s += " " + strconv.Quote(r.Name)
	}
	return strings.TrimSpace(s)
}
