package mixpaneltest

import (
	"net/http"
	"unicode/utf8"
)

// businessContextMaxChars is Mixpanel's server-side cap on content.
const businessContextMaxChars = 50000

const defaultOrgBusinessContext = `# ShopFast Inc.

ShopFast sells home goods online in the US and the EU. Revenue is the
"Purchase" event's revenue property, in the order's currency.`

const defaultProjectBusinessContext = `# ShopFast Production

- North-star metric: weekly purchasers (unique users doing "Purchase").
- "Checkout Started" -> "Purchase" is the checkout funnel; a session
  replay exists for most checkout sessions.
- Ignore events from utm_source = "qa".`

func routesBusinessContext(s *Server) {
	project := AppPrefix + "/projects/" + ProjectID + "/business-context"
	org := AppPrefix + "/organizations/" + OrgID + "/business-context"
	s.handle(http.MethodGet, project, s.getBusinessContext(true))
	s.handle(http.MethodPut, project, s.putBusinessContext(true))
	s.handle(http.MethodGet, org, s.getBusinessContext(false))
	s.handle(http.MethodPut, org, s.putBusinessContext(false))
	s.handle(http.MethodGet, project+"/chain", s.businessContextChain)
}

// The handlers read s.Data at request time, so a test that replaces s.Data
// is served its own content.
func (s *Server) getBusinessContext(project bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		content := s.Data.OrgBusinessContext
		if project {
			content = s.Data.ProjectBusinessContext
		}
		s.mu.Unlock()
		WriteApp(w, map[string]any{"content": content})
	}
}

// putBusinessContext replaces the content; Mixpanel rejects a missing
// content field and anything over the cap with a 400.
func (s *Server) putBusinessContext(project bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Content *string `json:"content"`
		}
		if !DecodeBody(w, r, &body) {
			return
		}
		if body.Content == nil {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "content is required", "status": "error"})
			return
		}
		if utf8.RuneCountInString(*body.Content) > businessContextMaxChars {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"error": "content exceeds maximum length of 50000 characters", "status": "error"})
			return
		}
		s.mu.Lock()
		if project {
			s.Data.ProjectBusinessContext = *body.Content
		} else {
			s.Data.OrgBusinessContext = *body.Content
		}
		s.mu.Unlock()
		WriteApp(w, map[string]any{"content": *body.Content})
	}
}

func (s *Server) businessContextChain(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	org, project := s.Data.OrgBusinessContext, s.Data.ProjectBusinessContext
	s.mu.Unlock()
	WriteApp(w, map[string]any{"org_context": org, "project_context": project})
}
