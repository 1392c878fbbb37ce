package tools

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/mark3labs/mcp-go/server"

	"github.com/mixpanel-mcp/mixpanel-mcp/mixpanel"
)

// Sessions: use_project switches the project and workspace of one MCP
// session. The switch is kept here, keyed by session id, as a client
// scoped to the new project (mixpanel.Client.WithScope); every tool call
// and resource read of that session gets an Env whose client is that one,
// while other sessions keep the server's configured project. Over stdio
// there is one session; a stateless HTTP server has no session that
// outlives a request, so it refuses to switch. A session's switch is
// freed when the session ends (TrackSessions).

// envSession is the session part of an Env.
type envSession struct {
	store *sessionStore // shared by the Env the server was built with and its per-call copies
	root  *Env          // that Env, in a per-call copy; nil in the root itself
	id    string        // the MCP session of the call; "" outside one
}

// sessionStore holds the scoped client of each session that switched.
type sessionStore struct {
	mu      sync.Mutex
	clients map[string]*mixpanel.Client
}

func newSessionStore() *sessionStore {
	return &sessionStore{clients: map[string]*mixpanel.Client{}}
}

func (s *sessionStore) client(id string) *mixpanel.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients[id]
}

// set records the session's client; nil goes back to the server's own.
func (s *sessionStore) set(id string, c *mixpanel.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c == nil {
		delete(s.clients, id)
		return
	}
	s.clients[id] = c
}

func (s *sessionStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// sessionID is the id of the MCP session ctx belongs to, or "".
func sessionID(ctx context.Context) string {
	if s := server.ClientSessionFromContext(ctx); s != nil {
		return s.SessionID()
	}
	return ""
}

// rootEnv is the Env the server was built with.
func (e *Env) rootEnv() *Env {
	if e.session.root != nil {
		return e.session.root
	}
	return e
}

// forSession is the Env of one call: the server's, with the client of the
// call's session when that session switched project.
func (e *Env) forSession(ctx context.Context) *Env {
	root := e.rootEnv()
	id := sessionID(ctx)
	if id == "" || root.session.store == nil {
		return root
	}
	n := *root
	n.session.root, n.session.id = root, id
	if c := root.session.store.client(id); c != nil {
		n.client = c
	}
	return &n
}

// ClientFor is Client for the session of ctx: resources read through it
// so that they follow use_project like the tools.
func (e *Env) ClientFor(ctx context.Context) (*mixpanel.Client, error) {
	return e.forSession(ctx).Client()
}

// TrackSessions frees a session's project switch when the session ends
// (closed, deleted or expired). The server must be built with hooks.
func (e *Env) TrackSessions(hooks *server.Hooks) {
	root := e.rootEnv()
	hooks.AddOnUnregisterSession(func(_ context.Context, s server.ClientSession) {
		if root.session.store != nil {
			root.session.store.set(s.SessionID(), nil)
		}
	})
}

// UseProjectInput names the project and/or workspace to switch to.
type UseProjectInput struct {
	ProjectID   string `json:"project_id,omitempty" jsonschema:"description=Numeric project id (list_projects); omit to keep the current one"`
	WorkspaceID string `json:"workspace_id,omitempty" jsonschema:"description=Numeric workspace id to pin (list_workspaces); omit for none"`
}

// Validate needs one of the two, each numeric.
func (in UseProjectInput) Validate() error {
	if in.ProjectID == "" && in.WorkspaceID == "" {
		return errors.New("project_id: REQUIRED: name a project_id, a workspace_id or both; list_projects and list_workspaces show the ids")
	}
	for _, f := range []struct{ name, v string }{{"project_id", in.ProjectID}, {"workspace_id", in.WorkspaceID}} {
		if n, err := strconv.ParseInt(f.v, 10, 64); f.v != "" && (err != nil || n <= 0) {
			return fmt.Errorf("%s: NOT_NUMERIC: %q is not a numeric id; pass the id such as \"12345\", not a name", f.name, f.v)
		}
	}
	return nil
}

// ProjectSwitch says where the session works now and where it worked.
type ProjectSwitch struct {
	ProjectID           string `json:"project_id"`
	ProjectName         string `json:"project_name,omitempty"`
	WorkspaceID         string `json:"workspace_id,omitempty"`
	WorkspaceName       string `json:"workspace_name,omitempty"`
	PreviousProjectID   string `json:"previous_project_id,omitempty"`
	PreviousWorkspaceID string `json:"previous_workspace_id,omitempty"`
}

// Text says what changed, in one or two lines.
func (o ProjectSwitch) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "This session now works in project %s%s", o.ProjectID, quotedName(o.ProjectName))
	if o.WorkspaceID != "" {
		fmt.Fprintf(&b, ", workspace %s%s", o.WorkspaceID, quotedName(o.WorkspaceName))
	} else {
		b.WriteString(", no workspace pinned")
	}
	prev := o.PreviousProjectID
	if prev == "" {
		prev = "none"
	}
	if o.PreviousWorkspaceID != "" {
		prev += ", workspace " + o.PreviousWorkspaceID
	}
	fmt.Fprintf(&b, " (was project %s). Later calls and resources of this session use it; other sessions keep theirs.\n", prev)
	return b.String()
}

