package mixpanel

import "sync"

// limiterSet holds one Query API limiter per project. Mixpanel counts its
// Query API limits (queries per hour, queries at once) per project, so
// clients scoped to the same project share one limiter, and a client
// switched to another project neither spends nor waits for the first
// project's budget.
type limiterSet struct {
	cfg Config

	mu        sync.Mutex
	byProject map[string]Limiter
}

func newLimiterSet(cfg Config) *limiterSet {
	return &limiterSet{cfg: cfg, byProject: map[string]Limiter{}}
}

// get returns the project's limiter, creating it on first use. The set
// grows by one small limiter per project a client is scoped to.
func (s *limiterSet) get(projectID string) Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.byProject[projectID]
	if !ok {
		if s.cfg.NewLimiter != nil {
			l = s.cfg.NewLimiter(projectID)
		} else {
			l = newLimiter(s.cfg)
		}
		s.byProject[projectID] = l
	}
	return l
}

// WithScope returns a client with the same credentials and settings that
// works in another project and workspace (workspaceID "" pins none). It is
// cheap: the clone shares the HTTP client (its connections), the
// discovery cache (whose keys carry the project) and the limiter of every
// client scoped to the same project. c itself is unchanged.
func (c *Client) WithScope(projectID, workspaceID string) *Client {
	n := *c // every setting and shared part, including any added later
	n.cfg.ProjectID, n.cfg.WorkspaceID = projectID, workspaceID
	n.limiter = c.limiters.get(projectID)
	return &n
}