func quotedName(s string) string {
	if s == "" {
		return ""
	}
	return " " + strconv.Quote(s)
}

// useProject switches the session after checking that the credentials can
// access the project (and that the workspace belongs to it); on any
// failure nothing changes.
func useProject(ctx context.Context, env *Env, in UseProjectInput) (ProjectSwitch, error) {
	c, err := env.Client()
	if err != nil {
		return ProjectSwitch{}, err
	}
	root := env.rootEnv()
	if env.session.id == "" || root.session.store == nil {
		return ProjectSwitch{}, errors.New("project_id: NO_SESSION: this server keeps no MCP session (it runs with --stateless), so a switch could not outlive this call; set the project with MP_PROJECT_ID / MP_WORKSPACE_ID, or run the server without --stateless")
	}
	out := ProjectSwitch{ProjectID: in.ProjectID, WorkspaceID: in.WorkspaceID, PreviousProjectID: c.ProjectID(), PreviousWorkspaceID: c.WorkspaceID()}
	if out.ProjectID == "" {
		if out.ProjectID, err = c.RequireProject(); err != nil {
			return ProjectSwitch{}, err
		}
	}
	if err := checkAccess(ctx, c, &out); err != nil {
		return ProjectSwitch{}, err
	}
	base := root.client
	if base.ProjectID() == out.ProjectID && base.WorkspaceID() == out.WorkspaceID {
		root.session.store.set(env.session.id, nil) // back to the server's own
	} else {
		root.session.store.set(env.session.id, base.WithScope(out.ProjectID, out.WorkspaceID))
	}
	env.Log.Info().Str("session", env.session.id).Str("project", out.ProjectID).Str("workspace", out.WorkspaceID).Msg("session switched project")
	return out, nil
}

// checkAccess verifies the target against /me, and fills in the names.
// Without /me (a service account lacking the user_details scope) the
// project's workspace list decides: Mixpanel answers it only for a
// project the credentials can access.
func checkAccess(ctx context.Context, c *mixpanel.Client, out *ProjectSwitch) error {
	me, err := c.Me(ctx)
	if err != nil {
		if !mixpanel.IsKind(err, mixpanel.KindForbidden) {
			return fmt.Errorf("checking access to project %s: %w", out.ProjectID, err)
		}
		return checkAccessWithoutMe(ctx, c, out)
	}
	p, ok := me.Projects[out.ProjectID]
	if !ok {
		ids := make([]string, 0, len(me.Projects))
		for id := range me.Projects {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return numericLess(ids[i], ids[j]) })
		if len(ids) > 10 {
			ids = append(ids[:10], "...")
		}
		return fmt.Errorf("project_id: NOT_ACCESSIBLE: project %s is not among the %d projects these credentials can access (%s); nothing was changed. Pick one from list_projects (access granted in the last minutes shows after clear_discovery_cache)", out.ProjectID, len(me.Projects), strings.Join(ids, ", "))
	}
	out.ProjectName = p.Name
	if out.WorkspaceID == "" {
		return nil
	}
	if ws, ok := me.Workspaces[out.WorkspaceID]; ok {
		if strconv.FormatInt(ws.ProjectID, 10) != out.ProjectID {
			return fmt.Errorf("workspace_id: WRONG_PROJECT: workspace %s belongs to project %d, not %s; nothing was changed. list_workspaces shows the workspaces of a project", out.WorkspaceID, ws.ProjectID, out.ProjectID)
		}
		out.WorkspaceName = ws.Name
		return nil
	}
	// /me may leave out workspaces; the project's own list is the word.
	return checkWorkspace(ctx, c, out)
}

func checkAccessWithoutMe(ctx context.Context, c *mixpanel.Client, out *ProjectSwitch) error {
	if _, err := c.ListWorkspaces(ctx, out.ProjectID); err != nil {
		if mixpanel.IsKind(err, mixpanel.KindForbidden) || mixpanel.IsKind(err, mixpanel.KindNotFound) {
			return fmt.Errorf("project_id: NOT_ACCESSIBLE: these credentials cannot access project %s (%v); nothing was changed. Pick one from list_projects", out.ProjectID, err)
		}
		return fmt.Errorf("checking access to project %s: %w", out.ProjectID, err)
	}
	if out.WorkspaceID == "" {
		return nil
	}
	return checkWorkspace(ctx, c, out)
}

func checkWorkspace(ctx context.Context, c *mixpanel.Client, out *ProjectSwitch) error {
	wss, err := c.ListWorkspaces(ctx, out.ProjectID)
	if err != nil {
		return fmt.Errorf("checking workspace %s of project %s: %w", out.WorkspaceID, out.ProjectID, err)
	}
	for _, w := range wss {
		if strconv.FormatInt(w.ID, 10) == out.WorkspaceID {
			out.WorkspaceName = w.Name
			return nil
		}
	}
	return fmt.Errorf("workspace_id: NOT_ACCESSIBLE: project %s has no workspace %s these credentials can see; nothing was changed. list_workspaces with project_id %s shows its workspaces", out.ProjectID, out.WorkspaceID, out.ProjectID)
}

// ClearCacheInput takes no arguments.
type ClearCacheInput struct{}

// CacheCleared says how many cached answers were dropped.
type CacheCleared struct {
	ProjectID string `json:"project_id"`
	Dropped   int    `json:"dropped"`
	// Enabled is false when the server runs without a discovery cache.
	Enabled bool `json:"enabled"`
}

// Text says what was cleared.
func (o CacheCleared) Text() string {
	if !o.Enabled {
		return "The discovery cache is disabled on this server (cache TTL < 0): every call already asks Mixpanel.\n"
	}
	return fmt.Sprintf("Cleared %d cached discovery answers of project %s; the next calls ask Mixpanel again. Other projects' answers are kept.\n", o.Dropped, o.ProjectID)
}

// clearDiscoveryCache drops the cached discovery answers (events,
// properties, saved entities, Lexicon, workspaces, /me) of the session's
// project only: the cache is shared by every session of the server, and
// another project's answers are no staler for this one's change.
func clearDiscoveryCache(_ context.Context, env *Env, _ ClearCacheInput) (CacheCleared, error) {
	c, err := env.Client()
	if err != nil {
		return CacheCleared{}, err
	}
	n, ok := c.ClearCache()
	return CacheCleared{ProjectID: c.ProjectID(), Dropped: n, Enabled: ok}, nil
}
